// The search benchmark's worker: the app's SearchIndex (src/retrieval/search-index.ts, the class the
// knowledge worker queries) over a synthetic corpus, built the way workers/knowledge-index.ts builds
// it at start-up (texts in batches of 2000, then vectors in batches of 2000). Two indexes are timed
// query by query: int8 vectors whose best candidates are re-scored exactly from f32 rows in an OPFS
// file, and f32 vectors (the previous path). MiniSearch over the same texts is the BM25 peer. A
// 1M-chunk corpus is streamed into an int8 index to show how far one tab goes. Everything is timed
// inside the worker.
import MiniSearch from 'minisearch';
import { QuantizedVectorIndex } from '../../../src/retrieval/quantized-vector';
import { MemoryRowStore, openFileRowStore, type RowStore } from '../../../src/retrieval/row-store';
import { SearchIndex } from '../../../src/retrieval/search-index';
import { terms } from '../../../src/retrieval/tokenize';
import { DIM, makeCorpus, makeQueries, streamCorpus, type Corpus, type Query } from './search-corpus';

export interface SearchRequest {
  sizes: number[];
  queries: number;
  passes: number;
  k: number;
  /** Also stream a corpus of this many chunks into an int8 index (0: skip). */
  large: number;
  /** Dense candidates re-scored exactly from the f32 rows, as a multiple of k. */
  exactFactor: number;
}

export interface SizeReport {
  chunks: number;
  buildMs: number;
  /** SearchIndex.stats().bytes of the int8 index, and its parts. */
  bytes: number;
  bm25Bytes: number;
  /** Where the f32 rows lived, and their bytes on disk. */
  rows: RowStore['kind'];
  rowDiskBytes: number;
  simd: boolean;
  /** Per query and pass, ms: the int8 index with the exact re-score. */
  hybrid: number[];
  dense: number[];
  bm25: number[];
  /** The f32 index (the previous default), same queries, interleaved. */
  old: { hybrid: number[]; dense: number[]; bytes: number; buildMs: number };
  /** Mean share of the f32 index's dense top-k that the int8 path returns: with the exact re-score, and without. */
  recall: { exact: number; approx: number; minExact: number };
  /** Present for the largest size only. */
  peer?: {
    buildMs: number;
    times: number[];
    /** Mean share of our BM25 top-k that MiniSearch's top-k also holds (default MiniSearch scoring). */
    overlap: number;
    /** The same with MiniSearch's BM25 set to ours (k1 1.2, b 0.75, no BM25+ delta), on the first MATCHED_QUERIES queries. */
    overlapMatched: number;
    matchedQueries: number;
    /** Queries where our BM25 returned nothing (left out of the overlap). */
    emptyOurs: number;
    /** Queries where either side returned fewer than k. */
    short: number;
  };
}

export interface LargeReport {
  chunks: number;
  buildMs: number;
  bytes: number;
  bm25Bytes: number;
  rows: RowStore['kind'];
  rowDiskBytes: number;
  simd: boolean;
  hybrid: number[];
  dense: number[];
  bm25: number[];
}

export type SearchReply =
  | { kind: 'log'; msg: string }
  | { kind: 'done'; corpusMs: number; avgChars: number; queryAvgChars: number; sizes: SizeReport[]; large: LargeReport | null }
  | { kind: 'error'; error: string };

const say = (msg: string) => self.postMessage({ kind: 'log', msg } satisfies SearchReply);

function chunkId(i: number): string {
  return `doc${Math.floor(i / 50)}:${i % 50}`; // 50 chunks per document
}

/** f32 rows in an OPFS file, as the knowledge worker would open them; memory where OPFS is missing. */
async function rowStore(): Promise<RowStore> {
  return (await openFileRowStore(DIM)) ?? new MemoryRowStore(DIM);
}

function buildOurs(corpus: Corpus, n: number, rows: RowStore | 'f32', exactFactor: number): { index: SearchIndex; ms: number } {
  const t0 = performance.now();
  const index = new SearchIndex(undefined, rows === 'f32' ? { precision: 'f32' } : { precision: 'int8', exact: rows, exactFactor });
  const B = 2000;
  for (let i = 0; i < n; i += B) {
    const end = Math.min(n, i + B);
    const batch = [];
    for (let j = i; j < end; j++) batch.push({ id: chunkId(j), text: corpus.texts[j] });
    index.addChunks(batch);
  }
  for (let i = 0; i < n; i += B) {
    const end = Math.min(n, i + B);
    const ids = [];
    for (let j = i; j < end; j++) ids.push(chunkId(j));
    index.addVectors(ids, corpus.vectors.subarray(i * DIM, end * DIM), DIM);
  }
  return { index, ms: performance.now() - t0 };
}

function buildPeer(corpus: Corpus, n: number): { mini: MiniSearch; ms: number } {
  const t0 = performance.now();
  // Our tokenizer (NFKC, lowercase, Han bigrams, UAX #29 words, the stopwords), so both engines see
  // the same terms; MiniSearch's default tokenizer splits on spaces and punctuation only and would
  // index each Chinese run as one "word".
  const mini = new MiniSearch({ fields: ['text'], idField: 'id', tokenize: (text: string) => terms(text), processTerm: (t: string) => t });
  const B = 2000;
  for (let i = 0; i < n; i += B) {
    const docs = [];
    for (let j = i; j < Math.min(n, i + B); j++) docs.push({ id: chunkId(j), text: corpus.texts[j] });
    mini.addAll(docs);
  }
  return { mini, ms: performance.now() - t0 };
}

const MATCHED_BM25 = { k: 1.2, b: 0.75, d: 0 };
/** The matched-parameters overlap is a side figure: MiniSearch is slow, so only this many queries. */
export const MATCHED_QUERIES = 64;

type Measured = Omit<SizeReport, 'chunks' | 'buildMs' | 'bytes' | 'bm25Bytes' | 'rows' | 'rowDiskBytes' | 'simd' | 'old'> & { old: { hybrid: number[]; dense: number[] } };

function measure(index: SearchIndex, old: SearchIndex, approx: QuantizedVectorIndex, queries: Query[], req: SearchRequest, peer?: MiniSearch): Measured {
  const { k } = req;
  const out: Measured = { hybrid: [], dense: [], bm25: [], old: { hybrid: [], dense: [] }, recall: { exact: 0, approx: 0, minExact: 1 } };
  const peerTimes: number[] = [];
  const both = { k, dense: true, bm25: true };
  const denseOnly = { k, dense: true, bm25: false };
  // Warm-up: JIT, and the first-use allocations of every path.
  for (const q of queries.slice(0, 32)) {
    index.search(q.text, q.vector, both);
    old.search(q.text, q.vector, both);
    peer?.search(q.text);
  }
  let overlapSum = 0;
  let overlapMatchedSum = 0;
  let counted = 0;
  let countedMatched = 0;
  let emptyOurs = 0;
  let short = 0;
  let recallExact = 0;
  let recallApprox = 0;
  for (let pass = 0; pass < req.passes; pass++) {
    for (const [qi, q] of queries.entries()) {
      // Interleaved per query, so drift on the machine hits every path alike.
      let t = performance.now();
      const hits = index.search(q.text, q.vector, both);
      out.hybrid.push(performance.now() - t);
      if (hits.length !== Math.min(k, index.stats().chunks)) throw new Error(`hybrid search returned ${hits.length} hits`);
      t = performance.now();
      old.search(q.text, q.vector, both);
      out.old.hybrid.push(performance.now() - t);
      t = performance.now();
      const sparse = index.search(q.text, null, { k, dense: false, bm25: true });
      out.bm25.push(performance.now() - t);
      t = performance.now();
      const dense = index.search(q.text, q.vector, denseOnly);
      out.dense.push(performance.now() - t);
      t = performance.now();
      const denseOld = old.search(q.text, q.vector, denseOnly);
      out.old.dense.push(performance.now() - t);
      if (pass === 0) {
        const truth = new Set(denseOld.map((h) => h.id));
        const r = dense.filter((h) => truth.has(h.id)).length / truth.size;
        recallExact += r;
        out.recall.minExact = Math.min(out.recall.minExact, r);
        recallApprox += approx.topK(q.vector, k).filter((h) => truth.has(h.id)).length / truth.size;
      }
      // The peer runs in the first pass only: it is ~100× slower, and one pass gives every query once.
      if (peer && pass === 0) {
        t = performance.now();
        const theirs = peer.search(q.text).slice(0, k);
        peerTimes.push(performance.now() - t);
        if (!sparse.length) emptyOurs++;
        else {
          const a = new Set(theirs.map((h) => h.id));
          overlapSum += sparse.filter((h) => a.has(h.id)).length / sparse.length;
          counted++;
          if (qi < MATCHED_QUERIES) {
            const b = new Set(peer.search(q.text, { bm25: MATCHED_BM25 }).slice(0, k).map((h) => h.id));
            overlapMatchedSum += sparse.filter((h) => b.has(h.id)).length / sparse.length;
            countedMatched++;
          }
        }
        if (sparse.length < k || theirs.length < k) short++;
      }
    }
  }
  out.recall.exact = recallExact / queries.length;
  out.recall.approx = recallApprox / queries.length;
  if (peer) out.peer = { buildMs: 0, times: peerTimes, overlap: overlapSum / counted, overlapMatched: overlapMatchedSum / countedMatched, matchedQueries: countedMatched, emptyOurs, short };
  return out;
}

/** Streams `n` chunks into an int8 index (never holding the corpus) and times one pass of queries. */
function measureLarge(n: number, req: SearchRequest, rows: RowStore): LargeReport {
  const t0 = performance.now();
  const index = new SearchIndex(undefined, { precision: 'int8', exact: rows, exactFactor: req.exactFactor });
  const head: Corpus = { texts: [], vectors: new Float32Array(10_000 * DIM) };
  streamCorpus(n, 2000, (start, texts, vectors) => {
    const ids = texts.map((_, i) => chunkId(start + i));
    index.addChunks(ids.map((id, i) => ({ id, text: texts[i] })));
    index.addVectors(ids, vectors, DIM);
    if (start < 10_000) {
      head.texts.push(...texts);
      head.vectors.set(vectors.subarray(0, Math.min(texts.length, 10_000 - start) * DIM), start * DIM);
    }
    if ((start + texts.length) % 100_000 === 0) say(`${n}: ${start + texts.length} chunks indexed, ${(index.stats().bytes / 1e6).toFixed(0)} MB`);
  });
  const buildMs = performance.now() - t0;
  const queries = makeQueries(head, req.queries, 10_000);
  const { k } = req;
  const report: LargeReport = { chunks: index.stats().chunks, buildMs, bytes: index.stats().bytes, bm25Bytes: bm25Bytes(index), rows: rows.kind, rowDiskBytes: rows.diskBytes(), simd: index.stats().simd, hybrid: [], dense: [], bm25: [] };
  for (const q of queries.slice(0, 16)) index.search(q.text, q.vector, { k, dense: true, bm25: true });
  for (const q of queries) {
    let t = performance.now();
    index.search(q.text, q.vector, { k, dense: true, bm25: true });
    report.hybrid.push(performance.now() - t);
    t = performance.now();
    index.search(q.text, null, { k, dense: false, bm25: true });
    report.bm25.push(performance.now() - t);
    t = performance.now();
    index.search(q.text, q.vector, { k, dense: true, bm25: false });
    report.dense.push(performance.now() - t);
  }
  return report;
}

/** The BM25 share of an index's byte estimate (everything but the vector index). */
function bm25Bytes(index: SearchIndex): number {
  const s = index.stats();
  return s.bytes - s.vectorBytes;
}

self.onmessage = async (e: MessageEvent<SearchRequest>) => {
  const req = e.data;
  try {
    const largest = Math.max(...req.sizes);
    let t0 = performance.now();
    let corpus: Corpus | null = makeCorpus(largest);
    const corpusMs = performance.now() - t0;
    const avgChars = corpus.texts.reduce((s, t) => s + t.length, 0) / corpus.texts.length;
    const queries = makeQueries(corpus, req.queries, Math.min(...req.sizes));
    const queryAvgChars = queries.reduce((s, q) => s + q.text.length, 0) / queries.length;
    say(`corpus: ${largest} chunks (avg ${avgChars.toFixed(0)} chars), ${queries.length} queries, made in ${corpusMs.toFixed(0)} ms`);
    const sizes: SizeReport[] = [];
    for (const n of [...req.sizes].sort((a, b) => a - b)) {
      const rows = await rowStore();
      const { index, ms } = buildOurs(corpus, n, rows, req.exactFactor);
      const old = buildOurs(corpus, n, 'f32', req.exactFactor);
      const approx = new QuantizedVectorIndex(DIM);
      for (let i = 0; i < n; i += 2000) approx.add(Array.from({ length: Math.min(2000, n - i) }, (_, j) => chunkId(i + j)), corpus.vectors.subarray(i * DIM, Math.min(n, i + 2000) * DIM));
      const stats = index.stats();
      say(`${n}: int8 SearchIndex built in ${ms.toFixed(0)} ms, ${(stats.bytes / 1e6).toFixed(1)} MB + ${(rows.diskBytes() / 1e6).toFixed(0)} MB f32 rows (${rows.kind}); f32 in ${old.ms.toFixed(0)} ms, ${(old.index.stats().bytes / 1e6).toFixed(1)} MB (${stats.simd ? 'SIMD' : 'JS'})`);
      let peer: { mini: MiniSearch; ms: number } | undefined;
      if (n === largest) {
        peer = buildPeer(corpus, n);
        say(`${n}: MiniSearch built in ${peer.ms.toFixed(0)} ms`);
      }
      t0 = performance.now();
      const m = measure(index, old.index, approx, queries, req, peer?.mini);
      if (m.peer && peer) m.peer.buildMs = peer.ms;
      say(`${n}: ${m.hybrid.length} queries × ${peer ? 6 : 5} searches in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      sizes.push({ ...m, chunks: stats.chunks, buildMs: ms, bytes: stats.bytes, bm25Bytes: bm25Bytes(index), rows: rows.kind, rowDiskBytes: rows.diskBytes(), simd: stats.simd, old: { ...m.old, bytes: old.index.stats().bytes, buildMs: old.ms } });
      rows.close();
    }
    corpus = null; // the 1M run needs the memory
    let large: LargeReport | null = null;
    if (req.large > 0) {
      const rows = await rowStore();
      large = measureLarge(req.large, req, rows);
      rows.close();
      say(`${req.large}: int8 SearchIndex streamed in ${(large.buildMs / 1000).toFixed(1)} s, ${(large.bytes / 1e6).toFixed(0)} MB + ${(large.rowDiskBytes / 1e6).toFixed(0)} MB f32 rows (${large.rows})`);
    }
    self.postMessage({ kind: 'done', corpusMs, avgChars, queryAvgChars, sizes, large } satisfies SearchReply);
  } catch (err) {
    self.postMessage({ kind: 'error', error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) } satisfies SearchReply);
  }
};
