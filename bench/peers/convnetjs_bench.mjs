// convnetjs_bench.mjs — ConvNetJS (npm convnetjs 0.3.0, Karpathy's plain-JS library, Float64) peer:
// the modern `lenet5` and the four figures of common.mjs. ConvNetJS has no average pooling, so S2/S4
// are 2x2 max pooling (the same shapes and practically the same cost); C5 is a 5x5 conv to 1x1.
// It processes one digit at a time: batched inference is a loop of single digits, and minibatch-32
// SGD is its Trainer with batch_size 32 (gradients summed over 32 digits, then one update).
//
//     node bench/peers/convnetjs_bench.mjs
import { createRequire } from 'node:module';
import { loadMnist, measure, report, scaled } from './common.mjs';

const P = scaled(0.2);  // ~7 ms per digit forward: 1/5 of the digits per repetition

const require = createRequire(import.meta.url);
const convnetjs = require('convnetjs');
const version = require('convnetjs/package.json').version;

const layers = [
  { type: 'input', out_sx: 32, out_sy: 32, out_depth: 1 },
  { type: 'conv', sx: 5, filters: 6, stride: 1, pad: 0, activation: 'tanh' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 0, activation: 'tanh' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'conv', sx: 5, filters: 120, stride: 1, pad: 0, activation: 'tanh' },
  { type: 'fc', num_neurons: 84, activation: 'tanh' },
  { type: 'softmax', num_classes: 10 },
];
const net = new convnetjs.Net();
net.makeLayers(layers);
let params = 0;
for (const r of net.getParamsAndGrads()) params += r.params.length;
if (params !== 61706) throw new Error(`parameter count ${params}, expected 61706`);

const toVol = (d) => {
  const vols = [];
  for (let i = 0; i < d.n; ++i) {
    const v = new convnetjs.Vol(32, 32, 1, 0.0);
    // Vol layout is ((y * sx) + x) * depth + d: the same order as our 1x32x32.
    for (let k = 0; k < 1024; ++k) v.w[k] = d.x[i * 1024 + k];
    vols.push(v);
  }
  return vols;
};
const test = loadMnist('t10k', 2000), train = loadMnist('train', 3000);
const tv = toVol(test), trv = toVol(train);

const res = { peer: 'convnetjs', version, arch: 'lenet5 (max pooling)', params, threads: 1, scale: 0.2 };
res.infer_b1_us = 1e6 * await measure((n, off) => {
  for (let k = 0; k < n; ++k) net.forward(tv[(off + k) % tv.length], false);
}, P.B1_WARM, P.B1_N);
res.infer_batch_per_s = 1 / await measure((n, off) => {
  for (let k = 0; k < n; ++k) net.forward(tv[(off + k) % tv.length], false);
}, P.B1_WARM, P.BATCH_N);
const trainFn = (bs) => {
  const tr = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: P.LR, momentum: 0, batch_size: bs, l2_decay: 0 });
  return (n, off) => {
    for (let k = 0; k < n; ++k) { const i = (off + k) % trv.length; tr.train(trv[i], train.y[i]); }
  };
};
res.train_mb1_per_s = 1 / await measure(trainFn(1), P.MB1_WARM, P.MB1_N);
res.train_mb32_per_s = 1 / await measure(trainFn(32), 64, Math.max(320, P.MB32_N));
report(res);
