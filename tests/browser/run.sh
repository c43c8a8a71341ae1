#!/usr/bin/env bash
# Browser test: builds the SPA and hub, starts `hub dev` on a fresh database,
# a free port and its own RabbitMQ names, drives it with headless Chromium
# (Debian's chromium through playwright-core), then removes everything it made.
# Screenshots land in $HUB_SHOTS (default target/browser-shots).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/tests/browser"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SHOTS="${HUB_SHOTS:-$TARGET_DIR/browser-shots}"
mkdir -p "$SHOTS"

if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium"
  (apt-get install -y chromium chromium-driver >/dev/null 2>&1) || (apt-get update >/dev/null && apt-get install -y chromium chromium-driver >/dev/null)
fi
[ -d "$HERE/node_modules/playwright-core" ] || npm ci --prefix "$HERE" --no-audit --no-fund --silent

bash scripts/build-web.sh
cargo build -p hub --locked

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ID="e2e_$(date +%s)_$$"
ADMIN_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB_URL="${ADMIN_URL%/*}/hub_$ID"
LOG="$SHOTS/hub-dev.log"

HUB_DATABASE__URL="$DB_URL" HUB_HTTP__ADDR="127.0.0.1:$PORT" HUB_AMQP__PREFIX="$ID." \
  HUB_DEV__EPHEMERAL=1 HUB_WEB__DIST="$ROOT/web/dist" \
  "$TARGET_DIR/debug/hub" dev >"$LOG" 2>&1 &
HUB=$!
cleanup() {
  kill -INT "$HUB" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$HUB" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$HUB" 2>/dev/null || true
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"hub_$ID\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  grep -q "Hub is running" "$LOG" && break
  kill -0 "$HUB" 2>/dev/null || { cat "$LOG"; echo "hub dev exited"; exit 1; }
  sleep 0.5
done
grep -q "Hub is running" "$LOG" || { tail -50 "$LOG"; echo "hub dev did not start"; exit 1; }

NODE_PATH="$HERE/node_modules" node "$HERE/e2e.js" "http://127.0.0.1:$PORT" "$SHOTS"
# The admin console, against the same hub (its own data, made through the API).
NODE_PATH="$HERE/node_modules" node "$HERE/admin.js" "http://127.0.0.1:$PORT" "$SHOTS"
echo "screenshots: $SHOTS"
