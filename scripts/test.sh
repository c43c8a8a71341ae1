#!/usr/bin/env bash
# Every test of the workspace against the local PostgreSQL and RabbitMQ, then
# hostile input (schemathesis against a real `hub dev`) and the browser test
# (headless Chromium against a real `hub dev`).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"

cargo test --workspace --locked --all-targets --exclude relay
# The relay tails events below the oldest transaction still running anywhere
# on the server (transaction ids are cluster-wide), and its tests hold
# transactions open on purpose: run them one at a time so they don't stall
# each other.
cargo test -p relay --locked --all-targets -- --test-threads=1
bash tests/schemathesis/run.sh
bash tests/browser/run.sh
