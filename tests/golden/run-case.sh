#!/usr/bin/env bash
# Runs one golden end-to-end case of the CLI and compares stdout, stderr and the exit code.
#   run-case.sh VCONFORM CASE_DIR        compare
#   VCONFORM_UPDATE=1 run-case.sh ...    rewrite the expectations (then review the diff!)
# A case folder holds `cmd` (the arguments of vconform, one line, shell words, run from the
# repository root; inputs usually live in the folder), `expected.stdout`, `expected.stderr`
# and `expected.exit`.
set -u
vconform=$1
case_dir=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
[ -f "$case_dir/cmd" ] || { echo "no cmd file in $case_dir"; exit 1; }
args=$(grep -v '^#' "$case_dir/cmd" | head -n 1)
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
eval "set -- $args"
"$vconform" "$@" >"$out" 2>"$err"
code=$?
# Output that names this checkout's absolute path differs on every machine (CI clones elsewhere).
if grep -qF "$root/" "$out" "$err"; then
  echo "--- output names the checkout's absolute path $root ($case_dir): print paths as given or relative"
  grep -nF "$root/" "$out" "$err" | head -5
  exit 1
fi
if [ "${VCONFORM_UPDATE:-}" = 1 ]; then
  cp "$out" "$case_dir/expected.stdout"
  cp "$err" "$case_dir/expected.stderr"
  echo "$code" >"$case_dir/expected.exit"
  echo "updated $case_dir (exit $code)"
  exit 0
fi
fail=0
if ! diff -u "$case_dir/expected.stdout" "$out" >/dev/null; then
  echo "--- stdout differs ($case_dir):"; diff -u "$case_dir/expected.stdout" "$out" | head -60; fail=1
fi
if ! diff -u "$case_dir/expected.stderr" "$err" >/dev/null; then
  echo "--- stderr differs ($case_dir):"; diff -u "$case_dir/expected.stderr" "$err" | head -60; fail=1
fi
want=$(cat "$case_dir/expected.exit" 2>/dev/null || echo missing)
if [ "$code" != "$want" ]; then
  echo "--- exit code $code, expected $want ($case_dir)"; fail=1
fi
[ $fail = 0 ] && echo "ok $case_dir"
exit $fail
