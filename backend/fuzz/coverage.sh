#!/usr/bin/env bash
# Line and region coverage of the back-end library reached by a fuzz target's inputs (llvm-cov).
# Builds the target's replay driver with clang source-based coverage in a separate build tree,
# replays the given corpus directories (and, with --random N, N generated inputs), and prints
# llvm-cov's report for the library files.
#   backend/fuzz/coverage.sh backend-protocol backend/fuzz/corpus/backend-protocol
#   backend/fuzz/coverage.sh backend-ring backend/fuzz/corpus/backend-ring --random 0
# Environment: VC_COV_BUILD (build tree; default build-fuzz-cov), LLVM_SUFFIX (-14).
set -euo pipefail
target=${1:?usage: coverage.sh TARGET CORPUS_DIR... [--random N]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${VC_COV_BUILD:-$root/build-fuzz-cov}
sfx=${LLVM_SUFFIX:--14}
flags="-fprofile-instr-generate -fcoverage-mapping"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DVCONFORM_WITH_LTTNG=OFF ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
ninja -C "$build" "replay-$target" >/dev/null
prof=$(mktemp -d)
trap 'rm -rf "$prof"' EXIT
random=0
dirs=()
while [ $# -gt 0 ]; do
  case $1 in
    --random) random=$2; shift 2 ;;
    *) dirs+=("$1"); shift ;;
  esac
done
LLVM_PROFILE_FILE="$prof/%p.profraw" "$build/backend/replay-$target" --random "$random" "${dirs[@]}"
"llvm-profdata$sfx" merge -sparse "$prof"/*.profraw -o "$prof/merged.profdata"
lib=$root/backend/lib
"llvm-cov$sfx" report "$build/backend/replay-$target" -instr-profile="$prof/merged.profdata" \
  "$lib/server.cc" "$lib/protocol.cc" "$lib/guest-memory.cc" "$lib/sigbus-guard.cc" "$lib/split-queue.cc"
