#!/usr/bin/env python3
"""The clock offset that lines a guest's dmesg up with the back-end's trace of the same run.

Usage: dmesg-offset.py DMESG BACKEND_JSONL
Prints the offset in ns to add to DMESG's boot-relative printk times (what `vconform check
--clock-offset DMESG=NS` takes); on stderr, the bracket it was chosen from. Exit 1 when the traces
hold no request to align on.

The guest's printk times count from its boot; the back-end's `ts` is CLOCK_REALTIME. The k-th
request of a virtio-rng run (one in flight at a time) bounds the offset from both sides, through
virtio_ring's pr_debug lines (the guest must load virtio_ring with dyndbg=+p):
  - the guest logs "Added buffer head H to VQ", then makes the buffer available and kicks; the
    back-end's `pop` of it is recorded after it read the avail ring:
    offset < pop.ts - add.time;
  - the `pop` is recorded before the back-end publishes the used element, and the guest logs
    "virtqueue callback for VQ" only once it sees that element:
    offset > pop.ts - callback.time.
(`add_used` and `used_notify` are recorded after the publish and the eventfd write: they bound
nothing, a loaded host delays them past the guest's callback.) The k-th add, pop and callback
belong together; only the first few requests are used (a driver reload or the power-off can
leave an unmatched one at the end), and only while their brackets overlap (the guest's clock
rate is a few ppm off). The offset printed is the middle of the bracket they leave.
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


def backend_pops(path):
    pops = []
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
    return pops


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n")[2], file=sys.stderr)
        return 2
    adds, callbacks = dmesg_times(sys.argv[1])
    pops = backend_pops(sys.argv[2])
    requests = list(zip(adds, callbacks, pops))
    if not requests:
        print("dmesg-offset: need 'Added buffer head' and 'virtqueue callback' lines in %s "
              "(virtio_ring loaded with dyndbg=+p) and pop events in %s"
              % (sys.argv[1], sys.argv[2]), file=sys.stderr)
        return 1
    # Each request brackets the offset on its own (its callback comes after its add). The guest's
    # clock runs at a rate a few ppm off the host's (its TSC is calibrated under TCG), so requests
    # far apart can disagree by microseconds: intersect the brackets of the first requests while
    # they agree.
    lo, hi, used = None, None, 0
    for add, callback, pop in requests[:PAIRS]:
        l, h = pop - callback, pop - add
        if used and (max(lo, l) >= min(hi, h)):
            break
        lo, hi = (l, h) if not used else (max(lo, l), min(hi, h))
        used += 1
    print((lo + hi) // 2)
    print("dmesg-offset: %d ns, between %d and %d (width %d us, %d of %d requests)"
          % ((lo + hi) // 2, lo, hi, (hi - lo) // 1000, used, len(requests)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
