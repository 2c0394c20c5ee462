#!/usr/bin/env python3
"""Self-test of the acceptance suite's judge (accept.py), without QEMU: the suite is only as good
as its comparison of a verdict with the intended one, so a bug there (every check "passes", a
known-wrong line excusing more than it says) must fail ctest. Also checks that the shipped
configs.txt and known-wrong.txt keep the promises of tests/e2e/acceptance/README.md: at least 10
clean configurations, one per --fault flag of the back-end, each naming the rule it breaks, and a
reason on every known-wrong line.

Usage: selftest.py (exit 0: all good; 1: a failure, printed).
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accept  # noqa: E402

failures = []


def expect(what, got, want):
    if got != want:
        failures.append("%s: got %r, want %r" % (what, got, want))


def outcome(rc, rules=None, inconclusive=0, stderr=""):
    report = {"violations": [{"rule": r, "kind": k} for r, ks in (rules or {}).items() for k in ks],
              "inconclusive": [{}] * inconclusive, "summary": {"events": 10}}
    return accept.outcome(rc, report, stderr)


APPLIES = {"applies": True, "rules": {"vu-enable-before-kick": ("observed", False)}}
CLEAN = {"applies": True, "rules": {}}
NOT_APPLICABLE = {"applies": False, "rules": {}}
NA_STDERR = ("vconform: error: no rule of the spec was exercised: none of the 8 events read gave a "
             "rule something to judge, so the spec does not apply to this trace [spec-not-applicable]\n")


def test_compare():
    c = accept.compare
    expect("the intended violation", c(APPLIES, outcome(1, {"vu-enable-before-kick": ["observed"]})), [])
    expect("observed and predicted both reported", c(APPLIES, outcome(
        1, {"vu-enable-before-kick": ["observed", "predicted"]})), [])
    expect("a spurious violation", c(APPLIES, outcome(
        1, {"vu-enable-before-kick": ["observed"], "vu-start": ["predicted"]})), ["+vu-start:predicted"])
    expect("a missed violation", c(APPLIES, outcome(0)), ["-vu-enable-before-kick"])
    expect("observed wanted, predicted given", c(APPLIES, outcome(
        1, {"vu-enable-before-kick": ["predicted"]})), ["~vu-enable-before-kick:predicted"])
    want_pred = {"applies": True, "rules": {"vu-enable": ("predicted", False)}}
    expect("predicted wanted, observed given", c(want_pred, outcome(1, {"vu-enable": ["observed"]})),
           ["~vu-enable:observed"])
    expect("any kind", c({"applies": True, "rules": {"vu-stop": ("any", False)}},
                         outcome(1, {"vu-stop": ["predicted"]})), [])
    optional = {"applies": True, "rules": {"vu-stop": ("predicted", True)}}
    expect("an optional violation absent", c(optional, outcome(0)), [])
    expect("an optional violation present", c(optional, outcome(1, {"vu-stop": ["predicted"]})), [])
    expect("an optional violation of the wrong kind", c(optional, outcome(1, {"vu-stop": ["observed"]})),
           ["~vu-stop:observed"])
    expect("a clean check", c(CLEAN, outcome(0)), [])
    expect("exit 1 without a violation", c(CLEAN, outcome(1)), ["exit=1"])
    expect("exit 2 where the spec applies", c(CLEAN, outcome(2, stderr=NA_STDERR)), ["exit=2"])
    expect("an inconclusive prediction", c(CLEAN, outcome(0, inconclusive=1)), ["inconclusive"])
    expect("the spec does not apply", c(NOT_APPLICABLE, outcome(2, stderr=NA_STDERR)), [])
    expect("a silent pass", c(NOT_APPLICABLE, outcome(0)), ["exit=0"])
    expect("a breaks= rule where the spec does not apply", c(
        {"applies": False, "rules": {"vu-enable-before-kick": ("observed", False)}}, outcome(2, stderr=NA_STDERR)), [])
    other = "t.jsonl:3:1: error: trace says it lost 4 events [lost-events]\n"
    expect("exit 2 for another reason", c(NOT_APPLICABLE, outcome(2, stderr=other)), ["error=lost-events"])
    expect("exit 2 with no diagnostic", c(NOT_APPLICABLE, outcome(2)), ["error=none"])
    disjoint = "vconform: warning: a.jsonl and b.log do not overlap in time [trace-runs-disjoint]\n"
    expect("traces taken as two runs", c(CLEAN, outcome(0, stderr=disjoint)), ["warning=trace-runs-disjoint"])
    harmless = "vconform: warning: 3 lines matched no pattern [unmatched-lines]\n"
    expect("another warning", c(CLEAN, outcome(0, stderr=harmless)), [])


def test_known_wrong():
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("# comment\n\n"
                "status/json/*     +virtio-2.1.2-backend:observed   a reason\n"
                "*/merged/all      +vu-start:*,-vu-enable          another reason\n")
        path = f.name
    try:
        k = accept.KnownWrong(path)
    finally:
        os.unlink(path)
    expect("entries read", len(k.entries), 2)
    got = k.match("status/json/all", ["+virtio-2.1.2-backend:observed"])
    expect("a listed deviation", [e["line"] for e in (got or [])], [3])
    expect("a deviation of another kind", k.match("status/json/all", ["+virtio-2.1.2-backend:predicted"]), None)
    expect("one listed, one not", k.match("status/json/all", ["+virtio-2.1.2-backend:observed", "exit=2"]), None)
    expect("another check id", k.match("status/ctf/all", ["+virtio-2.1.2-backend:observed"]), None)
    expect("globbed tokens", [e["line"] for e in k.match("clean/merged/all", ["+vu-start:predicted", "-vu-enable"]) or []], [4])


# Faults of the back-end that break rules about data (issue 11) no shipped spec states yet. Their
# recordings are in traces/backend/ (traces/README.md says which rule each awaits). None now:
# vring-base-off-by-one breaks vu-vring-base, used-len-exceeds-writable virtio-2.7.8-used-len.
AWAITING_RULE = {
}


def test_shipped_files():
    configs = accept.read_configs()
    clean = [c for c in configs.values() if c.mode == "clean"]
    if len(clean) < 10:
        failures.append("configs.txt: %d clean configurations, want at least 10" % len(clean))
    for c in clean:
        if c.marker != "READ-OK":
            failures.append("configs.txt:%d: clean run %s does not read its bytes" % (c.line, c.name))
    # Every --fault flag of the back-end (backend/lib/faults.h) has a run that must be caught.
    with open(os.path.join(accept.ROOT, "backend", "lib", "faults.h"), encoding="utf-8") as f:
        text = f.read()
    names = re.search(r"kFaultNames\[\]\s*=\s*\{([^}]*)\}", text)
    flags = re.findall(r'"([a-z-]+)"', names.group(1)) if names else []
    if not flags:
        failures.append("backend/lib/faults.h: no kFaultNames")
    for flag in flags:
        runs = [c for c in configs.values() if c.mode == flag]
        if flag in AWAITING_RULE:
            # A fault whose rule is not shipped yet has no run here (its verdict would be "holds"):
            # add one naming the rule, and drop the flag from AWAITING_RULE, once the rule exists.
            if runs:
                failures.append("configs.txt: --fault=%s has a run: remove it from AWAITING_RULE in selftest.py" % flag)
            continue
        if not runs:
            failures.append("configs.txt: no run of --fault=%s" % flag)
        for c in runs:
            if not any(not opt for r, (kind, opt) in c.breaks.items() if r != "vu-enable-before-kick"):
                failures.append("configs.txt:%d: %s names no rule that the fault must break" % (c.line, c.name))
    k = accept.KnownWrong(accept.KNOWN_WRONG)
    for e in k.entries:
        if len(e["reason"].split()) < 3:
            failures.append("known-wrong.txt:%d: say why the verdict is wrong" % e["line"])


def main():
    test_compare()
    test_known_wrong()
    test_shipped_files()
    for f in failures:
        print("FAIL " + f)
    print("acceptance self-test: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
