// The fine-tuning loop on the real handlers: a held-out split stored with the test set and extended
// without moving a question; a RAFT export built from a real test set with distractors retrieved by the
// real knowledge worker (BM25 + dense, fixture embedder), never containing a held-out question; the
// export log appended and persisted; the overlap warning; held-out-only runs; retrieval errors by name.

import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/protocol/errors';
import { DEFAULT_SEED } from '../../../src/eval/summary';
import { makeSplit } from '../../../src/eval/split';
import { RAG_INSTRUCTION } from '../../../src/strategies';
import { LabState } from '../../../src/state/lab.svelte';
import { LibraryState } from '../../../src/state/library.svelte';
import { EvalResultsState } from '../../../src/state/eval/results.svelte';
import { EvalRunsState } from '../../../src/state/eval/runs.svelte';
import { FinetuneState } from '../../../src/state/eval/finetune.svelte';
import { TestSetsState } from '../../../src/state/eval/test-sets.svelte';
import type { KnowledgeState } from '../../../src/state/knowledge.svelte';
import type { LabDb, TestItem } from '../../../src/store/db';
import { listEvalRuns } from '../../../src/store/runs';
import { getTestSet, listTestSets } from '../../../src/store/testsets';
import { EMBED, checkFixtures, freshDbName, knowledgeState, llmState, prefs, type Prefs } from './harness';

beforeAll(checkFixtures);

/** One policy per document, so every policy is its own chunk (distractors for the others). */
const POLICIES = [
  ['leave.md', 'New employees get fifteen days of paid annual leave in their first year.'],
  ['carryover.md', 'Unused leave days carry over until the end of March of the next year.'],
  ['taxi.md', 'Taxi receipts above 200 yuan need the approval of your manager before reimbursement.'],
  ['vpn.md', 'VPN passwords must be changed every ninety days and have at least twelve characters.'],
  ['laptop.md', 'Company laptops must be encrypted and locked whenever they are left unattended.'],
  ['office.md', 'The office opens at eight in the morning and closes at seven in the evening.'],
  ['visitors.md', 'Visitors sign in at the reception desk and wear a visitor badge at all times.'],
  ['sick.md', 'Sick leave longer than three days needs a note from a doctor.'],
  ['parental.md', 'Parental leave is sixteen weeks and may be split into two blocks.'],
  ['travel.md', 'Business travel is booked through the travel portal at least two weeks ahead.'],
] as const;

const q = (id: string, question: string, answer: string, gold: string | null): TestItem => ({ id, question, answer, goldPassages: gold ? [gold] : [], tags: [] });
const ITEMS: TestItem[] = [
  q('q1', 'How many days of annual leave do new employees get?', 'fifteen days', POLICIES[0][1]),
  q('q2', 'Until when do unused leave days carry over?', 'until the end of March', POLICIES[1][1]),
  q('q3', 'Which taxi receipts need approval?', 'receipts above 200 yuan', POLICIES[2][1]),
  q('q4', 'How often must VPN passwords be changed?', 'every ninety days', POLICIES[3][1]),
  q('q5', 'What must be done with unattended laptops?', 'encrypt and lock them', POLICIES[4][1]),
  q('q6', 'When does the office open?', 'at eight in the morning', POLICIES[5][1]),
  q('q7', 'Where do visitors sign in?', 'at the reception desk', POLICIES[6][1]),
  q('q8', 'When is a doctor note needed for sick leave?', 'after three days', POLICIES[7][1]),
  q('q9', 'How long is parental leave?', 'sixteen weeks', POLICIES[8][1]),
  q('q10', 'How early must business travel be booked?', 'two weeks ahead', POLICIES[9][1]),
  q('q11', 'What is the CEO salary?', '', null),
  q('q12', 'What is the dress code?', 'smart casual', null),
];

function page(name: string, db: () => Promise<LabDb>, p: Prefs = prefs()) {
  const { state: knowledge } = knowledgeState(name, p);
  const { state: llm, models } = llmState(p);
  const library = new LibraryState(knowledge, db, (id) => (p.embedderId = id));
  const lab = new LabState({ llm, models, knowledge, db, prefs: p, err: (e) => String(e) });
  const sets = new TestSetsState(db, () => 'Untitled');
  const results = new EvalResultsState(db, async () => undefined);
  const runs = new EvalRunsState({ db, llm, models, knowledge, sets, lab, prefs: p, err: (e) => (e instanceof Error ? e.message : String(e)), otherModel: (m) => `other ${m}`, onStopped: (id) => results.openRun(id) });
  runs.methods = ['plain', 'rag'];
  let n = 0;
  const finetune = new FinetuneState({ sets, results, knowledge, lab, prefs: p, now: () => 1_700_000_000_000 + n * 1000, newId: () => `export-${++n}` });
  return { knowledge, library, lab, sets, results, runs, finetune };
}

async function withLibrary(name: string, db: () => Promise<LabDb>, docs: readonly (readonly [string, string])[] = POLICIES) {
  const first = page(name, db);
  await first.library.init();
  first.library.add(docs.map(([file, text]) => ({ name: file, file: new File([`# ${file}\n\n${text}`], file) })));
  await expect.poll(() => first.library.busy, { timeout: 30_000 }).toBe(false);
  await first.sets.create('HR handbook', ITEMS);
  return first;
}

interface AlpacaRow {
  instruction: string;
  input: string;
  output: string;
  system: string;
}

/** The files of a ZIP download, as text. */
function unzip(data: string | Uint8Array): Record<string, string> {
  if (typeof data === 'string') throw new Error('expected ZIP bytes');
  return Object.fromEntries(Object.entries(unzipSync(data)).map(([k, v]) => [k, strFromU8(v)]));
}

describe('held-out split', () => {
  it('is stored with the test set, extends to new questions without moving one, and locks once exported', async () => {
    const { name, db } = freshDbName();
    const p = page(name, db);
    await p.sets.create('HR handbook', ITEMS);
    await p.sets.holdOut(0.3);
    const expected = makeSplit(ITEMS, { seed: DEFAULT_SEED, heldOutShare: 0.3, now: 0 });
    const stored = (await listTestSets(await db()))[0].split!;
    expect(stored.heldOut).toEqual(expected.heldOut);
    expect(stored.train).toEqual(expected.train);
    // 11 answerable → round(0.3 × 11) = 3 held out; q11, the one unanswerable question, stays in training (round(0.3) = 0).
    expect(stored.heldOut).toHaveLength(3);
    expect(p.sets.splitCounts).toEqual({ train: 9, heldOut: 3 });
    expect(p.sets.heldOutIds).toEqual(ITEMS.filter((it) => stored.heldOut.includes(it.id)).map((it) => it.id));

    // New questions join; the existing ones stay where they were (also after a "reload").
    for (let i = 13; i <= 22; i++) await p.sets.saveItem(q(`q${i}`, `Extra question ${i}?`, `answer ${i}`, null));
    const reloaded = page(name, db);
    await reloaded.sets.refresh();
    const extended = reloaded.sets.set!.split!;
    for (const id of stored.heldOut) expect(extended.heldOut).toContain(id);
    for (const id of stored.train) expect(extended.train).toContain(id);
    expect(extended.heldOut.length + extended.train.length).toBe(22);
    expect(reloaded.sets.splitCounts!.heldOut).toBeGreaterThan(3);
    expect(reloaded.sets.splitLocked).toBe(false);

    // After an export the split is fixed: holding out again changes nothing.
    await reloaded.sets.logExport(reloaded.sets.set!.id, { id: 'e1', at: 1, testSetId: reloaded.sets.set!.id, source: 'test-set', format: 'openai', raft: null, itemIds: ['q1'], fileName: 'x.jsonl' });
    expect(reloaded.sets.splitLocked).toBe(true);
    await reloaded.sets.holdOut(0.5, 1);
    expect((await getTestSet(await db(), reloaded.sets.set!.id))!.split).toEqual(extended);
  });
});

describe('fine-tuning export', () => {
  it('LLaMA-Factory Alpaca with RAFT: training questions only, gold among retrieved distractors, dataset_info, logged', async () => {
    const { name, db } = freshDbName();
    const p = await withLibrary(name, db);
    await p.sets.holdOut(0.3);
    const split = p.sets.set!.split!;
    const held = new Set(split.heldOut);
    const ft = p.finetune;
    ft.format = 'llama-factory-alpaca';
    ft.raft = true;
    // Training questions with a gold passage, plus q11 (unanswerable → refusal); q12 has no gold passage → left out.
    const trained = ITEMS.filter((it) => split.train.includes(it.id) && it.id !== 'q12');
    const n = trained.length;
    expect(split.train).toContain('q11');
    expect(ft.plan).toEqual({ count: n, heldOut: 3, noGold: split.train.includes('q12') ? 1 : 0, notAccepted: 0, unanswerable: 1, hasSplit: true });

    const file = await ft.exportData();
    expect(ft.error).toBeNull();
    expect(ft.problem).toBeNull();
    expect(file!.name).toBe('hr_handbook_llama_factory_alpaca.zip');
    const files = unzip(file!.data);
    expect(Object.keys(files).sort()).toEqual(['dataset_info.json', 'hr_handbook_alpaca.json']);
    expect(JSON.parse(files['dataset_info.json'])).toEqual({
      hr_handbook: { file_name: 'hr_handbook_alpaca.json', formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system' } },
    });
    const rows: AlpacaRow[] = JSON.parse(files['hr_handbook_alpaca.json']);
    expect(rows).toHaveLength(n);
    const all = files['hr_handbook_alpaca.json'];
    for (const it of ITEMS.filter((x) => held.has(x.id))) expect(all).not.toContain(it.question);
    expect(all).not.toContain(ITEMS[11].question);

    // Every passage is a chunk of the library (retrieved, not invented): gold + 3 distractors, or 4 distractors.
    const texts = POLICIES.map(([, t]) => t);
    let withGold = 0;
    for (const [i, row] of rows.entries()) {
      const it = trained[i];
      // The lanes' RAG prompt: system + RAG instruction; numbered "[n] (source) text" passages; the question last.
      expect(row.system).toBe(`${p.lab.settings.systemPrompt}\n\n${RAG_INSTRUCTION.en}`);
      expect(row.instruction.startsWith('Context:\n[1] (')).toBe(true);
      expect(row.instruction.endsWith(`\n\nQuestion: ${it.question}`)).toBe(true);
      const block = row.instruction.slice('Context:\n'.length, row.instruction.lastIndexOf('\n\nQuestion: '));
      const passages = block.split(/\n\n(?=\[\d+\] \()/u);
      expect(passages.map((ps) => /^\[(\d+)\] \(/u.exec(ps)?.[1])).toEqual(['1', '2', '3', '4']);
      expect(passages).toHaveLength(4);
      for (const ps of passages) expect(texts.filter((t) => ps.includes(t))).toHaveLength(1);
      const gold = it.goldPassages[0];
      const at = gold ? passages.findIndex((ps) => ps.includes(gold)) : -1;
      if (at >= 0) {
        withGold++;
        expect(row.output).toBe(`${it.answer} [${at + 1}]`);
      } else if (it.answer === '') expect(row.output).toBe('The context does not contain the answer.');
      else expect(row.output).toBe(it.answer);
    }
    expect(withGold).toBe(ft.outcome!.raft!.withGold);
    expect(ft.outcome!.raft!.withGold + ft.outcome!.raft!.distractorsOnly).toBe(n);
    expect(ft.outcome!.raft!.meanPassages).toBe(4);
    // Gold is drawn with p = 0.8 per answerable question (seeded): most examples carry it.
    expect(withGold).toBeGreaterThanOrEqual(Math.ceil((n - 1) / 2));
    expect(ft.outcome!.retrieval!.ran).toMatchObject({ bm25: true, dense: true, embedder: EMBED });
    expect(ft.outcome!.retrieval!.fallbacks).toEqual([]);

    // The log: one entry, persisted with the set, naming the exported questions in file order.
    const stored = (await getTestSet(await db(), p.sets.set!.id))!;
    expect(stored.exports).toEqual([
      {
        id: 'export-1',
        at: 1_700_000_000_000,
        testSetId: stored.id,
        source: 'test-set',
        format: 'llama-factory-alpaca',
        raft: { distractors: 3, goldShare: 0.8, seed: DEFAULT_SEED, retrieval: { bm25: true, dense: true, rerank: false, embedder: EMBED, fallbacks: [] } },
        itemIds: trained.map((it) => it.id),
        fileName: 'hr_handbook_llama_factory_alpaca.zip',
      },
    ]);
    // The split keeps its place in the record after the export, and a second export appends.
    expect(stored.split).toEqual(split);
    ft.format = 'openai';
    ft.raft = false;
    const plain = await ft.exportData();
    expect(plain!.name).toBe('hr_handbook_openai.jsonl');
    expect(String(plain!.data).trim().split('\n')).toHaveLength(9); // every training question, q12 included
    expect((await getTestSet(await db(), stored.id))!.exports!.map((e) => e.format)).toEqual(['llama-factory-alpaca', 'openai']);

    // The warning's data: exported questions of the set, and the held-out ones stay clean.
    expect(p.sets.trained.itemIds).toEqual(ITEMS.filter((it) => split.train.includes(it.id)).map((it) => it.id));
    expect(p.sets.trained.entries).toHaveLength(2);
    for (const id of p.sets.heldOutIds) expect(p.sets.trained.itemIds).not.toContain(id);
  });

  it('an embedder that cannot load stops the RAFT export by name; going on records BM25 only in the log', async () => {
    const { name, db } = freshDbName();
    await withLibrary(name, db);
    const broken = page(name, db, prefs({ embedderId: 'nowhere/missing-embedder' }));
    await broken.sets.refresh();
    await broken.lab.init();
    await broken.sets.holdOut(0.3);
    broken.finetune.raft = true;
    expect(await broken.finetune.exportData()).toBeNull();
    expect((broken.finetune.error as AppError).code).toBe('embedder-unavailable');
    expect((broken.finetune.error as AppError).message).toContain('nowhere/missing-embedder');
    expect((await getTestSet(await db(), broken.sets.set!.id))!.exports).toBeUndefined();

    const file = await broken.finetune.exportData({ degrade: true });
    expect(file).not.toBeNull();
    const [entry] = (await getTestSet(await db(), broken.sets.set!.id))!.exports!;
    expect(entry.raft!.retrieval).toMatchObject({ bm25: true, dense: false });
    expect(entry.raft!.retrieval!.fallbacks[0]).toContain('nowhere/missing-embedder');
    expect(broken.finetune.outcome!.retrieval!.fallbacks.map((f) => f.code)).toEqual(['embedder-failed']);
  });

  it('RAFT over an empty library: no passages is said (no gold-only file), nothing logged', async () => {
    const { name, db } = freshDbName();
    const p = page(name, db);
    await p.sets.create('HR handbook', ITEMS);
    await p.sets.holdOut(0.3);
    p.finetune.raft = true;
    expect(await p.finetune.exportData()).toBeNull();
    expect(p.finetune.error).toBeNull();
    expect(p.finetune.problem).toBe('no-passages');
    expect((await getTestSet(await db(), p.sets.set!.id))!.exports).toBeUndefined();
  });

  it('Cancel while retrieving: nothing saved, nothing logged, no error', async () => {
    const { name, db } = freshDbName();
    const p = await withLibrary(name, db);
    await p.sets.holdOut(0.3);
    // The real search, held at its second question until the test has pressed Cancel.
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    let searches = 0;
    const knowledge: Pick<KnowledgeState, 'laneDeps'> = {
      laneDeps: async (opts, d) => {
        const s = await p.knowledge.laneDeps(opts, d);
        return { search: async (query, signal) => (++searches === 2 ? gate.then(() => s.search(query, signal)) : s.search(query, signal)) };
      },
    };
    const ft = new FinetuneState({ sets: p.sets, results: p.results, knowledge, lab: p.lab, prefs: prefs() });
    ft.raft = true;
    const pending = ft.exportData();
    await expect.poll(() => searches, { timeout: 20_000 }).toBe(2);
    expect(ft.running).toBe(true);
    expect(ft.progress).toEqual({ done: 1, total: ft.plan!.count });
    ft.cancel();
    release();
    expect(await pending).toBeNull();
    expect(ft.error).toBeNull();
    expect(ft.problem).toBeNull();
    expect(ft.running).toBe(false);
    expect(searches).toBe(2);
    expect((await getTestSet(await db(), p.sets.set!.id))!.exports).toBeUndefined();
  });
});

describe('runs on held-out questions', () => {
  it('a held-out-only run holds exactly the held-out questions and its results say so; accepted answers export training questions only', async () => {
    const { name, db } = freshDbName();
    const p = await withLibrary(name, db);
    await p.lab.init();
    await p.sets.holdOut(0.3);
    const heldOut = p.sets.heldOutIds;
    expect(heldOut).toHaveLength(3);

    await p.runs.start({ items: heldOut });
    expect(p.runs.runError).toBeNull();
    const [run] = await listEvalRuns(await db());
    expect((run.config as { items: TestItem[] }).items.map((it) => it.id)).toEqual(heldOut);
    expect(p.results.view!.run.id).toBe(run.id);
    expect(p.results.view!.heldOutOnly).toBe(true);
    expect(p.results.view!.results).toHaveLength(6);

    // An unknown id filter runs nothing; a run mixing held-out and training questions is not held-out-only.
    await p.runs.start({ items: ['nope'] });
    expect(await listEvalRuns(await db())).toHaveLength(1);
    const train = p.sets.set!.split!.train;
    p.runs.methods = ['rag'];
    await p.runs.start({ items: [heldOut[0], train[0], train[1]] });
    expect(p.results.view!.run.id).not.toBe(run.id);
    expect(p.results.view!.results).toHaveLength(3);
    expect(p.results.view!.heldOutOnly).toBe(false);

    // Thumbs up on one held-out and two training answers: the export writes the two training ones.
    await p.results.setThumb(heldOut[0], 'rag', 'up');
    await p.results.setThumb(train[0], 'rag', 'up');
    await p.results.setThumb(train[1], 'rag', 'up');
    p.finetune.source = 'accepted';
    expect(p.finetune.plan).toMatchObject({ count: 2, heldOut: 1, hasSplit: true });
    const o = await p.finetune.exportAccepted(true);
    expect(o!.count).toBe(2);
    expect(o!.heldOut).toBe(1);
    const lines = String(o!.file.data).trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    expect(lines.map((l) => l.messages.map((m) => m.role))).toEqual([['system', 'user', 'assistant'], ['system', 'user', 'assistant']]);
    const [entry] = (await getTestSet(await db(), p.sets.set!.id))!.exports!;
    expect(entry).toMatchObject({ source: 'accepted', format: 'openai', itemIds: [train[0], train[1]].sort((a, b) => ITEMS.findIndex((x) => x.id === a) - ITEMS.findIndex((x) => x.id === b)) });
    expect(p.sets.trained.itemIds).not.toContain(heldOut[0]);
  }, 120_000);
});
