#!/usr/bin/env bash
# Record one real run of a third-party vhost-user back-end served to QEMU 7.2 with a Debian 6.1
# guest: QEMU's trace log and the back-end's own log, nothing instrumented.
#
# Usage: tests/e2e/record-thirdparty.sh BACKEND MODE OUTDIR
#   BACKEND virtiofsd  /usr/lib/qemu/virtiofsd (Debian qemu-system-common, QEMU 7.2's C virtiofsd,
#                      built on libvhost-user) with -d; vhost-user-fs-pci; the guest mounts the
#                      share, reads hello.txt, writes, reads back and removes VC_FILES files, unmounts
#           dpdk       dpdk-testpmd from Debian's dpdk-dev (tests/e2e/fetch-dpdk.sh unpacks it into the
#                      cache) with the vhost PMD (--vdev net_vhost0) forwarding in io mode, and
#                      --log-level=lib.vhost.config:debug; a guest virtio-net over -netdev vhost-user
#                      sends VC_PACKETS pings to a static neighbour, which testpmd sends back
#   MODE    clean      one round
#           reload     two rounds; between them the guest removes and reloads the driver (virtiofs
#                      or virtio_net): the device is reset, QEMU stops vhost (GET_VRING_BASE) and
#                      starts it again
#           pool       (virtiofsd only) one round with --thread-pool-size=2: requests are served
#                      by pool threads whose lines do not name their queue
# Writes into OUTDIR:
#   qemu-trace.log  QEMU's trace log (-msg timestamp=on -trace 'vhost_user_*' -trace 'vhost_dev_*'
#                   -trace 'virtio_*')
#   virtiofsd.log | dpdk.log   the back-end's log (stderr; testpmd's stdout and stderr, line-buffered)
#   console.log     the guest's serial console (VC-GUEST: marker lines)
#   result.txt      key=value summary: backend, mode, marker (OK/FAIL/NONE), seconds, exit codes
# Exit status: 0 when the run happened (whatever the guest saw), 2 on a setup problem.
# Environment: VC_E2E_CACHE (kernel, initrd and DPDK cache; default build/e2e-cache),
# VC_QEMU_TIMEOUT (s; 120), VC_FILES (3), VC_PACKETS (32), VC_VIRTIOFSD (the binary),
# VC_VIRTIOFSD_SANDBOX (namespace (default) | chroot: for containers where namespaces are refused).
set -euo pipefail
backend=${1:?usage: record-thirdparty.sh BACKEND MODE OUTDIR}
mode=${2:?usage: record-thirdparty.sh BACKEND MODE OUTDIR}
out=${3:?usage: record-thirdparty.sh BACKEND MODE OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${VC_E2E_CACHE:-$root/build/e2e-cache}
qemu_timeout=${VC_QEMU_TIMEOUT:-120}
files=${VC_FILES:-3}
packets=${VC_PACKETS:-32}

case $backend/$mode in
  virtiofsd/clean|virtiofsd/reload|virtiofsd/pool|dpdk/clean|dpdk/reload) ;;
  *) echo "record-thirdparty.sh: unknown back-end/mode '$backend/$mode'" >&2; exit 2 ;;
esac
if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "record-thirdparty.sh: qemu-system-x86_64 missing (Debian package qemu-system-x86)" >&2
  exit 2
fi
virtiofsd=${VC_VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
if [ "$backend" = virtiofsd ] && [ ! -x "$virtiofsd" ]; then
  echo "record-thirdparty.sh: $virtiofsd missing (Debian package qemu-system-common)" >&2
  exit 2
fi

bash "$here/make-thirdparty-guest.sh" "$cache" || exit 2
if [ "$backend" = dpdk ]; then
  bash "$here/fetch-dpdk.sh" "$cache" || exit 2
  # shellcheck disable=SC1091
  source "$cache/dpdk/env"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/{qemu-trace.log,virtiofsd.log,dpdk.log,console.log,result.txt}
rundir=$(mktemp -d /tmp/vc-3p.XXXXXX)
sock=$rundir/vu.sock
backend_pid=""
cleanup() {
  if [ -n "$backend_pid" ] && kill -0 "$backend_pid" 2>/dev/null; then
    kill -TERM "$backend_pid" 2>/dev/null || true
    wait "$backend_pid" 2>/dev/null || true
  fi
  exec 8>&- 2>/dev/null || true
  rm -rf "$rundir"
}
trap cleanup EXIT

accel=tcg
if [ "${VC_KVM:-auto}" != 0 ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
  accel=kvm
fi

rounds=1
reload=0
[ "$mode" = reload ] && { rounds=2; reload=1; }
start=$(date +%s.%N)
case $backend in
  virtiofsd)
    mkdir -p "$rundir/share"
    echo "hello from the host" >"$rundir/share/hello.txt"
    pool=()
    [ "$mode" = pool ] && pool=(--thread-pool-size=2)
    "$virtiofsd" --socket-path="$sock" -o source="$rundir/share" -o cache=auto \
      -o sandbox="${VC_VIRTIOFSD_SANDBOX:-namespace}" "${pool[@]}" -d 2>"$out/virtiofsd.log" &
    backend_pid=$!
    device=(-chardev socket,id=c0,path="$sock" -device vhost-user-fs-pci,chardev=c0,tag=vcfs)
    append="vc_test=virtiofs vc_tag=vcfs vc_files=$files" ;;
  dpdk)
    # testpmd waits for a line on stdin to exit: a FIFO kept open here, written at the end.
    mkfifo "$rundir/stdin"
    LD_LIBRARY_PATH=$DPDK_LD_LIBRARY_PATH stdbuf -oL -eL "$cache/dpdk/usr/bin/dpdk-testpmd" \
      --no-huge -m 512 --no-pci --file-prefix="vc3p$$" --log-level=lib.vhost.config:debug \
      -d "$DPDK_PMD_VHOST" -d "$DPDK_PMD_MEMPOOL" --vdev "net_vhost0,iface=$sock,queues=1" \
      -- --forward-mode=io --auto-start --nb-cores=1 --total-num-mbufs=4096 \
      <"$rundir/stdin" >"$out/dpdk.log" 2>&1 &
    backend_pid=$!
    exec 8>"$rundir/stdin"
    # MSI-X off: QEMU 7.2 segfaults at DRIVER_OK with vectors on this set-up.
    device=(-chardev socket,id=c0,path="$sock" -netdev type=vhost-user,id=n0,chardev=c0
            -device virtio-net-pci,netdev=n0,vectors=0)
    append="vc_test=net vc_packets=$packets" ;;
esac
for _ in $(seq 1 300); do
  [ -S "$sock" ] && break
  kill -0 "$backend_pid" 2>/dev/null || break
  sleep 0.05
done
if [ ! -S "$sock" ]; then
  echo "record-thirdparty.sh: $backend did not create $sock; its log:" >&2
  tail -n 20 "$out/$backend.log" >&2 2>/dev/null || true
  exit 2
fi

set +e
timeout -k 5 "$qemu_timeout" qemu-system-x86_64 \
  -machine q35,memory-backend=mem -accel "$accel" -smp 1 -m 256M \
  -object memory-backend-memfd,id=mem,size=256M,share=on \
  "${device[@]}" \
  -kernel "$cache/vmlinuz" -initrd "$cache/initrd-thirdparty.cpio.gz" \
  -append "console=ttyS0 panic=-1 loglevel=4 $append vc_rounds=$rounds vc_reload=$reload" \
  -nographic -no-reboot -nodefaults -serial stdio \
  -msg timestamp=on -trace 'vhost_user_*' -trace 'vhost_dev_*' -trace 'virtio_*' \
  -D "$out/qemu-trace.log" </dev/null >"$out/console.log" 2>"$rundir/qemu.err"
qemu_rc=$?
# QEMU gone: virtiofsd sees the disconnect and exits; testpmd exits on a line on its stdin.
[ "$backend" = dpdk ] && { echo >&8; exec 8>&-; }
for _ in $(seq 1 200); do
  kill -0 "$backend_pid" 2>/dev/null || break
  sleep 0.05
done
kill -0 "$backend_pid" 2>/dev/null && kill -TERM "$backend_pid" 2>/dev/null
wait "$backend_pid"
backend_rc=$?
backend_pid=""
set -e
end=$(date +%s.%N)
cat "$rundir/qemu.err" >>"$out/console.log" 2>/dev/null || true

test=virtiofs
[ "$backend" = dpdk ] && test=net
marker=NONE
grep -q "VC-GUEST: $test OK" "$out/console.log" && marker=OK
grep -q "VC-GUEST: $test FAIL" "$out/console.log" && marker=FAIL
secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}')
{
  echo "backend=$backend"
  echo "mode=$mode"
  echo "marker=$marker"
  echo "seconds=$secs"
  echo "accel=$accel"
  echo "qemu_rc=$qemu_rc"
  echo "backend_rc=$backend_rc"
  echo "qemu=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || echo unknown)"
  [ "$backend" = dpdk ] && echo "dpdk=$DPDK_VERSION"
  echo "kernel=$(ls "$cache/kernel/lib/modules" | head -n1)"
} >"$out/result.txt"
cat "$out/result.txt"
