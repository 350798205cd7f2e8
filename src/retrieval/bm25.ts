// Incremental in-memory BM25 (k1 1.2, b 0.75, Lucene's idf) over `terms()`. Postings live in a
// frozen part, packed after bulk builds, and a small editable tail of per-term linked blocks in an
// Int32Array pool (as in Lucene's indexing buffer) that is packed into the frozen part once it
// outgrows 1/8 of it. Frozen runs are varint (doc gap, tf) bytes, ~1.7 bytes a posting, except the
// runs of the most frequent terms, kept as plain Int32 postings because nearly all query time goes
// there and decoding bytes in JS would double it. Removal leaves tombstones, compacted later.
// Scores do not depend on where a posting is held.
import { hanKey, terms, visitTermKeys } from './tokenize';
import { TopK } from './top-k';

export const K1 = 1.2;
export const B = 0.75;

/** tf is capped to fit 8 bits; a term repeated 255 times in one chunk has saturated BM25 anyway. */
const MAX_TF = 255;
/** A posting is doc * 256 + tf in an Int32 (tail, raw runs, scratch), so doc indexes stay below 2^23. */
const MAX_DOCS = 1 << 23;
/** A term's second tail posting opens a block (the first sits in the term table: most terms occur once). */
const FIRST_BLOCK = 2;
const MAX_BLOCK = 1024;
const HEADER = 2; // [previous block offset or -1, capacity * FILL_SPAN + postings used]
const FILL_SPAN = 2048; // > MAX_BLOCK
const MIN_COMPACT = 256;
/** Default tail size (postings) below which adds never freeze: ~800 chunks of 200 characters. */
const FREEZE_AT = 1 << 16;
/** The tail may also hold 1/TAIL_SHARE of the frozen postings, so re-packing stays O(1) a posting amortized. */
const TAIL_SHARE = 8;
/**
 * Varint runs of at least this many bytes keep their last doc and posting count at hand: freezing
 * appends to them without decoding them, and a search without tombstones scores them in one pass.
 */
const LONG_RUN = 64;
/**
 * A run becomes raw (Int32 postings) once it holds max(RAW_MIN, docs / RAW_SHARE) postings. On the
 * search benchmark's corpus at 100k chunks that is 247 terms (0.05%), 28% of the postings (+62 bytes
 * a chunk over varint) and 96% of the postings its queries visit; all varint, BM25 p95 was 1.4× slower.
 */
const RAW_MIN = 512;
const RAW_SHARE = 32;

export interface Scored {
  id: string;
  /** BM25 score (unitless, > 0). */
  score: number;
}

export interface Bm25Options {
  /**
   * Postings the editable tail may hold before an add freezes it (packs it into the frozen part),
   * default 65,536; the tail may in any case grow to 1/8 of the frozen postings. `Infinity` leaves
   * freezing to `freeze()` (and to compaction, which always packs).
   */
  freezeAt?: number;
}

/** Where `memoryBytes()` goes, in bytes, and how many postings each part holds (tombstoned included). */
export interface Bm25Memory {
  /** Varint runs and their per-term offsets, raw runs, and the facts kept per long run. */
  frozen: number;
  /** Tail blocks and the term → newest tail posting or block table. */
  tail: number;
  /** Term dictionary (Han key table exactly, word map estimated) and the per-term tf scratch. */
  terms: number;
  /** Ids (estimated), document lengths and the query scratch. */
  docs: number;
  total: number;
  /** Postings in the frozen part, of which `rawPostings` in raw runs. */
  frozenPostings: number;
  rawPostings: number;
  tailPostings: number;
}

/**
 * score(q, d) = Σ over distinct query terms t in d of
 *   idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · |d| / avgdl)),  idf(t) = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))
 * with N, n_t and avgdl over live documents. This is the classic form; Lucene ≥ 8 drops the
 * constant factor (k1 + 1), which changes no ranking.
 *
 * A varint run holds, per posting in ascending doc order, the LEB128 varint of
 * (doc − previous doc − 1) · 2 + (tf = 1 ? 1 : 0), then a tf byte when tf ≠ 1 (previous doc starts at −1).
 */
export class Bm25Index {
  // Term id by key: Han bigrams/unigrams by `hanKey` number, every other term by its string.
  private hanIds = new KeyTable();
  private wordIds = new Map<string, number>();
  private nTerms = 0;

  // Frozen part. Term t < frozenTerms has its varint run at packed[offsets[t], offsets[t + 1]) (empty
  // when raw); `facts` lists long varint runs and raw runs, whose postings lie in `raw`.
  private packed = new Uint8Array(0);
  private offsets = new Uint32Array(1);
  private frozenTerms = 0;
  private frozenPostings = 0;
  private facts = new RunFacts();
  private raw = new Int32Array(0);

  // Editable tail. By term: its one tail posting p stored inline as −1 − p, or the offset of its
  // newest block in `pool`; blocks link back to older ones, postings ascend within a block.
  private tailOf = new KeyTable();
  private tailBits = new Uint32Array(32); // by term id: whether it is in tailOf, for walks in term order
  private pool = new Int32Array(1 << 12);
  private poolUsed = 0;
  private tailPostings = 0;
  private readonly freezeAt: number;

  private ids: (string | undefined)[] = []; // by doc index; undefined = removed (tombstone)
  private idx = new Map<string, number>();
  private lengths = new Int32Array(1024); // terms per doc
  private totalLength = 0;
  private dead = 0;

  // Scratch reused across calls, so add() and search() allocate almost nothing.
  private tfs = new Uint8Array(1024); // by term id: tf (saturating at MAX_TF) in the doc being added, zero between adds
  private seen: number[] = [];
  private docLength = 0;
  private acc = new Float64Array(0);
  private touched = new Int32Array(0);
  private hits = new Int32Array(0); // one term's postings (doc * 256 + tf) while it is scored or moved
  private readonly onKey = (key: number) => this.count(this.termId(this.hanIds, key));
  private readonly onWord = (term: string) => this.count(this.termId(this.wordIds, term));

  constructor(options: Bm25Options = {}) {
    this.freezeAt = options.freezeAt ?? FREEZE_AT;
  }

  /** Number of indexed (live) documents. */
  get size(): number {
    return this.idx.size;
  }

  has(id: string): boolean {
    return this.idx.has(id);
  }

  /** Indexes `text` under `id`; an existing `id` is replaced (and moves to the end for tie-breaks). */
  add(id: string, text: string): void {
    if (this.idx.has(id)) this.remove(id);
    const doc = this.ids.length;
    if (doc >= MAX_DOCS) throw new RangeError(`BM25 index is full (${MAX_DOCS} chunks)`);
    this.seen.length = 0;
    this.docLength = 0;
    visitTermKeys(text, this.onKey, this.onWord);
    const { seen, tfs } = this;
    for (let i = 0; i < seen.length; i++) {
      const t = seen[i];
      this.append(t, doc * 256 + tfs[t]);
      tfs[t] = 0;
    }
    if (doc >= this.lengths.length) this.lengths = grow(this.lengths, doc + 1);
    this.lengths[doc] = this.docLength;
    this.totalLength += this.docLength;
    this.ids.push(id);
    this.idx.set(id, doc);
    if (this.tailPostings >= this.freezeAt && this.tailPostings * TAIL_SHARE >= this.frozenPostings) this.freeze();
  }

  /** Removes `id` if present; returns whether it was. */
  remove(id: string): boolean {
    const doc = this.idx.get(id);
    if (doc === undefined) return false;
    this.idx.delete(id);
    this.ids[doc] = undefined;
    this.totalLength -= this.lengths[doc];
    this.dead++;
    if (this.idx.size === 0) this.clear();
    else if (this.dead >= MIN_COMPACT && this.dead > this.idx.size) this.compact();
    return true;
  }

  /** Empties the index and gives its memory back. */
  clear(): void {
    this.hanIds = new KeyTable();
    this.wordIds = new Map();
    this.nTerms = 0;
    this.tfs = new Uint8Array(1024);
    this.packed = new Uint8Array(0);
    this.offsets = new Uint32Array(1);
    this.frozenTerms = 0;
    this.frozenPostings = 0;
    this.facts = new RunFacts();
    this.raw = new Int32Array(0);
    this.resetTail();
    this.ids = [];
    this.idx.clear();
    this.lengths = new Int32Array(1024);
    this.totalLength = 0;
    this.dead = 0;
    this.acc = new Float64Array(0);
    this.touched = new Int32Array(0);
    this.hits = new Int32Array(0);
  }

  /**
   * Packs the tail into the frozen part now (adds do this on their own as the tail grows). Doc
   * numbers, tf, lengths and tombstones stay as they are, so every score stays the same.
   */
  freeze(): void {
    const nTail = this.tailOf.size;
    if (nTail === 0) return;
    const { packed, offsets, frozenTerms, tailBits, facts } = this;
    const rawAt = this.rawThreshold();
    // Pass 1, tail terms in term order: varint bytes to append go to `enc`; postings for raw runs
    // (appended, or a whole run turning raw) go to `rawAdd`, by fact index.
    const order = new Int32Array(nTail);
    const encEnd = new Int32Array(nTail);
    const toRaw = new Uint8Array(nTail);
    const enc = new Uint8Array(this.tailPostings * 5);
    const addFrom = new Int32Array(facts.size + nTail);
    const addTo = new Int32Array(facts.size + nTail);
    let rawAdd = new Int32Array(0);
    let added = 0;
    let at = 0;
    let dropped = 0; // varint bytes of runs turning raw
    let i = 0;
    for (let w = 0; w < tailBits.length; w++) {
      for (let bits = tailBits[w]; bits !== 0; bits &= bits - 1) {
        const t = w * 32 + 31 - Math.clz32(bits & -bits);
        const m = this.tailInto(this.tailOf.get(t) as number, 0);
        const { hits } = this;
        const runStart = t < frozenTerms ? offsets[t] : 0;
        const runBytes = t < frozenTerms ? offsets[t + 1] - runStart : 0;
        const fact = t < frozenTerms ? this.factOf(t) : -1;
        let prev = -1;
        let before = 0;
        let rawStart = -1;
        if (fact !== -1) (prev = facts.meta[3 * fact]), (before = facts.meta[3 * fact + 1]), (rawStart = facts.meta[3 * fact + 2]);
        else if (runBytes > 0) (prev = scanRun(packed, runStart, runStart + runBytes, RUN)), (before = RUN[0]);
        const postings = before + m;
        const last = hits[m - 1] >> 8;
        if (rawStart >= 0 || postings >= rawAt) {
          const more = rawStart >= 0 ? m : postings;
          if (rawAdd.length < added + more) rawAdd = growInts(rawAdd, added + more, added);
          const from = added;
          if (rawStart < 0) {
            added += decodeRun(packed, runStart, runStart + runBytes, rawAdd, added);
            dropped += runBytes;
          }
          rawAdd.set(hits.subarray(0, m), added);
          added += m;
          const f = facts.set(t, last, postings, rawStart);
          addFrom[f] = from;
          addTo[f] = added;
          toRaw[i] = 1;
        } else {
          const start = at;
          for (let j = 0; j < m; j++) {
            const d = hits[j] >> 8;
            at = put(enc, at, d - prev - 1, hits[j] & 255);
            prev = d;
          }
          if (runBytes + at - start >= LONG_RUN) facts.set(t, last, postings, -1);
        }
        order[i] = t;
        encEnd[i++] = at;
      }
    }
    // Pass 2: old varint runs are copied in spans between tail terms, each tail term's run is
    // followed by its new bytes (or dropped if it turned raw), and offsets move with their runs.
    const out = new Uint8Array(packed.length + at - dropped);
    const next = new Uint32Array(this.nTerms + 1);
    const oldStart = (u: number) => (u < frozenTerms ? offsets[u] : packed.length);
    let o = 0;
    let copied = 0;
    let u = 0;
    for (i = 0; i < nTail; i++) {
      const t = order[i];
      const start = oldStart(t);
      const end = t < frozenTerms ? offsets[t + 1] : start;
      copy(packed, copied, start, out, o);
      for (; u < t; u++) next[u] = oldStart(u) - copied + o;
      o += start - copied;
      next[t] = o;
      u = t + 1;
      if (toRaw[i] === 0) {
        copy(packed, start, end, out, o);
        o += end - start;
        const from = i === 0 ? 0 : encEnd[i - 1];
        copy(enc, from, encEnd[i], out, o);
        o += encEnd[i] - from;
      }
      copied = end;
    }
    copy(packed, copied, packed.length, out, o);
    for (; u <= this.nTerms; u++) next[u] = oldStart(u) - copied + o;
    // Raw runs, re-laid in fact order with their additions.
    if (added > 0) {
      const raw = new Int32Array(this.raw.length + added);
      let r = 0;
      for (let f = 0; f < facts.size; f++) {
        const start = facts.meta[3 * f + 2];
        const more = addTo[f] - addFrom[f];
        if (start < 0 && more === 0) continue; // a varint run
        facts.meta[3 * f + 2] = r;
        if (start >= 0) {
          const kept = facts.meta[3 * f + 1] - more;
          raw.set(this.raw.subarray(start, start + kept), r);
          r += kept;
        }
        raw.set(rawAdd.subarray(addFrom[f], addTo[f]), r);
        r += more;
      }
      this.raw = raw;
    }
    this.packed = out;
    this.offsets = next;
    this.frozenTerms = this.nTerms;
    this.frozenPostings += this.tailPostings;
    this.resetTail();
  }

  /** The distinct query terms, in first-seen order (what `search` scores and highlighting marks). */
  termsOf(query: string): string[] {
    return [...new Set(terms(query))];
  }

  /**
   * Top `k` documents for `query`, best first; equal scores keep insertion order. Each distinct
   * query term counts once. `filter` (by id) applies before the top-k cut.
   */
  search(query: string, k: number, filter?: (id: string) => boolean): Scored[] {
    const n = this.idx.size;
    if (k <= 0 || n === 0) return [];
    if (this.acc.length < this.ids.length) {
      this.acc = new Float64Array(this.lengths.length);
      this.touched = new Int32Array(this.lengths.length);
    }
    const { acc, touched, ids, lengths } = this;
    const avgdl = this.totalLength / n || 1; // only empty docs: any positive value will do
    const hasDead = this.dead > 0;
    const meta = this.facts.meta;
    let nTouched = 0;
    for (const term of this.termsOf(query)) {
      const key = hanKey(term);
      const t = key === undefined ? this.wordIds.get(term) : this.hanIds.get(key);
      if (t === undefined) continue;
      // Without tombstones a run with known facts is scored straight from where it lies; anything
      // else is first gathered (live postings only) into `hits`.
      const fact = t < this.frozenTerms ? this.factOf(t) : -1;
      let df: number;
      let m: number;
      let frozen = 0;
      if (hasDead || fact === -1) df = m = this.gather(t, fact);
      else {
        const newest = this.tailOf.size === 0 ? undefined : this.tailOf.get(t);
        m = newest === undefined ? 0 : this.tailInto(newest, 0);
        frozen = meta[3 * fact + 1];
        df = frozen + m;
      }
      if (df === 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      if (frozen > 0) {
        const start = meta[3 * fact + 2];
        if (start >= 0) nTouched = this.scoreRaw(start, start + frozen, idf, avgdl, nTouched);
        else nTouched = this.scoreVarint(t, idf, avgdl, nTouched);
      }
      const { hits } = this;
      for (let i = 0; i < m; i++) {
        const p = hits[i];
        const d = p >> 8;
        const s = contribution(idf, p & 255, lengths[d], avgdl);
        if (acc[d] === 0) touched[nTouched++] = d; // every score is > 0, so 0 means untouched
        acc[d] += s;
      }
    }

    const top = new TopK(k);
    for (let i = 0; i < nTouched; i++) {
      const d = touched[i];
      const s = acc[d];
      acc[d] = 0;
      if (filter !== undefined && !filter(ids[d] as string)) continue;
      top.offer(d, s);
    }
    return scoredOf(top, ids);
  }

  /** Approximate heap footprint in bytes (typed arrays exactly, maps and id strings estimated). */
  memoryBytes(): number {
    return this.memory().total;
  }

  /** `memoryBytes()` by part, with the postings each part holds. */
  memory(): Bm25Memory {
    const bytes = (...arrays: ArrayBufferView[]) => arrays.reduce((sum, a) => sum + a.byteLength, 0);
    const frozen = bytes(this.packed, this.offsets, this.raw) + this.facts.byteLength();
    const tail = bytes(this.tailBits, this.pool) + this.tailOf.byteLength();
    const termBytes = this.hanIds.byteLength() + this.wordIds.size * 40 + this.tfs.byteLength;
    const docs = bytes(this.lengths, this.acc, this.touched, this.hits) + this.idx.size * 40 + this.ids.length * 40;
    return {
      frozen,
      tail,
      terms: termBytes,
      docs,
      total: frozen + tail + termBytes + docs,
      frozenPostings: this.frozenPostings,
      rawPostings: this.raw.length,
      tailPostings: this.tailPostings,
    };
  }

  /** Adds the raw postings raw[from, to) (no tombstones) to the scores; returns the new touched count. */
  private scoreRaw(from: number, to: number, idf: number, avgdl: number, nTouched: number): number {
    const { raw, acc, touched, lengths } = this;
    for (let i = from; i < to; i++) {
      const p = raw[i];
      const d = p >> 8;
      const s = contribution(idf, p & 255, lengths[d], avgdl);
      if (acc[d] === 0) touched[nTouched++] = d;
      acc[d] += s;
    }
    return nTouched;
  }

  /** Adds term `t`'s varint run (no tombstones) to the scores as it decodes it; returns the new touched count. */
  private scoreVarint(t: number, idf: number, avgdl: number, nTouched: number): number {
    const { packed, acc, touched, lengths } = this;
    let p = this.offsets[t];
    const end = this.offsets[t + 1];
    let d = -1;
    while (p < end) {
      let v = packed[p++];
      if (v > 127) {
        let b = packed[p++];
        v = (v & 127) | ((b & 127) << 7);
        for (let shift = 14; b > 127; shift += 7) {
          b = packed[p++];
          v |= (b & 127) << shift;
        }
      }
      d += (v >>> 1) + 1;
      const tf = (v & 1) === 1 ? 1 : packed[p++];
      const s = contribution(idf, tf, lengths[d], avgdl);
      if (acc[d] === 0) touched[nTouched++] = d;
      acc[d] += s;
    }
    return nTouched;
  }

  /**
   * Copies term `t`'s live postings (frozen, then tail: ascending docs) into `hits`; returns how
   * many. `fact` is t's index in `facts`, or -1.
   */
  private gather(t: number, fact: number): number {
    let m = 0;
    const live = this.dead > 0 ? this.ids : null;
    if (t < this.frozenTerms) {
      const rawStart = fact === -1 ? -1 : this.facts.meta[3 * fact + 2];
      if (rawStart >= 0) {
        const end = rawStart + this.facts.meta[3 * fact + 1];
        if (this.hits.length < end - rawStart) this.hits = new Int32Array(capacity(end - rawStart));
        const { raw, hits } = this;
        for (let i = rawStart; i < end; i++) if (live === null || live[raw[i] >> 8] !== undefined) hits[m++] = raw[i];
      } else {
        const start = this.offsets[t];
        const end = this.offsets[t + 1];
        if (this.hits.length < end - start) this.hits = new Int32Array(capacity(end - start));
        m = decodeRun(this.packed, start, end, this.hits, 0, live);
      }
    }
    const newest = this.tailOf.size === 0 ? undefined : this.tailOf.get(t);
    if (newest === undefined) return m;
    const end = m + this.tailInto(newest, m);
    if (live === null) return end;
    const { hits } = this;
    for (let i = m; i < end; i++) if (live[hits[i] >> 8] !== undefined) hits[m++] = hits[i];
    return m;
  }

  /** Copies every tail posting of a term (`newest`: its tailOf value) to hits[at, …), ascending; returns how many. */
  private tailInto(newest: number, at: number): number {
    if (newest < 0) {
      if (this.hits.length <= at) this.hits = growInts(this.hits, at + 1, at);
      this.hits[at] = -1 - newest;
      return 1;
    }
    const { pool } = this;
    let n = 0;
    for (let blk = newest; blk !== -1; blk = pool[blk]) n += pool[blk + 1] % FILL_SPAN;
    if (this.hits.length < at + n) this.hits = growInts(this.hits, at + n, at);
    const { hits } = this;
    // Newest block first, so fill from the end.
    let end = at + n;
    for (let blk = newest; blk !== -1; blk = pool[blk]) {
      const used = pool[blk + 1] % FILL_SPAN;
      end -= used;
      for (let i = 0; i < used; i++) hits[end + i] = pool[blk + HEADER + i];
    }
    return n;
  }

  /**
   * The `facts` index of frozen term t, or -1. Only raw runs (whose varint run is empty: every
   * frozen term has postings) and long varint runs have facts, so short runs skip the lookup.
   */
  private factOf(t: number): number {
    const bytes = this.offsets[t + 1] - this.offsets[t];
    return bytes === 0 || bytes >= LONG_RUN ? this.facts.find(t) : -1;
  }

  /** Postings from which a run is kept raw, for the current number of documents. */
  private rawThreshold(): number {
    return Math.max(RAW_MIN, Math.ceil(this.ids.length / RAW_SHARE));
  }

  private termId<K>(ids: TermIds<K>, key: K): number {
    let t = ids.get(key);
    if (t === undefined) {
      t = this.nTerms++;
      ids.set(key, t);
      if (t >= this.tfs.length) this.tfs = growBytes(this.tfs, t + 1);
      if (t >= this.tailBits.length * 32) {
        const bits = new Uint32Array(capacity(t + 1) >> 5);
        bits.set(this.tailBits);
        this.tailBits = bits;
      }
    }
    return t;
  }

  private count(t: number): void {
    const tf = this.tfs[t];
    if (tf === 0) this.seen.push(t);
    if (tf < MAX_TF) this.tfs[t] = tf + 1;
    this.docLength++;
  }

  private append(t: number, posting: number): void {
    this.tailPostings++;
    const { tailOf } = this;
    const at = tailOf.find(t);
    if (at === -1) {
      tailOf.set(t, -1 - posting);
      this.tailBits[t >> 5] |= 1 << (t & 31);
      return;
    }
    const newest = tailOf.valueAt(at);
    if (newest < 0) {
      const blk = this.allocate(FIRST_BLOCK, -1);
      this.pool[blk + HEADER] = -1 - newest;
      this.pool[blk + HEADER + 1] = posting;
      this.pool[blk + 1] += 2;
      tailOf.setAt(at, blk);
      return;
    }
    const meta = this.pool[newest + 1];
    const cap = Math.floor(meta / FILL_SPAN);
    const used = meta % FILL_SPAN;
    if (used < cap) {
      this.pool[newest + HEADER + used] = posting;
      this.pool[newest + 1] = meta + 1;
      return;
    }
    const blk = this.allocate(Math.min(2 * cap, MAX_BLOCK), newest);
    this.pool[blk + HEADER] = posting;
    this.pool[blk + 1] += 1;
    tailOf.setAt(at, blk);
  }

  /** A new empty block of `cap` postings linked back to `previous` (or -1); returns its offset. */
  private allocate(cap: number, previous: number): number {
    const at = this.poolUsed;
    this.poolUsed += HEADER + cap;
    if (this.poolUsed > this.pool.length) this.pool = growInts(this.pool, this.poolUsed, at);
    this.pool[at] = previous;
    this.pool[at + 1] = cap * FILL_SPAN;
    return at;
  }

  private resetTail(): void {
    this.tailOf = new KeyTable();
    this.tailBits = new Uint32Array(capacity(this.nTerms + 1) >> 5);
    this.pool = new Int32Array(1 << 12);
    this.poolUsed = 0;
    this.tailPostings = 0;
  }

  /**
   * Re-packs the live postings of every term into a fresh frozen part, docs renumbered in order and
   * terms without live postings dropped; the tail is left empty.
   */
  private compact(): void {
    const old = { ids: this.ids, lengths: this.lengths };
    const remap = new Int32Array(old.ids.length).fill(-1);
    const ids: string[] = [];
    const lengths = new Int32Array(this.lengths.length);
    for (let d = 0; d < old.ids.length; d++) {
      const id = old.ids[d];
      if (id === undefined) continue;
      remap[d] = ids.length;
      lengths[ids.length] = old.lengths[d];
      this.idx.set(id, ids.length);
      ids.push(id);
    }
    const rawAt = Math.max(RAW_MIN, Math.ceil(ids.length / RAW_SHARE));
    // Renumbering keeps doc order, so no gap grows: 5 bytes bound each posting not already in a varint run.
    const out = new Uint8Array(this.packed.length + 5 * (this.tailPostings + this.raw.length));
    const next = new Uint32Array(this.nTerms + 1);
    const facts = new RunFacts();
    let raw = new Int32Array(0);
    let rawUsed = 0;
    const hanIds = this.hanIds;
    const wordIds = this.wordIds;
    this.hanIds = new KeyTable();
    this.wordIds = new Map();
    this.nTerms = 0;
    let at = 0;
    let postings = 0;
    const repack = <K>(from: TermIds<K>, to: TermIds<K>) => {
      for (const [key, t] of from) {
        const m = this.gather(t, t < this.frozenTerms ? this.factOf(t) : -1); // live only: ids still holds the tombstones
        if (m === 0) continue;
        const { hits } = this;
        for (let i = 0; i < m; i++) hits[i] = remap[hits[i] >> 8] * 256 + (hits[i] & 255);
        const nt = this.termId(to, key);
        next[nt] = at;
        const last = hits[m - 1] >> 8;
        if (m >= rawAt) {
          if (raw.length < rawUsed + m) raw = growInts(raw, rawUsed + m, rawUsed);
          raw.set(hits.subarray(0, m), rawUsed);
          facts.set(nt, last, m, rawUsed);
          rawUsed += m;
        } else {
          let prev = -1;
          for (let i = 0; i < m; i++) {
            const d = hits[i] >> 8;
            at = put(out, at, d - prev - 1, hits[i] & 255);
            prev = d;
          }
          if (at - next[nt] >= LONG_RUN) facts.set(nt, last, m, -1);
        }
        postings += m;
      }
    };
    repack(hanIds, this.hanIds);
    repack(wordIds, this.wordIds);
    next[this.nTerms] = at;
    this.packed = out.slice(0, at);
    this.offsets = next.slice(0, this.nTerms + 1);
    this.raw = raw.slice(0, rawUsed);
    this.facts = facts;
    this.frozenTerms = this.nTerms;
    this.frozenPostings = postings;
    this.resetTail();
    this.ids = ids;
    this.lengths = lengths;
    this.dead = 0;
  }
}

/**
 * The kept docs as results. Its own function: V8 met arrays of several shapes from `sorted()` here
 * and, while this sat inline at the end of `search`, threw away search's optimized code on most calls.
 */
function scoredOf(top: TopK, ids: readonly (string | undefined)[]): Scored[] {
  return top.sorted().map(([d, score]) => ({ id: ids[d] as string, score }));
}

/**
 * One term's BM25 contribution to a doc of `len` terms, one expression for every path so each gives
 * the same double. (A per-length table of the k1 · (…) term measured slower: one more dependent load.)
 */
function contribution(idf: number, tf: number, len: number, avgdl: number): number {
  return (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avgdl));
}

/** Writes one varint posting at `at` (see the class comment); returns the position after it. */
function put(buf: Uint8Array, at: number, gap: number, tf: number): number {
  let v = gap * 2 + (tf === 1 ? 1 : 0);
  while (v > 127) {
    buf[at++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[at++] = v;
  if (tf !== 1) buf[at++] = tf;
  return at;
}

/**
 * Decodes the varint run packed[p, end) into out[at, …) as doc * 256 + tf, skipping docs whose id
 * in `live` is undefined (pass null to keep all); returns how many it wrote.
 */
function decodeRun(packed: Uint8Array, p: number, end: number, out: Int32Array, at: number, live: readonly (string | undefined)[] | null = null): number {
  const from = at;
  let d = -1;
  while (p < end) {
    let v = packed[p++];
    if (v > 127) {
      let b = packed[p++];
      v = (v & 127) | ((b & 127) << 7);
      for (let shift = 14; b > 127; shift += 7) {
        b = packed[p++];
        v |= (b & 127) << shift;
      }
    }
    d += (v >>> 1) + 1;
    const tf = (v & 1) === 1 ? 1 : packed[p++];
    if (live === null || live[d] !== undefined) out[at++] = d * 256 + tf;
  }
  return at - from;
}

const RUN = new Int32Array(1);

/** The last doc of the varint run packed[p, end) (-1 if empty); its posting count goes to count[0]. */
function scanRun(packed: Uint8Array, p: number, end: number, count: Int32Array): number {
  let d = -1;
  let n = 0;
  while (p < end) {
    let v = packed[p++];
    if (v > 127) {
      let b = packed[p++];
      v = (v & 127) | ((b & 127) << 7);
      for (let shift = 14; b > 127; shift += 7) {
        b = packed[p++];
        v |= (b & 127) << shift;
      }
    }
    d += (v >>> 1) + 1;
    if ((v & 1) === 0) p++;
    n++;
  }
  count[0] = n;
  return d;
}

/** Copies src[from, to) to dst at `at`: a plain loop for the many short spans, `set` for long ones. */
function copy(src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number): void {
  if (to - from > 64) dst.set(src.subarray(from, to), at);
  else for (let i = from; i < to; i++) dst[at++] = src[i];
}

interface TermIds<K> {
  get(key: K): number | undefined;
  set(key: K, id: number): void;
  readonly size: number;
  [Symbol.iterator](): Iterator<[K, number]>;
}

/**
 * Open-addressing hash table from small integers (`hanKey` numbers, term ids) to ids in two
 * Int32Arrays: ~3x faster than a Map on the hot path (one lookup per Chinese term while
 * re-indexing) and no per-entry objects.
 */
class KeyTable implements TermIds<number> {
  private static readonly EMPTY = 0x7fffffff; // hanKey values lie in [-2^15, 2^30), term ids below 2^31 - 1
  private keys = new Int32Array(1 << 12).fill(KeyTable.EMPTY);
  private vals = new Int32Array(1 << 12);
  private shift = 32 - 12;
  size = 0;

  get(key: number): number | undefined {
    const { keys } = this;
    const mask = keys.length - 1;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) return this.vals[i];
      if (k === KeyTable.EMPTY) return undefined;
    }
  }

  /** Where `key` sits (for valueAt/setAt until the next insert), or -1. */
  find(key: number): number {
    const { keys } = this;
    const mask = keys.length - 1;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) return i;
      if (k === KeyTable.EMPTY) return -1;
    }
  }

  valueAt(i: number): number {
    return this.vals[i];
  }

  setAt(i: number, id: number): void {
    this.vals[i] = id;
  }

  /** Inserts a key known to be absent. */
  set(key: number, id: number): void {
    if (4 * (this.size + 1) > 3 * this.keys.length) this.rehash(); // load ≤ 3/4
    const { keys } = this;
    const mask = keys.length - 1;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (keys[i] !== KeyTable.EMPTY) i = (i + 1) & mask;
    keys[i] = key;
    this.vals[i] = id;
    this.size++;
  }

  *[Symbol.iterator](): Iterator<[number, number]> {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] !== KeyTable.EMPTY) yield [this.keys[i], this.vals[i]];
    }
  }

  byteLength(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  private rehash(): void {
    const old = [...this];
    this.keys = new Int32Array(this.keys.length * 2).fill(KeyTable.EMPTY);
    this.vals = new Int32Array(this.keys.length);
    this.shift--;
    this.size = 0;
    for (const [k, v] of old) this.set(k, v);
  }
}

/**
 * Facts kept per frozen run that is long (LONG_RUN bytes of varint) or raw, by term: in `meta` at
 * 3 · index, its last doc, its postings (tombstoned included) and where it starts in `raw` (-1: varint).
 */
class RunFacts {
  private readonly index = new KeyTable();
  meta = new Int32Array(3 * 64);

  get size(): number {
    return this.index.size;
  }

  /** The fact index of term `t`, or -1. */
  find(t: number): number {
    const i = this.index.find(t);
    return i === -1 ? -1 : this.index.valueAt(i);
  }

  /** Records (or updates) term `t`'s facts; returns its index. */
  set(t: number, last: number, postings: number, rawStart: number): number {
    let f = this.find(t);
    if (f === -1) {
      f = this.index.size;
      this.index.set(t, f);
      if (3 * f + 3 > this.meta.length) this.meta = grow(this.meta, 3 * f + 3);
    }
    this.meta[3 * f] = last;
    this.meta[3 * f + 1] = postings;
    this.meta[3 * f + 2] = rawStart;
    return f;
  }

  byteLength(): number {
    return this.index.byteLength() + this.meta.byteLength;
  }
}

/** Power-of-two capacity (at least 1024) for `needed` elements. */
function capacity(needed: number): number {
  let n = 1024;
  while (n < needed) n *= 2;
  return n;
}

function grow(a: Int32Array, needed: number): Int32Array<ArrayBuffer> {
  return growInts(a, needed, a.length);
}

/** A larger copy of `a` holding `needed`, keeping its first `used` elements. */
function growInts(a: Int32Array, needed: number, used: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity(Math.max(a.length, needed)));
  b.set(a.subarray(0, used));
  return b;
}

function growBytes(a: Uint8Array, needed: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(capacity(Math.max(a.length, needed)));
  b.set(a);
  return b;
}
