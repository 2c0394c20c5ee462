#!/usr/bin/python3
"""Terminal manners, through a real pseudo-terminal: colour only on a terminal (--color, NO_COLOR),
the progress line on a terminal's stderr (never on a pipe, never with --quiet), erased at the end.

Usage: terminal-manners.py VCONFORM   (run from the repository root)
"""
import os
import pty
import subprocess
import sys
import tempfile

VCONFORM = sys.argv[1]
RACE = ["check", "traces/vhost-user/enable-race.jsonl", "--spec", "specs/vhost-user-frontend.spec"]
ESC = b"\x1b["
failures = []


def run_pty(args, env=None, stdout_tty=True):
    """Runs vconform with stderr (and stdout if stdout_tty) on a pseudo-terminal; returns
    (exit code, what the terminal showed, what stdout had when it was a pipe)."""
    master, slave = pty.openpty()
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["TERM"] = "xterm"
    e.update(env or {})
    p = subprocess.Popen([VCONFORM] + args, stdin=subprocess.DEVNULL,
                         stdout=slave if stdout_tty else subprocess.PIPE, stderr=slave, env=e)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        shown += chunk
    out = p.stdout.read() if p.stdout else b""
    code = p.wait(timeout=120)
    os.close(master)
    return code, shown, out


def run_pipe(args, env=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["TERM"] = "xterm"
    e.update(env or {})
    p = subprocess.run([VCONFORM] + args, capture_output=True, env=e, timeout=120)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)


# Colour: a terminal gets it (the report's verdict, the diagnostics); a pipe does not.
code, shown, _ = run_pty(RACE)
expect(code == 1, f"race on a terminal: exit {code}")
expect(ESC + b"1;33mPREDICTED" in shown, "no yellow PREDICTED on a terminal")
code, out, err = run_pipe(RACE)
expect(ESC not in out and ESC not in err, "colour on a pipe")
expect(out.startswith(b"PREDICTED violation"), "no text report on a pipe")
# NO_COLOR (non-empty) turns it off, --color=always on again; --color=never wins on a terminal.
_, shown, _ = run_pty(RACE, {"NO_COLOR": "1"})
expect(ESC not in shown, "colour with NO_COLOR=1")
_, shown, _ = run_pty(RACE, {"NO_COLOR": ""})
expect(ESC in shown, "no colour with NO_COLOR empty (it only counts when non-empty)")
_, shown, _ = run_pty(RACE + ["--color=never"])
expect(ESC not in shown, "colour with --color=never")
_, out, _ = run_pipe(["--color=always"] + RACE)
expect(ESC + b"1;33mPREDICTED" in out, "--color=always before the command: no colour on a pipe")
_, shown, _ = run_pty(RACE, {"TERM": "dumb"})
expect(ESC not in shown, "colour with TERM=dumb")
# Diagnostics in colour on a terminal: the severity in bold red.
code, shown, _ = run_pty(["check", "traces/vhost-user/enable-race.jsonl", "--spec", "nosuch.spec"])
expect(code == 2 and ESC + b"1;31merror" in shown, f"diagnostic not red on a terminal: {shown[:200]!r}")
# A report written to a file is never coloured, even on a terminal.
with tempfile.TemporaryDirectory() as d:
    run_pty(RACE + ["--format", f"text={d}/r.txt", "--format", "json"])
    text = open(f"{d}/r.txt", "rb").read()
    expect(text.startswith(b"PREDICTED") and ESC not in text, "a text report file has colour")

# Progress: a long check (here: 200,000 events, the line shown from the start) draws a line on a
# terminal's stderr with the events read, their rate, the bytes of the file and an ETA; erases it.
with tempfile.TemporaryDirectory() as d:
    big = f"{d}/big.jsonl"
    with open(big, "w") as f:
        for i in range(200000):
            f.write('{"name":"handle_event","ts":%d,"pid":1,"tid":2,"fields":{"vring":0,"count":%d}}\n'
                    % (1000 + i, i))
    args = ["check", big, "--spec", "specs/vhost-user-frontend.spec", "--order", "recorded", "--allow", "hb-unmatched-send"]
    fast = {"VCONFORM_PROGRESS_AFTER_MS": "0"}
    code, shown, out = run_pty(args, fast, stdout_tty=False)
    expect(b"vconform: reading: " in shown, f"no progress line on a terminal: {shown[:300]!r}")
    expect(b" events (" in shown and b"/s)" in shown and b" MiB (" in shown, f"progress line lacks events, rate or bytes: {shown[:300]!r}")
    expect(shown.rstrip(b"\r\n").endswith(b"\r\x1b[K") or b"\r\x1b[K" in shown.split(b"vconform: reading")[-1],
           "progress line not erased")
    expect(b"vconform: reading" not in out, "progress on stdout")
    # Not on a pipe, not with --quiet, and not for a short run (the default delay, 1 s).
    code, out, err = run_pipe(args, fast)
    expect(b"reading" not in err, "progress on a pipe")
    _, shown, _ = run_pty(["-q"] + args, fast, stdout_tty=False)
    expect(b"reading" not in shown, "progress with --quiet")
    _, shown, _ = run_pty(RACE, stdout_tty=False)
    expect(b"reading" not in shown, "progress for a short check")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("ok: colour, NO_COLOR, --color, TERM=dumb and the progress line through a pseudo-terminal")
