#!/usr/bin/env python3
"""Did a process-outside-lock run open the race window vconform predicts vu-enable from?

Usage: race-window.py BACKEND.jsonl   (exit 0: yes, 1: no)

The back-end's --fault=process-outside-lock processes a ring after dropping its lock. vconform
can only predict vu-enable (a buffer taken while the ring is disabled) when the worker's last pass
before the first SET_VRING_ENABLE(0) -- the pass whose ring_release the ring_disable synchronises
with (specs/sync/backend.sync) -- took a buffer after that release. Whether the guest had a buffer
pending then depends on the run; a run that missed the window must get no vu-enable.
"""
import json
import sys


def race_window(path):
    ev = [json.loads(line) for line in open(path, encoding="utf-8") if line.startswith('{"name"')]
    dis = next((i for i, e in enumerate(ev) if e["name"] == "ring_disable"), None)
    if dis is None:
        return False
    v = ev[dis]["fields"]["vring"]
    rel = [i for i, e in enumerate(ev[:dis]) if e["name"] == "ring_release" and e["fields"]["vring"] == v]
    if not rel:
        return False
    tid = ev[rel[-1]]["tid"]
    for e in ev[rel[-1] + 1:]:
        if e["tid"] != tid:
            continue
        if e["name"] == "ring_observe":
            return False
        if e["name"] == "pop" and e["fields"]["vring"] == v:
            return True
    return False


if __name__ == "__main__":
    sys.exit(0 if race_window(sys.argv[1]) else 1)
