// Training data from a test set and from accepted answers: held-out questions never exported, RAFT
// passages (gold among distractors retrieved by the app's real BM25 index, a seeded share without
// gold), and the OpenAI / LLaMA-Factory (Alpaca, ShareGPT + dataset_info.json) / ms-swift files.

import { describe, expect, it } from 'vitest';
import { isRefusal } from '../../../src/eval/metrics';
import { makeSplit, type HeldOutSplit } from '../../../src/eval/split';
import type { TestItem } from '../../../src/eval/testset';
import { RAFT_DEFAULTS, REFUSAL_ANSWER, datasetSlug, examplesFromAccepted, examplesFromTestSet, serializeTraining, type Retrieve, type TrainingExample } from '../../../src/export/finetune';
import { Bm25Index } from '../../../src/retrieval/bm25';
import { buildRagPrompt } from '../../../src/strategies';
import type { ContextChunk } from '../../../src/strategies/types';
import { CONFIG, makeResults } from '../eval/fixtures';

/** A small handbook: one chunk per policy, several sharing words with each question (hard distractors). */
const CHUNKS: ContextChunk[] = [
  'Annual leave for new employees is fifteen days in the first year.',
  'Annual leave requests are approved by the team manager in the shared calendar.',
  'Sick leave needs a doctor note after three days of absence.',
  'Parental leave is sixteen weeks and can be split into two blocks.',
  'Taxi rides at night are reimbursed when the manager approves them.',
  'Travel expenses need receipts and are paid within ten working days.',
  'VPN passwords change every ninety days and must have twelve characters.',
  'Laptops must be encrypted and locked when unattended in the office.',
  'The office opens at eight and closes at seven on weekdays.',
  'Visitors sign in at reception and wear a badge at all times.',
].map((text, i) => ({ id: `c${i}`, docName: 'handbook.md', text, headingPath: ['Policies'] }));

function bm25Retrieve(): { retrieve: Retrieve; calls: string[] } {
  const index = new Bm25Index();
  for (const c of CHUNKS) index.add(c.id, c.text);
  const byId = new Map(CHUNKS.map((c) => [c.id, c]));
  const calls: string[] = [];
  return {
    calls,
    retrieve: async (q, k) => {
      calls.push(q);
      return index.search(q, k).map((s) => byId.get(s.id)!);
    },
  };
}

const item = (id: string, question: string, answer: string, gold: string[] = []): TestItem => ({ id, question, answer, goldPassages: gold, tags: [] });
const ITEMS: TestItem[] = [
  item('a1', 'How many days of annual leave do new employees get?', 'fifteen days', [CHUNKS[0].text]),
  item('a2', 'Who approves taxi rides at night?', 'the manager', ['Taxi rides at night are reimbursed when the manager approves them.']),
  item('a3', 'How often do VPN passwords change?', 'every ninety days', [CHUNKS[6].text]),
  item('a4', 'When does the office open?', 'at eight', [CHUNKS[8].text]),
  item('u1', 'How much leave do visitors get when the office is closed?', ''),
  item('n1', 'What is the dress code?', 'smart casual'), // answerable, but no gold passage
];
/** Everything trainable (share 0) unless a test says otherwise. */
const ALL: HeldOutSplit = makeSplit(ITEMS, { seed: 1, heldOutShare: 0, now: 0 });

describe('examples from a test set', () => {
  it('plain: question → reference answer; unanswerable → the refusal; held-out questions are skipped and named', async () => {
    const split = { ...ALL, heldOut: ['a2'], train: ALL.train.filter((id) => id !== 'a2') };
    const { examples, skipped } = await examplesFromTestSet(ITEMS, { lang: 'en', systemPrompt: 'Be brief.', split, raft: null });
    expect(examples.map((e) => e.itemId)).toEqual(['a1', 'a3', 'a4', 'u1', 'n1']);
    expect(skipped).toEqual([{ itemId: 'a2', reason: 'held-out' }]);
    expect(examples[0].messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'How many days of annual leave do new employees get?' },
      { role: 'assistant', content: 'fifteen days' },
    ]);
    expect(examples[3].messages.at(-1)!.content).toBe(REFUSAL_ANSWER.plain.en);
    expect(isRefusal(REFUSAL_ANSWER.plain.en) && isRefusal(REFUSAL_ANSWER.rag.en) && isRefusal(REFUSAL_ANSWER.rag.zh)).toBe(true);
    const noUnans = await examplesFromTestSet(ITEMS, { lang: 'en', systemPrompt: '', split: ALL, raft: null, includeUnanswerable: false });
    expect(noUnans.skipped).toEqual([{ itemId: 'u1', reason: 'no-answer' }]);
    expect(noUnans.examples[0].messages[0].role).toBe('user');
  });

  it('RAFT defaults are the reference code\'s: 3 distractors, gold in 80%', () => {
    expect(RAFT_DEFAULTS).toEqual({ distractors: 3, goldShare: 0.8 });
  });

  it('RAFT with gold: the RAG prompt of the lanes over gold + 3 retrieved non-gold chunks, the answer citing the gold number', async () => {
    const { retrieve, calls } = bm25Retrieve();
    const { examples, skipped } = await examplesFromTestSet(ITEMS, { lang: 'en', systemPrompt: 'Be brief.', split: ALL, raft: { distractors: 3, goldShare: 1, seed: 5, retrieve } });
    expect(skipped).toEqual([{ itemId: 'n1', reason: 'no-gold-passage' }]);
    const a1 = examples.find((e) => e.itemId === 'a1')!;
    expect(a1.raft).toEqual({ gold: true, passages: 4 });
    const user = a1.messages.find((m) => m.role === 'user')!.content;
    const numbered = [...user.matchAll(/^\[(\d)\] \(handbook\.md › Policies\) (.+)$/gmu)].map((m) => m[2]);
    expect(numbered).toHaveLength(4);
    expect(numbered).toContain(CHUNKS[0].text);
    // Distractors are retrieved (the BM25 top non-gold hits for the question), not random.
    const top = (await retrieve(ITEMS[0].question, 6)).filter((c) => c.id !== 'c0').slice(0, 3).map((c) => c.text);
    expect([...numbered].filter((t) => t !== CHUNKS[0].text).sort()).toEqual([...top].sort());
    const goldNo = numbered.indexOf(CHUNKS[0].text) + 1;
    expect(a1.messages.at(-1)!.content).toBe(`fifteen days [${goldNo}]`);
    // Exactly the shape the RAG lane sends at inference.
    const passages = numbered.map((t) => CHUNKS.find((c) => c.text === t)!);
    expect(a1.messages.slice(0, -1)).toEqual(buildRagPrompt(ITEMS[0].question, { systemPrompt: 'Be brief.', lang: 'en', chunks: passages }).messages);
    // The unanswerable question gets retrieved passages and the RAG refusal.
    const u1 = examples.find((e) => e.itemId === 'u1')!;
    expect(u1.raft).toEqual({ gold: false, passages: 4 });
    expect(u1.messages.at(-1)!.content).toBe(REFUSAL_ANSWER.rag.en);
    expect(calls).toContain(ITEMS[0].question);
  });

  it('a gold passage retrieval misses is found by searching the passage itself', async () => {
    const { retrieve, calls } = bm25Retrieve();
    const odd = [item('g', 'Tell me something about badges', 'wear one', [CHUNKS[9].text])];
    const { examples } = await examplesFromTestSet(odd, { lang: 'en', systemPrompt: '', split: makeSplit(odd, { seed: 1, heldOutShare: 0, now: 0 }), raft: { distractors: 1, goldShare: 1, seed: 1, retrieve: async (q, k) => (q === odd[0].question ? (await retrieve(q, k)).filter((c) => c.id !== 'c9') : retrieve(q, k)) } });
    expect(examples[0].messages[1].content).toContain('(handbook.md › Policies) Visitors sign in');
    expect(calls).toContain(CHUNKS[9].text);
  });

  it('the share without gold is seeded per question: reproducible, about 1 − goldShare, distractors + 1 passages, RAFT keeps the answer', async () => {
    const { retrieve } = bm25Retrieve();
    const many = Array.from({ length: 200 }, (_, i) => item(`m${i}`, `Question ${i} about annual leave and passwords`, `answer ${i}`, [CHUNKS[i % 10].text]));
    const split = makeSplit(many, { seed: 1, heldOutShare: 0, now: 0 });
    const opts = { lang: 'en' as const, systemPrompt: '', split, raft: { ...RAFT_DEFAULTS, seed: 11, retrieve } };
    const a = await examplesFromTestSet(many, opts);
    const b = await examplesFromTestSet([...many].reverse(), opts);
    const gold = (xs: TrainingExample[]) => new Map(xs.map((e) => [e.itemId, e.raft!.gold]));
    expect(gold(b.examples)).toEqual(gold(a.examples));
    const without = a.examples.filter((e) => !e.raft!.gold);
    // Binomial(200, 0.2): mean 40, sd 5.7; 25..55 is beyond ±2.6 sd.
    expect(without.length).toBeGreaterThan(25);
    expect(without.length).toBeLessThan(55);
    expect(without.every((e) => e.raft!.passages === 4 && !e.messages[1].content.includes(CHUNKS[Number(e.itemId.slice(1)) % 10].text))).toBe(true);
    expect(without[0].messages.at(-1)!.content).toMatch(/^answer \d+$/u);
    const refusing = await examplesFromTestSet(many.slice(0, 40), { ...opts, raft: { ...opts.raft, withoutGold: 'refusal' } });
    expect(refusing.examples.filter((e) => !e.raft!.gold).every((e) => e.messages.at(-1)!.content === REFUSAL_ANSWER.rag.en)).toBe(true);
    const other = await examplesFromTestSet(many, { ...opts, raft: { ...opts.raft, seed: 12 } });
    expect(gold(other.examples)).not.toEqual(gold(a.examples));
  });
});

describe('examples from accepted answers', () => {
  it('thumbs-up answers of training questions only; the same shapes as the existing JSONL export', () => {
    const results = makeResults().map((r) => (r.itemId === 'q1' || r.itemId === 'q2' ? { ...r, thumb: 'up' as const } : r));
    const split: HeldOutSplit = { ...makeSplit(CONFIG.items, { seed: 1, heldOutShare: 0, now: 0 }) };
    const held = { ...split, heldOut: ['q1'], train: split.train.filter((id) => id !== 'q1') };
    const { examples, skipped } = examplesFromAccepted(CONFIG, results, { includeContext: true, split: held });
    expect(skipped).toEqual([{ itemId: 'q1', reason: 'held-out' }]);
    expect(examples.map((e) => e.itemId)).toEqual(['q2', 'q2']);
    expect(examples[1].messages[1].content).toBe('Context:\n[1] (handbook.md) Taxis need the manager.\n\nQuestion: Who approves taxis?');
  });
});

describe('file formats', () => {
  const ex: TrainingExample[] = [
    { itemId: 'a', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Q1?' }, { role: 'assistant', content: 'A1 [2]' }] },
    { itemId: 'b', messages: [{ role: 'user', content: '问题：年假几天？' }, { role: 'assistant', content: '十五天。' }] },
  ];

  it('OpenAI chat JSONL and ms-swift: one {"messages": [...]} per line, UTF-8 as is', () => {
    for (const [format, name] of [['openai', 'handbook_set_openai.jsonl'], ['ms-swift', 'handbook_set_ms_swift.jsonl']] as const) {
      const out = serializeTraining(ex, format, 'Handbook set');
      expect(out.files.map((f) => f.name)).toEqual([name]);
      const lines = out.files[0].text.split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[2]).toBe('');
      expect(JSON.parse(lines[0])).toEqual({ messages: ex[0].messages });
      expect(lines[1]).toContain('年假');
      expect(out.itemIds).toEqual(['a', 'b']);
    }
  });

  it('LLaMA-Factory Alpaca: instruction = the whole user turn, input empty, system; dataset_info.json per its data/README', () => {
    const out = serializeTraining(ex, 'llama-factory-alpaca', 'Handbook set');
    expect(out.files.map((f) => f.name)).toEqual(['handbook_set_alpaca.json', 'dataset_info.json']);
    expect(JSON.parse(out.files[0].text)).toEqual([
      { instruction: 'Q1?', input: '', output: 'A1 [2]', system: 'Be brief.' },
      { instruction: '问题：年假几天？', input: '', output: '十五天。', system: '' },
    ]);
    expect(JSON.parse(out.files[1].text)).toEqual({
      handbook_set: { file_name: 'handbook_set_alpaca.json', formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system' } },
    });
    const multi: TrainingExample = { itemId: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }, { role: 'user', content: 'z' }, { role: 'assistant', content: 'w' }] };
    expect(() => serializeTraining([multi], 'llama-factory-alpaca', 'x')).toThrow(/one question and one answer/u);
  });

  it('LLaMA-Factory ShareGPT: conversations from human/gpt with the system column; dataset_info with formatting sharegpt and tags', () => {
    const out = serializeTraining(ex, 'llama-factory-sharegpt', '问答 Set');
    expect(out.files.map((f) => f.name)).toEqual(['set_sharegpt.json', 'dataset_info.json']);
    expect(JSON.parse(out.files[0].text)[0]).toEqual({ conversations: [{ from: 'human', value: 'Q1?' }, { from: 'gpt', value: 'A1 [2]' }], system: 'Be brief.' });
    expect(JSON.parse(out.files[1].text)).toEqual({
      set: { file_name: 'set_sharegpt.json', formatting: 'sharegpt', columns: { messages: 'conversations', system: 'system' }, tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt' } },
    });
    expect(datasetSlug('测试')).toBe('method_lab');
  });
});
