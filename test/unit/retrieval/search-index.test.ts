import { describe, expect, it } from 'vitest';
import { MemoryRowStore } from '../../../src/retrieval/row-store';
import { SearchIndex, type SearchIndexOptions } from '../../../src/retrieval/search-index';

const f32 = (...rows: number[][]) => Float32Array.from(rows.flat());
const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

// Every behaviour holds whichever way vectors are held.
const VARIANTS: [string, () => SearchIndexOptions][] = [
  ['f32', () => ({})],
  ['int8 + exact rows', () => ({ precision: 'int8', exact: new MemoryRowStore(4) })],
  ['int8 alone', () => ({ precision: 'int8', exact: null })],
];

for (const [variant, options] of VARIANTS) {
  const sample = (): SearchIndex => {
    const idx = new SearchIndex(undefined, options());
    idx.addChunks(
      [
        { id: 'leave:0', text: '年假：每年15天' },
        { id: 'leave:1', text: '病假需要证明' },
        { id: 'vpn:0', text: 'VPN password every 90 days' },
      ],
      f32([1, 0, 0, 0], [0.8, 0.6, 0, 0], [0, 0, 1, 0]),
      4,
    );
    return idx;
  };

  describe(`SearchIndex (${variant})`, () => {
    it('searches dense only, BM25 only, or both', () => {
      const idx = sample();
      const q = f32([0, 1, 0, 0]);
      expect(ids(idx.search('年假', q, { k: 3, dense: true, bm25: false }))).toEqual(['leave:1', 'leave:0', 'vpn:0']);
      expect(ids(idx.search('年假', q, { k: 3, dense: false, bm25: true }))).toEqual(['leave:0']);
      const both = idx.search('年假', q, { k: 3, dense: true, bm25: true });
      // leave:0 = 1/62 + 1/61 beats leave:1 = 1/61 (dense rank 1 only).
      expect(both.map((h) => [h.id, h.dense?.rank ?? null, h.bm25?.rank ?? null])).toEqual([
        ['leave:0', 2, 1],
        ['leave:1', 1, null],
        ['vpn:0', 3, null],
      ]);
    });

    it('takes `candidates` per method before fusion, never fewer than k', () => {
      const idx = sample();
      const q = f32([0, 1, 0, 0]);
      // One candidate each: dense leave:1 and BM25 leave:0 tie at 1/61; the dense list comes first.
      expect(ids(idx.search('年假', q, { k: 1, dense: true, bm25: true, candidates: 1 }))).toEqual(['leave:1']);
      expect(idx.search('年假', q, { k: 3, dense: true, bm25: true, candidates: 1 })).toHaveLength(3);
    });

    it('filters chunks in both methods', () => {
      const idx = sample();
      const onlyLeave = (id: string) => id.startsWith('leave:');
      const hits = idx.search('VPN 年假', f32([0, 0, 1, 0]), { k: 5, dense: true, bm25: true, filter: onlyLeave });
      expect(ids(hits).sort()).toEqual(['leave:0', 'leave:1']);
    });

    it('removes a whole document, chunk ids parsed at the last colon', () => {
      const idx = sample();
      idx.addChunks([{ id: 'a:b:0', text: 'VPN token' }]);
      expect(idx.stats()).toMatchObject({ documents: 3, chunks: 4, vectors: 3 });
      expect(idx.hasDocument('a:b')).toBe(true);
      expect(idx.removeDocument('leave')).toBe(2);
      expect(idx.removeDocument('leave')).toBe(0);
      expect(idx.removeDocument('a:b')).toBe(1);
      expect(ids(idx.search('年假 VPN', f32([1, 0, 0, 0]), { k: 5, dense: true, bm25: true }))).toEqual(['vpn:0']);
      expect(idx.stats()).toMatchObject({ documents: 1, chunks: 1, vectors: 1, dim: 4 });
    });

    it('tracks an explicit docId and moves a re-added chunk between documents', () => {
      const idx = new SearchIndex(undefined, options());
      idx.addChunks([{ id: 'c1', docId: 'doc-1', text: 'alpha' }]);
      idx.addChunks([{ id: 'c1', docId: 'doc-2', text: 'beta' }]);
      expect(idx.hasDocument('doc-1')).toBe(false);
      expect(idx.search('alpha', null, { k: 5, dense: false, bm25: true })).toEqual([]);
      expect(idx.removeDocument('doc-2')).toBe(1);
      expect(idx.stats().chunks).toBe(0);
    });

    it('drops the old vector when a chunk is re-added without one', () => {
      const idx = sample();
      idx.addChunks([{ id: 'vpn:0', text: 'VPN password' }]);
      expect(idx.stats().vectors).toBe(2);
      expect(ids(idx.search('', f32([0, 0, 1, 0]), { k: 5, dense: true, bm25: false }))).not.toContain('vpn:0');
    });

    it('finds nothing densely before any vector, and demands a query vector for dense search', () => {
      const idx = new SearchIndex(undefined, options());
      idx.addChunks([{ id: 'd:0', text: 'text only' }]);
      expect(idx.search('text', f32([1, 0]), { k: 5, dense: true, bm25: false })).toEqual([]);
      expect(ids(idx.search('text', f32([1, 0]), { k: 5, dense: true, bm25: true }))).toEqual(['d:0']);
      expect(() => idx.search('text', null, { k: 5, dense: true, bm25: true })).toThrow(/query vector/);
    });

    it('rejects vectors of another dimension or count', () => {
      const idx = sample();
      expect(() => idx.addChunks([{ id: 'x:0', text: 'x' }], f32([1, 0, 0]), 3)).toThrow(/dimensions/);
      expect(() => idx.addChunks([{ id: 'x:0', text: 'x' }], f32([1, 0, 0, 0, 1]))).toThrow(RangeError);
      expect(idx.stats()).toMatchObject({ chunks: 3, vectors: 3 });
    });

    it('reports query terms for highlighting and memory in stats', () => {
      const idx = sample();
      expect(idx.queryTerms('VPN 年假的')).toEqual(['vpn', '年假', '假的']);
      const s = idx.stats();
      expect(s.bytes).toBeGreaterThan(0);
      expect(typeof s.simd).toBe('boolean');
    });
  });
}

describe('SearchIndex stats', () => {
  it('say how vectors are held', () => {
    const held = VARIANTS.map(([, options]) => {
      const idx = new SearchIndex(4, options());
      idx.addChunks([{ id: 'a:0', text: 'x' }], f32([1, 0, 0, 0]), 4);
      const { precision, exactRows, vectorBytes, bytes } = idx.stats();
      expect(vectorBytes).toBeGreaterThan(0);
      expect(bytes).toBeGreaterThan(vectorBytes);
      return [precision, exactRows];
    });
    expect(held).toEqual([
      ['f32', null],
      ['int8', 'memory'],
      ['int8', null],
    ]);
  });
});
