#!/usr/bin/env python3
"""check_bench_wasm.py — the wasm benchmark (bench/wasm, tools/bench_wasm.cpp) run the way scripts/bench
and a developer run it: `node --no-experimental-fetch bench_wasm.js ...` (Python standard library only).

Not timings: the output's shape (the JSON keys of `lenet5 bench --json`, one row per layer with
--layers), positive figures, and the exit statuses and one-line errors for bad arguments.
Usage: check_bench_wasm.py --js build/bench-wasm/bench_wasm.js --data MNIST_DIR
"""
import argparse
import json
import sys

from checklib import check, check_error, run_cmd, summary

KEYS = ["arch", "threads", "infer_b1_us", "infer_batch_per_s", "train_mb1_per_s", "train_mb32_per_s"]
LENET5_LAYERS = ["C1", "S2", "C3", "S4", "C5", "F6", "OUTPUT", "forward"]


def run(args, *cmd):
    return run_cmd(["node", "--no-experimental-fetch", args.js] + list(cmd), timeout=600)


def expect_error(args, status, fragment, *cmd):
    check_error(run(args, *cmd), status, fragment, " ".join(cmd))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--js", required=True)
    ap.add_argument("--data", required=True)
    args = ap.parse_args()
    data = ["--data", args.data]

    code, out, err = run(args, "--arch", "lenet5", "--arch", "lenet5-1998", "--json", "--scale", "0.02", *data)
    check(code == 0, "--json: exit %d: %s" % (code, err[-300:]))
    rows = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    check([r.get("arch") for r in rows] == ["lenet5", "lenet5-1998"], "--json: one line per arch: %r" % out)
    for r in rows:
        check(list(r) == KEYS, "--json keys: %s" % list(r))
        check(r["threads"] == 1 and all(r[k] > 0 for k in KEYS[2:]), "--json figures: %s" % r)

    code, out, err = run(args, "--arch", "lenet5", "--layers", "--scale", "0.02", *data)
    check(code == 0, "--layers: exit %d: %s" % (code, err[-300:]))
    lines = out.splitlines()
    check(lines[:1] == ["lenet5: forward pass by layer (us, median of repetitions)"], "--layers heading: %r" % out)
    table = [l.split() for l in lines[1:]]
    check([t[0] for t in table] == LENET5_LAYERS, "--layers rows: %r" % out)
    check(all(len(t) == 2 and float(t[1]) > 0 for t in table), "--layers times: %r" % out)

    expect_error(args, 2, "excludes", "--layers", "--json", *data)
    expect_error(args, 2, "unknown argument", "--no-such-flag")
    expect_error(args, 2, "needs a value", "--arch")
    expect_error(args, 1, "no-such-net", "--arch", "no-such-net", "--scale", "0.02", *data)
    expect_error(args, 1, "/no/such/dir", "--data", "/no/such/dir")
    expect_error(args, 1, "scale", "--scale", "0", *data)
    return summary("check_bench_wasm")


if __name__ == "__main__":
    sys.exit(main())
