// Every refusal a real bad file produces reads fully in Chinese (no unfilled placeholder, not the
// English fallback) and keeps the specific English message.
import { describe, expect, it } from 'vitest';
import { extract } from '../../src/extract';
import { errorMessage } from '../../src/i18n';
import { AppError } from '../../src/protocol/errors';
import { encodeUtf8, makeEncryptedPdf, makeEpub, makeTruncatedPdf, makeZipBombDocx } from '../fixtures/make-files';

const opts = (fileName: string) => ({ fileName, maxBytes: 50_000_000, maxUnpackedBytes: 50_000_000 });

async function refusal(name: string, bytes: Uint8Array): Promise<AppError> {
  try {
    await extract(bytes, opts(name));
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error(`${name} was accepted`);
}

describe('file refusals in both languages', () => {
  const cases: [string, () => Promise<Uint8Array> | Uint8Array, string][] = [
    ['empty.txt', () => new Uint8Array(0), 'file-empty'],
    ['binary.txt', () => new Uint8Array(4096).map((_, i) => (i * 7919) % 256), 'file-binary'],
    ['cut.pdf', () => makeTruncatedPdf(), 'pdf-corrupt'],
    ['locked.pdf', () => makeEncryptedPdf(), 'pdf-encrypted'],
    ['notes.pdf', () => encodeUtf8('plain text, not a pdf'), 'file-mislabelled'],
    ['broken.docx', () => encodeUtf8('PK\u0003\u0004 not a zip'), 'docx-corrupt'],
    ['bomb.docx', () => makeZipBombDocx(), 'zip-bomb'],
    ['broken.epub', () => makeEpub([{ title: 'One', html: '<h1>One</h1><p>x</p>' }]).slice(0, 200), 'epub-corrupt'],
    ['bad.json', () => encodeUtf8('{"a": [1, 2,, 3]}'), 'json-invalid'],
    ['pic.png', () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'file-unsupported'],
  ];
  for (const [name, make, code] of cases) {
    it(`${name} → ${code}`, async () => {
      const e = await refusal(name, await make());
      expect(e.code).toBe(code);
      expect(errorMessage('en', e)).toBe(e.message);
      expect(errorMessage('en', e)).toContain(name);
      const zh = errorMessage('zh', e);
      expect(zh).not.toBe(e.message);
      expect(zh).toContain(name);
      expect(zh).not.toMatch(/\{\w+\}/);
    });
  }
});
