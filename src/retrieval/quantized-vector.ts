// Compact cosine search: each L2-normalized row is stored as int8 codes with one f32 scale
// (x ≈ code · scale, |error| ≤ scale / 2 per component), 4x smaller than f32. A query is scanned as
// int8 too (exact i32 dot products on the WASM SIMD kernel, or the identical JS loop); the best
// rescoreFactor × k rows are re-ranked with the f32 query against the int8 rows, and, when a row
// store holds the f32 rows (an OPFS file), the best of those are re-scored by exact cosine.
import type { RowStore } from './row-store';
import { createDotKernel, type DotKernel } from './simd';
import { TopK } from './top-k';
import { inverseNorms, type DenseIndex, type VectorHit } from './vector';

const MIN_ROWS = 64;
/** int8 codes use [-127, 127], so a row and its negation quantize symmetrically. */
const LEVELS = 127;

export interface QuantizedVectorIndexOptions {
  /** Use the WebAssembly SIMD kernel when the engine allows it (default true); false forces JS. */
  simd?: boolean;
  /** Rows re-ranked with the f32 query after the int8 scan, as a multiple of k (default 4). */
  rescoreFactor?: number;
  /** The f32 rows for the exact re-score (null: none; scores then stay int8 approximations). */
  exact?: RowStore | null;
}

export class QuantizedVectorIndex implements DenseIndex {
  private kernel: DotKernel | null = null;
  private queryAt = 0; // byte offsets into the buffer, for the kernel
  private rowsAt = 0;
  private scalesAt = 0;
  private scoresAt = 0;
  private query16!: Int16Array<ArrayBufferLike>; // the quantized query, widened for the kernel
  private codes!: Int8Array<ArrayBufferLike>; // capacity × dim, row-major
  private scales!: Float32Array<ArrayBufferLike>; // per row: x ≈ code · scale
  private scores!: Float32Array<ArrayBufferLike>; // scratch: one score per row
  private ids: string[] = [];
  private slotOf = new Map<string, number>();
  /** Insertion sequence per row: the tie-break, since swap-with-last reorders rows. */
  private seq = new Float64Array(0);
  private nextSeq = 0;
  private readonly simd: boolean;
  private readonly rescoreFactor: number;
  private readonly exact: RowStore | null;
  private readonly row: Float32Array; // scratch for one exact row

  constructor(
    readonly dim: number,
    options: QuantizedVectorIndexOptions = {},
  ) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`Vector dimension must be a positive integer, got ${dim}`);
    this.simd = (options.simd ?? true) && dim % 16 === 0; // the kernel steps 16 bytes at a time
    this.rescoreFactor = Math.max(1, options.rescoreFactor ?? 4);
    this.exact = options.exact ?? null;
    if (this.exact !== null && this.exact.dim !== dim) throw new RangeError(`Row store has ${this.exact.dim} dimensions, the index ${dim}`);
    this.row = new Float32Array(dim);
    this.resize(MIN_ROWS);
  }

  /** Where the exact re-score reads f32 rows from, or null when scores stay int8 approximations. */
  get exactRows(): RowStore['kind'] | null {
    return this.exact?.kind ?? null;
  }

  /** Whether scans run on the WebAssembly SIMD kernel (false: the plain JS loop, same results). */
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

  reserve(rows: number): void {
    if (rows > this.capacity) this.resize(rows);
  }

  /**
   * Adds `ids.length` vectors, row-major in `vectors` (length ids.length × dim), L2-normalized and
   * quantized on the way in. An existing id is replaced and counts as newest for tie-breaks. A zero
   * vector is kept as zeros (similarity 0 to everything). Throws, changing nothing, on a size
   * mismatch or a non-finite value.
   */
  add(ids: readonly string[], vectors: Float32Array): void {
    const { dim } = this;
    const norms = inverseNorms(ids, vectors, dim);
    // Grow once per batch; otherwise by 1.5x (see VectorIndex.add).
    const needed = this.ids.length + ids.length;
    if (needed > this.capacity) this.resize(Math.max(needed, Math.ceil(this.capacity * 1.5)));
    const { row, exact } = this;
    for (let r = 0; r < ids.length; r++) {
      const id = ids[r];
      this.removeRow(id);
      const slot = this.ids.length;
      this.scales[slot] = quantizeRow(vectors, r * dim, dim, norms[r], this.codes, slot * dim);
      if (exact !== null) {
        for (let j = 0; j < dim; j++) row[j] = vectors[r * dim + j] * norms[r];
        exact.write(slot, row);
      }
      this.ids.push(id);
      this.seq[slot] = this.nextSeq++;
      this.slotOf.set(id, slot);
    }
  }

  /** Removes `id` if present (the last row moves into its place); returns whether it was. */
  remove(id: string): boolean {
    if (!this.removeRow(id)) return false;
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
      this.codes.copyWithin(slot * dim, last * dim, (last + 1) * dim);
      this.scales[slot] = this.scales[last];
      this.exact?.move(last, slot);
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
    this.exact?.truncate(0);
    this.resize(MIN_ROWS);
  }

  /** The stored (dequantized, unit-length up to rounding) vector of `id`, or undefined. */
  decode(id: string): Float32Array | undefined {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return undefined;
    const { dim, codes } = this;
    const s = this.scales[slot];
    const out = new Float32Array(dim);
    for (let j = 0; j < dim; j++) out[j] = codes[slot * dim + j] * s;
    return out;
  }

  /** The quantization step of `id`'s row (its largest component ÷ 127), or undefined. */
  scaleOf(id: string): number | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.scales[slot];
  }

  /**
   * The `k` rows most similar to `query` (any scale), best first; equal scores keep insertion order.
   * `filter` (by id) applies before the top-k cut. The int8 scan picks the best rescoreFactor × k
   * rows, which are ranked by the f32 query · int8 row; then, with a row store, the best `exactDepth`
   * of the k (default all k) are re-scored by exact cosine and lead the list in that order.
   */
  topK(query: Float32Array, k: number, filter?: (id: string) => boolean, exactDepth = k): VectorHit[] {
    const { dim, ids, seq } = this;
    if (query.length !== dim) throw new RangeError(`Query has ${query.length} dimensions, the index ${dim}`);
    const n = ids.length;
    if (k <= 0 || n === 0) return [];
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += query[j] * query[j];
    if (!Number.isFinite(sq)) throw new RangeError('Query vector has a non-finite value');
    const q = new Float32Array(dim);
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let j = 0; j < dim; j++) q[j] = query[j] * inv;
    const q8 = new Int8Array(dim);
    quantizeRow(q, 0, dim, 1, q8, 0);
    for (let j = 0; j < dim; j++) this.query16[j] = q8[j];
    this.scanAll(n);

    // Stage 1: the int8 scan's best candidates (the query scale is common to all, so left out).
    const depth = Math.min(n, Math.max(k, Math.ceil(k * this.rescoreFactor)));
    const { scores } = this;
    const pool = new TopK(depth);
    let threshold = -Infinity; // the pool's, kept in a local: this loop runs once per row
    for (let row = 0; row < n; row++) {
      const s = scores[row];
      if (s < threshold) continue;
      if (filter !== undefined && !filter(ids[row])) continue;
      pool.offer(row, s, seq[row]);
      threshold = pool.threshold;
    }
    // Stage 2: re-rank them by f32 query · int8 row (no query rounding error).
    const top = new TopK(Math.min(k, depth));
    const { codes, scales } = this;
    for (const [row] of pool.sorted()) {
      let s = 0;
      for (let j = 0, base = row * dim; j < dim; j++) s += q[j] * codes[base + j];
      top.offer(row, s * scales[row], seq[row]);
    }
    let best = top.sorted();
    // Stage 3: exact cosine for the head of the list, from the stored f32 rows (unit length).
    const exact = Math.min(best.length, Math.max(0, exactDepth));
    if (this.exact !== null && exact > 0) {
      const head = new TopK(exact);
      const { row } = this;
      for (let i = 0; i < exact; i++) {
        const slot = best[i][0];
        this.exact.read(slot, row);
        let s = 0;
        for (let j = 0; j < dim; j++) s += q[j] * row[j];
        head.offer(slot, s, seq[slot]);
      }
      best = [...head.sorted(), ...best.slice(exact)];
    }
    return best.map(([row, score]) => ({ id: ids[row], score }));
  }

  /** Fills `scores[0..n)` with (int8 row · int8 query) · row scale, on the kernel or in JS. */
  private scanAll(n: number): void {
    if (this.kernel !== null) {
      this.kernel.scoresI8(this.queryAt, this.rowsAt, this.scalesAt, this.scoresAt, n, this.dim);
      return;
    }
    const { dim, codes, query16: q, scales, scores } = this;
    for (let row = 0, base = 0; row < n; row++, base += dim) {
      let s = 0; // an exact integer: |s| ≤ 127² · dim < 2^31 for dim < 133,000
      for (let j = 0; j < dim; j++) s += codes[base + j] * q[j];
      scores[row] = Math.fround(s) * scales[row]; // stored as f32: the kernel's f32 multiply
    }
  }

  /** Bytes held in memory: codes, scales, query and score scratch exactly, ~48 B per id, and the row store's memory. */
  memoryBytes(): number {
    return this.codes.buffer.byteLength + this.seq.byteLength + this.ids.length * 48 + (this.exact?.memoryBytes() ?? 0);
  }

  /** Moves storage to room for `rows` rows: [query | codes | scales | scores], 16-byte aligned. */
  private resize(rows: number): void {
    const { dim } = this;
    const align = (x: number) => Math.ceil(x / 16) * 16;
    const queryBytes = align(dim * 2);
    const codeBytes = align(rows * dim);
    const bytes = queryBytes + codeBytes + 2 * align(rows * 4);
    const kernel = this.simd ? createDotKernel(bytes) : null;
    const buffer = kernel !== null ? kernel.memory.buffer : new ArrayBuffer(bytes);
    const keep = Math.min(this.ids.length, rows);
    const codes = new Int8Array(buffer, queryBytes, rows * dim);
    const scalesAt = queryBytes + codeBytes;
    const scales = new Float32Array(buffer, scalesAt, rows);
    if (this.codes !== undefined) {
      codes.set(this.codes.subarray(0, keep * dim));
      scales.set(this.scales.subarray(0, keep));
    }
    const seq = new Float64Array(rows);
    seq.set(this.seq.subarray(0, keep));
    this.kernel = kernel;
    this.queryAt = 0;
    this.rowsAt = queryBytes;
    this.scalesAt = scalesAt;
    this.scoresAt = scalesAt + align(rows * 4);
    this.query16 = new Int16Array(buffer, 0, dim);
    this.codes = codes;
    this.scales = scales;
    this.scores = new Float32Array(buffer, this.scoresAt, rows);
    this.seq = seq;
  }
}

/**
 * Quantizes `src[at..at+dim) · norm` into int8 `out[to..to+dim)` with one symmetric scale and returns
 * the scale (the largest |component| ÷ 127; 0 for a zero vector). Round-trip error per component is
 * at most scale / 2.
 */
export function quantizeRow(src: ArrayLike<number>, at: number, dim: number, norm: number, out: Int8Array<ArrayBufferLike>, to: number): number {
  let max = 0;
  for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(src[at + j] * norm));
  const scale = Math.fround(max / LEVELS);
  if (scale === 0) {
    out.fill(0, to, to + dim);
    return 0;
  }
  const inv = norm / scale;
  for (let j = 0; j < dim; j++) out[to + j] = Math.max(-LEVELS, Math.min(LEVELS, Math.round(src[at + j] * inv)));
  return scale;
}
