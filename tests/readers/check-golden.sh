#!/bin/sh
# Golden test of `vconform check` on recorded sources: check-golden.sh VCONFORM EXPECT ROOT ARGS...
# Runs `VCONFORM check ARGS...` in ROOT (paths relative to it, so the output does not depend on
# the checkout) and compares "exit: N" + stdout + stderr with EXPECT. VCONFORM_REGEN=1 rewrites
# EXPECT (review the diff: it changes whenever the specs or the report format change).
set -u
tool=$1; expect=$2; root=$3; shift 3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# stdout, then stderr: captured apart, so where a diagnostic lands does not depend on when stdout
# was flushed.
(cd "$root" && "$tool" check "$@" >"$out.body" 2>"$out.err"; echo "exit: $?" >"$out"; cat "$out.body" "$out.err" >>"$out"
 rm -f "$out.body" "$out.err")
if [ "${VCONFORM_REGEN:-0}" = 1 ]; then cp "$out" "$expect"; echo "regenerated $expect"; exit 0; fi
diff -u "$expect" "$out"
