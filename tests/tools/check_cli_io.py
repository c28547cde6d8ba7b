#!/usr/bin/env python3
"""check_cli_io.py — `lenet5 eval`, `classify` and `convert` end to end (Python standard library only).

Exit statuses (0 ok, 1 bad input, 2 usage), the JSON and CSV outputs, one-line errors naming the file,
and convert round trips. Usage: check_cli_io.py --lenet5 PATH/lenet5 --workdir DIR --data MNIST_DIR
"""
import csv
import json
import os
import sys

from checklib import parse_args, check, check_error, run_cmd, summary


def run(args, *cmd):
    return run_cmd([args.lenet5] + list(cmd))


def expect_error(args, status, fragment, *cmd):
    check_error(run(args, *cmd), status, fragment, " ".join(cmd))


def pgm(path, w, h, pixels):
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (w, h) + bytes(pixels))


def main():
    args = parse_args("--lenet5", "--workdir", "--data")
    wd = args.workdir
    w = os.path.join(wd, "w.lenet")
    data = ["--data", args.data]

    for cmd in ("eval", "classify", "convert"):
        code, out, _ = run(args, cmd, "--help")
        check(code == 0 and "--weights" in out, cmd + " --help")

    code, _, err = run(args, "train", "--arch", "lenet5", "--steps", "20", "--out", w, *data)
    check(code == 0 and os.path.exists(w), "train for a weights file: " + err[-300:])
    if code != 0:
        return finish()

    # eval: JSON with exactly the documented keys, consistent numbers; CSV rows.
    csv_path = os.path.join(wd, "p.csv")
    code, out, err = run(args, "eval", "--weights", w, "--limit", "50", "--json", "--predictions", csv_path, *data)
    check(code == 0, "eval --json: " + err)
    j = json.loads(out)
    check(list(j) == ["weights", "arch", "dataset", "count", "accuracy", "errors", "error_rate", "confusion",
                      "misclassified", "runner_up", "rejection", "operating_point"],
          "eval --json keys: %s" % list(j))
    check(j["count"] == 50 and j["arch"] == "lenet5" and j["dataset"] == "mnist", "eval --json values")
    check(abs(j["accuracy"] + j["error_rate"] - 1) < 1e-9 and abs(j["error_rate"] - j["errors"] / 50) < 1e-9,
          "eval rates are fractions")
    check(len(j["confusion"]) == 10 and sum(map(sum, j["confusion"])) == 50
          and 50 - sum(j["confusion"][i][i] for i in range(10)) == j["errors"], "confusion matrix")
    rows = list(csv.reader(open(csv_path)))
    # The misclassified digits are the CSV's wrong rows; each runner-up differs from the prediction.
    wrong = [int(r[0]) for r in rows[1:] if r[1] != r[2]]
    check(j["misclassified"] == wrong, "misclassified %s, CSV %s" % (j["misclassified"], wrong))
    check(len(j["runner_up"]) == len(wrong)
          and all(u != int(rows[i + 1][2]) for i, u in zip(wrong, j["runner_up"])), "runner_up")
    # The rejection curve starts at the error rate and rejects more as it goes, up to half the digits.
    curve = j["rejection"]
    check(curve[0]["rejected"] == 0 and abs(curve[0]["error"] - j["error_rate"]) < 1e-12, "rejection[0] %s" % curve[0])
    check(all(a["rejected"] <= b["rejected"] for a, b in zip(curve, curve[1:])), "rejection fractions ascend")
    check(curve[-1]["rejected"] == 0.5 and 0 <= curve[-1]["error"] <= 1, "rejection at 50%%: %s" % curve[-1])
    op = j["operating_point"]
    check(op["target"] == 0.005 and op["error"] <= 0.005 and 0 <= op["rejected"] <= 1, "operating_point %s" % op)
    check(rows[0] == ["index", "label", "predicted"] + ["score%d" % i for i in range(10)], "CSV header")
    check(len(rows) == 51 and all(abs(sum(map(float, r[3:])) - 1) < 1e-4 for r in rows[1:]), "CSV rows, probabilities")
    check(sum(r[1] != r[2] for r in rows[1:]) == j["errors"], "CSV errors match")
    code, out, _ = run(args, "eval", "--weights", w, "--limit", "20", *data)
    check(code == 0 and "Accuracy:" in out and "Confusion matrix" in out, "eval text output")
    check("Rejection" in out and "0.5% error needs" in out and "error of the rest" in out,
          "eval text output: the rejection table")

    # convert: native -> npz -> native gives the same bytes; the npz evaluates the same.
    npz = os.path.join(wd, "w.npz")
    back = os.path.join(wd, "back.lenet")
    check(run(args, "convert", "--weights", w, "--out", npz)[0] == 0, "convert to npz")
    check(run(args, "convert", "--weights", npz, "--arch", "lenet5", "--out", back)[0] == 0, "convert from npz")
    check(open(w, "rb").read() == open(back, "rb").read(), "convert round trip is byte-identical")
    code, out2, _ = run(args, "eval", "--weights", npz, "--arch", "lenet5", "--limit", "50", "--json", *data)
    check(code == 0 and json.loads(out2)["errors"] == j["errors"], "npz evaluates like the native file")
    code, out2, _ = run(args, "eval", "--weights", npz, "--limit", "50", "--json", *data)
    check(code == 0 and json.loads(out2)["arch"] == "lenet5" and json.loads(out2)["errors"] == j["errors"],
          "our npz names its architecture, so eval needs no --arch")

    # train --init with --input-norm: the override is trained with and kept in the written file.
    # (lenet5's own is unit; paper overrides it)
    paper = os.path.join(wd, "paper.lenet")
    code, _, err = run(args, "train", "--init", npz, "--input-norm", "paper", "--steps", "5", "--out", paper, *data)
    check(code == 0, "train --init npz --input-norm paper: " + err[-300:])
    code, out2, _ = run(args, "summary", "--weights", paper, "--json")
    check(code == 0 and json.loads(out2)["input_norm"] == "paper", "train keeps --input-norm in the file it writes")
    expect_error(args, 2, "--input-norm: applies to a loaded network: give --init",
                 "train", "--arch", "lenet5", "--input-norm", "paper", "--steps", "5", "--out", paper, *data)

    # classify: a digit "1" on paper, a blank page, a folder.
    one = os.path.join(wd, "one.pgm")
    px = [255] * (60 * 80)
    for y in range(10, 70):
        for x in range(27, 33):
            px[y * 60 + x] = 0
    pgm(one, 60, 80, px)
    blank = os.path.join(wd, "blank.pgm")
    pgm(blank, 20, 20, [255] * 400)
    code, out, err = run(args, "classify", "--weights", w, one)
    check(code == 0 and out.startswith(one + ": ") and "inverted" in out and "F6" in out, "classify text: " + err)
    code, out, err = run(args, "classify", "--weights", w, "--json", one, blank)
    check(code == 1, "classify with a blank image exits 1")
    res = json.loads(out)["results"]
    check(len(res) == 2 and 0 <= res[0]["predicted"] <= 9 and len(res[0]["scores"]) == 10
          and [l["name"] for l in res[0]["layers"]] == ["C1", "S2", "C3", "S4", "C5", "F6", "OUTPUT"]
          and res[0]["preprocess"]["inverted"] is True, "classify --json result")
    check("no ink" in res[1].get("error", ""), "classify --json reports the blank image")

    # Errors: one line naming the file, status 1 (bad input) or 2 (usage).
    empty = os.path.join(wd, "empty.lenet")
    open(empty, "wb").close()
    expect_error(args, 1, "missing.lenet: cannot open", "eval", "--weights", os.path.join(wd, "missing.lenet"), *data)
    expect_error(args, 1, "empty file", "eval", "--weights", empty, *data)
    expect_error(args, 1, "is a directory", "eval", "--weights", wd, *data)
    expect_error(args, 1, "bad magic", "eval", "--weights", csv_path, *data)
    expect_error(args, 1, "w.npz: tensor 9 'OUTPUT.weight' [10,84] is not a tensor of 'lenet5-1998'",
                 "eval", "--weights", npz, "--arch", "lenet5-1998", *data)
    expect_error(args, 1, "no such folder", "eval", "--weights", w, "--data", os.path.join(wd, "nope"))
    expect_error(args, 2, "expected mnist or fashion", "eval", "--weights", w, "--dataset", "cifar", *data)
    expect_error(args, 1, "unknown tensor 'OUTPUT.weight'", "eval", "--weights", w, "--arch", "lenet5-1998", *data)
    expect_error(args, 1, "is a directory", "classify", "--weights", w, wd)
    expect_error(args, 1, "not a PNG", "classify", "--weights", w, csv_path)
    expect_error(args, 1, "cannot write", "convert", "--weights", w, "--out", os.path.join(wd, "no", "such", "x.npz"))
    expect_error(args, 2, "required", "convert", "--weights", w)

    # train: --repeat K makes a pass of K x N samples; --map-j needs the MAP loss.
    w2 = os.path.join(wd, "w2.lenet")
    code, out, err = run(args, "train", "--arch", "lenet5-1998", "--optimizer", "sdlm", "--lr", "0.00002",
                         "--loss", "map", "--map-j", "10", "--distort", "--repeat", "3", "--steps", "30",
                         "--json", "--out", w2, *data)
    check(code == 0, "train --repeat 3 --map-j 10: " + err[-300:])
    if code == 0:
        j = json.loads(out)
        check(j["repeat"] == 3 and j["loss"] == "map" and j["map_j"] == 10 and j["updates"] == 30,
              "train --json repeat/map_j/updates: %s" % {k: j.get(k) for k in ("repeat", "loss", "map_j", "updates")})
    expect_error(args, 1, "repeat", "train", "--arch", "lenet5", "--repeat", "0", "--steps", "1", "--out", w2, *data)
    expect_error(args, 2, "MAP loss only", "train", "--arch", "lenet5-1998", "--map-j", "5", "--steps", "1",
                 "--out", w2, *data)
    expect_error(args, 2, "--map-j", "train", "--arch", "lenet5-1998", "--loss", "map", "--map-j", "-1",
                 "--steps", "1", "--out", w2, *data)

    # bench: the four figures as one JSON line per architecture (quick: --scale 0.02); --layers: the
    # forward pass by layer, every layer of the spec and the whole pass, positive times.
    code, out, err = run(args, "bench", "--arch", "lenet5", "--scale", "0.02", "--json", *data)
    check(code == 0, "bench --json: " + err[-300:])
    if code == 0:
        j = json.loads(out)
        check(list(j) == ["arch", "threads", "infer_b1_us", "infer_batch_per_s", "train_mb1_per_s",
                          "train_mb32_per_s"], "bench --json keys: %s" % list(j))
        check(j["arch"] == "lenet5" and all(j[k] > 0 for k in list(j)[2:]), "bench --json figures: %s" % j)
    code, out, err = run(args, "bench", "--arch", "lenet5-1998", "--layers", "--scale", "0.02", *data)
    check(code == 0, "bench --layers: " + err[-300:])
    rows = [l.split() for l in out.splitlines()[1:]]
    check([r[0] for r in rows] == ["C1", "S2", "C3", "S4", "C5", "F6", "OUTPUT", "forward"] and
          all(float(r[1]) > 0 for r in rows), "bench --layers rows: %r" % out)
    expect_error(args, 2, "excludes", "bench", "--layers", "--json", *data)
    expect_error(args, 1, "no-such-net", "bench", "--arch", "no-such-net", "--scale", "0.02", *data)
    return finish()


def finish():
    return summary()


if __name__ == "__main__":
    sys.exit(main())
