#!/usr/bin/env bash
# `vconform lint specs/*.spec` must be clean: exit 0 (1 = warnings, 2 = errors). All spec files are
# linted together, so rule ids must also be unique across them.
#   lint.sh VCONFORM
set -u
vconform=${1:?usage: lint.sh VCONFORM}
cd "$(dirname "$0")/../.." || exit 2
"$vconform" lint specs/*.spec
code=$?
[ "$code" = 0 ] || echo "FAIL: vconform lint specs/*.spec exited $code (0 = clean, 1 = warnings, 2 = errors)"
exit "$code"
