"""checklib.py — the pass/fail tally shared by the tests/tools/check_*.py scripts (standard library only)."""

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
