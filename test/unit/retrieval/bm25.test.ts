import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../../src/retrieval/bm25';

// Hand arithmetic, k1 = 1.2, b = 0.75:
//   idf(n)        = ln(1 + (N − n + 0.5) / (n + 0.5))
//   score(tf, dl) = idf · tf · 2.2 / (tf + 1.2 · (0.25 + 0.75 · dl / avgdl))

function index(docs: Record<string, string>): Bm25Index {
  const idx = new Bm25Index();
  for (const [id, text] of Object.entries(docs)) idx.add(id, text);
  return idx;
}

const round = (hits: { id: string; score: number }[]) => hits.map((h) => [h.id, Number(h.score.toFixed(4))]);

describe('Bm25Index scores (English, hand-computed)', () => {
  // a = [cat, dog] (dl 2), b = [cat, cat, fish] (dl 3), c = [bird] (dl 1); N = 3, avgdl = 6/3 = 2.
  const idx = index({ a: 'cat dog', b: 'cat cat fish', c: 'bird' });

  it('"cat": n = 2 → idf = ln(1 + 1.5/2.5) = ln 1.6 = 0.470004', () => {
    // a: tf 1, dl 2 → 1 · 2.2 / (1 + 1.2 · 1)             = 1        → 0.470004
    // b: tf 2, dl 3 → 2 · 2.2 / (2 + 1.2 · 1.375 = 3.65)   = 1.205479 → 0.566580
    expect(round(idx.search('cat', 10))).toEqual([
      ['b', 0.5666],
      ['a', 0.47],
    ]);
  });

  it('"fish bird": n = 1 → idf = ln(1 + 2.5/1.5) = 0.980829', () => {
    // c: tf 1, dl 1 → 2.2 / (1 + 1.2 · 0.625 = 1.75) = 1.257143 → 1.233042
    // b: tf 1, dl 3 → 2.2 / (1 + 1.65 = 2.65)        = 0.830189 → 0.814273
    expect(round(idx.search('fish bird', 10))).toEqual([
      ['c', 1.233],
      ['b', 0.8143],
    ]);
  });

  it('sums over distinct query terms: "dog cat" on a = 0.980829 + 0.470004', () => {
    expect(round(idx.search('dog cat', 10))).toEqual([
      ['a', 1.4508],
      ['b', 0.5666],
    ]);
    // A repeated query term counts once.
    expect(round(idx.search('dog dog cat', 10))).toEqual(round(idx.search('dog cat', 10)));
  });

  it('is case-insensitive and ignores stopwords and unknown terms', () => {
    expect(round(idx.search('The CAT of zebra', 10))).toEqual(round(idx.search('cat', 10)));
    expect(idx.search('the zebra', 10)).toEqual([]);
    expect(idx.search('', 10)).toEqual([]);
  });
});

describe('Bm25Index scores (Chinese bigrams, hand-computed)', () => {
  // a: 年假 假十 十五 五天 (dl 4); b: 病假 (dl 1); c: 年假 假申 申请 (dl 3); N = 3, avgdl = 8/3.
  const idx = index({ a: '年假十五天', b: '病假', c: '年假申请' });

  it('"年假": n = 2, idf 0.470004; the shorter chunk wins', () => {
    // c: dl 3 → 1.2 · (0.25 + 0.75 · 3 · 3/8) = 1.3125 → 2.2 / 2.3125 = 0.951351 → 0.447139
    // a: dl 4 → 1.2 · (0.25 + 0.75 · 4 · 3/8) = 1.65   → 2.2 / 2.65   = 0.830189 → 0.390192
    expect(round(idx.search('年假', 10))).toEqual([
      ['c', 0.4471],
      ['a', 0.3902],
    ]);
  });

  it('"病假": n = 1, idf 0.980829, dl 1 → 1.2 · (0.25 + 0.75 · 3/8) = 0.6375 → 2.2/1.6375 = 1.343511', () => {
    expect(round(idx.search('病假？', 10))).toEqual([['b', 1.3178]]);
  });

  it('"请假申请" matches c through two of its three bigrams: 2 · 0.980829 · 0.951351', () => {
    expect(round(idx.search('请假申请', 10))).toEqual([['c', 1.8662]]);
  });
});

describe('Bm25Index behaviour', () => {
  it('breaks ties by insertion order; re-adding an id moves it to the end', () => {
    const idx = index({ x: 'same text', y: 'same text', z: 'same text' });
    expect(idx.search('same', 10).map((h) => h.id)).toEqual(['x', 'y', 'z']);
    idx.add('x', 'same text');
    expect(idx.search('same', 10).map((h) => h.id)).toEqual(['y', 'z', 'x']);
    expect(idx.size).toBe(3);
  });

  it('handles k bounds and filters before the cut', () => {
    const idx = index({ a: 'cat dog', b: 'cat cat fish', c: 'bird' });
    expect(idx.search('cat', 0)).toEqual([]);
    expect(idx.search('cat', 1).map((h) => h.id)).toEqual(['b']);
    expect(idx.search('cat', 100).map((h) => h.id)).toEqual(['b', 'a']);
    expect(idx.search('cat', 1, (id) => id !== 'b').map((h) => h.id)).toEqual(['a']);
  });

  it('reports distinct query terms in order', () => {
    expect(new Bm25Index().termsOf('年假 VPN 年假 the vpn')).toEqual(['年假', 'vpn']);
  });

  it('after removals scores equal a fresh index of the survivors (N, df and avgdl all updated)', () => {
    const docs = { a: 'cat dog', b: 'cat cat fish', c: 'bird', d: 'dog bird fish fish' };
    const idx = index(docs);
    expect(idx.remove('d')).toBe(true);
    expect(idx.remove('d')).toBe(false);
    expect(idx.has('d')).toBe(false);
    const fresh = index({ a: docs.a, b: docs.b, c: docs.c });
    for (const q of ['cat', 'fish bird', 'dog cat', 'fish']) expect(idx.search(q, 10)).toEqual(fresh.search(q, 10));
    expect(idx.size).toBe(3);
  });

  it('compacts many tombstones without changing results or tie order', () => {
    const idx = new Bm25Index();
    const fresh = new Bm25Index();
    for (let i = 0; i < 900; i++) idx.add(`d${i}`, `word${i % 7} 词${i % 5}语 common`);
    for (let i = 0; i < 900; i++) if (i % 3 !== 0) idx.remove(`d${i}`); // 600 dead > 300 live: compacts
    for (let i = 0; i < 900; i += 3) fresh.add(`d${i}`, `word${i % 7} 词${i % 5}语 common`);
    for (const q of ['word3', '词2语', 'common word1 词4']) expect(idx.search(q, 50)).toEqual(fresh.search(q, 50));
    idx.add('new', 'word3 fresh');
    fresh.add('new', 'word3 fresh');
    expect(idx.search('word3 fresh', 5)).toEqual(fresh.search('word3 fresh', 5));
    expect(idx.memoryBytes()).toBeGreaterThan(0);
  });

  it('resets when the last document goes', () => {
    const idx = index({ a: 'cat' });
    idx.remove('a');
    expect(idx.size).toBe(0);
    expect(idx.search('cat', 5)).toEqual([]);
    idx.add('b', 'cat');
    expect(idx.search('cat', 5).map((h) => h.id)).toEqual(['b']);
  });

  it('caps tf at 255 without spilling into the document number', () => {
    const idx = index({ a: 'spam '.repeat(300), b: 'ham' });
    expect(idx.search('spam', 5).map((h) => h.id)).toEqual(['a']);
    expect(idx.search('ham', 5).map((h) => h.id)).toEqual(['b']);
  });

  it('indexes a document without terms but never returns it', () => {
    const idx = index({ empty: '。。。', a: 'cat' });
    expect(idx.has('empty')).toBe(true);
    expect(idx.search('cat', 5).map((h) => h.id)).toEqual(['a']);
  });
});
