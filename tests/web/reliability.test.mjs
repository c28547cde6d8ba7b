// tests/web/reliability.test.mjs — the page under hostile conditions: a wasm abort in the
// middle of a session shows a message with a Reload button instead of a frozen canvas; malformed
// deep links and malformed window.lenet commands never kill the app, and their errors echo names
// escaped and say what the app does; the server is loopback-only.
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
      // Module.abort is exported for this (cmake/wasm.cmake).
      await page.evaluate(() => { try { window.Module['abort']('reliability test: simulated abort'); } catch (e) { /* RuntimeError */ } });
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
    name: 'reliability: command errors echo names with control characters escaped; set_input refuses values outside 0..1',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      await ctx.waitReady(page);
      const replies = await page.evaluate(() => [
        window.lenet.command({ cmd: 'select_preset', name: 'lenet5\u0000-evil' }),
        window.lenet.command({ cmd: 'select_arch', name: 'a\u0001b\u007f' }),
        window.lenet.command({ cmd: 'set_weights', file: 'x\u0000.lenet' }),
        window.lenet.command({ cmd: 'set_dataset', name: 'mnist\n' }),
        window.lenet.command({ cmd: 'select_layer', layer: 'C\u00003' }),
        window.lenet.command({ cmd: 'apply_hash', hash: '#layer=C1\u0000' }),
        window.lenet.command({ cmd: 'no\u0000such' }),
        window.lenet.command({ cmd: 'select_layer', layer: 'NOPE\u00e9' }),
      ]);
      const expected = ['lenet5\\x00-evil', 'a\\x01b\\x7F', 'x\\x00.lenet', 'mnist\\x0A', 'C\\x003', 'C1\\x00',
                        'no\\x00such', 'NOPE\\xC3\\xA9'];
      replies.forEach((r, i) => {
        check(r.ok === false && r.error.includes(expected[i]), `reply ${i}: ${JSON.stringify(r)} lacks ${expected[i]}`);
        check(!/[\u0000-\u001f\u007f]/.test(r.error), `reply ${i} has a control character: ${JSON.stringify(r)}`);
      });
      // A printable unknown preset is still named in full by the engine's message.
      const unknown = await page.evaluate(() => window.lenet.command({ cmd: 'select_preset', name: 'no-such-net' }));
      check(!unknown.ok && unknown.error.includes('no-such-net'), JSON.stringify(unknown));

      // set_input: 0..1 is accepted as it is; anything outside is refused with the pixel named.
      const input = await page.evaluate(() => {
        const px = (bad, at) => { const a = new Array(784).fill(0); a[400] = 1; if (at !== undefined) a[at] = bad; return a; };
        return [window.lenet.command({ cmd: 'set_input', pixels: px() }),
                window.lenet.command({ cmd: 'set_input', pixels: px(1e38, 5) }),
                window.lenet.command({ cmd: 'set_input', pixels: px(-0.01, 783) }),
                window.lenet.command({ cmd: 'set_input', pixels: px(1.5, 0) })];
      });
      check(input[0].ok, `set_input in 0..1: ${JSON.stringify(input[0])}`);
      const want = [[1, /pixel 5 is 1e\+38/], [2, /pixel 783 is -0\.01/], [3, /pixel 0 is 1\.5/]];
      for (const [i, re] of want) {
        check(input[i].ok === false && re.test(input[i].error) && /every pixel must be a number in 0\.\.1/.test(input[i].error),
              `set_input reply ${i}: ${JSON.stringify(input[i])}`);
      }
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
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
