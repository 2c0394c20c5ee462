#!/usr/bin/env bash
# Records a real guest boot with the kernel log on the serial console (printk times, all levels,
# virtio_ring's pr_debug on through dynamic debug), together with QEMU's trace log and the
# back-end's JSON trace of the same run: the samples for the text readers and the multi-source
# golden test. Reuses the e2e guest (build-backend/e2e-cache, tests/e2e/make-guest.sh) and the
# vhost-user-rng back-end.
#   tests/readers/record-guest-dmesg.sh OUTDIR
# Writes OUTDIR/dmesg.txt (the console: kernel log + guest markers), OUTDIR/qemu-trace.log,
# OUTDIR/backend.jsonl. Exit 77 when QEMU, the guest or the back-end is missing.
set -euo pipefail
out=${1:?usage: record-guest-dmesg.sh OUTDIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VC_E2E_CACHE:-$root/build-backend/e2e-cache}
backend=${VC_BACKEND:-}
if [ -z "$backend" ]; then
  for c in "$root"/build*/backend/vhost-user-rng; do [ -x "$c" ] && { backend=$c; break; }; done
fi
[ -n "$backend" ] && [ -x "$backend" ] || { echo "no vhost-user-rng back-end"; exit 77; }
[ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.cpio.gz" ] || { echo "no guest in $cache"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "no qemu-system-x86_64"; exit 77; }
mkdir -p "$out"
run=$(mktemp -d)
# The e2e initrd with virtio_ring loaded as `insmod virtio_ring.ko dyndbg=+p`, so its pr_debug
# lines ("Added buffer head N to VQ") reach the log (a module does not see the kernel command line).
initrd="$cache/initrd.cpio.gz"
if command -v cpio >/dev/null; then
  mkdir "$run/initrd"
  (cd "$run/initrd" && zcat "$cache/initrd.cpio.gz" | cpio -id 2>/dev/null &&
   sed -i 's|insmod /mods/$m.ko 2>/dev/null|if [ "$m" = virtio_ring ]; then insmod /mods/$m.ko dyndbg=+p; else insmod /mods/$m.ko; fi 2>/dev/null|' init &&
   find . | cpio -o -H newc 2>/dev/null | gzip >"$run/initrd.cpio.gz") && initrd="$run/initrd.cpio.gz"
fi
sock="$run/vu.sock"
"$backend" --socket "$sock" --trace-json "$out/backend.jsonl" --fill=counter 2>"$run/backend.log" &
bpid=$!
for _ in $(seq 1 200); do [ -S "$sock" ] && break; sleep 0.02; done
set +e
timeout -k 3 90 qemu-system-x86_64 \
  -machine q35,memory-backend=mem -accel tcg -smp 1 -m 256M \
  -object memory-backend-memfd,id=mem,size=256M,share=on \
  -chardev socket,id=c0,path="$sock" -device vhost-user-rng-pci,chardev=c0 \
  -kernel "$cache/vmlinuz" -initrd "$initrd" \
  -append "console=ttyS0 panic=-1 ignore_loglevel printk.time=1 vc_bytes=256 vc_read_timeout=5 vc_reload=0" \
  -nographic -no-reboot -nodefaults -serial stdio \
  -msg timestamp=on -trace 'vhost_user_*' -trace 'vhost_dev_*' -trace 'virtio_*' \
  -D "$out/qemu-trace.log" </dev/null >"$run/console.raw" 2>"$run/qemu.err"
rc=$?
set -e
for _ in $(seq 1 100); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.05; done
kill -TERM "$bpid" 2>/dev/null || true
wait "$bpid" || true
# The console as recorded, minus the firmware's terminal escape sequences and CRs.
sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' -e 's/\r$//' "$run/console.raw" >"$out/dmesg.txt"
rm -rf "$run"
grep -q 'VC-GUEST: READ-OK' "$out/dmesg.txt" && echo "recorded $out (qemu rc=$rc)"
