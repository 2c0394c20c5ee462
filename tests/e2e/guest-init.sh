#!/bin/busybox sh
# /init of the e2e guest: load virtio-rng, read vc_bytes bytes of /dev/hwrng, print a marker.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
bytes=256
tmo=5
reload=0
dyndbg=0
for a in $(cat /proc/cmdline); do
  case $a in
    vc_bytes=*) bytes=${a#vc_bytes=} ;;
    vc_read_timeout=*) tmo=${a#vc_read_timeout=} ;;
    vc_reload=*) reload=${a#vc_reload=} ;;
    vc_dyndbg=*) dyndbg=${a#vc_dyndbg=} ;;
  esac
done
# The test runs in the background; the foreground is a watchdog. A device that never answers can
# leave a process stuck where no signal reaches it (virtio-rng's probe waits for its first buffer
# holding the hwrng locks, and then insmod or a read hangs for good): after the deadline the guest
# reports READ-FAIL and powers off all the same.
run_test() {
  # vc_dyndbg=1: virtio_ring's pr_debug lines ("Added buffer head N to VQ", "virtqueue callback
  # for VQ") reach the kernel log (a module's dyndbg comes with insmod, not the command line).
  for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio-rng; do
    if [ "$m" = virtio_ring ] && [ "$dyndbg" = 1 ]; then
      insmod /mods/$m.ko dyndbg=+p 2>/dev/null || echo "VC-GUEST: insmod $m failed"
    else
      insmod /mods/$m.ko 2>/dev/null || echo "VC-GUEST: insmod $m failed"
    fi
  done
  i=0
  while [ $i -lt 50 ]; do
    grep -q virtio /sys/class/misc/hw_random/rng_current 2>/dev/null && break
    sleep 0.1; i=$((i+1))
  done
  echo "VC-GUEST: rng_current=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
  got=$(timeout -s KILL "$tmo" dd if=/dev/hwrng bs="$bytes" count=1 iflag=fullblock 2>/dev/null | wc -c)
  if [ "$reload" = 1 ] && [ "$got" = "$bytes" ]; then
    # Remove and reload the driver: the device is reset, QEMU stops vhost (GET_VRING_BASE) and
    # starts it again when the new driver sets DRIVER_OK; then read again.
    echo "VC-GUEST: first read ok, reloading virtio-rng"
    rmmod virtio_rng 2>/dev/null || echo "VC-GUEST: rmmod failed"
    insmod /mods/virtio-rng.ko 2>/dev/null || echo "VC-GUEST: insmod virtio-rng failed"
    i=0
    while [ $i -lt 50 ]; do
      grep -q virtio /sys/class/misc/hw_random/rng_current 2>/dev/null && break
      sleep 0.1; i=$((i+1))
    done
    got=$(timeout -s KILL "$tmo" dd if=/dev/hwrng bs="$bytes" count=1 iflag=fullblock 2>/dev/null | wc -c)
  fi
  if [ "$got" = "$bytes" ]; then
    echo "VC-GUEST: READ-OK bytes=$got"
  else
    echo "VC-GUEST: READ-FAIL bytes=$got wanted=$bytes"
  fi
  echo "VC-GUEST: DONE"
}
( run_test; poweroff -f ) &
deadline=$((2 * tmo + 12))
sleep "$deadline"
echo "VC-GUEST: READ-FAIL bytes=0 wanted=$bytes (hung: no result after ${deadline}s)"
echo "VC-GUEST: DONE"
poweroff -f
