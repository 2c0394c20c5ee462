#!/usr/bin/env bash
# The guest of the third-party back-end runs (virtiofsd, DPDK): the Debian cloud kernel that
# tests/e2e/make-guest.sh fetches, and an initramfs of busybox-static plus the virtio-fs (fuse,
# virtiofs) and virtio-net (failover, net_failover, virtio_net) modules, whose /init is
# tests/e2e/guest-init-thirdparty.sh.
#
# Usage: tests/e2e/make-thirdparty-guest.sh CACHE_DIR
# Produces CACHE_DIR/vmlinuz and CACHE_DIR/initrd-thirdparty.cpio.gz (idempotent).
set -euo pipefail
cache=${1:?usage: make-thirdparty-guest.sh CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/make-guest.sh" "$cache"
cache=$(cd "$cache" && pwd)
out=$cache/initrd-thirdparty.cpio.gz
if [ -s "$out" ] && [ "$out" -nt "$here/make-thirdparty-guest.sh" ] \
   && [ "$out" -nt "$here/guest-init-thirdparty.sh" ] && [ "$out" -nt "$cache/vmlinuz" ]; then
  exit 0
fi
exec 9>"$cache/.lock"
flock 9

kver=$(ls "$cache/kernel/lib/modules" | head -n1)
kmods=$cache/kernel/lib/modules/$kver/kernel
root=$(mktemp -d "$cache/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mods,mnt}
cp "$cache/busybox" "$root/bin/busybox"
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
         drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci fs/fuse/fuse fs/fuse/virtiofs \
         net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
  f=$(ls "$kmods/$m".ko* 2>/dev/null | head -n1 || true)
  if [ -z "$f" ]; then echo "make-thirdparty-guest: module $m missing in $kver" >&2; exit 1; fi
  case $f in
    *.xz) xz -dc "$f" > "$root/mods/$(basename "$m").ko" ;;
    *.zst) zstd -qdc "$f" > "$root/mods/$(basename "$m").ko" ;;
    *) cp "$f" "$root/mods/$(basename "$m").ko" ;;
  esac
done
cp "$here/guest-init-thirdparty.sh" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out.tmp"
mv "$out.tmp" "$out"
echo "make-thirdparty-guest: kernel $kver, initrd $(stat -c %s "$out") bytes" >&2
