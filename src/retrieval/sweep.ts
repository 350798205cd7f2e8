// Retrieval sweep without the LLM: for each chunk size × overlap × mode (BM25, dense, hybrid,
// hybrid + rerank) × contextual headers (× near-duplicate collapsing), chunk the given documents into
// a scratch index, run the test questions and score hit@k, recall@k and MRR against gold spans, per
// question, so two settings can be compared with a paired test. The stored library is never touched.
import { chunkDocument, type Chunk, type ChunkSettings } from '../chunking/chunk';
import type { Section } from '../extract/types';
import { AbortError, AppError } from '../protocol/errors';
import { chunkHeader, indexedText } from './contextual';
import { dedupeRanked } from './dedupe';
import type { Hit } from './hybrid';
import { applyRerank } from './rerank';
import { SearchIndex } from './search-index';

export type SweepMode = 'bm25' | 'dense' | 'hybrid' | 'hybrid+rerank';

export interface SweepDocument {
  id: string;
  /** File name as shown in the library (goes into the contextual header). */
  name: string;
  title?: string;
  text: string;
  sections: Section[];
}

/** A gold passage located by position: [start, end) in the document text, UTF-16 code units. */
export interface GoldSpan {
  docId: string;
  start: number;
  end: number;
  /**
   * Spans with the same `passage` are places of ONE gold passage (the same text in a PDF and a text
   * copy, or repeated in a document): finding any of them finds the passage. Default: its own.
   */
  passage?: number;
}

export interface SweepItem {
  id: string;
  question: string;
  /** Any of these answers the question; an item without gold is left out of the means. */
  gold: readonly GoldSpan[];
}

export interface ChunkRef {
  docId: string;
  start: number;
  end: number;
}

/** Whether a retrieved chunk counts as having found `span`. */
export type GoldTest = (span: GoldSpan, chunk: ChunkRef) => boolean;

/**
 * Default gold rule (the same as src/eval/gold.ts `isGoldChunk`): the chunk covers at least half of
 * the gold span, in the same document; a chunk shorter than half the span (which never can) counts
 * when at least half of the chunk lies inside the span.
 */
export const coversHalfOfSpan: GoldTest = (span, chunk) => {
  if (span.docId !== chunk.docId) return false;
  const len = span.end - span.start;
  if (len <= 0) return false;
  const covered = Math.min(span.end, chunk.end) - Math.max(span.start, chunk.start);
  if (covered <= 0) return false;
  if (covered * 2 >= len) return true;
  const chunkLen = chunk.end - chunk.start;
  return chunkLen * 2 < len && covered * 2 >= chunkLen;
};

export interface SweepSetting {
  unit: 'tokens' | 'chars';
  size: number;
  overlap: number;
  mode: SweepMode;
  /** Index each chunk with its document name and heading path (contextual.ts). */
  headers: boolean;
  /** Collapse near-duplicate chunks in the ranked list before the cut (dedupe.ts). */
  dedupe: boolean;
}

export interface SweepGrid {
  unit?: 'tokens' | 'chars';
  sizes: readonly number[];
  overlaps: readonly number[];
  modes: readonly SweepMode[];
  headers: readonly boolean[];
  dedupe?: readonly boolean[];
}

export interface SweepOptions {
  /** Cut-offs for hit@k and recall@k (default [1, 3, 5, 10]). */
  ks?: readonly number[];
  /** MRR counts a first gold hit only within this rank (default 10, i.e. MRR@10). */
  mrrAt?: number;
  /** Candidates each method gives to fusion (default 50, as the app). */
  candidates?: number;
  /** Hybrid hits the cross-encoder reorders (default 20). */
  rerankDepth?: number;
}

/** Row-major vectors, `dim` floats per text, in input order. */
export type EmbedFn = (texts: readonly string[], kind: 'query' | 'passage', signal?: AbortSignal) => Promise<{ data: Float32Array; dim: number }>;
/** Cross-encoder relevance of each text to the query, higher is better. */
export type RerankFn = (query: string, texts: readonly string[], signal?: AbortSignal) => Promise<number[]>;

export interface SweepDeps {
  embed?: EmbedFn;
  rerank?: RerankFn;
  isGold?: GoldTest;
  signal?: AbortSignal;
  /** Called after each setting; `done` of `total` settings. */
  onProgress?: (done: number, total: number, setting: SweepSetting) => void;
}

export interface ItemScores {
  id: string;
  /** hit@k per cut-off in `ks` order: 1 if a gold chunk is in the first k. Null without gold. */
  hit: (0 | 1 | null)[];
  /** recall@k per cut-off: share of the item's gold passages found in the first k. Null without gold. */
  recall: (number | null)[];
  /** 1 / rank of the first gold chunk if within `mrrAt`, else 0; null without gold. */
  rr: number | null;
  /** 1-based rank of the first gold chunk in the list (any depth), or null. */
  firstGoldRank: number | null;
  /** Chunk ids in rank order (after collapsing, the kept chunks), as deep as the largest cut-off and MRR cut-off. */
  ranked: string[];
}

export interface SettingResult {
  setting: SweepSetting;
  /** Chunks in the scratch index. */
  chunks: number;
  ks: number[];
  /** Mean hit@k over items with gold, per cut-off. */
  hitAt: number[];
  recallAt: number[];
  /** Mean reciprocal rank at `mrrAt`. */
  mrr: number;
  mrrAt: number;
  /** Items with gold (the n of every mean). */
  n: number;
  items: ItemScores[];
  /** Wall time of the setting (chunking, embedding, searching), ms. */
  ms: number;
}

export interface SweepResult {
  results: SettingResult[];
  /** Settings that could not run, with why (e.g. overlap not smaller than size). */
  skipped: { setting: SweepSetting; reason: string }[];
}

function needsDense(mode: SweepMode): boolean {
  return mode !== 'bm25';
}

/** Every setting of the grid, chunking-major so one scratch index serves all its modes. */
export function expandGrid(grid: SweepGrid): SweepSetting[] {
  const out: SweepSetting[] = [];
  const unit = grid.unit ?? 'tokens';
  for (const size of grid.sizes)
    for (const overlap of grid.overlaps)
      for (const headers of grid.headers)
        for (const mode of grid.modes)
          for (const dedupe of grid.dedupe ?? [false]) out.push({ unit, size, overlap, mode, headers, dedupe });
  return out;
}

interface ScratchChunk extends Chunk {
  id: string;
  docId: string;
  indexed: string;
}

/**
 * Runs the sweep over every setting of `grid`. Throws AppError('bad-request') when a dense mode is
 * asked for without `embed`, or rerank without `rerank`, before any work; AbortError when `signal` fires.
 */
export function runSweep(
  documents: readonly SweepDocument[],
  items: readonly SweepItem[],
  grid: SweepGrid,
  deps: SweepDeps = {},
  opts: SweepOptions = {},
): Promise<SweepResult> {
  return runSweepSettings(documents, items, expandGrid(grid), deps, opts);
}

/** A setting's identity, for matching results across runs and against a baseline. */
export function settingKey(s: SweepSetting): string {
  return `${s.unit}/${s.size}/${s.overlap}/${s.mode}/${s.headers ? 'h' : '-'}/${s.dedupe ? 'd' : '-'}`;
}

/**
 * `runSweep` over an explicit list of settings (duplicates measured once). Settings that share a
 * chunking and header choice share one scratch index, whatever their order in the list.
 */
export async function runSweepSettings(
  documents: readonly SweepDocument[],
  items: readonly SweepItem[],
  list: readonly SweepSetting[],
  deps: SweepDeps = {},
  opts: SweepOptions = {},
): Promise<SweepResult> {
  const ks = [...(opts.ks ?? [1, 3, 5, 10])];
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) throw new AppError('bad-request', `Cut-offs must be positive whole numbers (got ${ks.join(', ')}).`);
  const mrrAt = opts.mrrAt ?? 10;
  const depth = Math.max(...ks, mrrAt);
  const candidates = Math.max(opts.candidates ?? 50, depth);
  const rerankDepth = Math.max(opts.rerankDepth ?? 20, depth);
  const isGold = deps.isGold ?? coversHalfOfSpan;
  const settings = [...new Map(list.map((s) => [settingKey(s), s])).values()];
  if (settings.some((s) => needsDense(s.mode)) && !deps.embed) {
    throw new AppError('bad-request', 'Dense, hybrid and rerank modes need an embedding model: load one, or sweep BM25 only.');
  }
  if (settings.some((s) => s.mode === 'hybrid+rerank') && !deps.rerank) {
    throw new AppError('bad-request', 'The "hybrid + rerank" mode needs a reranker model: load one, or leave that mode out.');
  }
  const check = () => {
    if (deps.signal?.aborted) throw new AbortError();
  };

  let queryVectors: { data: Float32Array; dim: number } | null = null;
  const passageCache = new Map<string, Float32Array>();
  const results: SettingResult[] = [];
  const skipped: SweepResult['skipped'] = [];
  let done = 0;

  // Settings sharing a chunking and header choice share one scratch index.
  const groups = new Map<string, SweepSetting[]>();
  for (const s of settings) {
    const key = `${s.unit}/${s.size}/${s.overlap}/${s.headers}`;
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }

  for (const group of groups.values()) {
    check();
    const first = group[0];
    const chunking: ChunkSettings = { unit: first.unit, size: first.size, overlap: first.overlap };
    let chunks: ScratchChunk[];
    try {
      chunks = documents.flatMap((doc) =>
        chunkDocument({ text: doc.text, sections: doc.sections }, chunking).map((c) => ({
          ...c,
          id: `${doc.id}:${c.index}`,
          docId: doc.id,
          indexed: first.headers ? indexedText(chunkHeader({ name: doc.name, title: doc.title, headingPath: c.headingPath }), c.text) : c.text,
        })),
      );
    } catch (e) {
      for (const s of group) skipped.push({ setting: s, reason: e instanceof Error ? e.message : String(e) });
      done += group.length;
      continue;
    }
    const started = performance.now();
    const byId = new Map(chunks.map((c) => [c.id, c]));
    const index = new SearchIndex();
    const dense = group.some((s) => needsDense(s.mode));
    if (dense && deps.embed) {
      const missing = [...new Set(chunks.map((c) => c.indexed).filter((t) => !passageCache.has(t)))];
      if (missing.length) {
        const { data, dim } = await deps.embed(missing, 'passage', deps.signal);
        missing.forEach((t, i) => passageCache.set(t, data.subarray(i * dim, (i + 1) * dim)));
      }
      check();
      queryVectors ??= await deps.embed(items.map((it) => it.question), 'query', deps.signal);
      const dim = queryVectors.dim;
      const flat = new Float32Array(chunks.length * dim);
      chunks.forEach((c, i) => flat.set(passageCache.get(c.indexed) as Float32Array, i * dim));
      index.addChunks(chunks.map((c) => ({ id: c.id, text: c.indexed, docId: c.docId })), flat, dim);
    } else {
      index.addChunks(chunks.map((c) => ({ id: c.id, text: c.indexed, docId: c.docId })));
    }
    const buildMs = performance.now() - started;

    for (const setting of group) {
      check();
      const t0 = performance.now();
      const scores: ItemScores[] = [];
      for (let qi = 0; qi < items.length; qi++) {
        const item = items[qi];
        const qv = needsDense(setting.mode) && queryVectors ? queryVectors.data.subarray(qi * queryVectors.dim, (qi + 1) * queryVectors.dim) : null;
        const useBm25 = setting.mode !== 'dense';
        const useDense = setting.mode !== 'bm25';
        const want = setting.mode === 'hybrid+rerank' ? rerankDepth : setting.dedupe ? candidates : depth;
        let hits: Hit[] = index.search(item.question, qv, { k: want, dense: useDense, bm25: useBm25, candidates });
        if (setting.mode === 'hybrid+rerank' && deps.rerank) {
          const texts = hits.map((h) => (byId.get(h.id) as ScratchChunk).indexed);
          hits = applyRerank(hits, await deps.rerank(item.question, texts, deps.signal));
        }
        // Collapsing keeps the best-ranked chunk of each passage; only that chunk is what the context
        // shows, so only it is scored (its duplicates are listed as sources, not counted as finds).
        const chunksRanked = hits.map((h) => byId.get(h.id) as ScratchChunk);
        const ranked = setting.dedupe ? dedupeRanked(chunksRanked).map((g) => g.item) : chunksRanked;
        scores.push(scoreItem(item, ranked.slice(0, depth), ks, mrrAt, isGold));
      }
      results.push(summarize(setting, chunks.length, ks, mrrAt, scores, performance.now() - t0 + buildMs / group.length));
      deps.onProgress?.(++done, settings.length, setting);
    }
  }
  return { results, skipped };
}

/** Scores one item's ranked chunks (best first) against its gold spans. */
export function scoreItem(
  item: SweepItem,
  ranked: readonly (ChunkRef & { id?: string })[],
  ks: readonly number[],
  mrrAt: number,
  isGold: GoldTest = coversHalfOfSpan,
): ItemScores {
  const ids = ranked.map((c) => c.id ?? `${c.docId}@${c.start}-${c.end}`);
  if (item.gold.length === 0) return { id: item.id, hit: ks.map(() => null), recall: ks.map(() => null), rr: null, firstGoldRank: null, ranked: ids };
  // found.get(p) = 1-based rank at which gold passage p is first covered (at any of its places), or Infinity.
  const found = new Map<number | string, number>();
  item.gold.forEach((span, i) => {
    const key = span.passage ?? `span${i}`;
    const at = ranked.findIndex((c) => isGold(span, c));
    found.set(key, Math.min(found.get(key) ?? Infinity, at === -1 ? Infinity : at + 1));
  });
  const ranks = [...found.values()];
  const first = Math.min(...ranks);
  return {
    id: item.id,
    hit: ks.map((k) => (first <= k ? 1 : 0)),
    recall: ks.map((k) => ranks.filter((r) => r <= k).length / ranks.length),
    rr: first <= mrrAt ? 1 / first : 0,
    firstGoldRank: Number.isFinite(first) ? first : null,
    ranked: ids,
  };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function summarize(setting: SweepSetting, chunks: number, ks: number[], mrrAt: number, items: ItemScores[], ms: number): SettingResult {
  const scored = items.filter((s) => s.rr !== null);
  return {
    setting,
    chunks,
    ks,
    hitAt: ks.map((_, i) => mean(scored.map((s) => s.hit[i] as number))),
    recallAt: ks.map((_, i) => mean(scored.map((s) => s.recall[i] as number))),
    mrr: mean(scored.map((s) => s.rr as number)),
    mrrAt,
    n: scored.length,
    items,
    ms,
  };
}

/** Per-item values of one metric, aligned across settings for a paired test; items without gold dropped. */
export function pairedValues(result: SettingResult, metric: 'hit' | 'recall' | 'rr', k?: number): number[] {
  const at = k === undefined ? -1 : result.ks.indexOf(k);
  if (metric !== 'rr' && at === -1) throw new RangeError(`k ${k} is not among the sweep's cut-offs ${result.ks.join(', ')}`);
  return result.items.filter((s) => s.rr !== null).map((s) => (metric === 'rr' ? (s.rr as number) : ((metric === 'hit' ? s.hit[at] : s.recall[at]) as number)));
}

/** A readable label for a setting, e.g. "200/40 tokens · hybrid · headers · dedupe". */
export function settingLabel(s: SweepSetting): string {
  return [`${s.size}/${s.overlap} ${s.unit}`, s.mode, s.headers ? 'headers' : 'no headers', ...(s.dedupe ? ['dedupe'] : [])].join(' · ');
}
