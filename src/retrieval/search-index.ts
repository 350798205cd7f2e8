// The knowledge worker's chunk index: BM25 and dense vectors keyed by chunk id, fused with RRF.
// Documents are tracked by an explicit docId → chunk ids map (ids need not parse), so removing a
// document removes exactly the chunks it added. Holds no text: the store keeps chunk texts. Vectors
// are f32 by default, or int8 with an optional f32 row store (an OPFS file) for the exact re-score.
import { Bm25Index } from './bm25';
import { hybridSearch, type Hit } from './hybrid';
import { QuantizedVectorIndex } from './quantized-vector';
import type { RowStore } from './row-store';
import { VectorIndex, type DenseIndex } from './vector';

export interface ChunkInput {
  /** Unique chunk id, conventionally `${docId}:${index}`. */
  id: string;
  text: string;
  /** Owning document; defaults to the id up to its last ':'. */
  docId?: string;
}

export interface SearchOptions {
  /** Hits to return. */
  k: number;
  /** Use dense (vector) retrieval; needs a query vector. */
  dense: boolean;
  /** Use BM25 retrieval. */
  bm25: boolean;
  /** Candidates taken from each method before fusion (default max(k, 50)). */
  candidates?: number;
  /** Restricts the search to chunks passing this test (e.g. the selected documents). */
  filter?: (chunkId: string) => boolean;
}

/**
 * How vectors are held in memory. 'f32' (the default): 4 bytes a dimension, exact cosine. 'int8':
 * 1 byte a dimension plus a scale per row, scanned in int8 and re-ranked with the f32 query; `exact`
 * holds the f32 rows (an OPFS file from openFileRowStore) for the exact re-score of the best
 * `exactFactor` × k dense candidates, or is null to go without it (dense order is then approximate:
 * 0.985 of the f32 top-10 on the benchmark corpus).
 */
export type SearchIndexOptions =
  | { precision?: 'f32' }
  | {
      precision: 'int8';
      exact: RowStore | null;
      /** Dense candidates re-scored exactly, as a multiple of k (default 4). */
      exactFactor?: number;
      /** Rows re-ranked with the f32 query after the int8 scan, as a multiple of the candidates (default 4). */
      rescoreFactor?: number;
    };

export interface IndexStats {
  documents: number;
  chunks: number;
  /** Chunks that have a vector (fewer than `chunks` while embedding is pending or off). */
  vectors: number;
  /** Vector dimension, or null before the first vector. */
  dim: number | null;
  /** Approximate memory held by both indexes, in bytes. */
  bytes: number;
  /** The vector index's share of `bytes`. */
  vectorBytes: number;
  /** Whether dense search runs on the WebAssembly SIMD kernel. */
  simd: boolean;
  /** How vectors are held: int8 codes with a scale per row, or f32. */
  precision: 'int8' | 'f32';
  /** int8 only: where the exact re-score reads f32 rows, or null when dense scores stay approximate. */
  exactRows: RowStore['kind'] | null;
}

export class SearchIndex {
  private readonly bm25 = new Bm25Index();
  private vectors: DenseIndex | null = null;
  private readonly chunksOf = new Map<string, Set<string>>();
  private readonly docOf = new Map<string, string>();
  private readonly options: SearchIndexOptions;

  constructor(dim?: number, options: SearchIndexOptions = {}) {
    this.options = options;
    if (dim !== undefined) this.vectors = this.makeDense(dim);
  }

  private makeDense(dim: number): DenseIndex {
    const o = this.options;
    return o.precision === 'int8' ? new QuantizedVectorIndex(dim, { rescoreFactor: o.rescoreFactor, exact: o.exact }) : new VectorIndex(dim);
  }

  /**
   * Adds (or replaces) chunks; `vectors` holds one row of `dim` floats per chunk, in order. The
   * dimension is fixed by the first vectors (or the constructor) and must not change afterwards.
   */
  addChunks(chunks: readonly ChunkInput[], vectors?: Float32Array, dim?: number): void {
    if (vectors !== undefined) {
      const d = dim ?? this.vectors?.dim ?? (chunks.length > 0 ? vectors.length / chunks.length : 0);
      if (this.vectors !== null && d !== this.vectors.dim) {
        throw new RangeError(`Vectors have ${d} dimensions but the index holds ${this.vectors.dim}`);
      }
      if (vectors.length !== chunks.length * d) {
        throw new RangeError(`Expected ${chunks.length} vectors of ${d} floats, got ${vectors.length} floats`);
      }
      if (chunks.length > 0) {
        this.vectors ??= this.makeDense(d);
        this.vectors.add(
          chunks.map((c) => c.id),
          vectors,
        );
      }
    }
    for (const c of chunks) {
      // Re-adding a chunk without a vector must not leave the old vector behind.
      if (vectors === undefined) this.vectors?.remove(c.id);
      this.bm25.add(c.id, c.text);
      const docId = c.docId ?? defaultDocId(c.id);
      const previous = this.docOf.get(c.id);
      if (previous !== undefined && previous !== docId) this.forget(previous, c.id);
      this.docOf.set(c.id, docId);
      let set = this.chunksOf.get(docId);
      if (set === undefined) this.chunksOf.set(docId, (set = new Set()));
      set.add(c.id);
    }
  }

  /**
   * Sets vectors for chunks already added (their BM25 entries stay as they are): used when stored
   * vectors are loaded after the texts, or when missing chunks are embedded later.
   */
  addVectors(ids: readonly string[], vectors: Float32Array, dim: number): void {
    if (vectors.length !== ids.length * dim) throw new RangeError(`Expected ${ids.length} vectors of ${dim} floats, got ${vectors.length} floats`);
    if (this.vectors !== null && this.vectors.dim !== dim) throw new RangeError(`Vectors have ${dim} dimensions but the index holds ${this.vectors.dim}`);
    if (!ids.length) return;
    this.vectors ??= this.makeDense(dim);
    for (const id of ids) this.vectors.remove(id);
    this.vectors.add([...ids], vectors);
  }

  /** Removes every chunk of `docId`; returns how many were removed. */
  removeDocument(docId: string): number {
    const ids = this.chunksOf.get(docId);
    if (ids === undefined) return 0;
    for (const id of ids) {
      this.bm25.remove(id);
      this.vectors?.remove(id);
      this.docOf.delete(id);
    }
    this.chunksOf.delete(docId);
    return ids.size;
  }

  hasDocument(docId: string): boolean {
    return this.chunksOf.has(docId);
  }

  /**
   * Top `opts.k` chunks for `query`. With both methods on, their candidate lists are fused with
   * RRF; with one on, its order is kept. Dense search with no vectors indexed yet finds nothing.
   * Throws if dense search is asked for without a query vector.
   */
  search(query: string, queryVector: Float32Array | null, opts: SearchOptions): Hit[] {
    const { k, filter } = opts;
    const candidates = Math.max(k, opts.candidates ?? Math.max(k, 50));
    let dense: { id: string; score: number }[] | undefined;
    if (opts.dense) {
      if (queryVector === null) throw new Error('Dense search needs a query vector: embed the question first.');
      const exactDepth = (this.options.precision === 'int8' ? (this.options.exactFactor ?? 4) : 1) * k;
      dense = this.vectors === null ? [] : this.vectors.topK(queryVector, candidates, filter, exactDepth);
    }
    const sparse = opts.bm25 ? this.bm25.search(query, candidates, filter) : undefined;
    return hybridSearch({ dense, sparse, k });
  }

  /** The distinct BM25 terms of `query`, for highlighting matches in the shown chunks. */
  queryTerms(query: string): string[] {
    return this.bm25.termsOf(query);
  }

  stats(): IndexStats {
    return {
      documents: this.chunksOf.size,
      chunks: this.bm25.size,
      vectors: this.vectors?.size ?? 0,
      dim: this.vectors?.dim ?? null,
      bytes: this.bm25.memoryBytes() + (this.vectors?.memoryBytes() ?? 0),
      vectorBytes: this.vectors?.memoryBytes() ?? 0,
      simd: this.vectors?.accelerated ?? false,
      precision: this.options.precision ?? 'f32',
      exactRows: this.vectors instanceof QuantizedVectorIndex ? this.vectors.exactRows : null,
    };
  }

  private forget(docId: string, chunkId: string): void {
    const set = this.chunksOf.get(docId);
    set?.delete(chunkId);
    if (set?.size === 0) this.chunksOf.delete(docId);
  }
}

function defaultDocId(chunkId: string): string {
  const colon = chunkId.lastIndexOf(':');
  return colon === -1 ? chunkId : chunkId.slice(0, colon);
}
