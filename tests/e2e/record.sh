#!/usr/bin/env bash
# Record one real run: vhost-user-rng (optionally with a fault) served by QEMU 7.2 with a Debian
# 6.1 guest that reads N bytes of /dev/hwrng, with every recorder at once when asked.
#
# Usage: tests/e2e/record.sh MODE OUTDIR
#   MODE: clean | drop-kick-when-disabled | process-before-enable | notify-after-stop | skip-reply
#         | process-outside-lock | used-len-exceeds-writable | vring-base-off-by-one
# Writes into OUTDIR:
#   backend.jsonl   the back-end's JSON-lines trace (format v1, docs/backend-events.md)
#   backend.log     the back-end's stderr
#   qemu-trace.log  QEMU's trace log (-msg timestamp=on -trace vhost_user_*,vhost_dev_*,virtio_*)
#   console.log     the guest's serial console (the VC-GUEST: marker lines; the kernel log too
#                   with VC_DMESG=1)
#   lttng/          the back-end's LTTng-UST trace (VC_LTTNG=1, when lttng-tools is installed)
#   dmesg.txt       (VC_DMESG=1) the guest's kernel log: the console with printk times, every
#                   level, virtio_ring's pr_debug lines on, terminal escapes and CRs removed
#   dmesg-offset.txt (VC_DMESG=1) the ns to add to dmesg.txt's boot-relative times to line them
#                   up with the other traces' wall clock (tests/e2e/dmesg-offset.py; use it as
#                   `vconform check ... --clock-offset OUTDIR/dmesg.txt=$(cat OUTDIR/dmesg-offset.txt)`)
#   result.txt      key=value summary: mode, marker (READ-OK/READ-FAIL/NONE), bytes, seconds, rcs,
#                   and the configuration
# Exit status: 0 when the run happened (whatever the guest saw), 2 on a setup problem.
# Environment:
#   VC_BACKEND      the vhost-user-rng binary (default: found in build*/)
#   VC_E2E_CACHE    kernel + initrd cache (default build-backend/e2e-cache)
#   VC_BYTES        bytes of each guest read (256); VC_READ_TIMEOUT guest read timeout, s (5)
#   VC_RELOAD=1     the guest reads, reloads the virtio-rng driver, and reads again
#   VC_MEM          guest memory, as -m takes it (256M); VC_SMP vCPUs (1)
#   VC_DEVICE_OPTS  extra vhost-user-rng-pci properties, e.g. event_idx=off,indirect_desc=off
#   VC_BACKEND_ARGS extra back-end arguments, e.g. --protocol-features=0x12009
#   VC_FILL         back-end fill (counter); VC_QEMU_TIMEOUT (s; 60)
#   VC_QEMU_STOP_ON_LOG a string: stop QEMU 1 s after the back-end's log shows it (for runs where
#                   QEMU hangs for good); VC_QEMU_KILL_AFTER s between QEMU's SIGTERM and SIGKILL (3)
#   VC_LTTNG=1      also record the back-end with LTTng-UST; VC_DMESG=1 also the guest kernel log
#   VC_ALL=1        every recorder: VC_LTTNG=1 VC_DMESG=1 (the JSON trace and QEMU's log always)
#   VC_KVM=0        never KVM (default: KVM only when /dev/kvm works and the CPU has vmx/svm)
set -euo pipefail
mode=${1:?usage: record.sh MODE OUTDIR}
out=${2:?usage: record.sh MODE OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

backend=${VC_BACKEND:-}
if [ -z "$backend" ]; then
  for c in "$root"/build*/backend/vhost-user-rng "$root"/build*/vhost-user-rng; do
    if [ -x "$c" ]; then backend=$c; break; fi
  done
fi
if [ -z "$backend" ] || [ ! -x "$backend" ]; then
  echo "record.sh: no vhost-user-rng binary (build it, or set VC_BACKEND)" >&2
  exit 2
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "record.sh: qemu-system-x86_64 missing (Debian package qemu-system-x86)" >&2
  exit 2
fi
cache=${VC_E2E_CACHE:-$root/build-backend/e2e-cache}
bytes=${VC_BYTES:-256}
read_timeout=${VC_READ_TIMEOUT:-5}
qemu_timeout=${VC_QEMU_TIMEOUT:-60}
fill=${VC_FILL:-counter}
mem=${VC_MEM:-256M}
smp=${VC_SMP:-1}
reload=${VC_RELOAD:-0}
device_opts=${VC_DEVICE_OPTS:-}
read -r -a backend_extra <<<"${VC_BACKEND_ARGS:-}"
want_lttng=${VC_LTTNG:-0}
want_dmesg=${VC_DMESG:-0}
if [ "${VC_ALL:-0}" = 1 ]; then want_lttng=1; want_dmesg=1; fi

fault_args=()
case $mode in
  clean) ;;
  drop-kick-when-disabled|process-before-enable|notify-after-stop|skip-reply|process-outside-lock\
  |used-len-exceeds-writable|vring-base-off-by-one)
    fault_args=(--fault="$mode") ;;
  *) echo "record.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac

bash "$here/make-guest.sh" "$cache" || exit 2
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/{backend.jsonl,backend.log,qemu-trace.log,console.log,dmesg.txt,dmesg-offset.txt,result.txt}
rundir=$(mktemp -d /tmp/vc-e2e.XXXXXX)
sock=$rundir/vu.sock
backend_pid=""
cleanup() {
  if [ -n "$backend_pid" ] && kill -0 "$backend_pid" 2>/dev/null; then
    kill -TERM "$backend_pid" 2>/dev/null || true
    wait "$backend_pid" 2>/dev/null || true
  fi
  rm -rf "$rundir"
}
trap cleanup EXIT

# KVM only when the CPU really offers it (a /dev/kvm without vmx/svm never boots a guest).
accel=tcg
if [ "${VC_KVM:-auto}" != 0 ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
  accel=kvm
fi

lttng_on=0
started_sessiond=0
if [ "$want_lttng" = 1 ] && command -v lttng >/dev/null && command -v lttng-sessiond >/dev/null; then
  lttng_on=1
  rm -rf "$out/lttng"
  if ! pgrep -x lttng-sessiond >/dev/null; then
    # Ours to stop at the end (by the pid it wrote), not a daemon someone else runs.
    if lttng-sessiond --daemonize --no-kernel >/dev/null 2>&1; then
      started_sessiond=1
      for _ in $(seq 1 100); do lttng list >/dev/null 2>&1 && break; sleep 0.05; done
    else
      lttng_on=0
    fi
  fi
fi
lsess=vc-e2e-$$
if [ "$lttng_on" = 1 ]; then
  lttng create "$lsess" --output="$out/lttng" >/dev/null &&
  lttng enable-channel -u --buffers-uid --subbuf-size=4M --num-subbuf=8 ch -s "$lsess" >/dev/null &&
  lttng enable-event -u -c ch 'vconform_backend:*' -s "$lsess" >/dev/null &&
  lttng add-context -u -c ch -t vtid -t vpid -t procname -s "$lsess" >/dev/null &&
  # Record no process until ours has started: the session daemon is shared, and other back-ends
  # (other runs on the machine) would land in this trace too.
  lttng untrack -u --all --vpid -s "$lsess" >/dev/null &&
  lttng start "$lsess" >/dev/null || lttng_on=0
fi

start=$(date +%s.%N)
"$backend" --socket "$sock" --trace-json "$out/backend.jsonl" --fill="$fill" \
  "${fault_args[@]}" "${backend_extra[@]}" 2>"$out/backend.log" &
backend_pid=$!
if [ "$lttng_on" = 1 ]; then
  # Before QEMU connects: the back-end's first event is vu_connect.
  lttng track -u --vpid="$backend_pid" -s "$lsess" >/dev/null || lttng_on=0
fi
for _ in $(seq 1 200); do
  [ -S "$sock" ] && break
  sleep 0.02
done
if [ ! -S "$sock" ]; then
  echo "record.sh: back-end did not create $sock" >&2
  exit 2
fi

set +e
# The kernel log on the console (VC_DMESG=1): every level with printk times, virtio_ring's
# pr_debug on (guest-init.sh: vc_dyndbg=1). Otherwise only warnings and the guest's markers.
if [ "$want_dmesg" = 1 ]; then
  klog="ignore_loglevel printk.time=1 vc_dyndbg=1"
else
  klog="loglevel=4"
fi
timeout -k "${VC_QEMU_KILL_AFTER:-3}" "$qemu_timeout" qemu-system-x86_64 \
  -machine q35,memory-backend=mem -accel "$accel" -smp "$smp" -m "$mem" \
  -object memory-backend-memfd,id=mem,size="$mem",share=on \
  -chardev socket,id=c0,path="$sock" -device "vhost-user-rng-pci,chardev=c0${device_opts:+,$device_opts}" \
  -kernel "$cache/vmlinuz" -initrd "$cache/initrd.cpio.gz" \
  -append "console=ttyS0 panic=-1 $klog vc_bytes=$bytes vc_read_timeout=$read_timeout vc_reload=$reload" \
  -nographic -no-reboot -nodefaults -serial stdio \
  -msg timestamp=on -trace 'vhost_user_*' -trace 'vhost_dev_*' -trace 'virtio_*' \
  -D "$out/qemu-trace.log" </dev/null >"$out/console.log" 2>"$rundir/qemu.err" &
qemu_job=$!
if [ -n "${VC_QEMU_STOP_ON_LOG:-}" ]; then
  # A run QEMU never finishes by itself (skip-reply: it waits for an ack forever): stop it 1 s
  # after the back-end logged the line, however long the guest took to get there.
  while kill -0 "$qemu_job" 2>/dev/null; do
    if grep -qF -- "$VC_QEMU_STOP_ON_LOG" "$out/backend.log" 2>/dev/null; then
      sleep 1
      kill -TERM "$qemu_job" 2>/dev/null  # timeout forwards it, then SIGKILLs after -k
      break
    fi
    sleep 0.1
  done
fi
wait "$qemu_job"
qemu_rc=$?
# QEMU gone: the back-end sees the disconnect and exits; give it a moment, then SIGTERM.
backend_rc=""
for _ in $(seq 1 100); do
  kill -0 "$backend_pid" 2>/dev/null || break
  sleep 0.05
done
if kill -0 "$backend_pid" 2>/dev/null; then
  kill -TERM "$backend_pid" 2>/dev/null
fi
wait "$backend_pid"
backend_rc=$?
backend_pid=""
set -e
end=$(date +%s.%N)
cat "$rundir/qemu.err" >>"$out/console.log" 2>/dev/null || true

if [ "$lttng_on" = 1 ]; then
  lttng stop "$lsess" >/dev/null 2>&1 || true
  lttng destroy "$lsess" >/dev/null 2>&1 || true
fi
if [ "$started_sessiond" = 1 ] && [ -f /var/run/lttng/lttng-sessiond.pid ]; then
  # Wait until it is gone (~2 s): a run started meanwhile would find it alive, use it, and lose
  # its session when it exits.
  spid=$(cat /var/run/lttng/lttng-sessiond.pid)
  kill -TERM "$spid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.05; done
fi

dmesg_offset=""
dmesg_note=""
if [ "$want_dmesg" = 1 ]; then
  # The console as recorded, minus the firmware's terminal escape sequences and CRs.
  sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' -e 's/\r$//' "$out/console.log" >"$out/dmesg.txt"
  if command -v python3 >/dev/null &&
     python3 "$here/dmesg-offset.py" "$out/dmesg.txt" "$out/backend.jsonl" >"$out/dmesg-offset.txt" 2>"$rundir/offset.err"; then
    dmesg_offset=$(cat "$out/dmesg-offset.txt")
    dmesg_note=$(cat "$rundir/offset.err")
  else
    echo "record.sh: no clock offset for dmesg.txt: $(cat "$rundir/offset.err" 2>/dev/null)" >&2
    rm -f "$out/dmesg-offset.txt"
  fi
fi

marker=NONE
got=0
if grep -q 'VC-GUEST: READ-OK' "$out/console.log"; then
  marker=READ-OK
  got=$(sed -n 's/.*VC-GUEST: READ-OK bytes=\([0-9]*\).*/\1/p' "$out/console.log" | head -n1)
elif grep -q 'VC-GUEST: READ-FAIL' "$out/console.log"; then
  marker=READ-FAIL
  got=$(sed -n 's/.*VC-GUEST: READ-FAIL bytes=\([0-9]*\).*/\1/p' "$out/console.log" | head -n1)
fi
secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}')
{
  echo "mode=$mode"
  echo "marker=$marker"
  echo "bytes=$got"
  echo "wanted=$bytes"
  echo "seconds=$secs"
  echo "accel=$accel"
  echo "qemu_rc=$qemu_rc"
  echo "backend_rc=$backend_rc"
  echo "lttng=$lttng_on"
  echo "dmesg=$want_dmesg"
  echo "dmesg_offset_ns=$dmesg_offset"
  [ -z "$dmesg_note" ] || echo "dmesg_offset_note=$dmesg_note"
  echo "mem=$mem"
  echo "smp=$smp"
  echo "reload=$reload"
  echo "device_opts=$device_opts"
  echo "backend_args=${VC_BACKEND_ARGS:-}"
} >"$out/result.txt"
cat "$out/result.txt"
