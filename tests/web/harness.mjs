// tests/web/harness.mjs — a small browser test harness: playwright-core drives Debian's Chromium
// (headless, WebGL2 on SwiftShader) against the web build served by scripts/static-server.mjs.
// Test files (tests/web/*.test.mjs) export `tests`, an array of {name, run(ctx)}; run.mjs loads
// them all. A test fails by throwing (use `check`). ctx gives:
//   ctx.url               the served index.html
//   ctx.openPage(opts)    a fresh page (own browser profile); opts.args: extra Chromium flags;
//                         opts.serviceWorkers: 'block' keeps the page's service worker out (so
//                         page.route sees every request).
//                         The page's console errors and uncaught exceptions are collected in
//                         page.lenetErrors.
//   ctx.waitReady(page)   waits for window.lenet.state().ready and for the data that streams in after
//                         the first frame (nothing loading, nothing the app waits for), returns the
//                         state; ctx.waitReady(page, {data: false}) returns at the first frame
//   ctx.screenshot(page, name)  saves <outDir>/<name>.png, returns the path
//   ctx.log(...)          prints under the test
// findCli() is the native `lenet5` to compare the page with: $LENET5_CLI, else the newest
// build/*/tools/lenet5/lenet5 of this checkout (build it from the same sources as the wasm).
// waitState(page, predicate, arg, what) waits for a state.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader',
];

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export function createContext({ url, outDir, root = null, executablePath = '/usr/bin/chromium', timeoutMs = 90000 }) {
  const opened = [];
  const ctx = {
    url,
    root,  // the folder served: build/wasm/web or dist/lenet5-explorer (index.html, index.js, index.wasm.gz, assets/)
    outDir,
    timeoutMs,
    log: (...a) => console.log('    ', ...a),
    async openPage({ args = [], viewport = { width: 1280, height: 800 }, serviceWorkers = 'allow' } = {}) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lenet-chromium-'));
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath, headless: true, args: [...CHROMIUM_ARGS, ...args], viewport, serviceWorkers,
      });
      opened.push({ browser, profile });
      const page = browser.pages()[0] || (await browser.newPage());
      page.lenetErrors = [];
      page.on('console', (m) => { if (m.type() === 'error') page.lenetErrors.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => page.lenetErrors.push(`pageerror: ${e.message}`));
      page.setDefaultTimeout(timeoutMs);
      return page;
    },
    async waitReady(page, { data = true } = {}) {
      await page.waitForFunction((data) => {
        const s = window.lenet && window.lenet.state();
        if (!s || s.error) return !!s;
        const streamed = !s.assets || (!s.assets.streaming && !s.assets.failed.length);
        return s.ready && (!data || (streamed && !s.waiting));
      }, data, { timeout: timeoutMs, polling: 100 });
      const state = await page.evaluate(() => window.lenet.state());
      check(!state.error, `the app reported an error: ${state.error}`);
      return state;
    },
    async screenshot(page, name) {
      fs.mkdirSync(outDir, { recursive: true });
      const file = path.join(outDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async closeAll() {
      for (const { browser, profile } of opened.splice(0)) {
        await browser.close().catch(() => {});
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
  return ctx;
}

export function findCli() {
  if (process.env.LENET5_CLI) return process.env.LENET5_CLI;
  const build = path.join(repo, 'build');
  let best = null;
  for (const d of fs.existsSync(build) ? fs.readdirSync(build) : []) {
    const exe = path.join(build, d, 'tools', 'lenet5', 'lenet5');
    if (fs.existsSync(exe)) {
      const t = fs.statSync(exe).mtimeMs;
      if (!best || t > best.t) best = { exe, t };
    }
  }
  check(best, 'no native lenet5 CLI found (build the native preset, or set LENET5_CLI)');
  return best.exe;
}

// Number of distinct colours in an image file (ImageMagick's `identify`): a blank or single-colour
// frame has 1-2, an ImGui window with text has hundreds.
export async function uniqueColors(file) {
  const { execFileSync } = await import('node:child_process');
  return Number(execFileSync('identify', ['-format', '%k', file]).toString().trim());
}

// Waits until predicate(arg), evaluated in the page, holds; returns window.lenet.state() then. On a
// timeout the error names `what` and shows the state.
export async function waitState(page, predicate, arg, what, timeout = 30000) {
  const state = () => page.evaluate(() => window.lenet.state());
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`timed out waiting for ${what}; state: ${JSON.stringify(await state()).slice(0, 800)}`);
  }
  return state();
}

// A stroke through the points (pad-relative 0..1), one mouse move per point, slow enough that the
// ~10 FPS page sees every segment.
export async function stroke(page, pad, points) {
  const at = ([u, v]) => [pad.x + u * pad.w, pad.y + v * pad.h];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  await page.waitForTimeout(120);
  for (const p of points.slice(1)) {
    await page.mouse.move(...at(p), { steps: 2 });
    await page.waitForTimeout(70);
  }
  await page.waitForTimeout(120);
  await page.mouse.up();
  await page.waitForTimeout(200);
}
