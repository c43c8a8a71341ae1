#!/usr/bin/env python3
"""Offline checks on what deploy/ renders (run by deploy/check.sh).

    python3 deploy/tests/test_rendered.py RENDER_DIR

RENDER_DIR holds dev.yaml and prod.yaml (`kubectl kustomize` of each overlay)
and release.yaml (deploy/render-release.py prod with the references in
release-refs.txt). Stdlib + PyYAML. Ends with "N passed, N failed".
"""

import base64
import hashlib
import os
import re
import sys
import traceback
from urllib.parse import urlsplit

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K8S = os.path.join(ROOT, "deploy", "k8s")

# The hub roles (hub/src/main.rs) and what each needs, as read in the code:
# every role serves /healthz and /readyz on HUB_HTTP__ADDR (the workers on
# their own small listener, hub/src/roles.rs serve_health) and /metrics on
# HUB_METRICS__ADDR, a port of its own (serve_metrics); the two APIs also
# serve their routes on HUB_HTTP__ADDR and touch no broker; the four workers
# consume or publish on RabbitMQ.
HTTP_ROLES = ["command-api", "read-api"]
WORKER_ROLES = ["relay", "projections", "processes", "notifier"]
HUB_ROLES = HTTP_ROLES + WORKER_ROLES
SECRETS_BY_ROLE = {
    "command-api": {"HUB_DATABASE__URL", "HUB_AUTH__JWT_SECRET",
                    "HUB_PAYMENTS__WEBHOOK_SECRET", "HUB_PAYMENTS__WEBHOOK_PREVIOUS_SECRET"},
    "read-api": {"HUB_DATABASE__URL", "HUB_AUTH__JWT_SECRET"},
    "relay": {"HUB_DATABASE__URL", "HUB_AMQP__URL"},
    "projections": {"HUB_DATABASE__URL", "HUB_AMQP__URL"},
    "processes": {"HUB_DATABASE__URL", "HUB_AMQP__URL"},
    "notifier": {"HUB_DATABASE__URL", "HUB_AMQP__URL", "HUB_SMTP__URL"},
}
# Least-privilege database logins (DESIGN §9, store/src/roles.rs; created by
# the init scripts in base/infra/postgres.yaml): each hub role reads its own
# HUB_DATABASE__URL from hub-secrets; every role's login is in its own group,
# which may write only that role's tables (store/src/roles.rs GROUPS; the read
# API's only its SSE stream tickets); the owner of the database
# (who alters tables and grants) is for the migration Job and the backup only.
DATABASE_URL_KEYS = {role: f"database-url-{role}" for role in HUB_ROLES}
OWNER_URL_KEY = "database-url-owner"
OWNER_URL_USERS = {"Job/hub-migrate", "CronJob/postgres-backup"}
GROUP_BY_ROLE = {"read-api": "hub_read_rw", "command-api": "hub_command_rw", "relay": "hub_relay_rw",
                 "projections": "hub_projections_rw", "processes": "hub_processes_rw",
                 "notifier": "hub_notifier_rw"}
INITDB = "/docker-entrypoint-initdb.d"


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def pod_templates(docs):
    """(kind/name, pod spec, template labels) of every workload."""
    for d in docs:
        kind, name = d["kind"], d["metadata"]["name"]
        if kind in ("Deployment", "StatefulSet", "Job"):
            t = d["spec"]["template"]
        elif kind == "CronJob":
            t = d["spec"]["jobTemplate"]["spec"]["template"]
        else:
            continue
        yield f"{kind}/{name}", t["spec"], t["metadata"].get("labels", {})


def overlay_images(overlay):
    with open(os.path.join(K8S, "overlays", overlay, "kustomization.yaml"), encoding="utf-8") as f:
        k = yaml.safe_load(f)
    return {i["name"]: f'{i["newName"]}:{i["newTag"]}' for i in k["images"]}


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def secret_refs(spec):
    """(container, variable, Secret, key, optional) of every secretKeyRef in a pod spec."""
    for c in spec.get("containers", []) + spec.get("initContainers", []):
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                yield c["name"], e["name"], ref["name"], ref["key"], bool(ref.get("optional"))


def url_user_password(url):
    u = urlsplit(url)
    return u.username, u.password


def init_scripts(docs):
    """What PostgreSQL's init scripts (ConfigMap postgres-init) create:
    {"scripts": {file: text}, "owner": (login, password variable, database),
     "groups": {NOLOGIN group}, "logins": {login: (group, password variable)}}."""
    scripts = by_kind(docs, "ConfigMap")["postgres-init"]["data"]
    owner = groups = logins = None
    for text in scripts.values():
        created = re.search(r"^CREATE ROLE (\w+) LOGIN PASSWORD :'pw';$", text, re.M)
        if created:
            var = re.search(r"^\\getenv pw (\w+)$", text, re.M).group(1)
            db, to = re.search(r"^ALTER DATABASE (\w+) OWNER TO (\w+);$", text, re.M).groups()
            assert to == created.group(1), f"the database goes to {to}, not to {created.group(1)}"
            owner = (created.group(1), var, db)
        table = re.search(r"^LOGINS='\n(.*?)^'$", text, re.M | re.S)
        if table:
            logins = {}
            for row in table.group(1).splitlines():
                login, group, var = row.split()
                logins[login] = (group, var)
            groups = set(re.search(r"^for group in ([\w ]+); do$", text, re.M).group(1).split())
            # The loops really create them: a NOLOGIN group, a login in its group.
            assert re.search(r'^CREATE ROLE :"role" NOLOGIN;$', text, re.M), "groups are not NOLOGIN"
            assert re.search(r"""^CREATE ROLE :"role" LOGIN PASSWORD :'pw' IN ROLE :"group";$""", text, re.M)
            assert re.search(r"^\\getenv pw :var$", text, re.M)
            assert 'done <<< "$LOGINS"' in text
    assert owner and logins is not None, f"postgres-init: no owner or no logins in {sorted(scripts)}"
    return {"scripts": scripts, "owner": owner, "groups": groups, "logins": logins}


class Checks:
    def __init__(self, render_dir):
        self.dir = render_dir
        self.dev = load(os.path.join(render_dir, "dev.yaml"))
        self.prod = load(os.path.join(render_dir, "prod.yaml"))
        self.release = load(os.path.join(render_dir, "release.yaml"))
        with open(os.path.join(render_dir, "release-refs.txt"), encoding="utf-8") as f:
            self.release_refs = dict(line.strip().split("=", 1) for line in f if line.strip())
        self.overlays = {"dev": self.dev, "prod": self.prod}

    # -- every hub role ----------------------------------------------------

    def test_every_role_has_a_deployment_with_probes_and_resources(self):
        for overlay, docs in self.overlays.items():
            deployments = by_kind(docs, "Deployment")
            for role in HUB_ROLES + ["web"]:
                assert role in deployments, f"{overlay}: no Deployment {role}"
                for c in deployments[role]["spec"]["template"]["spec"]["containers"]:
                    where = f"{overlay}: {role}/{c['name']}"
                    assert c.get("livenessProbe"), f"{where}: no livenessProbe"
                    assert c.get("readinessProbe"), f"{where}: no readinessProbe"
                    res = c.get("resources", {})
                    for part in ("requests", "limits"):
                        for r in ("cpu", "memory"):
                            assert r in res.get(part, {}), f"{where}: no {part}.{r}"

    def test_roles_use_the_overlays_image(self):
        for overlay, docs in self.overlays.items():
            images = overlay_images(overlay)
            deployments = by_kind(docs, "Deployment")
            for role in HUB_ROLES:
                spec = deployments[role]["spec"]["template"]["spec"]
                assert [c["image"] for c in spec["containers"]] == [images["hub"]], (
                    f"{overlay}: {role} runs {[c['image'] for c in spec['containers']]}, "
                    f"not {images['hub']}")
                assert spec["containers"][0]["args"] == [role], f"{overlay}: {role}'s args"
            web = deployments["web"]["spec"]["template"]["spec"]["containers"][0]["image"]
            assert web == images["hub-web"], f"{overlay}: web runs {web}"
            job = by_kind(docs, "Job")["hub-migrate"]["spec"]["template"]["spec"]
            assert job["containers"][0]["image"] == images["hub"], f"{overlay}: migrate image"
            assert job["containers"][0]["args"] == ["migrate"]

    def test_release_render_uses_the_pushed_images(self):
        deployments = by_kind(self.release, "Deployment")
        for role in HUB_ROLES:
            image = deployments[role]["spec"]["template"]["spec"]["containers"][0]["image"]
            assert image == self.release_refs["hub"], f"release: {role} runs {image}"
        web = deployments["web"]["spec"]["template"]["spec"]["containers"][0]["image"]
        assert web == self.release_refs["hub-web"], f"release: web runs {web}"
        job = by_kind(self.release, "Job")["hub-migrate"]
        assert job["spec"]["template"]["spec"]["containers"][0]["image"] == self.release_refs["hub"]

    def test_every_hub_role_probes_healthz_and_readyz_over_http(self):
        for overlay, docs in self.overlays.items():
            config = next(iter(by_kind(docs, "ConfigMap")[n] for n in by_kind(docs, "ConfigMap")
                               if n.startswith("hub-config-")))
            assert config["data"]["HUB_HTTP__ADDR"] == "0.0.0.0:8080", f"{overlay}: HUB_HTTP__ADDR"
            deployments = by_kind(docs, "Deployment")
            for role in HUB_ROLES:
                c = deployments[role]["spec"]["template"]["spec"]["containers"][0]
                where = f"{overlay}: {role}"
                assert c["ports"] == [{"name": "http", "containerPort": 8080},
                                      {"name": "metrics", "containerPort": 9090}], f"{where} ports"
                assert any(s.get("configMapRef", {}).get("name", "").startswith("hub-config")
                           for s in c.get("envFrom", [])), f"{where} does not get HUB_HTTP__ADDR from hub-config"
                assert "HUB_HTTP__ADDR" not in env_of(c), f"{where} overrides HUB_HTTP__ADDR"
                for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"),
                                    ("readinessProbe", "/readyz")):
                    assert c[probe].get("httpGet") == {"path": path, "port": "http"}, f"{where} {probe} {c[probe]}"
                    assert "exec" not in c[probe], f"{where} {probe} runs a command"
            # The workers' timings are the APIs' (one set for every hub role).
            def timings(role):
                c = deployments[role]["spec"]["template"]["spec"]["containers"][0]
                return {p: {k: v for k, v in c[p].items() if k != "httpGet"}
                        for p in ("startupProbe", "readinessProbe", "livenessProbe")}
            for role in HUB_ROLES:
                assert timings(role) == timings("command-api"), f"{overlay}: {role} probe timings {timings(role)}"

    def test_metrics_have_their_own_port_that_only_prometheus_reaches(self):
        for overlay, docs in self.overlays.items():
            config = next(iter(by_kind(docs, "ConfigMap")[n] for n in by_kind(docs, "ConfigMap")
                               if n.startswith("hub-config-")))
            assert config["data"]["HUB_METRICS__ADDR"] == "0.0.0.0:9090", f"{overlay}: HUB_METRICS__ADDR"
            deployments = by_kind(docs, "Deployment")
            for role in HUB_ROLES:
                template = deployments[role]["spec"]["template"]
                where = f"{overlay}: {role}"
                assert template["metadata"]["labels"].get("hub/metrics") == "true", f"{where}: no hub/metrics label"
                ann = template["metadata"].get("annotations", {})
                assert (ann.get("prometheus.io/scrape"), ann.get("prometheus.io/port"), ann.get("prometheus.io/path")) \
                    == ("true", "9090", "/metrics"), f"{where}: scrape annotations {ann}"
                c = template["spec"]["containers"][0]
                assert "HUB_METRICS__ADDR" not in env_of(c), f"{where} overrides HUB_METRICS__ADDR"
            scraped = sorted(n for _, spec, labels in pod_templates(docs) if labels.get("hub/metrics") == "true"
                             for n in [spec["containers"][0]["name"]])
            assert scraped == sorted(HUB_ROLES), f"{overlay}: hub/metrics on {scraped}"
            # Neither a Service nor the Ingress leads to the metrics port.
            for name, svc in by_kind(docs, "Service").items():
                for p in svc["spec"]["ports"]:
                    assert p["targetPort"] != "metrics" and p.get("port") != 9090, f"{overlay}: Service {name} exposes metrics"
            policies = by_kind(docs, "NetworkPolicy")
            ingress_ports = {p["port"] for rule in policies["from-ingress-controller"]["spec"]["ingress"]
                             for p in rule["ports"]}
            assert ingress_ports == {8080}, f"{overlay}: the ingress controller reaches {ingress_ports}"
            scrape = policies["metrics-scrape"]["spec"]
            assert scrape["podSelector"] == {"matchLabels": {"hub/metrics": "true"}}
            assert scrape["policyTypes"] == ["Ingress"]
            assert [p for rule in scrape["ingress"] for p in rule["ports"]] == [{"protocol": "TCP", "port": 9090}]
            for rule in scrape["ingress"]:
                assert all("namespaceSelector" in f for f in rule["from"]), f"{overlay}: metrics-scrape admits {rule}"
            for name, pol in policies.items():
                for rule in pol["spec"].get("ingress", []):
                    if any(p.get("port") == 9090 for p in rule.get("ports", [])):
                        assert name == "metrics-scrape", f"{overlay}: {name} admits traffic to 9090"

    def test_http_roles_drain_before_stopping(self):
        for overlay, docs in self.overlays.items():
            config = next(iter(by_kind(docs, "ConfigMap")[n] for n in by_kind(docs, "ConfigMap")
                               if n.startswith("hub-config-")))
            deployments = by_kind(docs, "Deployment")
            for role in HTTP_ROLES:
                c = deployments[role]["spec"]["template"]["spec"]["containers"][0]
                pre = c["lifecycle"]["preStop"]["exec"]["command"]
                assert pre[0] == "sleep", f"{overlay}: {role} preStop {pre}"
                grace = deployments[role]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
                assert grace > int(pre[1]) + int(config["data"]["HUB_HTTP__REQUEST_TIMEOUT_SECS"])

    def test_roles_get_exactly_the_secrets_they_read(self):
        for overlay, docs in self.overlays.items():
            deployments = by_kind(docs, "Deployment")
            for role, wanted in SECRETS_BY_ROLE.items():
                c = deployments[role]["spec"]["template"]["spec"]["containers"][0]
                got = {n for n, e in env_of(c).items() if "secretKeyRef" in e.get("valueFrom", {})}
                assert got == wanted, f"{overlay}: {role} gets {sorted(got)}, wants {sorted(wanted)}"
                assert all("secretRef" not in s for s in c.get("envFrom", [])), (
                    f"{overlay}: {role} takes a whole Secret")

    def test_secret_keys_exist_in_dev_and_in_the_prod_template(self):
        template = load(os.path.join(K8S, "overlays", "prod", "secrets.example.yaml"))
        sources = {"dev": by_kind(self.dev, "Secret"), "prod template": by_kind(template, "Secret")}
        assert not by_kind(self.prod, "Secret"), "prod must not render a Secret (created out of band)"
        refs = set()
        for _, spec, _ in pod_templates(self.dev):
            for c in spec.get("containers", []) + spec.get("initContainers", []):
                for e in c.get("env", []):
                    ref = e.get("valueFrom", {}).get("secretKeyRef")
                    if ref and not ref.get("optional"):
                        refs.add((ref["name"], ref["key"]))
            for v in spec.get("volumes", []):
                if "secret" in v:
                    for item in v["secret"].get("items", []):
                        refs.add((v["secret"]["secretName"], item["key"]))
        assert refs, "no secret references found"
        for label, secrets in sources.items():
            for name, key in sorted(refs):
                assert name in secrets, f"{label}: no Secret {name}"
                assert key in secrets[name].get("stringData", {}), f"{label}: Secret {name} lacks {key}"

    def test_passwords_agree_in_dev_secrets(self):
        s = by_kind(self.dev, "Secret")
        hub, mq = (s[n]["stringData"] for n in ("hub-secrets", "rabbitmq-credentials"))
        # The database logins' passwords: test_the_init_scripts_create_every_login_the_pods_use.
        assert re.search(r"default_pass = (\S+)", mq["default-user.conf"]).group(1) in hub["HUB_AMQP__URL"]
        for key in ("HUB_AUTH__JWT_SECRET", "HUB_PAYMENTS__WEBHOOK_SECRET"):
            assert len(hub[key].encode()) >= 32, f"{key} shorter than hub accepts"

    # -- database roles ----------------------------------------------------------

    def secret_sources(self):
        template = load(os.path.join(K8S, "overlays", "prod", "secrets.example.yaml"))
        return {"dev": {n: d["stringData"] for n, d in by_kind(self.dev, "Secret").items()},
                "prod template": {n: d["stringData"] for n, d in by_kind(template, "Secret").items()}}

    def test_every_hub_role_reads_its_own_database_url(self):
        assert len(set(DATABASE_URL_KEYS.values()) | {OWNER_URL_KEY}) == len(HUB_ROLES) + 1
        for overlay, docs in self.overlays.items():
            deployments = by_kind(docs, "Deployment")
            for role in HUB_ROLES:
                c = deployments[role]["spec"]["template"]["spec"]["containers"][0]
                ref = env_of(c)["HUB_DATABASE__URL"]["valueFrom"]["secretKeyRef"]
                assert ref == {"name": "hub-secrets", "key": DATABASE_URL_KEYS[role]}, (
                    f"{overlay}: {role} reads HUB_DATABASE__URL from {ref}")
            # The one URL every role and the migration shared is gone.
            for where, spec, _ in pod_templates(docs):
                for _, _, secret, key, _ in secret_refs(spec):
                    assert key != "HUB_DATABASE__URL", f"{overlay}: {where} reads the shared {secret}/{key}"
        for label, secrets in self.secret_sources().items():
            assert "HUB_DATABASE__URL" not in secrets["hub-secrets"], f"{label}: a shared HUB_DATABASE__URL"
            assert "HUB_DB_PASSWORD" not in secrets["postgres-credentials"], f"{label}: the shared login's password"
            users = {key: url_user_password(secrets["hub-secrets"][key])[0]
                     for key in list(DATABASE_URL_KEYS.values()) + [OWNER_URL_KEY]}
            assert len(set(users.values())) == len(users), f"{label}: two URLs share a login: {users}"

    def test_every_role_logs_in_in_its_own_group(self):
        init = init_scripts(self.dev)
        roles_rs = open(os.path.join(ROOT, "store", "src", "roles.rs")).read()
        code_groups = set(re.findall(r'name: "(hub_[a-z_]+_rw)"', roles_rs))
        assert code_groups == set(GROUP_BY_ROLE.values()), code_groups
        assert init["groups"] == code_groups | {"hub_writer", "hub_reader"}, init["groups"]
        owner = init["owner"][0]
        assert owner not in init["logins"], f"the owner {owner} is in a group"
        for label, secrets in self.secret_sources().items():
            for role, key in DATABASE_URL_KEYS.items():
                user = url_user_password(secrets["hub-secrets"][key])[0]
                assert user != owner, f"{label}: {role} logs in as the owner"
                assert user in init["logins"], f"{label}: {role} logs in as {user}, whom no init script creates"
                group = init["logins"][user][0]
                assert group == GROUP_BY_ROLE[role], f"{label}: {role}'s login {user} is in {group}"
            reader = url_user_password(secrets["hub-secrets"][DATABASE_URL_KEYS["read-api"]])[0]
            assert init["logins"][reader][0] == "hub_read_rw", f"{label}: read-api is not in its own group"
        # The read API's group writes its stream tickets and nothing else.
        read_api = re.search(r"pub const READ_API: Group = Group \{(.*?)\n\};", roles_rs, re.S).group(1)
        assert 'inserts: &["stream_tickets"]' in read_api and 'deletes: &["stream_tickets"]' in read_api, read_api
        for field in ("tables", "updates"):
            assert f"{field}: &[]," in read_api, f"read-api's group {field}: {read_api}"
        assert "appends_events: false" in read_api and "read_models: false" in read_api

    def test_only_the_migration_and_the_backup_use_the_owners_url(self):
        for overlay, docs in self.overlays.items():
            owners, superusers = set(), set()
            for where, spec, _ in pod_templates(docs):
                for _, var, secret, key, _ in secret_refs(spec):
                    if key == OWNER_URL_KEY:
                        assert secret == "hub-secrets", f"{overlay}: {where} {secret}/{key}"
                        owners.add(where)
                    if (secret, key) == ("postgres-credentials", "POSTGRES_PASSWORD"):
                        superusers.add(where)
            assert owners == OWNER_URL_USERS, f"{overlay}: the owner's URL is used by {sorted(owners)}"
            assert superusers == {"StatefulSet/postgres"}, f"{overlay}: the superuser's password in {sorted(superusers)}"
            job = by_kind(docs, "Job")["hub-migrate"]["spec"]["template"]["spec"]["containers"][0]
            ref = env_of(job)["HUB_DATABASE__URL"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": "hub-secrets", "key": OWNER_URL_KEY}, f"{overlay}: hub migrate reads {ref}"
            backup = by_kind(docs, "CronJob")["postgres-backup"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            script = backup["containers"][0]["command"][-1]
            for tool in ("pg_dump ", "pg_dumpall "):
                line = next(l for l in script.splitlines() if l.strip().startswith(tool))
                assert '--dbname="$DATABASE_URL"' in line, f"{overlay}: the backup's {tool.strip()}: {line}"
            assert "--no-role-passwords" in script, "a non-superuser dumps the roles only without passwords"
        init = init_scripts(self.dev)
        for label, secrets in self.secret_sources().items():
            user = url_user_password(secrets["hub-secrets"][OWNER_URL_KEY])[0]
            assert user == init["owner"][0], f"{label}: the owner's URL logs in as {user}, not {init['owner'][0]}"

    def test_the_init_scripts_create_every_login_the_pods_use(self):
        for overlay, docs in self.overlays.items():
            init = init_scripts(docs)
            owner, owner_var, database = init["owner"]
            created = {owner: owner_var, **{login: var for login, (_, var) in init["logins"].items()}}
            for name, text in init["scripts"].items():
                assert name.endswith(".sh") and text.startswith("#!/bin/bash\nset -euo pipefail\n"), name
                for line in text.splitlines():
                    if re.match(r"\s*psql ", line):
                        assert "-v ON_ERROR_STOP=1" in line, f"{overlay}: {name}: {line}"
            pg = by_kind(docs, "StatefulSet")["postgres"]["spec"]["template"]["spec"]
            mounts = {m["name"]: m["mountPath"] for m in pg["containers"][0]["volumeMounts"]}
            volume = next(v for v in pg["volumes"] if v.get("configMap", {}).get("name") == "postgres-init")
            assert mounts.get(volume["name"]) == INITDB, f"{overlay}: postgres-init is not at {INITDB}"
            assert volume["configMap"].get("defaultMode", 0o644) & 0o111, f"{overlay}: the init scripts are not executable"
            env = env_of(pg["containers"][0])
            assert env["POSTGRES_DB"]["value"] == database, f"{overlay}: the owner gets {database}, not POSTGRES_DB"
            password_keys = {}
            for login, var in created.items():
                ref = env[var]["valueFrom"]["secretKeyRef"]
                assert ref["name"] == "postgres-credentials" and not ref.get("optional"), f"{overlay}: {var} {ref}"
                password_keys[login] = ref["key"]
            # Every login a pod logs in with is one the scripts create, with the password they give it.
            keys = {key for _, spec, _ in pod_templates(docs) for _, _, secret, key, _ in secret_refs(spec)
                    if secret == "hub-secrets" and key.startswith("database-url-")}
            assert keys == set(DATABASE_URL_KEYS.values()) | {OWNER_URL_KEY}, f"{overlay}: {sorted(keys)}"
            for label, secrets in self.secret_sources().items():
                for key in sorted(keys):
                    url = secrets["hub-secrets"][key]
                    user, password = url_user_password(url)
                    assert user in created, f"{label}: {key} logs in as {user}, whom no init script creates"
                    want = secrets["postgres-credentials"][password_keys[user]]
                    assert password == want, f"{label}: {key}'s password is not {password_keys[user]}"
                    u = urlsplit(url)
                    assert (u.scheme, u.hostname, u.port, u.path) == (
                        "postgres", "postgres.hub.svc.cluster.local", 5432, f"/{database}"), f"{label}: {key}"

    # -- pods, network, availability -------------------------------------------

    def test_pods_meet_the_restricted_pod_security_standard(self):
        for overlay, docs in self.overlays.items():
            ns = by_kind(docs, "Namespace")["hub"]["metadata"]["labels"]
            assert ns["pod-security.kubernetes.io/enforce"] == "restricted"
            for where, spec, _ in pod_templates(docs):
                psc = spec.get("securityContext", {})
                assert psc.get("runAsNonRoot") is True, f"{overlay}: {where} runAsNonRoot"
                assert psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{overlay}: {where} seccomp"
                for c in spec.get("containers", []) + spec.get("initContainers", []):
                    sc = c.get("securityContext", {})
                    assert sc.get("allowPrivilegeEscalation") is False, f"{overlay}: {where}/{c['name']}"
                    assert sc.get("capabilities", {}).get("drop") == ["ALL"], f"{overlay}: {where}/{c['name']}"
                    assert "resources" in c and c["resources"].get("limits"), f"{overlay}: {where}/{c['name']} limits"

    def test_network_labels_follow_what_each_pod_connects_to(self):
        for overlay, docs in self.overlays.items():
            for where, spec, labels in pod_templates(docs):
                envs = {}
                for c in spec.get("containers", []):
                    envs.update(env_of(c))
                uses_db = any(key.startswith("database-url-") for _, _, _, key, _ in secret_refs(spec)) \
                    or envs.get("PGHOST", {}).get("value") == "postgres"
                uses_amqp = "HUB_AMQP__URL" in envs
                assert (labels.get("hub/postgres-client") == "true") == uses_db, f"{overlay}: {where} postgres label"
                assert (labels.get("hub/amqp-client") == "true") == uses_amqp, f"{overlay}: {where} amqp label"
            for role in ("command-api", "read-api"):
                labels = by_kind(docs, "Deployment")[role]["spec"]["template"]["metadata"]["labels"]
                assert "hub/amqp-client" not in labels, f"{overlay}: {role} must not reach RabbitMQ"
            ingress_pods = sorted(d["metadata"]["name"] for d in by_kind(docs, "Deployment").values()
                                  if d["spec"]["template"]["metadata"]["labels"].get("hub/ingress") == "true")
            assert ingress_pods == ["command-api", "read-api", "web"], f"{overlay}: ingress reaches {ingress_pods}"
            policies = by_kind(docs, "NetworkPolicy")
            deny = policies["default-deny"]["spec"]
            assert deny["podSelector"] == {} and sorted(deny["policyTypes"]) == ["Egress", "Ingress"]

    def test_services_and_ingress_point_at_real_pods_and_ports(self):
        for overlay, docs in self.overlays.items():
            services = by_kind(docs, "Service")
            templates = [(labels, spec) for _, spec, labels in pod_templates(docs)]
            for name, svc in services.items():
                sel = svc["spec"]["selector"]
                matches = [spec for labels, spec in templates if all(labels.get(k) == v for k, v in sel.items())]
                assert matches, f"{overlay}: Service {name} selects no pod"
                ports = {p["name"] for spec in matches for c in spec["containers"] for p in c.get("ports", [])}
                for p in svc["spec"]["ports"]:
                    assert p["targetPort"] in ports, f"{overlay}: Service {name} targets {p['targetPort']}"
            for ing in by_kind(docs, "Ingress").values():
                assert ing["spec"]["ingressClassName"] == "nginx"
                for rule in ing["spec"]["rules"]:
                    for path in rule["http"]["paths"]:
                        b = path["backend"]["service"]
                        assert b["name"] in services, f"{overlay}: Ingress to unknown {b['name']}"
                        assert b["port"]["name"] in {p["name"] for p in services[b["name"]]["spec"]["ports"]}

    def test_ingress_routes_design_prefixes(self):
        for overlay, docs in self.overlays.items():
            routes = {}
            for ing in by_kind(docs, "Ingress").values():
                for rule in ing["spec"]["rules"]:
                    for p in rule["http"]["paths"]:
                        routes[(p["path"], p["pathType"])] = (ing["metadata"]["name"], p["backend"]["service"]["name"])
            want = {
                ("/api/v1/auth", "Prefix"): "command-api",
                ("/api/v1/commands", "Prefix"): "command-api",
                ("/api/v1/payments", "Prefix"): "command-api",
                ("/api/v1/docs", "Exact"): "command-api",
                ("/api/v1/openapi.json", "Exact"): "command-api",
                ("/api/v1", "Prefix"): "read-api",
                ("/api/v1/events/stream", "Exact"): "read-api",
                ("/", "Prefix"): "web",
            }
            assert {k: v[1] for k, v in routes.items()} == want, f"{overlay}: {routes}"
            stream = by_kind(docs, "Ingress")[routes[("/api/v1/events/stream", "Exact")][0]]
            ann = stream["metadata"]["annotations"]
            assert ann["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
            assert int(ann["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
            main = by_kind(docs, "Ingress")["hub"]["metadata"]["annotations"]
            assert "cert-manager.io/cluster-issuer" in main
            hosts = {r["host"] for i in by_kind(docs, "Ingress").values() for r in i["spec"]["rules"]}
            tls = {h for i in by_kind(docs, "Ingress").values() for t in i["spec"]["tls"] for h in t["hosts"]}
            assert len(hosts) == 1 and hosts == tls, f"{overlay}: hosts {hosts}, tls {tls}"

    def test_every_deployment_has_a_disruption_budget(self):
        for overlay, docs in self.overlays.items():
            pdbs = [p["spec"]["selector"]["matchLabels"] for p in by_kind(docs, "PodDisruptionBudget").values()]
            for name, d in list(by_kind(docs, "Deployment").items()) + [("rabbitmq", by_kind(docs, "StatefulSet")["rabbitmq"])]:
                if name == "mailpit":
                    continue
                labels = d["spec"]["template"]["metadata"]["labels"]
                assert any(all(labels.get(k) == v for k, v in sel.items()) for sel in pdbs), f"{overlay}: no PDB for {name}"

    def test_prod_spreads_over_three_nodes(self):
        deployments = by_kind(self.prod, "Deployment")
        for role in HUB_ROLES + ["web"]:
            assert deployments[role]["spec"]["replicas"] >= 2, f"prod: {role} replicas"
        for name in ("command-api", "read-api", "web"):
            aff = deployments[name]["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
            assert "requiredDuringSchedulingIgnoredDuringExecution" in aff, f"prod: {name} anti-affinity"
            assert deployments[name]["spec"]["replicas"] <= 2, f"prod: {name}: required anti-affinity on 3 nodes needs room to surge"
        mq = by_kind(self.prod, "StatefulSet")["rabbitmq"]
        assert mq["spec"]["replicas"] == 3
        assert "requiredDuringSchedulingIgnoredDuringExecution" in mq["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
        for role in HUB_ROLES:
            aff = by_kind(self.dev, "Deployment")[role]["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
            assert "preferredDuringSchedulingIgnoredDuringExecution" in aff, f"dev: {role} anti-affinity"

    def test_dev_runs_one_of_everything_and_mails_to_mailpit(self):
        for name, d in by_kind(self.dev, "Deployment").items():
            assert d["spec"].get("replicas", 1) == 1, f"dev: {name} replicas"
        assert by_kind(self.dev, "StatefulSet")["rabbitmq"]["spec"]["replicas"] == 1
        smtp = by_kind(self.dev, "Secret")["hub-secrets"]["stringData"]["HUB_SMTP__URL"]
        assert smtp.startswith("smtp://mailpit."), smtp
        assert "mailpit" in by_kind(self.dev, "Service")

    # -- settings and images ---------------------------------------------------

    def test_config_names_are_readme_settings(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        known = set(re.findall(r"^\| `([A-Z_]+)`", readme, re.M))
        assert "HUB_AMQP__QUEUE_TYPE" in known, "README's Settings table not found"
        secret_keys = set().union(*SECRETS_BY_ROLE.values())
        for overlay, docs in self.overlays.items():
            config = [c for n, c in by_kind(docs, "ConfigMap").items() if n.startswith("hub-config-")]
            assert len(config) == 1
            data = config[0]["data"]
            unknown = sorted(set(data) - known)
            assert not unknown, f"{overlay}: not in README's Settings: {unknown}"
            assert not set(data) & secret_keys, f"{overlay}: secrets in the ConfigMap"
            assert data["HUB_AMQP__QUEUE_TYPE"] == "quorum"
            assert data["HUB_CLOCK__DEV"] == "false"
            assert data["HUB_PUBLIC_URL"].startswith("https://")
        for key in secret_keys:
            assert key in known, f"{key} not in README's Settings"

    def test_dockerfiles_use_the_pinned_toolchain(self):
        with open(os.path.join(ROOT, "rust-toolchain.toml"), encoding="utf-8") as f:
            channel = re.search(r'^channel = "([^"]+)"', f.read(), re.M).group(1)
        for path in ("Dockerfile", "web/Dockerfile"):
            with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                froms = re.findall(r"^FROM (\S+)", f.read(), re.M)
            rust = [i for i in froms if i.startswith("rust:")]
            assert rust and all(i.startswith(f"rust:{channel}-") for i in rust), f"{path}: {rust} vs {channel}"
            assert all(":" in i or i in ("chef", "planner", "builder") for i in froms), f"{path}: unpinned {froms}"

    def test_nginx_csp_allows_index_html_inline_script(self):
        with open(os.path.join(ROOT, "scripts", "build-web.sh"), encoding="utf-8") as f:
            script = f.read()
        html = re.search(r"<<'HTML'\n(.*?)\nHTML\n", script, re.S).group(1)
        inline = re.findall(r'<script type="module">(.*?)</script>', html, re.S)
        assert len(inline) == 1, "index.html should have one inline module script"
        digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
        with open(os.path.join(ROOT, "web", "nginx.conf"), encoding="utf-8") as f:
            conf = f.read()
        csp = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', conf).group(1)
        script_src = re.search(r"script-src ([^;]+)", csp).group(1).split()
        assert f"'sha256-{digest}'" in script_src, (
            f"web/nginx.conf's CSP lacks index.html's script hash 'sha256-{digest}'")
        assert "'wasm-unsafe-eval'" in script_src and "'unsafe-eval'" not in script_src
        assert "'unsafe-inline'" not in csp
        for part in ("default-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"):
            assert part in csp, part
        for header in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Strict-Transport-Security"):
            assert f"add_header {header} " in conf, header
        assert "try_files $uri /index.html;" in conf


def main(argv):
    checks = Checks(argv[1])
    names = sorted(n for n in dir(checks) if n.startswith("test_"))
    passed = failed = 0
    for name in names:
        try:
            getattr(checks, name)()
        except Exception:  # noqa: BLE001 - report every failure, then the count
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc(limit=1, file=sys.stdout)
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
