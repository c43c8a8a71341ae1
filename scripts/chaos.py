#!/usr/bin/env python3
"""Chaos run: Hub as separate processes, one per role, under a steady mixed
load, with every role killed (SIGKILL) at random moments and, when asked,
RabbitMQ and PostgreSQL restarted once each; then the system is drained and
checked: no committed event missing from a read model, the read models equal
a fresh rebuild, no mail sent twice, the ledger verifies and balances, and
nothing is left half-done. Exits 1 on any violation.

Run through `scripts/chaos.sh` (it builds `hub`); see docs/operations.md,
"Chaos run". Standard library only.
"""

import argparse
import collections
import json
import os
import random
import re
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

ROLES = ["relay", "projections", "command-api", "read-api", "processes", "notifier"]
# Started before the relay: the relay drops what no queue is bound for yet.
CONSUMERS = ["projections", "processes", "notifier"]
# The read models a rebuild replaces (projections/src/read_models) and the
# aggregate types each follows.
READ_MODELS = {
    "accounts": (["Account"], ["accounts"]),
    "catalog": (["Catalog"], ["catalog"]),
    "subscriptions": (["Subscription"], ["subscriptions"]),
    "orders": (["Order"], ["orders", "order_messages"]),
    "complaints": (["Complaint"], ["complaints"]),
    "wallets": (["Wallet"], ["wallets", "wallet_movements", "wallet_payouts"]),
}
ONE_OFF_PRICE = "1500.00"
TOP_UP = "5000.00"
PASSWORD = "chaos-password-2026"
ADMIN_EMAIL = "admin@chaos.test"
# Top-ups left unpaid fail after this long (processes' expiry job).
# Longer than the sandbox's callback lease (30 s, command-api/src/payments/
# sandbox.rs) plus a kill's downtime: a shorter expiry fails top-ups whose
# payment succeeded while command-api was down (see "Chaos run" in docs/operations.md).
TOP_UP_EXPIRY_SECS = 45


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- SMTP sink


class Sink:
    """A minimal SMTP server that records every message it accepts."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.mails = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write((line + "\r\n").encode())
                self.wfile.flush()

            def handle(self):
                self.reply("220 chaos sink")
                rcpts, data_mode, lines = [], False, []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    if data_mode:
                        if line == ".":
                            data_mode = False
                            sink.record(rcpts, lines)
                            rcpts, lines = [], []
                            self.reply("250 kept")
                        else:
                            lines.append(line[1:] if line.startswith("..") else line)
                        continue
                    verb = line[:4].upper()
                    if verb == "EHLO":
                        self.reply("250-chaos")
                        self.reply("250-8BITMIME")
                        self.reply("250 SMTPUTF8")
                    elif verb == "HELO":
                        self.reply("250 chaos")
                    elif verb == "MAIL":
                        rcpts = []
                        self.reply("250 ok")
                    elif verb == "RCPT":
                        rcpts.append(line.split(":", 1)[1].strip().strip("<>").split(">")[0])
                        self.reply("250 ok")
                    elif verb == "DATA":
                        data_mode = True
                        self.reply("354 go on")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # RSET, NOOP
                        self.reply("250 ok")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True
            # The mailer opens a connection per mail of a batch at once; with
            # the default backlog (5) some hang half-open (CHAOS_SINK_BACKLOG=5
            # shows what that did to a mailer without a send deadline).
            request_queue_size = int(os.environ.get("CHAOS_SINK_BACKLOG", "128"))

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def record(self, rcpts, lines):
        message_id = ""
        for line in lines:
            if line == "":
                break
            if line.lower().startswith("message-id:"):
                message_id = line.split(":", 1)[1].strip()
        entry = {"at": time.time(), "to": rcpts, "message_id": message_id}
        with self.lock:
            self.mails.append(entry)
            with open(self.path, "a") as f:
                f.write(json.dumps(entry) + "\n")


# ---------------------------------------------------------------- database


class Db:
    def __init__(self, url):
        self.url = url

    def query(self, sql, retries=60):
        """Rows of `sql` as lists of strings; waits out a restarting server."""
        for attempt in range(retries):
            out = subprocess.run(
                ["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", sql],
                capture_output=True,
                text=True,
            )
            if out.returncode == 0:
                return [l.split("\t") for l in out.stdout.splitlines() if l != ""]
            if attempt == retries - 1 or "ERROR" in out.stderr:
                raise RuntimeError(f"psql failed: {out.stderr.strip()}\n{sql}")
            time.sleep(1)

    def value(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows else None


# ---------------------------------------------------------------- roles


class Role:
    def __init__(self, name, hub, env, logdir, port):
        self.name, self.hub, self.env, self.port = name, hub, env, port
        self.log = open(os.path.join(logdir, f"{name}.log"), "ab")
        self.proc = None
        self.lock = threading.Lock()
        self.down = False  # killed on purpose, not to be restarted yet
        self.exits = []  # times it exited by itself

    def start(self):
        with self.lock:
            self.log.write(f"\n==== chaos: start {time.strftime('%H:%M:%S')} ====\n".encode())
            self.log.flush()
            args = [self.hub] + self.name.split(" ")
            self.proc = subprocess.Popen(
                args, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill9(self):
        with self.lock:
            if self.proc and self.proc.poll() is None:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def stop(self):
        with self.lock:
            if self.proc and self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return r.status == 200
        except Exception:
            return False

    def wait_healthy(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.healthy():
                return True
            if not self.alive():
                # A role that cannot reach PostgreSQL or RabbitMQ yet exits; start it again.
                time.sleep(1)
                self.start()
            time.sleep(0.3)
        return False


# ---------------------------------------------------------------- HTTP


class Stats:
    """Commands attempted and acknowledged per second of the run."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempted = collections.Counter()
        self.succeeded = collections.Counter()
        self.errors = collections.Counter()
        self.t0 = time.time()

    def add(self, ok, error):
        s = int(time.time() - self.t0)
        with self.lock:
            self.attempted[s] += 1
            if ok:
                self.succeeded[s] += 1
            if error:
                self.errors[s] += 1


class Api:
    def __init__(self, command_base, read_base, stats, reads, stop):
        self.base, self.read_base, self.stats, self.reads, self.stop = command_base, read_base, stats, reads, stop

    def read(self, who, path):
        """One query on read-api; counted, never retried (the next one is its retry)."""
        status, answer = self.raw("GET", path, who.token, base=self.read_base)
        if status == 401 and who.relogin(self):
            status, answer = self.raw("GET", path, who.token, base=self.read_base)
        self.reads.add(status == 200, status is None or status >= 500)
        return answer if status == 200 else None

    def raw(self, method, path, token=None, body=None, key=None, timeout=10, base=None):
        """(status, json) or (None, error text) when no answer came."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request((base or self.base) + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if key:
            req.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                text = r.read().decode()
                return r.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, text
        except Exception as e:  # refused, reset, timeout
            return None, str(e)

    def command(self, who, path, body=None, key=None, patience=60, retry_unkeyed=True, settle=(), settle_for=30):
        """POSTs until an answer that is not a transient failure. With a
        key, a retry is safe; without one, a retry after a lost answer may
        repeat the command (`retry_unkeyed=False` gives up instead).
        Statuses in `settle` (a refusal while a reaction or a read model
        catches up) are retried for `settle_for` seconds.
        Returns (status, json) of the last answer (None, text when none)."""
        deadline = time.time() + patience
        settled_by = time.time() + settle_for
        while True:
            status, answer = self.raw("POST", path, who.token, {} if body is None else body, key)
            transient = status is None or status >= 500 or status == 429 or status == 409 and _in_progress(answer)
            if status == 401 and who.relogin(self):
                continue
            self.stats.add(status is not None and status < 300, transient)
            if status in settle and time.time() < settled_by and not self.stop.is_set():
                time.sleep(0.5)
                continue
            if not transient:
                return status, answer
            if status is None and not key and not retry_unkeyed:
                return status, answer
            if time.time() > deadline or self.stop.is_set():
                return status, answer
            time.sleep(random.uniform(0.3, 1.2))


def _in_progress(answer):
    """A 409 worth retrying: the same key still running, or a concurrency conflict."""
    if not isinstance(answer, dict):
        return False
    return str(answer.get("type", "")).endswith("idempotency-in-progress") or "retry" in str(answer.get("detail", ""))


class Account:
    def __init__(self, email, kind):
        self.email, self.kind, self.token, self.id = email, kind, None, None

    def relogin(self, api):
        for _ in range(120):
            status, answer = api.raw("POST", "/api/v1/auth/login", body={"email": self.email, "password": PASSWORD})
            if status == 200:
                self.token, self.id = answer["access_token"], answer["account_id"]
                return True
            if api.stop.is_set() and status is not None:
                return False
            time.sleep(1)
        return False


def inn(n):
    digits = [int(c) for c in f"{770000000 + n % 100000000:09d}"]
    check = sum(d * w for d, w in zip(digits, [2, 4, 10, 3, 5, 9, 4, 6, 8])) % 11 % 10
    return "".join(map(str, digits)) + str(check)


def register(api, kind, n, tag):
    acct = Account(f"{kind}-{n}-{tag}@chaos.test", kind)
    body = {
        "email": acct.email,
        "password": PASSWORD,
        "company": {"name": f"Chaos {kind} {n}", "inn": inn(n)},
        "contact_name": "Chaos",
    }
    if kind == "provider":
        body["service_types"] = ["legal"]
    for _ in range(120):
        status, answer = api.raw("POST", f"/api/v1/auth/register/{kind}", body=body)
        if status in (201, 409):  # 409: an earlier try got through
            break
        time.sleep(1)
    else:
        raise RuntimeError(f"cannot register {acct.email}: {status} {answer}")
    if not acct.relogin(api):
        raise RuntimeError(f"cannot log in {acct.email}")
    return acct


# ---------------------------------------------------------------- load


class Beliefs:
    """What the load generator saw acknowledged (2xx), to check afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = collections.defaultdict(list)

    def add(self, kind, value):
        with self.lock:
            self.items[kind].append(value)


class Load:
    def __init__(self, api, admin, providers, clients, stop):
        self.api, self.admin, self.providers, self.clients, self.stop = api, admin, providers, clients, stop
        self.beliefs = Beliefs()
        self.complaints = []  # waiting for the admin
        self.clock = threading.Lock()

    def run(self):
        threads = [threading.Thread(target=self.client_loop, args=(c,), daemon=True) for c in self.clients]
        threads.append(threading.Thread(target=self.admin_loop, daemon=True))
        threads += [threading.Thread(target=self.provider_loop, args=(p,), daemon=True) for p in self.providers]
        for t in threads:
            t.start()
        return threads

    def ok(self, status):
        return status is not None and 200 <= status < 300

    def top_up(self, client, fate):
        key = str(uuid.uuid4())
        status, answer = self.api.command(client, "/api/v1/commands/wallet/top-ups", {"amount": TOP_UP}, key)
        if not self.ok(status):
            return
        transfer, payment = answer["transfer_id"], answer["payment_id"]
        if fate == "pending":
            self.beliefs.add("top_up_left", transfer)
            return
        status, _ = self.api.command(client, f"/api/v1/payments/sandbox/{payment}/{fate}")
        if self.ok(status):
            self.beliefs.add("top_up_" + fate, transfer)
        else:
            # 409: settled or failed already (an earlier try whose answer was
            # lost, or the expiry): either outcome is fine, none is not.
            self.beliefs.add("top_up_left", transfer)

    def one_off(self, client):
        key = str(uuid.uuid4())
        body = {"service_type": "legal", "plan": "one_off", "description": f"chaos job {key[:8]}"}
        status, answer = self.api.command(client, "/api/v1/commands/subscriptions", body, key)
        if status == 422:  # not enough money
            self.top_up(client, "approve")
            return
        if not self.ok(status):
            return
        sub = answer["id"]
        self.beliefs.add("subscription", sub)
        provider = random.choice(self.providers)
        status, _ = self.api.command(provider, f"/api/v1/commands/subscriptions/{sub}/accept", settle=(404, 422))
        if not self.ok(status):
            # Refused (taken, or accepted by an earlier try whose answer was lost).
            return
        self.beliefs.add("accepted", sub)
        status, answer = self.api.command(
            client, f"/api/v1/commands/subscriptions/{sub}/orders", {"title": "Chaos order", "details": "under load"}
        )
        if not self.ok(status):
            return
        order = answer["id"]
        self.beliefs.add("order", order)
        if not self.ok(self.api.command(provider, f"/api/v1/commands/orders/{order}/take")[0]):
            return
        for i in range(random.randint(1, 4)):
            who = client if i % 2 == 0 else provider
            # Unkeyed: a retry after a lost answer may post the message twice.
            status, answer = self.api.command(
                who, f"/api/v1/commands/orders/{order}/messages", {"text": f"message {i}"}, retry_unkeyed=True
            )
            if self.ok(status):
                self.beliefs.add("message", order)
        if random.random() < 0.3:
            status, answer = self.api.command(
                client, f"/api/v1/commands/orders/{order}/complaints", {"reason": "Not done as agreed"}
            )
            if self.ok(status):
                self.beliefs.add("complaint", answer["id"])
                with self.clock:
                    self.complaints.append(answer["id"])
            return
        self.api.read(client, f"/api/v1/orders/{order}/messages")
        self.api.read(provider, f"/api/v1/orders/{order}")
        for who in (provider, client):
            status, _ = self.api.command(who, f"/api/v1/commands/orders/{order}/complete")
            if not self.ok(status) and status != 422:
                return
        self.beliefs.add("completed", sub)

    def client_loop(self, client):
        self.top_up(client, "approve")
        while not self.stop.is_set():
            r = random.random()
            if r < 0.15:
                self.top_up(client, random.choice(["approve", "approve", "approve", "decline", "pending"]))
            else:
                self.one_off(client)
            self.api.read(client, "/api/v1/wallet")
            self.api.read(client, "/api/v1/subscriptions")
            time.sleep(random.uniform(0.05, 0.3))

    def admin_loop(self):
        while not self.stop.is_set():
            with self.clock:
                complaint = self.complaints.pop(0) if self.complaints else None
            if not complaint:
                self.api.read(self.admin, "/api/v1/admin/complaints")
                time.sleep(0.5)
                continue
            self.api.command(self.admin, f"/api/v1/commands/admin/complaints/{complaint}/review")
            body = {"to_client": "1000.00", "to_provider": "500.00", "note": "split by chaos"}
            status, _ = self.api.command(
                self.admin, f"/api/v1/commands/admin/complaints/{complaint}/resolve", body, str(uuid.uuid4())
            )
            if self.ok(status):
                self.beliefs.add("resolved", complaint)

    def provider_loop(self, provider):
        while not self.stop.wait(random.uniform(3, 6)):
            self.api.read(provider, "/api/v1/requests/available")
            self.api.read(provider, "/api/v1/wallet/payouts")
            body = {"amount": "300.00", "bank": {"bik": "044525225", "account": "40702810238720001420"}}
            status, answer = self.api.command(provider, "/api/v1/commands/wallet/withdrawals", body, str(uuid.uuid4()))
            if self.ok(status):
                self.beliefs.add("withdrawal", answer["transfer_id"])


# ---------------------------------------------------------------- chaos


def restart_rabbitmq():
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, capture_output=True)
    time.sleep(2)
    subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, capture_output=True)


def restart_postgres():
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
    )


def chaos_plan(seconds, services, long_form):
    """(at, what) pairs: every role killed at least once, services once."""
    kills = list(ROLES)
    if long_form:
        kills += random.choices(ROLES, k=max(0, seconds // 25 - len(ROLES)))
    random.shuffle(kills)
    span = (10, max(20, seconds - 15))
    slots = sorted(random.uniform(*span) for _ in kills)
    plan = [(t, ("kill", r)) for t, r in zip(slots, kills)]
    if services:
        plan.append((seconds * 0.4, ("rabbitmq", None)))
        plan.append((seconds * 0.7, ("postgres", None)))
    return sorted(plan, key=lambda p: p[0])


# ---------------------------------------------------------------- checks


class Checks:
    def __init__(self):
        self.violations = []
        self.figures = []

    def fail(self, msg):
        self.violations.append(msg)
        log(f"VIOLATION: {msg}")

    def figure(self, msg):
        self.figures.append(msg)
        log(msg)


def position_gaps(db):
    """(read model, aggregate type, id, last sequence, applied) of every
    aggregate whose events some read model has not all applied."""
    followed = ",".join(f"('{name}', '{t}')" for name, (types, _) in READ_MODELS.items() for t in types)
    return db.query(
        f"""WITH last AS (SELECT aggregate_type, aggregate_id, max(sequence) AS s FROM events GROUP BY 1, 2)
            SELECT m.projection, l.aggregate_type, l.aggregate_id, l.s, coalesce(p.last_sequence, 0)
              FROM last l JOIN (VALUES {followed}) AS m (projection, aggregate_type) USING (aggregate_type)
              LEFT JOIN read.projection_positions p ON p.projection = m.projection
                   AND p.aggregate_type = l.aggregate_type AND p.aggregate_id = l.aggregate_id
             WHERE coalesce(p.last_sequence, 0) <> l.s"""
    )


def drained(db, prefix):
    """Why the system is not drained yet, or None."""
    last = db.query("SELECT e.tx_id::text, e.global_position FROM events e ORDER BY e.tx_id DESC, e.global_position DESC LIMIT 1")
    if last:
        relay = db.query("SELECT tx_id::text, global_position FROM relay_checkpoint")
        if not relay or [relay[0][0], relay[0][1]] != last[0]:
            return f"relay at {relay}, store at {last}"
        ledger = db.query("SELECT tx_id::text, global_position FROM read.ledger_state")
        if [ledger[0][0], ledger[0][1]] != last[0]:
            return f"ledger at {ledger}, store at {last}"
    gaps = position_gaps(db)
    if gaps:
        return f"{len(gaps)} aggregates not projected, e.g. {gaps[0]}"
    # Jobs due soon too (top-up expiries, payout checks): their outcome is checked.
    due = db.value(f"SELECT count(*) FROM scheduled_jobs WHERE done_at IS NULL AND due_at < now() + interval '{TOP_UP_EXPIRY_SECS + 5} seconds'")
    if due != "0":
        return f"{due} scheduled jobs due"
    waiting = db.value("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND parked_at IS NULL")
    if waiting != "0":
        return f"{waiting} mails waiting"
    callbacks = db.value("SELECT count(*) FROM sandbox_callbacks")
    if callbacks != "0":
        return f"{callbacks} sandbox callbacks waiting"
    queues = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "name", "messages", "messages_unacknowledged"],
        capture_output=True,
        text=True,
    ).stdout
    for line in queues.splitlines():
        parts = line.split()
        if parts and parts[0].startswith(prefix) and len(parts) == 3 and (parts[1] != "0" or parts[2] != "0"):
            if ".dead" in parts[0] or "dlq" in parts[0] or "parked" in parts[0]:
                continue
            return f"queue {parts[0]} holds {parts[1]} ready, {parts[2]} unacked"
    return None


def table_digests(db):
    digests = {}
    for _, (_, tables) in READ_MODELS.items():
        for t in tables:
            digests[t] = db.value(f"SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM read.{t} x")
    return digests


def events_of(db, event_type, field):
    return {
        r[0]
        for r in db.query(f"SELECT payload -> '{event_type}' ->> '{field}' FROM events WHERE event_type = '{event_type}'")
    }


def aggregates(db, aggregate_type):
    return {r[0] for r in db.query(f"SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = '{aggregate_type}'")}


def check_beliefs(db, beliefs, checks):
    b = beliefs.items
    settled = events_of(db, "TopUpSettled", "transfer_id")
    failed = events_of(db, "TopUpFailed", "transfer_id")
    requested = events_of(db, "TopUpRequested", "transfer_id")
    expect = [
        ("top-ups approved → settled", b["top_up_approve"], settled),
        ("top-ups declined → failed", b["top_up_decline"], failed),
        ("top-ups left unpaid → failed by expiry", b["top_up_left"], failed | settled),
        ("top-ups requested", b["top_up_approve"] + b["top_up_decline"] + b["top_up_left"], requested),
        ("subscriptions requested", b["subscription"], aggregates(db, "Subscription")),
        ("subscriptions accepted", b["accepted"], {r[0] for r in db.query(
            "SELECT aggregate_id FROM events WHERE event_type = 'SubscriptionAccepted'")}),
        ("one-offs done by both → completed", b["completed"], {r[0] for r in db.query(
            "SELECT aggregate_id FROM events WHERE event_type = 'SubscriptionCompleted'")}),
        ("orders created", b["order"], aggregates(db, "Order")),
        ("complaints filed", b["complaint"], aggregates(db, "Complaint")),
        ("complaints resolved", b["resolved"], {r[0] for r in db.query(
            "SELECT aggregate_id FROM events WHERE event_type = 'ComplaintResolved'")}),
        ("withdrawals requested", b["withdrawal"], events_of(db, "WithdrawalRequested", "transfer_id")),
        ("withdrawals → settled or failed", b["withdrawal"],
         events_of(db, "WithdrawalSettled", "transfer_id") | events_of(db, "WithdrawalFailed", "transfer_id")),
    ]
    for what, believed, found in expect:
        missing = [x for x in believed if x not in found]
        checks.figure(f"  {what}: {len(believed)} acknowledged, {len(missing)} missing")
        if missing:
            checks.fail(f"{what}: {len(missing)} acknowledged but not in the store, e.g. {missing[:3]}")
    posted = collections.Counter(
        {r[0]: int(r[1]) for r in db.query(
            "SELECT aggregate_id, count(*) FROM events WHERE event_type = 'MessagePosted' GROUP BY 1")}
    )
    short = [o for o, n in collections.Counter(b["message"]).items() if posted[o] < n]
    checks.figure(f"  chat messages: {len(b['message'])} acknowledged, {sum(posted.values())} in the store")
    if short:
        checks.fail(f"chat messages acknowledged but missing in {len(short)} orders, e.g. {short[:3]}")


def check_half_done(db, checks):
    queries = {
        "scheduled jobs overdue": "SELECT count(*) FROM scheduled_jobs WHERE done_at IS NULL AND due_at < now() - interval '10 seconds'",
        "scheduled jobs that failed and are waiting": "SELECT count(*) FROM scheduled_jobs WHERE done_at IS NULL AND last_error IS NOT NULL",
        "mails not sent (uncertain ones aside, see mail)": "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND (parked_at IS NULL OR last_error NOT LIKE 'uncertain:%')",
        "sandbox callbacks undelivered": "SELECT count(*) FROM sandbox_callbacks",
        "projection messages parked": "SELECT count(*) FROM read.projection_failures WHERE parked_at IS NOT NULL",
        "top-ups pending past their expiry": f"""
            SELECT count(*) FROM events r WHERE r.event_type = 'TopUpRequested'
               AND r.recorded_at < now() - interval '{TOP_UP_EXPIRY_SECS + 15} seconds'
               AND NOT EXISTS (SELECT 1 FROM events s WHERE s.event_type IN ('TopUpSettled', 'TopUpFailed')
                   AND s.payload -> s.event_type ->> 'transfer_id' = r.payload -> 'TopUpRequested' ->> 'transfer_id')""",
        "withdrawals debited without a payout result": """
            SELECT count(*) FROM events r WHERE r.event_type = 'WithdrawalRequested'
               AND NOT EXISTS (SELECT 1 FROM events s WHERE s.event_type IN ('WithdrawalSettled', 'WithdrawalFailed')
                   AND s.payload -> s.event_type ->> 'transfer_id' = r.payload -> 'WithdrawalRequested' ->> 'transfer_id')""",
        "one-off orders completed, subscription not completed": """
            SELECT count(*) FROM read.orders o JOIN read.subscriptions s ON s.id = o.subscription_id
             WHERE o.plan = 'one_off' AND o.status = 'completed' AND s.status <> 'completed'""",
        "orders done by both sides but not completed": """
            SELECT count(*) FROM read.orders WHERE client_done AND provider_done AND status <> 'completed'
               AND frozen_by IS NULL""",
        "orders frozen by a closed complaint": """
            SELECT count(*) FROM read.orders o JOIN read.complaints c ON c.id = o.frozen_by
             WHERE c.status IN ('resolved', 'withdrawn')""",
        "subscriptions frozen by a closed complaint": """
            SELECT count(*) FROM read.subscriptions s JOIN read.complaints c ON c.id = s.frozen_by
             WHERE c.status IN ('resolved', 'withdrawn')""",
        "wallets whose read model disagrees with the ledger": """
            SELECT count(*) FROM read.wallets w FULL JOIN read.ledger_accounts l
                ON l.account = 'wallet:' || w.account_id
             WHERE (w.account_id IS NULL AND l.account LIKE 'wallet:%' AND l.balance <> 0)
                OR (w.account_id IS NOT NULL AND w.balance <> coalesce(l.balance, 0))""",
    }
    for what, sql in queries.items():
        n = db.value(sql)
        checks.figure(f"  {what}: {n}")
        if n != "0":
            checks.fail(f"{what}: {n}")


def check_ledger(db, hub, env, workdir, checks):
    total = db.value("SELECT coalesce(sum(balance), 0) FROM read.ledger_accounts")
    by_kind = db.query(
        "SELECT split_part(account, ':', 1) || ':' || CASE WHEN account LIKE 'external:%' OR account LIKE 'platform:%' "
        "THEN split_part(account, ':', 2) ELSE '*' END, sum(balance), count(*) FROM read.ledger_accounts GROUP BY 1 ORDER BY 1"
    )
    for kind, balance, n in by_kind:
        checks.figure(f"  ledger {kind:<22} {balance:>14} RUB over {n} accounts")
    checks.figure(f"  ledger Σ over all accounts: {total}")
    if float(total) != 0:
        checks.fail(f"the ledger's accounts sum to {total}, not 0")
    topped = db.value("SELECT coalesce(sum((payload -> 'TopUpSettled' -> 'amount' ->> 'amount')::numeric), 0) FROM events WHERE event_type = 'TopUpSettled'")
    withdrawn = db.value("SELECT coalesce(sum((payload -> 'WithdrawalSettled' -> 'amount' ->> 'amount')::numeric), 0) FROM events WHERE event_type = 'WithdrawalSettled'")
    inside = db.value("SELECT coalesce(sum(balance), 0) FROM read.ledger_accounts WHERE account NOT LIKE 'external:%'")
    checks.figure(f"  roubles: topped up {topped}, withdrawn {withdrawn}, inside (wallets, escrow, payouts, fees) {inside}")
    if abs(float(topped) - float(withdrawn) - float(inside)) > 0.001:
        checks.fail(f"wallets + escrow + fees = {inside}, but topped up − withdrawn = {float(topped) - float(withdrawn):.2f}")
    export = os.path.join(workdir, "ledger.jsonl")
    for args in (["ledger", "export", "--format", "jsonl", "-o", export], ["ledger", "verify", export], ["ledger", "rebuild"]):
        out = subprocess.run([hub] + args, env=env, capture_output=True, text=True)
        tail = (out.stdout.strip().splitlines() or [""])[-1]
        checks.figure(f"  hub {' '.join(args[:2])}: exit {out.returncode} {tail}")
        if out.returncode != 0:
            checks.fail(f"hub {' '.join(args)} failed: {out.stdout[-300:]} {first_error(out.stderr)}")


def first_error(stderr):
    """The lines that say what went wrong (a panic's message, an error), not a backtrace."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if "panicked" in line or line.startswith("Error"):
            return " ".join(lines[i:i + 4])
    return stderr[:500]


def check_mail(db, sink, checks, crashes):
    ids = collections.Counter(m["message_id"] for m in sink.mails)
    dups = {k: n for k, n in ids.items() if n > 1}
    sent = db.value("SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL")
    checks.figure(f"  mail: {len(sink.mails)} received by the sink, {len(ids)} distinct Message-IDs, {sent} marked sent")
    # No mail may arrive twice (notifier/src/mailer.rs): one the server may
    # hold is parked as uncertain, never resent.
    checks.figure(f"  duplicates: {sum(dups.values()) - len(dups)}")
    if dups:
        checks.fail(f"{len(dups)} mails delivered more than once, e.g. {list(dups)[:3]}")
    uncertain = {f"<{r[0]}@hub>" for r in db.query(
        "SELECT notification_id FROM mail_outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL "
        "AND last_error LIKE 'uncertain:%'")}
    arrived = len(uncertain & set(ids))
    checks.figure(f"  parked as uncertain after a crash mid-exchange: {len(uncertain)} "
                  f"({arrived} had reached the sink, {len(uncertain) - arrived} had not)")
    if len(uncertain) > 16 * len(crashes):
        checks.fail(f"{len(uncertain)} uncertain mails after {len(crashes)} crashes: more than a batch (16) each")
    if "" in ids:
        checks.fail("mail without a Message-ID")
    marked = {f"<{r[0]}@hub>" for r in db.query("SELECT notification_id FROM mail_outbox WHERE sent_at IS NOT NULL")}
    missing = len(marked - set(ids))
    if missing:
        checks.fail(f"{missing} mails marked sent that the sink never received")


# ---------------------------------------------------------------- main


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--short", action="store_true", help="CI form: about 100 s of load")
    p.add_argument("--seconds", type=int, help="seconds of load (default 100 with --short, else 900)")
    p.add_argument("--restart-services", action="store_true",
                   help="also restart RabbitMQ and PostgreSQL once each (breaks other users of them)")
    p.add_argument("--clients", type=int, default=None)
    p.add_argument("--keep", action="store_true", help="keep the scratch database and logs")
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args()
    seconds = a.seconds or (100 if a.short else 900)
    clients_n = a.clients or (4 if a.short else 6)
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    random.seed(seed)

    hub = os.environ.get("HUB_BIN") or os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "debug", "hub")
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    amqp = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f")
    tag = uuid.uuid4().hex[:10]
    dbname = f"hub_chaos_{tag}"
    db_url = server.rsplit("/", 1)[0] + "/" + dbname
    prefix = f"chaos_{tag}."
    workdir = os.path.join(os.environ.get("CARGO_TARGET_DIR", "/tmp"), "chaos", tag)
    os.makedirs(workdir, exist_ok=True)
    log(f"chaos run {tag} (seed {seed}): {seconds} s of load, {clients_n} clients, "
        f"services restarted: {'yes' if a.restart_services else 'no'}; logs in {workdir}")

    sink = Sink(os.path.join(workdir, "mail.jsonl"))
    ports = {r: free_port() for r in ROLES}
    secret = uuid.uuid4().hex + uuid.uuid4().hex
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    base_env.update({
        "HUB_DATABASE__URL": db_url,
        "HUB_AMQP__URL": amqp,
        "HUB_AMQP__PREFIX": prefix,
        "HUB_AUTH__JWT_SECRET": secret,
        "HUB_PAYMENTS__GATEWAY": "sandbox",
        "HUB_PAYMENTS__WEBHOOK_SECRET": secret,
        "HUB_PAYMENTS__WEBHOOK_URL": f"http://127.0.0.1:{ports['command-api']}/api/v1/payments/webhook",
        "HUB_PAYMENTS__TOP_UP_EXPIRY_SECS": str(TOP_UP_EXPIRY_SECS),
        "HUB_PAYOUTS__BANK": "sandbox",
        "HUB_PAYOUTS__CHECK_AFTER_SECS": "2",
        "HUB_SCHEDULER__LEASE_SECS": "10",
        "HUB_NOTIFIER__MAIL_LEASE_SECS": "10",
        "HUB_SMTP__URL": f"smtp://127.0.0.1:{sink.port}",
        "HUB_LOG_FORMAT": "json",
        "RUST_LOG": os.environ.get("RUST_LOG", "info"),
    })
    roles = {}
    for r in ROLES:
        # Every role also serves /metrics on a listener of its own: any free port.
        env = dict(base_env, HUB_HTTP__ADDR=f"127.0.0.1:{ports[r]}", HUB_METRICS__ADDR="127.0.0.1:0")
        roles[r] = Role(r, hub, env, workdir, ports[r])
    db = Db(db_url)
    checks = Checks()
    stop = threading.Event()
    kills = []
    try:
        out = subprocess.run([hub, "migrate"], env=base_env, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"hub migrate failed: {out.stderr[-2000:]}")
        out = subprocess.run([hub, "admin", "create", "--email", ADMIN_EMAIL, "--role", "admin"],
                             env=dict(base_env, HUB_ADMIN_PASSWORD=PASSWORD), capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"hub admin create failed: {out.stderr[-2000:]}")
        for r in CONSUMERS + [x for x in ROLES if x not in CONSUMERS]:
            roles[r].start()
            if not roles[r].wait_healthy():
                raise RuntimeError(f"{r} did not come up; see {workdir}/{r}.log")
        log("all roles up: " + ", ".join(f"{r} pid {roles[r].proc.pid}" for r in ROLES))

        stats = Stats()
        reads = Stats()
        api = Api(f"http://127.0.0.1:{ports['command-api']}", f"http://127.0.0.1:{ports['read-api']}", stats, reads, stop)
        admin = Account(ADMIN_EMAIL, "admin")
        admin.relogin(api)
        status, answer = api.command(admin, "/api/v1/commands/admin/catalog/service-types", {
            "code": "legal", "name_en": "Legal", "name_ru": "Юридические услуги",
            "one_off_price": ONE_OFF_PRICE, "monthly_price": "4500.00"})
        if status not in (201, 204, 200):
            raise RuntimeError(f"adding the catalog entry: {status} {answer}")
        while db.value("SELECT count(*) FROM read.catalog") == "0":
            time.sleep(0.2)
        providers = [register(api, "provider", i, tag) for i in range(2)]
        clients = [register(api, "client", 100 + i, tag) for i in range(clients_n)]
        log(f"registered {len(providers)} providers and {len(clients)} clients; load starts")

        stats.t0 = reads.t0 = time.time()

        def watchdog():
            # A role that exits by itself (PostgreSQL or RabbitMQ away at its
            # start) is started again, as Kubernetes would; counted.
            while not stop.wait(1):
                for role in roles.values():
                    if not role.down and not role.alive():
                        role.exits.append(time.time() - stats.t0)
                        log(f"{role.name} exited by itself (code {role.proc.returncode}); starting it")
                        role.start()

        threading.Thread(target=watchdog, daemon=True).start()
        load = Load(api, admin, providers, clients, stop)
        threads = load.run()
        plan = chaos_plan(seconds, a.restart_services, not a.short)
        for at, (what, role) in plan:
            delay = stats.t0 + at - time.time()
            if delay > 0:
                time.sleep(delay)
            t = time.time() - stats.t0
            if what == "kill":
                roles[role].down = True
                roles[role].kill9()
                down = random.uniform(1, 4)
                log(f"t={t:5.1f}s kill -9 {role}; restart in {down:.1f} s")
                time.sleep(down)
                roles[role].start()
                roles[role].down = False
                kills.append((t, f"kill -9 {role}, down {down:.1f} s"))
            elif what == "rabbitmq":
                log(f"t={t:5.1f}s restarting RabbitMQ (stop_app/start_app)")
                t0 = time.time()
                restart_rabbitmq()
                kills.append((t, f"RabbitMQ restarted, {time.time() - t0:.1f} s"))
            elif what == "postgres":
                log(f"t={t:5.1f}s restarting PostgreSQL (-m fast)")
                t0 = time.time()
                restart_postgres()
                kills.append((t, f"PostgreSQL restarted, {time.time() - t0:.1f} s"))
        rest = stats.t0 + seconds - time.time()
        if rest > 0:
            time.sleep(rest)
        stop.set()
        log("load stopped; waiting for the callers")
        for th in threads:
            th.join(timeout=90)

        # Every role back up (one may have exited while PostgreSQL or RabbitMQ was away).
        for r in ROLES:
            if not roles[r].alive() or not roles[r].healthy():
                log(f"{r} is down; starting it")
                if not roles[r].alive():
                    roles[r].start()
                roles[r].wait_healthy()
        log("draining")
        # Gives up after 180 s without progress (a long run has much to catch up).
        deadline = time.time() + 180
        stable = 0
        last_reason = None
        while True:
            reason = drained(db, prefix)
            if reason != last_reason:
                deadline = time.time() + 180
            if reason is None:
                stable += 1
                if stable >= 3:
                    break
            else:
                stable = 0
                if reason != last_reason:
                    log(f"  not drained: {reason}")
                last_reason = reason
            if time.time() > deadline:
                checks.fail(f"not drained after 180 s without progress: {reason}")
                break
            time.sleep(2)
            for r in ROLES:
                if not roles[r].alive():
                    log(f"{r} exited; starting it")
                    roles[r].start()

        log("checking")
        events = db.value("SELECT count(*) FROM events")
        checks.figure(f"events committed and checked: {events}")
        gaps = position_gaps(db)
        checks.figure(f"  aggregates some read model missed: {len(gaps)}")
        if gaps:
            checks.fail(f"{len(gaps)} aggregates not fully projected, e.g. {gaps[:3]}")
        check_beliefs(db, load.beliefs, checks)
        check_half_done(db, checks)
        crashes = [stats.t0 + t for t, w in kills if "notifier" in w or "restarted" in w]
        check_mail(db, sink, checks, crashes)
        check_ledger(db, hub, base_env, workdir, checks)

        before = table_digests(db)
        out = subprocess.run([hub, "projections", "rebuild"], env=base_env, capture_output=True, text=True)
        if out.returncode != 0:
            checks.fail(f"hub projections rebuild failed: {first_error(out.stderr)}")
        after = table_digests(db)
        differ = [t for t in before if before[t] != after[t]]
        checks.figure(f"  read models equal to a fresh rebuild: {len(before) - len(differ)} of {len(before)} tables"
                      + (f" (differ: {', '.join(differ)})" if differ else ""))
        if differ:
            checks.fail(f"read models differ from a rebuild: {differ} (before {[before[t] for t in differ]}, after {[after[t] for t in differ]})")

        # Figures.
        print()
        print(f"== chaos run {tag}: {seconds} s of load, seed {seed} ==")
        print("load per 10 s: commands attempted / acknowledged / transient errors (no answer, 5xx, retryable 409);"
              " queries answered / not yet visible (404 before the projection caught up) / errors (no answer, 5xx); what happened")
        end = int(max(list(stats.attempted) + [0])) + 1
        for s in range(0, end, 10):
            window = range(s, s + 10)
            att = sum(stats.attempted[i] for i in window)
            ok = sum(stats.succeeded[i] for i in window)
            err = sum(stats.errors[i] for i in window)
            q_ok = sum(reads.succeeded[i] for i in window)
            q_err = sum(reads.errors[i] for i in window)
            q_lag = sum(reads.attempted[i] for i in window) - q_ok - q_err
            marks = "; ".join(w for t, w in kills if s <= t < s + 10)
            print(f"  {s:4d}-{s + 10:<4d}s {att / 10:6.1f}/s {ok / 10:6.1f}/s ok {err:4d} err | "
                  f"{q_ok / 10:6.1f}/s {q_lag:4d} not yet {q_err:4d} err  {marks}")
        total_att, total_ok = sum(stats.attempted.values()), sum(stats.succeeded.values())
        print(f"  commands: {total_att} attempted, {total_ok} acknowledged, {sum(stats.errors.values())} transient errors;"
              f" queries: {sum(reads.succeeded.values())} answered, {sum(reads.errors.values())} errors, "
              f"{sum(reads.attempted.values()) - sum(reads.succeeded.values()) - sum(reads.errors.values())} not yet visible")
        print(f"kills survived ({len(kills)}):")
        for t, w in kills:
            print(f"  t={t:6.1f}s  {w}")
        for r in ROLES:
            if roles[r].exits:
                print(f"  {r} exited by itself {len(roles[r].exits)} times (restarted), at t=" +
                      ", ".join(f"{t:.0f}s" for t in roles[r].exits))
        print("checks:")
        for f in checks.figures:
            print(f"  {f.strip()}")
        if checks.violations:
            print(f"FAILED: {len(checks.violations)} violations")
            for v in checks.violations:
                print(f"  - {v}")
        else:
            print("OK: no violations")
        if checks.violations and not a.keep:
            a.keep = True
            print(f"kept for a look: database {dbname} (drop it with: psql -c 'DROP DATABASE {dbname} WITH (FORCE)')")
        return 1 if checks.violations else 0
    finally:
        stop.set()
        for r in ROLES:
            roles[r].stop()
        delete_queues(prefix)
        if not a.keep:
            Db(server).query(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)", retries=5)


def delete_queues(prefix):
    """Removes the run's queues (its exchanges stay: rabbitmqctl cannot delete them)."""
    out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name"], capture_output=True, text=True).stdout
    for name in out.split():
        if name.startswith(prefix):
            subprocess.run(["rabbitmqctl", "-q", "delete_queue", name], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
