#!/usr/bin/env python3
"""check_torch_onnx.py — LeNets built and exported to ONNX by PyTorch, imported by `lenet5 eval`.

Three students' LeNets, each trained briefly here (fixed seed, 3,000 training digits, one pass; d2l's
sigmoid one, whose saturating units learn slowly, four passes, so that none predicts one class), then
exported with torch.onnx.export (opset 13, batch axis dynamic):
  tanh     the modern textbook one: 32x32 input, Conv/Tanh/AvgPool, Flatten, Linear x3
  relu     ReLU and max-pooling on 28x28 with padding 2, flattened by reshape(-1, 400)
  sigmoid  d2l's: Sigmoid, AvgPool, padding 2, ending in Softmax
For each: `lenet5 eval --weights X.onnx --limit N --predictions CSV` (no --arch) must give PyTorch's
predictions on the first N test digits and its softmax scores within 1e-4. The same holds for the
model's state_dict saved with np.savez under PyTorch's own keys ("0.weight", "3.bias", ...), read by
`lenet5 eval --weights X.npz --arch X.json` (tensors matched by order and shape to a spec written
here with the model's activations); without --arch such a file fits two presets, which is an error. --out-dir keeps the
.onnx files and PyTorch's scores (X.scores.json) for the page's test (tests/web/onnx.test.mjs).

Usage: check_torch_onnx.py --lenet5 PATH --workdir DIR --data MNIST_DIR [--count 1000]
Needs Debian's python3-torch and python3-onnx (run with /usr/bin/python3). Exit status 0 when every
check passes.
"""
import argparse
import csv
import json
import os
import subprocess
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, summary  # noqa: E402


def read_idx(data_dir, prefix, count):
    with open(os.path.join(data_dir, prefix + "-images-idx3-ubyte"), "rb") as f:
        images = np.frombuffer(f.read(), np.uint8)[16:].reshape(-1, 28, 28)[:count]
    with open(os.path.join(data_dir, prefix + "-labels-idx1-ubyte"), "rb") as f:
        labels = np.frombuffer(f.read(), np.uint8)[8:][:count]
    return torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0, torch.tensor(labels, dtype=torch.long)


class Reshape400(nn.Module):
    def forward(self, x):
        return x.reshape(-1, 400)


def models():
    """name -> (model, input side): 32 means the digits are padded by 2 before the model."""
    tanh = nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
                         nn.Linear(84, 10))
    relu = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), Reshape400(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))
    sigmoid = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
                            nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, stride=2), nn.Flatten(),
                            nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
    return {"tanh": (tanh, 32), "relu": (relu, 28), "sigmoid": (sigmoid, 28)}


def spec(name, side):
    """Our JSON spec of a model of models(): the same layers, activations and input size."""
    act, pool = {"tanh": ("tanh", "avg"), "relu": ("relu", "max"), "sigmoid": ("sigmoid", "avg")}[name]
    pad = 0 if side == 32 else 2
    return {"name": "torch-" + name, "input": [1, side, side], "input_norm": "unit", "loss": "xent", "layers": [
        {"name": "conv1", "type": "conv", "maps": 6, "kernel": 5, "padding": pad, "activation": act},
        {"name": "pool1", "type": "pool", "mode": pool, "size": 2},
        {"name": "conv2", "type": "conv", "maps": 16, "kernel": 5, "activation": act},
        {"name": "pool2", "type": "pool", "mode": pool, "size": 2},
        {"name": "fc1", "type": "full", "units": 120, "activation": act},
        {"name": "fc2", "type": "full", "units": 84, "activation": act},
        {"name": "fc3", "type": "full", "units": 10}]}


def compare(name, kind, out, ref, count):
    """Our --predictions CSV against PyTorch's softmax scores."""
    with open(out) as f:
        rows = list(csv.DictReader(f))
    ours = np.array([[float(row["score%d" % c]) for c in range(10)] for row in rows], np.float32)
    predicted = np.array([int(row["predicted"]) for row in rows])
    check(len(rows) == count, "%s %s: %d rows, expected %d" % (name, kind, len(rows), count))
    if len(rows) != count:
        return
    diff = float(np.abs(ours - ref).max())
    same = int((predicted == ref.argmax(1)).sum())
    accuracy = float((ref.argmax(1) == np.array([int(row["label"]) for row in rows])).mean())
    print("%s %s: PyTorch accuracy %.1f%%, %d of %d predictions agree, max |d softmax| %.2e"
          % (name, kind, 100 * accuracy, same, len(rows), diff))
    # A model that predicts one class would agree with anything; each of these learns more than that.
    check(accuracy > 0.5, "%s %s: PyTorch's model is only %.1f%% accurate" % (name, kind, 100 * accuracy))
    check(same == len(rows), "%s %s: %d of %d predictions differ from PyTorch" % (name, kind, len(rows) - same, len(rows)))
    check(diff < 1e-4, "%s %s: softmax differs from PyTorch by %.3g" % (name, kind, diff))


def frame(x, side):
    return nn.functional.pad(x, (2, 2, 2, 2)) if side == 32 else x


def main():
    ap = argparse.ArgumentParser()
    for n in ("--lenet5", "--workdir", "--data"):
        ap.add_argument(n, required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--out-dir")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    torch.manual_seed(5)
    torch.set_num_threads(1)
    train_x, train_y = read_idx(args.data, "train", 3000)
    test_x, _ = read_idx(args.data, "t10k", args.count)
    for name, (model, side) in models().items():
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
        model.train()
        for _ in range(4 if name == "sigmoid" else 1):
            for i in range(0, len(train_x), 32):
                opt.zero_grad()
                nn.functional.cross_entropy(model(frame(train_x[i:i + 32], side)), train_y[i:i + 32]).backward()
                opt.step()
        model.eval()
        exported = nn.Sequential(model, nn.Softmax(dim=1)) if name == "sigmoid" else model
        path = os.path.join(args.out_dir or args.workdir, "torch-%s.onnx" % name)
        torch.onnx.export(exported, torch.zeros(1, 1, side, side), path, opset_version=13, input_names=["x"],
                          output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
        with torch.no_grad():
            ref = torch.softmax(model(frame(test_x, side)), dim=1).numpy()
        if args.out_dir:
            with open(os.path.join(args.out_dir, "torch-%s.scores.json" % name), "w") as f:
                json.dump(ref.tolist(), f)
        npz = os.path.join(args.out_dir or args.workdir, "torch-%s.npz" % name)
        np.savez(npz, **{k: v.detach().numpy() for k, v in model.state_dict().items()})
        arch = os.path.join(args.workdir, "torch-%s.json" % name)
        with open(arch, "w") as f:
            json.dump(spec(name, side), f, indent=1)
        for kind, extra in (("onnx", ["--weights", path]), ("npz", ["--weights", npz, "--arch", arch])):
            out = os.path.join(args.workdir, "torch-%s-%s.csv" % (name, kind))
            r = subprocess.run([args.lenet5, "eval"] + extra + ["--data", args.data, "--limit", str(args.count),
                                "--predictions", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            check(r.returncode == 0, "%s %s: lenet5 eval failed: %s" % (name, kind, r.stderr.strip()))
            if r.returncode == 0:
                compare(name, kind, out, ref, args.count)
        # Without --arch, PyTorch's keys are matched to the presets, and two fit these shapes.
        r = subprocess.run([args.lenet5, "eval", "--weights", npz, "--data", args.data, "--limit", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(r.returncode == 2 and "ambiguous: the tensors fit lenet5 and lenet5-relu" in r.stderr,
              "%s npz without --arch: exit %d, %s" % (name, r.returncode, r.stderr.strip()))
    return summary("check_torch_onnx")


if __name__ == "__main__":
    sys.exit(main())
