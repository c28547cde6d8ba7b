#!/usr/bin/env python3
"""check_agreement.py — `lenet5 train`, `lenet5 eval` and eval's --predictions CSV name the same winners
(Python standard library only).

For every loss (mse, map, xent) and output layer (full: the lenet5 preset; rbf: lenet5-1998), a short
training run reports its final test error; `eval` of the weights it saved must count the same errors,
and the CSV must agree with both: as many rows whose predicted class differs from the label, and each
row's predicted class holding the winning score (the smallest for an RBF output or the MAP loss, whose
outputs are penalties; the largest otherwise).
Usage: check_agreement.py --lenet5 PATH/lenet5 --workdir DIR --data MNIST_DIR
"""
import csv
import json
import os
import sys

from checklib import parse_args, check, run_cmd, summary

# The architecture for each output layer, and a learning rate at which 1,000 steps learn something.
OUTPUTS = {"full": ("lenet5", "0.01"), "rbf": ("lenet5-1998", "0.002")}
LOSSES = ("mse", "map", "xent")


def agree(args, output, loss):
    name = "%s output, %s loss" % (output, loss)
    w = os.path.join(args.workdir, "%s-%s.lenet" % (output, loss))
    data = ["--data", args.data]
    code, out, err = run_cmd([args.lenet5, "train", "--arch", OUTPUTS[output][0], "--lr", OUTPUTS[output][1],
                              "--loss", loss, "--steps", "1000",
                              "--json", "--out", w] + data)
    check(code == 0, "%s: train: %s" % (name, err[-300:]))
    if code != 0:
        return
    trained = json.loads(out)
    csv_path = os.path.join(args.workdir, "%s-%s.csv" % (output, loss))
    code, out, err = run_cmd([args.lenet5, "eval", "--weights", w, "--json", "--predictions", csv_path] + data)
    check(code == 0, "%s: eval: %s" % (name, err[-300:]))
    if code != 0:
        return
    evaluated = json.loads(out)
    rows = list(csv.reader(open(csv_path)))[1:]
    csv_errors = sum(r[1] != r[2] for r in rows)
    check(trained["test_count"] == evaluated["count"] == len(rows),
          "%s: counts train %d, eval %d, CSV %d" % (name, trained["test_count"], evaluated["count"], len(rows)))
    check(trained["test_errors"] == evaluated["errors"] == csv_errors,
          "%s: errors train %d, eval %d, CSV %d" % (name, trained["test_errors"], evaluated["errors"], csv_errors))
    pick = min if output == "rbf" or loss == "map" else max
    wrong = [r[0] for r in rows if float(r[3 + int(r[2])]) != pick(map(float, r[3:]))]
    check(not wrong, "%s: %d CSV rows whose predicted class does not hold the %s score (first: index %s)"
          % (name, len(wrong), pick.__name__, wrong[:1]))
    # Not all trivially one class: a run that learned nothing would hide a disagreement.
    check(len({r[2] for r in rows}) > 1, "%s: every digit predicted as one class" % name)


def main():
    args = parse_args("--lenet5", "--workdir", "--data")
    for output in OUTPUTS:
        for loss in LOSSES:
            agree(args, output, loss)
    return summary("check_agreement")


if __name__ == "__main__":
    sys.exit(main())
