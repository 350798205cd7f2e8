// ZIP reading for DOCX and EPUB: fflate inflates; the central directory is read here, because
// fflate's unzipSync exposes no entry offsets or flags, truncates silently an entry whose header
// understates its size, returns encrypted bytes as content and reads a damaged directory as entries.
// So a zip bomb is refused from the declared entry count and sizes before a byte is inflated, and
// each entry inflates into a buffer one byte larger than declared, which exposes a lying header.
import { inflateSync } from 'fflate';
import { FileError } from '../protocol/errors';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  /** Declared uncompressed size, bytes. */
  size: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

/** The archive's structure is broken; callers turn this into docx-corrupt / epub-corrupt. */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 0x100000000;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

const utf8 = new TextDecoder('utf-8');

/**
 * Most entries an archive may declare. A DOCX has tens, a large illustrated EPUB a few thousand;
 * millions of tiny entries are a bomb aimed at the directory walk itself.
 */
export const MAX_ZIP_ENTRIES = 10_000;

/**
 * Reads the central directory (ZIP64 aware). Throws FileError 'zip-bomb' when it declares more than
 * `MAX_ZIP_ENTRIES` entries (checked before any entry is read), ZipFormatError when it cannot be
 * found or parsed.
 */
export function readZipDirectory(bytes: Uint8Array, fileName: string): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 5 && bytes[i + 3] === 6) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('end of central directory not found (the file is truncated or not a ZIP)');
  let count = u16(bytes, eocd + 10);
  let cdSize = u32(bytes, eocd + 12);
  let cdOffset = u32(bytes, eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(bytes, loc) !== 0x07064b50) throw new ZipFormatError('ZIP64 locator missing');
    const z64 = u64(bytes, loc + 8);
    if (z64 + 56 > bytes.length || u32(bytes, z64) !== 0x06064b50) throw new ZipFormatError('ZIP64 end record missing');
    count = u64(bytes, z64 + 32);
    cdSize = u64(bytes, z64 + 40);
    cdOffset = u64(bytes, z64 + 48);
  }
  if (count > MAX_ZIP_ENTRIES) {
    throw new FileError(
      'zip-bomb',
      `"${fileName}" was refused: it declares ${count} parts, more than the ${MAX_ZIP_ENTRIES} a document holds; files like this are built to exhaust memory. If the file is genuine, split it or re-save it from its editor.`,
      { fileName, entries: count, limit: MAX_ZIP_ENTRIES },
    );
  }
  if (cdOffset + cdSize > bytes.length) throw new ZipFormatError('central directory lies outside the file (truncated)');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || u32(bytes, p) !== 0x02014b50) throw new ZipFormatError(`central directory entry ${k} is damaged`);
    const flags = u16(bytes, p + 8);
    const method = u16(bytes, p + 10);
    let compressedSize = u32(bytes, p + 20);
    let size = u32(bytes, p + 24);
    const nameLen = u16(bytes, p + 28);
    const extraLen = u16(bytes, p + 30);
    const commentLen = u16(bytes, p + 32);
    let localHeaderOffset = u32(bytes, p + 42);
    const name = utf8.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: the 8-byte values appear only for the fields saturated at 0xffffffff, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = u16(bytes, e);
      const len = u16(bytes, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = u64(bytes, q)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(bytes, q)), (q += 8);
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(bytes, q);
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, localHeaderOffset, encrypted: (flags & 1) === 1 });
    p = extraEnd + commentLen;
  }
  return entries;
}

/** Compression ratio above which an entry counts as a bomb once it is also larger than BOMB_MIN_BYTES. */
export const BOMB_RATIO = 200;
export const BOMB_MIN_BYTES = 10 * 1024 * 1024;

/**
 * Refuses archives that would unpack to more than `maxUnpackedBytes` in total (so no single entry
 * can exceed it either), or with an entry compressed more than 200:1 that is over 10 MB (text in
 * real documents compresses 3–10:1). Decided from the central directory alone: nothing is inflated.
 */
export function guardZip(entries: ZipEntry[], fileName: string, maxUnpackedBytes: number): void {
  let total = 0;
  for (const en of entries) {
    total += en.size;
    const ratio = en.size / Math.max(1, en.compressedSize);
    if (en.size > BOMB_MIN_BYTES && ratio > BOMB_RATIO) {
      throw new FileError(
        'zip-bomb',
        `"${fileName}" was refused: its part "${en.name}" would expand ${Math.round(ratio)} times to ${en.size} bytes, which only happens in files built to exhaust memory (a "zip bomb"). If the file is genuine, re-save it from its editor.`,
        { fileName, entry: en.name, size: en.size, compressedSize: en.compressedSize, ratio: Math.round(ratio) },
      );
    }
  }
  if (total > maxUnpackedBytes) {
    throw new FileError(
      'zip-bomb',
      `"${fileName}" was refused: it would unpack to ${total} bytes, more than the ${maxUnpackedBytes}-byte limit. Split the document into smaller files, or remove large embedded media, and try again.`,
      { fileName, size: total, limit: maxUnpackedBytes },
    );
  }
}

/**
 * Inflates one entry. The output buffer has the declared size plus one byte: filling that extra
 * byte proves the header lied (the data is bigger than declared) and is reported as a zip bomb
 * rather than trusted. Throws ZipFormatError for damaged data.
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, fileName: string): Uint8Array {
  const p = entry.localHeaderOffset;
  if (p + 30 > bytes.length || u32(bytes, p) !== 0x04034b50) throw new ZipFormatError(`local header of "${entry.name}" is damaged`);
  const start = p + 30 + u16(bytes, p + 26) + u16(bytes, p + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new ZipFormatError(`"${entry.name}" is cut off (the file is truncated)`);
  if (entry.encrypted) throw new ZipFormatError(`"${entry.name}" is password-protected`);
  const data = bytes.subarray(start, end);
  let out: Uint8Array;
  if (entry.method === 0) {
    if (data.length !== entry.size) throw new ZipFormatError(`stored part "${entry.name}" does not match its declared size`);
    out = data.slice();
  } else if (entry.method === 8) {
    try {
      out = inflateSync(data, { out: new Uint8Array(entry.size + 1) });
    } catch (e) {
      throw new ZipFormatError(`"${entry.name}" has damaged compressed data (${e instanceof Error ? e.message : String(e)})`);
    }
  } else throw new ZipFormatError(`"${entry.name}" uses unsupported compression method ${entry.method}`);
  if (out.length > entry.size) {
    throw new FileError(
      'zip-bomb',
      `"${fileName}" was refused: its part "${entry.name}" holds more data than its header declares (${entry.size} bytes), a trick used by files built to exhaust memory. If the file is genuine, re-save it from its editor.`,
      { fileName, entry: entry.name, size: entry.size },
    );
  }
  if (out.length < entry.size) throw new ZipFormatError(`"${entry.name}" is shorter than declared (truncated data)`);
  return out;
}

/** Finds an entry by exact name, then case-insensitively (some tools upper-case paths). */
export function findEntry(entries: ZipEntry[], name: string): ZipEntry | undefined {
  return entries.find((e) => e.name === name) ?? entries.find((e) => e.name.toLowerCase() === name.toLowerCase());
}
