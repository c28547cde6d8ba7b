"""checklib.py — the pass/fail tally shared by the tests/tools/check_*.py scripts (standard library only),
and the running of a command with the check of its one-line error."""
import argparse
import os
import subprocess

FAILED = []
PASSED = [0]


def check(cond, what):
    """Counts a passed check, or records and prints a failed one."""
    if cond:
        PASSED[0] += 1
    else:
        FAILED.append(what)
        print("FAIL:", what)


def summary(name=None):
    """Prints the tally ("NAME: N passed, M failed") and returns the exit status."""
    print("%s%d passed, %d failed" % (name + ": " if name else "", PASSED[0], len(FAILED)))
    return 1 if FAILED else 0


def parse_args(*names):
    """The check scripts' required --options (e.g. "--lenet5", "--workdir"); --workdir is created."""
    ap = argparse.ArgumentParser()
    for n in names:
        ap.add_argument(n, required=True)
    args = ap.parse_args()
    if getattr(args, "workdir", None):
        os.makedirs(args.workdir, exist_ok=True)
    return args


def run_cmd(argv, timeout=None):
    """Runs argv; returns (exit status, stdout, stderr) as text."""
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def check_error(result, status, fragment, what):
    """Checks that a (status, stdout, stderr) result failed with `status` and one clear error line
    containing `fragment`; `what` names the command in the messages."""
    code, _, err = result
    check(code == status, "%s: exit %d, expected %d (%s)" % (what, code, status, err.strip()))
    check(fragment in err, "%s: stderr %r lacks %r" % (what, err.strip(), fragment))
    check(err.count("\n") <= 2, "%s: one clear error expected, got %r" % (what, err))
