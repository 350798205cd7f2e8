// PDF → text page by page with pdf.js; one section per page. pdf.js comes from the caller in the
// browser (a worker-configured module) and from the legacy build in Node, so both share this code.
import { AbortError, FileError } from '../protocol/errors';
import { buildSections } from './html';
import type { PdfDocumentLike, PdfJsLike, PdfTextItemLike, Section } from './types';

export interface PdfText {
  text: string;
  sections: Section[];
  pages: number;
  title?: string;
}

let nodePdfJs: Promise<PdfJsLike> | undefined;

/**
 * Node only: the legacy build (no DOM globals needed), reading CMaps from pdfjs-dist/cmaps on disk.
 * The specifiers are hidden from Vite so browser bundles never include any of this.
 */
function loadNodePdfJs(): Promise<PdfJsLike> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    return Promise.reject(new Error('extract(): pass opts.pdfjs (see loadPdfJs in src/extract/pdfjs-browser.ts) when running in a browser.'));
  }
  nodePdfJs ??= (async () => {
    const pdfSpec = 'pdfjs-dist/legacy/build/pdf.mjs';
    const moduleSpec = 'node:module';
    const lib: PdfJsLike = await import(/* @vite-ignore */ pdfSpec);
    const { createRequire } = await import(/* @vite-ignore */ moduleSpec);
    const pkg: string = createRequire(import.meta.url).resolve('pdfjs-dist/package.json');
    const cMapUrl = pkg.replace(/package\.json$/, 'cmaps/');
    const withCMaps: PdfJsLike = { getDocument: (params) => lib.getDocument({ ...params, cMapUrl, cMapPacked: true }) };
    return withCMaps;
  })().catch((e: unknown) => {
    nodePdfJs = undefined; // allow a retry after a failed load
    throw e;
  });
  return nodePdfJs;
}

/** Joins a page's text items; pdf.js marks line ends with hasEOL and sends word gaps as their own items. */
export function pageText(items: PdfTextItemLike[]): string {
  let s = '';
  for (const it of items) {
    if (typeof it.str === 'string') s += it.str;
    if (it.hasEOL) s += '\n';
  }
  return s
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Pages requested from pdf.js before the one being read is joined (measured in `npm run bench`, ingest). */
export const PAGE_LOOKAHEAD = 4;

async function readPage(doc: PdfDocumentLike, n: number): Promise<string> {
  const page = await doc.getPage(n);
  const text = pageText((await page.getTextContent()).items);
  page.cleanup();
  return text;
}

export async function extractPdf(
  bytes: Uint8Array,
  fileName: string,
  opts: { pdfjs?: PdfJsLike; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<PdfText> {
  const pdfjs = opts.pdfjs ?? (await loadNodePdfJs());
  const task = pdfjs.getDocument({
    // pdf.js transfers (detaches) the buffer it is given; the caller keeps its bytes.
    data: bytes.slice(),
    isEvalSupported: false,
    // Text extraction needs no glyph rendering: no FontFace (absent in workers), no system fonts.
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  let doc: PdfDocumentLike;
  try {
    doc = await task.promise;
  } catch (e) {
    await task.destroy();
    const name = e instanceof Error ? e.name : '';
    if (name === 'PasswordException') {
      throw new FileError(
        'pdf-encrypted',
        `"${fileName}" is password-protected. Open it, remove the password (or print it to a new PDF), and drop the unprotected copy.`,
        { fileName },
      );
    }
    throw new FileError(
      'pdf-corrupt',
      `"${fileName}" could not be read as a PDF (${e instanceof Error ? e.message : String(e)}). It may be damaged or only partly downloaded; download or export it again and drop the new file.`,
      { fileName, reason: e instanceof Error ? e.message : String(e) },
    );
  }
  try {
    const total = doc.numPages;
    let text = '';
    const markers: { at: number; page: number }[] = [];
    // Pages are asked for PAGE_LOOKAHEAD ahead: pdf.js parses in its own worker, which would otherwise
    // sit idle during every round trip and while this thread joins and reports each page.
    const ahead: Promise<string>[] = [];
    const request = (n: number) => {
      const p = readPage(doc, n);
      p.catch(() => undefined); // read (and reported) in order below; an abort may leave some unread
      ahead[n] = p;
    };
    for (let n = 1; n <= Math.min(total, PAGE_LOOKAHEAD); n++) request(n);
    for (let n = 1; n <= total; n++) {
      if (opts.signal?.aborted) throw new AbortError();
      let pt: string;
      try {
        pt = await ahead[n];
        delete ahead[n];
        if (n + PAGE_LOOKAHEAD <= total) request(n + PAGE_LOOKAHEAD);
      } catch (e) {
        throw new FileError(
          'pdf-corrupt',
          `Page ${n} of "${fileName}" is damaged (${e instanceof Error ? e.message : String(e)}). Re-export or re-download the PDF and drop it again.`,
          { fileName, page: n, reason: e instanceof Error ? e.message : String(e) },
        );
      }
      if (pt) {
        if (text) text += '\n\n';
        markers.push({ at: text.length, page: n });
        text += pt;
      }
      opts.onProgress?.(n, total);
    }
    if (!text.trim()) {
      throw new FileError(
        'file-empty',
        `"${fileName}" has no text layer: its ${total} page(s) are probably scanned images, and text recognition (OCR) is not supported. Run OCR on it first (e.g. with your scanner software or OCRmyPDF) and drop the result.`,
        { fileName, pages: total, reason: 'no-text-layer' },
      );
    }
    // The title is a nicety: a broken info dictionary must not cost the user the whole document.
    const meta = await doc.getMetadata().catch(() => ({ info: undefined }));
    const info = meta.info;
    const rawTitle = info && 'Title' in info ? info.Title : undefined;
    const title = typeof rawTitle === 'string' && rawTitle.trim() ? rawTitle.trim() : undefined;
    return { text, sections: buildSections(text, markers), pages: total, ...(title ? { title } : {}) };
  } finally {
    await doc.destroy();
  }
}
