import { describe, expect, it } from 'vitest';
import { hybridSearch, rrf, type Hit } from '../../../src/retrieval/hybrid';
import { applyRerank } from '../../../src/retrieval/rerank';

const list = (...names: string[]) => names.map((id) => ({ id }));

describe('rrf', () => {
  it('sums 1/(60 + rank) over the lists (hand-computed)', () => {
    // dense [A, B, C], sparse [B, D, A]
    //   B = 1/62 + 1/61 = 0.016129 + 0.016393 = 0.032522
    //   A = 1/61 + 1/63 = 0.016393 + 0.015873 = 0.032266
    //   D = 1/62 = 0.016129;  C = 1/63 = 0.015873
    const fused = rrf([list('A', 'B', 'C'), list('B', 'D', 'A')]);
    expect(fused.map((f) => [f.id, Number(f.score.toFixed(6)), f.ranks])).toEqual([
      ['B', 0.032522, [2, 1]],
      ['A', 0.032266, [1, 3]],
      ['D', 0.016129, [null, 2]],
      ['C', 0.015873, [3, null]],
    ]);
  });

  it('honours a custom k: k = 1 gives A = 1/2 + 1/4 = 0.75, B = 1/3 + 1/2 = 0.8333, C = 1/3', () => {
    const fused = rrf([list('A', 'B'), list('B', 'C', 'A')], 1);
    expect(fused.map((f) => [f.id, Number(f.score.toFixed(4))])).toEqual([
      ['B', 0.8333],
      ['A', 0.75],
      ['C', 0.3333],
    ]);
  });

  it('orders equal scores by best rank, then by list', () => {
    // X (dense 1) and Y (sparse 1) both 1/61; Z (dense 2) and W (sparse 2) both 1/62.
    expect(rrf([list('X', 'Z'), list('Y', 'W')]).map((f) => f.id)).toEqual(['X', 'Y', 'Z', 'W']);
  });

  it('counts an id repeated within one list at its best rank only', () => {
    const [a, b] = rrf([list('A', 'A', 'B')]);
    expect([a.id, a.score, a.ranks]).toEqual(['A', 1 / 61, [1]]);
    expect([b.id, b.score, b.ranks]).toEqual(['B', 1 / 63, [3]]);
  });

  it('returns nothing for no lists or empty lists', () => {
    expect(rrf([])).toEqual([]);
    expect(rrf([[], []])).toEqual([]);
  });
});

describe('hybridSearch', () => {
  const dense = [
    { id: 'A', score: 0.9 },
    { id: 'B', score: 0.8 },
    { id: 'C', score: 0.7 },
  ];
  const sparse = [
    { id: 'B', score: 12.5 },
    { id: 'D', score: 7.25 },
    { id: 'A', score: 3 },
  ];

  it('fuses both methods and keeps each method\'s score and rank', () => {
    expect(hybridSearch({ dense, sparse, k: 3 })).toEqual([
      { id: 'B', fused: 1 / 62 + 1 / 61, rank: 1, dense: { score: 0.8, rank: 2 }, bm25: { score: 12.5, rank: 1 } },
      { id: 'A', fused: 1 / 61 + 1 / 63, rank: 2, dense: { score: 0.9, rank: 1 }, bm25: { score: 3, rank: 3 } },
      { id: 'D', fused: 1 / 62, rank: 3, bm25: { score: 7.25, rank: 2 } },
    ]);
  });

  it('keeps the dense order when BM25 is off', () => {
    expect(hybridSearch({ dense, k: 10 })).toEqual([
      { id: 'A', fused: 1 / 61, rank: 1, dense: { score: 0.9, rank: 1 } },
      { id: 'B', fused: 1 / 62, rank: 2, dense: { score: 0.8, rank: 2 } },
      { id: 'C', fused: 1 / 63, rank: 3, dense: { score: 0.7, rank: 3 } },
    ]);
  });

  it('keeps the BM25 order when dense is off', () => {
    const hits = hybridSearch({ sparse, k: 2 });
    expect(hits.map((h) => [h.id, h.rank, h.bm25, h.dense])).toEqual([
      ['B', 1, { score: 12.5, rank: 1 }, undefined],
      ['D', 2, { score: 7.25, rank: 2 }, undefined],
    ]);
  });

  it('returns nothing with both methods off or k = 0', () => {
    expect(hybridSearch({ k: 5 })).toEqual([]);
    expect(hybridSearch({ dense, sparse, k: 0 })).toEqual([]);
  });
});

describe('applyRerank', () => {
  const hits: Hit[] = hybridSearch({
    dense: [
      { id: 'A', score: 0.9 },
      { id: 'B', score: 0.8 },
      { id: 'C', score: 0.7 },
      { id: 'D', score: 0.6 },
    ],
    k: 4,
  });

  it('sorts by rerank score, stable on ties, renumbering rank but keeping the evidence', () => {
    const out = applyRerank(hits, [0.1, 0.9, 0.1, 0.5]);
    expect(out.map((h) => [h.id, h.rank, h.rerank, h.dense?.rank])).toEqual([
      ['B', 1, 0.9, 2],
      ['D', 2, 0.5, 4],
      ['A', 3, 0.1, 1],
      ['C', 4, 0.1, 3],
    ]);
    expect(hits[0].rerank).toBeUndefined(); // input untouched
  });

  it('puts NaN scores last and rejects a length mismatch', () => {
    expect(applyRerank(hits, [NaN, -5, 2, NaN]).map((h) => h.id)).toEqual(['C', 'B', 'A', 'D']);
    expect(() => applyRerank(hits, [1, 2])).toThrow(RangeError);
    expect(applyRerank([], [])).toEqual([]);
  });
});
