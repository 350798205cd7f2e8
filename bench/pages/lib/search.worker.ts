// The search benchmark's worker: the app's SearchIndex (src/retrieval/search-index.ts, the class the
// knowledge worker queries) over a synthetic corpus, built the way workers/knowledge-index.ts builds
// it at start-up (texts in batches of 2000, then vectors in batches of 2000), and MiniSearch over the
// same texts as the peer. Everything is timed inside the worker, as in the app; the page only
// starts it and reports.
import MiniSearch from 'minisearch';
import { SearchIndex } from '../../../src/retrieval/search-index';
import { terms } from '../../../src/retrieval/tokenize';
import { DIM, makeCorpus, makeQueries, type Corpus, type Query } from './search-corpus';

export interface SearchRequest {
  sizes: number[];
  queries: number;
  passes: number;
  k: number;
}

export interface SizeReport {
  chunks: number;
  buildMs: number;
  bytes: number;
  simd: boolean;
  /** Per query and pass, ms. */
  hybrid: number[];
  bm25: number[];
  dense: number[];
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

export type SearchReply =
  | { kind: 'log'; msg: string }
  | { kind: 'done'; corpusMs: number; avgChars: number; queryAvgChars: number; sizes: SizeReport[] }
  | { kind: 'error'; error: string };

const say = (msg: string) => self.postMessage({ kind: 'log', msg } satisfies SearchReply);

function chunkId(i: number): string {
  return `doc${Math.floor(i / 50)}:${i % 50}`; // 50 chunks per document
}

function buildOurs(corpus: Corpus, n: number): { index: SearchIndex; ms: number } {
  const t0 = performance.now();
  const index = new SearchIndex();
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

function measure(index: SearchIndex, queries: Query[], req: SearchRequest, peer?: MiniSearch): Omit<SizeReport, 'chunks' | 'buildMs' | 'bytes' | 'simd'> {
  const { k } = req;
  const hybrid: number[] = [];
  const bm25: number[] = [];
  const dense: number[] = [];
  const peerTimes: number[] = [];
  // Warm-up: JIT, and the first-use allocations of both engines.
  for (const q of queries.slice(0, 32)) {
    index.search(q.text, q.vector, { k, dense: true, bm25: true });
    peer?.search(q.text);
  }
  let overlapSum = 0;
  let overlapMatchedSum = 0;
  let counted = 0;
  let countedMatched = 0;
  let emptyOurs = 0;
  let short = 0;
  for (let pass = 0; pass < req.passes; pass++) {
    for (const [qi, q] of queries.entries()) {
      // Interleaved per query, so drift on the machine hits every method alike.
      let t = performance.now();
      const hits = index.search(q.text, q.vector, { k, dense: true, bm25: true });
      hybrid.push(performance.now() - t);
      if (hits.length !== Math.min(k, index.stats().chunks)) throw new Error(`hybrid search returned ${hits.length} hits`);
      t = performance.now();
      const sparse = index.search(q.text, null, { k, dense: false, bm25: true });
      bm25.push(performance.now() - t);
      t = performance.now();
      index.search(q.text, q.vector, { k, dense: true, bm25: false });
      dense.push(performance.now() - t);
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
  return {
    hybrid,
    bm25,
    dense,
    ...(peer ? { peer: { buildMs: 0, times: peerTimes, overlap: overlapSum / counted, overlapMatched: overlapMatchedSum / countedMatched, matchedQueries: countedMatched, emptyOurs, short } } : {}),
  };
}

self.onmessage = (e: MessageEvent<SearchRequest>) => {
  const req = e.data;
  try {
    const largest = Math.max(...req.sizes);
    let t0 = performance.now();
    const corpus = makeCorpus(largest);
    const corpusMs = performance.now() - t0;
    const avgChars = corpus.texts.reduce((s, t) => s + t.length, 0) / corpus.texts.length;
    const queries = makeQueries(corpus, req.queries, Math.min(...req.sizes));
    const queryAvgChars = queries.reduce((s, q) => s + q.text.length, 0) / queries.length;
    say(`corpus: ${largest} chunks (avg ${avgChars.toFixed(0)} chars), ${queries.length} queries, made in ${corpusMs.toFixed(0)} ms`);
    const sizes: SizeReport[] = [];
    for (const n of [...req.sizes].sort((a, b) => a - b)) {
      const { index, ms } = buildOurs(corpus, n);
      const stats = index.stats();
      say(`${n}: SearchIndex built in ${ms.toFixed(0)} ms, ${(stats.bytes / 1e6).toFixed(1)} MB (${stats.simd ? 'SIMD' : 'JS'} vectors)`);
      let peer: { mini: MiniSearch; ms: number } | undefined;
      if (n === largest) {
        peer = buildPeer(corpus, n);
        say(`${n}: MiniSearch built in ${peer.ms.toFixed(0)} ms`);
      }
      t0 = performance.now();
      const m = measure(index, queries, req, peer?.mini);
      if (m.peer && peer) m.peer.buildMs = peer.ms;
      say(`${n}: ${m.hybrid.length} queries × ${peer ? 4 : 3} searches in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      sizes.push({ chunks: stats.chunks, buildMs: ms, bytes: stats.bytes, simd: stats.simd, ...m });
    }
    self.postMessage({ kind: 'done', corpusMs, avgChars, queryAvgChars, sizes } satisfies SearchReply);
  } catch (err) {
    self.postMessage({ kind: 'error', error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) } satisfies SearchReply);
  }
};
