#!/bin/sh
# Golden test of the readers: golden.sh TOOL EXPECT_FILE DATA_DIR ARGS...
# Runs `TOOL --merge --dump ARGS...` in DATA_DIR and compares stdout with EXPECT_FILE.
# VCONFORM_REGEN=1 rewrites EXPECT_FILE instead (review the diff before committing).
set -eu
tool=$1; expect=$2; dir=$3; shift 3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
(cd "$dir" && "$tool" --merge --dump "$@") >"$out"
if [ "${VCONFORM_REGEN:-0}" = 1 ]; then cp "$out" "$expect"; echo "regenerated $expect"; exit 0; fi
diff -u "$expect" "$out"
