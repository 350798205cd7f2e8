import { describe, expect, it } from 'vitest';
import { B, Bm25Index, K1 } from '../../../src/retrieval/bm25';
import { terms } from '../../../src/retrieval/tokenize';
import { mulberry32 as rng } from '../../../src/eval/stats';

// Where a posting is held (editable tail, varint runs, raw Int32 runs of frequent terms) must never
// change a score. These indexes see the same adds and removes; one never freezes, one freezes all the
// time, one freezes by hand — and all must answer exactly like BM25 computed from scratch.

// Zipf-like vocabulary: the first words occur in most documents (raw runs), the tail in few (varint).
const VOCAB = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`);
function doc(r: () => number): string {
  const n = 3 + Math.floor(r() * 25);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(VOCAB[Math.floor(VOCAB.length * r() ** 3)]);
  if (r() < 0.3) words.push('年假每年十天');
  return words.join(' ');
}

/** BM25 from its definition (Lucene idf, k1 1.2, b 0.75) over the live documents. */
function reference(live: Map<string, string>, query: string, k: number): { id: string; score: number }[] {
  const tf = new Map<string, Map<string, number>>();
  const len = new Map<string, number>();
  let total = 0;
  for (const [id, text] of live) {
    const ts = terms(text);
    len.set(id, ts.length);
    total += ts.length;
    const m = new Map<string, number>();
    for (const t of ts) m.set(t, Math.min(255, (m.get(t) ?? 0) + 1));
    tf.set(id, m);
  }
  const N = live.size;
  const avgdl = total / N;
  const q = [...new Set(terms(query))];
  const df = new Map(q.map((t) => [t, [...tf.values()].filter((m) => m.has(t)).length]));
  const scores: { id: string; score: number }[] = [];
  for (const [id, m] of tf) {
    let s = 0;
    for (const t of q) {
      const f = m.get(t);
      if (!f) continue;
      const n = df.get(t)!;
      const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
      s += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * len.get(id)!) / avgdl));
    }
    if (s > 0) scores.push({ id, score: s });
  }
  return scores.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, k);
}

const QUERIES = ['w0x w1x', 'w2x w5x wax', 'w1x', '年假 十天', 'w3x w4x w6x w7x w8x w9x', `${VOCAB[300]} w0x`, 'nothing here'];

/**
 * Same scores rank by rank; the same ids for every score above the last one (documents that tie may
 * come in either order, and a tie at the cut may keep either of them).
 */
function expectSame(a: { id: string; score: number }[], b: { id: string; score: number }[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((h, i) => expect(h.score).toBeCloseTo(b[i].score, 9));
  const last = b.at(-1)?.score ?? 0;
  const above = (hits: { id: string; score: number }[]) => hits.filter((h) => h.score > last + 1e-9).map((h) => h.id).sort();
  expect(above(a)).toEqual(above(b));
}

describe('Bm25Index: frozen, raw and tail postings score alike', () => {
  it('adds, removes and re-adds across freezes give the scores of BM25 computed from scratch', () => {
    const r = rng(7);
    const never = new Bm25Index({ freezeAt: Infinity });
    const often = new Bm25Index({ freezeAt: 64 });
    const byHand = new Bm25Index({ freezeAt: Infinity });
    const all = [never, often, byHand];
    const live = new Map<string, string>();
    let next = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 700; i++) {
        const id = `d${next++}`;
        const text = doc(r);
        live.set(id, text);
        for (const idx of all) idx.add(id, text);
      }
      // Tombstones in frozen and tail runs alike, some of them then compacted away.
      for (const id of [...live.keys()]) {
        if (r() < 0.15) {
          live.delete(id);
          for (const idx of all) expect(idx.remove(id)).toBe(true);
        }
      }
      byHand.freeze();
      for (const q of QUERIES) {
        const want = reference(live, q, 10);
        for (const idx of all) expectSame(idx.search(q, 10), want);
      }
    }
    expect(never.size).toBe(live.size);
    // The test covers what it claims: frequent terms went raw, the rest varint, and the tail was used.
    const m = often.memory();
    expect(m.rawPostings).toBeGreaterThan(0);
    expect(m.frozenPostings).toBeGreaterThan(m.rawPostings);
    expect(never.memory().frozenPostings).toBe(0);
  });

  it('a filter and re-adding a removed id behave the same frozen or not', () => {
    const r = rng(11);
    const never = new Bm25Index({ freezeAt: Infinity });
    const often = new Bm25Index({ freezeAt: 16 });
    const texts: string[] = [];
    for (let i = 0; i < 900; i++) texts.push(doc(r));
    texts.forEach((t, i) => {
      never.add(`d${i}`, t);
      often.add(`d${i}`, t);
    });
    often.freeze();
    for (const idx of [never, often]) {
      idx.remove('d3');
      idx.add('d3', 'w0x w0x w0x 年假每年十天');
    }
    const even = (id: string) => Number(id.slice(1)) % 2 === 0;
    for (const q of QUERIES) {
      expectSame(often.search(q, 20, even), never.search(q, 20, even));
      expectSame(often.search(q, 5), never.search(q, 5));
    }
  });

  it('freezing shrinks the postings (varint runs) without changing the answer', () => {
    const r = rng(3);
    const idx = new Bm25Index({ freezeAt: Infinity });
    for (let i = 0; i < 3000; i++) idx.add(`d${i}`, doc(r));
    const before = idx.search('w1x w9x', 10);
    const tailBytes = idx.memory().tail;
    idx.freeze();
    const m = idx.memory();
    expect(m.tailPostings).toBe(0);
    expect(m.frozen).toBeLessThan(tailBytes);
    expectSame(idx.search('w1x w9x', 10), before);
  });
});
