// The retrieval sweep through the page's SweepState and the REAL knowledge handler (fixture embedder,
// fake-indexeddb): test sets read from IndexedDB, gold passages located in every copy of a document,
// one result per planned setting with the current setting compared, the library untouched until
// "Apply this setting", Cancel; and LLM context sentences written by the canned-reply model.

import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../../src/chunking/chunk';
import { LibraryState } from '../../../src/state/library.svelte';
import { SweepState } from '../../../src/state/sweep.svelte';
import { ChunkContextState } from '../../../src/state/chunk-context.svelte';
import { settingKey } from '../../../src/retrieval/sweep';
import { getChunks, listDocuments } from '../../../src/store/documents';
import { putTestSet } from '../../../src/store/testsets';
import type { LabDb } from '../../../src/store/db';
import type { SweepProgress } from '../../../src/protocol/messages';
import { locateSweepGold, sweepDocuments } from '../../../workers/knowledge-sweep';
import { makePdf } from '../../fixtures/make-files';
import { checkFixtures, freshDbName, knowledgeState, llmState, prefs, utf8 } from './harness';

beforeAll(checkFixtures);

const SECTIONS: [string, string[]][] = [
  ['Annual leave', ['New employees get fifteen days of paid annual leave in their first year.', 'Unused leave days carry over until the end of March of the next year.']],
  ['Sick leave', ['Sick leave of more than two days needs a certificate from a doctor.', 'Employees get ten days of paid sick leave every year.']],
  ['Expenses', ['Taxi receipts above 200 yuan need the approval of your manager before they are reimbursed.', 'Expense reports are due by the fifth working day of the following month.']],
  ['Travel', ['Economy class is booked for flights under six hours.', 'Hotel rooms cost at most 600 yuan per night in first-tier cities.']],
  ['IT security', ['VPN passwords must be changed every ninety days and contain at least twelve characters.', 'Lost laptops must be reported to the service desk within one hour.']],
  ['Benefits', ['Every employee gets a yearly health check at a partner clinic.', 'The gym card is paid up to 300 yuan a month.']],
];
const HANDBOOK = `# Handbook\n\n${SECTIONS.map(([h, ps]) => `## ${h}\n\n${ps.join(' ')}`).join('\n\n')}`;
const QUESTIONS: [string, string][] = [
  ['How many days of annual leave do new employees get?', SECTIONS[0][1][0]],
  ['Until when do unused leave days carry over?', SECTIONS[0][1][1]],
  ['When do I need a doctor certificate for sick leave?', SECTIONS[1][1][0]],
  ['How many paid sick days are there?', SECTIONS[1][1][1]],
  ['Which taxi receipts need approval?', SECTIONS[2][1][0]],
  ['When are expense reports due?', SECTIONS[2][1][1]],
  ['Which class is booked for short flights?', SECTIONS[3][1][0]],
  ['How much may a hotel room cost?', SECTIONS[3][1][1]],
  ['How often must VPN passwords be changed?', SECTIONS[4][1][0]],
  ['Who do I tell about a lost laptop?', SECTIONS[4][1][1]],
  ['Where is the yearly health check?', SECTIONS[5][1][0]],
  ['How much of the gym card is paid?', SECTIONS[5][1][1]],
];

async function setup() {
  const { name, db } = freshDbName();
  const p = prefs();
  const { state: knowledge } = knowledgeState(name, p);
  const library = new LibraryState(knowledge, db, () => undefined);
  await library.init();
  await knowledge.openIndex();
  await knowledge.loadEmbedder();
  await knowledge.ingest({ name: 'handbook.md', bytes: utf8(HANDBOOK), maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
  const pdf = await makePdf(SECTIONS.map(([h, ps]) => [h, ...ps]));
  await knowledge.ingest({ name: 'handbook.pdf', bytes: pdf.buffer.slice(pdf.byteOffset, pdf.byteOffset + pdf.byteLength) as ArrayBuffer, maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
  await library.refresh();
  await putTestSet(await db(), {
    id: 'ts1',
    name: 'Handbook questions',
    createdAt: 1,
    items: [
      ...QUESTIONS.map(([question, gold], i) => ({ id: `q${i}`, question, answer: '', goldPassages: [gold], tags: [] })),
      { id: 'nogold', question: 'What is the CEO\u2019s salary?', answer: '', goldPassages: [], tags: [] },
    ],
  });
  await putTestSet(await db(), { id: 'ts0', name: 'No gold', createdAt: 0, items: [{ id: 'a', question: 'Q?', answer: 'A', goldPassages: [], tags: [] }] });
  let labSaves = 0;
  const lab = { settings: { retrieval: { bm25: true, dense: true, rerank: false } }, saveSettings: async () => void labSaves++ };
  const sweep = new SweepState({ knowledge, library, lab, db });
  return { name, db, knowledge, library, lab, sweep, labSaves: () => labSaves, prefs: p };
}

describe('retrieval sweep', () => {
  it('locates each gold passage in the Markdown file and in its PDF copy, as one passage', async () => {
    const { db } = await setup();
    const docs = await sweepDocuments(await db());
    const { items, passagesNotFound } = locateSweepGold(docs, [
      { id: 'a', question: 'x', goldPassages: [SECTIONS[2][1][0], 'A passage that is in no document at all, anywhere.'] },
    ]);
    expect(passagesNotFound).toBe(1);
    expect(items[0].gold.map((g) => docs.find((d) => d.id === g.docId)!.name).sort()).toEqual(['handbook.md', 'handbook.pdf']);
    expect(items[0].gold.every((g) => g.passage === 0)).toBe(true);
    for (const g of items[0].gold) {
      const text = docs.find((d) => d.id === g.docId)!.text.slice(g.start, g.end);
      // Spans run from the passage's first to its last letter or digit (gold.ts folds punctuation away).
      expect(text.replace(/\s+/g, ' ')).toBe(SECTIONS[2][1][0].replace(/\.$/, ''));
    }
  });

  it('measures every planned setting against the current one, leaves the library alone, and applies a setting on request', async () => {
    const s = await setup();
    const { sweep, knowledge, library, lab } = s;
    await sweep.init();
    expect(sweep.testSets).toEqual([{ id: 'ts1', name: 'Handbook questions', withGold: 12 }]);
    expect(sweep.testSetId).toBe('ts1');
    expect([sweep.sizes, sweep.overlaps]).toEqual(['100, 200', '0, 40']);
    const plan = sweep.plan;
    if (!('settings' in plan)) throw new Error('the default form should plan settings');
    expect(plan.settings[0]).toEqual({ unit: 'tokens', size: 200, overlap: 40, mode: 'hybrid', headers: true, dedupe: true });
    expect(plan.settings).toHaveLength(24);

    const indexBefore = knowledge.index;
    const chunksBefore = (await Promise.all((await listDocuments(await s.db())).map(async (d) => (await getChunks(await s.db(), d.id)).map((c) => c.id)))).flat();
    const seen: SweepProgress[] = [];
    const watch = setInterval(() => sweep.progress && seen.push({ ...sweep.progress }), 1);
    await sweep.run();
    clearInterval(watch);
    expect(sweep.error).toBeNull();
    expect(sweep.progress).toBeNull();
    const reply = sweep.reply!;
    expect(reply.results.map((r) => settingKey(r.setting)).sort()).toEqual(plan.settings.map(settingKey).sort());
    expect(reply.skipped).toEqual([]);
    expect(reply.gold).toEqual({ questions: 12, withGold: 12, passagesNotFound: 0 });
    expect(reply.docs).toBe(2);
    expect(reply.embedder).toBe(s.prefs.embedderId);
    expect(seen.some((p) => p.done > 0 && p.done < p.total)).toBe(true);
    for (const r of reply.results) expect(r.n).toBe(12);

    const report = sweep.report!;
    expect(report.baseline?.key).toBe(settingKey(plan.settings[0]));
    expect(report.rows.filter((r) => r.comparison !== null)).toHaveLength(23);
    expect(report.rows.every((r) => r.baseline || r.comparison?.family === 23)).toBe(true);
    expect(report.n).toBe(12);
    // hit@5 on these short, distinct sections: the current (hybrid) setting finds nearly every passage.
    expect(report.baseline!.hit!.mean).toBeGreaterThanOrEqual(0.75);
    // The report follows the chosen metric and cut-off.
    sweep.metric = 'mrr';
    expect(sweep.report?.metric).toBe('mrr');

    // The stored library was not touched.
    expect(knowledge.index).toEqual(indexBefore);
    const chunksAfter = (await Promise.all((await listDocuments(await s.db())).map(async (d) => (await getChunks(await s.db(), d.id)).map((c) => c.id)))).flat();
    expect(chunksAfter).toEqual(chunksBefore);

    // Apply: chunking saved and every document re-chunked; the Lab's retrieval set to the row's mode.
    const pick = reply.results.find((r) => r.setting.size === 100 && r.setting.overlap === 0 && r.setting.mode === 'bm25' && r.setting.headers)!.setting;
    await sweep.apply(pick);
    expect(sweep.applied).toEqual(pick);
    expect(library.chunking).toEqual({ unit: 'tokens', size: 100, overlap: 0 });
    expect(lab.settings.retrieval).toEqual({ bm25: true, dense: false, rerank: false });
    expect(s.labSaves()).toBe(1);
    expect(library.docs.every((d) => d.chunking.size === 100 && d.chunking.overlap === 0)).toBe(true);
    expect(knowledge.index?.chunks).toBe(reply.results.find((r) => settingKey(r.setting) === settingKey(pick))!.chunks);
    expect(knowledge.index?.missing).toBe(0);
    // The form's current setting follows.
    expect(sweep.current).toMatchObject({ size: 100, overlap: 0, mode: 'bm25' });
  }, 120_000);

  it('Cancel stops the run without an error and keeps the previous results', async () => {
    const { sweep } = await setup();
    await sweep.init();
    const running = sweep.run();
    await expect.poll(() => sweep.progress !== null).toBe(true);
    sweep.cancel();
    await running;
    expect(sweep.error).toBeNull();
    expect(sweep.progress).toBeNull();
    expect(sweep.reply).toBeNull();
  }, 60_000);

  it('the form refuses what it cannot run', async () => {
    const { sweep } = await setup();
    await sweep.init();
    sweep.sizes = '100, big';
    expect(sweep.plan).toEqual({ error: { key: 'sweep.badList', value: '100, big' } });
    sweep.sizes = '100';
    sweep.headers.on = false;
    sweep.headers.off = false;
    expect(sweep.plan).toEqual({ error: { key: 'sweep.noSettings' } });
  });
});

describe('LLM context sentences', () => {
  it('shows the cost first, writes one sentence per chunk with the named model, indexes them, and removes them', async () => {
    const { db, knowledge } = await setup();
    const p = prefs({ llmId: 'lab-fixtures/qwen2-tokenizer-canned-reply' });
    const { state: llm } = llmState(p);
    const ctx = new ChunkContextState({ db, knowledge, llm, llmId: () => p.llmId });
    await ctx.refresh();
    const total = knowledge.index!.chunks;
    expect(ctx.summary).toMatchObject({ chunks: total, withContext: 0, models: [] });
    expect(ctx.summary!.cost.chunks).toBe(total);
    expect(ctx.summary!.cost.promptTokens).toBeGreaterThan(0);
    expect(ctx.summary!.cost.maxOutputTokens).toBe(total * 60);

    await ctx.write();
    expect(ctx.error).toBeNull();
    // The canned reply is one sentence: every chunk gets it, signed by the fixture.
    expect(ctx.result).toEqual({ written: total, refused: 0, model: 'lab-fixtures/qwen2-tokenizer-canned-reply' });
    expect(ctx.summary).toMatchObject({ chunks: total, withContext: total, models: ['lab-fixtures/qwen2-tokenizer-canned-reply'] });
    expect(knowledge.index).toMatchObject({ missing: 0, vectors: total });
    const r = await (await knowledge.laneDeps({ k: 3, bm25: true, dense: false, rerank: false })).search('canned reply fixture');
    expect(r.hits[0].indexed?.context).toBe('[offline test fixture] 这是离线测试模型的固定回答 (canned reply).');
    expect(r.hits[0].indexed?.contextModel).toBe('lab-fixtures/qwen2-tokenizer-canned-reply');

    await ctx.remove();
    expect(ctx.summary).toMatchObject({ withContext: 0 });
    expect((await (await knowledge.laneDeps({ k: 3, bm25: true, dense: false, rerank: false })).search('canned reply fixture')).hits).toHaveLength(0);
  }, 120_000);
});
