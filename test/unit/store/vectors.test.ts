import { describe, expect, it } from 'vitest';
import { freshDb, makeChunks, makeDoc, vec } from './helpers';
import { saveDocumentWithChunks } from '../../../src/store/documents';
import { countVectors, deleteVectorsForModel, missingVectors, putVectors, vectorsForModel } from '../../../src/store/vectors';
import type { LabDb, VectorRecord } from '../../../src/store/db';

async function collect(db: LabDb, model: string, batchSize: number): Promise<VectorRecord[][]> {
  const batches: VectorRecord[][] = [];
  for await (const batch of vectorsForModel(db, model, batchSize)) {
    batches.push(batch);
    await new Promise((r) => setTimeout(r, 1));
  }
  return batches;
}

describe('putVectors', () => {
  it('round-trips Float32Array values exactly, with model and dim', async () => {
    const db = await freshDb();
    const v = Float32Array.from([0.1, -2.5, 3.4028234663852886e38, 1e-45, -0, NaN]);
    await putVectors(db, 'm', 6, [{ id: 'd:0', docId: 'd', vector: v }]);
    const stored = await db.get('vectors', 'd:0');
    expect(stored?.vector).toBeInstanceOf(Float32Array);
    expect(stored?.vector).toEqual(v);
    expect(Object.is(stored?.vector[4], -0)).toBe(true);
    expect(stored).toMatchObject({ id: 'd:0', docId: 'd', model: 'm', dim: 6 });
  });

  it('stores only the view, not the whole batch buffer a subarray points into', async () => {
    const db = await freshDb();
    const batch = Float32Array.from({ length: 4 * 1000 }, (_, i) => i);
    await putVectors(db, 'm', 4, [{ id: 'd:1', docId: 'd', vector: batch.subarray(4, 8) }]);
    const stored = await db.get('vectors', 'd:1');
    expect(Array.from(stored!.vector)).toEqual([4, 5, 6, 7]);
    expect(stored!.vector.buffer.byteLength).toBe(16);
  });

  it('rejects a vector whose length is not dim, storing none of the batch', async () => {
    const db = await freshDb();
    const call = putVectors(db, 'm', 3, [{ id: 'a', docId: 'd', vector: vec(3, 1) }, { id: 'b', docId: 'd', vector: vec(2, 1) }]);
    await expect(call).rejects.toMatchObject({ code: 'bad-request' });
    expect(await db.count('vectors')).toBe(0);
  });

  it('embedding a chunk with another model replaces its vector', async () => {
    const db = await freshDb();
    await putVectors(db, 'old', 2, [{ id: 'c', docId: 'd', vector: vec(2, 1) }]);
    await putVectors(db, 'new', 3, [{ id: 'c', docId: 'd', vector: vec(3, 2) }]);
    expect(await countVectors(db, 'old')).toBe(0);
    expect(await countVectors(db, 'new')).toBe(1);
  });
});

describe('vectorsForModel / countVectors / deleteVectorsForModel', () => {
  it('yields only that model, every vector once, in batches', async () => {
    const db = await freshDb();
    const entries = Array.from({ length: 10 }, (_, i) => ({ id: `d:${i}`, docId: 'd', vector: vec(4, i) }));
    await putVectors(db, 'a', 4, entries.slice(0, 7));
    await putVectors(db, 'b', 4, entries.slice(7));

    const batches = await collect(db, 'a', 3);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    const all = batches.flat();
    expect(all.map((v) => v.id).sort()).toEqual(entries.slice(0, 7).map((e) => e.id).sort());
    expect(all.every((v) => v.model === 'a')).toBe(true);
    expect(all.find((v) => v.id === 'd:3')?.vector).toEqual(vec(4, 3));

    expect((await collect(db, 'b', 3)).map((b) => b.length)).toEqual([3]);
    expect(await collect(db, 'none', 3)).toEqual([]);
    expect(await countVectors(db, 'a')).toBe(7);

    await deleteVectorsForModel(db, 'a');
    expect(await countVectors(db, 'a')).toBe(0);
    expect(await countVectors(db, 'b')).toBe(3);
  });

  it('resumes correctly when the batch boundary falls between interleaved models', async () => {
    const db = await freshDb();
    // Ids of both models interleave in key order; resuming must skip the other model's records.
    for (let i = 0; i < 9; i++) await putVectors(db, i % 2 ? 'x' : 'y', 2, [{ id: `k${i}`, docId: 'd', vector: vec(2, i) }]);
    const ids = (await collect(db, 'y', 2)).flat().map((v) => v.id);
    expect(ids).toEqual(['k0', 'k2', 'k4', 'k6', 'k8']);
  });
});

describe('missingVectors', () => {
  it('lists chunks without a vector of that model', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('d'), makeChunks('d', 4));
    expect(await missingVectors(db, 'm')).toEqual(['d:0', 'd:1', 'd:2', 'd:3']);
    await putVectors(db, 'm', 2, [{ id: 'd:1', docId: 'd', vector: vec(2, 1) }]);
    await putVectors(db, 'other', 2, [{ id: 'd:2', docId: 'd', vector: vec(2, 2) }]);
    expect(await missingVectors(db, 'm')).toEqual(['d:0', 'd:2', 'd:3']);
  });
});
