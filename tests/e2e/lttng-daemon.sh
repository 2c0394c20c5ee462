#!/usr/bin/env bash
# Keep one LTTng session daemon for a series of recordings (a ctest fixture): record.sh starts and
# stops one per run when none is running, and stopping takes ~2 s.
#   tests/e2e/lttng-daemon.sh start STATEFILE   start lttng-sessiond unless one runs; remember
#                                               in STATEFILE whether we did
#   tests/e2e/lttng-daemon.sh stop STATEFILE    stop it (by its pid) only if `start` started it
# Exit 0 also when LTTng is not installed (the recordings then go without it).
set -uo pipefail
cmd=${1:?usage: lttng-daemon.sh start|stop STATEFILE}
state=${2:?usage: lttng-daemon.sh start|stop STATEFILE}
pidfile=/var/run/lttng/lttng-sessiond.pid
case $cmd in
  start)
    mkdir -p "$(dirname "$state")"
    rm -f "$state"
    command -v lttng-sessiond >/dev/null || { echo "no lttng-sessiond: nothing to start"; exit 0; }
    if pgrep -x lttng-sessiond >/dev/null; then echo "lttng-sessiond already running"; exit 0; fi
    lttng-sessiond --daemonize --no-kernel >/dev/null 2>&1 || { echo "lttng-sessiond did not start"; exit 0; }
    for _ in $(seq 1 100); do lttng list >/dev/null 2>&1 && break; sleep 0.05; done
    cat "$pidfile" >"$state"
    echo "started lttng-sessiond (pid $(cat "$state"))" ;;
  stop)
    [ -s "$state" ] || exit 0
    spid=$(cat "$state")
    rm -f "$state"
    kill -TERM "$spid" 2>/dev/null || exit 0
    for _ in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.05; done
    echo "stopped lttng-sessiond (pid $spid)" ;;
  *) echo "usage: lttng-daemon.sh start|stop STATEFILE" >&2; exit 2 ;;
esac
