// DOCX → text: our own ZIP checks first (bomb guard, every XML part inflates within its declared
// size), then mammoth turns the document into HTML so Word headings become sections.
import { FileError } from '../protocol/errors';
import { firstElementText, htmlToText, type HtmlText } from './html';
import { findEntry, guardZip, readZipDirectory, readZipEntry, ZipFormatError, type ZipEntry } from './zip';

function corrupt(fileName: string, reason: string): FileError {
  return new FileError(
    'docx-corrupt',
    `"${fileName}" could not be read as a Word document (${reason}). Open it in Word or LibreOffice, save it again as .docx, and drop the new file.`,
    { fileName, reason },
  );
}

export async function extractDocx(bytes: Uint8Array, fileName: string, maxUnpackedBytes: number): Promise<HtmlText> {
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(bytes, fileName);
  } catch (e) {
    if (e instanceof ZipFormatError) throw corrupt(fileName, e.message);
    throw e;
  }
  guardZip(entries, fileName, maxUnpackedBytes);
  if (!findEntry(entries, 'word/document.xml')) throw corrupt(fileName, 'word/document.xml is missing');

  // mammoth (JSZip) trusts declared sizes; inflating the XML parts ourselves first, each into a
  // buffer of its declared size, catches damaged data and lying headers before it runs.
  let title: string | undefined;
  for (const entry of entries) {
    if (!/\.(xml|rels)$/i.test(entry.name)) continue;
    let data: Uint8Array;
    try {
      data = readZipEntry(bytes, entry, fileName);
    } catch (e) {
      if (e instanceof ZipFormatError) throw corrupt(fileName, e.message);
      throw e;
    }
    if (entry.name === 'docProps/core.xml') title = firstElementText(new TextDecoder().decode(data), 'title');
  }

  const mammoth = (await import('mammoth')).default;
  const ab = bytes.slice().buffer;
  // mammoth's Node build reads `buffer`, its browser build `arrayBuffer`; both accept an ArrayBuffer.
  const input = { arrayBuffer: ab, buffer: ab };
  let html: string;
  try {
    const result = await mammoth.convertToHtml(input, {
      // Images are not text: an empty src keeps mammoth from reading and base64-encoding them.
      convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
      ignoreEmptyParagraphs: true,
    });
    html = result.value;
  } catch (e) {
    throw corrupt(fileName, e instanceof Error ? e.message : String(e));
  }
  const out = htmlToText(html);
  return { text: out.text, sections: out.sections, ...(title ? { title } : out.title ? { title: out.title } : {}) };
}
