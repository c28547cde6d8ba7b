// tests/web/keys.test.mjs — every key tap counts: Left/Right/Home/End/Space are counted from the
// platform's key events, not from ImGui's once-per-frame key state, so taps whose key-down and
// key-up fall within one frame step once each, however slow the frames (the debug_sleep command
// slows them on purpose). Holding Left/Right still repeats.
import { check } from './harness.mjs';

const state = (page) => page.evaluate(() => window.lenet.state());

async function waitFrames(page, n) {
  const f0 = (await state(page)).frames;
  await page.waitForFunction((f) => window.lenet.state().frames >= f, f0 + n, { timeout: 30000, polling: 20 });
}

// The time between the next n+1 animation frames, each a frame of the app's main loop (ms).
function frameGaps(page, n) {
  return page.evaluate((n) => new Promise((resolve) => {
    const t = [];
    const tick = (ts) => { t.push(ts); if (t.length <= n) requestAnimationFrame(tick); else resolve(t.slice(1).map((v, i) => v - t[i])); };
    requestAnimationFrame(tick);
  }), n);
}

// n instant taps of `key`, key-down and key-up of all of them in one JS task (as a switch device, an
// on-screen keyboard or automation sends them), dispatched where SDL listens (the window).
function tapInOneTask(page, key, n) {
  const codes = { ArrowRight: 39, ArrowLeft: 37, Home: 36, End: 35 };
  return page.evaluate(([key, keyCode, n]) => {
    for (let i = 0; i < n; i++) {
      for (const type of ['keydown', 'keyup']) {
        window.dispatchEvent(new KeyboardEvent(type, { key, code: key, keyCode, which: keyCode, bubbles: true, cancelable: true }));
      }
    }
  }, [key, codes[key], n]);
}

export const tests = [
  {
    name: 'keys: 20 instant taps step exactly 20 times while frames take 120 ms; holding repeats',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(ctx.url + '#sample=0');
      let s = await ctx.waitReady(page);
      check(s.layer_index === 0 && s.layers.length === 8, `starts at ${s.layer} of ${s.layers.length}`);
      const slow = await page.evaluate(() => window.lenet.command({ cmd: 'debug_sleep', ms: 120 }));
      check(slow.ok, `debug_sleep: ${JSON.stringify(slow)}`);
      await waitFrames(page, 2);
      const gaps = await frameGaps(page, 3);
      check(Math.min(...gaps) >= 100, `frames are not slowed: ${gaps.map((g) => g.toFixed(0)).join(', ')} ms apart`);

      // Rounds that end against neither end of the strip, so a lost tap shows in the layer reached
      // (7 Right from INPUT reach OUTPUT only if none is lost; 7 Left from OUTPUT reach INPUT).
      const rounds = [['ArrowRight', 7, 7], ['ArrowLeft', 7, 0], ['ArrowRight', 6, 6]];
      let taps = 0;
      for (const [key, n, expected] of rounds) {
        const before = await state(page);
        await tapInOneTask(page, key, n);
        taps += n;
        await waitFrames(page, 3);
        s = await state(page);
        check(s.layer_index === expected, `${n} taps of ${key} from ${before.layer_index}: layer ${s.layer_index}, expected ${expected}`);
        if (key === 'ArrowRight') {
          check(s.steps_run - before.steps_run === n, `${n} Right taps ran ${s.steps_run - before.steps_run} layers`);
        }
      }
      // The same through Chromium's own input pipeline: 5 presses, each key-down then key-up at once.
      await page.keyboard.press('Home');
      await waitFrames(page, 3);
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
      taps += 5;
      await waitFrames(page, 3);
      s = await state(page);
      check(s.layer_index === 5, `5 pressed Right taps from INPUT: layer ${s.layer_index}`);
      ctx.log(`${taps} taps at ${s.frame_ms.toFixed(0)} ms per frame, none lost`);
      // Space: a tap starts playback, a second one stops it.
      await page.evaluate(() => {
        for (const type of ['keydown', 'keyup', 'keydown', 'keyup'])
          window.dispatchEvent(new KeyboardEvent(type, { key: ' ', code: 'Space', keyCode: 32, which: 32, bubbles: true }));
      });
      await waitFrames(page, 3);
      check((await state(page)).playing === false, 'two Space taps in one frame left playback on');

      // Hold-to-repeat at the normal frame rate: Right held for 1.5 s steps more than once.
      check((await page.evaluate(() => window.lenet.command({ cmd: 'debug_sleep', ms: 0 }))).ok, 'debug_sleep 0');
      await page.keyboard.press('Home');
      await waitFrames(page, 3);
      await page.keyboard.down('ArrowRight');
      await page.waitForTimeout(1500);
      await page.keyboard.up('ArrowRight');
      await waitFrames(page, 2);
      s = await state(page);
      check(s.layer_index >= 3, `holding Right for 1.5 s reached only layer ${s.layer_index}`);
      const bad = await page.evaluate(() => [window.lenet.command({ cmd: 'debug_sleep', ms: 5000 }),
                                             window.lenet.command({ cmd: 'debug_sleep' })]);
      check(bad.every((r) => r.ok === false && /0\.\.2000/.test(r.error)), `debug_sleep out of range: ${JSON.stringify(bad)}`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
];
