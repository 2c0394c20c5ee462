#!/usr/bin/env bash
# The reports CI systems read, written by real checks with several formats in one run:
#   ci-reports.sh VCONFORM shape    every report is written, each to its file, and says why when
#                                   there is no verdict (a JUnit error, SARIF
#                                   executionSuccessful false + notifications, JSON "error")
#   ci-reports.sh VCONFORM schema   the same reports validated against the SARIF 2.1.0 JSON schema
#                                   (python3-jsonschema) and the JUnit schema of Jenkins' xUnit
#                                   plugin (junit-10.xsd, xmllint). The schemas are not in this
#                                   repository (third-party files): VCONFORM_SARIF_SCHEMA and
#                                   VCONFORM_JUNIT_XSD name local copies; without them the test is
#                                   skipped (exit 77).
set -u
vconform=$1
mode=${2:-shape}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# name | expected exit | arguments (shell words)
cases=(
  "predicted|1|traces/vhost-user/enable-race.jsonl --spec specs/vhost-user-frontend.spec"
  "holds|0|traces/vhost-user/enable-race-fixed.jsonl --spec specs/vhost-user-frontend.spec"
  "observed-merged|1|traces/backend/drop-kick-when-disabled/backend.jsonl traces/backend/drop-kick-when-disabled/qemu-trace.log --spec specs/vhost-user.spec"
  "each-no-verdict|2|--each traces/backend/clean/backend.jsonl traces/virtio-snd/pcm-lifecycle.jsonl --spec specs/vhost-user.spec"
  "missing-spec|2|traces/vhost-user/enable-race.jsonl --spec $work/nosuch.spec"
  "bad-trace|2|tests/golden/bad-json-line/trace.jsonl --spec tests/golden/common/ab.spec"
  "not-applicable|2|traces/virtio-snd/pcm-lifecycle.jsonl --spec specs/vhost-user.spec"
)
for c in "${cases[@]}"; do
  IFS='|' read -r name want args <<<"$c"
  d=$work/$name
  mkdir -p "$d"
  eval "set -- $args"
  "$vconform" check "$@" --format text --format "junit=$d/report.xml" --format "sarif=$d/vconform.sarif" \
    --format "json=$d/report.json" >"$d/stdout" 2>"$d/stderr"
  code=$?
  [ "$code" = "$want" ] || bad "$name: exit $code, expected $want ($(head -3 "$d/stderr"))"
  for f in report.xml vconform.sarif report.json; do
    [ -s "$d/$f" ] || bad "$name: $f was not written"
  done
done

if [ "$mode" = shape ]; then
  py=/usr/bin/python3
  for c in "${cases[@]}"; do
    IFS='|' read -r name want _ <<<"$c"
    d=$work/$name
    [ -s "$d/report.json" ] || continue
    "$py" - "$d" "$want" "$name" <<'EOF' || fail=1
import json, sys, xml.etree.ElementTree as ET
d, want, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
errs = []
j = json.load(open(d + "/report.json"))
runs = j.get("runs", [j])
verdicts = [r["summary"]["verdict"] for r in runs]
s = json.load(open(d + "/vconform.sarif"))
ok = [inv["executionSuccessful"] for r in s["runs"] for inv in r["invocations"]]
x = ET.parse(d + "/report.xml").getroot()
errors = int(x.get("errors"))
if want == 2:
    if "error" not in verdicts: errs.append(f"JSON verdicts {verdicts} have no 'error'")
    if all(ok): errs.append("SARIF says every execution was successful")
    notes = [n for r in s["runs"] for inv in r["invocations"] for n in inv.get("toolExecutionNotifications", [])
             if n["level"] == "error"]
    if not notes: errs.append("SARIF has no error notification")
    if errors < 1: errs.append("JUnit has no error")
    if not any(r.get("diagnostics") for r in runs): errs.append("JSON has no diagnostics")
else:
    if "error" in verdicts: errs.append(f"JSON verdicts {verdicts}")
    if not all(ok): errs.append("SARIF says an execution failed")
    if errors: errs.append(f"JUnit errors={errors}")
    failures = int(x.get("failures"))
    results = sum(len(r["results"]) for r in s["runs"])
    if want == 1 and (failures < 1 or results < 1): errs.append(f"failures={failures} results={results}")
    if want == 0 and (failures or results): errs.append(f"failures={failures} results={results}")
for e in errs: print(f"FAIL: {name}: {e}")
sys.exit(1 if errs else 0)
EOF
  done
  # The text report went to standard output, the others to their files only.
  grep -q "^PREDICTED violation of vu-enable-before-kick" "$work/predicted/stdout" || bad "predicted: no text report on stdout"
  [ "$fail" = 0 ] && echo "ok: ${#cases[@]} checks, each writing text, JUnit, SARIF and JSON reports"
  exit $fail
fi

# schema
sarif=${VCONFORM_SARIF_SCHEMA:-}
xsd=${VCONFORM_JUNIT_XSD:-}
if [ -z "$sarif" ] || [ ! -f "$sarif" ] || [ -z "$xsd" ] || [ ! -f "$xsd" ]; then
  echo "skipped: set VCONFORM_SARIF_SCHEMA (sarif-schema-2.1.0.json) and VCONFORM_JUNIT_XSD (Jenkins xUnit junit-10.xsd)"
  exit 77
fi
for c in "${cases[@]}"; do
  IFS='|' read -r name _ _ <<<"$c"
  d=$work/$name
  xmllint --noout --schema "$xsd" "$d/report.xml" 2>"$d/xmllint" || { bad "$name: JUnit: $(head -3 "$d/xmllint")"; }
done
/usr/bin/python3 - "$sarif" "$work"/*/vconform.sarif <<'EOF' || fail=1
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
bad = 0
for f in sys.argv[2:]:
    for e in sorted(v.iter_errors(json.load(open(f))), key=lambda e: list(e.path))[:5]:
        print(f"FAIL: {f}: {list(e.path)}: {e.message[:300]}")
        bad = 1
sys.exit(bad)
EOF
[ "$fail" = 0 ] && echo "ok: ${#cases[@]} JUnit reports valid against $(basename "$xsd"), SARIF against $(basename "$sarif")"
exit $fail
