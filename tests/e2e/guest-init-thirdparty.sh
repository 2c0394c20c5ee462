#!/bin/busybox sh
# /init of the third-party guest (tests/e2e/make-guest.sh thirdparty): drive a virtio-fs or a
# virtio-net device served by a third-party vhost-user back-end, print VC-GUEST: markers.
#   vc_test=virtiofs  mount the virtio-fs tag vc_tag (default "vcfs"), read the host's hello.txt,
#                     write, read back and remove files (vc_files, default 3), unmount
#                     (vc_rounds times, default 1: a second round remounts, QEMU stops and
#                     restarts nothing, the FUSE session is new)
#   vc_test=net       bring eth0 up, send vc_packets (default 64) pings to a static neighbour
#                     (nobody answers; a forwarding back-end sends them back), take it down
#   vc_reload=1       remove and reload the device's driver between two rounds: the device is
#                     reset, QEMU stops vhost (GET_VRING_BASE) and starts it again
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
test=virtiofs
tag=vcfs
files=3
rounds=1
packets=64
reload=0
for a in $(cat /proc/cmdline); do
  case $a in
    vc_test=*) test=${a#vc_test=} ;;
    vc_tag=*) tag=${a#vc_tag=} ;;
    vc_files=*) files=${a#vc_files=} ;;
    vc_rounds=*) rounds=${a#vc_rounds=} ;;
    vc_packets=*) packets=${a#vc_packets=} ;;
    vc_reload=*) reload=${a#vc_reload=} ;;
  esac
done
load() {
  for m in "$@"; do
    insmod /mods/$m.ko 2>/dev/null || echo "VC-GUEST: insmod $m failed"
  done
}
load virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
ok=1

fs_round() {
  r=$1
  mkdir -p /mnt
  if ! timeout -s KILL 20 mount -t virtiofs "$tag" /mnt; then
    echo "VC-GUEST: mount failed"; ok=0; return
  fi
  got=$(timeout -s KILL 10 cat /mnt/hello.txt 2>/dev/null)
  [ "$got" = "hello from the host" ] || { echo "VC-GUEST: hello.txt read '$got'"; ok=0; }
  i=0
  while [ $i -lt "$files" ]; do
    f=/mnt/guest-$r-$i.txt
    echo "round $r file $i" > "$f" || { echo "VC-GUEST: write $f failed"; ok=0; }
    sync
    back=$(cat "$f" 2>/dev/null)
    [ "$back" = "round $r file $i" ] || { echo "VC-GUEST: read back '$back' from $f"; ok=0; }
    i=$((i+1))
  done
  ls /mnt >/dev/null || ok=0
  rm -f /mnt/guest-$r-* || ok=0
  timeout -s KILL 10 umount /mnt || { echo "VC-GUEST: umount failed"; ok=0; }
}

net_round() {
  ip link set eth0 up || { echo "VC-GUEST: no eth0"; ok=0; return; }
  ip addr add 10.0.2.15/24 dev eth0 2>/dev/null
  # A static neighbour: no ARP exchange (nobody answers); every ping is one frame on the tx ring.
  arp -i eth0 -s 10.0.2.2 52:54:00:12:34:99 || echo "VC-GUEST: arp -s failed"
  # Until the link watcher sees the carrier (up to 1 s), frames go to the noop qdisc and are lost.
  i=0
  while [ $i -lt 100 ] && [ "$(cat /sys/class/net/eth0/operstate)" != up ]; do sleep 0.1; i=$((i+1)); done
  # The driver counts tx_packets when the device returns the buffers; ping counts what it sent.
  sent=$(timeout -s KILL 60 ping -q -c "$packets" -i 0.05 -W 1 -w 30 10.0.2.2 2>/dev/null \
         | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
  sleep 0.3
  tx=$(cat /sys/class/net/eth0/statistics/tx_packets)
  rx=$(cat /sys/class/net/eth0/statistics/rx_packets)
  echo "VC-GUEST: sent=$sent tx_packets=$tx rx_packets=$rx"
  [ "${sent:-0}" -ge "$packets" ] && [ "$rx" -gt 0 ] || ok=0
  ip link set eth0 down
}

case $test in
  virtiofs)
    load fuse virtiofs
    r=1
    while [ $r -le "$rounds" ]; do
      fs_round $r
      if [ "$reload" = 1 ] && [ $r -lt "$rounds" ]; then
        echo "VC-GUEST: round $r done, reloading virtiofs"
        rmmod virtiofs || echo "VC-GUEST: rmmod virtiofs failed"
        load virtiofs
      fi
      r=$((r+1))
    done ;;
  net)
    load failover net_failover virtio_net
    i=0
    while [ $i -lt 50 ] && [ ! -e /sys/class/net/eth0 ]; do sleep 0.1; i=$((i+1)); done
    r=1
    while [ $r -le "$rounds" ]; do
      net_round
      if [ "$reload" = 1 ] && [ $r -lt "$rounds" ]; then
        echo "VC-GUEST: round $r done, reloading virtio_net"
        rmmod virtio_net || echo "VC-GUEST: rmmod virtio_net failed"
        load virtio_net
        i=0
        while [ $i -lt 50 ] && [ ! -e /sys/class/net/eth0 ]; do sleep 0.1; i=$((i+1)); done
      fi
      r=$((r+1))
    done ;;
  *) echo "VC-GUEST: unknown vc_test=$test"; ok=0 ;;
esac
if [ "$ok" = 1 ]; then echo "VC-GUEST: $test OK"; else echo "VC-GUEST: $test FAIL"; fi
echo "VC-GUEST: DONE"
poweroff -f
