#!/usr/bin/env bash
# e2e.lttng: a clean run recorded with both the JSON writer and LTTng-UST; the two traces must
# hold the same events (same names, same counts) and LTTng must not have discarded any.
# Usage: tests/e2e/lttng-test.sh OUTDIR   (environment as record.sh)
set -uo pipefail
out=${1:?usage: lttng-test.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
export VC_LTTNG=1
bash "$here/record.sh" clean "$out" || { echo "FAIL: record.sh could not run"; exit 1; }
grep -q '^lttng=1$' "$out/result.txt" || { echo "FAIL: LTTng session could not be set up"; exit 1; }
grep -q '^marker=READ-OK$' "$out/result.txt" || { echo "FAIL: guest did not read its bytes"; exit 1; }
babeltrace2 "$out/lttng" >"$out/lttng.txt" 2>"$out/lttng.err" || { echo "FAIL: babeltrace2"; cat "$out/lttng.err"; exit 1; }
if grep -qi 'discarded' "$out/lttng.err"; then echo "FAIL: LTTng discarded events"; exit 1; fi
sed -n 's/.* vconform_backend:\([a-z_]*\): .*/\1/p' "$out/lttng.txt" | sort | uniq -c >"$out/lttng.counts"
sed -n 's/^{"name":"\([a-z_]*\)".*/\1/p' "$out/backend.jsonl" | sort | uniq -c >"$out/json.counts"
if ! diff "$out/json.counts" "$out/lttng.counts"; then
  echo "FAIL: JSON and LTTng traces differ (left JSON, right LTTng)"
  exit 1
fi
echo "ok: JSON and LTTng traces hold the same $(wc -l <"$out/backend.jsonl") events"

# vconform's JSON and CTF readers must see the same events, fields and first values in the two
# traces of this one run (the CTF names carry the provider prefix `vconform_backend:`).
vc=${VC_VCONFORM:-}
if [ -n "$vc" ] && [ -x "$vc" ]; then
  "$vc" events "$out/backend.jsonl" | sed 's/  */ /g' >"$out/json.events"
  "$vc" events "$out/lttng" | sed 's/vconform_backend://; s/  */ /g' >"$out/lttng.events"
  if ! diff "$out/json.events" "$out/lttng.events"; then
    echo "FAIL: vconform reads different events from the JSON and the CTF trace"
    exit 1
  fi
  echo "ok: vconform reads the same events from both traces"
else
  echo "note: vconform reader comparison skipped (no checker binary)"
fi
