#!/usr/bin/env python3
"""The real-runs acceptance suite: record a configuration of the back-end with every recorder,
then check each recording with every shipped spec alone and all merged, over each recorder's trace
alone and the recorders merged, and compare each verdict with the intended one.

Usage:
  accept.py run NAME OUTDIR      record configuration NAME (configs.txt) into OUTDIR, then check it
  accept.py check NAME OUTDIR    check an existing recording of configuration NAME in OUTDIR
  accept.py names                the configuration names, one a line
Environment: VC_VCONFORM (the vconform binary; default build*/checker/vconform), VC_ACCEPT_CTF
(1: a recording without its LTTng trace fails; 0: the CTF checks are skipped when it is missing;
default: skipped), and record.sh's (VC_BACKEND, VC_E2E_CACHE, ...).

What each check must give (the INTENDED verdicts, not today's):
  - the spec does not apply (none of its rules names an event the traces hold and has an event
    from every source it needs among them): exit 2 with the spec-not-applicable error;
  - else the violations are exactly the configuration's `breaks=` rules that the spec holds and
    whose sources the traces record (kind as given; a source of another back-end, dpdk or
    virtiofsd, is an alternative this suite never needs), exit 1; none of them: exit 0, every
    rule holds;
  - the CTF trace gives the same verdict as the JSON one (same exit, rules and kinds, same number of
    events).
A check that deviates is a failure, unless tests/e2e/acceptance/known-wrong.txt lists its id with
that deviation (a checker bug being fixed): then it is reported as KNOWN-WRONG and does not fail.
Every check leaves its report in OUTDIR/checks/ (ID.json and ID.stderr; ID.txt, the text report,
for each check that did not pass), and OUTDIR/summary.txt lists every verdict.
"""
import fnmatch
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from importlib import import_module  # noqa: E402
race_window = import_module("race-window").race_window  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CONFIGS = os.path.join(HERE, "configs.txt")
KNOWN_WRONG = os.path.join(HERE, "known-wrong.txt")
SPECS = sorted(glob.glob(os.path.join(ROOT, "specs", "*.spec")))

# Which source each recorder's trace records (the `sources` clauses of the specs' events).
RECORDER_SOURCE = {"json": "backend", "ctf": "backend", "qemu": "qemu-log", "dmesg": "dmesg"}
# Sources of other back-ends (specs/maps/: QEMU's virtiofsd, DPDK): a rule lists them next to
# `backend` where their logs give the same event; this suite records the project's back-end only,
# so they are alternatives it never needs.
OTHER_BACKENDS = {"dpdk", "virtiofsd"}
# The merged check: the back-end's JSON trace, QEMU's log and the guest's dmesg of one run.
MERGED = ("json", "qemu", "dmesg")


class Config:
    def __init__(self, name, mode, env, marker, breaks, line):
        self.name, self.mode, self.env, self.marker, self.breaks, self.line = \
            name, mode, env, marker, breaks, line


def die(msg):
    print("accept: " + msg, file=sys.stderr)
    sys.exit(2)


def read_configs():
    configs = {}
    with open(CONFIGS, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            try:
                words = shlex.split(raw, comments=True)
            except ValueError as e:
                die("%s:%d: %s" % (CONFIGS, n, e))
            if not words:
                continue
            if len(words) < 2:
                die("%s:%d: want NAME MODE [VAR=VALUE]... breaks=..." % (CONFIGS, n))
            name, mode, env, marker, breaks = words[0], words[1], {}, "READ-OK", None
            for w in words[2:]:
                key, eq, value = w.partition("=")
                if not eq:
                    die("%s:%d: '%s' is not VAR=VALUE" % (CONFIGS, n, w))
                if key == "breaks":
                    breaks = {}
                    for item in value.split(","):
                        rule, _, kind = item.partition(":")
                        optional = rule.startswith("?")
                        rule = rule.lstrip("?")
                        if kind not in ("observed", "predicted", "any"):
                            die("%s:%d: '%s': the kind is observed, predicted or any" % (CONFIGS, n, item))
                        breaks[rule] = (kind, optional)
                elif key == "marker":
                    marker = value
                else:
                    env[key] = value
            if breaks is None:
                die("%s:%d: no breaks= (say which rules the run breaks)" % (CONFIGS, n))
            if name in configs:
                die("%s:%d: configuration '%s' twice" % (CONFIGS, n, name))
            configs[name] = Config(name, mode, env, marker, breaks, n)
    return configs


class KnownWrong:
    """known-wrong.txt: `CHECK-ID-GLOB  DEVIATION[,DEVIATION...]  REASON`."""

    def __init__(self, path):
        self.entries = []
        if not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(None, 2)
                if len(parts) < 3:
                    die("%s:%d: want CHECK-ID-GLOB DEVIATION[,DEVIATION...] REASON" % (path, n))
                self.entries.append({"glob": parts[0], "tokens": parts[1].split(","),
                                     "reason": parts[2], "line": n, "used": False})

    def match(self, check_id, deviations):
        """The entries that excuse every deviation of the check, or None."""
        entries = [e for e in self.entries if fnmatch.fnmatchcase(check_id, e["glob"])]
        used = []
        for d in deviations:
            hit = [e for e in entries if any(fnmatch.fnmatchcase(d, t) for t in e["tokens"])]
            if not hit:
                return None
            used.extend(e for e in hit if e not in used)
        return used


class Checker:
    def __init__(self, vconform, config, outdir, known):
        self.vc, self.cfg, self.out, self.known = vconform, config, outdir, known
        self.checks_dir = os.path.join(outdir, "checks")
        os.makedirs(self.checks_dir, exist_ok=True)
        self.lines, self.failures, self.known_wrong, self.passed = [], 0, 0, 0
        self.ids = []
        self.seconds = 0.0
        self.rules = self.load_rules()

    def log(self, text):
        print(text, flush=True)
        self.lines.append(text)

    def run(self, args, base=None):
        t = time.monotonic()
        p = subprocess.run([self.vc] + args, cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        self.seconds += time.monotonic() - t
        if base:
            with open(base + ".stderr", "w", encoding="utf-8") as f:
                f.write("$ vconform " + " ".join(shlex.quote(a) for a in args) + "\n")
                f.write("exit %d\n" % p.returncode)
                f.write(p.stderr)
        return p

    def load_rules(self):
        p = self.run(["rules"] + SPECS + ["--format", "json"])
        if p.returncode != 0:
            die("vconform rules failed: " + p.stderr)
        rules = {}
        for r in json.loads(p.stdout):
            rules.setdefault(os.path.abspath(os.path.join(ROOT, r["file"])), []).append(r)
        return rules

    def event_names(self, trace):
        p = self.run(["events", trace, "--format", "json"])
        if p.returncode != 0:
            return None
        # A CTF event is `provider:name`; a spec names it `name` (docs/trace-formats.md).
        return {n["name"].rsplit(":", 1)[-1] for n in json.loads(p.stdout)["names"]}

    # ---- one check
    def check(self, check_id, traces, specs, extra, expected):
        base = os.path.join(self.checks_dir, check_id.replace("/", "__"))
        args = ["check"] + list(traces) + extra
        for s in specs:
            args += ["--spec", os.path.relpath(s, ROOT)]
        p = self.run(args + ["--format", "json"], base)
        report = None
        if p.stdout.strip():
            with open(base + ".json", "w", encoding="utf-8") as f:
                f.write(p.stdout)
            try:
                report = json.loads(p.stdout)
            except ValueError:
                report = None
        got = outcome(p.returncode, report, p.stderr)
        deviations = compare(expected, got)
        self.judge(check_id, deviations, base, args, expect_text(expected), got_text(got))
        return got

    def judge(self, check_id, deviations, base, args, want, got):
        self.ids.append(check_id)
        if not deviations:
            self.passed += 1
            self.log("PASS         %s: %s" % (check_id, got))
            return
        if base and args is not None:
            # The text report, for people: why a check did not pass.
            p = self.run(args, None)
            with open(base + ".txt", "w", encoding="utf-8") as f:
                f.write(p.stdout)
                f.write(p.stderr)
        where = os.path.relpath(base, self.out) + ".txt" if base else ""
        excused = self.known.match(check_id, deviations)
        if excused is not None:
            for e in excused:
                e["used"] = True
            self.known_wrong += 1
            self.log("KNOWN-WRONG  %s: %s (wanted %s, got %s; known-wrong.txt:%s) %s" % (
                check_id, ",".join(deviations), want, got,
                ",".join(str(e["line"]) for e in excused), where))
        else:
            self.failures += 1
            self.log("FAIL         %s: %s (wanted %s, got %s) %s" % (
                check_id, ",".join(deviations), want, got, where))

    def check_recording(self):
        cfg, out = self.cfg, self.out
        result = read_result(os.path.join(out, "result.txt"))
        problems = []
        if result.get("marker") != cfg.marker:
            problems.append("guest marker %s, wanted %s" % (result.get("marker"), cfg.marker))
        if cfg.marker == "READ-OK" and result.get("bytes") != result.get("wanted"):
            problems.append("guest read %s of %s bytes" % (result.get("bytes"), result.get("wanted")))
        if result.get("backend_rc") != "0":
            problems.append("back-end exit %s" % result.get("backend_rc"))
        traces = {"json": os.path.join(out, "backend.jsonl"),
                  "qemu": os.path.join(out, "qemu-trace.log"),
                  "dmesg": os.path.join(out, "dmesg.txt"),
                  "ctf": os.path.join(out, "lttng")}
        for rec in ("json", "qemu", "dmesg"):
            if not os.path.isfile(traces[rec]) or os.path.getsize(traces[rec]) == 0:
                problems.append("no %s trace (%s)" % (rec, traces[rec]))
        if result.get("lttng") != "1" or not os.path.isdir(traces["ctf"]):
            if os.environ.get("VC_ACCEPT_CTF") == "1":
                problems.append("no LTTng trace (lttng=%s in result.txt)" % result.get("lttng"))
            else:
                self.log("note: no LTTng trace: CTF checks skipped")
            del traces["ctf"]
        offset = result.get("dmesg_offset_ns", "")
        if offset:
            self.log("note: %s" % result.get("dmesg_offset_note", "dmesg offset %s ns" % offset))
        elif os.path.isfile(traces["json"]):
            with open(traces["json"], encoding="utf-8", errors="replace") as f:
                if any('"name":"pop"' in line for line in f):
                    problems.append("no clock offset for dmesg.txt although the ring ran (record.log)")
        for p in problems:
            self.log("FAIL         %s/recording: %s" % (cfg.name, p))
        self.failures += len(problems)
        return traces, offset, not problems

    def run_all(self):
        cfg = self.cfg
        traces, offset, ok = self.check_recording()
        if not ok:
            return
        extra = {rec: [] for rec in traces}
        merged = [r for r in MERGED if r in traces]
        if offset:
            extra["dmesg"] = ["--clock-offset", "%s=%s" % (traces["dmesg"], offset)]
        elif "dmesg" in merged:
            # No ring ran (no pops and notifications to align on): the guest's boot-relative
            # times cannot be placed on the wall clock, so the merged check leaves dmesg out.
            merged.remove("dmesg")
            self.log("note: no dmesg clock offset (no ring ran): the merged checks leave dmesg.txt out")
        names = {}
        for rec, path in traces.items():
            n = self.event_names(path)
            if n is None:
                self.log("FAIL         %s/%s/events: vconform events cannot read %s" % (cfg.name, rec, path))
                self.failures += 1
                return
            names[rec] = n
        all_specs = ("all", SPECS)
        plans = []
        for rec in ("json", "ctf", "qemu", "dmesg"):
            if rec not in traces:
                continue
            # Every spec, also those with no rule on this recorder's events: they must not apply
            # (exit 2), never "hold".
            plans.append((rec, [rec], [(spec_name(s), [s]) for s in SPECS] + [all_specs]))
        plans.append(("merged", merged, [(spec_name(s), [s]) for s in SPECS] + [all_specs]))
        results = {}
        for label, recs, spec_sets in plans:
            paths = [traces[r] for r in recs]
            ex = [a for r in recs for a in extra[r]]
            have_names = set().union(*(names[r] for r in recs))
            have_sources = {RECORDER_SOURCE[r] for r in recs}
            by_source = {}
            for r in recs:
                by_source.setdefault(RECORDER_SOURCE[r], set()).update(names[r])
            for sname, specs in spec_sets:
                expected = self.expect(specs, have_names, have_sources, by_source)
                results[(label, sname)] = self.check(
                    "%s/%s/%s" % (cfg.name, label, sname), paths, specs, ex, expected)
        if "ctf" in traces:
            for (label, sname), got in sorted(results.items()):
                if label != "json" or ("ctf", sname) not in results:
                    continue
                ctf = results[("ctf", sname)]
                check_id = "%s/ctf-vs-json/%s" % (cfg.name, sname)
                same = (got["exit"], got["rules"], got["events"]) == (ctf["exit"], ctf["rules"], ctf["events"])
                self.judge(check_id, [] if same else ["differs"], None, None,
                           "the JSON verdict " + got_text(got), got_text(ctf))

    def expect(self, specs, names, sources, by_source):
        rules = [r for s in specs for r in self.rules.get(s, [])]

        # A rule can judge these traces when each recorder it needs gave one of its events (a
        # rule of QEMU's and the back-end's events needs both: QEMU's log alone, or a run where
        # the back-end never got its rings, gives it nothing to judge).
        def recorded(r):
            need = set(r["sources"]) - OTHER_BACKENDS
            return need <= sources and all(set(r["events"]) & by_source[s] for s in need)
        applies = any(set(r["events"]) & names and recorded(r) for r in rules)
        ids = {r["id"]: r for r in rules}
        violated = {}
        for rule, kind in self.cfg.breaks.items():
            if rule in ids and set(ids[rule]["sources"]) - OTHER_BACKENDS <= sources:
                violated[rule] = kind
        return {"applies": applies, "rules": violated}

    def summary(self):
        unused = [e for e in self.known.entries if not e["used"]
                  and any(fnmatch.fnmatchcase(i, e["glob"]) for i in self.ids)]
        for e in unused:
            self.log("note: known-wrong.txt:%d (%s %s) did not happen in this run: fixed?" % (
                e["line"], e["glob"], ",".join(e["tokens"])))
        self.log("%s: %d checks: %d passed, %d known wrong, %d failed (vconform: %.1f s)" % (
            self.cfg.name, self.passed + self.known_wrong + self.failures, self.passed,
            self.known_wrong, self.failures, self.seconds))
        with open(os.path.join(self.out, "summary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(self.lines) + "\n")


def spec_name(path):
    return os.path.basename(path)[:-len(".spec")]


def read_result(path):
    result = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                result[k] = v
    return result


ERROR_CODE = re.compile(r": error: .*\[([A-Za-z0-9_.-]+)\]$", re.M)
WARNING_CODE = re.compile(r": warning: .*\[([A-Za-z0-9_.-]+)\]$", re.M)
# The diagnostic of a check whose spec none of the traces' events exercise (docs/guarantees.md).
NOT_APPLICABLE = "spec-not-applicable"
# Warnings that say the check itself is wrong: the traces of one recording are one run.
BAD_WARNINGS = {"trace-runs-disjoint"}


def outcome(rc, report, stderr=""):
    """What a check gave: exit code, {rule: set of kinds}, inconclusive count, events, and the
    codes of the errors on stderr (with exit 2: why the inputs were not used)."""
    rules, inconclusive, events = {}, 0, None
    if report:
        for v in report.get("violations", []):
            rules.setdefault(v["rule"], set()).add(v["kind"])
        inconclusive = len(report.get("inconclusive", []))
        events = report.get("summary", {}).get("events")
    return {"exit": rc, "rules": {k: frozenset(v) for k, v in rules.items()},
            "inconclusive": inconclusive, "events": events,
            "errors": sorted(set(ERROR_CODE.findall(stderr))),
            "warnings": sorted(set(WARNING_CODE.findall(stderr)) & BAD_WARNINGS)}


def kinds_text(kinds):
    return "/".join(sorted(kinds))


def compare(expected, got):
    """The deviations of a check from its intended verdict, as known-wrong.txt tokens:
    +RULE:KINDS an unexpected violation, -RULE a missing one, ~RULE:KINDS a wrong kind,
    inconclusive, exit=N an exit code that the violations do not explain, error=CODES an exit 2
    for another reason than spec-not-applicable, warning=CODE a warning that says the traces of
    the recording were not taken as one run."""
    dev = []
    want = expected["rules"] if expected["applies"] else {}
    for rule, kinds in sorted(got["rules"].items()):
        if rule not in want:
            dev.append("+%s:%s" % (rule, kinds_text(kinds)))
        elif want[rule][0] == "observed" and "observed" not in kinds:
            dev.append("~%s:%s" % (rule, kinds_text(kinds)))
        elif want[rule][0] == "predicted" and kinds != {"predicted"}:
            dev.append("~%s:%s" % (rule, kinds_text(kinds)))
    for rule, (_, optional) in sorted(want.items()):
        if rule not in got["rules"] and not optional:
            dev.append("-%s" % rule)
    if got["inconclusive"]:
        dev.append("inconclusive")
    # The exit code the violations found call for; 2 when the spec does not apply at all.
    if got["rules"]:
        consistent = 1
    else:
        consistent = 0 if expected["applies"] else 2
    if got["exit"] != consistent:
        dev.append("exit=%d" % got["exit"])
    elif consistent == 2 and got["errors"] != [NOT_APPLICABLE]:
        # Exit 2 for another reason than "the spec does not apply".
        dev.append("error=%s" % "+".join(got["errors"] or ["none"]))
    dev.extend("warning=%s" % w for w in got["warnings"])
    return dev


def expect_text(expected):
    if not expected["applies"]:
        return "exit 2 (the spec does not apply)"
    if not expected["rules"]:
        return "exit 0"
    return "exit 1 " + ",".join("%s%s:%s" % ("?" if opt else "", rule, kind)
                                for rule, (kind, opt) in sorted(expected["rules"].items()))


def got_text(got):
    s = "exit %d" % got["exit"]
    if got["rules"]:
        s += " " + ",".join("%s:%s" % (r, kinds_text(k)) for r, k in sorted(got["rules"].items()))
    if got["inconclusive"]:
        s += " inconclusive=%d" % got["inconclusive"]
    if got["errors"]:
        s += " [%s]" % ",".join(got["errors"])
    if got["warnings"]:
        s += " warning [%s]" % ",".join(got["warnings"])
    return s


def find_vconform():
    vc = os.environ.get("VC_VCONFORM")
    if vc:
        return vc
    for c in sorted(glob.glob(os.path.join(ROOT, "build*", "checker", "vconform"))):
        if os.access(c, os.X_OK):
            return c
    die("no vconform binary (build it, or set VC_VCONFORM)")


def record(cfg, outdir):
    env = dict(os.environ)
    env.update(cfg.env)
    env["VC_ALL"] = "1"
    t = time.monotonic()
    p = subprocess.run(["bash", os.path.join(ROOT, "tests", "e2e", "record.sh"), cfg.mode, outdir],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(outdir, "record.log"), "w", encoding="utf-8") as f:
        f.write(p.stdout)
    print("recorded %s in %.1f s (record.sh exit %d)" % (cfg.name, time.monotonic() - t, p.returncode),
          flush=True)
    if p.returncode != 0:
        print(p.stdout)
    return p.returncode == 0


def main(argv):
    if len(argv) == 2 and argv[1] == "names":
        print("\n".join(read_configs()))
        return 0
    if len(argv) != 4 or argv[1] not in ("run", "check"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    configs = read_configs()
    cfg = configs.get(argv[2]) or die("no configuration '%s' in %s" % (argv[2], CONFIGS))
    outdir = os.path.abspath(argv[3])
    os.makedirs(outdir, exist_ok=True)
    vconform = os.path.abspath(find_vconform())
    if argv[1] == "run":
        for f in glob.glob(os.path.join(outdir, "checks", "*")):
            os.remove(f)
        # A process-outside-lock run that missed its race window (tests/e2e/race-window.py) cannot
        # show vu-enable in any order: it is recorded again, up to 3 times (e2e.process-outside-lock
        # checks that such a run gets no vu-enable).
        for attempt in range(1, 4 if cfg.mode == "process-outside-lock" else 2):
            if not record(cfg, outdir):
                print("FAIL         %s/recording: record.sh could not run (%s/record.log)" % (cfg.name, outdir))
                return 1
            if cfg.mode != "process-outside-lock" or race_window(os.path.join(outdir, "backend.jsonl")):
                break
            print("note: %s: attempt %d missed the race window; recording again" % (cfg.name, attempt), flush=True)
    checker = Checker(vconform, cfg, outdir, KnownWrong(KNOWN_WRONG))
    checker.run_all()
    checker.summary()
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
