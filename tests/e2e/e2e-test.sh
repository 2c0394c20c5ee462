#!/usr/bin/env bash
# One end-to-end test: record a run with tests/e2e/record.sh, then assert what the guest saw,
# what the back-end trace holds, and (when the checker is built) vconform's verdict.
#
# Usage: tests/e2e/e2e-test.sh MODE OUTDIR
# Environment: as record.sh, plus VC_VCONFORM (the vconform binary; verdicts are skipped when it
# or specs/vhost-user.spec is missing, unless VC_REQUIRE_VERDICT=1).
set -uo pipefail
mode=${1:?usage: e2e-test.sh MODE OUTDIR}
out=${2:?usage: e2e-test.sh MODE OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
spec=${VC_SPEC:-$root/specs/vhost-user.spec}
more_specs=()  # specs a mode's rule needs besides $spec

# Expected effect of each mode, and the rule vconform must name.
rec_mode=$mode
case $mode in
  clean)                   want_marker=READ-OK;  rule="" ;;
  # 4 KiB: ~64 requests, so EVENT_IDX suppression and re-arming run many times.
  clean-4k)                want_marker=READ-OK;  rule=""; rec_mode=clean; export VC_BYTES=4096 ;;
  # The guest reloads its driver between two reads: vhost stops and starts again.
  clean-reload)            want_marker=READ-OK;  rule=""; rec_mode=clean; export VC_RELOAD=1 ;;
  drop-kick-when-disabled) want_marker=READ-FAIL; rule=vu-kick-handled; export VC_READ_TIMEOUT=${VC_READ_TIMEOUT:-2} ;;
  process-before-enable)   want_marker=READ-OK;  rule=vu-enable ;;
  notify-after-stop)       want_marker=READ-OK;  rule=vu-stop ;;
  # Check-then-act race: the recorded order is usually fine; vconform must *predict* vu-enable.
  process-outside-lock)    want_marker=READ-OK;  rule=vu-enable ;;
  # QEMU waits forever for the SET_MEM_TABLE ack: the guest never gets a device. QEMU is stopped
  # 1 s after the back-end logged the skipped ack (a fixed 5 s cap failed on a loaded machine,
  # where the guest had not reached DRIVER_OK by then).
  skip-reply)              want_marker=NONE;     rule=vu-reply-ack; export VC_QEMU_TIMEOUT=${VC_QEMU_TIMEOUT:-45} VC_QEMU_KILL_AFTER=${VC_QEMU_KILL_AFTER:-1} VC_QEMU_STOP_ON_LOG="fault skip-reply: not acking SET_MEM_TABLE" ;;
  # Faults for rules about data (issue 11): the values are wrong, the order is not. A fault whose
  # rule is not shipped yet would say rule=pending: the trace must show the fault, the verdict is not
  # asserted. The used length is a virtio rule (specs/virtio.spec, checked with $spec).
  used-len-exceeds-writable) want_marker=READ-OK; rule=virtio-2.7.8-used-len; more_specs=(--spec "$root/specs/virtio.spec") ;;
  vring-base-off-by-one)     want_marker=READ-OK; rule=vu-vring-base ;;
  *) echo "e2e-test: unknown mode $mode" >&2; exit 2 ;;
esac

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# process-outside-lock: vconform can only predict vu-enable when the worker's last pass before
# SET_VRING_ENABLE(0) took a buffer after dropping the ring lock (tests/e2e/race-window.py).
# Whether the guest had a buffer pending then depends on the run: a run that missed the window
# must get no vu-enable (a false alarm otherwise), and is recorded again, up to 3 times.
race_window() { python3 "$here/race-window.py" "$1"; }  # tests/e2e/race-window.py says what it checks
attempts=1
[ "$mode" = process-outside-lock ] && attempts=3
for attempt in $(seq "$attempts"); do
  bash "$here/record.sh" "$rec_mode" "$out" || { echo "FAIL: record.sh could not run"; exit 1; }
  [ "$mode" = process-outside-lock ] || break
  race_window "$out/backend.jsonl" && { echo "ok: attempt $attempt: the last pass before the disable popped outside the lock"; break; }
  echo "note: attempt $attempt: the last pass before SET_VRING_ENABLE(0) took no buffer: the race window was missed"
  if [ -n "${VC_VCONFORM:-}" ] && [ -x "${VC_VCONFORM:-}" ] && [ -f "$spec" ]; then
    "$VC_VCONFORM" check "$out/backend.jsonl" --spec "$spec" >"$out/verdict-missed-$attempt.txt" 2>&1
    grep -q -- "violation of vu-enable " "$out/verdict-missed-$attempt.txt" \
      && fail "attempt $attempt missed the race window, yet vconform reports vu-enable: $(head -n5 "$out/verdict-missed-$attempt.txt")" \
      || pass "attempt $attempt: no vu-enable reported on a run that missed the race window"
  fi
done
# shellcheck disable=SC1091
source <(grep -E '^[a-z_]+=[A-Za-z0-9._-]*$' "$out/result.txt" | grep -v '^mode=')
trace=$out/backend.jsonl

[ "$marker" = "$want_marker" ] && pass "guest marker $marker" || fail "guest marker $marker, wanted $want_marker"
if [ "$want_marker" = READ-OK ]; then
  [ "$bytes" = "$wanted" ] && pass "guest read $bytes bytes" || fail "guest read $bytes of $wanted bytes"
fi
[ "$backend_rc" = 0 ] && pass "back-end exit 0" || fail "back-end exit $backend_rc"
[ -s "$trace" ] && pass "trace has $(wc -l <"$trace") events" || fail "empty back-end trace"
grep -q '"name":"vu_disconnect"' "$trace" && pass "trace ends with vu_disconnect" || fail "no vu_disconnect"
grep -q '"name":"vu_error"' "$trace" && fail "trace has vu_error: $(grep '"name":"vu_error"' "$trace" | head -n1)"
[ -s "$out/qemu-trace.log" ] && pass "QEMU trace log recorded" || fail "no QEMU trace log"

line_of() { grep -n "\"name\":\"$1\"" "$trace" | head -n1 | cut -d: -f1; }
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# The values rules about data compare: the used length against the writable length of the chain
# popped just before it (one request in flight), and GET_VRING_BASE against SET_VRING_BASE plus
# the buffers taken in between (mod 2^16). Prints "BAD-LENGTHS BASE-SET POPS BASE-GOT".
data_values() {
  awk '
    /"name":"pop"/ { match($0, /"in_len":[0-9]+/); in_len = substr($0, RSTART + 9, RLENGTH - 9); pops++ }
    /"name":"add_used"/ { match($0, /"len":[0-9]+/); if (substr($0, RSTART + 6, RLENGTH - 6) + 0 > in_len + 0) bad++ }
    /"name":"set_vring_base"/ && !got_seen { match($0, /"base":[0-9]+/); set = substr($0, RSTART + 7, RLENGTH - 7); pops = 0 }
    /"name":"get_vring_base"/ && !got_seen { match($0, /"base":[0-9]+/); got = substr($0, RSTART + 7, RLENGTH - 7); got_seen = 1; taken = pops }
    END { printf "%d %s %d %s\n", bad, set, taken, got }' "$trace"
}
last_line_of() { grep -n "\"name\":\"$1\"" "$trace" | tail -n1 | cut -d: -f1; }
case $mode in
  clean|clean-4k|clean-reload)
    grep -q '"name":"add_used"' "$trace" && pass "buffers were used" || fail "no add_used"
    if [ "$mode" = clean-reload ]; then
      grep -q 'VC-GUEST: first read ok, reloading' "$out/console.log" && pass "guest reloaded its driver" || fail "guest did not reload"
      starts=$(grep -c '"name":"ring_start"' "$trace"); stops=$(grep -c '"name":"ring_stop"' "$trace")
      [ "$starts" -ge 2 ] && [ "$stops" -ge 2 ] && pass "ring started $starts and stopped $stops times" \
        || fail "ring started $starts and stopped $stops times, wanted 2 each"
    fi
    used=$(grep -c '"name":"add_used"' "$trace")
    [ "$((used * 64))" -ge "$wanted" ] && pass "$used buffers of 64 bytes used" || fail "only $used buffers used"
    # Both sides record CLOCK_REALTIME: GET_VRING_BASE (req 11) is seen within 100 ms in both.
    q=$(grep -m1 ':vhost_user_write req:11 ' "$out/qemu-trace.log" | sed -n 's/^[0-9]*@\([0-9]*\.[0-9]*\):.*/\1/p')
    b=$(grep '"name":"vu_recv"' "$trace" | grep -m1 '"req":11,' | sed -n 's/.*"ts":\([0-9]*\),.*/\1/p')
    if [ -n "$q" ] && [ -n "$b" ]; then
      d=$(awk -v q="$q" -v b="$b" 'BEGIN{d=b/1e9-q; if(d<0)d=-d; printf "%.6f", d}')
      awk -v d="$d" 'BEGIN{exit !(d < 0.1)}' && pass "back-end and QEMU clocks line up (GET_VRING_BASE ${d}s apart)" \
        || fail "GET_VRING_BASE ${d}s apart in QEMU's log and the back-end trace"
    else
      fail "GET_VRING_BASE missing from QEMU's log or the back-end trace"
    fi
    read -r bad set taken got < <(data_values)
    [ "$bad" = 0 ] && pass "every used length within its chain's writable length" || fail "$bad used lengths over the writable length"
    [ -n "$got" ] && [ "$got" = "$(( (set + taken) % 65536 ))" ] \
      && pass "GET_VRING_BASE $got = SET_VRING_BASE $set + $taken buffers taken" \
      || fail "GET_VRING_BASE '$got', SET_VRING_BASE '$set' + $taken buffers taken"
    grep -q '"name":"fault_injected"' "$trace" && fail "fault_injected in a clean run" ;;
  used-len-exceeds-writable)
    read -r bad set taken got < <(data_values)
    [ "$bad" = 1 ] && pass "one used length over its chain's writable length" || fail "$bad used lengths over the writable length, wanted 1"
    grep -q '"fault":"used-len-exceeds-writable"' "$trace" && pass "fault_injected recorded" || fail "no fault_injected" ;;
  vring-base-off-by-one)
    read -r bad set taken got < <(data_values)
    [ -n "$got" ] && [ "$got" = "$(( (set + taken + 1) % 65536 ))" ] \
      && pass "GET_VRING_BASE $got = SET_VRING_BASE $set + $taken buffers taken + 1" \
      || fail "GET_VRING_BASE '$got', SET_VRING_BASE '$set' + $taken buffers taken: not off by one"
    [ "$bad" = 0 ] && pass "used lengths within the writable lengths" || fail "$bad used lengths over the writable length" ;;
  drop-kick-when-disabled)
    grep -q '"name":"kick_dropped"' "$trace" && pass "a kick was dropped" || fail "no kick_dropped"
    grep -q '"name":"add_used"' "$trace" && fail "buffers were used despite the dropped kick" ;;
  process-before-enable)
    p=$(line_of pop); e=$(line_of ring_enable)
    [ -n "$p" ] && [ -n "$e" ] && [ "$p" -lt "$e" ] && pass "pop (line $p) before ring_enable (line $e)" \
      || fail "no pop before ring_enable" ;;
  notify-after-stop)
    g=$(line_of get_vring_base); n=$(last_line_of used_notify)
    [ -n "$g" ] && [ -n "$n" ] && [ "$n" -gt "$g" ] && pass "used_notify (line $n) after get_vring_base (line $g)" \
      || fail "no used_notify after get_vring_base" ;;
  process-outside-lock)
    f=$(grep -n '"fault":"process-outside-lock"' "$trace" | head -n1 | cut -d: -f1)
    r=$(grep -n '"name":"ring_release"' "$trace" | awk -F: -v f="$f" '$1 < f' | tail -n1 | cut -d: -f1)
    u=$(grep -n '"name":"add_used"' "$trace" | awk -F: -v f="$f" '$1 > f' | head -n1 | cut -d: -f1)
    [ -n "$f" ] && [ -n "$r" ] && [ -n "$u" ] && pass "add_used (line $u) after ring_release (line $r): processed outside the lock" \
      || fail "no processing outside the ring lock" ;;
  skip-reply)
    seq=$(grep '"name":"vu_recv"' "$trace" | grep '"msg":"SET_MEM_TABLE"' | grep -o '"seq":[0-9]*' | head -n1 | cut -d: -f2)
    if [ -z "$seq" ]; then fail "no SET_MEM_TABLE received"
    elif grep '"name":"vu_reply"' "$trace" | grep -q "\"seq\":$seq}"; then fail "SET_MEM_TABLE (seq $seq) was answered"
    else pass "SET_MEM_TABLE (seq $seq, need_reply) never answered"; fi ;;
esac

# vconform's verdict: clean → exit 0; fault → exit 1 naming the rule.
vc=${VC_VCONFORM:-}
if [ -n "$vc" ] && [ -x "$vc" ] && [ -f "$spec" ]; then
  "$vc" check "$trace" --spec "$spec" "${more_specs[@]}" >"$out/verdict.txt" 2>&1
  vrc=$?
  if [ "$rule" = pending ]; then
    echo "note: vconform exit $vrc; no shipped rule judges this fault's values yet (issue 11), verdict not asserted"
  elif [ -z "$rule" ]; then
    [ "$vrc" = 0 ] && pass "vconform: no violation" || fail "vconform exit $vrc on a clean run: $(head -n5 "$out/verdict.txt")"
  else
    [ "$vrc" = 1 ] && pass "vconform exit 1" || fail "vconform exit $vrc, wanted 1: $(head -n5 "$out/verdict.txt")"
    grep -q -- "$rule" "$out/verdict.txt" && pass "vconform names $rule" || fail "vconform does not name $rule"
  fi
elif [ "${VC_REQUIRE_VERDICT:-0}" = 1 ]; then
  fail "vconform or $spec missing"
else
  echo "note: vconform verdict skipped (checker binary or $spec not available)"
fi

echo "$mode: ${seconds}s, marker $marker, $failures failure(s)"
[ "$failures" = 0 ]
