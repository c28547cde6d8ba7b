// scripts/static-server.mjs — a small static file server for the web build (used by scripts/serve
// and the browser tests in tests/web/). Loopback only, GET/HEAD only, no directory listings, no
// path escapes; serves .wasm as application/wasm. Like any plain static host: no compression and
// no special headers (the page needs neither; --isolate adds COOP/COEP for a threaded build).
//
//   node scripts/static-server.mjs <root> [--port N] [--host 127.0.0.1] [--prefix /some/path/] [--isolate]
//   import { startServer } from './static-server.mjs'; const s = await startServer({root, port: 0});
// startServer options for tests: prefix (serve the site under a sub-path, s.url includes it),
// fail(relPath) -> HTTP status to answer instead of the file (or 0), s.setFail(fn) to change it.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.data': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function startServer({ root, port = 8080, host = '127.0.0.1', log = false, prefix = '/', isolate = false,
                              fail = null }) {
  const base = fs.realpathSync(root);
  if (!prefix.startsWith('/')) prefix = '/' + prefix;
  if (!prefix.endsWith('/')) prefix += '/';
  const server = http.createServer((req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : text + '\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (!rel.startsWith(prefix)) return send(404, 'not found');
    rel = '/' + rel.slice(prefix.length);
    if (rel.endsWith('/')) rel += 'index.html';
    const status = fail ? fail(rel.slice(1)) : 0;
    if (status) return send(status, 'failing on purpose (test)');
    const file = path.join(base, path.normalize(rel));
    if (file !== base && !file.startsWith(base + path.sep)) return send(403, 'forbidden');
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        if (log) console.log(`404 ${req.url}`);
        return send(404, 'not found');
      }
      const headers = {
        'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      };
      if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).pipe(res);
      if (log) console.log(`200 ${req.url}`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({
        server, url: `http://${host}:${actual}${prefix}`,
        setFail: (fn) => { fail = fn; },
        // Stops listening and drops open (keep-alive) connections, like a host going away.
        close: () => new Promise((r) => { server.close(r); server.closeAllConnections?.(); }),
      });
    });
  });
}

// Command-line use.
if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  const args = process.argv.slice(2);
  let root = null, port = 8080, host = '127.0.0.1', prefix = '/', isolate = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else if (args[i] === '--host') host = args[++i];
    else if (args[i] === '--prefix') prefix = args[++i] || '/';
    else if (args[i] === '--isolate') isolate = true;
    else if (!root) root = args[i];
    else { console.error(`static-server: unexpected argument '${args[i]}'`); process.exit(2); }
  }
  if (!root || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node scripts/static-server.mjs <root> [--port N] [--host 127.0.0.1] [--prefix /path/] [--isolate]');
    process.exit(2);
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    console.error(`static-server: refusing to listen on ${host}: loopback only`);
    process.exit(2);
  }
  startServer({ root, port, host, prefix, isolate }).then(({ url }) => {
    console.log(`Serving ${path.resolve(root)} at ${url}  (Ctrl+C to stop)`);
  }).catch((e) => {
    console.error(`static-server: cannot listen on ${host}:${port}: ${e.message}`);
    process.exit(1);
  });
}
