#!/usr/bin/env bash
# Boot check of the built SPA (run scripts/build-web.sh first): serves web/dist statically,
# loads it in headless Chromium with no backend, and checks that the wasm app booted and
# rendered the sign-in screen. Leaves a screenshot in web/dist/. Needs nothing but chromium.
# (Headless Chromium does not print page console messages to stderr: browser-check/run.sh
# collects them with Playwright and fails on unexpected ones.)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIST="$ROOT/web/dist"
[ -f "$DIST/index.html" ] || { echo "no $DIST/index.html: run scripts/build-web.sh" >&2; exit 1; }
command -v chromium >/dev/null || { echo "chromium missing: apt-get install -y chromium" >&2; exit 1; }

PORT="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
WORK="$(mktemp -d)"
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$DIST" >"$WORK/http.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break; sleep 0.1; done

chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile-$1" --window-size=1280,800 --virtual-time-budget=8000 \
    "${@:2}" "http://127.0.0.1:$PORT/"
}

chrome dom --dump-dom >"$WORK/dom.html" 2>"$WORK/chromium.log" || true
chrome shot --screenshot="$DIST/smoke-login.png" >/dev/null 2>>"$WORK/shot.log" || true

fail=0
for id in login-email login-password login-submit lang-switch link-register-client link-register-provider; do
  grep -q "data-testid=\"$id\"" "$WORK/dom.html" || { echo "missing data-testid=$id"; fail=1; }
done
echo "screenshot: $DIST/smoke-login.png"
[ "$fail" = 0 ] && echo "smoke: 1 passed, 0 failed" || { echo "smoke: 0 passed, 1 failed"; exit 1; }
