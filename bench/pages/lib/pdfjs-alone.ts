// The baseline for ingest.pdf.*: pdf.js text extraction alone, loaded exactly as the app loads it
// (src/extract/pdfjs-browser.ts) and called with the options src/extract/pdf.ts passes.
import { loadPdfJs } from '../../../src/extract/pdfjs-browser';

/** getDocument, getTextContent on every page, join; resolves to the text length (chars). */
export async function pdfjsText(bytes: Uint8Array, expectPages: number): Promise<number> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({ data: bytes.slice(), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  const doc = await task.promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const items = (await page.getTextContent()).items;
      pages.push(items.map((it) => (typeof it.str === 'string' ? it.str : '') + (it.hasEOL ? '\n' : '')).join(''));
      page.cleanup();
    }
    if (doc.numPages !== expectPages) throw new Error(`expected ${expectPages} pages, pdf.js saw ${doc.numPages}`);
    return pages.join('\n\n').length;
  } finally {
    await doc.destroy();
  }
}
