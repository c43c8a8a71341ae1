#!/usr/bin/env bash
# deploy/apply-release.sh RENDERED.yaml
# Applies a rendered overlay (deploy/render-release.py, or
# `kubectl kustomize deploy/k8s/overlays/<overlay>`) in the order Hub needs:
#   0. secrets checks that every Secret key the manifests read exists (in
#              the cluster or in the file) before anything is applied;
#   1. infra   namespace, config, policies, PostgreSQL, RabbitMQ, Ingress,
#              backups; waits for PostgreSQL and RabbitMQ;
#   2. migrate deletes the previous hub-migrate Job (a Job's pod template
#              cannot change), applies the new one, waits for it to complete;
#   3. app     the roles' Deployments; waits for every rollout.
# A failed migration stops here: the running version keeps serving.
# Uses the current kubectl context (KUBECONFIG). Needs python3 with PyYAML.
set -euo pipefail

file="${1:?usage: apply-release.sh RENDERED.yaml}"
ns=hub
timeout_secs="${HUB_MIGRATE_TIMEOUT_SECS:-1800}"

step() { printf '\n== %s ==\n' "$*"; }

step "secrets"
# A missing key keeps the pod that reads it from starting
# (CreateContainerConfigError): for PostgreSQL, an outage. Lists key names
# only, never values.
# shellcheck disable=SC2016 # a Go template, not shell
present="$(kubectl -n "$ns" get secrets -o go-template='{{range .items}}{{$n := .metadata.name}}{{range $k, $v := .data}}{{$n}} {{$k}}{{"\n"}}{{end}}{{end}}')"
python3 - "$file" "$present" <<'PY'
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
have = {tuple(line.split(" ", 1)) for line in sys.argv[2].splitlines() if " " in line}
for d in docs:
    if d["kind"] == "Secret":
        for key in list(d.get("data") or {}) + list(d.get("stringData") or {}):
            have.add((d["metadata"]["name"], key))
missing = set()
for d in docs:
    spec = d.get("spec", {})
    if d["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod = spec.get("template", {}).get("spec", {})
    where = f'{d["kind"]}/{d["metadata"]["name"]}'
    for c in pod.get("containers", []) + pod.get("initContainers", []):
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref and not ref.get("optional") and (ref["name"], ref["key"]) not in have:
                missing.add(f'{where}: Secret {ref["name"]} has no key {ref["key"]}')
    for v in pod.get("volumes", []):
        secret = v.get("secret")
        if secret and not secret.get("optional"):
            for item in secret.get("items", []):
                if (secret["secretName"], item["key"]) not in have:
                    missing.add(f'{where}: Secret {secret["secretName"]} has no key {item["key"]}')
for line in sorted(missing):
    print(line, file=sys.stderr)
if missing:
    sys.exit("apply-release: add the missing Secret keys first (docs/operations.md); nothing was applied")
print("every Secret key the manifests read exists")
PY

step "infra"
kubectl apply -f "$file" -l hub/phase=infra
kubectl -n "$ns" rollout status statefulset/postgres --timeout=10m
kubectl -n "$ns" rollout status statefulset/rabbitmq --timeout=15m

step "migrate"
kubectl -n "$ns" delete job hub-migrate --ignore-not-found --wait=true
kubectl apply -f "$file" -l hub/phase=migrate
deadline=$(( $(date +%s) + timeout_secs ))
while :; do
  state="$(kubectl -n "$ns" get job hub-migrate \
    -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')"
  case " $state " in
    *" Complete "*) echo "hub-migrate: complete"; break ;;
    *" Failed "*)
      kubectl -n "$ns" logs job/hub-migrate --tail=100 || true
      echo "hub-migrate failed: nothing else was changed" >&2
      exit 1 ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    kubectl -n "$ns" logs job/hub-migrate --tail=100 || true
    echo "hub-migrate did not finish within ${timeout_secs}s" >&2
    exit 1
  fi
  sleep 5
done
kubectl -n "$ns" logs job/hub-migrate --tail=20 || true

step "app"
kubectl apply -f "$file" -l hub/phase=app
for deployment in $(kubectl -n "$ns" get deployments -l app.kubernetes.io/part-of=hub -o name); do
  kubectl -n "$ns" rollout status "$deployment" --timeout=10m
done
step "done"
kubectl -n "$ns" get deployments,statefulsets -o wide
