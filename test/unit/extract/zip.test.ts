import { describe, expect, it } from 'vitest';
import { zipSync, type Zippable } from 'fflate';
import { extract } from '../../../src/extract';
import { MAX_ZIP_ENTRIES, readZipDirectory, readZipEntry, ZipFormatError } from '../../../src/extract/zip';
import { FileError } from '../../../src/protocol/errors';
import { makeDocx } from '../../fixtures/make-files';

const MB = 1024 * 1024;

/** A ZIP with `n` empty entries (plus a word/document.xml so it is taken for a DOCX). */
function manyEntries(n: number): Uint8Array {
  const z: Zippable = { 'word/document.xml': new Uint8Array(0) };
  for (let i = 1; i < n; i++) z[`e/${i}`] = new Uint8Array(0);
  return zipSync(z, { level: 0 });
}

describe('zip reader limits', () => {
  it('refuses an archive declaring more entries than the limit before reading any entry', async () => {
    const bytes = manyEntries(MAX_ZIP_ENTRIES + 1);
    let err: unknown;
    try {
      readZipDirectory(bytes, 'many.docx');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileError);
    expect((err as FileError).code).toBe('zip-bomb');
    expect((err as FileError).detail).toEqual({ fileName: 'many.docx', entries: MAX_ZIP_ENTRIES + 1, limit: MAX_ZIP_ENTRIES });
    // The same refusal whatever the file is named: sniffing does not hide it as a "damaged ZIP".
    await expect(extract(bytes, { fileName: 'many.zip', maxBytes: 50 * MB, maxUnpackedBytes: 100 * MB })).rejects.toMatchObject({ code: 'zip-bomb' });
  });

  it('reads an archive at the limit', () => {
    expect(readZipDirectory(manyEntries(MAX_ZIP_ENTRIES), 'ok.docx')).toHaveLength(MAX_ZIP_ENTRIES);
  });

  it('refuses an encrypted entry and a directory pointing past the end with specific reasons', () => {
    const docx = makeDocx([{ text: 'Hello.' }]);
    // Set the "encrypted" flag (bit 0) of the first central-directory entry.
    const enc = docx.slice();
    const view = new DataView(enc.buffer);
    const cd = view.getUint32(enc.length - 22 + 16, true);
    view.setUint16(cd + 8, view.getUint16(cd + 8, true) | 1, true);
    const entries = readZipDirectory(enc, 'enc.docx');
    expect(entries[0].encrypted).toBe(true);
    expect(() => readZipEntry(enc, entries[0], 'enc.docx')).toThrow(new ZipFormatError(`"${entries[0].name}" is password-protected`));
    const bad = docx.slice();
    new DataView(bad.buffer).setUint32(bad.length - 22 + 16, 0x7fffffff, true);
    expect(() => readZipDirectory(bad, 'bad.docx')).toThrow('central directory lies outside the file (truncated)');
  });
});
