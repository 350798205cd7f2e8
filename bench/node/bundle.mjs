// bundle.initial_js_gzip_kb: the JavaScript a visitor downloads before first paint — the module
// scripts and modulepreloads named by index.html plus their static imports, recursively — each
// gzipped at level 9, summed. Dynamic imports and workers load later and are excluded; the
// heavy runtimes (web-llm, transformers.js, onnxruntime-web) belong in workers, so finding one in
// this set is flagged in the note.
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseAst } from 'vite';
import { buildApp } from '../lib/build.mjs';

const HEAVY = ['@mlc-ai/web-llm', '@huggingface/transformers', 'onnxruntime-web', 'pdfjs-dist'];

/** Static import/export-from specifiers of an ES module (not `import()`). */
function staticImports(code) {
  const ast = parseAst(code);
  const out = [];
  for (const node of ast.body) {
    if ((node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration') && node.source) {
      out.push(node.source.value);
    }
  }
  return out;
}

/** URLs of the scripts index.html loads up front: <script type="module" src> and <link rel="modulepreload" href>. */
function entryUrls(html) {
  const urls = [];
  for (const m of html.matchAll(/<script\b[^>]*>/gi)) {
    const tag = m[0];
    const src = /\bsrc=["']([^"']+)["']/i.exec(tag);
    if (src && /\btype=["']module["']/i.test(tag)) urls.push(src[1]);
  }
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const tag = m[0];
    const href = /\bhref=["']([^"']+)["']/i.exec(tag);
    if (href && /\brel=["']modulepreload["']/i.test(tag)) urls.push(href[1]);
  }
  return urls;
}

export async function run() {
  const { outDir, ms, chunks } = await buildApp();
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  // index.html URLs are absolute from the site base ('/'): map them onto outDir.
  const toFile = (url) => join(outDir, url.replace(/^\/+/, '').split(/[?#]/)[0]);
  const seen = new Set();
  const queue = entryUrls(html).map(toFile);
  if (!queue.length) throw new Error('index.html references no module script: is the build broken?');
  const files = [];
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file);
    files.push({ file, raw: code.length, gzip: gzipSync(code, { level: 9 }).length });
    for (const spec of staticImports(code.toString('utf8'))) {
      if (/^[./]/.test(spec)) queue.push(spec.startsWith('/') ? toFile(spec) : join(dirname(file), spec));
    }
  }
  const gzip = files.reduce((s, f) => s + f.gzip, 0);
  const raw = files.reduce((s, f) => s + f.raw, 0);
  const rel = (f) => posix.normalize(f.slice(outDir.length + 1).split('\\').join('/'));
  const heavy = new Set();
  const unknown = files.filter((f) => !chunks[rel(f.file)]).length;
  for (const f of files) {
    for (const id of chunks[rel(f.file)]?.moduleIds ?? []) {
      for (const pkg of HEAVY) if (id.includes(`node_modules/${pkg}/`)) heavy.add(pkg);
    }
  }
  const list = files.map((f) => `${rel(f.file)} ${(f.gzip / 1000).toFixed(1)}`).join(', ');
  const warn = heavy.size
    ? ` WARNING: worker-only runtime(s) in the initial set: ${[...heavy].join(', ')}.`
    : unknown
      ? ` Module lists unavailable for ${unknown} file(s): web-llm/transformers.js presence not checked.`
      : ' No web-llm/transformers.js/onnxruntime-web/pdf.js in it.';
  return [
    {
      id: 'bundle.initial_js_gzip_kb',
      value: Math.round(gzip / 100) / 10,
      unit: 'kB',
      better: 'lower',
      note: `${files.length} file(s), ${(raw / 1000).toFixed(1)} kB raw → gzip -9 (1 kB = 1000 B): ${list}.${warn} Build ${(ms / 1000).toFixed(1)} s.`,
    },
  ];
}
