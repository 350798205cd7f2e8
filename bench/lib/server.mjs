// Static server for browser benchmarks on 127.0.0.1: the bench page build, the models folder at
// /models/ (both `<id>/<file>` and Hugging Face `<id>/resolve/<rev>/<file>` layouts, as
// tools/serve-models.ts) and generated inputs at /__bench/fixtures/<name>. COOP/COEP make pages
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

/** Starts the server on a free port; resolves to { url, close() }. */
export function startServer({ pagesDir, modelsDir, onMiss = () => {} }) {
  const pagesRoot = resolve(pagesDir);
  const modelsRoot = modelsDir ? resolve(modelsDir) : null;
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
      if (path.startsWith('/models/')) {
        const file = modelsRoot && inside(modelsRoot, path.slice('/models/'.length).replace(/\/resolve\/[^/]+\//, '/'));
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
