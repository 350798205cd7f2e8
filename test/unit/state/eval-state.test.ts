// The evaluation states on the real handlers: a run started after a "reload" and one resumed across
// a reload run the configured retrieval (BM25 + dense) for every item and record it; an embedder that
// cannot load stops the run with a specific error, and the user's choice to go on is recorded per item.

import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/protocol/errors';
import type { EvalItemResult } from '../../../src/eval/runner';
import { retrievalDiffers } from '../../../src/lab/ran';
import { LabState } from '../../../src/state/lab.svelte';
import { LibraryState } from '../../../src/state/library.svelte';
import { EvalRunsState } from '../../../src/state/eval/runs.svelte';
import { TestSetsState } from '../../../src/state/eval/test-sets.svelte';
import type { LabDb, TestItem } from '../../../src/store/db';
import { evalItemsFor, listEvalRuns } from '../../../src/store/runs';
import { EMBED, checkFixtures, freshDbName, knowledgeState, llmState, prefs, type Prefs } from './harness';

beforeAll(checkFixtures);

const HANDBOOK = '# Leave\n\nNew employees get fifteen days of paid annual leave.\n\n# Expenses\n\nTaxi receipts above 200 yuan need the approval of your manager.';
const ITEMS: TestItem[] = [
  { id: 'q1', question: 'How many days of annual leave do new employees get?', answer: 'Fifteen days.', goldPassages: ['New employees get fifteen days of paid annual leave.'], tags: [] },
  { id: 'q2', question: 'Who approves taxi receipts above 200 yuan?', answer: 'The manager.', goldPassages: ['Taxi receipts above 200 yuan need the approval of your manager.'], tags: [] },
  { id: 'q3', question: 'When must VPN passwords change?', answer: '', goldPassages: [], tags: [] },
];

function page(name: string, db: () => Promise<LabDb>, p: Prefs = prefs()) {
  const { state: knowledge } = knowledgeState(name, p);
  const { state: llm, models } = llmState(p);
  const library = new LibraryState(knowledge, db, (id) => (p.embedderId = id));
  const lab = new LabState({ llm, models, knowledge, db, prefs: p, err: (e) => String(e) });
  const sets = new TestSetsState(db, () => 'Untitled');
  const stopped: string[] = [];
  const runs = new EvalRunsState({ db, llm, models, knowledge, sets, lab, prefs: p, err: (e) => (e instanceof Error ? e.message : String(e)), otherModel: (m) => `other ${m}`, onStopped: async (id) => void stopped.push(id) });
  runs.methods = ['plain', 'rag'];
  return { knowledge, llm, library, lab, sets, runs, stopped };
}

async function withLibrary(name: string, db: () => Promise<LabDb>) {
  const first = page(name, db);
  await first.library.init();
  first.library.add([{ name: 'handbook.md', file: new File([HANDBOOK], 'handbook.md') }]);
  await expect.poll(() => first.library.busy, { timeout: 20_000 }).toBe(false);
  await first.sets.create('HR', ITEMS);
  return first;
}

const results = async (db: LabDb, runId: string) => (await evalItemsFor(db, runId)).map((r) => r.result as EvalItemResult);

describe('evaluation runs', () => {
  it('a run started after a reload runs BM25 + dense for every RAG item and records what ran', async () => {
    const { name, db } = freshDbName();
    await withLibrary(name, db);
    const reloaded = page(name, db);
    await reloaded.sets.refresh();
    await reloaded.lab.init();
    await reloaded.runs.start();
    expect(reloaded.runs.runError).toBeNull();
    const [run] = await listEvalRuns(await db());
    expect(run.status).toBe('done');
    const stored = await results(await db(), run.id);
    expect(stored).toHaveLength(6);
    for (const r of stored.filter((x) => x.method === 'rag')) {
      expect(r.ran?.retrieval).toMatchObject({ bm25: true, dense: true, embedder: EMBED });
      expect(retrievalDiffers({ bm25: true, dense: true, rerank: false }, EMBED, r.ran!.retrieval)).toBe(false);
    }
    for (const r of stored.filter((x) => x.method === 'plain')) expect(r.ran?.retrieval).toBeNull();
    expect(reloaded.stopped).toEqual([run.id]);
  });

  it('a run resumed across a reload keeps finished items and runs the rest with the same retrieval', async () => {
    const { name, db } = freshDbName();
    const first = await withLibrary(name, db);
    const started = first.runs.start();
    await expect.poll(() => first.runs.progress?.done ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    first.runs.cancel();
    await started;
    const [run] = await listEvalRuns(await db());
    expect(run.status).toBe('cancelled');
    const before = await results(await db(), run.id);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(6);

    const reloaded = page(name, db);
    await reloaded.runs.refresh();
    expect(reloaded.runs.unfinished.map((u) => u.run.id)).toEqual([run.id]);
    await reloaded.runs.resume(run.id);
    const after = await results(await db(), run.id);
    expect(after).toHaveLength(6);
    // What finished before the reload was not run again.
    for (const b of before) expect(after.find((a) => a.itemId === b.itemId && a.method === b.method)?.finishedAt).toBe(b.finishedAt);
    for (const r of after.filter((x) => x.method === 'rag')) expect(r.ran?.retrieval).toMatchObject({ bm25: true, dense: true, embedder: EMBED });
  });

  it('an embedder that cannot load stops the run by name; going on records BM25 only on every RAG item', async () => {
    const { name, db } = freshDbName();
    await withLibrary(name, db);
    const broken = page(name, db, prefs({ embedderId: 'nowhere/missing-embedder' }));
    await broken.sets.refresh();
    broken.runs.methods = ['rag'];
    await broken.runs.start();
    expect((broken.runs.runError as AppError).code).toBe('embedder-unavailable');
    expect((broken.runs.runError as AppError).message).toContain('nowhere/missing-embedder');

    await broken.runs.start({ degrade: true });
    expect(broken.runs.runError).toBeNull();
    const runs = await listEvalRuns(await db());
    const done = runs.find((r) => r.status === 'done')!;
    expect((done.config as { degrade?: boolean }).degrade).toBe(true);
    const stored = await results(await db(), done.id);
    expect(stored).toHaveLength(3);
    for (const r of stored) {
      expect(r.ran?.retrieval).toMatchObject({ bm25: true, dense: false });
      expect(r.ran?.fallbacks.map((f) => f.code)).toEqual(['embedder-failed']);
      expect(retrievalDiffers({ bm25: true, dense: true, rerank: false }, 'nowhere/missing-embedder', r.ran!.retrieval)).toBe(true);
    }
  });
});
