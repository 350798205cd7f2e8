import { describe, expect, it } from 'vitest';
import { isGoldChunk } from '../../../src/eval/gold';
import { hitAtK, mrr, recallAtK } from '../../../src/eval/metrics';
import { AbortError, AppError } from '../../../src/protocol/errors';
import { rng } from './synthetic';
import {
  coversHalfOfSpan,
  expandGrid,
  pairedValues,
  runSweep,
  scoreItem,
  settingLabel,
  type EmbedFn,
  type SweepDocument,
  type SweepItem,
} from '../../../src/retrieval/sweep';

describe('coversHalfOfSpan', () => {
  const span = { docId: 'd', start: 100, end: 200 };
  it('is true when the chunk covers at least half of the span, in the same document (as src/eval/gold.ts)', () => {
    expect(coversHalfOfSpan(span, { docId: 'd', start: 150, end: 400 })).toBe(true); // exactly half
    expect(coversHalfOfSpan(span, { docId: 'd', start: 151, end: 400 })).toBe(false);
    expect(coversHalfOfSpan(span, { docId: 'd', start: 0, end: 1000 })).toBe(true);
    expect(coversHalfOfSpan(span, { docId: 'e', start: 0, end: 1000 })).toBe(false);
    expect(coversHalfOfSpan({ docId: 'd', start: 5, end: 5 }, { docId: 'd', start: 0, end: 10 })).toBe(false);
    // A chunk shorter than half the span counts when at least half of it is inside.
    expect(coversHalfOfSpan(span, { docId: 'd', start: 90, end: 110 })).toBe(true);
    expect(coversHalfOfSpan(span, { docId: 'd', start: 85, end: 105 })).toBe(false);
    expect(coversHalfOfSpan(span, { docId: 'd', start: 0, end: 100 })).toBe(false);
  });

  it("agrees with the evaluation's gold rule on random spans and chunks (differential)", () => {
    const rand = rng(5);
    for (let i = 0; i < 20000; i++) {
      const s = Math.floor(rand() * 100);
      const c = Math.floor(rand() * 100);
      const sp = { docId: rand() < 0.95 ? 'd' : 'e', start: s, end: s + Math.floor(rand() * 40) };
      const ch = { docId: 'd', start: c, end: c + 1 + Math.floor(rand() * 40) };
      expect(coversHalfOfSpan(sp, ch), JSON.stringify([sp, ch])).toBe(isGoldChunk({ chunkId: 'x', ...ch }, [sp]));
    }
  });
});

describe('scoreItem', () => {
  const item: SweepItem = {
    id: 'q',
    question: '?',
    gold: [
      { docId: 'a', start: 0, end: 10, passage: 0 },
      { docId: 'a.pdf', start: 50, end: 60, passage: 0 }, // the same passage in a copy
      { docId: 'b', start: 0, end: 10, passage: 1 },
    ],
  };
  const c = (docId: string, start: number, end: number) => ({ id: `${docId}@${start}`, docId, start, end });
  const ranked = [c('x', 0, 10), c('a.pdf', 45, 70), c('y', 0, 5), c('a', 0, 10), c('b', 0, 10)];

  it('agrees with the metrics module on hit@k, recall@k (per gold passage) and reciprocal rank', () => {
    const s = scoreItem(item, ranked, [1, 2, 4, 5], 10);
    // Chunk ids that are gold for passage 0 (a.pdf@45, a@0) and passage 1 (b@0): recall counts passages,
    // so the reference gets one id per passage, the first that appears.
    const ids = ranked.map((x) => x.id);
    expect(s.hit).toEqual([1, 2, 4, 5].map((k) => hitAtK(ids, ['a.pdf@45', 'a@0', 'b@0'], k)));
    expect(s.recall).toEqual([1, 2, 4, 5].map((k) => recallAtK(ids, ['a.pdf@45', 'b@0'], k)));
    expect(s.recall).toEqual([0, 0.5, 0.5, 1]);
    expect(s.rr).toBe(mrr(ids, ['a.pdf@45', 'a@0', 'b@0']));
    expect(s.rr).toBe(0.5);
    expect(s.firstGoldRank).toBe(2);
  });

  it('gives 0 past the MRR cut-off and null without gold', () => {
    expect(scoreItem(item, ranked, [1], 1).rr).toBe(0);
    expect(scoreItem({ ...item, gold: [] }, ranked, [1, 5], 10)).toMatchObject({ hit: [null, null], recall: [null, null], rr: null });
  });
});

// Three small documents whose option sections look alike: only the document's name tells them apart.
const DOCS: SweepDocument[] = [
  { id: 'redis', name: 'redis.conf', text: 'maxmemory-policy\n\nallkeys-lru evicts any key using approximated LRU.', sections: [] },
  { id: 'ssh', name: 'sshd_config.txt', text: 'Options\n\nThe -C flag requests compression of all data.', sections: [] },
  { id: 'curl', name: 'curl.md', text: 'Options\n\nThe -C flag continues a transfer at the given offset.', sections: [] },
  { id: 'curl-copy', name: 'curl.pdf', text: 'Options\n\nThe -C flag continues a transfer at the given offset.\n\n- 1 -', sections: [] },
];
for (const d of DOCS) d.sections = [{ start: 0, end: d.text.length }];
const gold = (docId: string, needle: string) => {
  const d = DOCS.find((x) => x.id === docId)!;
  const start = d.text.indexOf(needle);
  return { docId, start, end: start + needle.length };
};
const ITEMS: SweepItem[] = [
  { id: 'lru', question: 'What does allkeys-lru do?', gold: [gold('redis', 'allkeys-lru evicts any key')] },
  { id: 'curl-c', question: 'In curl, what does -C do?', gold: [{ ...gold('curl', 'continues a transfer'), passage: 0 }, { ...gold('curl-copy', 'continues a transfer'), passage: 0 }] },
  { id: 'ssh-c', question: 'What does -C do for sshd_config?', gold: [gold('ssh', 'requests compression')] },
];

/** A stand-in embedder (the dependency the sweep injects): hashed bag of lowercase words, L2-normalized. */
const bagEmbed: EmbedFn = async (texts) => {
  const dim = 64;
  const data = new Float32Array(texts.length * dim);
  texts.forEach((t, i) => {
    for (const w of t.toLowerCase().match(/[a-z0-9-]+/g) ?? []) {
      let h = 0;
      for (const ch of w) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      data[i * dim + (h % dim)] += 1;
    }
    let n = 0;
    for (let j = 0; j < dim; j++) n += data[i * dim + j] ** 2;
    for (let j = 0; j < dim; j++) data[i * dim + j] /= Math.sqrt(n) || 1;
  });
  return { data, dim };
};

describe('runSweep', () => {
  const grid = { sizes: [50], overlaps: [0], modes: ['bm25'] as const, headers: [false, true] };

  it('expands the grid chunking-major and labels settings', () => {
    const all = expandGrid({ sizes: [100, 200], overlaps: [0, 20], modes: ['bm25', 'hybrid'], headers: [true], dedupe: [false, true] });
    expect(all).toHaveLength(16);
    expect(all[0]).toEqual({ unit: 'tokens', size: 100, overlap: 0, mode: 'bm25', headers: true, dedupe: false });
    expect(settingLabel(all[3])).toBe('100/0 tokens · hybrid · headers · dedupe');
  });

  it('scores BM25 with and without headers: the document name decides between look-alike sections', async () => {
    const { results, skipped } = await runSweep(DOCS, ITEMS, { ...grid, modes: ['bm25'] }, {}, { ks: [1, 3] });
    expect(skipped).toEqual([]);
    const [plain, headers] = results;
    expect(plain.setting.headers).toBe(false);
    expect(headers.setting.headers).toBe(true);
    expect(headers.chunks).toBe(4);
    // With headers, "sshd_config" and "curl" are terms of their chunks: both -C questions rank their own document first.
    expect(headers.items.map((s) => s.firstGoldRank)).toEqual([1, 1, 1]);
    expect(headers.hitAt).toEqual([1, 1]);
    expect(headers.mrr).toBe(1);
    expect(plain.items.find((s) => s.id === 'curl-c')!.firstGoldRank).toBeGreaterThan(1);
    expect(pairedValues(headers, 'hit', 1)).toEqual([1, 1, 1]);
    expect(pairedValues(plain, 'rr')).toEqual(plain.items.map((s) => s.rr));
    expect(() => pairedValues(plain, 'hit', 7)).toThrow(/not among/);
  });

  it('collapses the PDF copy under the text copy when dedupe is on', async () => {
    const { results } = await runSweep(DOCS, ITEMS, { ...grid, headers: [true], dedupe: [false, true] }, {}, { ks: [1, 3] });
    const [off, on] = results;
    const curl = (r: typeof off) => r.items.find((s) => s.id === 'curl-c')!.ranked;
    expect(curl(off).slice(0, 2).sort()).toEqual(['curl-copy:0', 'curl:0']);
    expect(curl(on).filter((id) => id.startsWith('curl'))).toHaveLength(1);
  });

  it('runs dense, hybrid and rerank modes with injected models, embedding each text once', async () => {
    const calls: string[][] = [];
    const embed: EmbedFn = async (texts, kind) => {
      calls.push([kind, String(texts.length)]);
      return bagEmbed(texts, kind);
    };
    // A reranker that prefers chunks mentioning compression, to see that its order is the one scored.
    const rerank = async (_q: string, texts: readonly string[]) => texts.map((t) => (t.includes('compression') ? 1 : 0));
    const { results } = await runSweep(DOCS, ITEMS, { sizes: [50], overlaps: [0], modes: ['dense', 'hybrid', 'hybrid+rerank'], headers: [true] }, { embed, rerank }, { ks: [1] });
    expect(results.map((r) => r.setting.mode)).toEqual(['dense', 'hybrid', 'hybrid+rerank']);
    expect(calls).toEqual([
      ['passage', '4'],
      ['query', '3'],
    ]);
    const reranked = results[2];
    expect(reranked.items.every((s) => s.ranked[0] === 'ssh:0')).toBe(true);
    expect(reranked.hitAt[0]).toBeCloseTo(1 / 3, 12);
  });

  it('refuses dense modes without an embedder and rerank without a reranker, before any work', async () => {
    await expect(runSweep(DOCS, ITEMS, { ...grid, modes: ['hybrid'] })).rejects.toThrow(AppError);
    await expect(runSweep(DOCS, ITEMS, { ...grid, modes: ['hybrid+rerank'] }, { embed: bagEmbed })).rejects.toThrow(/reranker/);
    await expect(runSweep(DOCS, ITEMS, grid, {}, { ks: [0] })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('skips chunk settings the chunker refuses, says why, and stops when aborted', async () => {
    const { results, skipped } = await runSweep(DOCS, ITEMS, { sizes: [50], overlaps: [0, 60], modes: ['bm25'], headers: [false] });
    expect(results).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].reason).toMatch(/overlap/i);
    const ctl = new AbortController();
    ctl.abort();
    await expect(runSweep(DOCS, ITEMS, grid, { signal: ctl.signal })).rejects.toThrow(AbortError);
  });

  it('reports progress per setting', async () => {
    const seen: string[] = [];
    await runSweep(DOCS, ITEMS, grid, { onProgress: (done, total, s) => seen.push(`${done}/${total} ${s.headers}`) });
    expect(seen).toEqual(['1/2 false', '2/2 true']);
  });
});
