#!/bin/sh
# Records an LTTng-UST trace of the test program: record-lttng.sh APP OUTDIR [N] [SUBBUF] [NSUBBUF].
# Uses a running lttng-sessiond if there is one, else starts one and stops it afterwards (by its
# pid). Exit 77 (ctest: skipped) when LTTng cannot run here.
set -eu
app=$1; out=$2; n=${3:-100}; subbuf=${4:-8K}; nsub=${5:-8}
command -v lttng >/dev/null 2>&1 || { echo "lttng not installed"; exit 77; }
session="vconform-test-$$"
started=""
if ! lttng list >/dev/null 2>&1; then
  lttng-sessiond --daemonize --no-kernel >/dev/null 2>&1 || { echo "cannot start lttng-sessiond"; exit 77; }
  started=yes
  i=0; until lttng list >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 100 ] && { echo "sessiond not ready"; exit 77; }; sleep 0.05; done
fi
cleanup() {
  lttng destroy "$session" >/dev/null 2>&1 || true
  if [ -n "$started" ] && [ -f /var/run/lttng/lttng-sessiond.pid ]; then
    kill -TERM "$(cat /var/run/lttng/lttng-sessiond.pid)" 2>/dev/null || true
  fi
}
trap cleanup EXIT
rm -rf "$out"
lttng create "$session" --output="$out" >/dev/null
lttng enable-channel -u -s "$session" --buffers-uid --subbuf-size="$subbuf" --num-subbuf="$nsub" ch >/dev/null
lttng enable-event -u -s "$session" -c ch 'vconform_test:*' >/dev/null
lttng add-context -u -s "$session" -c ch -t vtid -t vpid -t procname >/dev/null
lttng start "$session" >/dev/null
"$app" "$n"
lttng stop "$session" >/dev/null
lttng destroy "$session" >/dev/null
chmod -R a+rX "$out"
echo "recorded $out"
