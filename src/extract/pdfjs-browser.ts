// Browser side of PDF extraction: loads pdfjs-dist once, runs its parser in a nested worker, and
// serves pdf.js the Adobe CMaps it needs for Chinese/Japanese/Korean fonts from bundled assets.
// Call from the knowledge worker and pass the result as `extract(bytes, { pdfjs })`.
import type { PdfGetDocumentParams, PdfJsLike } from './types';

// Vite emits each packed CMap as an asset (fetched only when a PDF needs it); no-inline keeps the
// small ones out of the worker bundle as data: URLs.
const CMAPS = import.meta.glob<string>('../../node_modules/pdfjs-dist/cmaps/*.bcmap', { query: '?url&no-inline', import: 'default', eager: true });
const cmapUrlByName = new Map(Object.entries(CMAPS).map(([path, url]) => [path.slice(path.lastIndexOf('/') + 1), url]));

/** pdf.js 5 `BinaryDataFactory`: looks CMaps up among the bundled assets instead of under one base URL. */
class BundledBinaryData {
  async fetch({ kind, filename }: { kind: string; filename: string }): Promise<Uint8Array> {
    const url = kind === 'cMapUrl' ? cmapUrlByName.get(filename) : undefined;
    // Standard-font and wasm data only matter for rendering; pdf.js carries on without them.
    if (!url) throw new Error(`No bundled ${kind} file named ${filename}.`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`Loading ${url} failed with HTTP ${res.status}.`);
    return new Uint8Array(await res.arrayBuffer());
  }
}

let loading: Promise<PdfJsLike> | undefined;

/** Loads and configures pdf.js once; a failed load is forgotten so the next call retries. */
export function loadPdfJs(): Promise<PdfJsLike> {
  loading ??= (async () => {
    const pdfjs = await import('pdfjs-dist');
    // Vite turns this URL into a hashed asset.
    const workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).href;
    pdfjs.GlobalWorkerOptions.workerSrc = workerSrc;
    // pdf.js reads window.location to start its own worker, which fails inside our worker and
    // makes it run in-thread, where its script also posts to *our* parent. Handing it a worker
    // port we created avoids both. Without nested workers (old Safari) it still runs in-thread.
    if (typeof Worker !== 'undefined') pdfjs.GlobalWorkerOptions.workerPort = new Worker(workerSrc, { type: 'module' });
    const lib: PdfJsLike = pdfjs;
    const configured: PdfJsLike = {
      getDocument: (params: PdfGetDocumentParams) =>
        // useWorkerFetch: false sends CMap requests to BundledBinaryData (and skips pdf.js's
        // default check, which reads document.baseURI, absent in workers).
        lib.getDocument({ ...params, cMapPacked: true, useWorkerFetch: false, BinaryDataFactory: BundledBinaryData }),
    };
    return configured;
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
