// The RAG lanes with an extra model call (HyDE, multi-query, verified) through runLane, on the REAL
// knowledge and LLM handlers in-process (fixture embedder, echo model, fake-indexeddb). The echo model
// repeats the last user message, so with it: the HyDE "passage" is the HyDE prompt's question line, the
// rewrite reply is the question again (read as no rewrite: the fallback path), and the check's reply is
// its own prompt (unreadable: "not checked"). The parsing success paths script the step's reply at the
// `generate` boundary (`scripted` below) while retrieval, the answer and the lab/eval states stay real.

import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { EvalItemResult } from '../../../src/eval/runner';
import { runLane, type LaneConfig, type LaneDeps } from '../../../src/lab/run-lane';
import type { ChatMessage, GenParams, GenResult, SearchOptions } from '../../../src/protocol/messages';
import { EvalRunsState } from '../../../src/state/eval/runs.svelte';
import { TestSetsState } from '../../../src/state/eval/test-sets.svelte';
import { LabState } from '../../../src/state/lab.svelte';
import { HYDE_INSTRUCTION, HYDE_MAX_NEW_TOKENS } from '../../../src/strategies/hyde';
import { fuseQueryRankings, MULTI_QUERY_INSTRUCTION } from '../../../src/strategies/multi-query';
import { RAG_INSTRUCTION } from '../../../src/strategies/rag';
import { stepsCost } from '../../../src/strategies/steps';
import { VERIFY_INSTRUCTION, VERIFY_MAX_NEW_TOKENS } from '../../../src/strategies/verify';
import { openDb, type TestItem } from '../../../src/store/db';
import { getRun, evalItemsFor, listEvalRuns } from '../../../src/store/runs';
import { vectorsForModel, vectorTag } from '../../../src/store/vectors';
import { EMBED, checkFixtures, freshDbName, hosts, knowledgeState, llmState, prefs, utf8 } from './harness';

beforeAll(checkFixtures);
// Model loads and echoed prompts of a few hundred tokens: slow on a shared two-core machine.
vi.setConfig({ testTimeout: 120_000 });

const HANDBOOK = [
  '# Leave',
  'New employees get fifteen days of paid annual leave in their first year.',
  '# Expenses',
  'Taxi receipts above 200 yuan need the approval of your manager.',
  '# IT security',
  'VPN passwords must be changed every ninety days and contain at least twelve characters.',
].join('\n\n');
const CHUNKING = { unit: 'chars' as const, size: 120, overlap: 0 };
const Q = 'How many days of annual leave do new employees get?';

const cfg = (method: LaneConfig['method'], over: Partial<LaneConfig['retrieval']> = {}): LaneConfig => ({
  method,
  systemPrompt: 'You are a helpful assistant.',
  lang: 'en',
  params: { maxNewTokens: 400, temperature: 0, topP: 1 },
  retrieval: { k: 3, dense: true, bm25: true, rerank: false, budget: 1200, ...over },
  fewShot: { k: 0, similar: false },
  examples: [],
});

interface Sent {
  messages: ChatMessage[];
  params: GenParams;
}

/** A library with the handbook, the echo model, and lane deps on the page's wire (KnowledgeClient → real handler). */
async function build() {
  const { name, db } = freshDbName();
  const { state: knowledge, client } = knowledgeState(name, prefs());
  await knowledge.openIndex();
  await knowledge.loadEmbedder();
  await knowledge.ingest({ name: 'handbook.md', bytes: utf8(HANDBOOK), maxBytes: 1e6, chunking: CHUNKING });
  const { state: llm, models } = llmState(prefs());
  await llm.load();
  const sent: Sent[] = [];
  const real = (m: ChatMessage[], p: GenParams, onToken: (t: string) => void, signal?: AbortSignal): Promise<GenResult> => {
    sent.push({ messages: m, params: p });
    return llm.generate(m, p, onToken, signal);
  };
  const deps: LaneDeps = {
    // Search options reach the worker exactly as the lane set them (denseText included).
    retrieval: async (opts: SearchOptions) => ({ search: (q, signal) => client.search(q, opts, signal) }),
    embed: (texts, kind, signal) => knowledge.embed(texts, kind, signal),
    generate: real,
  };
  return { name, db, knowledge, client, llm, models, deps, sent, real };
}

type Setup = Awaited<ReturnType<typeof build>>;

let shared: Promise<Setup> | null = null;
/** One library and model for the whole file (the tests only read the library); the record of calls starts empty. */
async function setup(): Promise<Setup> {
  const s = await (shared ??= build());
  s.sent.length = 0;
  return s;
}

/** The step whose system prompt is `instruction` gets `reply` (usage made up, model as loaded); every other call goes to the echo model. */
function scripted(s: Setup, instruction: string, reply: string, stopped: 'eos' | 'length' = 'eos'): LaneDeps['generate'] {
  return async (m, p, onToken, signal) => {
    if (m[0]?.content !== instruction) return s.real(m, p, onToken, signal);
    s.sent.push({ messages: m, params: p });
    return { text: reply, usage: { promptTokens: 321, outputTokens: 45, ttftMs: 20, totalMs: 700, decodeTps: 60 }, stopped, model: s.llm.info! };
  };
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
};

describe('the search\'s dense text', () => {
  it('is embedded with its own kind\'s prefix, BM25 keeps the query, and an empty one is refused', async () => {
    const { name } = freshDbName();
    const { client } = knowledgeState(name, prefs());
    await client.openIndex();
    // The fixture with e5-style prefixes, so a passage and a query embedding of one text differ.
    await client.loadEmbedder({ id: EMBED, dtype: 'q8' }, hosts, 'wasm', { pooling: 'mean', normalize: true, queryPrefix: 'query: ', passagePrefix: 'passage: ' });
    await client.ingest({ name: 'handbook.md', bytes: utf8(HANDBOOK), maxBytes: 1e6, chunking: CHUNKING });
    const text = 'New employees receive fifteen days of paid annual leave.';
    const opts = { k: 3, bm25: true, dense: true, rerank: false };
    const stored = new Map<string, Float32Array>();
    for await (const batch of vectorsForModel(await openDb(name), vectorTag(EMBED))) for (const v of batch) stored.set(v.id, v.vector);
    for (const kind of ['passage', 'query'] as const) {
      const r = await client.search('VPN passwords', { ...opts, denseText: { text, kind } });
      expect(r.ran.denseText).toEqual({ kind, chars: text.length });
      const { vectors } = await client.embed([text], kind);
      for (const h of r.hits.filter((x) => x.dense)) expect(h.dense!.score).toBeCloseTo(cosine(vectors, stored.get(h.chunkId)!), 5);
      // BM25 ranked the query, not the dense text.
      expect(r.hits.find((h) => h.bm25?.rank === 1)?.text).toMatch(/VPN/);
      expect(r.terms).toContain('vpn');
    }
    const asPassage = await client.search('VPN passwords', { ...opts, denseText: { text, kind: 'passage' } });
    const asQuery = await client.search('VPN passwords', { ...opts, denseText: { text, kind: 'query' } });
    const top = asPassage.hits.find((h) => h.dense)!;
    expect(Math.abs(top.dense!.score - asQuery.hits.find((h) => h.chunkId === top.chunkId)!.dense!.score)).toBeGreaterThan(1e-3);
    expect((await client.search('VPN passwords', opts)).ran.denseText).toBeUndefined();
    await expect(client.search('VPN passwords', { ...opts, denseText: { text: '  ', kind: 'passage' } })).rejects.toMatchObject({ code: 'bad-request' });
  });
});

describe('RAG · HyDE', () => {
  it('dense search embeds the model\'s passage as a passage, BM25 keeps the question, and the call\'s cost is recorded', async () => {
    const s = await setup();
    const res = await runLane(Q, cfg('rag-hyde'), s.deps);
    const hyde = res.ran.steps?.hyde;
    // The echo model repeats the HyDE prompt's user line: that is the passage.
    expect(hyde).toMatchObject({ passage: `Question: ${Q}`, truncated: false, problem: null, usedForDense: true });
    expect(s.sent[0].messages[0].content).toBe(HYDE_INSTRUCTION.en);
    expect(s.sent[0].params).toEqual({ maxNewTokens: HYDE_MAX_NEW_TOKENS, temperature: 0, topP: 1 });
    expect(s.sent[1].messages[0].content).toContain(RAG_INSTRUCTION.en);
    expect(res.ran.retrieval).toMatchObject({ bm25: true, dense: true, embedder: EMBED, denseText: { kind: 'passage', chars: `Question: ${Q}`.length } });
    expect(res.ran.fallbacks).toEqual([]);
    expect(hyde!.call!.usage.promptTokens).toBeGreaterThan(0);
    expect(hyde!.call!.usage.outputTokens).toBeGreaterThan(0);
    expect(stepsCost(res.ran.steps)).toEqual({ calls: 1, promptTokens: hyde!.call!.usage.promptTokens, outputTokens: hyde!.call!.usage.outputTokens, totalMs: hyde!.call!.usage.totalMs });

    // Each dense score is the cosine of the passage's passage-embedding with the chunk's stored vector.
    const { vectors } = await s.knowledge.embed([hyde!.passage!], 'passage');
    const stored = new Map<string, Float32Array>();
    for await (const batch of vectorsForModel(await openDb(s.name), vectorTag(EMBED))) for (const v of batch) stored.set(v.id, v.vector);
    const withDense = res.hits.filter((h) => h.dense);
    expect(withDense.length).toBeGreaterThan(0);
    for (const h of withDense) expect(h.dense!.score).toBeCloseTo(cosine(vectors, stored.get(h.chunkId)!), 5);
    // The question's own query embedding gives other scores, and BM25 ranked the question.
    const { vectors: qv } = await s.knowledge.embed([Q], 'query');
    expect(Math.abs(cosine(qv, stored.get(withDense[0].chunkId)!) - withDense[0].dense!.score)).toBeGreaterThan(1e-3);
    const plain = await s.client.search(Q, { k: 3, bm25: true, dense: false, rerank: false });
    const bm25 = (r: typeof plain.hits) => r.filter((h) => h.bm25).map((h) => [h.chunkId, h.bm25!.rank]);
    expect(bm25(res.hits).sort()).toEqual(bm25(plain.hits).filter(([id]) => res.hits.some((h) => h.chunkId === id)).sort());
  });

  it('a refusal is not a passage: dense search embeds the question and the lane says why', async () => {
    const s = await setup();
    const res = await runLane(Q, cfg('rag-hyde'), { ...s.deps, generate: scripted(s, HYDE_INSTRUCTION.en, "I'm sorry, I cannot answer that.") });
    expect(res.ran.steps?.hyde).toMatchObject({ passage: null, problem: 'refusal', usedForDense: false });
    expect(res.ran.retrieval?.denseText).toBeUndefined();
    expect(res.ran.fallbacks).toEqual([{ part: 'hyde', code: 'hyde-unusable', reason: "The model's hypothetical passage was a refusal, so dense search embedded the question.", detail: { problem: 'refusal' } }]);
    expect(res.hits.map((h) => h.chunkId)).toEqual((await runLane(Q, cfg('rag'), s.deps)).hits.map((h) => h.chunkId));
  });

  it('with dense search off no passage is written, and the lane says it ran as RAG', async () => {
    const s = await setup();
    const res = await runLane(Q, cfg('rag-hyde', { dense: false }), s.deps);
    expect(s.sent).toHaveLength(1);
    expect(res.ran.steps?.hyde).toEqual({ call: null, passage: null, truncated: false, problem: null, usedForDense: false });
    expect(res.ran.fallbacks.map((f) => [f.part, f.code, f.detail])).toEqual([['hyde', 'hyde-no-dense', { written: 'no' }]]);
    expect(stepsCost(res.ran.steps).calls).toBe(0);
  });

  it('a search that drops the passage is caught: dense ran on the question, and the lane says so', async () => {
    const s = await setup();
    const dropping: LaneDeps = { ...s.deps, retrieval: async ({ denseText: _dropped, ...opts }) => s.deps.retrieval(opts) };
    const res = await runLane(Q, cfg('rag-hyde'), dropping);
    expect(res.ran.steps?.hyde).toMatchObject({ passage: `Question: ${Q}`, usedForDense: false });
    expect(res.ran.fallbacks.map((f) => f.code)).toEqual(['hyde-not-applied']);
  });
});

describe('RAG · multi-query', () => {
  it('an unreadable rewrite reply: the question is searched alone, and the record says why', async () => {
    const s = await setup();
    const res = await runLane(Q, cfg('rag-multi'), s.deps);
    const mq = res.ran.steps!.multiQuery!;
    expect(mq.call.reply).toBe(`Question: ${Q}`);
    expect(mq.queries).toEqual([]);
    expect(mq.problems).toEqual(['dropped a copy of the question', 'the model gave 0 usable queries of 3']);
    expect(res.ran.fallbacks).toEqual([
      { part: 'rewrite', code: 'rewrite-unread', reason: "No rewrite could be read from the model's reply (dropped a copy of the question; the model gave 0 usable queries of 3), so the question was searched alone." },
    ]);
    expect(mq.searches.map((x) => x.query)).toEqual([Q]);
    const rag = await runLane(Q, cfg('rag'), s.deps);
    expect(res.hits).toEqual(rag.hits);
    expect(mq.searches[0].hits.map((h) => h.chunkId)).toEqual(rag.hits.map((h) => h.chunkId));
    expect(mq.call.usage.outputTokens).toBeGreaterThan(0);
  });

  it('three rewrites are each searched with the lane\'s settings and fused by reciprocal rank', async () => {
    const s = await setup();
    const question = 'What should a new employee know?';
    const rewrites = ['annual leave days for new employees', 'taxi receipts approval manager', 'VPN password rules'];
    const res = await runLane(question, cfg('rag-multi'), { ...s.deps, generate: scripted(s, MULTI_QUERY_INSTRUCTION.en, `Here are three queries:\n1. ${rewrites[0]}\n2. ${rewrites[1]}\n3. "${rewrites[2]}"`) });
    const mq = res.ran.steps!.multiQuery!;
    expect(mq.queries).toEqual(rewrites);
    expect(mq.problems).toEqual([]);
    expect(res.ran.fallbacks).toEqual([]);
    expect(mq.searches.map((x) => x.query)).toEqual([question, ...rewrites]);
    // Each rewrite finds its own section first.
    const section = (text: string) => /New employees|Taxi|VPN/.exec(text)?.[0];
    expect(mq.searches.slice(1).map((x) => section(x.hits[0].text))).toEqual(['New employees', 'Taxi', 'VPN']);
    // The fused hits are the reciprocal-rank fusion of the four searches, as the same searches give them.
    const again = await Promise.all([question, ...rewrites].map((q) => s.client.search(q, { k: 3, bm25: true, dense: true, rerank: false })));
    expect(res.hits.map((h) => h.chunkId)).toEqual(fuseQueryRankings(again.map((r) => r.hits.map((h) => ({ id: h.chunkId }))), 3).map((f) => f.id));
    expect(res.hits.map((h) => h.rank)).toEqual([1, 2, 3]);
    expect(new Set(res.context.map((c) => section(c.text)))).toEqual(new Set(['New employees', 'Taxi', 'VPN']));
    expect(stepsCost(res.ran.steps)).toEqual({ calls: 1, promptTokens: 321, outputTokens: 45, totalMs: 700 });
  });

  it('fewer rewrites than asked: the question and those are searched, and the record says how many', async () => {
    const s = await setup();
    const res = await runLane(Q, cfg('rag-multi'), { ...s.deps, generate: scripted(s, MULTI_QUERY_INSTRUCTION.en, '1. paid leave first year\n2. paid leave first year') });
    expect(res.ran.steps!.multiQuery!.searches.map((x) => x.query)).toEqual([Q, 'paid leave first year']);
    expect(res.ran.fallbacks.map((f) => [f.code, f.detail])).toEqual([['rewrite-partial', { n: '1', of: '3' }]]);
  });
});

describe('RAG · verified', () => {
  it('an unreadable check: the answer stands and is marked not checked, never "all supported"', async () => {
    const s = await setup();
    const res = await runLane(Q, cfg('rag-verified'), s.deps);
    const v = res.ran.steps!.verify!;
    expect(s.sent.map((x) => x.messages[0].content.includes(RAG_INSTRUCTION.en) || x.messages[0].content === VERIFY_INSTRUCTION.en)).toEqual([true, true]);
    expect(s.sent[1].params.maxNewTokens).toBe(VERIFY_MAX_NEW_TOKENS);
    // The check reads the passages as the answer's prompt numbered them.
    expect(s.sent[1].messages[1].content).toContain(`[1] (handbook.md › ${res.context[0].headingPath!.join(' › ')}) ${res.context[0].text.trim()}`);
    expect(v.verification.ok).toBe(false);
    expect(v.summary.allSupported).toBe(false);
    expect(v.revised).toBe(false);
    expect(res.gen.text).toBe(v.draft);
    expect(v.draft).toContain('fifteen days');
    expect(res.ran.fallbacks).toEqual([{ part: 'verify', code: 'verify-unread', reason: "The check's reply could not be read, so the answer was not checked." }]);
  });

  it('a claim the passages do not support: the revision becomes the lane\'s answer, the draft is kept', async () => {
    const s = await setup();
    const check = JSON.stringify({
      claims: [
        { claim: 'New employees get fifteen days of annual leave.', verdict: 'supported', sources: [1] },
        { claim: 'Unused days are paid out.', verdict: 'unsupported', sources: [] },
        { claim: 'Leave needs approval.', verdict: 'supported', sources: [9] },
      ],
      revised: 'New employees get fifteen days of paid annual leave [1].',
    });
    const res = await runLane(Q, cfg('rag-verified'), { ...s.deps, generate: scripted(s, VERIFY_INSTRUCTION.en, `Sure:\n\`\`\`json\n${check}\n\`\`\``) });
    const v = res.ran.steps!.verify!;
    expect(v.summary).toEqual({ total: 3, supported: 2, unsupported: 1, contradicted: 0, allSupported: false });
    expect(v.verification.problems).toEqual([`passage number 9 does not exist (there are ${res.context.length})`]);
    expect(v.revised).toBe(true);
    expect(res.gen.text).toBe('New employees get fifteen days of paid annual leave [1].');
    expect(v.draft).toContain('Context:');
    expect(res.ran.fallbacks).toEqual([]);
    expect(stepsCost(res.ran.steps)).toEqual({ calls: 1, promptTokens: 321, outputTokens: 45, totalMs: 700 });
  });

  it('a check cut off at its token limit: its (maybe cut) revision is not used, and the lane says why', async () => {
    const s = await setup();
    const cut = 'Claim: New employees get fifteen days.\nVerdict: unsupported\nRevised answer: Staff get 25 da';
    const res = await runLane(Q, cfg('rag-verified'), { ...s.deps, generate: scripted(s, VERIFY_INSTRUCTION.en, cut, 'length') });
    const v = res.ran.steps!.verify!;
    expect(v.revised).toBe(false);
    expect(res.gen.text).toBe(v.draft);
    expect(res.ran.fallbacks).toEqual([{ part: 'verify', code: 'verify-truncated', reason: `The check's reply reached its limit of ${VERIFY_MAX_NEW_TOKENS} tokens, so its revision was not used.`, detail: { limit: String(VERIFY_MAX_NEW_TOKENS) } }]);
  });

  it('every claim supported: the answer stands as written', async () => {
    const s = await setup();
    const check = '{"claims": [{"claim": "Fifteen days.", "verdict": "supported", "sources": [1]}], "revised": "ignored when all are supported"}';
    const res = await runLane(Q, cfg('rag-verified'), { ...s.deps, generate: scripted(s, VERIFY_INSTRUCTION.en, check) });
    expect(res.ran.steps!.verify!.summary.allSupported).toBe(true);
    expect(res.ran.steps!.verify!.revised).toBe(false);
    expect(res.gen.text).toBe(res.ran.steps!.verify!.draft);
  });
});

describe('the Lab and evaluation keep the steps', () => {
  it('Lab lanes record their steps and a saved run keeps them', async () => {
    const s = await setup();
    const p = prefs();
    const lab = new LabState({ llm: s.llm, models: s.models, knowledge: s.knowledge, db: s.db, prefs: p, err: (e) => String(e) });
    await lab.init();
    lab.lanes = [];
    lab.addLane('rag-multi');
    lab.addLane('rag-verified');
    lab.question = Q;
    lab.runAll();
    await expect.poll(() => lab.running, { timeout: 110_000 }).toBe(false);
    await expect.poll(() => lab.runId, { timeout: 5_000 }).not.toBeNull();
    const [multi, verified] = lab.lanes;
    expect(multi.status).toBe('done');
    expect(multi.ran?.steps?.multiQuery?.queries).toEqual([]);
    expect(multi.ran?.fallbacks.map((f) => f.code)).toEqual(['rewrite-unread']);
    expect(verified.ran?.steps?.verify?.verification.ok).toBe(false);
    expect(verified.output).toBe(verified.ran?.steps?.verify?.draft);
    const saved = await getRun(await s.db(), lab.runId!);
    expect((saved?.lanes as { ran: unknown }[]).map((l) => l.ran)).toEqual([multi.ran, verified.ran]);
  });

  it('an evaluation item of a verified lane is scored on its final answer, and its cost counts the check', async () => {
    const s = await setup();
    const p = prefs();
    const sets = new TestSetsState(s.db, () => 'Untitled');
    const items: TestItem[] = [{ id: 'q1', question: Q, answer: 'Fifteen days.', goldPassages: ['New employees get fifteen days of paid annual leave in their first year.'], tags: [] }];
    await sets.create('HR', items);
    const check = '{"claims": [{"claim": "Context and question.", "verdict": "unsupported", "sources": []}], "revised": "Fifteen days [1]."}';
    const llm = { load: s.llm.load.bind(s.llm), generate: scripted(s, VERIFY_INSTRUCTION.en, check) };
    const lab = { settings: { systemPrompt: 'You are a helpful assistant.', params: { maxNewTokens: 400, temperature: 0, topP: 1 }, retrieval: { k: 3, dense: true, bm25: true, rerank: false, budget: 1200 }, fewShot: { k: 0, similar: false } }, examples: [] };
    const runs = new EvalRunsState({ db: s.db, llm, models: s.models, knowledge: s.knowledge, sets, lab, prefs: p, err: (e) => String(e), otherModel: (m) => m, onStopped: async () => undefined });
    runs.methods = ['rag', 'rag-verified'];
    await runs.start();
    expect(runs.runError).toBeNull();
    const [run] = await listEvalRuns(await s.db());
    const stored = (await evalItemsFor(await s.db(), run.id)).map((r) => r.result as EvalItemResult);
    const rag = stored.find((r) => r.method === 'rag')!;
    const verified = stored.find((r) => r.method === 'rag-verified')!;
    expect(verified.answer).toBe('Fifteen days [1].');
    expect(verified.scores.em).toBe(1);
    expect(rag.scores.em).toBe(0);
    expect(verified.ran?.steps?.verify?.draft).toBe(rag.answer);
    expect(verified.scores.steps).toEqual({ calls: 1, promptTokens: 321, outputTokens: 45, totalMs: 700 });
    expect(verified.scores.promptTokens).toBe(verified.usage.promptTokens + 321);
    expect(verified.scores.outputTokens).toBe(verified.usage.outputTokens + 45);
    expect(verified.scores.totalMs).toBeCloseTo(verified.usage.totalMs + 700, 6);
    expect(verified.scores.retrieval).toEqual(rag.scores.retrieval);
    expect(rag.scores.steps).toBeUndefined();
    expect(rag.ran?.steps).toBeUndefined();
  });
});
