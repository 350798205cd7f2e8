// putVectorsIfCurrent: a vector is stored only for a chunk still stored with the text, heading path
// and context sentence it was embedded from (checked in the same transaction as the write).
import { describe, expect, it } from 'vitest';
import { freshDb, makeChunks, makeDoc, vec } from './helpers';
import { deleteDocument, replaceChunks, saveDocumentWithChunks, setChunkContexts } from '../../../src/store/documents';
import { countVectors, putVectorsIfCurrent } from '../../../src/store/vectors';

describe('putVectorsIfCurrent', () => {
  it('stores vectors of unchanged chunks and skips re-chunked, re-contexted and deleted ones', async () => {
    const db = await freshDb();
    const a = makeChunks('a', 4);
    const b = makeChunks('b', 2);
    await saveDocumentWithChunks(db, makeDoc('a'), a);
    await saveDocumentWithChunks(db, makeDoc('b', { hash: 'hash-b' }), b);
    // While "embedding": a:1 gets new text, a:2 a context sentence, document b is deleted.
    await replaceChunks(db, 'a', a.map((c) => (c.index === 1 ? { ...c, text: 'rewritten' } : c)), { unit: 'chars', size: 100, overlap: 0 });
    await setChunkContexts(db, [{ id: 'a:2', context: 'About part two.', model: 'llm' }]);
    await deleteDocument(db, 'b');
    const entries = [...a, ...b].map((chunk, i) => ({ chunk, vector: vec(4, i) }));
    const stored = await putVectorsIfCurrent(db, 'm#1', 4, entries);
    expect(stored).toEqual(['a:0', 'a:3']);
    expect(await countVectors(db, 'm#1')).toBe(2);
    expect((await db.get('vectors', 'a:3'))?.vector).toEqual(vec(4, 3));

    // A chunk embedded with its current context sentence is current.
    const withContext = { ...a[2], context: 'About part two.' };
    expect(await putVectorsIfCurrent(db, 'm#1', 4, [{ chunk: withContext, vector: vec(4, 9) }])).toEqual(['a:2']);
  });

  it('refuses a vector of the wrong dimension, storing nothing', async () => {
    const db = await freshDb();
    const a = makeChunks('a', 2);
    await saveDocumentWithChunks(db, makeDoc('a'), a);
    await expect(putVectorsIfCurrent(db, 'm#1', 4, [{ chunk: a[0], vector: vec(4, 0) }, { chunk: a[1], vector: vec(3, 1) }])).rejects.toMatchObject({ code: 'bad-request' });
    expect(await countVectors(db, 'm#1')).toBe(0);
  });
});
