// Renders a plain-text document as a PDF the way a word processor would print it (wrapped lines,
// a running title at the top of each page and a page number at the bottom), so the retrieval
// benchmark and the duplicate tests can hold "the same document as PDF and as text".
// Standard fonts only (WinAnsi): characters they cannot encode become '?', so use Latin text.
import { PDFDocument, StandardFonts } from 'pdf-lib';

const PAGE_W = 595.28; // A4, points
const PAGE_H = 841.89;
const MARGIN = 56;
const SIZE = 10;
const LEADING = 13;

/** Replaces what WinAnsi cannot encode (tabs, emoji, CJK, box drawing) with a space or '?'. */
export function encodable(line: string): string {
  return line.replace(/\t/g, '    ').replace(/[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026]/gu, '?');
}

/** PDF bytes of `text`: paragraphs wrapped at spaces to the text width, `title` as a running header. */
export async function textToPdf(text: string, title: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const width = PAGE_W - 2 * MARGIN;
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = encodable(raw);
    if (!line.trim()) {
      lines.push('');
      continue;
    }
    let cur = '';
    for (const word of line.split(/ +/)) {
      const next = cur ? `${cur} ${word}` : word;
      if (font.widthOfTextAtSize(next, SIZE) <= width || !cur) cur = next;
      else {
        lines.push(cur);
        cur = word;
      }
    }
    lines.push(cur);
  }
  const perPage = Math.floor((PAGE_H - 2 * MARGIN - 2 * LEADING) / LEADING);
  const pages = Math.max(1, Math.ceil(lines.length / perPage));
  for (let p = 0; p < pages; p++) {
    const page = pdf.addPage([PAGE_W, PAGE_H]);
    page.drawText(encodable(title), { x: MARGIN, y: PAGE_H - MARGIN + LEADING, size: 8, font });
    let y = PAGE_H - MARGIN - LEADING;
    for (const line of lines.slice(p * perPage, (p + 1) * perPage)) {
      if (line) page.drawText(line, { x: MARGIN, y, size: SIZE, font });
      y -= LEADING;
    }
    page.drawText(`- ${p + 1} -`, { x: PAGE_W / 2 - 10, y: MARGIN / 2, size: 8, font });
  }
  return pdf.save();
}
