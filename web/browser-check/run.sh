#!/usr/bin/env bash
# Drives the built SPA (web/dist) in headless Chromium against a stub of the contract's API
# (stub_api.py): language switch, login error, registration field error, client list with live
# SSE updates, new request, wallet, logout, provider list with SSE + accept, refresh on 401,
# closing documents with a PDF download, the auditor's ledger export and register downloads.
# Needs Debian chromium and npm (installs playwright-core here on first run).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DIST="$(cd "$HERE/.." && pwd)/dist"
[ -f "$DIST/index.html" ] || { echo "run scripts/build-web.sh first" >&2; exit 1; }
[ -d "$HERE/node_modules/playwright-core" ] || npm install --prefix "$HERE" --no-audit --no-fund --silent --no-save playwright-core
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 "$HERE/stub_api.py" "$PORT" "$DIST" &
STUB=$!
trap 'kill $STUB 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$PORT/api/v1/catalog" >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -p "$HERE/shots"
NODE_PATH="$HERE/node_modules" node "$HERE/drive.js" "http://127.0.0.1:$PORT" "$HERE/shots"
