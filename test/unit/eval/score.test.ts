import { describe, expect, it } from 'vitest';
import { isGoldChunk, retrievalScores, sameDocName, scoreItem, type ScoreInput } from '../../../src/eval/score';
import type { TestItem } from '../../../src/store/db';

const GOLD = 'New employees get fifteen days of paid annual leave in their first year.';
const item: TestItem = { id: 'q1', question: 'How many days of annual leave do new employees get?', answer: 'fifteen days', goldPassages: [GOLD], tags: [] };
const usage = { promptTokens: 100, outputTokens: 20, ttftMs: 50, totalMs: 400, decodeTps: 50 };
const chunk = (id: string, text: string, docName = 'handbook.md') => ({ chunkId: id, docName, text });

describe('gold chunks', () => {
  it('a chunk holding the passage, or lying inside it, is gold; an unrelated one is not', () => {
    expect(isGoldChunk(chunk('a', `## Annual leave\n\n${GOLD} Unused days carry over.`), item)).toBe(true);
    expect(isGoldChunk(chunk('b', 'fifteen days of paid annual leave in their first year'), item)).toBe(true);
    expect(isGoldChunk(chunk('c', 'Taxi receipts above 200 yuan need approval.'), item)).toBe(false);
  });
  it('gold document by name, ignoring case and extension, only without gold passages', () => {
    const docItem = { goldPassages: [], goldDocument: 'Handbook' };
    expect(isGoldChunk(chunk('a', 'anything', 'handbook.md'), docItem)).toBe(true);
    expect(isGoldChunk(chunk('a', 'anything', 'other.md'), docItem)).toBe(false);
    expect(sameDocName(' Report.PDF', 'report')).toBe(true);
    expect(sameDocName('', '')).toBe(false);
  });
});

describe('retrievalScores', () => {
  const hits = [chunk('x', 'Taxi receipts above 200 yuan.'), chunk('g', GOLD), chunk('y', 'VPN passwords change every ninety days.')];
  it('hand-computed: gold at rank 2 of k = 3', () => {
    expect(retrievalScores(hits, item, 3)).toEqual({ k: 3, hit: 1, recall: 1, precision: 1 / 3, rr: 0.5, goldChunkIds: ['g'] });
  });
  it('k = 1 misses it: everything 0, not null', () => {
    expect(retrievalScores(hits, item, 1)).toEqual({ k: 1, hit: 0, recall: 0, precision: 0, rr: 0, goldChunkIds: ['g'] });
  });
  it('two gold passages, one found → recall 0.5', () => {
    const two = { ...item, goldPassages: [GOLD, 'Unused days carry over until the end of March.'] };
    expect(retrievalScores(hits, two, 3)?.recall).toBe(0.5);
  });
  it('a passage split over two retrieved chunks counts as recalled', () => {
    const split = [chunk('p1', 'New employees get fifteen days of paid'), chunk('p2', 'annual leave in their first year.')];
    const r = retrievalScores(split, item, 2)!;
    expect(r.recall).toBe(1);
    expect(r.goldChunkIds).toEqual(['p1', 'p2']);
    expect(r.precision).toBe(1);
  });
  it('no gold at all → null', () => {
    expect(retrievalScores(hits, { goldPassages: [] }, 3)).toBeNull();
  });
});

describe('scoreItem', () => {
  const base: Omit<ScoreInput, 'answer'> = { hits: [], contextTexts: [], retrieves: false, k: 4, usage, retrievalMs: 0 };
  it('answer metrics ignore citation markers; containment and groundedness', () => {
    const s = scoreItem(item, { ...base, answer: 'Fifteen days [1].', retrieves: true, hits: [chunk('g', GOLD)], contextTexts: [GOLD] });
    expect(s.em).toBe(1);
    expect(s.f1).toBe(1);
    expect(s.rougeL).toBe(1);
    expect(s.recall).toBe(1);
    // 2 of the passage's 13 word tokens ("fifteen", "days").
    expect(s.containment).toBeCloseTo(2 / 13, 10);
    expect(s.groundedness).toBe(1);
    expect(s.refused).toBe(false);
    expect(s.retrieval?.hit).toBe(1);
    expect(s.promptTokens).toBe(100);
    expect(s.tps).toBe(50);
  });
  it('plain lane: no context → groundedness 0 and no retrieval scores', () => {
    const s = scoreItem(item, { ...base, answer: 'Fifteen days.' });
    expect(s.groundedness).toBe(0);
    expect(s.retrieval).toBeNull();
  });
  it('unanswerable: no answer metrics; refusal detected', () => {
    const u = { ...item, answer: '', goldPassages: [] };
    const s = scoreItem(u, { ...base, answer: 'The context does not contain the answer.' });
    expect(s).toMatchObject({ answerable: false, em: null, f1: null, rougeL: null, recall: null, containment: null, refused: true });
  });
  it('Chinese by characters', () => {
    const zh: TestItem = { id: 'z', question: '新员工有几天年假？', answer: '十五天', goldPassages: [], tags: [] };
    const s = scoreItem(zh, { ...base, answer: '新员工有十五天年假。' });
    // pred 9 chars, ref 3 chars, all 3 found: P = 3/9, R = 1, F1 = 0.5
    expect(s.f1).toBeCloseTo(0.5, 10);
    expect(s.recall).toBe(1);
    expect(s.em).toBe(0);
  });
});
