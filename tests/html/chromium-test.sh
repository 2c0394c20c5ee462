#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium (Debian's `chromium`) loads the page of a
# golden case, runs its script, and the DOM it dumps must hold the violation, its witness steps,
# the thread lanes, the overview the script drew, and the links back to trace and spec lines; a
# screenshot is kept as an artifact. Then the page of tests/html/hostile.jsonl: no element and
# no script from the trace may exist in the DOM.
#   chromium-test.sh VCONFORM OUT_DIR
# Writes OUT_DIR/report.html, OUT_DIR/report.dom.html, OUT_DIR/report.png (the screenshot),
# OUT_DIR/hostile.html, OUT_DIR/hostile.dom.html. Exit 77 (skipped) when chromium is not
# installed. Every browser run has a time limit: a hang fails the test, it cannot hang CI.
set -u
vconform=$1
out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIP: chromium is not installed (Debian package chromium, in scripts/packages.txt; scripts/test installs it)"
  exit 77
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)  # file:// URLs need an absolute path
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --disable-gpu --no-first-run --no-default-browser-check --disable-extensions
       --disable-dev-shm-usage --user-data-dir="$profile" --run-all-compositor-stages-before-draw
       --virtual-time-budget=3000)
[ "$(id -u)" -eq 0 ] && flags+=(--no-sandbox)  # Chromium refuses to run as root with its sandbox
fail=0
check() {  # check WHAT FILE PATTERN [MIN_COUNT]: at least MIN_COUNT (default 1) matches
  local n
  n=$(grep -o -E -- "$3" "$2" | wc -l)
  if [ "$n" -lt "${4:-1}" ]; then
    echo "FAIL: $1: found $n of '$3' in $2, expected at least ${4:-1}"
    fail=1
  else
    echo "ok: $1 ($n)"
  fi
}
absent() {  # absent WHAT FILE PATTERN
  if grep -q -E -- "$3" "$2"; then
    echo "FAIL: $1: '$3' is in $2:"
    grep -n -o -E -- ".{0,60}$3.{0,60}" "$2" | head -3
    fail=1
  else
    echo "ok: $1"
  fi
}
dump() {  # dump HTML DOM_OUT
  timeout -k 5 60 "$browser" "${flags[@]}" --dump-dom "file://$1" >"$2" 2>"$2.log"
  local rc=$?
  if [ $rc -ne 0 ] || [ ! -s "$2" ]; then
    echo "FAIL: chromium --dump-dom $1 exited $rc (124: timed out); its log:"
    tail -20 "$2.log"
    exit 1
  fi
}

# 1. The golden case's page (tests/golden/check-html), after its script ran.
"$vconform" check traces/vhost-user/enable-race.jsonl --spec specs/vhost-user-frontend.spec \
  --format html="$out/report.html" >/dev/null 2>&1
[ -s "$out/report.html" ] || { echo "FAIL: vconform wrote no $out/report.html"; exit 1; }
dump "$out/report.html" "$out/report.dom.html"
dom=$out/report.dom.html
check "the script ran" "$dom" '<body data-ready="yes"'
check "the overview was drawn (buckets)" "$dom" 'class="overview" data-for="r0-data" data-drawn="[0-9]+"'
check "the overview's time axis (script-made)" "$dom" '<span>event #[0-9]+( \(\+[^)]*\))?</span>' 7
check "the violation" "$dom" '<section class="violation predicted" id="r0-v0" data-rule="vu-enable-before-kick"'
check "its rule and citation" "$dom" 'QEMU 8.2'
check "the witness steps" "$dom" '<tr class="step[^"]*" data-step="[0-9]+"' 2
check "the culprit step" "$dom" '<tr class="step culprit" data-step="1"'
check "thread lanes" "$dom" '<g class="lane" data-thread="[0-9]+">' 3
check "the unordered pair" "$dom" 'class="e-unordered"'
check "a sync edge between lanes" "$dom" 'class="edge e-message"'
check "the witness order" "$dom" 'class="edge e-witness"'
check "links to trace lines" "$dom" '<a class="trace-loc" href="./traces/vhost-user/enable-race.jsonl" data-line="12">' 1
check "a link to the spec line" "$dom" '<a class="spec-loc" href="./specs/vhost-user-frontend.spec" data-line="30">'
check "links to sync lines" "$dom" '<a class="sync-loc" href="./specs/sync/[a-z-]+.sync" data-line="[0-9]+">'
rm -f "$out/report.png"
timeout -k 5 60 "$browser" "${flags[@]}" --hide-scrollbars --window-size=1400,1100 \
  --screenshot="$out/report.png" "file://$out/report.html" >"$out/report.png.log" 2>&1
if [ -s "$out/report.png" ] && [ "$(head -c 4 "$out/report.png" | od -An -c | tr -d ' ')" = '211PNG' ]; then
  echo "ok: screenshot $out/report.png ($(stat -c %s "$out/report.png") bytes)"
else
  echo "FAIL: no screenshot at $out/report.png"; tail -5 "$out/report.png.log"; fail=1
fi

# 2. A trace whose thread names and fields are markup and script: all of it stays text.
"$vconform" check tests/html/hostile.jsonl --spec specs/vhost-user-frontend.spec \
  --format html="$out/hostile.html" >/dev/null 2>&1
dump "$out/hostile.html" "$out/hostile.dom.html"
dom=$out/hostile.dom.html
check "the hostile page's script ran" "$dom" '<body data-ready="yes"'
check "the hostile page's violation" "$dom" 'id="r0-v0"'
absent "no element from the trace: img" "$dom" '<img'
absent "no element from the trace: iframe" "$dom" '<iframe'
absent "no element from the trace: textarea" "$dom" '<textarea'
absent "no svg with a handler" "$dom" '<svg onload'
absent "the trace's script never ran" "$dom" '<title>XSS'
check "the page has its own two scripts only" "$dom" '<script' 2
absent "a third script" "$dom" '(<script.*){3}'
[ "$(grep -o '<script' "$dom" | wc -l)" -eq 2 ] || { echo "FAIL: not exactly 2 scripts in $dom"; fail=1; }
[ $fail = 0 ] && echo "ok: chromium checks ($out)"
exit $fail
