"""Fake Hub API + SPA fallback, for driving the web app in a browser without the backend."""
import json, os, sys, time, threading
from urllib.parse import parse_qs, urlsplit
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler

DIST = sys.argv[2]
RUB = lambda a: {"amount": a, "currency": "RUB"}
CATALOG = {"items": [
  {"code": "legal", "name_en": "Legal", "name_ru": "Юридические услуги", "one_off_price": RUB("1500.00"), "monthly_price": RUB("10000.00")},
  {"code": "accounting", "name_en": "Accounting", "name_ru": "Бухгалтерия", "one_off_price": RUB("2000.00"), "monthly_price": RUB("12000.00")},
]}
def sub(i, status="requested", desc="Проверить договор поставки"):
    return {"id": f"s{i}", "client_id": "c1", "provider_id": None, "service_type": "legal", "plan": "one_off",
            "description": desc, "status": status, "price": RUB("1500.00"), "escrow": RUB("0.00"),
            "created_at": "2026-11-01T10:00:00Z", "acceptance_deadline": None, "updated_at": "2026-11-01T10:00:00Z"}
def party(i, name, inn): return {"account_id": f"a{i}", "company_name": name, "inn": inn}
def document(n, period_start, period_end):
    return {"document_id": f"d{n}", "number": f"2026-00000{n}", "date": period_end, "subscription_id": "s1",
            "service_type": "legal", "plan": "one_off", "period_start": period_start, "period_end": period_end,
            "amount": RUB("1500.00"), "fee": RUB("150.00"),
            "client": party(1, "ООО Ромашка", "7707083893"), "provider": party(2, "Юридическое бюро «Право»", "7802000022")}
DOCUMENTS = [document(2, "2026-11-06", "2026-12-06"), document(1, "2026-10-06", "2026-11-06")]
HEAD_HASH = "ab" * 32
LEDGER_CSV = ("\ufeffseq,recorded_at,transfer_id,account,amount,currency,balance_after,prev_hash,hash\r\n"
              "1,2026-11-01T10:00:00Z,t1,external:bank,-25000.00,RUB,-25000.00," + "00" * 32 + "," + HEAD_HASH + "\r\n")
REFRESHED = {"n": 0}
# The money screens: the keys seen per command, the sandbox payment, the payouts.
# Stream tickets issued and not yet spent.
TICKETS = {"n": 0, "open": set()}
MONEY = {"keys": [], "payment": "pending", "polls": 0, "payouts": [], "withdrawals": 0, "cancelled": False}
def monthly():
    s = sub(2, "past_due", "Ежемесячное бухгалтерское сопровождение")
    s.update({"plan": "monthly", "provider_id": "p1", "escrow": RUB("10000.00"),
              "period_start": "2026-11-01T10:00:00Z", "period_end": "2026-12-01T10:00:00Z",
              "next_charge_at": "2026-12-01T10:00:00Z", "next_charge": RUB("10000.00"),
              "cancellation_scheduled": False, "cancel_effective_at": None})
    if MONEY["cancelled"]:
        s.update({"status": "active", "next_charge_at": None, "next_charge": None,
                  "cancellation_scheduled": True, "cancel_effective_at": "2026-12-01T10:00:00Z"})
    return s

class H(SimpleHTTPRequestHandler):
    def __init__(self, *a, **k): super().__init__(*a, directory=DIST, **k)
    def log_message(self, *a): pass
    def j(self, code, body, ctype="application/json"):
        data = json.dumps(body).encode()
        self.send_response(code); self.send_header("Content-Type", ctype); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def file(self, ctype, disposition, data):
        self.send_response(200); self.send_header("Content-Type", ctype); self.send_header("Content-Disposition", disposition)
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def problem(self, code, detail, errors=None):
        self.j(code, {"type": "about:blank", "title": "Error", "status": code, "detail": detail, "errors": errors or [], "request_id": "r1"}, "application/problem+json")
    def body(self):
        n = int(self.headers.get("Content-Length") or 0); return json.loads(self.rfile.read(n) or b"{}")
    def authed(self):
        a = self.headers.get("Authorization", "")
        if a == "Bearer expired":
            self.problem(401, "expired"); return False
        return True
    def tokens(self, role, access="tok", email="a@b.c"):
        return {"access_token": access, "refresh_token": "ref", "expires_in": 900, "account_id": "a1", "role": role, "email": email}
    def cookie(self):
        for part in (self.headers.get("Cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "hub_refresh" and "~" in value: return value.split("~", 1)
        return None
    def j_cookie(self, code, body, value, max_age):
        # As the server does: the refresh token only in an HttpOnly cookie the app cannot read.
        data = json.dumps(body).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(data)))
        self.send_header("Set-Cookie", f"hub_refresh={value}; HttpOnly; Secure; SameSite=Strict; Path=/api/v1/auth; Max-Age={max_age}")
        self.end_headers(); self.wfile.write(data)
    def do_POST(self):
        p = self.path
        if p == "/api/v1/events/tickets":
            # One-time tickets for the event stream, as read-api issues them.
            if not self.authed(): return
            TICKETS["n"] += 1
            t = f"ticket-{TICKETS['n']}"
            TICKETS["open"].add(t)
            return self.j(201, {"ticket": t, "expires_at": "2099-01-01T00:00:00Z"})
        if p == "/api/v1/auth/login":
            b = self.body()
            if b.get("password") == "wrong": return self.problem(401, "Wrong email or password")
            email = b.get("email", "")
            role = ("provider" if email.startswith("prov") else "admin" if email.startswith("admin")
                    else "auditor" if email.startswith("aud") else "client")
            access = "expired" if b.get("email", "").startswith("exp") else "tok"
            return self.j_cookie(200, self.tokens(role, access, email), f"{role}~{email}", 3600)
        if p == "/api/v1/auth/refresh":
            signed_in = self.cookie()
            if not signed_in: return self.problem(401, "no refresh token")
            REFRESHED["n"] += 1
            role, email = signed_in
            return self.j_cookie(200, self.tokens(role, "tok", email), f"{role}~{email}", 3600)
        if p.startswith("/api/v1/auth/register/"):
            b = self.body()
            if len(b.get("company", {}).get("inn", "")) not in (10, 12):
                return self.problem(422, "Validation failed", [{"field": "company.inn", "message": "ИНН должен содержать 10 или 12 цифр"}])
            return self.j(201, {"account_id": "a1"})
        if p == "/api/v1/auth/logout":
            self.send_response(204); self.send_header("Set-Cookie", "hub_refresh=; HttpOnly; Secure; SameSite=Strict; Path=/api/v1/auth; Max-Age=0"); self.end_headers(); return
        if not self.authed(): return
        if p == "/api/v1/commands/subscriptions":
            if not self.headers.get("Idempotency-Key"): return self.problem(400, "Idempotency-Key required", [{"field": "Idempotency-Key", "message": "required"}])
            MONEY["keys"].append(self.headers.get("Idempotency-Key"))
            b = self.body()
            if not b.get("description"): return self.problem(422, "Validation failed", [{"field": "description", "message": "must not be empty"}])
            return self.j(201, {"id": "s9"})
        if p.endswith("/accept") or p.endswith("/reject"): self.send_response(204); self.end_headers(); return
        if p in ("/api/v1/commands/wallet/top-ups", "/api/v1/commands/wallet/withdrawals") or p.endswith("/cancel"):
            key = self.headers.get("Idempotency-Key")
            if not key: return self.problem(400, "Idempotency-Key required", [{"field": "Idempotency-Key", "message": "required"}])
            MONEY["keys"].append(key)
        if p == "/api/v1/commands/wallet/top-ups":
            return self.j(201, {"transfer_id": "t9", "payment_id": "p1", "payment_url": "/pay/p1"})
        if p == "/api/v1/commands/wallet/withdrawals":
            b = self.body()
            # A valid-looking account the (stub) server refuses: the error goes beside the field.
            if b["bank"]["account"] == "40702810238720001420":
                return self.problem(422, "Validation failed", [{"field": "bank.account", "message": "счёт закрыт"}])
            MONEY["payouts"].insert(0, {"transfer_id": "w1", "amount": RUB(b["amount"]), "status": "requested", "reason": None,
                                        "bik": b["bank"]["bik"], "account": b["bank"]["account"][:5] + "••••" + b["bank"]["account"][-4:],
                                        "requested_at": "2026-11-02T10:00:00Z"})
            return self.j(201, {"transfer_id": "w1"})
        if p == "/api/v1/commands/subscriptions/s2/cancel":
            MONEY["cancelled"] = True; self.send_response(204); self.end_headers(); return
        if p.startswith("/api/v1/payments/sandbox/p1/"):
            MONEY["payment"] = "approving" if p.endswith("/approve") else "declining"
            self.send_response(202); self.end_headers(); return
        self.problem(404, "no such endpoint")
    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/api/v1/catalog": return self.j(200, CATALOG)
        if p == "/api/v1/events/stream":
            q = parse_qs(urlsplit(self.path).query)
            if "access_token" in q: return self.problem(401, "tokens are not taken from the URL")
            t = (q.get("ticket") or [""])[0]
            if t not in TICKETS["open"]: return self.problem(401, "the ticket is unknown, spent or expired")
            TICKETS["open"].discard(t)
            self.send_response(200); self.send_header("Content-Type", "text/event-stream"); self.send_header("Cache-Control", "no-cache"); self.end_headers()
            try:
                self.wfile.write(b": hello\n\n"); self.wfile.flush(); time.sleep(1.5)
                self.wfile.write(("event: subscription\ndata: " + json.dumps(sub(7, desc="Новая заявка из потока")) + "\n\n").encode()); self.wfile.flush()
                time.sleep(1.0)
                self.wfile.write(("event: subscription\ndata: " + json.dumps(sub(1, status="active")) + "\n\n").encode()); self.wfile.flush()
                while True: time.sleep(15); self.wfile.write(b": keep-alive\n\n"); self.wfile.flush()
            except Exception: return
        if p.startswith("/api/"):
            if not self.authed(): return
        if p == "/api/v1/subscriptions": return self.j(200, {"items": [sub(1), sub(2, "active", "Ежемесячное бухгалтерское сопровождение")], "next_cursor": None})
        if p == "/api/v1/requests/available": return self.j(200, {"items": [sub(1), sub(2)], "next_cursor": None})
        if p == "/api/v1/wallet": return self.j(200, {"available": RUB("25000.00"), "in_escrow": RUB("3000.00"), "in_payout": RUB("1500.00"), "earnings": None})
        if p == "/api/v1/wallet/history": return self.j(200, {"items": [{"sequence": 2, "kind": "top_up", "amount": RUB("25000.00"), "balance_after": RUB("25000.00"), "transfer_id": "t1", "subscription_id": None, "reason": None, "occurred_at": "2026-11-01T10:00:00Z"}], "next_cursor": None})
        if p == "/api/v1/wallet/payouts": return self.j(200, {"items": MONEY["payouts"], "next_cursor": None})
        if p == "/api/v1/payments/sandbox/p1":
            # Settles (or fails) on the second look after the decision, as a gateway would.
            if MONEY["payment"] in ("approving", "declining"):
                MONEY["polls"] += 1
                if MONEY["polls"] >= 2: MONEY["payment"] = "settled" if MONEY["payment"] == "approving" else "failed"
            status = MONEY["payment"] if MONEY["payment"] in ("pending", "settled", "failed") else "pending"
            return self.j(200, {"payment_id": "p1", "transfer_id": "t9", "amount": RUB("1000.00"), "status": status})
        if p == "/api/v1/admin/complaints": return self.j(200, {"items": [], "next_cursor": None})
        if p.startswith("/api/v1/subscriptions/") and p.endswith("/orders"): return self.j(200, {"items": [], "next_cursor": None})
        if p == "/api/v1/notifications/unread": return self.j(200, {"unread": 0})
        if p == "/api/v1/notifications": return self.j(200, {"items": [], "next_cursor": None})
        if p == "/api/v1/me": return self.j(200, {"account_id": "a1", "role": "client", "email": "x", "company": None, "service_types": []})
        if p == "/api/v1/_refreshed": return self.j(200, REFRESHED)
        if p == "/api/v1/_money": return self.j(200, MONEY["keys"])
        if p == "/api/v1/subscriptions/s2": return self.j(200, monthly())
        if p == "/api/v1/ledger/head":
            return self.j(200, {"entries": 1, "head_hash": HEAD_HASH, "sum": RUB("0.00"), "balanced": True, "negative_accounts": 0})
        q = parse_qs(urlsplit(self.path).query)
        if p == "/api/v1/ledger/export":
            if q.get("account", [""])[0] == "bad":
                return self.problem(400, "Invalid query", [{"field": "account", "message": "unknown ledger account"}])
            if q.get("format", ["csv"])[0] == "jsonl":
                return self.file("application/x-ndjson", 'attachment; filename="ledger.jsonl"', b'{"seq":1}\n')
            return self.file("text/csv; charset=utf-8", 'attachment; filename="ledger-2026-12-06.csv"', LEDGER_CSV.encode())
        if p == "/api/v1/documents": return self.j(200, {"items": DOCUMENTS, "next_cursor": None})
        if p == "/api/v1/documents/d2/pdf":
            return self.file("application/pdf", "attachment; filename=\"act.pdf\"; filename*=UTF-8''%D0%B0%D0%BA%D1%82-2026-000002.pdf", b"%PDF-1.4\n%stub\n")
        if p == "/api/v1/documents/register":
            return self.file("text/csv; charset=utf-8", 'attachment; filename="register.csv"', "\ufeffnumber,date\r\n".encode())
        if p.startswith("/api/"): return self.problem(404, "no such endpoint")
        if not os.path.isfile(os.path.join(DIST, p.lstrip("/"))): self.path = "/index.html"
        return super().do_GET()

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
