#!/usr/bin/env python3
"""check_top_digits.py — `lenet5 top-digits` end to end (Python standard library only).

The top digits of a C1 unit of the shipped lenet5-1998 equal an independent Python computation
(weights read from the .npz that `lenet5 convert` writes, MNIST read from the idx files); the JSON
and the text agree; a larger subset never lowers the best activation; bad layers, units, counts and
subsets exit 2 with one clear line, a missing weights file exits 1.
Usage: check_top_digits.py --lenet5 PATH/lenet5 --workdir DIR --data MNIST_DIR
"""
import ast
import json
import math
import os
import struct
import sys
import zipfile

from checklib import parse_args, check, check_error, run_cmd, summary

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WEIGHTS = os.path.join(REPO, "assets", "weights", "lenet5-1998.lenet")


def npz_tensor(path, name):
    """A float32 tensor of an .npz (little-endian, C order) as (shape, flat list)."""
    raw = zipfile.ZipFile(path).read(name + ".npy")
    hlen = struct.unpack("<H", raw[8:10])[0]
    header = ast.literal_eval(raw[10:10 + hlen].decode("latin1"))
    assert header["descr"] == "<f4" and not header["fortran_order"], header
    n = 1
    for d in header["shape"]:
        n *= d
    return header["shape"], list(struct.unpack("<%df" % n, raw[10 + hlen:10 + hlen + 4 * n]))


def mnist_images(data, count):
    with open(os.path.join(data, "t10k-images-idx3-ubyte"), "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051 and rows == 28 and cols == 28
        return [f.read(784) for _ in range(count)]


def c1_unit(weight, bias, image, m, y, x):
    """lenet5-1998's C1 unit (map m, row y, column x): the paper's input mapping (-0.1 background,
    1.175 ink, the 28x28 digit centred in 32x32), a 5x5 correlation; (1.7159 tanh(2a/3), a)."""
    a = bias[m]
    for ky in range(5):
        for kx in range(5):
            iy, ix = y + ky - 2, x + kx - 2  # 32x32 input coordinates -> 28x28 image
            p = image[iy * 28 + ix] / 255.0 if 0 <= iy < 28 and 0 <= ix < 28 else 0.0
            a += weight[(m * 25) + ky * 5 + kx] * (-0.1 + 1.275 * p)
    return 1.7159 * math.tanh(2.0 * a / 3.0), a


def main():
    args = parse_args("--lenet5", "--workdir", "--data")
    run = lambda *cmd: run_cmd([args.lenet5] + list(cmd))
    data = ["--data", args.data]

    code, out, _ = run("top-digits", "--help")
    check(code == 0 and "--layer" in out and "--subset" in out, "top-digits --help")

    # The Python oracle for C1 map 3 at (12, 9) over the first 300 test digits.
    npz = os.path.join(args.workdir, "w.npz")
    check(run("convert", "--weights", WEIGHTS, "--out", npz)[0] == 0, "convert the shipped weights to npz")
    _, weight = npz_tensor(npz, "C1.weight")
    _, bias = npz_tensor(npz, "C1.bias")
    images = mnist_images(args.data, 300)
    acts = [c1_unit(weight, bias, img, 3, 12, 9) for img in images]
    want = sorted(range(300), key=lambda i: (-acts[i][1], i))[:9]  # by the pre-activation: f is increasing

    unit = ["--layer", "C1", "--map", "3", "--y", "12", "--x", "9"]
    code, out, err = run("top-digits", "--weights", WEIGHTS, *unit, "--subset", "300", "--json", *data)
    check(code == 0, "top-digits --json: " + err)
    j = json.loads(out)
    check(list(j) == ["weights", "arch", "dataset", "layer", "map", "y", "x", "subset", "indices", "labels",
                      "activations", "pre"], "top-digits --json keys: %s" % list(j))
    check(j["indices"] == want, "top digits %s, the Python oracle says %s" % (j["indices"], want))
    check(all(abs(a - acts[i][0]) < 1e-4 and abs(p - acts[i][1]) < 1e-4
              for a, p, i in zip(j["activations"], j["pre"], j["indices"])),
          "activations %s, oracle %s" % (list(zip(j["activations"], j["pre"])), [acts[i] for i in want]))
    check(j["activations"] == sorted(j["activations"], reverse=True), "activations in descending order")

    # The text output lists the same digits and labels.
    code, out, err = run("top-digits", "--weights", WEIGHTS, *unit, "--subset", "300", *data)
    rows = [l.split() for l in out.splitlines() if l[:4].strip().isdigit()]
    check(code == 0 and [int(r[1]) for r in rows] == j["indices"] and [int(r[4]) for r in rows] == j["labels"],
          "top-digits text: %r" % out)

    # F6 over 2,000 digits (the visualizer's default subset): 9 digits, descending; a subset of 100
    # never has a better best digit.
    f6 = ["--layer", "F6", "--map", "11"]
    code, out, err = run("top-digits", "--weights", WEIGHTS, *f6, "--json", *data)
    big = json.loads(out) if code == 0 else {"indices": [], "activations": [0]}
    check(code == 0 and big["subset"] == 2000 and len(big["indices"]) == 9 and max(big["indices"]) < 2000,
          "top-digits F6, default subset: " + err)
    code, out, err = run("top-digits", "--weights", WEIGHTS, *f6, "--subset", "100", "--count", "3", "--json", *data)
    small = json.loads(out) if code == 0 else {"indices": [], "activations": [0]}
    check(len(small["indices"]) == 3 and small["activations"][0] <= big["activations"][0], "subset 100 vs 2000")

    # Errors: one line, exit 2 for usage, 1 for a missing file.
    bad = [
        (2, "no layer 'C9' in lenet5-1998 (C1, S2, C3, S4, C5, F6, OUTPUT)", ["--layer", "C9", "--map", "0"]),
        (2, "no unit (map 6, y 0, x 0) in C1 6@28x28", ["--layer", "C1", "--map", "6"]),
        (2, "no unit (map 0, y 1, x 0) in C5 120", ["--layer", "C5", "--map", "0", "--y", "1"]),
        (2, "count: 0 is outside 1..1000", ["--layer", "C3", "--map", "0", "--count", "0"]),
        (2, "--subset: must be >= 1", ["--layer", "C3", "--map", "0", "--subset", "0"]),
        (2, "subset: 20000 is outside 1..10000", ["--layer", "C3", "--map", "0", "--subset", "20000"]),
        (2, "--layer is required", ["--map", "0"]),
    ]
    for status, fragment, opts in bad:
        check_error(run("top-digits", "--weights", WEIGHTS, *opts, *data), status, fragment, " ".join(opts))
    check_error(run("top-digits", "--weights", os.path.join(args.workdir, "missing.lenet"), "--layer", "C1",
                    "--map", "0", *data), 1, "missing.lenet: cannot open", "missing weights")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
