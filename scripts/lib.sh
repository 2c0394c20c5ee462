# Shared by scripts/demo and scripts/test: install what is missing, then configure and build.
# Usage: source scripts/lib.sh; vc_install_deps; vc_build BUILD_DIR [cmake args...]
set -euo pipefail
VC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

vc_install_deps() {
  # shellcheck disable=SC2046
  vc_install_packages $(grep -v '^\s*#' "$VC_ROOT/scripts/packages.txt" | awk 'NF{print $1}')
}

# Installs the Debian packages named that are missing.
vc_install_packages() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "vconform: installing missing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

vc_build() {
  local dir=$1; shift
  cmake -S "$VC_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
