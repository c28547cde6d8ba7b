// tests/web/foundation.test.mjs — the web platform: page start-up, window.lenet API, the engine in
// wasm (incl. C++ exceptions), packaged data, CSP, and the error page when WebGL2 is missing.
import { check, uniqueColors } from './harness.mjs';

export const tests = [
  {
    name: 'page: loads, renders ImGui, window.lenet.state() is ready with the version',
    async run(ctx) {
      const page = await ctx.openPage();
      const csp = [];
      page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
      const response = await page.goto(ctx.url);
      check(response.ok(), `index.html: HTTP ${response.status()}`);
      check(await page.title() === 'LeNet-5 Explorer', `title is '${await page.title()}'`);
      const state = await ctx.waitReady(page);
      check(state.ready === true, 'state.ready is not true');
      check(/^\d+\.\d+\.\d+/.test(state.version), `version '${state.version}'`);
      const footer = await page.textContent('#version');
      check(footer === 'v' + state.version, `page footer '${footer}' differs from engine version ${state.version}`);
      check(state.platform === 'web' && state.frames >= 1 && state.width > 0 && state.height > 0,
            `state: ${JSON.stringify(state)}`);
      check(await page.isHidden('#loading'), 'the loading panel is still visible after ready');
      check(await page.isHidden('#error'), 'the error panel is visible');
      await page.waitForTimeout(500);  // a few more frames
      const shot = await ctx.screenshot(page, 'web-ready');
      const colors = await uniqueColors(shot);
      ctx.log(`screenshot ${shot}: ${colors} colours, ${state.fps} FPS`);
      check(colors > 50, `the screenshot has only ${colors} colours: nothing rendered?`);
      check(csp.length === 0, `CSP violations: ${csp.join(' | ')}`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'engine in wasm: layer table of lenet5-1998, 60,000 parameters, MNIST test set packaged',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      const { app } = await ctx.waitReady(page);
      check(app.preset === 'lenet5-1998', `preset '${app.preset}'`);
      // The visualizer's steps: INPUT, then the engine's 7 layers.
      check(Array.isArray(app.layers) && app.layers.length === 8 && app.layers[0] === 'INPUT',
            `layers ${JSON.stringify(app.layers)}`);
      check(app.params === 60000, `params ${app.params}, the paper says 60,000`);
      check(app.test_digits === 10000 && app.data_error === '',
            `test_digits ${app.test_digits}, data_error '${app.data_error}'`);
    },
  },
  {
    name: 'exceptions: a lenet::Error thrown in wasm reaches JS as {ok:false}, the app keeps running',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url);
      await ctx.waitReady(page);
      const bad = await page.evaluate(() => window.lenet.command({ cmd: 'select_preset', name: 'no-such-net' }));
      check(bad.ok === false && /no-such-net/.test(bad.error), `reply ${JSON.stringify(bad)}`);
      const junk = await page.evaluate(() => window.lenet.command('{not json'));
      check(junk.ok === false, `malformed command: ${JSON.stringify(junk)}`);
      const good = await page.evaluate(() => window.lenet.command({ cmd: 'select_preset', name: 'lenet5' }));
      check(good.ok === true && good.preset === 'lenet5', `reply ${JSON.stringify(good)}`);
      const before = (await page.evaluate(() => window.lenet.state())).frames;
      await page.waitForTimeout(500);
      const state = await page.evaluate(() => window.lenet.state());
      check(state.ready && !state.error && state.frames > before, `after the error: ${JSON.stringify(state)}`);
      check(state.app.preset === 'lenet5', `preset '${state.app.preset}'`);
      const live = await page.textContent('#live');
      check(/lenet5/.test(live), `aria-live region says '${live}'`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'no WebGL2: the page explains the problem and offers Reload',
    async run(ctx) {
      const page = await ctx.openPage({ args: ['--disable-webgl2'] });
      await page.goto(ctx.url);
      await page.waitForSelector('#error', { state: 'visible', timeout: 30000 });
      const text = await page.textContent('#error-text');
      check(/WebGL2/.test(text), `error text '${text}'`);
      check(await page.isVisible('#reload'), 'no visible Reload button');
      const state = await page.evaluate(() => window.lenet ? window.lenet.state() : { ready: false });
      check(state.ready === false, `state ${JSON.stringify(state)}`);
      await ctx.screenshot(page, 'web-no-webgl2');
    },
  },
  {
    name: 'index.wasm.gz cannot be downloaded: the page says so and offers Reload',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.route('**/index.wasm.gz', (route) => route.abort());
      await page.goto(ctx.url);
      await page.waitForSelector('#error', { state: 'visible', timeout: 30000 });
      const text = await page.textContent('#error-text');
      check(/could not be downloaded/.test(text), `error text '${text}'`);
      check(await page.isVisible('#reload'), 'no visible Reload button');
      const state = await page.evaluate(() => window.lenet.state());
      check(state.ready === false && state.error, `state ${JSON.stringify(state)}`);
      await ctx.screenshot(page, 'web-wasm-abort');
    },
  },
];
