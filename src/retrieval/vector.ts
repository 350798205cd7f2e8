// Exact (brute-force) cosine search over L2-normalized vectors in one contiguous, growable
// Float32Array: at ≤ 100k × 384 a flat scan is fast enough and exact, with no ANN structure to build.
// The rows live in WebAssembly memory so a SIMD kernel can scan them (4-5x faster than JS, which
// remains the fallback); removal swaps the last row into the hole, so rows never fragment.
import { createDotKernel, type DotKernel } from './simd';
import { TopK } from './top-k';

export interface VectorHit {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

const MIN_ROWS = 64;

/** What SearchIndex needs from a dense index: this exact f32 one or the compact int8 one. */
export interface DenseIndex {
  readonly dim: number;
  readonly size: number;
  readonly capacity: number;
  /** Whether scans run on the WebAssembly SIMD kernel. */
  readonly accelerated: boolean;
  has(id: string): boolean;
  reserve(rows: number): void;
  add(ids: readonly string[], vectors: Float32Array): void;
  remove(id: string): boolean;
  clear(): void;
  /** Best `k` by cosine; an approximate index re-scores its best `exactDepth` exactly where it can. */
  topK(query: Float32Array, k: number, filter?: (id: string) => boolean, exactDepth?: number): VectorHit[];
  /** Bytes held (typed storage exactly, ids estimated). */
  memoryBytes(): number;
}

/**
 * 1 / L2 norm of each `dim`-long row of `vectors` (0 for a zero row, which stays zeros), checked
 * before anything is stored: throws on a size mismatch or a non-finite value.
 */
export function inverseNorms(ids: readonly string[], vectors: Float32Array, dim: number): Float64Array {
  if (vectors.length !== ids.length * dim) {
    throw new RangeError(`Expected ${ids.length} × ${dim} = ${ids.length * dim} floats, got ${vectors.length}`);
  }
  const out = new Float64Array(ids.length);
  for (let r = 0; r < ids.length; r++) {
    let sq = 0;
    for (let j = r * dim, end = j + dim; j < end; j++) sq += vectors[j] * vectors[j];
    if (!Number.isFinite(sq)) throw new RangeError(`Vector ${r} (${ids[r]}) has a non-finite value`);
    out[r] = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  }
  return out;
}

export interface VectorIndexOptions {
  /** Use the WebAssembly SIMD kernel when the engine allows it (default true); false forces JS. */
  simd?: boolean;
}

export class VectorIndex implements DenseIndex {
  private kernel: DotKernel | null = null;
  private queryAt = 0; // byte offsets into the buffer, for the kernel
  private rowsAt = 0;
  private scoresAt = 0;
  private query!: Float32Array<ArrayBufferLike>;
  private data!: Float32Array<ArrayBufferLike>; // capacity × dim, row-major
  private scores!: Float32Array<ArrayBufferLike>; // scratch: one score per row
  private ids: string[] = [];
  private slotOf = new Map<string, number>();
  /** Insertion sequence per row: the tie-break, since swap-with-last reorders rows. */
  private seq = new Float64Array(0);
  private nextSeq = 0;
  private readonly simd: boolean;

  constructor(
    readonly dim: number,
    options: VectorIndexOptions = {},
  ) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`Vector dimension must be a positive integer, got ${dim}`);
    this.simd = (options.simd ?? true) && dim % 4 === 0; // the kernel steps 4 floats at a time
    this.resize(MIN_ROWS);
  }

  /** Whether searches run on the WebAssembly SIMD kernel (false: the plain JS loop). */
  get accelerated(): boolean {
    return this.kernel !== null;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** Rows the storage holds before it must grow. */
  get capacity(): number {
    return this.seq.length;
  }

  /** Grows storage to hold `rows` vectors, e.g. before several batches of known total size. */
  reserve(rows: number): void {
    if (rows > this.capacity) this.resize(rows);
  }

  /**
   * Adds `ids.length` vectors, row-major in `vectors` (length ids.length × dim), L2-normalized on
   * the way in. An existing id is replaced and counts as newest for tie-breaks. A zero vector is
   * kept as zeros (similarity 0 to everything). Throws, changing nothing, on a size mismatch or a
   * non-finite value.
   */
  add(ids: readonly string[], vectors: Float32Array): void {
    const { dim } = this;
    const scales = inverseNorms(ids, vectors, dim);
    // Grow once per batch, so a start-up bulk load allocates exactly; otherwise by 1.5x, not 2x:
    // at 100k × 384 one more chunk would otherwise take 154 MB to 307 MB.
    const needed = this.ids.length + ids.length;
    if (needed > this.capacity) this.resize(Math.max(needed, Math.ceil(this.capacity * 1.5)));
    for (let r = 0; r < ids.length; r++) {
      const id = ids[r];
      this.removeRow(id); // a replaced id counts as new; no shrinking mid-batch
      const slot = this.ids.length;
      const base = slot * dim;
      const scale = scales[r];
      for (let j = 0; j < dim; j++) this.data[base + j] = vectors[r * dim + j] * scale;
      this.ids.push(id);
      this.seq[slot] = this.nextSeq++;
      this.slotOf.set(id, slot);
    }
  }

  /** Removes `id` if present (the last row moves into its place); returns whether it was. */
  remove(id: string): boolean {
    if (!this.removeRow(id)) return false;
    // Give memory back after big deletions, with hysteresis so add/remove cycles do not thrash.
    if (this.capacity > MIN_ROWS && this.ids.length < this.capacity / 4) this.resize(Math.max(MIN_ROWS, this.capacity / 2));
    return true;
  }

  private removeRow(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    const last = this.ids.length - 1;
    if (slot !== last) {
      const { dim } = this;
      this.data.copyWithin(slot * dim, last * dim, (last + 1) * dim);
      const moved = this.ids[last];
      this.ids[slot] = moved;
      this.seq[slot] = this.seq[last];
      this.slotOf.set(moved, slot);
    }
    this.ids.pop();
    return true;
  }

  clear(): void {
    this.ids = [];
    this.slotOf.clear();
    this.resize(MIN_ROWS);
  }

  /**
   * The `k` rows most similar to `query` (normalized here, so any scale works), best first; equal
   * scores keep insertion order. `filter` (by id) applies before the top-k cut.
   */
  topK(query: Float32Array, k: number, filter?: (id: string) => boolean): VectorHit[] {
    const { dim, ids, seq } = this;
    if (query.length !== dim) throw new RangeError(`Query has ${query.length} dimensions, the index ${dim}`);
    const n = ids.length;
    if (k <= 0 || n === 0) return [];
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += query[j] * query[j];
    if (!Number.isFinite(sq)) throw new RangeError('Query vector has a non-finite value');
    const scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let j = 0; j < dim; j++) this.query[j] = query[j] * scale;
    this.scoreAll(n);
    const { scores } = this;
    const top = new TopK(Math.min(k, n));
    for (let row = 0; row < n; row++) {
      if (filter !== undefined && !filter(ids[row])) continue;
      const s = scores[row];
      if (s >= top.threshold) top.offer(row, s, seq[row]);
    }
    return top.sorted().map(([row, score]) => ({ id: ids[row], score }));
  }

  /** Fills `scores[0..n)` with row · query (f32 results on both paths). */
  private scoreAll(n: number): void {
    if (this.kernel !== null) {
      this.kernel.scores(this.queryAt, this.rowsAt, this.scoresAt, n, this.dim);
      return;
    }
    const { dim, data, query: q, scores } = this;
    const dim4 = dim - (dim % 4);
    for (let row = 0, base = 0; row < n; row++, base += dim) {
      // Four independent accumulators let the CPU overlap the multiply-adds.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j < dim4; j += 4) {
        s0 += data[base + j] * q[j];
        s1 += data[base + j + 1] * q[j + 1];
        s2 += data[base + j + 2] * q[j + 2];
        s3 += data[base + j + 3] * q[j + 3];
      }
      for (; j < dim; j++) s0 += data[base + j] * q[j];
      scores[row] = s0 + s1 + (s2 + s3);
    }
  }

  /** Bytes held: vector storage (with the query and score scratch) exactly, plus ~48 B per id. */
  memoryBytes(): number {
    return this.data.buffer.byteLength + this.seq.byteLength + this.ids.length * 48;
  }

  /** Moves storage to room for `rows` rows: [query | rows × dim | scores], 16-byte aligned for SIMD. */
  private resize(rows: number): void {
    const { dim } = this;
    const queryBytes = Math.ceil((dim * 4) / 16) * 16;
    const bytes = queryBytes + rows * dim * 4 + rows * 4;
    const kernel = this.simd ? createDotKernel(bytes) : null;
    const buffer = kernel !== null ? kernel.memory.buffer : new ArrayBuffer(bytes);
    const data = new Float32Array(buffer, queryBytes, rows * dim);
    if (this.data !== undefined) data.set(this.data.subarray(0, Math.min(this.ids.length, rows) * dim));
    const seq = new Float64Array(rows);
    seq.set(this.seq.subarray(0, Math.min(this.ids.length, rows)));
    this.kernel = kernel;
    this.queryAt = 0;
    this.rowsAt = queryBytes;
    this.scoresAt = queryBytes + rows * dim * 4;
    this.query = new Float32Array(buffer, 0, dim);
    this.data = data;
    this.scores = new Float32Array(buffer, this.scoresAt, rows);
    this.seq = seq;
  }
}
