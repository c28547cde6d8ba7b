// tests/web/reliability.test.mjs — the page under hostile conditions (issue 7): a wasm abort in the
// middle of a session shows a message with a Reload button instead of a frozen canvas; malformed
// deep links and malformed window.lenet commands never kill the app; the server is loopback-only.
import { check } from './harness.mjs';
import { startServer } from '../../scripts/static-server.mjs';

export const tests = [
  {
    name: 'reliability: a wasm abort mid-session shows the error panel with Reload',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      await ctx.waitReady(page);
      // Emscripten's abort() is what a failed assertion, an out-of-memory or a trap ends in.
      await page.evaluate(() => { try { abort('reliability test: simulated abort'); } catch (e) { /* RuntimeError */ } });
      await page.waitForSelector('#reload', { state: 'visible', timeout: 10000 });
      const text = await page.textContent('#error');
      check(/stopped unexpectedly/.test(text) && /simulated abort/.test(text), `error panel text: ${text}`);
      const state = await page.evaluate(() => window.lenet.state());
      check(state.ready === false && /simulated abort/.test(state.error), `state after abort: ${JSON.stringify(state)}`);
      const reply = await page.evaluate(() => window.lenet.command({ cmd: 'set_sample', index: 1 }));
      check(reply.ok === false, `a command after the abort was accepted: ${JSON.stringify(reply)}`);
      await ctx.screenshot(page, 'reliability-abort');
    },
  },
  {
    name: 'reliability: malformed deep links are ignored and the app runs',
    async run(ctx) {
      const hashes = [
        '#arch=no-such-net&sample=-1&layer=%zz&unit=99999999&view=sideways',
        '#' + 'x'.repeat(100000),
        '#sample=99999999999999999999&layer=' + encodeURIComponent('\u00ff\u0000<script>'),
        '#arch=lenet5-1998&sample=9999999&layer=255&unit=65535,65535,65535',
      ];
      for (const h of hashes) {
        const page = await ctx.openPage();
        await page.goto(ctx.url + h);
        const state = await ctx.waitReady(page);
        check(state.ready === true, `not ready with hash ${h.slice(0, 60)}`);
        await page.waitForTimeout(300);
        check(page.lenetErrors.length === 0, `page errors with ${h.slice(0, 60)}: ${page.lenetErrors.join(' | ')}`);
        check(await page.isHidden('#error'), `error panel shown for ${h.slice(0, 60)}`);
      }
    },
  },
  {
    name: 'reliability: malformed window.lenet commands get an error reply, never an abort',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      await ctx.waitReady(page);
      const replies = await page.evaluate(() => {
        const out = [];
        const tries = [
          () => window.lenet.command('this is not JSON'),
          () => window.lenet.command('{"cmd": "set_sample", "index": -5}'),
          () => window.lenet.command({ cmd: 'set_sample', index: 1e12 }),
          () => window.lenet.command({ cmd: 'set_sample', index: 'seven' }),
          () => window.lenet.command({ cmd: 'select_layer', layer: 'NOPE' }),
          () => window.lenet.command({ cmd: 'select_layer', layer: 1e9 }),
          () => window.lenet.command({ cmd: 'set_input', pixels: [1, 2, 3] }),
          () => window.lenet.command({ cmd: 'set_input', pixels: new Array(784).fill('x') }),
          () => window.lenet.command({ cmd: 'no_such_command' }),
          () => window.lenet.command('[' .repeat(100000)),
          () => window.lenet.command({ cmd: 'apply_hash', hash: '#layer=%zz&sample=-1' }),
        ];
        for (const t of tries) {
          try { out.push(t()); } catch (e) { out.push({ thrown: String(e) }); }
        }
        return out;
      });
      for (const r of replies) check(r && !r.thrown, `a command threw in JS: ${JSON.stringify(r)}`);
      const bad = replies.slice(0, 10).filter((r) => r.ok !== false);
      check(bad.length === 0, `malformed commands accepted: ${JSON.stringify(bad)}`);
      const state = await page.evaluate(() => window.lenet.state());
      check(state.ready === true, `the app is no longer ready: ${JSON.stringify(state).slice(0, 300)}`);
      check(await page.isHidden('#error'), 'the error panel is visible');
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'reliability: the static server refuses non-loopback hosts and path traversal',
    async run(ctx) {
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync(process.execPath, ['scripts/static-server.mjs', '.', '--host', '0.0.0.0', '--port', '0'],
                          { encoding: 'utf8', timeout: 10000 });
      check(r.status !== 0 && /loopback only/.test(r.stderr), `0.0.0.0 accepted: ${r.status} ${r.stderr}`);
      const base = new URL(ctx.url);
      const res = await fetch(`${base.origin}/..%2f..%2fetc%2fpasswd`);
      check(res.status === 403 || res.status === 404, `path traversal answered ${res.status}`);
      const s = await startServer({ root: '.', port: 0 });
      check(/^http:\/\/127\.0\.0\.1:/.test(s.url), `default host is not loopback: ${s.url}`);
      await s.close();
    },
  },
];
