import { describe, expect, it } from 'vitest';
import { freshDb, makeChunks, makeDoc, vec } from './helpers';
import { AppError } from '../../../src/protocol/errors';
import type { ChunkRecord, LabDb } from '../../../src/store/db';
import {
  deleteAll, deleteDocument, findByHash, getChunks, getDocument, iterateChunks, listDocuments,
  replaceChunks, saveDocumentWithChunks, updateDocument,
} from '../../../src/store/documents';
import { countVectors, putVectors } from '../../../src/store/vectors';

async function counts(db: LabDb) {
  return {
    documents: await db.count('documents'),
    texts: await db.count('texts'),
    chunks: await db.count('chunks'),
    vectors: await db.count('vectors'),
  };
}

describe('saveDocumentWithChunks / getDocument / getChunks', () => {
  it('stores the summary, text and chunks; getDocument returns the text again', async () => {
    const db = await freshDb();
    const doc = makeDoc('d1', { pages: 3, title: 'Title', encoding: 'utf-8', sample: true });
    const chunks = makeChunks('d1', 3);
    const summary = await saveDocumentWithChunks(db, doc, chunks);

    expect(summary).not.toHaveProperty('text');
    expect(summary.chunkCount).toBe(3);
    expect(await getDocument(db, 'd1')).toEqual({ ...doc, chunkCount: 3 });
    expect(await getChunks(db, 'd1')).toEqual(chunks);
    expect(await db.get('documents', 'd1')).not.toHaveProperty('text');
    expect(await db.get('texts', 'd1')).toEqual({ id: 'd1', text: doc.text });
  });

  it('returns chunks in index order even when string keys sort differently', async () => {
    const db = await freshDb();
    const chunks = makeChunks('d', 12);
    await saveDocumentWithChunks(db, makeDoc('d'), [...chunks].reverse());
    expect((await getChunks(db, 'd')).map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('getDocument of an unknown id is undefined', async () => {
    const db = await freshDb();
    expect(await getDocument(db, 'nope')).toBeUndefined();
    expect(await getChunks(db, 'nope')).toEqual([]);
  });

  it('rejects a duplicate hash with AppError "duplicate" naming the stored document, changing nothing', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('first', { hash: 'same', name: 'Report.pdf' }), makeChunks('first', 2));
    const before = await counts(db);

    const err = await saveDocumentWithChunks(db, makeDoc('second', { hash: 'same', name: 'copy.pdf' }), makeChunks('second', 4)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('duplicate');
    expect((err as AppError).detail).toEqual({ name: 'Report.pdf' });
    expect((err as AppError).message).toContain('Report.pdf');

    expect(await counts(db)).toEqual(before);
    expect(await getDocument(db, 'second')).toBeUndefined();
    expect(await getChunks(db, 'second')).toEqual([]);
  });

  it('stores nothing when a chunk has an invalid key (the request throws midway)', async () => {
    const db = await freshDb();
    const chunks: ChunkRecord[] = makeChunks('d', 3);
    chunks[1] = { ...chunks[1], id: null as unknown as string };
    await expect(saveDocumentWithChunks(db, makeDoc('d'), chunks)).rejects.toMatchObject({ name: 'DataError' });
    expect(await counts(db)).toEqual({ documents: 0, texts: 0, chunks: 0, vectors: 0 });
  });

  it('stores nothing when a chunk fails inside the database (a repeated chunk id)', async () => {
    const db = await freshDb();
    const chunks = makeChunks('d', 3);
    chunks[2] = { ...chunks[2], id: chunks[0].id };
    await expect(saveDocumentWithChunks(db, makeDoc('d'), chunks)).rejects.toMatchObject({ name: 'ConstraintError' });
    expect(await counts(db)).toEqual({ documents: 0, texts: 0, chunks: 0, vectors: 0 });
    // The database is still usable afterwards.
    await saveDocumentWithChunks(db, makeDoc('d'), makeChunks('d', 3));
    expect(await counts(db)).toMatchObject({ documents: 1, chunks: 3 });
  });

  it('refuses chunks that belong to another document', async () => {
    const db = await freshDb();
    await expect(saveDocumentWithChunks(db, makeDoc('a'), makeChunks('b', 1))).rejects.toMatchObject({ code: 'bad-request' });
    expect(await db.count('documents')).toBe(0);
  });
});

describe('findByHash / listDocuments / updateDocument', () => {
  it('finds by hash and lists lightweight summaries oldest first', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('late', { addedAt: 300, text: 'x'.repeat(100_000) }), []);
    await saveDocumentWithChunks(db, makeDoc('early', { addedAt: 100 }), makeChunks('early', 1));

    expect((await findByHash(db, 'hash-late'))?.id).toBe('late');
    expect(await findByHash(db, 'missing')).toBeUndefined();

    const list = await listDocuments(db);
    expect(list.map((d) => d.id)).toEqual(['early', 'late']);
    for (const d of list) expect(d).not.toHaveProperty('text');
    expect(list[1].chars).toBe(100_000);
  });

  it('updates status and embedding model, and rejects an unknown id', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('d', { status: 'embedding' }), []);
    const updated = await updateDocument(db, 'd', { status: 'ready', embedModel: 'e5-small' });
    expect(updated).toMatchObject({ status: 'ready', embedModel: 'e5-small' });
    expect(await db.get('documents', 'd')).toEqual(updated);
    await expect(updateDocument(db, 'gone', { status: 'error' })).rejects.toMatchObject({ code: 'bad-request' });
  });
});

describe('deleteDocument / deleteAll', () => {
  it('deletes one document with its text, chunks and vectors, leaving others', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('a'), makeChunks('a', 3));
    await saveDocumentWithChunks(db, makeDoc('b'), makeChunks('b', 2));
    await putVectors(db, 'm', 4, [...makeChunks('a', 3), ...makeChunks('b', 2)].map((c, i) => ({ id: c.id, docId: c.docId, vector: vec(4, i) })));

    await deleteDocument(db, 'a');
    expect(await counts(db)).toEqual({ documents: 1, texts: 1, chunks: 2, vectors: 2 });
    expect(await getDocument(db, 'a')).toBeUndefined();
    expect((await getChunks(db, 'b')).length).toBe(2);
    await deleteDocument(db, 'a'); // deleting twice is harmless
  });

  it('deleteAll empties documents, texts, chunks and vectors but keeps settings', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('a'), makeChunks('a', 2));
    await putVectors(db, 'm', 2, [{ id: 'a:0', docId: 'a', vector: vec(2, 1) }]);
    await db.put('settings', 'keep', 'k');
    await deleteAll(db);
    expect(await counts(db)).toEqual({ documents: 0, texts: 0, chunks: 0, vectors: 0 });
    expect(await db.get('settings', 'k')).toBe('keep');
  });
});

describe('replaceChunks', () => {
  it('replaces the chunks, drops the vectors and records the new chunking, in one go', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('d', { embedModel: 'm' }), makeChunks('d', 5));
    await saveDocumentWithChunks(db, makeDoc('other'), makeChunks('other', 1));
    await putVectors(db, 'm', 2, [{ id: 'd:0', docId: 'd', vector: vec(2, 0) }, { id: 'other:0', docId: 'other', vector: vec(2, 1) }]);

    const fresh = makeChunks('d', 2).map((c) => ({ ...c, text: `new ${c.text}` }));
    const summary = await replaceChunks(db, 'd', fresh, { unit: 'tokens', size: 256, overlap: 32 });

    expect(summary).toMatchObject({ chunkCount: 2, chunking: { unit: 'tokens', size: 256, overlap: 32 } });
    expect(summary).not.toHaveProperty('embedModel');
    expect(await db.get('documents', 'd')).toEqual(summary);
    expect(await getChunks(db, 'd')).toEqual(fresh);
    expect(await countVectors(db, 'm')).toBe(1);
    expect((await db.get('vectors', 'other:0'))?.docId).toBe('other');
  });

  it('leaves everything as it was when the new chunks cannot be stored', async () => {
    const db = await freshDb();
    const old = makeChunks('d', 3);
    await saveDocumentWithChunks(db, makeDoc('d'), old);
    const broken = makeChunks('d', 2);
    broken[1] = { ...broken[1], text: (() => 'uncloneable') as unknown as string };
    await expect(replaceChunks(db, 'd', broken, { unit: 'chars', size: 10, overlap: 0 })).rejects.toBeTruthy();
    expect(await getChunks(db, 'd')).toEqual(old);
    expect((await db.get('documents', 'd'))?.chunking.size).toBe(800);
  });

  it('rejects an unknown document', async () => {
    const db = await freshDb();
    await expect(replaceChunks(db, 'gone', [], { unit: 'chars', size: 1, overlap: 0 })).rejects.toMatchObject({ code: 'bad-request' });
  });
});

describe('iterateChunks', () => {
  it('yields every chunk once, in batches, even when the consumer awaits between batches', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('a'), makeChunks('a', 7));
    await saveDocumentWithChunks(db, makeDoc('b'), makeChunks('b', 4));
    const sizes: number[] = [];
    const ids: string[] = [];
    for await (const batch of iterateChunks(db, 3)) {
      sizes.push(batch.length);
      ids.push(...batch.map((c) => c.id));
      await new Promise((r) => setTimeout(r, 1)); // would close a transaction held across batches
    }
    expect(sizes).toEqual([3, 3, 3, 2]);
    expect(new Set(ids).size).toBe(11);
  });

  it('yields nothing for an empty store, one exact batch when sizes match', async () => {
    const db = await freshDb();
    const empty: unknown[] = [];
    for await (const batch of iterateChunks(db)) empty.push(batch);
    expect(empty).toEqual([]);
    await saveDocumentWithChunks(db, makeDoc('a'), makeChunks('a', 4));
    const sizes: number[] = [];
    for await (const batch of iterateChunks(db, 4)) sizes.push(batch.length);
    expect(sizes).toEqual([4]);
  });
});
