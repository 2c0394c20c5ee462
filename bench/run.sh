#!/usr/bin/env bash
# Reproduces the figures of docs/performance.md. Run from the repository root after a
# RelWithDebInfo build in build/ (scripts/test or scripts/demo makes one):
#   bench/run.sh [quick]
# Prints one line per measurement: what, events, elapsed s, user s, events/s (user), peak RSS.
# Timings are single-threaded (vconform uses one core); peak RSS from /usr/bin/time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vc=$root/build/checker/vconform
gen=$root/build/bench/vconform-gen-trace
spec=$root/specs/vhost-user.spec
tmp=${VC_BENCH_TMP:-/tmp/vconform-bench}
mkdir -p "$tmp"
quick=${1:-}

# report LABEL EVENTS: prints the line for the time(1) record in $tmp/time.txt.
report() {
  read -r el us kb <"$tmp/time.txt"
  awk -v l="$1" -v n="$2" -v e="$el" -v u="$us" -v k="$kb" \
    'BEGIN { printf "%-56s %9d ev %7.2f s %7.2f s user %6.2f M ev/s %8.1f MB peak\n", l, n, e, u, n/u/1e6, k/1024 }'
}
# run LABEL EVENTS TRACE [vconform args]: times vconform alone on a file.
run() {
  local label=$1 events=$2 trace=$3; shift 3
  /usr/bin/time -o "$tmp/time.txt" -f "%e %U %M" "$vc" check "$trace" --spec "$spec" "$@" >/dev/null 2>&1 || true
  report "$label" "$events"
}
# piped LABEL EVENTS "GENERATOR ARGS" [vconform args]: the trace streams in through a pipe;
# only vconform is timed.
piped() {
  local label=$1 events=$2 genargs=$3; shift 3
  "$gen" $genargs 2>/dev/null | { /usr/bin/time -o "$tmp/time.txt" -f "%e %U %M" "$vc" check - --spec "$spec" "$@" >/dev/null 2>&1 || true; }
  report "$label" "$events"
}

# Traces start with the back-end's metadata record (so its sync file applies); older cached ones
# without it are made again.
fresh() { [ -f "$1" ] && head -c 8 "$1" | grep -q '{"meta":'; }
fresh "$tmp/2m.jsonl" || "$gen" --events 2000000 --vrings 15 >"$tmp/2m.jsonl" 2>/dev/null
fresh "$tmp/1m.jsonl" || "$gen" --events 1000000 --vrings 15 >"$tmp/1m.jsonl" 2>/dev/null
n2=$(($(wc -l <"$tmp/2m.jsonl") - 1)); n1=$(($(wc -l <"$tmp/1m.jsonl") - 1))  # less the metadata record
echo "trace 2m.jsonl: $n2 events, $(du -m "$tmp/2m.jsonl" | cut -f1) MB; 1m.jsonl: $n1 events, 16 threads"
run "2M events, vhost-user.spec, --order recorded" "$n2" "$tmp/2m.jsonl" --order recorded
run "2M events, vhost-user.spec, --order both (default)" "$n2" "$tmp/2m.jsonl"
run "1M events/16 threads, --order hb" "$n1" "$tmp/1m.jsonl" --order hb
run "1M events/16 threads, --order both (default)" "$n1" "$tmp/1m.jsonl"
piped "1M request/reply pairs (1M distinct seq), recorded" 2000000 "--events 2000000 --reply-pairs" --order recorded
piped "1M request/reply pairs (1M distinct seq), both" 2000000 "--events 2000000 --reply-pairs"
# Many rules (bench/spec): a generated spec of 4,096 rules checked on 2,000 events; spec loading
# and the check are timed apart (CPU of this process, best of --repeat).
for order in recorded both; do
  "$root/build/bench/spec/vconform_spec_bench" --rules 4096 --events 2000 --order "$order" --repeat 1 "$tmp"
done
[ "$quick" = quick ] && exit 0
# 1 GB and 5 GB traces, streamed through a pipe (nothing on disk).
piped "1 GB trace (7.7M events), --order recorded" 7700000 "--events 7700000" --order recorded
piped "5 GB trace (38.5M events), --order recorded" 38500000 "--events 38500000" --order recorded
piped "1 GB trace (7.7M events), --order both (default)" 7700000 "--events 7700000"
