#!/usr/bin/env bash
# The scaling table of docs/performance.md: the default mode (--order both) on generated traces of
# the back-end with 2 to 32 threads (one socket thread and one worker per ring), with -j 1 and
# -j 2, on one core and on two (taskset). Run from the repository root after a RelWithDebInfo
# build in build/:
#   bench/scaling.sh [EVENTS]          (default 500000 events per trace)
# Prints one Markdown row per run: threads, cores, -j, elapsed s, user+sys s, events/s (elapsed),
# peak RSS MB. The traces are generated once each under $TMPDIR.
set -euo pipefail
events=${1:-500000}
vc=build/checker/vconform
gen=build/bench/vconform-gen-trace
[ -x "$vc" ] && [ -x "$gen" ] || { echo "scaling.sh: build vconform and vconform-gen-trace first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| threads | cores | -j | elapsed s | CPU s | events/s | peak RSS MB |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for vrings in 1 3 7 15 31; do
  trace=$tmp/t$vrings.jsonl
  "$gen" --events "$events" --vrings "$vrings" >"$trace" 2>/dev/null
  for cores in 0 0-1; do
    for j in 1 2; do
      /usr/bin/time -f "%e %U %S %M" -o "$tmp/time.txt" taskset -c "$cores" "$vc" check "$trace" \
        --spec specs/vhost-user.spec -j "$j" >/dev/null 2>&1 || true
      read -r e u s m <"$tmp/time.txt"
      ncores=$([ "$cores" = 0 ] && echo 1 || echo 2)
      awk -v t=$((vrings + 1)) -v c="$ncores" -v j="$j" -v e="$e" -v u="$u" -v s="$s" -v m="$m" -v n="$events" \
        'BEGIN { printf "| %d | %d | %d | %.2f | %.2f | %.0f | %.0f |\n", t, c, j, e, u + s, n / e, m / 1024 }'
    done
  done
done
