// KnowledgeState on the real knowledge handler: writes answer with the index stats, a lane's search
// loads what its settings need (after a "reload" too), and a part that cannot load fails with a
// specific error — or, when the user chose to go on, runs without it and says why.

import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/protocol/errors';
import { DEFAULT_CHUNKING } from '../../../src/chunking/chunk';
import { EMBED, checkFixtures, freshDbName, knowledgeState, prefs, utf8 } from './harness';

beforeAll(checkFixtures);

const HANDBOOK = '# Leave\n\nNew employees get fifteen days of paid annual leave.\n\n# Expenses\n\nTaxi receipts above 200 yuan need the approval of your manager.';
const IT = '# IT security\n\nVPN passwords must be changed every ninety days.';
const both = { k: 3, bm25: true, dense: true, rerank: false };

async function library(dbName: string) {
  const { state, workers } = knowledgeState(dbName, prefs());
  await state.openIndex();
  await state.loadEmbedder();
  await state.ingest({ name: 'handbook.md', bytes: utf8(HANDBOOK), maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
  await state.ingest({ name: 'it.md', bytes: utf8(IT), maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
  return Object.assign(state, { workers });
}

describe('KnowledgeState', () => {
  it('every write answers with the index stats', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    expect(k.index).toMatchObject({ docs: 2, chunks: 3, vectors: 3, missing: 0, embedModel: EMBED });
    await k.deleteDocs('all');
    expect(k.index).toMatchObject({ docs: 0, chunks: 0 });
  });

  it('a lane search says it ran BM25 + dense, and after a reload runs the same and finds the same chunks', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    const before = await (await k.laneDeps(both)).search('How many days of annual leave?');
    expect(before.ran).toMatchObject({ bm25: true, dense: true, rerank: false, embedder: EMBED, vectors: 3, chunks: 3 });
    expect(before.fallbacks).toEqual([]);

    // A new page: nothing loaded, the index is rebuilt from IndexedDB without the model.
    const { state: after } = knowledgeState(name, prefs());
    await after.openIndex();
    expect(after.embedder.phase).toBe('idle');
    const again = await (await after.laneDeps(both)).search('How many days of annual leave?');
    expect(after.embedder.phase).toBe('ready');
    expect(again.ran).toEqual(before.ran);
    expect(again.hits.map((h) => h.chunkId)).toEqual(before.hits.map((h) => h.chunkId));
    expect(again.hits[0].text).toContain('fifteen days');
    expect(after.index?.embeddedSinceStart).toBe(0);
  });

  it('an embedder that cannot load fails the lane with a specific error naming it', async () => {
    const { name } = freshDbName();
    await library(name);
    const { state } = knowledgeState(name, prefs({ embedderId: 'nowhere/missing-embedder' }));
    await state.openIndex();
    const e = await state.laneDeps(both).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('embedder-unavailable');
    expect((e as AppError).message).toContain('nowhere/missing-embedder');
    expect(state.embedder.phase).toBe('error');
  });

  it('when the user chooses to go on, it runs BM25 only and records why', async () => {
    const { name } = freshDbName();
    await library(name);
    const { state } = knowledgeState(name, prefs({ embedderId: 'nowhere/missing-embedder' }));
    const r = await (await state.laneDeps(both, { degrade: true })).search('taxi receipts');
    expect(r.ran).toMatchObject({ bm25: true, dense: false, embedder: null });
    expect(r.fallbacks).toHaveLength(1);
    expect(r.fallbacks[0]).toMatchObject({ part: 'dense', code: 'embedder-failed', detail: { model: 'nowhere/missing-embedder' } });
    expect(r.hits[0].text).toContain('Taxi receipts');
  });

  it('dense search with BM25 off and no embedder cannot run at all, even when degrading', async () => {
    const { name } = freshDbName();
    await library(name);
    const { state } = knowledgeState(name, prefs({ embedderId: 'nowhere/missing-embedder' }));
    const e = await (await state.laneDeps({ ...both, bm25: false }, { degrade: true })).search('taxi').then(
      () => null,
      (x: unknown) => x,
    );
    expect((e as AppError).code).toBe('dense-unavailable');
  });

  it('reranking that cannot load fails with rerank-unavailable (no reranker in the fixtures)', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    const e = await k.laneDeps({ ...both, rerank: true }).then(
      () => null,
      (x: unknown) => x,
    );
    expect((e as AppError).code).toBe('rerank-unavailable');
    const r = await (await k.laneDeps({ ...both, rerank: true }, { degrade: true })).search('VPN passwords');
    expect(r.ran).toMatchObject({ bm25: true, dense: true, rerank: false });
    expect(r.fallbacks.map((f) => f.code)).toEqual(['reranker-failed']);
  });

  it('a crashed worker loses its embedder; the next lane loads it again', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    k.workers.at(-1)!.crash('out of memory');
    expect(k.embedder.phase).toBe('error');
    const r = await (await k.laneDeps(both)).search('VPN passwords');
    expect(r.ran.dense).toBe(true);
    expect(k.embedder.phase).toBe('ready');
  });

  it('clear-all goes through the worker and empties the index', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    await k.clearAll();
    expect(k.index).toMatchObject({ docs: 0, chunks: 0, vectors: 0 });
    const { state: fresh } = knowledgeState(name, prefs());
    expect((await fresh.openIndex()).docs).toBe(0);
  });
});
