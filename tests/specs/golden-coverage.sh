#!/usr/bin/env bash
# Every rule of the rule library has a golden case that holds it and one that breaks it:
# tests/golden/spec-<rule-id>-holds and tests/golden/spec-<rule-id>-breaks (each with a cmd), and
# the -breaks case's expected output names that rule; the -holds case exits 0 and exercises it.
#   golden-coverage.sh VCONFORM
set -uo pipefail
vconform=${1:?usage: golden-coverage.sh VCONFORM}
cd "$(dirname "$0")/../.." || exit 2
specs=(specs/virtio.spec specs/virtio-snd.spec specs/virtio-rng.spec specs/virtio-vsock.spec specs/vhost-user.spec specs/virtio-fs.spec specs/vhost-user-frontend.spec)
ids=$("$vconform" rules "${specs[@]}" --format json | sed -n 's/^ *"id": "\(.*\)",$/\1/p') || { echo "FAIL: vconform rules"; exit 1; }
[ -n "$ids" ] || { echo "FAIL: no rule ids read from ${specs[*]}"; exit 1; }
fail=0 n=0
for id in $ids; do
  n=$((n + 1))
  for kind in holds breaks; do
    d=tests/golden/spec-$id-$kind
    [ -f "$d/cmd" ] || { echo "FAIL: rule $id has no golden case $d"; fail=1; continue; }
    if [ "$kind" = breaks ] && ! grep -q "violation of $id " "$d/expected.stdout" 2>/dev/null; then
      echo "FAIL: $d does not show $id broken"; fail=1
    fi
    if [ "$kind" = holds ] && [ "$(cat "$d/expected.exit" 2>/dev/null)" != 0 ]; then
      echo "FAIL: $d does not exit 0"; fail=1
    fi
    # A rule that saw nothing has not held: the holds case must exercise its rule.
    if [ "$kind" = holds ] && grep -q "^NOT EXERCISED $id " "$d/expected.stdout" 2>/dev/null; then
      echo "FAIL: $d does not exercise $id (it is reported NOT EXERCISED)"; fail=1
    fi
  done
done
[ $fail = 0 ] && echo "ok: $n rules, each with a holds and a breaks golden case"
exit $fail
