// tests/web/run.mjs — runs every tests/web/*.test.mjs against a web build.
//   node tests/web/run.mjs <web build dir> [--out DIR] [--filter TEXT]
// <web build dir> holds index.html (build/wasm/web). Screenshots go to --out (default:
// <web build dir>/../e2e-screenshots). Prints one line per test and ends with
// "e2e: N passed, N failed"; exit status 1 if any test failed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer } from '../../scripts/static-server.mjs';
import { createContext } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let root = null, outDir = null, filter = '';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') outDir = args[++i];
  else if (args[i] === '--filter') filter = args[++i];
  else if (!root) root = args[i];
  else { console.error(`run.mjs: unexpected argument '${args[i]}'`); process.exit(2); }
}
if (!root || !fs.existsSync(path.join(root, 'index.html'))) {
  console.error(`usage: node tests/web/run.mjs <web build dir with index.html> [--out DIR] [--filter TEXT]` +
                (root ? `\nno index.html in ${root}: build the wasm preset first` : ''));
  process.exit(2);
}
outDir = path.resolve(outDir || path.join(root, '..', 'e2e-screenshots'));

const files = fs.readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();
const tests = [];
for (const f of files) {
  const mod = await import(pathToFileURL(path.join(here, f)).href);
  for (const t of mod.tests || []) tests.push({ ...t, file: f });
}

const server = await startServer({ root, port: 0 });
let passed = 0, failed = 0;
for (const t of tests) {
  if (filter && !t.name.includes(filter)) continue;
  const ctx = createContext({ url: server.url + 'index.html', outDir, root });
  const t0 = Date.now();
  try {
    await t.run(ctx);
    passed++;
    console.log(`ok   ${t.name}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${t.name}  (${t.file})\n     ${String(e && e.stack || e).split('\n').slice(0, 4).join('\n     ')}`);
  } finally {
    await ctx.closeAll();
  }
}
await server.close();
console.log(`screenshots: ${outDir}`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
