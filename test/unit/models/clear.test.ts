// clearAll empties every store in one transaction and leaves the database usable.

import { describe, expect, it } from 'vitest';
import { freshDb, makeDoc } from '../store/helpers';
import { STORE_NAMES } from '../../../src/store/db';
import { clearAll } from '../../../src/store/clear';
import { saveDocumentWithChunks, listDocuments } from '../../../src/store/documents';

describe('clearAll', () => {
  it('deletes every record of every store', async () => {
    const db = await freshDb();
    await saveDocumentWithChunks(db, makeDoc('a'), [{ id: 'a:0', docId: 'a', index: 0, text: 'x', start: 0, end: 1, tokens: 1 }]);
    await db.put('vectors', { id: 'a:0', docId: 'a', model: 'm', dim: 2, vector: new Float32Array([1, 0]) });
    await db.put('settings', { size: 500 }, 'chunking');
    await db.put('examples', { id: 'e', question: 'q', answer: 'a', createdAt: 1 });
    await db.put('evalItems', { evalRunId: 'r', itemId: 'i', method: 'rag', arm: 'rag', result: 1 });
    const before = await Promise.all(STORE_NAMES.map((n) => db.count(n)));
    expect(before.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(7);

    await clearAll(db);
    expect(await Promise.all(STORE_NAMES.map((n) => db.count(n)))).toEqual(STORE_NAMES.map(() => 0));
    expect(await listDocuments(db)).toEqual([]);
    // Still usable afterwards.
    await saveDocumentWithChunks(db, makeDoc('b'), []);
    expect((await listDocuments(db)).map((d) => d.id)).toEqual(['b']);
  });
});
