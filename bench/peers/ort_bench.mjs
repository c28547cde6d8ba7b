// ort_bench.mjs — ONNX Runtime (npm onnxruntime-node, CPU) peer: inference of the modern `lenet5`
// exported from PyTorch (torch_bench.py --export-onnx). ONNX Runtime for Node has no training API,
// so the training figures are null.
//
//     node bench/peers/ort_bench.mjs MODEL.onnx [--threads-batch 2]
import ort from 'onnxruntime-node';
import { createRequire } from 'node:module';
import { P, loadMnist, measure, report } from './common.mjs';

const args = process.argv.slice(2);
const model = args.find((a) => !a.startsWith('--'));
if (!model) { console.error('usage: ort_bench.mjs MODEL.onnx [--threads-batch N]'); process.exit(2); }
const tb = args.includes('--threads-batch') ? Number(args[args.indexOf('--threads-batch') + 1]) : 2;
const version = createRequire(import.meta.url)('onnxruntime-node/package.json').version;

const test = loadMnist('t10k', 10000);
const opts = (threads) => ({ intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
                             graphOptimizationLevel: 'all' });
const s1 = await ort.InferenceSession.create(model, opts(1));
const sb = await ort.InferenceSession.create(model, opts(tb));
const input = (i, n) => new ort.Tensor('float32', test.x.subarray(i * 1024, (i + n) * 1024), [n, 1, 32, 32]);

const res = { peer: 'onnxruntime', version, arch: 'lenet5', threads: 1, threads_batch: tb };
res.infer_b1_us = 1e6 * await measure(async (n, off) => {
  for (let k = 0; k < n; ++k) await s1.run({ x: input((off + k) % 10000, 1) });
}, P.B1_WARM, P.B1_N);
res.infer_batch_per_s = 1 / await measure(async (n, off) => {
  for (let s = 0; s < n; s += P.BATCH) await sb.run({ x: input((off + s) % 10000, P.BATCH) });
}, P.BATCH_N, P.BATCH_N);
res.train_mb1_per_s = null;
res.train_mb32_per_s = null;
report(res);
