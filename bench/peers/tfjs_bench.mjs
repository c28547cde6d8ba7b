// tfjs_bench.mjs — TensorFlow.js peer (npm @tensorflow/tfjs; backend "cpu" (plain JS) or "wasm"
// (@tensorflow/tfjs-backend-wasm, SIMD)): the modern `lenet5` built with tf.layers, the four figures
// of common.mjs. A figure a backend cannot compute (a missing kernel) is null, with the reason.
//
//     node bench/peers/tfjs_bench.mjs cpu|wasm
import * as tf from '@tensorflow/tfjs';
import { P as P0, loadMnist, measure, report, scaled } from './common.mjs';

const backend = process.argv[2] || 'cpu';
// The plain-JS backend needs milliseconds per digit: 1/5 of the digits per repetition.
const P = backend === 'cpu' ? scaled(0.2) : P0;
if (backend === 'wasm') {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount?.(1);
}
await tf.setBackend(backend);
await tf.ready();

const test = loadMnist('t10k', 10000), train = loadMnist('train', 20000);
tf.util.seedrandom?.(1);
const model = tf.sequential({ layers: [
  tf.layers.conv2d({ inputShape: [32, 32, 1], filters: 6, kernelSize: 5, activation: 'tanh' }),
  tf.layers.averagePooling2d({ poolSize: 2 }),
  tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }),
  tf.layers.averagePooling2d({ poolSize: 2 }),
  tf.layers.conv2d({ filters: 120, kernelSize: 5, activation: 'tanh' }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 84, activation: 'tanh' }),
  tf.layers.dense({ units: 10 }),
] });
const params = model.countParams();
if (params !== 61706) throw new Error(`parameter count ${params}, expected 61706`);

// NHWC with C = 1 has the same memory layout as NCHW.
const xs = (d, i, n) => tf.tensor4d(d.x.subarray(i * 1024, (i + n) * 1024), [n, 32, 32, 1]);
const res = { peer: `tfjs-${backend}`, version: tf.version.tfjs, arch: 'lenet5', params, threads: 1 };
if (P !== P0) res.scale = 0.2;
const errors = {};

async function figure(key, f) {
  try { res[key] = await f(); } catch (e) { res[key] = null; errors[key] = String(e.message || e).split('\n')[0]; }
}

await figure('infer_b1_us', async () => 1e6 * await measure(async (n, off) => {
  for (let k = 0; k < n; ++k) {
    const y = tf.tidy(() => model.predict(xs(test, (off + k) % 10000, 1)));
    await y.data();
    y.dispose();
  }
}, P.B1_WARM, P.B1_N));
await figure('infer_batch_per_s', async () => 1 / await measure(async (n, off) => {
  for (let s = 0; s < n; s += P.BATCH) {
    const y = tf.tidy(() => model.predict(xs(test, (off + s) % 10000, P.BATCH)));
    await y.data();
    y.dispose();
  }
}, P.BATCH_N, P.BATCH_N));

const opt = tf.train.sgd(P.LR);
const trainFn = (bs) => async (n, off) => {
  for (let s = 0; s < n; s += bs) {
    const i = (off + s) % 20000;
    const loss = opt.minimize(() => {
      const x = xs(train, i, bs);
      const y = tf.oneHot(tf.tensor1d(train.y.subarray(i, i + bs), 'int32'), 10);
      return tf.losses.softmaxCrossEntropy(y, model.apply(x));
    }, true);
    await loss.data();
    loss.dispose();
  }
};
await figure('train_mb1_per_s', async () => 1 / await measure(trainFn(1), P.MB1_WARM, P.MB1_N));
await figure('train_mb32_per_s', async () => 1 / await measure(trainFn(32), 64, Math.max(320, P.MB32_N)));
if (Object.keys(errors).length) res.errors = errors;
report(res);
