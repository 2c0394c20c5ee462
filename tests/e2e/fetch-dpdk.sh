#!/usr/bin/env bash
# DPDK's testpmd for the third-party e2e runs, without installing it: Debian 12's dpdk-dev (which
# ships /usr/bin/dpdk-testpmd) and the librte-* libraries it and the vhost driver need, fetched
# with `apt-get download` and unpacked with `dpkg-deb -x` into CACHE_DIR/dpdk (installing dpdk-dev
# normally pulls in ~150 packages, headers included). Packages already installed are not fetched.
#
# Usage: tests/e2e/fetch-dpdk.sh CACHE_DIR
# Produces CACHE_DIR/dpdk/usr/bin/dpdk-testpmd and CACHE_DIR/dpdk/env (LD_LIBRARY_PATH and the
# driver paths for EAL's -d). Idempotent. EAL refuses to load drivers from a directory any of
# whose ancestors is world-writable (e.g. below /tmp): then the two drivers the runs load are
# copied to $HOME/.cache/vconform/ (which must not be below one either).
set -euo pipefail
cache=${1:?usage: fetch-dpdk.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
dir=$cache/dpdk
if [ -x "$dir/usr/bin/dpdk-testpmd" ] && [ -s "$dir/env" ] \
   && [ -f "$(sed -n 's/^DPDK_PMD_VHOST=//p' "$dir/env")" ]; then
  exit 0
fi

# EAL loads drivers (-d) only from a directory none of whose ancestors is world-writable.
world_writable_ancestor() {
  local p=$1
  while [ "$p" != / ]; do
    if [ -n "$(find "$p" -maxdepth 0 -perm -o+w 2>/dev/null)" ]; then echo "$p"; return 0; fi
    p=$(dirname "$p")
  done
  return 1
}

exec 9>"$cache/.dpdk-lock"
flock 9

# The runtime libraries dpdk-dev depends on (librte-*), the vhost and mempool drivers, and
# libraries of theirs that come from outside DPDK: the recursive dependencies, keeping DPDK's own
# libraries and the two non-DPDK ones testpmd links (libpcap, rdma-core's providers).
roots=$(apt-cache depends dpdk-dev 2>/dev/null | awk '/Depends: librte-/{print $2}')
if [ -z "$roots" ]; then
  echo "fetch-dpdk: apt-cache knows no dpdk-dev (run apt-get update)" >&2
  exit 1
fi
want=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
         --no-replaces --no-enhances $roots librte-net-vhost23 librte-mempool-ring23 libpcap0.8 \
         ibverbs-providers 2>/dev/null \
       | grep -E '^(librte-[a-z0-9-]+|libpcap0\.8|ibverbs-providers|libibverbs1|libnuma1|libfdt1|libjansson4|libbsd0|libelf1)$' \
       | sort -u)
fetch=(dpdk-dev)
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || fetch+=("$p")
done
rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/debs"
(cd "$dir.tmp/debs" && apt-get download -q "${fetch[@]}" >/dev/null 2>"$dir.tmp/apt.err") || {
  echo "fetch-dpdk: apt-get download failed:" >&2; cat "$dir.tmp/apt.err" >&2; exit 1; }
for d in "$dir.tmp"/debs/*.deb; do dpkg-deb -x "$d" "$dir.tmp"; done
version=$(dpkg-deb -f "$(ls "$dir.tmp"/debs/dpdk-dev_*.deb | head -n1)" Version)
rm -rf "$dir.tmp/debs" "$dir.tmp/apt.err" "$dir.tmp/usr/include" "$dir.tmp/usr/share"
chmod -R go-w "$dir.tmp"

lib=$dir/usr/lib/x86_64-linux-gnu
pmds=$(ls -d "$dir.tmp"/usr/lib/x86_64-linux-gnu/dpdk/pmds-* | head -n1)
pmds=$lib/dpdk/$(basename "$pmds")
missing=$(LD_LIBRARY_PATH="$dir.tmp/usr/lib/x86_64-linux-gnu" ldd "$dir.tmp/usr/bin/dpdk-testpmd" \
            "$dir.tmp${pmds#"$dir"}/librte_net_vhost.so.23" 2>&1 | grep 'not found' || true)
if [ -n "$missing" ]; then
  echo "fetch-dpdk: libraries still missing:" >&2; echo "$missing" >&2; exit 1
fi
drivers=$pmds
if bad=$(world_writable_ancestor "$dir"); then
  drivers=$HOME/.cache/vconform/dpdk-$version-pmds
  if bad2=$(world_writable_ancestor "$drivers"); then
    echo "fetch-dpdk: $bad and $bad2 are world-writable: DPDK refuses to load drivers below them; set VC_E2E_CACHE elsewhere" >&2
    exit 1
  fi
  mkdir -p "$drivers"
  cp "$dir.tmp${pmds#"$dir"}"/librte_net_vhost.so.23* "$dir.tmp${pmds#"$dir"}"/librte_mempool_ring.so.23* "$drivers/"
  chmod -R go-w "$drivers"
  echo "fetch-dpdk: $bad is world-writable: drivers copied to $drivers" >&2
fi
{
  echo "DPDK_LD_LIBRARY_PATH=$lib"
  echo "DPDK_PMD_VHOST=$drivers/librte_net_vhost.so.23"
  echo "DPDK_PMD_MEMPOOL=$drivers/librte_mempool_ring.so.23"
  echo "DPDK_VERSION=$version"
} >"$dir.tmp/env"
rm -rf "$dir" && mv "$dir.tmp" "$dir"
echo "fetch-dpdk: $(basename "$pmds"), ${#fetch[@]} packages unpacked into $dir" >&2
