#!/usr/bin/env bash
# README's start command: builds the web app, then runs every role of Hub in
# one process (`hub dev`) against the local PostgreSQL and RabbitMQ, with demo
# data, at http://127.0.0.1:8080/ (HUB_HTTP__ADDR to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
cargo build --release -p hub --locked
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
url="http://${HUB_HTTP__ADDR:-127.0.0.1:8080}/"
( for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "${url}healthz" 2>/dev/null; then
      command -v xdg-open >/dev/null && xdg-open "$url" >/dev/null 2>&1 || true
      break
    fi
    sleep 0.5
  done ) &
exec "$TARGET_DIR/release/hub" dev
