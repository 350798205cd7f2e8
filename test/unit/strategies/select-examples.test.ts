import { describe, expect, it } from 'vitest';
import { cosineSimilarity, selectExamples } from '../../../src/strategies/select-examples';
import type { Example } from '../../../src/strategies/types';

const bank: Example[] = ['a', 'b', 'c', 'd'].map((id) => ({ id, question: `q${id}`, answer: `a${id}` }));
const v = (...xs: number[]) => new Float32Array(xs);

describe('selectExamples', () => {
  it('takes the first k in bank order without vectors', () => {
    expect(selectExamples(bank, 2).map((e) => e.id)).toEqual(['a', 'b']);
    expect(selectExamples(bank, 10).map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(selectExamples(bank, 0)).toEqual([]);
  });
  it('ranks by cosine similarity, ties in bank order, missing vectors last', () => {
    const exampleVectors = new Map([
      ['a', v(0, 1)],
      ['b', v(1, 0)],
      ['c', v(2, 0)], // same direction as b: a tie, b comes first
      // d has no vector
    ]);
    const ids = (k: number) => selectExamples(bank, k, { questionVector: v(1, 0.1), exampleVectors }).map((e) => e.id);
    expect(ids(2)).toEqual(['b', 'c']);
    expect(ids(4)).toEqual(['b', 'c', 'a', 'd']);
  });
  it('cosine of zero vectors is 0', () => {
    expect(cosineSimilarity(v(0, 0), v(1, 0))).toBe(0);
    expect(cosineSimilarity(v(1, 0), v(1, 0))).toBeCloseTo(1, 12);
    expect(cosineSimilarity(v(1, 0), v(-1, 0))).toBeCloseTo(-1, 12);
  });
});
