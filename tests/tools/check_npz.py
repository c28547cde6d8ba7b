#!/usr/bin/env python3
"""check_npz.py — our .npz weights as NumPy (and so PyTorch) sees them.

For each preset: make weights with `lenet5 train --steps`, export them with `lenet5 convert`, load the
.npz with numpy.load, and check
  1. the keys and shapes are the PyTorch ones the spec implies ("C1.weight" [6,1,5,5], "S2.coeff" [6],
     "F6.weight" [84,120], "OUTPUT.prototypes" [10,84], ...), all float32, C order;
  2. an independent numpy forward pass with those tensors in PyTorch's conventions (cross-correlation
     conv [O,I,K,K], flatten in C,H,W order, Linear y = W x + b, input mapping of the spec) gives the
     same scores as `lenet5 eval --predictions` on the first test images;
  3. numpy's own np.savez / np.savez_compressed (zip64 headers, deflate, float64) load back into the
     engine with identical results.
Usage: check_npz.py --lenet5 PATH/lenet5 --workdir DIR --data MNIST_DIR [--count N] [--arch NAME ...]
Needs numpy only (Debian python3-numpy). Exit status 0 when every check passes.
"""
import argparse
import csv
import json
import os
import struct
import subprocess
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit("command failed (%d): %s\n%s%s" % (r.returncode, " ".join(cmd), r.stdout, r.stderr))
    return r.stdout


def spec_of(lenet_path):
    """The architecture JSON stored in a native .lenet file (magic, u32 version, u32 length, JSON)."""
    b = open(lenet_path, "rb").read()
    assert b[:8] == b"LENET5W\0", "bad magic"
    n = struct.unpack("<I", b[12:16])[0]
    return json.loads(b[16:16 + n].decode("utf-8"))


def read_idx(data_dir, count):
    def path(kind):
        for name in ("t10k-%s-ubyte" % kind, "t10k-%s-ubyte.gz" % kind):
            p = os.path.join(data_dir, name)
            if os.path.exists(p):
                return p
        raise SystemExit("no t10k %s in %s" % (kind, data_dir))
    import gzip
    def load(p):
        return gzip.open(p).read() if p.endswith(".gz") else open(p, "rb").read()
    img = load(path("images-idx3"))
    lab = load(path("labels-idx1"))
    n, rows, cols = struct.unpack(">III", img[4:16])
    x = np.frombuffer(img[16:], dtype=np.uint8).reshape(n, rows, cols)[:count]
    y = np.frombuffer(lab[8:], dtype=np.uint8)[:count]
    return x, y


def activation(a, v):
    if a == "scaled_tanh":
        return 1.7159 * np.tanh(2.0 / 3.0 * v)
    if a == "tanh":
        return np.tanh(v)
    if a == "sigmoid":
        return 1.0 / (1.0 + np.exp(-v))
    if a == "relu":
        return np.maximum(v, 0.0)
    assert a in ("none", None), a
    return v


def expected_shapes(spec):
    """Keys and shapes the engine must export, derived from the spec alone."""
    c, h, w = spec["input"]
    out = {}
    for L in spec["layers"]:
        name, t = L["name"], L["type"]
        if t == "conv":
            k, s, p = L["kernel"], L.get("stride", 1), L.get("padding", 0)
            out[name + ".weight"] = (L["maps"], c, k, k)
            out[name + ".bias"] = (L["maps"],)
            c, h, w = L["maps"], (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        elif t == "pool":
            k = L["size"]
            s = L.get("stride", k)
            if L["mode"] == "subsample":
                out[name + ".coeff"] = (c,)
                out[name + ".bias"] = (c,)
            h, w = (h - k) // s + 1, (w - k) // s + 1
        elif t == "full":
            out[name + ".weight"] = (L["units"], c * h * w)
            out[name + ".bias"] = (L["units"],)
            c, h, w = L["units"], 1, 1
        elif t == "rbf":
            out[name + ".prototypes"] = (L["units"], c * h * w)
            c, h, w = L["units"], 1, 1
    return out


def forward(spec, z, img):
    """Scores for one uint8 image, float64, PyTorch conventions."""
    C, H, W = spec["input"]
    lo, hi = (-0.1, 1.175) if spec.get("input_norm") == "paper" else (0.0, 1.0)
    x = np.full((H, W), lo)
    oy, ox = (H - img.shape[0]) // 2, (W - img.shape[1]) // 2
    x[oy:oy + img.shape[0], ox:ox + img.shape[1]] = lo + (hi - lo) * img.astype(np.float64) / 255.0
    x = np.repeat(x[None], C, axis=0)
    for L in spec["layers"]:
        name, t = L["name"], L["type"]
        if t == "conv":
            wt = z[name + ".weight"].astype(np.float64)
            k, s, p = L["kernel"], L.get("stride", 1), L.get("padding", 0)
            if p:
                x = np.pad(x, ((0, 0), (p, p), (p, p)))
            win = sliding_window_view(x, (k, k), axis=(1, 2))[:, ::s, ::s]  # (C, H', W', K, K)
            x = np.einsum("chwij,ocij->ohw", win, wt) + z[name + ".bias"].astype(np.float64)[:, None, None]
        elif t == "pool":
            k = L["size"]
            s = L.get("stride", k)
            win = sliding_window_view(x, (k, k), axis=(1, 2))[:, ::s, ::s]
            if L["mode"] == "max":
                x = win.max(axis=(3, 4))
            elif L["mode"] == "avg":
                x = win.mean(axis=(3, 4))
            else:
                x = win.sum(axis=(3, 4)) * z[name + ".coeff"].astype(np.float64)[:, None, None] \
                    + z[name + ".bias"].astype(np.float64)[:, None, None]
        elif t == "full":
            x = z[name + ".weight"].astype(np.float64) @ x.reshape(-1) + z[name + ".bias"].astype(np.float64)
        elif t == "rbf":
            x = ((x.reshape(-1)[None, :] - z[name + ".prototypes"].astype(np.float64)) ** 2).sum(axis=1)
        x = activation(L.get("activation", "none"), x)
    x = x.reshape(-1)
    if spec["layers"][-1]["type"] == "rbf":
        return x, int(np.argmin(x))
    e = np.exp(x - x.max())
    p = e / e.sum()
    return p, int(np.argmax(p))


def check_arch(args, arch):
    wd = args.workdir
    lenet = os.path.join(wd, arch + ".lenet")
    npz = os.path.join(wd, arch + ".npz")
    data = ["--data", args.data]
    run([args.lenet5, "train", "--arch", arch, "--steps", "40", "--seed", "3", "--out", lenet] + data)
    run([args.lenet5, "convert", "--weights", lenet, "--out", npz])
    spec = spec_of(lenet)
    z = np.load(npz)
    problems = []

    want = expected_shapes(spec)
    if sorted(z.files) != sorted(want):
        problems.append("keys %s, expected %s" % (sorted(z.files), sorted(want)))
    for k, shape in want.items():
        if k in z.files and (z[k].shape != shape or z[k].dtype != np.float32 or not z[k].flags.c_contiguous):
            problems.append("%s: %s %s, expected %s float32" % (k, z[k].shape, z[k].dtype, shape))
    if problems:
        return problems

    csv_path = os.path.join(wd, arch + ".csv")
    run([args.lenet5, "eval", "--weights", npz, "--arch", arch, "--limit", str(args.count),
         "--predictions", csv_path] + data)
    rows = list(csv.DictReader(open(csv_path)))
    images, labels = read_idx(args.data, args.count)
    worst = 0.0
    for i, row in enumerate(rows):
        scores, pred = forward(spec, z, images[i])
        ours = np.array([float(row["score%d" % c]) for c in range(len(scores))])
        err = np.max(np.abs(ours - scores) / (np.abs(scores) + 1e-3))
        worst = max(worst, err)
        if int(row["label"]) != int(labels[i]):
            problems.append("row %d: label %s, file says %d" % (i, row["label"], labels[i]))
        if err > 1e-3:
            problems.append("image %d: scores differ (relative %.2g): engine %s numpy %s" % (i, err, ours, scores))
        elif int(row["predicted"]) != pred and np.sort(scores)[-1] - np.sort(scores)[-2] > 1e-4:
            problems.append("image %d: engine predicts %s, numpy %d" % (i, row["predicted"], pred))
        if len(problems) > 5:
            break

    # numpy's writers, read back by the engine: identical evaluation.
    for kind, saver, dtype in (("savez", np.savez, np.float32), ("savez_compressed", np.savez_compressed, np.float64)):
        path = os.path.join(wd, "%s.%s.npz" % (arch, kind))
        saver(path, **{k: z[k].astype(dtype) for k in z.files})
        again = os.path.join(wd, "%s.%s.csv" % (arch, kind))
        run([args.lenet5, "eval", "--weights", path, "--arch", arch, "--limit", str(args.count),
             "--predictions", again] + data)
        if open(again).read() != open(csv_path).read():
            problems.append("np.%s file evaluates differently" % kind)
    print("%-12s %d keys ok, %d images: max relative score difference %.2g" % (arch, len(want), len(rows), worst))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lenet5", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--data", required=True, help="MNIST folder (t10k-*-ubyte)")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--arch", action="append")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    failed = 0
    archs = args.arch or ["lenet5-1998", "lenet5", "lenet5-relu"]
    for arch in archs:
        problems = check_arch(args, arch)
        for p in problems:
            print("FAIL %s: %s" % (arch, p))
        failed += bool(problems)
    print("%d passed, %d failed" % (len(archs) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
