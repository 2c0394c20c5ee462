#!/bin/sh
# Reader benchmarks (docs/performance.md, "Trace readers"): bench/readers/run.sh BUILD_DIR [WORKDIR]
# 1. text: a 200 MB QEMU-trace-shaped log through the 20-pattern map, best of 3 (single-threaded);
# 2. CTF: a 2,000,004-event LTTng trace (recorded here with lttng-tools) read by vconform and by
#    `babeltrace2 --output-format=dummy`, user CPU time, best of 3 each; then `vconform check` on
#    it with -j 1 and -j 2 (needs BUILD_DIR/checker/vconform).
set -eu
build=$1; work=${2:-/tmp/vconform-bench-readers}
here=$(cd "$(dirname "$0")" && pwd)
tool="$build/bench/readers/vconform_read_bench"
mkdir -p "$work"
[ -f "$work/bench.log" ] || python3 "$here/make-text-log.py" "$work/bench.log" 200
echo "== text, 20-pattern map"
"$tool" --map "$here/bench-20.map.json" --repeat 3 "$work/bench.log" 2>&1 | tail -n 1
echo "== text, shipped qemu map"
"$tool" --format qemu --repeat 3 "$work/bench.log" 2>&1 | tail -n 1
if [ ! -f "$work/dmesg.txt" ]; then
  # The real guest dmesg's timestamped lines, repeated with rising times to 100 MB.
  python3 - "$here/../../tests/data/readers/guest-run/dmesg.txt" "$work/dmesg.txt" <<'PY'
import sys
src = [l for l in open(sys.argv[1], errors="replace").read().splitlines() if l.startswith("[")]
out, n, t = open(sys.argv[2], "w"), 0, 0.0
while n < 100e6:
    for l in src:
        t += 0.000013
        s = "[%12.6f]%s\n" % (t, l[l.index("]") + 1:])
        out.write(s)
        n += len(s)
PY
fi
echo "== dmesg (100 MB), shipped dmesg map; then 20 unanchored patterns; each with and without Hyperscan"
"$tool" --format dmesg --repeat 3 "$work/dmesg.txt" 2>&1 | tail -n 1
VCONFORM_NO_HYPERSCAN=1 "$tool" --format dmesg --repeat 3 "$work/dmesg.txt" 2>&1 | tail -n 1
"$tool" --map "$here/bench-20-dmesg.map.json" --repeat 3 "$work/dmesg.txt" 2>&1 | tail -n 1
VCONFORM_NO_HYPERSCAN=1 "$tool" --map "$here/bench-20-dmesg.map.json" --repeat 3 "$work/dmesg.txt" 2>&1 | tail -n 1
if [ ! -d "$work/ctf" ]; then
  "$here/../../tests/readers/record-lttng.sh" "$build/tests/readers/vconform_lttng_test_app" "$work/ctf" 1000000 4M 8
fi
best() { sort -n | head -n 1; }
echo "== CTF, user CPU seconds (best of 3)"
bt=$(for i in 1 2 3; do /usr/bin/time -f %U babeltrace2 "$work/ctf" --output-format=dummy 2>&1 >/dev/null | tail -n 1; done | best)
vc=$(for i in 1 2 3; do /usr/bin/time -f %U "$tool" "$work/ctf" 2>&1 >/dev/null | tail -n 1; done | best)
echo "babeltrace2 --output-format=dummy: $bt s"
echo "vconform CTF reader:               $vc s"
python3 -c "print('ratio: %.2f' % ($vc / $bt))"
# The whole check (bench/readers/ctf-bench.spec: one rule over every event), reading on the
# checking thread (-j 1) and on a thread of its own (-j 2): user CPU and elapsed, best of 3 each.
spec="$here/ctf-bench.spec"
for j in 1 2; do
  t=$(for i in 1 2 3; do /usr/bin/time -f "%U %e" "$build/checker/vconform" check "$work/ctf" --spec "$spec" --order recorded -j $j 2>&1 >/dev/null | tail -n 1; done | sort -n | head -n 1)
  echo "vconform check --order recorded -j $j: user, elapsed: $t s"
done
btw=$(for i in 1 2 3; do /usr/bin/time -f %e babeltrace2 "$work/ctf" --output-format=dummy 2>&1 >/dev/null | tail -n 1; done | best)
echo "babeltrace2 --output-format=dummy elapsed: $btw s"
