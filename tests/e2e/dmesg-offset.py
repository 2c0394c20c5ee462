#!/usr/bin/env python3
"""The clock offset that lines a guest's dmesg up with the back-end's trace of the same run.

Usage: dmesg-offset.py DMESG BACKEND_JSONL
Prints the offset in ns to add to DMESG's boot-relative printk times (what `vconform check
--clock-offset DMESG=NS` takes); on stderr, the bracket it was chosen from. Exit 1 when the two
traces give no consistent bracket (then there is no offset to trust).

The guest's printk times count from its boot; the back-end's `ts` is CLOCK_REALTIME. Two
causal chains of a virtio-rng run bound the offset from both sides, using virtio_ring's pr_debug
lines (the guest must load virtio_ring with dyndbg=+p):
  - the guest logs "Added buffer head H to VQ", then kicks; the back-end pops that chain later:
    offset < pop.ts - add.time, for each pair;
  - the back-end writes the call eventfd (used_notify); the guest's interrupt handler logs
    "virtqueue callback for VQ" later: offset > used_notify.ts - callback.time.
The k-th add is paired with the k-th pop and the k-th callback with the k-th used_notify (one
request in flight at a time), over the first few pairs only (a driver reload or the power-off can
leave an unmatched one at the end). The offset printed is the middle of the tightest bracket.
"""
import json
import re
import sys

PAIRS = 8
TIME = re.compile(r"^(?:<\d+>)?\[\s*(\d+)\.(\d{6})\] (.*)$")


def dmesg_times(path):
    adds, callbacks = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TIME.match(line.rstrip("\n"))
            if not m:
                continue
            ns = (int(m.group(1)) * 1000000 + int(m.group(2))) * 1000
            text = m.group(3)
            if text.startswith("Added buffer head "):
                adds.append(ns)
            elif text.startswith("virtqueue callback for "):
                callbacks.append(ns)
    return adds, callbacks


def backend_times(path):
    pops, notifies = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if not isinstance(e, dict) or "ts" not in e:
                continue
            if e.get("name") == "pop":
                pops.append(int(e["ts"]))
            elif e.get("name") == "used_notify":
                notifies.append(int(e["ts"]))
    return pops, notifies


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n")[2], file=sys.stderr)
        return 2
    adds, callbacks = dmesg_times(sys.argv[1])
    pops, notifies = backend_times(sys.argv[2])
    uppers = [p - a for a, p in list(zip(adds, pops))[:PAIRS]]
    lowers = [n - c for c, n in list(zip(callbacks, notifies))[:PAIRS]]
    if not uppers or not lowers:
        print("dmesg-offset: need 'Added buffer head' and 'virtqueue callback' lines in %s "
              "(virtio_ring loaded with dyndbg=+p) and pop/used_notify events in %s"
              % (sys.argv[1], sys.argv[2]), file=sys.stderr)
        return 1
    lo, hi = max(lowers), min(uppers)
    if lo >= hi:
        print("dmesg-offset: no consistent offset: callbacks say > %d ns, adds say < %d ns"
              % (lo, hi), file=sys.stderr)
        return 1
    print((lo + hi) // 2)
    print("dmesg-offset: %d ns, between %d and %d (width %d us, %d+%d pairs)"
          % ((lo + hi) // 2, lo, hi, (hi - lo) // 1000, len(uppers), len(lowers)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
