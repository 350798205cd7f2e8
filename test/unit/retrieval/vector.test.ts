import { describe, expect, it } from 'vitest';
import { VectorIndex } from '../../../src/retrieval/vector';
import { rng } from './synthetic';

const f32 = (...rows: number[][]) => Float32Array.from(rows.flat());
const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

// Both the WebAssembly SIMD kernel and the JS fallback must behave identically.
for (const simd of [true, false]) {
  describe(`VectorIndex (${simd ? 'SIMD' : 'JS'})`, () => {
    function sample(): VectorIndex {
      const idx = new VectorIndex(4, { simd });
      idx.add(
        ['a', 'b', 'c', 'd', 'e'],
        f32([1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0], [2, 0, 0, 0], [0, 0, 3, 4]),
      );
      return idx;
    }

    it('uses the kernel only when asked', () => {
      expect(sample().accelerated).toBe(simd);
    });

    it('ranks by cosine; equal scores keep insertion order', () => {
      // d = 2·a normalizes to a: a tie, a first. b and e both score 0: b first.
      const hits = sample().topK(f32([1, 0, 0, 0]), 10);
      expect(ids(hits)).toEqual(['a', 'd', 'c', 'b', 'e']);
      expect(hits.map((h) => h.score)).toEqual([1, 1, expect.closeTo(Math.SQRT1_2, 6), 0, 0]);
    });

    it('normalizes the query and returns at most k (k > size returns all)', () => {
      const idx = sample();
      const hits = idx.topK(f32([0, 0, 0, 5]), 3);
      expect(ids(hits)).toEqual(['e', 'a', 'b']);
      expect(hits[0].score).toBeCloseTo(0.8, 6); // e = (0, 0, 0.6, 0.8)
      expect(idx.topK(f32([0, 0, 0, 5]), 0)).toEqual([]);
      expect(idx.topK(f32([0, 0, 0, 5]), 99)).toHaveLength(5);
    });

    it('keeps tie order after swap-with-last removal', () => {
      const idx = sample();
      expect(idx.remove('a')).toBe(true); // e moves into a's row
      expect(idx.remove('a')).toBe(false);
      expect(idx.size).toBe(4);
      expect(ids(idx.topK(f32([1, 0, 0, 0]), 10))).toEqual(['d', 'c', 'b', 'e']);
    });

    it('filters before the top-k cut', () => {
      expect(ids(sample().topK(f32([1, 0, 0, 0]), 2, (id) => id !== 'd'))).toEqual(['a', 'c']);
    });

    it('replaces an existing id, which then counts as newest', () => {
      const idx = sample();
      idx.add(['a'], f32([0, 1, 0, 0]));
      expect(idx.size).toBe(5);
      expect(ids(idx.topK(f32([0, 1, 0, 0]), 2))).toEqual(['b', 'a']);
    });

    it('keeps a zero vector as similarity 0', () => {
      const idx = sample();
      idx.add(['z'], f32([0, 0, 0, 0]));
      expect(idx.topK(f32([1, 0, 0, 0]), 10).at(-1)).toEqual({ id: 'z', score: 0 });
    });

    it('rejects bad input without changing anything', () => {
      const idx = sample();
      expect(() => idx.add(['x'], f32([1, 2, 3]))).toThrow(RangeError);
      expect(() => idx.add(['x', 'y'], f32([1, 0, 0, 0], [NaN, 0, 0, 0]))).toThrow(/non-finite/);
      expect(idx.has('x')).toBe(false);
      expect(idx.size).toBe(5);
      expect(() => idx.topK(f32([1, 0, 0]), 3)).toThrow(/dimensions/);
      expect(() => new VectorIndex(0)).toThrow(RangeError);
    });

    it('grows and shrinks its storage without losing rows', () => {
      const idx = new VectorIndex(8, { simd });
      const rand = rng(11);
      const n = 300;
      const data = Float32Array.from({ length: n * 8 }, () => rand() - 0.5);
      for (let i = 0; i < n; i += 50) idx.add(Array.from({ length: 50 }, (_, j) => `v${i + j}`), data.subarray(i * 8, (i + 50) * 8));
      expect(idx.capacity).toBeGreaterThanOrEqual(n);
      expect(idx.memoryBytes()).toBeGreaterThanOrEqual(idx.capacity * 8 * 4);
      for (let i = 0; i < 280; i++) idx.remove(`v${i}`);
      expect(idx.capacity).toBeLessThan(n);
      for (let i = 280; i < n; i++) expect(idx.topK(data.subarray(i * 8, (i + 1) * 8), 1)[0].id).toBe(`v${i}`);
    });
  });
}

describe('VectorIndex SIMD vs JS vs float64 reference', () => {
  it('falls back to JS when the dimension is not a multiple of 4', () => {
    const idx = new VectorIndex(3);
    expect(idx.accelerated).toBe(false);
    idx.add(['a', 'b'], f32([1, 0, 0], [0, 3, 4]));
    expect(idx.topK(f32([0, 0, 1]), 2)).toEqual([
      { id: 'b', score: expect.closeTo(0.8, 6) },
      { id: 'a', score: 0 },
    ]);
  });

  it('agree on random 384-dimensional data', () => {
    const dim = 384;
    const n = 500;
    const rand = rng(5);
    const data = Float32Array.from({ length: n * dim }, () => rand() - 0.5);
    const names = Array.from({ length: n }, (_, i) => `r${i}`);
    const simd = new VectorIndex(dim);
    const js = new VectorIndex(dim, { simd: false });
    simd.add(names, data);
    js.add(names, data);
    const norm = (r: number) => Math.hypot(...data.subarray(r * dim, (r + 1) * dim));
    for (let t = 0; t < 5; t++) {
      const q = Float32Array.from({ length: dim }, () => rand() - 0.5);
      const qn = Math.hypot(...q);
      const ref = names
        .map((id, r) => {
          let s = 0;
          for (let j = 0; j < dim; j++) s += data[r * dim + j] * q[j];
          return { id, score: s / norm(r) / qn };
        })
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      for (const got of [simd.topK(q, 10), js.topK(q, 10)]) {
        expect(ids(got)).toEqual(ids(ref));
        got.forEach((h, i) => expect(h.score).toBeCloseTo(ref[i].score, 5));
      }
    }
  });
});
