#!/usr/bin/env python3
"""check_bench_tools.py — the parts of scripts/bench that are not timings: the FMA peak probe
(bench/peak/fma_peak.cpp) and the report (bench/report.py: the table, the floors, the targets).

Usage: check_bench_tools.py --fma-peak PATH/fma_peak --report bench/report.py --workdir DIR
(Python standard library only.)
"""
import json
import os
import subprocess
import sys

from checklib import parse_args, check, summary


def main():
    args = parse_args("--fma-peak", "--report", "--workdir")

    # 1. the probe: one JSON line with a positive peak, its windows, and all threads >= one thread
    r = subprocess.run([args.fma_peak, "0.3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(r.returncode == 0, "fma_peak 0.3: exit %d (%s)" % (r.returncode, r.stderr.strip()))
    line = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
    check(line.get("machine") == "fma peak", "fma_peak output %r" % r.stdout)
    if "error" not in line:  # (a CPU without AVX2 + FMA says so and exits 0)
        g1, ga = line.get("gflops_1t", 0), line.get("gflops_all", 0)
        check(g1 > 1.0, "gflops_1t %r" % g1)
        check(ga >= 0.9 * g1, "gflops_all %r below one thread's %r" % (ga, g1))
        check(len(line.get("windows_1t", [])) >= 2, "windows_1t %r" % line.get("windows_1t"))
        check(line.get("threads", 0) >= 1, "threads %r" % line.get("threads"))
        check(line.get("vector_bits") in (256, 512), "vector_bits %r" % line.get("vector_bits"))
    for bad in ("0", "-1", "abc", "1e9"):
        r = subprocess.run([args.fma_peak, bad], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(r.returncode == 2 and "seconds must be in" in r.stderr and bad in r.stderr,
              "fma_peak %s: exit %d, stderr %r" % (bad, r.returncode, r.stderr.strip()))

    # 2. the report on made-up figures: gflops_1t = 83.304 makes the batch-1 floor exactly 10 us
    rows = [
        {"machine": "fma peak", "gflops_1t": 83.304, "gflops_all": 166.608, "threads": 2, "vector_bits": 256,
         "windows_1t": [83.3]},
        {"machine": "steal", "part": "lenet5 native", "steal_pct": 2.5},
        {"machine": "steal", "part": "lenet5 wasm", "steal_pct": 0.0},
        {"who": "lenet5 native", "arch": "lenet5", "threads": 2, "infer_b1_us": 20.0,
         "infer_batch_per_s": 60000, "train_mb1_per_s": 9000, "train_mb32_per_s": 13000},
        {"who": "lenet5 native", "arch": "lenet5-1998", "threads": 2, "infer_b1_us": 40.0,
         "infer_batch_per_s": 40000, "train_mb1_per_s": 8000, "train_mb32_per_s": 10000},
        {"who": "lenet5 wasm", "arch": "lenet5", "threads": 1, "infer_b1_us": 59.0,
         "infer_batch_per_s": 17000, "train_mb1_per_s": 5100, "train_mb32_per_s": 5500},
        {"peer": "onnxruntime", "version": "1.30.0", "arch": "lenet5", "threads": 1, "threads_batch": 2,
         "infer_b1_us": 70.0, "infer_batch_per_s": 40000, "train_mb1_per_s": None, "train_mb32_per_s": None},
        {"peer": "pytorch", "version": "1.13", "arch": "lenet5", "threads": 1, "threads_batch": 2,
         "infer_b1_us": 400.0, "infer_batch_per_s": 15000, "train_mb1_per_s": 600, "train_mb32_per_s": 3500},
    ]
    path = os.path.join(args.workdir, "results.jsonl")
    with open(path, "w") as f:
        f.write("bench: a log line that is not JSON\n")
        for row in rows:
            f.write(json.dumps(row) + "\n")
    r = subprocess.run([sys.executable, args.report, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    out = r.stdout
    check(r.returncode == 0, "report.py: exit %d (%s)" % (r.returncode, r.stderr.strip()))
    check("fma peak" not in out.split("Speed-up")[0], "the FMA peak row is not a runtime of the table")
    check("83.3 GFLOP/s on one thread and 166.6 on 2 (256-bit vectors)" in out, "the floor line:\n" + out)
    check("while each part ran (steal; high steal makes that part's figures low): lenet5 native 2.5%, "
          "lenet5 wasm 0.0%." in out, "the steal line:\n" + out)
    floor = [l for l in out.splitlines() if l.startswith("| floor (FMA peak) |")]
    check(floor == ["| floor (FMA peak) | 10.0 | 200,000 | 36,796 | 36,796 |"], "floor row %r" % floor)
    share = [l for l in out.splitlines() if "% of the floor" in l]
    check(share == ["| lenet5 native `lenet5`, % of the floor | 50% | 30% | 24% | 35% |"],
          "share rows (lenet5 only: the floor counts lenet5's MACs) %r" % share)
    for want in ("- [x] native lenet5 batch-1 inference (us/digit) <= 25: 20.0",
                 "- [ ] native lenet5 per-sample SGD (digits/s) >= 10,000: 9,000  (NOT MET)",
                 "- [ ] native lenet5-1998 batch-1 inference (us/digit) within 1.3x (<= 32): 40.0  (NOT MET)",
                 "- [x] wasm lenet5 batch-1 inference <= 60 us: 59.0",
                 "- [x] wasm lenet5 per-sample SGD >= 5,000 digits/s: 5,100",
                 "- [x] native lenet5 batch-1 inference (us/digit) >= 3x the best peer (onnxruntime): 3.5x",
                 "- [x] native lenet5 batched inference (digits/s) >= 1.5x the best peer (onnxruntime): 1.5x",
                 "- [x] native lenet5 per-sample SGD (digits/s) >= 3x the best peer (pytorch): 15.0x"):
        check(want in out, "report lacks %r:\n%s" % (want, out))
    # without the probe's and steal lines: no floor or steal line, the rest unchanged
    with open(path, "w") as f:
        for row in rows[3:]:
            f.write(json.dumps(row) + "\n")
    r = subprocess.run([sys.executable, args.report, path], stdout=subprocess.PIPE, text=True)
    check(r.returncode == 0 and "Floor:" not in r.stdout and "steal" not in r.stdout and "Targets:" in r.stdout,
          "report without a peak line:\n" + r.stdout)

    # rounds: each figure the best of a runtime's rounds (ours and the peers alike), the ratio targets
    # with each round's own ratio; here round 2 of ours is slow in batch-1 and ONNX Runtime's round 1 fast
    def rnd(row, k, **figs):
        out = dict(row, round=k)
        out.update(figs)
        return out
    n5, ort, pt = rows[3], rows[6], rows[7]
    with open(path, "w") as f:
        for row in (rnd(n5, 1, infer_b1_us=20.0, train_mb32_per_s=11000), rnd(ort, 1, infer_b1_us=50.0),
                    rnd(pt, 1), rnd(n5, 2, infer_b1_us=30.0, train_mb32_per_s=13000),
                    rnd(ort, 2, infer_b1_us=70.0, infer_batch_per_s=45000), rnd(pt, 2, train_mb32_per_s=4000)):
            f.write(json.dumps(row) + "\n")
    r = subprocess.run([sys.executable, args.report, path], stdout=subprocess.PIPE, text=True)
    out = r.stdout
    check("best of 2 rounds' medians" in out, "rounds note:\n" + out)
    table = [l for l in out.splitlines() if l.startswith("| **lenet5 native** `lenet5`")]
    check(table == ["| **lenet5 native** `lenet5` | 1 / 2 | 20.0 | 60,000 | 9,000 | 13,000 |"],
          "merged row of ours %r" % table)
    table = [l for l in out.splitlines() if l.startswith("| onnxruntime")]
    check(table == ["| onnxruntime 1.30.0 | 1 / 2 | 50.0 | 45,000 | n/a | n/a |"], "merged row of ORT %r" % table)
    for want in ("- [ ] native lenet5 batch-1 inference (us/digit) >= 3x the best peer (onnxruntime): 2.5x "
                 "(rounds: 2.5x, 2.3x)  (NOT MET)",
                 "- [x] native lenet5 minibatch-32 SGD (digits/s) >= 3x the best peer (pytorch): 3.2x "
                 "(rounds: 3.1x, 3.2x)"):
        check(want in out, "report lacks %r:\n%s" % (want, out))
    # a peer missing from a round (its run failed there): each round's ratio against that round's own
    # peers, not against another round's line
    with open(path, "w") as f:
        for row in (rnd(n5, 1, infer_b1_us=20.0), rnd(pt, 1), rnd(n5, 2, infer_b1_us=25.0),
                    rnd(ort, 2, infer_b1_us=75.0)):
            f.write(json.dumps(row) + "\n")
    out = subprocess.run([sys.executable, args.report, path], stdout=subprocess.PIPE, text=True).stdout
    want = ("- [x] native lenet5 batch-1 inference (us/digit) >= 3x the best peer (onnxruntime): 3.8x "
            "(rounds: 20.0x, 3.0x)")
    check(want in out, "report lacks %r:\n%s" % (want, out))

    return summary("check_bench_tools")


if __name__ == "__main__":
    sys.exit(main())
