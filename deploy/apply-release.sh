#!/usr/bin/env bash
# deploy/apply-release.sh RENDERED.yaml
# Applies a rendered overlay (deploy/render-release.py, or
# `kubectl kustomize deploy/k8s/overlays/<overlay>`) in the order Hub needs:
#   1. infra   namespace, config, policies, PostgreSQL, RabbitMQ, Ingress,
#              backups; waits for PostgreSQL and RabbitMQ;
#   2. migrate deletes the previous hub-migrate Job (a Job's pod template
#              cannot change), applies the new one, waits for it to complete;
#   3. app     the roles' Deployments; waits for every rollout.
# A failed migration stops here: the running version keeps serving.
# Uses the current kubectl context (KUBECONFIG).
set -euo pipefail

file="${1:?usage: apply-release.sh RENDERED.yaml}"
ns=hub
timeout_secs="${HUB_MIGRATE_TIMEOUT_SECS:-1800}"

step() { printf '\n== %s ==\n' "$*"; }

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
