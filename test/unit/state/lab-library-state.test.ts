// LibraryState and LabState on the real handlers (echo LLM, lexical embedder, fake-indexeddb): files
// go in through the worker, lanes record what ran, a lane whose embedder cannot load fails with a
// specific error and, on the user's say-so, runs BM25 only and says why; saved runs keep it all.

import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/protocol/errors';
import { LabState } from '../../../src/state/lab.svelte';
import { LibraryState } from '../../../src/state/library.svelte';
import { getRun } from '../../../src/store/runs';
import { ECHO, EMBED, checkFixtures, freshDbName, knowledgeState, llmState, prefs, type Prefs } from './harness';

beforeAll(checkFixtures);

const HANDBOOK = '# Leave\n\nNew employees get fifteen days of paid annual leave.\n\n# Expenses\n\nTaxi receipts above 200 yuan need the approval of your manager.';
const file = (name: string, text: string) => ({ name, file: new File([text], name, { type: 'text/markdown' }) });

function page(name: string, db: () => Promise<import('../../../src/store/db').LabDb>, p: Prefs = prefs()) {
  const { state: knowledge } = knowledgeState(name, p);
  const { state: llm, models } = llmState(p);
  const library = new LibraryState(knowledge, db, (id) => (p.embedderId = id));
  const lab = new LabState({ llm, models, knowledge, db, prefs: p, err: (e) => (e instanceof Error ? e.message : String(e)) });
  return { knowledge, llm, library, lab };
}

async function settled(lab: LabState): Promise<void> {
  await expect.poll(() => lab.running, { timeout: 20_000 }).toBe(false);
  await expect.poll(() => lab.runId, { timeout: 5_000 }).not.toBeNull();
}

describe('LibraryState', () => {
  it('ingests through the worker: jobs finish, the list and the index stats follow without re-reading', async () => {
    const { name, db } = freshDbName();
    const { library, knowledge } = page(name, db);
    await library.init();
    const [key] = library.add([file('handbook.md', HANDBOOK)]);
    await expect.poll(() => library.jobs.find((j) => j.key === key)?.status, { timeout: 20_000 }).toBe('done');
    expect(library.docs.map((d) => d.name)).toEqual(['handbook.md']);
    expect(knowledge.index).toMatchObject({ docs: 1, chunks: 2 });
    // Vectors follow in the background run.
    await expect.poll(() => knowledge.index?.vectors, { timeout: 20_000 }).toBe(2);
    await expect.poll(() => library.embedding, { timeout: 20_000 }).toBeNull();
    expect(knowledge.index).toMatchObject({ docs: 1, chunks: 2, vectors: 2, missing: 0 });
    await library.remove(library.docs[0].id);
    expect(library.docs).toEqual([]);
    expect(knowledge.index).toMatchObject({ docs: 0, chunks: 0 });
  });

  it('a duplicate file fails on its own and keeps what is stored', async () => {
    const { name, db } = freshDbName();
    const { library, knowledge } = page(name, db);
    await library.init();
    library.add([file('a.md', HANDBOOK), file('b.md', HANDBOOK)]);
    await expect.poll(() => library.busy, { timeout: 20_000 }).toBe(false);
    expect(library.jobs.map((j) => j.status)).toEqual(['done', 'error']);
    expect((library.jobs[1].error as AppError).code).toBe('duplicate');
    expect(knowledge.index?.docs).toBe(1);
  });
});

describe('LabState', () => {
  it('every lane records what ran; a reloaded page runs the RAG lane the same way', async () => {
    const { name, db } = freshDbName();
    const first = page(name, db);
    await first.library.init();
    first.library.add([file('handbook.md', HANDBOOK)]);
    await expect.poll(() => first.library.busy, { timeout: 20_000 }).toBe(false);
    await first.lab.init();
    first.lab.question = 'How many days of annual leave do new employees get?';
    first.lab.runAll();
    await settled(first.lab);
    const rag = first.lab.lanes.find((l) => l.method === 'rag')!;
    const plain = first.lab.lanes.find((l) => l.method === 'plain')!;
    expect(rag.status).toBe('done');
    expect(rag.ran?.retrieval).toMatchObject({ bm25: true, dense: true, rerank: false, embedder: EMBED });
    expect(rag.ran?.llm).toMatchObject({ model: ECHO, engine: 'transformers.js', device: 'wasm' });
    expect(rag.ran?.fallbacks).toEqual([]);
    expect(plain.ran?.retrieval).toBeNull();
    expect(rag.output).toContain('fifteen days');
    const saved = await getRun(await db(), first.lab.runId!);
    expect((saved?.lanes as { method: string; ran: unknown }[]).find((l) => l.method === 'rag')?.ran).toEqual(rag.ran);

    // Reload: fresh workers, nothing loaded; the same question retrieves the same chunks by the same method.
    const again = page(name, db);
    await again.knowledge.openIndex();
    await again.lab.init();
    again.lab.question = first.lab.question;
    again.lab.runAll();
    await settled(again.lab);
    const rag2 = again.lab.lanes.find((l) => l.method === 'rag')!;
    expect(rag2.ran?.retrieval).toEqual(rag.ran?.retrieval);
    expect(rag2.hits.map((h) => h.chunkId)).toEqual(rag.hits.map((h) => h.chunkId));
  });

  it('an unreachable embedder fails the RAG lane by name; going on runs BM25 only and says why', async () => {
    const { name, db } = freshDbName();
    const first = page(name, db);
    await first.library.init();
    first.library.add([file('handbook.md', HANDBOOK)]);
    await expect.poll(() => first.library.busy, { timeout: 20_000 }).toBe(false);

    const broken = page(name, db, prefs({ embedderId: 'nowhere/missing-embedder' }));
    await broken.lab.init();
    broken.lab.question = 'Who approves taxi receipts?';
    broken.lab.runAll();
    await settled(broken.lab);
    const rag = broken.lab.lanes.find((l) => l.method === 'rag')!;
    expect(rag.status).toBe('error');
    expect((rag.error as AppError).code).toBe('embedder-unavailable');
    expect((rag.error as AppError).message).toContain('nowhere/missing-embedder');
    expect(broken.lab.lanes.find((l) => l.method === 'plain')!.status).toBe('done');

    broken.lab.runOne(rag.key, { degrade: true });
    await expect.poll(() => broken.lab.lanes.find((l) => l.key === rag.key)!.status, { timeout: 20_000 }).toBe('done');
    const ran = broken.lab.lanes.find((l) => l.key === rag.key)!.ran!;
    expect(ran.retrieval).toMatchObject({ bm25: true, dense: false });
    expect(ran.fallbacks).toEqual([expect.objectContaining({ part: 'dense', code: 'embedder-failed' })]);
  });
});
