// Context sentences on chunk records (stored with the model that wrote them; their stale vectors go
// in the same transaction) and the vector tag that keeps vectors of another indexed-text format apart.
import { describe, expect, it } from 'vitest';
import { freshDb, makeChunks, makeDoc, vec } from './helpers';
import { getChunks, saveDocumentWithChunks, setChunkContexts } from '../../../src/store/documents';
import { countVectors, missingVectors, parseVectorTag, putVectors, vectorTag } from '../../../src/store/vectors';
import { INDEXED_TEXT_FORMAT } from '../../../src/retrieval/contextual';

describe('setChunkContexts', () => {
  it('stores the sentence with its model, drops only those chunks\u2019 vectors, skips unknown ids, removes with null', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('d'), makeChunks('d', 3));
    const tag = vectorTag('m');
    await putVectors(db, tag, 2, makeChunks('d', 3).map((c, i) => ({ id: c.id, docId: 'd', vector: vec(2, i) })));
    const updated = await setChunkContexts(db, [
      { id: 'd:1', context: '  Situates chunk one in d.  ', model: 'writer' },
      { id: 'gone:0', context: 'No such chunk.', model: 'writer' },
    ]);
    expect(updated.map((c) => c.id)).toEqual(['d:1']);
    const chunks = await getChunks(db, 'd');
    expect(chunks[1]).toMatchObject({ context: 'Situates chunk one in d.', contextModel: 'writer' });
    expect(chunks[0].context).toBeUndefined();
    expect(await missingVectors(db, tag)).toEqual(['d:1']);
    expect(await countVectors(db, tag)).toBe(2);

    await setChunkContexts(db, [{ id: 'd:1', context: null }]);
    const after = (await getChunks(db, 'd'))[1];
    expect(after).not.toHaveProperty('context');
    expect(after).not.toHaveProperty('contextModel');
  });

  it('refuses a sentence without its model and writes nothing', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('d'), makeChunks('d', 2));
    await expect(setChunkContexts(db, [{ id: 'd:0', context: 'ok', model: 'w' }, { id: 'd:1', context: 'unsigned' }])).rejects.toMatchObject({ code: 'bad-request' });
    expect((await getChunks(db, 'd')).map((c) => c.context)).toEqual([undefined, undefined]);
  });
});

describe('vectorTag', () => {
  it('tags vectors with the embedder and the indexed-text format, and reads untagged ones as the old format', () => {
    expect(vectorTag('Xenova/bge-small-zh-v1.5')).toBe(`Xenova/bge-small-zh-v1.5#${INDEXED_TEXT_FORMAT}`);
    expect(parseVectorTag(vectorTag('Xenova/e5'))).toEqual({ embedder: 'Xenova/e5', format: INDEXED_TEXT_FORMAT });
    expect(parseVectorTag('Xenova/e5')).toEqual({ embedder: 'Xenova/e5', format: null });
  });

  it('vectors stored under the bare embedder id are missing for the tagged one', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('d'), makeChunks('d', 2));
    await putVectors(db, 'm', 2, [{ id: 'd:0', docId: 'd', vector: vec(2, 0) }]);
    await putVectors(db, vectorTag('m'), 2, [{ id: 'd:1', docId: 'd', vector: vec(2, 1) }]);
    expect(await missingVectors(db, vectorTag('m'))).toEqual(['d:0']);
  });
});
