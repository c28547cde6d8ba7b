// check_onnx.mjs — every shipped network exported to ONNX (`lenet5 convert --out X.onnx`) and run by
// ONNX Runtime (npm onnxruntime-node, CPU) gives `lenet5 eval`'s predictions on all 10,000 MNIST test
// digits (or Fashion-MNIST's, for a Fashion network), with scores within 1e-4; the model passes
// onnx.checker (Debian python3-onnx); importing it back (`lenet5 eval --weights X.onnx`) gives the
// very same predictions CSV as the .lenet file.
//
//     node tests/tools/check_onnx.mjs --lenet5 PATH --workdir DIR --weights-dir assets/weights
//          [--data MNIST_DIR] [--fashion DIR] [--python /usr/bin/python3]
// Prints "N passed, M failed"; exit status 0 when every check passes.
import ort from 'onnxruntime-node';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const lenet5 = opt('--lenet5');
const workdir = opt('--workdir');
const weightsDir = opt('--weights-dir');
const python = opt('--python', '/usr/bin/python3');
if (!lenet5 || !workdir || !weightsDir) {
  console.error('usage: check_onnx.mjs --lenet5 PATH --workdir DIR --weights-dir DIR [--data DIR] [--fashion DIR]');
  process.exit(2);
}
fs.mkdirSync(workdir, { recursive: true });

let passed = 0;
const failed = [];
const check = (cond, what) => { if (cond) passed++; else { failed.push(what); console.log('FAIL:', what); } };

function readIdx(dir, kind) {
  for (const name of [`t10k-${kind}-ubyte`, `t10k-${kind}-ubyte.gz`]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(p)) : fs.readFileSync(p);
  }
  throw new Error(`no t10k ${kind} in ${dir}`);
}

function readCsv(file) {  // index,label,predicted,score0..9 -> {predicted[], scores[][]}
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  return { predicted: rows.map((r) => r[2]), scores: rows.map((r) => r.slice(3)) };
}

const run = (argv) => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

for (const file of fs.readdirSync(weightsDir).filter((f) => f.endsWith('.lenet')).sort()) {
  const name = file.replace(/\.lenet$/, '');
  const fashion = name.includes('fashion');
  const dataDir = fashion ? opt('--fashion', '/usr/share/datasets/fashion-mnist') : opt('--data');
  const weights = path.join(weightsDir, file);
  const model = path.join(workdir, `${name}.onnx`);
  const dataArgs = dataDir ? ['--data', dataDir] : [];
  const dsArgs = fashion ? ['--dataset', 'fashion'] : [];
  run([lenet5, 'convert', '--weights', weights, '--out', model]);
  const checker = spawnSync(python, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', model],
                            { encoding: 'utf8' });
  check(checker.status === 0, `${name}: onnx.checker: ${checker.stderr.trim().split('\n').pop()}`);

  const csvOurs = path.join(workdir, `${name}.csv`), csvBack = path.join(workdir, `${name}.onnx.csv`);
  run([lenet5, 'eval', '--weights', weights, ...dataArgs, ...dsArgs, '--predictions', csvOurs]);
  run([lenet5, 'eval', '--weights', model, ...dataArgs, ...dsArgs, '--predictions', csvBack]);
  check(fs.readFileSync(csvOurs, 'utf8') === fs.readFileSync(csvBack, 'utf8'),
        `${name}: export -> import gives a different network (eval CSVs differ)`);

  const ours = readCsv(csvOurs);
  const images = readIdx(dataDir || opt('--data'), 'images-idx3');
  const n = ours.predicted.length;
  const x = new Float32Array(n * 784);
  for (let k = 0; k < n * 784; k++) x[k] = images[16 + k] / 255;
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [n, 1, 28, 28]) });
  const y = out[session.outputNames[0]].data;
  const classes = y.length / n;
  let mismatches = 0, maxDiff = 0;
  // A model ending in Softmax gives probabilities; one ending in an RBF layer distances (smallest wins).
  const penalties = !session.outputNames[0].toLowerCase().includes('softmax');
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      const v = y[i * classes + c], b = y[i * classes + best];
      if (penalties ? v < b : v > b) best = c;
    }
    if (best !== ours.predicted[i]) mismatches++;
    for (let c = 0; c < classes; c++) {
      const ref = ours.scores[i][c];
      maxDiff = Math.max(maxDiff, Math.abs(y[i * classes + c] - ref) / Math.max(1, Math.abs(ref)));
    }
  }
  console.log(`${name}: ${n} digits, ${mismatches} predictions differ, max |d score| (relative above 1) ${maxDiff.toExponential(2)}`);
  check(n === 10000, `${name}: eval covered ${n} digits, expected 10,000`);
  check(mismatches === 0, `${name}: ${mismatches} of ${n} ONNX Runtime predictions differ from lenet5 eval`);
  check(maxDiff < 1e-4, `${name}: ONNX Runtime scores differ from lenet5 eval by up to ${maxDiff}`);
}
console.log(`check_onnx: ${passed} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
