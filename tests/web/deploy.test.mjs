// tests/web/deploy.test.mjs — the site as a teacher deploys it (docs/deploying.md): served under a
// sub-path by a plain static server (no COOP/COEP, no compression), as scripts/test does with
// dist/lenet5-explorer/. While the full test set streams in, what needs it says so; a failed data
// download shows a message with a Retry that works; a deep link to test digit 9,999 opens once the
// set is in; after one visit the page works with the server stopped (service worker + cache).
import { startServer } from '../../scripts/static-server.mjs';
import { check } from './harness.mjs';

const PREFIX = '/some/path/lenet/';
const FULL_SET = 'assets/data/mnist/t10k-images-idx3-ubyte.gz';
const state = (page) => page.evaluate(() => window.lenet.state());

async function waitState(page, predicate, arg, what) {
  try {
    await page.waitForFunction(predicate, arg, { timeout: 60000, polling: 100 });
  } catch (e) {
    throw new Error(`timed out waiting for ${what}; state: ${JSON.stringify(await state(page)).slice(0, 800)}`);
  }
  return state(page);
}

export const tests = [
  {
    name: 'deploy: sub-path, plain server; a failed download shows Retry; digit 9,999 once the full set is in',
    async run(ctx) {
      const server = await startServer({ root: ctx.root, port: 0, prefix: PREFIX,
                                         fail: (rel) => (rel === FULL_SET ? 503 : 0) });
      try {
        const page = await ctx.openPage();
        await page.goto(server.url + '#sample=9999&layer=C1');
        let s = await ctx.waitReady(page, { data: false });
        check(s.test_full === false && s.test_digits === 1000, `first load: ${s.test_digits} digits, full ${s.test_full}`);
        // The full set fails: the page says so and offers Retry; what needs the set says it waits.
        s = await waitState(page, () => window.lenet.state().assets.failed.length > 0, null, 'the failed download');
        check(s.assets.failed[0] === 'data/mnist/t10k-images-idx3-ubyte' && /503/.test(s.assets.errors[0]),
              `failed ${JSON.stringify(s.assets.failed)}: ${s.assets.errors}`);
        check(/Opening the link/.test(s.waiting) && /could not be downloaded/.test(s.waiting), `waiting '${s.waiting}'`);
        check(s.hash.includes('sample=9999'), `the link left the address bar: ${s.hash}`);
        await page.waitForSelector('#stream-retry', { state: 'visible' });
        const text = await page.textContent('#stream-text');
        check(/Download failed/.test(text) && /t10k-images/.test(text), `status line '${text}'`);
        const next = await page.evaluate(() => window.lenet.command({ cmd: 'next_misclassified' }));
        check(next.ok, JSON.stringify(next));
        s = await waitState(page, () => /needs the full test set/.test(window.lenet.state().search_message), null,
                            'the search to say it waits');
        ctx.log(`while the set is missing: "${s.search_message}"`);
        await ctx.screenshot(page, 'deploy-download-failed');
        // Stop the search, or it would move on from the link's digit as soon as the set is in.
        const stop = await page.evaluate(() => window.lenet.command({ cmd: 'next_misclassified', on: false }));
        check(stop.ok && (await state(page)).searching === false, `stopping the search: ${JSON.stringify(stop)}`);
        // The server recovers; Retry brings the set in and the link opens.
        server.setFail(null);
        await page.click('#stream-retry');
        s = await waitState(page, () => window.lenet.state().sample === 9999, null, 'digit 9,999');
        check(s.test_full === true && s.test_digits === 10000 && s.layer === 'C1', `after retry: ${s.test_digits}, ${s.layer}`);
        const hidden = await page.waitForSelector('#stream', { state: 'hidden', timeout: 5000 }).then(() => true, () => false);
        check(s.waiting === '' && hidden, `still waiting: '${s.waiting}', status line hidden: ${hidden}`);
        const errors = page.lenetErrors.filter((e) => !/status of 503/.test(e));  // the failure made on purpose
        check(errors.length === 0, `page errors: ${errors.join(' | ')}`);
      } finally {
        await server.close();
      }
    },
  },
  {
    name: 'offline: after one visit the page works with the server stopped; only this release is cached',
    async run(ctx) {
      const server = await startServer({ root: ctx.root, port: 0, prefix: PREFIX });
      let stopped = false;
      try {
        const page = await ctx.openPage();
        // A cache left by an older release, made before the page registers its service worker (a
        // file of the site, not the page): the new worker deletes it when it activates.
        await page.goto(server.url + 'shell.css');
        await page.evaluate(() => caches.open('lenet5-explorer-older').then((c) => c.put('old', new Response('old'))));
        await page.goto(server.url);
        await ctx.waitReady(page);
        const s = await waitState(page, () => window.lenet.state().assets.offline_ready, null, 'offline_ready');
        const keys = await page.evaluate(() => caches.keys());
        check(keys.length === 1 && keys[0] === 'lenet5-explorer-' + s.assets.release, `caches ${JSON.stringify(keys)}`);
        await server.close();
        stopped = true;
        const again = await page.context().newPage();
        await again.goto(server.url + '#sample=9999&layer=OUTPUT');
        const o = await ctx.waitReady(again);
        check(o.test_full && o.sample === 9999 && o.layer === 'OUTPUT' && o.trained, `offline: ${JSON.stringify(o).slice(0, 300)}`);
        const r = await again.evaluate(() => window.lenet.command({ cmd: 'select_preset', name: 'lenet5' }));
        check(r.ok, JSON.stringify(r));
        const l = await waitState(again, () => window.lenet.state().trained, null, 'lenet5 weights from the cache');
        check(l.weights === 'lenet5.lenet', `weights ${l.weights}`);
        ctx.log(`offline reload: digit 9,999 at OUTPUT, prediction ${o.prediction}; lenet5 weights from the cache`);
      } finally {
        if (!stopped) await server.close();
      }
    },
  },
];
