// Dev/preview middleware that serves a local models folder at `<base>models/`, in both layouts
// (`<id>/<file>` and the Hugging Face `<id>/resolve/<rev>/<file>`). Used by the end-to-end tests
// (MODELS_DIR=../shared/models) and by anyone trying local models with `npm run dev`.

import { createReadStream, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

const TYPES: Record<string, string> = { json: 'application/json', onnx: 'application/octet-stream', wasm: 'application/wasm', txt: 'text/plain' };

/**
 * `aliases` ("real/id=fixture/id,…") serves a folder under another model id, so tests can exercise
 * the catalog's real ids (e.g. a web-llm model's transformers.js fallback) with fixture files.
 */
export function serveModels(dir: string | undefined, base: string, aliases = ''): Plugin {
  const root = dir ? resolve(dir) : null;
  const alias = new Map(aliases.split(',').filter((a) => a.includes('=')).map((a) => a.split('=', 2) as [string, string]));
  const prefix = `${base.replace(/\/$/, '')}/models/`;
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (!root || !req.url) return next();
    const path = decodeURIComponent(req.url.split('?')[0]);
    if (!path.startsWith(prefix)) return next();
    let rel = path.slice(prefix.length).replace(/\/resolve\/[^/]+\//, '/');
    // An alias maps a model folder (`from/...`) or one file (`from` exactly) to a fixture.
    for (const [from, to] of alias) if (rel === from || rel.startsWith(`${from}/`)) rel = to + rel.slice(from.length);
    rel = normalize(rel);
    const file = join(root, rel);
    if (!file.startsWith(root + sep)) {
      res.statusCode = 403;
      return res.end();
    }
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      res.statusCode = 404;
      return res.end('not found');
    }
    res.setHeader('Content-Type', TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(size));
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  };
  return {
    name: 'method-lab:serve-models',
    configureServer: (s) => void s.middlewares.use(middleware),
    configurePreviewServer: (s) => void s.middlewares.use(middleware),
  };
}
