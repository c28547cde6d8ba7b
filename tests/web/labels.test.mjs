// tests/web/labels.test.mjs — every label tells the truth and can be read: after training from a
// seeded init the input and weights panels stop saying "untrained"; the preprocessing strip's
// captions are never cut off; text colours meet WCAG AA contrast (4.5:1) on the dark theme.
// Screenshots are read back with ImageMagick (`convert ... rgb:-`).
import { execFileSync } from 'node:child_process';
import { check } from './harness.mjs';

const state = (page) => page.evaluate(() => window.lenet.state());

async function waitFrames(page, n) {
  const f0 = (await state(page)).frames;
  await page.waitForFunction((f) => window.lenet.state().frames >= f, f0 + n, { timeout: 30000, polling: 20 });
}

async function waitState(page, predicate, what) {
  try {
    await page.waitForFunction(predicate, null, { timeout: 60000, polling: 100 });
  } catch (e) {
    throw new Error(`timed out waiting for ${what}; state: ${JSON.stringify(await state(page)).slice(0, 600)}`);
  }
  return state(page);
}

// The pixels of a rectangle of a screenshot, as [r, g, b] triples.
function pixels(file, x, y, w, h) {
  const raw = execFileSync('convert', [file, '-crop', `${w}x${h}+${x}+${y}`, '+repage', '-depth', '8', 'rgb:-']);
  const out = [];
  for (let i = 0; i + 2 < raw.length; i += 3) out.push([raw[i], raw[i + 1], raw[i + 2]]);
  return out;
}

// Pixels of the warning red-orange ("untrained weights: a guess"), anti-aliased edges included.
const warmRed = (px) => px.filter(([r, g, b]) => r > 120 && r - g > 50 && r - b > 60).length;

async function strokeOnPad(page, pad) {
  await page.mouse.move(pad.x + pad.w * 0.5, pad.y + pad.h * 0.2);
  await page.mouse.down();
  for (let k = 1; k <= 6; k++) {
    await page.mouse.move(pad.x + pad.w * 0.5, pad.y + pad.h * (0.2 + 0.1 * k), { steps: 2 });
    await page.waitForTimeout(60);
  }
  await page.mouse.up();
  await page.waitForFunction(() => window.lenet.state().pad_strokes >= 1, null, { timeout: 20000 });
}

// WCAG 2 relative luminance and contrast ratio of sRGB colours in 0..1.
function luminance([r, g, b]) {
  const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
// [r, g, b, a] layers, bottom first, blended into one opaque colour.
function composite(layers) {
  let c = [0, 0, 0];
  for (const [r, g, b, a] of layers) c = [r, g, b].map((v, i) => a * v + (1 - a) * c[i]);
  return c;
}

export const tests = [
  {
    name: 'labels: after training from a seeded init, no panel still says "untrained"',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(ctx.url + '#input=draw&layer=C1');
      await ctx.waitReady(page);
      check((await page.evaluate(() => window.lenet.command({ cmd: 'set_weights', file: '' }))).ok, 'set_weights ""');
      await waitFrames(page, 3);
      let s = await state(page);
      check(s.weights_status === 'untrained', `weights_status ${s.weights_status}`);
      // The input panel's top, and the weights panel's first line (under the tabs), in red-orange.
      const regions = { input: [0, 133, 320, 110], weights: [940, 176, 330, 20] };
      let shot = await ctx.screenshot(page, 'labels-untrained');
      for (const [name, r] of Object.entries(regions)) {
        check(warmRed(pixels(shot, ...r)) > 30, `untrained: no red "untrained" label in the ${name} panel`);
      }
      check((await page.evaluate(() => window.lenet.command({ cmd: 'train', on: true }))).ok, 'train on');
      await waitState(page, () => window.lenet.state().train_samples > 0, 'training to run');
      check((await page.evaluate(() => window.lenet.command({ cmd: 'train', on: false }))).ok, 'train off');
      await waitFrames(page, 3);
      s = await state(page);
      check(s.weights_status === 'trained here', `after training: weights_status ${s.weights_status}`);
      // Training selected the Train tab; back to the Weights tab (at the right column's top left).
      await page.mouse.click(905, 158);
      await waitFrames(page, 3);
      shot = await ctx.screenshot(page, 'labels-trained-here');
      for (const [name, r] of Object.entries(regions)) {
        const n = warmRed(pixels(shot, ...r));
        check(n === 0, `after training, the ${name} panel still shows a red label (${n} pixels): ${shot}`);
      }
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'labels: the preprocessing strip\'s captions fit their images and the panel (1440x900, 1280x720, phone)',
    async run(ctx) {
      for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }, { width: 390, height: 844 }]) {
        const page = await ctx.openPage({ viewport });
        await page.goto(ctx.url + '#input=draw&layer=C1');
        let s = await ctx.waitReady(page);
        await strokeOnPad(page, s.draw_pad);
        await waitFrames(page, 3);
        s = await state(page);
        const caps = s.strip_captions;
        check(caps.length === 5, `${viewport.width}: ${caps.length} captions: ${JSON.stringify(caps)}`);
        check(caps[4].text === '32x32 input', `last caption '${caps[4].text}'`);
        for (const c of caps) {
          check(c.text_w <= c.col_w + 0.5 && c.right <= c.limit + 0.5,
                `${viewport.width}x${viewport.height}: caption '${c.text}' is cut: ${JSON.stringify(c)}`);
        }
        await ctx.screenshot(page, `labels-strip-${viewport.width}`);
        await page.close();
      }
    },
  },
  {
    name: 'labels: every text colour of the dark theme has WCAG AA contrast; the predicted digit reads on screen',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(ctx.url + '#sample=0&layer=C1');
      let s = await ctx.waitReady(page);
      const reply = await page.evaluate(() => window.lenet.command({ cmd: 'theme' }));
      check(reply.ok && reply.pairs.length >= 30, `theme: ${JSON.stringify(reply).slice(0, 300)}`);
      const low = [];
      let min = Infinity;
      for (const p of reply.pairs) {
        const bg = composite(p.bg);
        const ratio = contrast(composite([...p.bg, p.fg]), bg);
        min = Math.min(min, ratio);
        if (ratio < 4.5) low.push(`${p.what} ${ratio.toFixed(2)}:1`);
      }
      check(low.length === 0, `text below 4.5:1: ${low.join(', ')}`);
      ctx.log(`${reply.pairs.length} text colours on their backgrounds, lowest contrast ${min.toFixed(2)}:1`);

      // On screen: the predicted class in the input panel, for a test digit and for a drawing. Its
      // brightest pixel against the panel (anti-aliasing only lowers the contrast it measures).
      const measure = async (name) => {
        await waitFrames(page, 3);
        s = await state(page);
        const r = s.prediction_rect;
        check(r.w > 4 && r.h > 8, `${name}: prediction_rect ${JSON.stringify(r)}`);
        const shot = await ctx.screenshot(page, `labels-prediction-${name}`);
        const px = pixels(shot, Math.round(r.x), Math.round(r.y), Math.round(r.w), Math.round(r.h));
        const counts = new Map();  // the panel behind it: the rectangle's most common colour
        for (const p of px) counts.set(p.join(), (counts.get(p.join()) || 0) + 1);
        const bg = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
        const rgb = (p) => p.map((v) => v / 255);
        const best = Math.max(...px.map((p) => contrast(rgb(p), rgb(bg))));
        check(best >= 4.5, `${name}: the predicted digit reads ${best.toFixed(2)}:1 on the panel (${shot})`);
        return best;
      };
      const test = await measure('test-digit');
      await strokeOnPad(page, s.draw_pad);
      check((await state(page)).input_source === 'draw', 'the stroke did not switch to the drawing');
      const drawn = await measure('drawing');
      ctx.log(`predicted digit on screen: test digit ${test.toFixed(1)}:1, drawing ${drawn.toFixed(1)}:1`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
];
