// Static server for browser benchmarks on 127.0.0.1: the bench page build (or the app build), the
// model folders at /models/ (both `<id>/<file>` and Hugging Face `<id>/resolve/<rev>/<file>` layouts,
// as tools/serve-models.ts; the first folder holding the file wins), generated inputs at
// /__bench/fixtures/<name>, and Node-side calls at POST /__bench/node/<name> (JSON in, JSON out), so
// a page can alternate its browser runs with native runs in this process. COOP/COEP make pages
// cross-origin isolated like the real site, so threaded WASM behaves the same.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fixture } from './fixtures.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

function sendFile(req, res, file, onMiss) {
  let st;
  try {
    st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
  } catch {
    onMiss(req.url);
    res.statusCode = 404;
    return res.end('not found');
  }
  res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
  res.setHeader('Content-Length', String(st.size));
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

/** `root` + a URL path, or null when the path escapes `root`. */
function inside(root, rel) {
  const file = join(root, normalize(rel));
  return file === root || file.startsWith(root + sep) ? file : null;
}

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

async function readJson(req) {
  const parts = [];
  for await (const part of req) parts.push(part);
  const text = Buffer.concat(parts).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/**
 * Starts the server on a free port; resolves to { url, close() }. `modelsDirs` (or one `modelsDir`)
 * are searched in order for /models/ requests; `calls` maps a name to an async function of the
 * posted JSON whose result is sent back as JSON (a throw answers HTTP 500 with the error's text).
 */
export function startServer({ pagesDir, modelsDir, modelsDirs = modelsDir ? [modelsDir] : [], calls = {}, onMiss = () => {} }) {
  const pagesRoot = resolve(pagesDir);
  const modelsRoots = modelsDirs.filter(Boolean).map((d) => resolve(d));
  const server = createServer(async (req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path.startsWith('/__bench/fixtures/')) {
        const made = fixture(path.slice('/__bench/fixtures/'.length));
        if (!made) {
          res.statusCode = 404;
          return res.end('unknown fixture');
        }
        return sendFile(req, res, await made, onMiss);
      }
      if (path.startsWith('/__bench/node/') && req.method === 'POST') {
        const name = path.slice('/__bench/node/'.length);
        const fn = Object.hasOwn(calls, name) ? calls[name] : undefined;
        res.setHeader('Content-Type', 'application/json');
        if (!fn) {
          res.statusCode = 404;
          return res.end(JSON.stringify({ error: `no Node call named ${name}` }));
        }
        try {
          return res.end(JSON.stringify({ result: await fn(await readJson(req)) }));
        } catch (e) {
          res.statusCode = 500;
          return res.end(JSON.stringify({ error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) }));
        }
      }
      if (path.startsWith('/models/')) {
        const rel = path.slice('/models/'.length).replace(/\/resolve\/[^/]+\//, '/');
        const candidates = modelsRoots.map((root) => inside(root, rel)).filter(Boolean);
        const file = candidates.find(isFile) ?? candidates[0];
        if (!file) {
          onMiss(req.url);
          res.statusCode = 404;
          return res.end('not found');
        }
        return sendFile(req, res, file, onMiss);
      }
      const file = inside(pagesRoot, path.endsWith('/') ? `${path}index.html` : path);
      if (!file) {
        res.statusCode = 403;
        return res.end();
      }
      return sendFile(req, res, file, onMiss);
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e instanceof Error ? e.stack : e));
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      ok({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
