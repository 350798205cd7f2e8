import { describe, expect, it } from 'vitest';
import { freshDb, makeChunks, makeDoc, vec } from './helpers';
import { saveDocumentWithChunks } from '../../../src/store/documents';
import { putVectors } from '../../../src/store/vectors';
import { setSetting } from '../../../src/store/settings';
import { approxBytes, storeSizes } from '../../../src/store/sizes';

describe('approxBytes', () => {
  it('counts strings as UTF-16, numbers as 8 bytes and typed arrays by their bytes', () => {
    expect(approxBytes('abcd')).toBe(12);
    expect(approxBytes(1)).toBe(8);
    expect(approxBytes(new Float32Array(10))).toBe(56);
    expect(approxBytes({ ab: 1 })).toBe(8 + 4 + 8);
    expect(approxBytes([1, 2])).toBe(8 + 16);
  });
});

describe('storeSizes', () => {
  it('is zero for an empty database', async () => {
    const db = await freshDb();
    expect(await storeSizes(db)).toEqual({ documents: 0, chunks: 0, vectors: 0, other: 0, total: 0 });
  });

  it('attributes text to documents, and sizes vectors by count × dim per model', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('d', { text: 'y'.repeat(500_000) }), makeChunks('d', 20));
    const entries = makeChunks('d', 20).map((c, i) => ({ id: c.id, docId: 'd', vector: vec(384, i) }));
    await putVectors(db, 'small', 384, entries.slice(0, 10));
    await putVectors(db, 'big', 1024, entries.slice(10).map((e, i) => ({ ...e, vector: vec(1024, i) })));
    await setSetting(db, 'k', 'v');

    const sizes = await storeSizes(db);
    expect(sizes.documents).toBeGreaterThan(1_000_000);
    expect(sizes.documents).toBeLessThan(1_002_000);
    expect(sizes.chunks).toBeGreaterThan(20 * 2 * 'chunk 0 of d'.length);
    expect(sizes.vectors).toBeGreaterThanOrEqual(10 * 384 * 4 + 10 * 1024 * 4);
    expect(sizes.vectors).toBeLessThan(10 * 384 * 4 + 10 * 1024 * 4 + 20 * 200);
    expect(sizes.other).toBe(approxBytes('v'));
    expect(sizes.total).toBe(sizes.documents + sizes.chunks + sizes.vectors + sizes.other);
  });
});
