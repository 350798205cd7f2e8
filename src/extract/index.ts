// Entry point of text extraction (runs in the knowledge worker and in Node): decides the format
// from the bytes (the extension only breaks ties between text kinds), enforces size limits, and
// hands off to the per-format extractor. Every refusal is a FileError with a code and a remedy.
import { AbortError, FileError } from '../protocol/errors';
import { extractDocx } from './docx';
import { extractEpub } from './epub';
import { htmlToText } from './html';
import { markdownSections } from './markdown';
import { extractPdf } from './pdf';
import { csvToText, jsonToText } from './tabular';
import { decodeText, looksBinary } from './text';
import type { DocKind, ExtractedDoc, ExtractOptions, Section } from './types';
import { findEntry, isZip, readZipDirectory, readZipEntry, type ZipEntry } from './zip';

export type { DocKind, ExtractedDoc, ExtractOptions, PdfJsLike, Section } from './types';
export { decodeText } from './text';

const EXTENSIONS: Record<string, DocKind> = {
  txt: 'txt', text: 'txt', log: 'txt',
  md: 'md', markdown: 'md',
  html: 'html', htm: 'html', xhtml: 'html',
  csv: 'csv', tsv: 'csv',
  json: 'json',
  pdf: 'pdf', docx: 'docx', epub: 'epub',
};

const LABEL: Record<DocKind, string> = {
  txt: 'plain text', md: 'Markdown', html: 'HTML', pdf: 'PDF', docx: 'Word (.docx)', epub: 'EPUB', csv: 'CSV', json: 'JSON',
};

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > fileName.lastIndexOf('/') && dot >= 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/** "%PDF-" at the start, after an optional UTF-8 BOM or whitespace (a mention further in is just text). */
function isPdf(b: Uint8Array): boolean {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < 64 && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  return startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d], i);
}

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x);

/** Formats we recognise but cannot index, with what to do instead. */
interface Foreign {
  /** Stable id for the UI (detail.format / detail.actual), e.g. 'png', 'xlsx', 'zip'. */
  id: string;
  /** English description used in the message. */
  format: string;
  advice: string;
}

function unsupportedFormat(b: Uint8Array): Foreign | null {
  const image = 'Images are not indexed (no OCR); drop a document with a text layer instead.';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47])) return { id: 'png', format: 'PNG image', advice: image };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { id: 'jpeg', format: 'JPEG image', advice: image };
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return { id: 'gif', format: 'GIF image', advice: image };
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return { id: 'webp', format: 'WebP image', advice: image };
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return { id: 'tiff', format: 'TIFF image', advice: image };
  if (startsWith(b, [0x7f, 0x45, 0x4c, 0x46])) return { id: 'elf', format: 'program (ELF)', advice: 'Programs contain no document text.' };
  if (startsWith(b, [0x4d, 0x5a])) return { id: 'exe', format: 'Windows program', advice: 'Programs contain no document text.' };
  if (startsWith(b, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(b, [0xca, 0xfe, 0xba, 0xbe])) return { id: 'macho', format: 'program', advice: 'Programs contain no document text.' };
  if (startsWith(b, [0x00, 0x61, 0x73, 0x6d])) return { id: 'wasm', format: 'WebAssembly module', advice: 'Programs contain no document text.' };
  if (startsWith(b, [0x1f, 0x8b])) return { id: 'gzip', format: 'gzip archive', advice: 'Unpack the archive and drop the documents inside.' };
  if (startsWith(b, [0x42, 0x5a, 0x68])) return { id: 'bzip2', format: 'bzip2 archive', advice: 'Unpack the archive and drop the documents inside.' };
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return { id: 'xz', format: 'xz archive', advice: 'Unpack the archive and drop the documents inside.' };
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return { id: 'zstd', format: 'zstd archive', advice: 'Unpack the archive and drop the documents inside.' };
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { id: '7z', format: '7-Zip archive', advice: 'Unpack the archive and drop the documents inside.' };
  if (startsWith(b, [0x52, 0x61, 0x72, 0x21])) return { id: 'rar', format: 'RAR archive', advice: 'Unpack the archive and drop the documents inside.' };
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return { id: 'ole', format: 'legacy Office (.doc/.xls/.ppt) or password-protected Office file', advice: 'Open it in Word or LibreOffice and save it as .docx (without a password) or PDF.' };
  }
  if (startsWith(b, [0x7b, 0x5c, 0x72, 0x74, 0x66])) return { id: 'rtf', format: 'RTF document', advice: 'Save it as .docx, PDF or plain text.' };
  if (startsWith(b, [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66])) return { id: 'sqlite', format: 'SQLite database', advice: 'Export the data as CSV or JSON.' };
  if (startsWith(b, [0x49, 0x44, 0x33]) || startsWith(b, [0x4f, 0x67, 0x67, 0x53]) || startsWith(b, [0x66, 0x74, 0x79, 0x70], 4)) {
    return { id: 'media', format: 'audio or video', advice: 'Media files are not transcribed; drop a transcript instead.' };
  }
  if (startsWith(b, [0x25, 0x21, 0x50, 0x53])) return { id: 'postscript', format: 'PostScript', advice: 'Convert it to PDF first.' };
  return null;
}

function unsupported(fileName: string, f: Foreign): FileError {
  return new FileError('file-unsupported', `"${fileName}" is a ${f.format}, which cannot be indexed. ${f.advice}`, { fileName, format: f.id });
}

/** `actual` is a DocKind or a Foreign id; `described` is its English wording. */
function mislabelled(fileName: string, expected: DocKind, actual: string, described: string): FileError {
  return new FileError(
    'file-mislabelled',
    `"${fileName}" is named like a ${LABEL[expected]} file but it is actually ${described}. Check that you picked the right file, or give it the extension that matches its content.`,
    { fileName, expected, actual },
  );
}

/** What a ZIP holds, from its directory (and the stored `mimetype` entry for EPUB). */
function zipKind(bytes: Uint8Array, fileName: string): DocKind | Foreign | null {
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(bytes, fileName);
  } catch (e) {
    if (e instanceof FileError) throw e; // too many entries: refused whatever the name says
    return null; // unreadable directory: the caller decides by extension (a damaged .docx is docx-corrupt)
  }
  if (findEntry(entries, 'word/document.xml')) return 'docx';
  const mimetype = findEntry(entries, 'mimetype');
  if (mimetype && mimetype.size < 100) {
    let mt = '';
    try {
      mt = new TextDecoder().decode(readZipEntry(bytes, mimetype, fileName)).trim();
    } catch {
      mt = ''; // a damaged mimetype entry: fall through to the directory listing below
    }
    if (mt === 'application/epub+zip') return 'epub';
  }
  if (findEntry(entries, 'META-INF/container.xml') && entries.some((e) => /\.opf$/i.test(e.name))) return 'epub';
  if (entries.some((e) => e.name.startsWith('xl/'))) return { id: 'xlsx', format: 'Excel workbook (.xlsx)', advice: 'Save the sheet as CSV and drop that.' };
  if (entries.some((e) => e.name.startsWith('ppt/'))) return { id: 'pptx', format: 'PowerPoint presentation (.pptx)', advice: 'Export it as PDF and drop that.' };
  if (mimetype) return { id: 'odf', format: 'OpenDocument file', advice: 'Save it as .docx or PDF and drop that.' };
  return { id: 'zip', format: 'ZIP archive', advice: 'Unpack the archive and drop the documents inside.' };
}

const HTML_LIKE = /<(?:!doctype\s+html|html|head|body|p|div|h[1-6]|span|table|a\s|br|ul|ol|li|article|section|title|meta)\b/i;

/**
 * Decides the document kind from the content: %PDF- → pdf; ZIP → docx/epub by its entries;
 * known binary formats → 'file-unsupported'; binary data → 'file-binary'; otherwise text, whose
 * kind follows the extension (.md, .html, .csv, .json; anything else is txt, or html when it starts
 * like an HTML document). A file named .pdf/.docx/.epub whose content is something else is
 * 'file-mislabelled' with detail {expected, actual}.
 */
export function sniffKind(fileName: string, bytes: Uint8Array): DocKind {
  const ext = extensionOf(fileName);
  const claimed: DocKind | undefined = EXTENSIONS[ext];
  const container = claimed === 'pdf' || claimed === 'docx' || claimed === 'epub' ? claimed : undefined;
  if (bytes.length === 0) throw emptyError(fileName);

  let actual: DocKind | undefined;
  if (isPdf(bytes)) actual = 'pdf';
  else if (isZip(bytes)) {
    const z = zipKind(bytes, fileName);
    if (z === null) {
      if (container === 'docx' || container === 'epub') return container; // its extractor reports the damage
      throw unsupported(fileName, { id: 'zip', format: 'damaged ZIP archive', advice: 'Re-create the archive and drop the documents inside.' });
    }
    if (typeof z !== 'string') {
      // A bare ZIP named .docx/.epub is most likely a damaged one: its extractor names what is missing.
      if ((container === 'docx' || container === 'epub') && z.id === 'zip') return container;
      if (container) throw mislabelled(fileName, container, z.id, `a ${z.format}`);
      throw unsupported(fileName, z);
    }
    actual = z;
  }
  if (actual) {
    if (container && container !== actual) throw mislabelled(fileName, container, actual, `a ${LABEL[actual]} file`);
    return actual;
  }
  const known = unsupportedFormat(bytes);
  if (known) {
    // An encrypted .docx really is an OLE container, so "wrong extension" would mislead there.
    if (container && known.id !== 'ole') throw mislabelled(fileName, container, known.id, `a ${known.format}`);
    throw unsupported(fileName, known);
  }
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (!utf16 && looksBinary(bytes)) {
    if (container) throw mislabelled(fileName, container, 'binary', 'binary data of an unknown format');
    throw new FileError(
      'file-binary',
      `"${fileName}" does not look like a text file (it contains binary data). If it is a document, export it as PDF, DOCX, EPUB, Markdown or plain text and drop that instead.`,
      { fileName },
    );
  }
  if (container) throw mislabelled(fileName, container, 'txt', 'plain text');
  if (claimed === 'html') return HTML_LIKE.test(sampleText(bytes)) ? 'html' : 'txt';
  if (claimed) return claimed;
  return /^\s*<(?:!doctype\s+html|html)\b/i.test(sampleText(bytes)) ? 'html' : 'txt';
}

function sampleText(bytes: Uint8Array): string {
  const b = bytes.subarray(0, 4096);
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b);
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b);
  return new TextDecoder('utf-8').decode(b);
}

function emptyError(fileName: string): FileError {
  return new FileError('file-empty', `"${fileName}" is empty: it contains no text to index. Check that you picked the right file.`, { fileName });
}

function wholeText(text: string): Section[] {
  return text.trim() ? [{ start: 0, end: text.length }] : [];
}

/**
 * Extracts the text of a document. Throws FileError ('file-too-large', 'file-empty', 'file-binary',
 * 'file-mislabelled', 'file-unsupported', 'pdf-*', 'docx-corrupt', 'epub-corrupt', 'zip-bomb',
 * 'json-invalid') or AbortError when `signal` fires.
 */
export async function extract(bytes: Uint8Array, opts: ExtractOptions): Promise<ExtractedDoc> {
  const { fileName } = opts;
  if (opts.signal?.aborted) throw new AbortError();
  if (bytes.length > opts.maxBytes) {
    throw new FileError(
      'file-too-large',
      `"${fileName}" is ${bytes.length} bytes, over the ${opts.maxBytes}-byte limit. Split it into smaller files (or raise the limit in Settings) and try again.`,
      { fileName, size: bytes.length, limit: opts.maxBytes },
    );
  }
  const kind = sniffKind(fileName, bytes);
  let doc: ExtractedDoc;
  switch (kind) {
    case 'pdf': {
      const r = await extractPdf(bytes, fileName, opts);
      doc = { kind, text: r.text, sections: r.sections, pages: r.pages, ...(r.title ? { title: r.title } : {}) };
      break;
    }
    case 'docx': {
      const r = await extractDocx(bytes, fileName, opts.maxUnpackedBytes);
      doc = { kind, text: r.text, sections: r.sections, ...(r.title ? { title: r.title } : {}) };
      break;
    }
    case 'epub': {
      const r = extractEpub(bytes, fileName, opts.maxUnpackedBytes, opts.signal, opts.onProgress);
      doc = { kind, text: r.text, sections: r.sections, ...(r.title ? { title: r.title } : {}) };
      break;
    }
    case 'html': {
      const { text: src, encoding } = decodeText(bytes, fileName);
      const r = htmlToText(src);
      doc = { kind, text: r.text, sections: r.sections, encoding, ...(r.title ? { title: r.title } : {}) };
      break;
    }
    case 'md': {
      const { text, encoding } = decodeText(bytes, fileName);
      const r = markdownSections(text);
      doc = { kind, text, sections: r.sections, encoding, ...(r.title ? { title: r.title } : {}) };
      break;
    }
    case 'csv': {
      const { text: src, encoding } = decodeText(bytes, fileName);
      const text = csvToText(src, extensionOf(fileName) === 'tsv' ? '\t' : undefined);
      doc = { kind, text, sections: wholeText(text), encoding };
      break;
    }
    case 'json': {
      const { text: src, encoding } = decodeText(bytes, fileName);
      const text = jsonToText(src, fileName);
      doc = { kind, text, sections: wholeText(text), encoding };
      break;
    }
    case 'txt': {
      const { text, encoding } = decodeText(bytes, fileName);
      doc = { kind, text, sections: wholeText(text), encoding };
      break;
    }
    default: {
      const never: never = kind;
      throw new Error(`unhandled kind ${String(never)}`);
    }
  }
  if (!doc.text.trim()) throw emptyError(fileName);
  if (kind !== 'pdf' && kind !== 'epub') opts.onProgress?.(1, 1);
  return doc;
}
