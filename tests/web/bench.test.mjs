// tests/web/bench.test.mjs — window.lenet.bench(): the engine's speed figures measured inside the
// page (docs/performance.md), and a clear error for an unknown architecture.
import { check } from './harness.mjs';

export const tests = [
  {
    name: 'bench: window.lenet.bench() measures the four figures in the page; unknown arch -> error',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      await ctx.waitReady(page);
      const r = await page.evaluate(() => window.lenet.bench('lenet5'));
      ctx.log(`in the page: ${JSON.stringify(r)}`);
      check(r && r.arch === 'lenet5' && r.threads === 1, `result ${JSON.stringify(r)}`);
      for (const k of ['infer_b1_us', 'infer_batch_per_s', 'train_mb1_per_s', 'train_mb32_per_s'])
        check(Number.isFinite(r[k]) && r[k] > 0, `${k} = ${r[k]}`);
      // a sanity range: a forward pass takes more than 1 us and less than 50 ms even on a slow machine
      check(r.infer_b1_us > 1 && r.infer_b1_us < 50000, `infer_b1_us ${r.infer_b1_us}`);
      const bad = await page.evaluate(() => window.lenet.bench('no-such-net'));
      check(typeof bad.error === 'string' && /no-such-net/.test(bad.error), `unknown arch: ${JSON.stringify(bad)}`);
      const state = await page.evaluate(() => window.lenet.state());
      check(state.ready === true && !state.error, `the app after bench: ${JSON.stringify(state).slice(0, 200)}`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
];
