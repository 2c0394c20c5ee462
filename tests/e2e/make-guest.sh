#!/usr/bin/env bash
# Fetch the Debian cloud kernel and busybox-static as Debian packages (apt-get download, never
# installed into /), then build a small initramfs whose /init reads N bytes of /dev/hwrng through
# virtio-rng and prints a marker.
#
# Usage: tests/e2e/make-guest.sh CACHE_DIR
# Produces CACHE_DIR/vmlinuz and CACHE_DIR/initrd.cpio.gz (idempotent: reuses what is there).
# The number of bytes is read by /init from the kernel command line: vc_bytes=N (default 256),
# vc_read_timeout=S (default 5).
set -euo pipefail
cache=${1:?usage: make-guest.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

if [ -s "$cache/vmlinuz" ] && [ -s "$cache/initrd.cpio.gz" ] \
   && [ "$cache/initrd.cpio.gz" -nt "$here/make-guest.sh" ] \
   && [ "$cache/initrd.cpio.gz" -nt "$here/guest-init.sh" ]; then
  exit 0
fi

exec 9>"$cache/.lock"
flock 9

cd "$cache"
if [ ! -s vmlinuz ] || [ ! -d kernel/lib/modules ]; then
  pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
        | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
          | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  fi
  if [ -z "$pkg" ]; then
    echo "make-guest: cannot resolve linux-image-cloud-amd64 (run apt-get update)" >&2
    exit 1
  fi
  rm -rf kernel dl && mkdir -p kernel dl
  (cd dl && apt-get download -q "$pkg" >/dev/null)
  dpkg-deb -x dl/"$pkg"_*.deb kernel
  cp kernel/boot/vmlinuz-* vmlinuz
  rm -rf dl
fi
if [ ! -x busybox ]; then
  if dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed"; then
    cp /bin/busybox busybox
  else
    rm -rf bb && mkdir -p bb
    (cd bb && apt-get download -q busybox-static >/dev/null)
    dpkg-deb -x bb/busybox-static_*.deb bb/x
    cp bb/x/bin/busybox busybox
    rm -rf bb
  fi
fi

kver=$(ls kernel/lib/modules | head -n1)
mods=kernel/lib/modules/$kver/kernel/drivers
root=$(mktemp -d "$cache/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mods}
cp busybox "$root/bin/busybox"
for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_modern_dev virtio/virtio_pci_legacy_dev \
         virtio/virtio_pci char/hw_random/virtio-rng; do
  f=$(ls "$mods/$m".ko* 2>/dev/null | head -n1 || true)
  if [ -z "$f" ]; then echo "make-guest: module $m missing in $kver" >&2; exit 1; fi
  case $f in
    *.xz) xz -dc "$f" > "$root/mods/$(basename "$m").ko" ;;
    *.zst) zstd -qdc "$f" > "$root/mods/$(basename "$m").ko" ;;
    *) cp "$f" "$root/mods/$(basename "$m").ko" ;;
  esac
done
cp "$here/guest-init.sh" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > initrd.cpio.gz.tmp
mv initrd.cpio.gz.tmp initrd.cpio.gz
echo "make-guest: kernel $kver, initrd $(stat -c %s initrd.cpio.gz) bytes" >&2
