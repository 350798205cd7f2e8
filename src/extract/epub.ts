// EPUB → text: container.xml → OPF package → spine order → each XHTML chapter through the HTML
// extractor (sections from h1–h3, restarted per chapter). Same ZIP bomb guard as DOCX.
import { AbortError, FileError } from '../protocol/errors';
import { firstElementText, htmlToText, tokenizeHtml, type HtmlTag } from './html';
import type { Section } from './types';
import { findEntry, guardZip, readZipDirectory, readZipEntry, ZipFormatError, type ZipEntry } from './zip';

function corrupt(fileName: string, reason: string, entry?: string): FileError {
  return new FileError(
    'epub-corrupt',
    `"${fileName}" could not be read as an EPUB book (${reason}). Re-export it from its source (e.g. with Calibre) and drop the new file.`,
    entry ? { fileName, reason, entry } : { fileName, reason },
  );
}

function decodeXml(data: Uint8Array): string {
  if (data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data);
  if (data[0] === 0xfe && data[1] === 0xff) return new TextDecoder('utf-16be').decode(data);
  return new TextDecoder('utf-8').decode(data);
}

/** Resolves an OPF href against the OPF's folder: percent-decoding, dropping #fragments, folding ./ and ../. */
function resolvePath(dir: string, href: string): string {
  let h = href.replace(/[#?].*$/, '');
  try {
    h = decodeURIComponent(h);
  } catch {
    // A malformed %-escape is taken literally, as reading systems do.
  }
  const parts = (h.startsWith('/') ? h.slice(1) : dir + h).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

function tags(xml: string, name: string): HtmlTag[] {
  const found: HtmlTag[] = [];
  for (const tok of tokenizeHtml(xml)) if (tok.type === 'open' && tok.tag.name === name) found.push(tok.tag);
  return found;
}

export interface EpubText {
  text: string;
  sections: Section[];
  title?: string;
}

export function extractEpub(
  bytes: Uint8Array,
  fileName: string,
  maxUnpackedBytes: number,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): EpubText {
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(bytes, fileName);
  } catch (e) {
    if (e instanceof ZipFormatError) throw corrupt(fileName, e.message);
    throw e;
  }
  guardZip(entries, fileName, maxUnpackedBytes);

  const read = (name: string, what: string): string => {
    const entry = findEntry(entries, name);
    if (!entry) throw corrupt(fileName, `${what} "${name}" is missing`, name);
    try {
      return decodeXml(readZipEntry(bytes, entry, fileName));
    } catch (e) {
      if (e instanceof ZipFormatError) throw corrupt(fileName, e.message, name);
      throw e;
    }
  };

  const container = read('META-INF/container.xml', 'the container file');
  const rootfiles = tags(container, 'rootfile');
  const rootfile = rootfiles.find((t) => t.attrs['media-type'] === 'application/oebps-package+xml') ?? rootfiles[0];
  const opfPath = rootfile?.attrs['full-path'];
  if (!opfPath) throw corrupt(fileName, 'META-INF/container.xml names no package file');
  const opf = read(opfPath, 'the package file');
  const dir = opfPath.includes('/') ? opfPath.slice(0, opfPath.lastIndexOf('/') + 1) : '';

  const manifest = new Map<string, { href: string; type: string }>();
  for (const item of tags(opf, 'item')) {
    if (item.attrs.id && item.attrs.href) manifest.set(item.attrs.id, { href: item.attrs.href, type: item.attrs['media-type'] ?? '' });
  }
  const spine = tags(opf, 'itemref')
    .map((t) => manifest.get(t.attrs.idref ?? ''))
    .filter((it): it is { href: string; type: string } => it !== undefined)
    // The spine may list SVG or image pages; only (X)HTML carries text.
    .filter((it) => it.type === '' || /html/i.test(it.type));
  if (spine.length === 0) throw corrupt(fileName, 'the package lists no chapters in its spine');
  const title = firstElementText(opf, 'title');

  let text = '';
  const sections: Section[] = [];
  spine.forEach((item, i) => {
    if (signal?.aborted) throw new AbortError();
    const path = resolvePath(dir, item.href);
    const chapter = htmlToText(read(path, 'the chapter'), { maxHeadingLevel: 3 });
    if (chapter.text.trim()) {
      const offset = text ? text.length + 2 : 0;
      if (text) {
        text += '\n\n';
        // The separator belongs to the previous chapter's last section, keeping coverage gap-free.
        if (sections.length) sections[sections.length - 1].end = offset;
      }
      text += chapter.text;
      for (const s of chapter.sections) sections.push({ ...s, start: s.start + offset, end: s.end + offset });
    }
    onProgress?.(i + 1, spine.length);
  });
  return { text, sections, ...(title ? { title } : {}) };
}
