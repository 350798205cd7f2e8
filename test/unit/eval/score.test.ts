// Scoring one answer: answer metrics, lexical support, refusal, and retrieval by position against gold
// passages located in the document (or by the gold document's name when no passage is given).
import { describe, expect, it } from 'vitest';
import { locateItemGold, prepareDocument } from '../../../src/eval/gold';
import { retrievalScores, sameDocName, scoreItem, type ScoreInput, type ScoredChunk } from '../../../src/eval/score';
import type { TestItem } from '../../../src/store/db';

const GOLD = 'New employees get fifteen days of paid annual leave in their first year.';
const TEXT = `## Annual leave\n\n${GOLD} Unused days carry over.\n\n## Travel\n\nTaxi receipts above 200 yuan need approval. VPN passwords change every ninety days.`;
const DOCS = [prepareDocument({ docId: 'h', name: 'handbook.md', text: TEXT })];
const item: TestItem = { id: 'q1', question: 'How many days of annual leave do new employees get?', answer: 'fifteen days', goldPassages: [GOLD], goldDocument: 'handbook.md', tags: [] };
const spans = locateItemGold(item, DOCS);
const usage = { promptTokens: 100, outputTokens: 20, ttftMs: 50, totalMs: 400, decodeTps: 50 };

/** A chunk of TEXT by its text, with its real offsets. */
function chunk(id: string, text: string, docName = 'handbook.md'): ScoredChunk & { text: string } {
  const start = TEXT.indexOf(text);
  if (start < 0) throw new Error(`not in the document: ${text}`);
  return { chunkId: id, docId: 'h', docName, start, end: start + text.length, text };
}

describe('retrievalScores by position', () => {
  const x = chunk('x', 'Taxi receipts above 200 yuan need approval.');
  const g = chunk('g', `${GOLD} Unused days carry over.`);
  const y = chunk('y', 'VPN passwords change every ninety days.');
  it('locates the gold passage once, then scores ranges: gold at rank 2 of k = 3', () => {
    expect(spans).toEqual([{ docId: 'h', start: TEXT.indexOf(GOLD), end: TEXT.indexOf(GOLD) + GOLD.length - 1, match: 'exact', edits: 0, occurrences: 1 }]);
    expect(retrievalScores([x, g, y], item, spans, 3)).toEqual({ k: 3, hit: 1, recall: 1, precision: 1 / 3, rr: 0.5, goldChunkIds: ['g'], located: 1, unlocated: 0 });
  });
  it('k = 1 misses it: everything 0, not null', () => {
    expect(retrievalScores([x, g, y], item, spans, 1)).toMatchObject({ hit: 0, recall: 0, precision: 0, rr: 0, goldChunkIds: [] });
  });
  it('a passage split over two chunks: recall 1, and hit and MRR agree with it (they did not with bags of words)', () => {
    const p1 = chunk('p1', 'New employees get fifteen days of paid annual'); // 45 of the span's 72 characters
    const p2 = chunk('p2', 'annual leave in their first year.'); // 33 characters, all inside: too short to cover half
    const other = chunk('o', 'Unused days carry over.');
    expect(retrievalScores([other, p1, p2], item, spans, 3)).toMatchObject({ hit: 1, recall: 1, rr: 0.5, goldChunkIds: ['p1', 'p2'] });
    // p2 alone is gold text (a relevant chunk) but covers less than half of the passage: not recalled.
    expect(retrievalScores([other, p2], item, spans, 2)).toMatchObject({ hit: 1, recall: 0, rr: 0.5 });
  });
  it('a chunk that shares the words but sits elsewhere is not gold', () => {
    const echo = { ...chunk('e', 'Taxi receipts above 200 yuan need approval.'), docId: 'other' };
    expect(retrievalScores([echo], item, spans, 1)!.hit).toBe(0);
  });
  it('gold document by name when the item has no passage; null with no gold at all', () => {
    const docItem = { goldPassages: [], goldDocument: 'Handbook' };
    expect(retrievalScores([chunk('a', 'Unused days carry over.', 'other.md'), chunk('b', 'Unused days', 'handbook.md')], docItem, [], 2)).toEqual({
      k: 2, hit: 1, recall: 1, precision: 0.5, rr: 0.5, goldChunkIds: ['b'], located: 1, unlocated: 0,
    });
    expect(retrievalScores([x], { goldPassages: [] }, [], 3)).toBeNull();
    expect(() => retrievalScores([x], item, [], 3)).toThrow(RangeError);
    expect(sameDocName(' Report.PDF', 'report')).toBe(true);
    expect(sameDocName('', '')).toBe(false);
  });
  it('a passage found in no document leaves recall to the others and is counted', () => {
    const two = { ...item, goldPassages: [GOLD, 'Parking is free on weekends.'] };
    const s2 = locateItemGold(two, DOCS);
    expect(s2[1]).toBeNull();
    expect(retrievalScores([g], two, s2, 1)).toMatchObject({ recall: 1, located: 1, unlocated: 1 });
  });
});

describe('scoreItem', () => {
  const base: Omit<ScoreInput, 'answer'> = { hits: [], contextTexts: [], goldSpans: spans, retrieves: false, k: 4, usage, retrievalMs: 0 };
  it('answer metrics ignore citation markers; containment and lexical support', () => {
    const g = chunk('g', GOLD);
    const s = scoreItem(item, { ...base, answer: 'Fifteen days [1].', retrieves: true, hits: [g], contextTexts: [GOLD] });
    expect(s.em).toBe(1);
    expect(s.f1).toBe(1);
    expect(s.rougeL).toBe(1);
    expect(s.recall).toBe(1);
    // 2 of the passage's 13 word tokens ("fifteen", "days").
    expect(s.containment).toBeCloseTo(2 / 13, 10);
    expect(s.lexicalSupport).toBe(1);
    expect(s.refused).toBe(false);
    expect(s.retrieval?.hit).toBe(1);
    expect(s.promptTokens).toBe(100);
    expect(s.tps).toBe(50);
  });
  it('plain lane: no context → lexical support 0 and no retrieval scores', () => {
    const s = scoreItem(item, { ...base, answer: 'Fifteen days.' });
    expect(s.lexicalSupport).toBe(0);
    expect(s.retrieval).toBeNull();
  });
  it('cost counts the extra model calls of a lane with steps; time to first token and decode speed stay the answer\'s', () => {
    const check = { promptTokens: 300, outputTokens: 60, ttftMs: 90, totalMs: 1200, decodeTps: 40 };
    const rewrite = { promptTokens: 80, outputTokens: 25, ttftMs: 30, totalMs: 500, decodeTps: 45 };
    const s = scoreItem(item, { ...base, answer: 'Fifteen days.', stepUsage: [rewrite, check] });
    expect([s.promptTokens, s.outputTokens, s.totalMs]).toEqual([100 + 80 + 300, 20 + 25 + 60, 400 + 500 + 1200]);
    expect([s.ttftMs, s.tps]).toEqual([50, 50]);
    expect(s.steps).toEqual({ calls: 2, promptTokens: 380, outputTokens: 85, totalMs: 1700 });
    const plain = scoreItem(item, { ...base, answer: 'Fifteen days.', stepUsage: [] });
    expect([plain.promptTokens, plain.outputTokens, plain.totalMs, plain.steps]).toEqual([100, 20, 400, undefined]);
  });
  it('unanswerable: no answer metrics; refusal detected', () => {
    const u = { ...item, answer: '', goldPassages: [], goldDocument: undefined };
    const s = scoreItem(u, { ...base, goldSpans: [], answer: 'The context does not contain the answer.' });
    expect(s).toMatchObject({ answerable: false, em: null, f1: null, rougeL: null, recall: null, containment: null, refused: true });
  });
  it('Chinese by characters; ROUGE-L as rouge-score on English keeps the articles', () => {
    const zh: TestItem = { id: 'z', question: '新员工有几天年假？', answer: '十五天', goldPassages: [], tags: [] };
    const s = scoreItem(zh, { ...base, goldSpans: [], answer: '新员工有十五天年假。' });
    // pred 9 chars, ref 3 chars, all 3 found: P = 3/9, R = 1, F1 = 0.5
    expect(s.f1).toBeCloseTo(0.5, 10);
    expect(s.recall).toBe(1);
    expect(s.em).toBe(0);
    const en = scoreItem({ ...item, answer: 'cat sat on mat' }, { ...base, answer: 'The cat sat on the mat.' });
    expect(en.rougeL).toBeCloseTo(0.8, 15); // rouge-score rougeL
    expect(en.f1).toBe(1); // SQuAD drops the articles
  });
});
