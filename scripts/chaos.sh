#!/usr/bin/env bash
# Chaos run (docs/operations.md, "Chaos run"): every role as its own process
# under load, each killed with SIGKILL at random moments, then drained and
# checked. `--short` is CI's two-minute form; the default runs 15 minutes.
# `--restart-services` also restarts RabbitMQ and PostgreSQL once each: only
# where nobody else uses them (CI runs it last).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"

# The debug binary the tests already built (HUB_BIN overrides).
if [ -z "${HUB_BIN:-}" ]; then
  cargo build -p hub --locked
  export HUB_BIN="$CARGO_TARGET_DIR/debug/hub"
fi
exec python3 scripts/chaos.py "$@"
