// Hand-made evaluation results for the summary, export and bundle tests.
import type { EvalConfig, EvalItemResult } from '../../../src/eval/runner';
import { locateItemGold, prepareDocument } from '../../../src/eval/gold';
import { scoreItem } from '../../../src/eval/score';
import type { TestItem } from '../../../src/store/db';
import type { MethodId } from '../../../src/strategies/types';

export const GOLD = ['Leave is fifteen days.', 'Taxis need the manager.', 'VPN passwords change every ninety days.'];
export const ITEMS: TestItem[] = [
  { id: 'q1', question: 'How long is leave?', answer: 'fifteen days', goldPassages: [GOLD[0]], tags: [] },
  { id: 'q2', question: 'Who approves taxis?', answer: 'the manager', goldPassages: [GOLD[1]], tags: [] },
  { id: 'q3', question: 'How often do VPN passwords change?', answer: 'every ninety days', goldPassages: [GOLD[2]], tags: [] },
  { id: 'q4', question: 'What is the CEO\'s salary?', answer: '', goldPassages: [], tags: ['unanswerable'] },
];

export const CONFIG: EvalConfig = {
  testSetName: 'Handbook', items: ITEMS, methods: ['plain', 'rag'], llm: 'echo', model: { model: 'echo', engine: 'transformers.js', device: 'wasm', dtype: 'q8', loadMs: 1 },
  embedder: 'emb', lang: 'en', systemPrompt: 'Be brief.', params: { maxNewTokens: 64, temperature: 0, topP: 1 },
  retrieval: { k: 2, dense: true, bm25: true, rerank: false, budget: 500 }, fewShot: { k: 0, similar: false }, examples: [], judge: false, seed: 42,
};

/** The one document: the gold passages and two unrelated paragraphs; hits carry their offsets in it. */
export const DOC_TEXT = [...GOLD, 'Unrelated text.', 'Nothing.'].join('\n\n');
export const DOCS = [prepareDocument({ docId: 'd', name: 'handbook.md', text: DOC_TEXT })];

/** plain answers with the question; rag with its first hit (the gold passage for q1 and q2, a miss for q3). */
export function makeResult(item: TestItem, method: MethodId, promptTokens: number): EvalItemResult {
  const i = ITEMS.indexOf(item);
  const rag = method === 'rag';
  const hits = rag
    ? [hit(i, i === 2 ? 'Unrelated text.' : GOLD[i] ?? 'Nothing.')]
    : [];
  const answer = rag ? (i === 3 ? 'The context does not contain the answer.' : `${hits[0].text} [1]`) : item.question;
  const usage = { promptTokens, outputTokens: 10, ttftMs: 20, totalMs: 200 + promptTokens, decodeTps: 40 };
  return {
    itemId: item.id, method, answer, stopped: 'eos', messages: [{ role: 'user', content: item.question }],
    partTokens: { system: 1, instruction: 0, examples: 0, context: 0, question: 3 }, hits, contextIds: hits.map((h) => h.chunkId), examplesUsed: [],
    retrievalMs: rag ? 5 : 0, usage,
    scores: scoreItem(item, { answer, hits, contextTexts: hits.map((h) => h.text), goldSpans: locateItemGold(item, DOCS), retrieves: rag, k: 2, usage, retrievalMs: rag ? 5 : 0 }),
    judge: null, thumb: null, finishedAt: 1_700_000_000_000 + i,
  };
}

function hit(i: number, text: string) {
  const start = DOC_TEXT.indexOf(text);
  return { chunkId: `d:${i}`, docId: 'd', docName: 'handbook.md', index: i, text, start, end: start + text.length, rank: 1, fused: 0.5 };
}

export function makeResults(): EvalItemResult[] {
  return ITEMS.flatMap((it) => [makeResult(it, 'plain', 20), makeResult(it, 'rag', 80)]);
}
