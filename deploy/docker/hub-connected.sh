#!/bin/sh
# hub-connected PORT...
# Exits 0 when this pod's network namespace holds an ESTABLISHED TCP
# connection to any of the remote PORTs, 1 otherwise.
#
# The worker roles of `hub` (relay, projections, processes, notifier) serve
# no HTTP, so there is no /healthz to probe. What can be seen from outside is
# whether the role holds the connection its work depends on: the relay keeps
# its PostgreSQL session (the advisory lock, also while it waits as a
# standby); the consumers keep their RabbitMQ connection, and reconnect with
# backoff when it drops. Kubernetes runs this as an exec probe.
set -eu
if [ "$#" -eq 0 ]; then
  echo "usage: hub-connected PORT..." >&2
  exit 2
fi
want=""
for port in "$@"; do
  case "$port" in
    '' | *[!0-9]*) echo "hub-connected: not a port: $port" >&2; exit 2 ;;
  esac
  want="$want $(printf '%04X' "$port")"
done
# /proc/net/tcp{,6}: "sl local_address rem_address st ...", addresses as
# HEX_IP:HEX_PORT, st 01 = ESTABLISHED.
cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v want="$want" '
  BEGIN { n = split(want, ports, " ") }
  $4 == "01" {
    k = split($3, remote, ":")
    for (i = 1; i <= n; i++) if (toupper(remote[k]) == ports[i]) found = 1
  }
  END { exit found ? 0 : 1 }
'
