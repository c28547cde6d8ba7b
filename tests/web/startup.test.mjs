// tests/web/startup.test.mjs — the page's start-up budgets (docs/performance.md, start-up), in
// headless Chromium, each load in a new browser profile (nothing cached or compiled):
//   - bytes on the wire before window.lenet.state().ready <= 2.5 MB;
//   - time to ready with DevTools network emulation at 10 Mbit/s down and 40 ms latency <= 3 s;
//   - time to ready unthrottled <= 1.5 s;
//   - index.wasm + index.js <= 1.5 MB before compression.
// "ready" is the first presented frame (state().first_frame_ms, from navigation start). The full
// test set and the other weights stream in after it and are not counted.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { check } from './harness.mjs';

const MB = 1000 * 1000;  // budgets are in decimal megabytes
const WIRE_BUDGET_BYTES = 2.5 * MB;
const THROTTLED_BUDGET_MS = 3000;
const UNTHROTTLED_BUDGET_MS = 1500;
const CODE_BUDGET_BYTES = 1.5 * MB;
const THROTTLE = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };

// One load in a new profile: {ms, bytes} (bytes: every response that ended before ready).
async function timedLoad(ctx, throttle) {
  const page = await ctx.openPage();
  if (throttle) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', throttle);
  }
  await page.goto(ctx.url);
  const state = await ctx.waitReady(page, { data: false });
  check(typeof state.first_frame_ms === 'number' && state.first_frame_ms > 0, `first_frame_ms ${state.first_frame_ms}`);
  const bytes = await page.evaluate((ready) => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    return entries.filter((e) => e.responseEnd <= ready).reduce((sum, e) => sum + e.transferSize, 0);
  }, state.first_frame_ms);
  await ctx.closeAll();
  return { ms: state.first_frame_ms, bytes };
}

async function medianOfThree(ctx, throttle, what) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await timedLoad(ctx, throttle));
  const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
  ctx.log(`${what}: ready after ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms (median ${sorted[1].toFixed(0)} ms); ` +
          `${runs.map((r) => r.bytes).join(', ')} bytes before ready`);
  return { median: sorted[1], bytes: Math.max(...runs.map((r) => r.bytes)) };
}

export const tests = [
  {
    name: 'startup: ready within 1.5 s unthrottled, and within 3 s at 10 Mbit/s + 40 ms with <= 2.5 MB on the wire',
    async run(ctx) {
      // One untimed load first, so that Chromium's own binary and the served files are in the
      // operating system's file cache (what is measured is the page, not the disk).
      await timedLoad(ctx, null);
      const fast = await medianOfThree(ctx, null, 'unthrottled');
      const slow = await medianOfThree(ctx, THROTTLE, '10 Mbit/s, 40 ms');
      check(slow.bytes > 0, 'no transfer sizes reported');
      check(Math.max(fast.bytes, slow.bytes) <= WIRE_BUDGET_BYTES,
            `${Math.max(fast.bytes, slow.bytes)} bytes before ready > ${WIRE_BUDGET_BYTES}`);
      check(slow.median <= THROTTLED_BUDGET_MS, `throttled: median ${slow.median.toFixed(0)} ms > ${THROTTLED_BUDGET_MS} ms`);
      check(fast.median <= UNTHROTTLED_BUDGET_MS, `unthrottled: median ${fast.median.toFixed(0)} ms > ${UNTHROTTLED_BUDGET_MS} ms`);
    },
  },
  {
    name: 'size: index.wasm + index.js <= 1.5 MB before compression',
    async run(ctx) {
      check(ctx.root, 'the harness did not pass the web build folder');
      const file = (f) => path.join(ctx.root, f);
      // The build folder has index.wasm; the site (dist) only the index.wasm.gz the page fetches.
      const wasm = fs.existsSync(file('index.wasm')) ? fs.statSync(file('index.wasm')).size
                                                     : zlib.gunzipSync(fs.readFileSync(file('index.wasm.gz'))).length;
      const js = fs.statSync(file('index.js')).size;
      const gz = fs.statSync(file('index.wasm.gz')).size;
      ctx.log(`index.wasm ${wasm} + index.js ${js} = ${wasm + js} bytes (budget ${CODE_BUDGET_BYTES}); ` +
              `the page fetches index.wasm.gz, ${gz} bytes`);
      check(wasm + js <= CODE_BUDGET_BYTES, `index.wasm + index.js = ${wasm + js} bytes > ${CODE_BUDGET_BYTES}`);
    },
  },
];
