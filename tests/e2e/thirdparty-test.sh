#!/usr/bin/env bash
# One end-to-end test of a third-party back-end: record a run with tests/e2e/record-thirdparty.sh,
# check what the guest saw and what the two logs hold (the premises vconform's maps and sync files
# rely on), then vconform's verdict on the logs as a new user would run it.
#
# Usage: tests/e2e/thirdparty-test.sh BACKEND MODE OUTDIR
# Environment: as record-thirdparty.sh, plus VC_VCONFORM (the vconform binary; the verdict is
# skipped when it is missing, unless VC_REQUIRE_VERDICT=1).
set -uo pipefail
backend=${1:?usage: thirdparty-test.sh BACKEND MODE OUTDIR}
mode=${2:?usage: thirdparty-test.sh BACKEND MODE OUTDIR}
out=${3:?usage: thirdparty-test.sh BACKEND MODE OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

bash "$here/record-thirdparty.sh" "$backend" "$mode" "$out"
rc=$?
if [ "$rc" = 2 ]; then echo "FAIL: record-thirdparty.sh could not set up the run"; exit 1; fi
[ "$rc" = 0 ] || { echo "FAIL: record-thirdparty.sh exit $rc"; exit 1; }
# shellcheck disable=SC1091
source <(grep -E '^(marker|seconds|qemu_rc|backend_rc)=[A-Za-z0-9._-]*$' "$out/result.txt")
qlog=$out/qemu-trace.log
work=$(mktemp -d /tmp/vc-3p-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
blog=$out/$backend.log

[ "$marker" = OK ] && pass "guest marker OK" || fail "guest marker $marker: $(grep VC-GUEST "$out/console.log" | tr '\n' ' ')"
[ "$backend_rc" = 0 ] && pass "$backend exit 0" || fail "$backend exit $backend_rc"
[ -s "$qlog" ] && pass "QEMU trace log: $(wc -l <"$qlog") lines" || fail "no QEMU trace log"
[ -s "$blog" ] && pass "$backend log: $(wc -l <"$blog") lines" || fail "no $backend log"

# QEMU's writes in order, as request numbers (the FIFO the sync files pair).
grep -o 'vhost_user_write req:[0-9]*' "$qlog" | sed 's/.*req://' >"$work/qemu-writes.txt"
writes=$(wc -l <"$work/qemu-writes.txt")
starts=$(grep -c 'vhost_dev_start' "$qlog")
rounds=1
[ "$mode" = reload ] && rounds=2
[ "$starts" = "$rounds" ] && pass "QEMU started vhost $starts time(s)" || fail "QEMU started vhost $starts time(s), wanted $rounds"

case $backend in
  virtiofsd)
    # Every message QEMU writes is one "Got VU event" of virtiofsd's main loop (one vu_dispatch).
    events=$(grep -c 'virtio_loop: Got VU event' "$blog")
    [ "$events" = "$writes" ] && pass "$writes QEMU writes, $events virtiofsd VU events" \
      || fail "$writes QEMU writes but $events virtiofsd VU events"
    # The main thread's id changes when virtiofsd enters its sandbox (a new pid namespace).
    first=$(sed -n 's/.*\[ID: \([0-9]*\)\] virtio_session_mount.*/\1/p' "$blog" | head -n1)
    loop=$(sed -n 's/.*\[ID: \([0-9]*\)\] virtio_loop: Entry.*/\1/p' "$blog" | head -n1)
    if [ "${VC_VIRTIOFSD_SANDBOX:-namespace}" = namespace ]; then
      [ -n "$first" ] && [ "$loop" = 00000001 ] && [ "$first" != "$loop" ] \
        && pass "main thread $first before the sandbox, $loop after" || fail "main thread ids '$first' / '$loop'"
    fi
    started=$(grep -c 'fv_queue_set_started: qidx=[0-9]* started=1' "$blog")
    [ "$started" = $((2 * rounds)) ] && pass "$started queue starts" || fail "$started queue starts, wanted $((2 * rounds))"
    grep -q 'opcode: WRITE' "$blog" && pass "FUSE WRITE served" || fail "no FUSE WRITE in the log"
    # Both logs are wall clock: GET_VRING_BASE (req 11) and virtiofsd's queue stop within 100 ms.
    q=$(grep -m1 ':vhost_user_write req:11 ' "$qlog" | sed -n 's/^[0-9]*@\([0-9]*\.[0-9]*\):.*/\1/p')
    b=$(grep -m1 'started=0' "$blog" | sed -n 's/^\[\([^]]*\)\].*/\1/p')
    if [ -n "$q" ] && [ -n "$b" ]; then
      bs=$(date -d "$b" +%s.%N 2>/dev/null)
      d=$(awk -v q="$q" -v b="$bs" 'BEGIN{d=b-q; if(d<0)d=-d; printf "%.6f", d}')
      awk -v d="$d" 'BEGIN{exit !(d < 0.1)}' && pass "QEMU and virtiofsd clocks line up (${d}s)" \
        || fail "GET_VRING_BASE ${d}s apart in the two logs"
    else
      fail "GET_VRING_BASE missing from one of the logs"
    fi ;;
  dpdk)
    # DPDK names every message it reads; in the order QEMU wrote them (SET_SLAVE_REQ_FD is DPDK's
    # name for SET_BACKEND_REQ_FD, 21).
    sed -n 's/.*read message VHOST_USER_\([A-Z_]*\)$/\1/p' "$blog" >"$work/dpdk-reads.txt"
    reads=$(wc -l <"$work/dpdk-reads.txt")
    [ "$reads" = "$writes" ] && pass "$writes QEMU writes, $reads DPDK reads" || fail "$writes QEMU writes but $reads DPDK reads"
    names="1 GET_FEATURES 2 SET_FEATURES 3 SET_OWNER 5 SET_MEM_TABLE 8 SET_VRING_NUM 9 SET_VRING_ADDR
           10 SET_VRING_BASE 11 GET_VRING_BASE 12 SET_VRING_KICK 13 SET_VRING_CALL 14 SET_VRING_ERR
           15 GET_PROTOCOL_FEATURES 16 SET_PROTOCOL_FEATURES 17 GET_QUEUE_NUM 18 SET_VRING_ENABLE
           21 SET_SLAVE_REQ_FD 36 GET_MAX_MEM_SLOTS 39 SET_STATUS 40 GET_STATUS"
    awk -v names="$names" 'BEGIN{n=split(names,a," "); for(i=1;i<n;i+=2) m[a[i]]=a[i+1]} {print (($1 in m) ? m[$1] : "REQ" $1)}' \
      "$work/qemu-writes.txt" >"$work/qemu-write-names.txt"
    if diff -q "$work/qemu-write-names.txt" "$work/dpdk-reads.txt" >/dev/null; then
      pass "DPDK read the messages in the order QEMU wrote them"
    else
      fail "message order differs: $(diff "$work/qemu-write-names.txt" "$work/dpdk-reads.txt" | head -n 4 | tr '\n' ' ')"
    fi
    grep -q 'virtio is now ready for processing' "$blog" && pass "DPDK device ready" || fail "DPDK device never ready"
    # Every ping of every round reached testpmd (plus the guest's own IPv6 chatter).
    rx=$(sed -n 's/^ *RX-packets: *\([0-9]*\) .*/\1/p' "$blog" | head -n1)
    want=$((${VC_PACKETS:-32} * rounds))
    [ "${rx:-0}" -ge "$want" ] && pass "testpmd forwarded $rx packets (>= $want pings)" \
      || fail "testpmd forwarded ${rx:-0} packets, fewer than the $want pings sent" ;;
esac

# vconform's verdict on the two logs, with the shipped maps and specs, as docs/your-backend.md
# tells a new user to run it. Expected: tests/e2e/thirdparty-expected/BACKEND.
vc=${VC_VCONFORM:-}
expect=$here/thirdparty-expected/$backend
if [ -n "$vc" ] && [ -x "$vc" ] && [ -f "$expect" ]; then
  # shellcheck disable=SC1090
  source "$expect"   # sets specs (array), want_exit, want_rules (the violated rule ids, sorted)
  (cd "$out" && "$vc" check qemu-trace.log "$backend.log" "${specs[@]/#/--spec=$root/}") >"$out/verdict.txt" 2>&1
  vrc=$?
  [ "$vrc" = "$want_exit" ] && pass "vconform exit $vrc" || fail "vconform exit $vrc, wanted $want_exit: $(head -n 8 "$out/verdict.txt")"
  # Which rules, not how: a race shows as observed or predicted depending on the run's timing.
  got=$(sed -n 's/^\(OBSERVED\|PREDICTED\) violation of \([^ ]*\) .*/\2/p' "$out/verdict.txt" | sort -u | xargs)
  kinds=$(sed -n 's/^\(OBSERVED\|PREDICTED\) violation of \([^ ]*\) .*/\1 \2/p' "$out/verdict.txt" | sort | uniq -c | xargs)
  [ "$got" = "$want_rules" ] && pass "vconform reports '${got:-nothing}' (${kinds:-no violation})" \
    || fail "vconform reports '$got' ($kinds), wanted '$want_rules'"
  grep -q 'hb-unmatched' "$out/verdict.txt" && fail "happens-before left messages unpaired: $(grep -m1 hb-unmatched "$out/verdict.txt")"
elif [ "${VC_REQUIRE_VERDICT:-0}" = 1 ]; then
  fail "vconform or $expect missing"
else
  echo "note: vconform verdict skipped"
fi

echo "$backend/$mode: ${seconds}s, marker $marker, $failures failure(s)"
[ "$failures" = 0 ]
