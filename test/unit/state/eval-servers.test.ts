// Evaluation runs on a model served by a real OpenAI-compatible server process (llama.cpp through
// node-llama-cpp with the canned-reply GGUF), through the real LLM and knowledge worker handlers:
// 4 answers at once give the same results as 1 at a time (stored, read in test-set order); the judge
// can be a server model and is named with its grades; a run resumes after a reload; a stream cut
// mid-answer is kept and marked incomplete; the server's API key reaches no export.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalConfig, EvalItemResult } from '../../../src/eval/runner';
import { bundleToJson, makeBundle } from '../../../src/export/bundle';
import { resultRows } from '../../../src/export/results';
import { loadRunSummary } from '../../../src/eval/summary';
import { LabState } from '../../../src/state/lab.svelte';
import { LibraryState } from '../../../src/state/library.svelte';
import { EvalRunsState } from '../../../src/state/eval/runs.svelte';
import { TestSetsState } from '../../../src/state/eval/test-sets.svelte';
import { ServersState } from '../../../src/state/servers.svelte';
import type { LabDb, TestItem } from '../../../src/store/db';
import { evalItemsFor, listEvalRuns } from '../../../src/store/runs';
import { exportWorkspace } from '../../../src/store/workspace';
import { eventually, startTestServer, type TestServer } from '../server/test-server';
import { checkFixtures, freshDbName, knowledgeState, llmState, prefs } from './harness';
import { memoryStorage } from '../memory-storage';

const REPLY = '[GGUF test fixture] 这是离线测试模型的固定回答 (canned reply).';
const MODEL = 'qwen2-canned-reply';
const KEY = 'sk-eval-secret-4242';
const HANDBOOK = '# Leave\n\nNew employees get fifteen days of paid annual leave.\n\n# Expenses\n\nTaxi receipts above 200 yuan need the approval of your manager.';
const ITEMS: TestItem[] = [
  { id: 'q1', question: 'How many days of annual leave do new employees get?', answer: 'Fifteen days.', goldPassages: ['New employees get fifteen days of paid annual leave.'], tags: [] },
  { id: 'q2', question: 'Who approves taxi receipts above 200 yuan?', answer: 'The manager.', goldPassages: ['Taxi receipts above 200 yuan need the approval of your manager.'], tags: [] },
  { id: 'q10', question: 'When must VPN passwords change?', answer: '', goldPassages: [], tags: [] },
  { id: 'q3', question: 'Is there a canteen?', answer: 'Yes.', goldPassages: [], tags: [] },
];

let srv: TestServer;
beforeAll(async () => {
  checkFixtures();
  srv = await startTestServer(['--api-key', KEY]);
  await srv.ready(60_000);
}, 90_000);
afterAll(() => srv?.stop());

/** One page load: the states the Evaluate screen uses, with the server source over `storage` (its localStorage). */
function page(name: string, db: () => Promise<LabDb>, storage: Storage) {
  const p = prefs();
  const { state: knowledge } = knowledgeState(name, p);
  const { state: llm, models } = llmState(p);
  const servers = new ServersState({ storage, fetch, pageOrigin: null, policy: { allows: () => true, reload: async () => undefined }, forget: (keys) => keys.forEach((k) => void llm.unload(k)) });
  models.addSource(servers);
  const library = new LibraryState(knowledge, db, (id) => (p.embedderId = id));
  const lab = new LabState({ llm, models, knowledge, db, prefs: p, err: (e) => String(e) });
  const sets = new TestSetsState(db, () => 'Untitled');
  const runs = new EvalRunsState({ db, llm, models, knowledge, sets, lab, prefs: p, err: (e) => (e instanceof Error ? e.message : String(e)), otherModel: (m) => `other ${m}`, onStopped: async () => undefined });
  return { knowledge, llm, models, servers, library, lab, sets, runs };
}

/** A library, a test set, and the server added with its key and allowed (as the user does once). */
async function setUp() {
  const { name, db } = freshDbName();
  const storage = memoryStorage();
  const first = page(name, db, storage);
  await first.library.init();
  first.library.add([{ name: 'handbook.md', file: new File([HANDBOOK], 'handbook.md') }]);
  await expect.poll(() => first.library.busy, { timeout: 20_000 }).toBe(false);
  await first.sets.create('HR', ITEMS);
  const id = (await first.servers.add(srv.url, KEY))!;
  const key = `server:${id}|${MODEL}`;
  const allowed = first.servers.plan(key);
  await expect.poll(() => first.servers.consentRequest?.id).toBe(id);
  first.servers.answerConsent(true);
  await allowed;
  return { name, db, storage, key };
}

async function freshPage(name: string, db: () => Promise<LabDb>, storage: Storage, key: string) {
  const pg = page(name, db, storage);
  await pg.sets.refresh();
  await pg.lab.init();
  pg.runs.methods = ['plain', 'rag'];
  pg.runs.models = [key];
  return pg;
}

const stored = async (db: LabDb, runId: string) => (await evalItemsFor(db, runId)).map((r) => r.result as EvalItemResult);

/** What must not depend on how many answers ran at once: everything but timings and dates. */
function content(r: EvalItemResult) {
  const { ttftMs: _t, totalMs: _m, tps: _s, retrievalMs: _r, ...scores } = r.scores;
  return { item: r.itemId, method: r.method, answer: r.answer, stopped: r.stopped, messages: r.messages, contextIds: r.contextIds, hits: r.hits.map((h) => h.chunkId), scores, promptTokens: r.usage.promptTokens, outputTokens: r.usage.outputTokens, model: r.ran?.llm.model, engine: r.ran?.llm.engine };
}

describe('evaluation on a server model', () => {
  it('4 at once equals 1 at a time, read in test-set order; the run records its model, key and parallel requests', async () => {
    const { name, db, storage, key } = await setUp();
    const pg = await freshPage(name, db, storage, key);
    expect(pg.runs.parallelDefault).toBe(4); // every model of the run is on a server
    pg.runs.parallel = 1;
    await srv.reset();
    await pg.runs.start();
    expect(pg.runs.runError).toBeNull();
    const sequentialMax = (await srv.stats()).maxInFlight;

    pg.runs.parallel = 4;
    await srv.reset();
    await pg.runs.start();
    expect(pg.runs.runError).toBeNull();
    const parallelMax = (await srv.stats()).maxInFlight;
    expect(sequentialMax).toBe(1);
    expect(parallelMax).toBeGreaterThanOrEqual(2);
    expect(parallelMax).toBeLessThanOrEqual(4);

    const [par, seq] = await listEvalRuns(await db()); // newest first
    expect((seq.config as EvalConfig).parallel).toBe(1);
    const config = par.config as EvalConfig;
    expect(config).toMatchObject({ parallel: 4, modelKey: key, model: { model: MODEL, engine: 'openai-compatible', device: 'server' } });
    const a = await stored(await db(), seq.id);
    const b = await stored(await db(), par.id);
    expect(b).toHaveLength(ITEMS.length * 2);
    const byKey = (rs: EvalItemResult[]) => rs.map(content).sort((x, y) => `${x.item}/${x.method}`.localeCompare(`${y.item}/${y.method}`));
    expect(byKey(b)).toEqual(byKey(a));
    for (const r of b) expect(r.answer).toBe(REPLY);
    // The results table and the exports read in test-set order (q10 between q2 and q3, not sorted by id).
    expect(resultRows(par.id, config, b).map((r) => `${r.item_id}/${r.method}`)).toEqual(ITEMS.flatMap((it) => [`${it.id}/plain`, `${it.id}/rag`]));
    const summary = await loadRunSummary(await db(), par);
    expect(summary?.summary.arms.map((x) => [x.model, x.items])).toEqual([[MODEL, ITEMS.length], [MODEL, ITEMS.length]]);

    // The key was sent to the server and is in no export.
    expect((await srv.lastRequest())?.authorization).toBe(true);
    const ws = JSON.stringify(await exportWorkspace(await db(), { includeVectors: false }));
    expect(ws).toContain(MODEL);
    expect(ws).not.toContain(KEY);
    expect(bundleToJson(makeBundle(par, config, b, summary!.summary))).not.toContain(KEY);
  });

  it('the judge can be a server model: chosen by key, stored with the run, named with each grade', async () => {
    const { name, db, storage, key } = await setUp();
    const pg = await freshPage(name, db, storage, key);
    pg.runs.methods = ['plain'];
    pg.runs.judge = true;
    pg.runs.judgeModel = key;
    await pg.runs.start();
    expect(pg.runs.runError).toBeNull();
    const [run] = await listEvalRuns(await db());
    expect((run.config as EvalConfig).judgeModel).toBe(key);
    const host = new URL(srv.url).host;
    for (const r of await stored(await db(), run.id)) {
      expect(r.judge?.model).toBe(`${MODEL} · openai-compatible · ${host}`);
      expect(r.judge?.raw).toBe(REPLY); // the fixture's fixed reply: unreadable as grades, kept as written
      expect(r.judge?.grades).toBeNull();
    }
  });

  it('4 at once resumes after a reload: finished answers are kept, the rest run', async () => {
    const { name, db, storage, key } = await setUp();
    const first = await freshPage(name, db, storage, key);
    first.runs.parallel = 4;
    await srv.behaviour({ delayMs: 40 });
    const started = first.runs.start();
    await expect.poll(() => first.runs.progress?.done ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    first.runs.cancel();
    await started;
    await srv.behaviour({ delayMs: 0 });
    const [run] = await listEvalRuns(await db());
    expect(run.status).toBe('cancelled');
    const before = await stored(await db(), run.id);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(ITEMS.length * 2);
    await eventually(async () => (await srv.stats()).inFlight === 0);

    const reloaded = await freshPage(name, db, storage, key);
    await reloaded.runs.refresh();
    expect(reloaded.runs.unfinished.map((u) => u.run.id)).toEqual([run.id]);
    await reloaded.runs.resume(run.id);
    expect(reloaded.runs.runError).toBeNull();
    const after = await stored(await db(), run.id);
    expect(after).toHaveLength(ITEMS.length * 2);
    for (const x of before) expect(after.find((y) => y.itemId === x.itemId && y.method === x.method)?.finishedAt).toBe(x.finishedAt);
  });

  it('a stream cut mid-answer: the partial answer is stored, marked incomplete with the reason, and listed', async () => {
    const { name, db, storage, key } = await setUp();
    const pg = await freshPage(name, db, storage, key);
    pg.runs.methods = ['plain'];
    await srv.behaviour({ cutAfter: 3 });
    await pg.runs.start();
    await srv.behaviour({ cutAfter: null });
    expect(pg.runs.runError).toBeNull();
    const [run] = await listEvalRuns(await db());
    const rs = await stored(await db(), run.id);
    expect(rs).toHaveLength(ITEMS.length);
    for (const r of rs) {
      expect(r.stopped).toBe('incomplete');
      expect(r.incomplete?.code).toBe('server-stream-cut');
      expect(r.answer.length).toBeGreaterThan(0);
      expect(REPLY.startsWith(r.answer) && r.answer.length < REPLY.length).toBe(true);
    }
    expect(pg.runs.incomplete.map((x) => x.itemId)).toEqual(expect.arrayContaining(ITEMS.map((it) => it.id)));
    expect(pg.runs.incomplete[0].message).toContain('incomplete');
  });
});
