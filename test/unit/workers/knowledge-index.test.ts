// The knowledge worker's index: writes made while a rebuild reads the store are not lost when the
// rebuilt index is swapped in; vectors of another model or of deleted documents are not indexed; the
// embedder's dimension, once known, makes the index int8 (with a row store) and needs no second rebuild.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../../src/store/db';
import { saveDocumentWithChunks } from '../../../src/store/documents';
import { putVectors, vectorTag } from '../../../src/store/vectors';
import { MemoryRowStore } from '../../../src/retrieval/row-store';
import { KnowledgeIndex } from '../../../workers/knowledge-index';

let n = 0;
const dbName = () => `kindex-${process.pid}-${++n}-${Date.now()}`;
const chunk = (docId: string, index: number, text: string) => ({ id: `${docId}:${index}`, docId, index, text, start: 0, end: text.length, tokens: 5 });
const doc = (id: string) => ({ id, name: `${id}.md`, kind: 'md', size: 1, hash: `h-${id}`, chars: 1, chunkCount: 1, addedAt: 1, status: 'ready' as const, chunking: { unit: 'chars' as const, size: 100, overlap: 0 }, text: 'x' });
const unit = (dim: number, at: number) => Float32Array.from({ length: dim }, (_, i) => (i === at ? 1 : 0));

describe('KnowledgeIndex', () => {
  it('keeps writes made during a rebuild', async () => {
    const name = dbName();
    const db = await openDb(name);
    await saveDocumentWithChunks(db, doc('a'), [chunk('a', 0, 'alpha apples')]);
    const index = new KnowledgeIndex(() => openDb(name), { rows: async () => null });
    await index.ensure('m');
    const rebuild = index.ensure('m', true);
    // Not in the store: only the write itself can put it in the rebuilt index.
    index.addDocument({ id: 'b', name: 'b.md' }, [chunk('b', 0, 'bravo bananas')]);
    index.removeDocument('a');
    await rebuild;
    expect(index.stats()).toMatchObject({ docs: 1, chunks: 1 });
    expect(index.rank('bananas', null, 3, false, true).map((h) => h.id)).toEqual(['b:0']);
    expect(index.rank('apples', null, 3, false, true)).toEqual([]);
  });

  it('indexes vectors only for the model it holds and for indexed documents', async () => {
    const name = dbName();
    const index = new KnowledgeIndex(() => openDb(name), { rows: async () => null });
    await index.ensure('m', false, 4);
    index.addDocument({ id: 'a', name: 'a.md' }, [chunk('a', 0, 'alpha'), chunk('a', 1, 'beta')]);
    const two = new Float32Array([...unit(4, 0), ...unit(4, 1)]);
    expect(index.addVectors('other-model', [{ id: 'a:0', docId: 'a' }, { id: 'a:1', docId: 'a' }], two, 4)).toBe(0);
    expect(index.addVectors('m', [{ id: 'a:0', docId: 'a' }, { id: 'gone:0', docId: 'gone' }], two, 4)).toBe(1);
    expect(index.stats()).toMatchObject({ chunks: 2, vectors: 1, missing: 1, embeddedSinceStart: 1 });
  });

  it('learns the dimension from stored vectors and holds them as int8 with the given rows; the embedder then needs no rebuild', async () => {
    const name = dbName();
    const db = await openDb(name);
    await saveDocumentWithChunks(db, doc('a'), [chunk('a', 0, 'alpha'), chunk('a', 1, 'beta')]);
    await putVectors(db, vectorTag('m'), 16, [{ id: 'a:0', docId: 'a', vector: unit(16, 0) }, { id: 'a:1', docId: 'a', vector: unit(16, 1) }]);
    const opened: number[] = [];
    const index = new KnowledgeIndex(() => openDb(name), { rows: async (dim) => (opened.push(dim), new MemoryRowStore(dim)) });
    await index.ensure('m');
    expect(index.stats()).toMatchObject({ vectors: 2, dim: 16, precision: 'int8', exactRows: 'memory' });
    expect(index.ensure('m', false, 16)).toBe(index.ensure('m'));
    expect(opened).toEqual([16]);
    const q = unit(16, 1);
    expect(index.rank('', q, 1, true, false)[0].id).toBe('a:1');
  });

  it('stays float32 where no row store can be opened', async () => {
    const name = dbName();
    const index = new KnowledgeIndex(() => openDb(name), { rows: async () => null });
    await index.ensure('m', false, 8);
    index.addDocument({ id: 'a', name: 'a.md' }, [chunk('a', 0, 'alpha')]);
    index.addVectors('m', [{ id: 'a:0', docId: 'a' }], unit(8, 3), 8);
    expect(index.stats()).toMatchObject({ precision: 'f32', exactRows: null, vectors: 1 });
  });
});
