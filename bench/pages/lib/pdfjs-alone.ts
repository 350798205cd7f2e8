// The baseline for ingest.pdf.*: pdf.js text extraction alone, loaded exactly as the app loads it
// (src/extract/pdfjs-browser.ts) and called with the options src/extract/pdf.ts passes.
import { loadPdfJs } from '../../../src/extract/pdfjs-browser';

/**
 * getDocument, getTextContent on every page, join; resolves to the text length (chars). `ahead` > 0
 * asks for that many pages before joining the current one, as the app's extractor does
 * (PAGE_LOOKAHEAD); 0 is the plain loop of pdf.js's own examples.
 */
export async function pdfjsText(bytes: Uint8Array, expectPages: number, ahead = 0): Promise<number> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({ data: bytes.slice(), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  const doc = await task.promise;
  try {
    const read = async (n: number) => {
      const page = await doc.getPage(n);
      const items = (await page.getTextContent()).items;
      page.cleanup();
      return items.map((it) => (typeof it.str === 'string' ? it.str : '') + (it.hasEOL ? '\n' : '')).join('');
    };
    const pending: Promise<string>[] = [];
    for (let n = 1; n <= Math.min(doc.numPages, ahead); n++) pending[n] = read(n);
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      pages.push(await (pending[n] ?? read(n)));
      if (ahead > 0 && n + ahead <= doc.numPages) pending[n + ahead] = read(n + ahead);
    }
    if (doc.numPages !== expectPages) throw new Error(`expected ${expectPages} pages, pdf.js saw ${doc.numPages}`);
    return pages.join('\n\n').length;
  } finally {
    await doc.destroy();
  }
}
