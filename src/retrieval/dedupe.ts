// Collapses near-duplicate chunks in a ranked list (the same passage from the PDF and the text copy
// of one document, or a paragraph that recurs across documents), keeping the best-ranked one and
// listing the others as further sources. Pure, and fast enough for the k ≤ 50 hits of one search.
//
// Measure ("shared passage"): both chunks are reduced to letters and digits (whitespace, line
// wrapping, Markdown/table syntax and quote styles then play no part) and cut into character
// n-gram shingles. Walking the shingles of one chunk, each is +1 if the other chunk has it and
// −PENALTY if not; the best-scoring stretch (Kadane) is the longest run of text the two share
// with at most one miss in PENALTY + 1. Its share of the chunk, taken in whichever direction is
// larger, is the similarity. Copies of one passage share one long, gap-free stretch even when cut
// at different places; templated sections (the same config block for React and for Vue) share
// text too, but broken by the lines that differ, and chance n-gram matches never form a stretch.
// Character n-grams work for Chinese and English alike, without a tokenizer.

/** Shingle length in UTF-16 code units: long enough that chance matches between unrelated chunks are rare (see the tests). */
export const SHINGLE = 12;
/** Cost of a shingle of one chunk that the other lacks, against +1 for one it has. */
export const PENALTY = 9;
/** Similarity at or above which two chunks are the same passage; chosen on extracted PDF/text pairs (see the tests). */
export const DUPLICATE_THRESHOLD = 0.5;
/** A chunk with fewer shingles than this (about 35 letters) is only a duplicate of an identical chunk: a heading line is contained in too much. */
export const MIN_SHINGLES = 24;

// Lines that a PDF adds and the text copy lacks: page numbers ("12", "- 12 -", "Page 3 of 9", "第 3 页").
const PAGE_NUMBER_LINE = /^[ \t]*(?:(?:page|p\.)[ \t]*\d{1,4}(?:[ \t]*(?:of|\/)[ \t]*\d{1,4})?|[-–—]?[ \t]*\d{1,4}[ \t]*[-–—]?|\d{1,4}[ \t]*\/[ \t]*\d{1,4}|第[ \t]*\d{1,4}[ \t]*页(?:[ \t]*[,，/][ \t]*共[ \t]*\d{1,4}[ \t]*页)?)[ \t]*$/gimu;
// A word hyphenated across a line break in the PDF ("retriev-\nal") is one word in the text copy.
const LINE_HYPHEN = /(\p{L})[-\u00ad\u2010][ \t]*\r?\n[ \t]*(\p{Ll})/gu;
const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;

/**
 * The comparison form of a chunk: NFKC (folds ligatures such as "ﬁ" and full-width forms), lower
 * case, page-number lines removed, line-end hyphenation joined, then only letters and digits kept.
 */
export function normalizeForDedupe(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(PAGE_NUMBER_LINE, '')
    .replace(LINE_HYPHEN, '$1$2')
    .replace(NOT_ALNUM, '');
}

/**
 * 30-bit hashes (FNV-1a, top bits) of the `n`-code-unit windows of a normalized string, in text
 * order (code units, not code points: a supplementary character simply counts twice).
 */
export function shingleHashes(norm: string, n = SHINGLE): Uint32Array {
  if (norm.length === 0) return new Uint32Array(0);
  const count = Math.max(1, norm.length - n + 1);
  const width = Math.min(n, norm.length);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let h = 0x811c9dc5;
    for (let j = i; j < i + width; j++) {
      h ^= norm.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
    }
    // 30 bits: V8 keeps such numbers unboxed (Smi), which makes Set lookups several times faster.
    out[i] = h >>> 2;
  }
  return out;
}

/** |A ∩ B| / min(|A|, |B|) over the distinct shingles of two chunks (the overlap coefficient); 0 when either is empty. */
export function overlapCoefficient(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  const sa = new Set(a);
  const sb = new Set(b);
  let common = 0;
  for (const h of sa) if (sb.has(h)) common++;
  return common / Math.min(sa.size, sb.size);
}

export interface Fingerprint {
  norm: string;
  /** Shingle hashes in text order. */
  shingles: Uint32Array;
  set: Set<number>;
}

export function fingerprint(text: string, n = SHINGLE): Fingerprint {
  const norm = normalizeForDedupe(text);
  const shingles = shingleHashes(norm, n);
  return { norm, shingles, set: new Set(shingles) };
}

/**
 * Share of `a`'s shingles in its best stretch shared with `b` (see the header): 0–1. With `atLeast`,
 * returns 0 early when the share cannot reach it: a stretch of h hits has fewer than h / penalty
 * misses, so every 4th shingle of it still holds more than h · (penalty − 3) / (4 · penalty) − 1
 * hits; a sample with fewer rules the stretch out after a quarter of the lookups (exact, no guess).
 */
export function sharedStretch(a: Fingerprint, b: Fingerprint, penalty = PENALTY, atLeast = 0): number {
  const n = a.shingles.length;
  if (atLeast > 0 && penalty > 3) {
    let sampled = 0;
    for (let i = 0; i < n; i += 4) if (b.set.has(a.shingles[i])) sampled++;
    if (sampled < (atLeast * n * (penalty - 3)) / (4 * penalty) - 1) return 0;
  }
  let best = 0;
  let run = 0; // Kadane score of the best stretch ending here
  let hits = 0; // shingles of that stretch found in b
  let bestHits = 0;
  for (let i = 0; i < a.shingles.length; i++) {
    const hit = b.set.has(a.shingles[i]);
    const v = hit ? 1 : -penalty;
    if (run + v <= 0) {
      run = 0;
      hits = 0;
      continue;
    }
    run += v;
    if (hit) hits++;
    if (run > best) {
      best = run;
      bestHits = hits;
    }
  }
  return a.shingles.length ? bestHits / a.shingles.length : 0;
}

/** Similarity of two chunks: the larger of the two directions of `sharedStretch`; with `atLeast`, 0 for anything below it. */
export function passageSimilarity(a: Fingerprint, b: Fingerprint, penalty = PENALTY, atLeast = 0): number {
  if (a.norm.length === 0 || b.norm.length === 0) return 0;
  if (a.norm === b.norm) return 1;
  return Math.max(sharedStretch(a, b, penalty, atLeast), sharedStretch(b, a, penalty, atLeast));
}

/** passageSimilarity, except that short chunks (see MIN_SHINGLES) score 1 when identical and 0 otherwise. */
function similarityOrZero(a: Fingerprint, b: Fingerprint, penalty = PENALTY, atLeast = 0): number {
  if (a.norm.length === 0 || b.norm.length === 0) return 0;
  if (Math.min(a.shingles.length, b.shingles.length) < MIN_SHINGLES) return a.norm === b.norm ? 1 : 0;
  return passageSimilarity(a, b, penalty, atLeast);
}

/** Whether two fingerprints are the same passage under `threshold` (see MIN_SHINGLES for short chunks). */
export function isNearDuplicate(a: Fingerprint, b: Fingerprint, threshold = DUPLICATE_THRESHOLD, penalty = PENALTY): boolean {
  const s = similarityOrZero(a, b, penalty, threshold);
  return s > 0 && s >= threshold;
}

export interface Collapsed<T> {
  /** The best-ranked member: what the context shows. */
  item: T;
  /** The other members, best first: further sources of the same passage. */
  duplicates: T[];
  /** passageSimilarity of each duplicate with `item`, in the same order. */
  similarity: number[];
}

/**
 * Walks `ranked` best first; an item that is a near-duplicate of an earlier kept item joins that
 * item's group (the first one it matches), otherwise it is kept. Order of kept items is preserved.
 * O(k² · chunk length) for k items; unrelated pairs are ruled out after a quarter of the lookups.
 */
export function dedupeRanked<T extends { text: string }>(ranked: readonly T[], threshold = DUPLICATE_THRESHOLD): Collapsed<T>[] {
  const kept: { group: Collapsed<T>; fp: Fingerprint }[] = [];
  for (const item of ranked) {
    const fp = fingerprint(item.text);
    let home: { group: Collapsed<T>; fp: Fingerprint } | undefined;
    let sim = 0;
    for (const k of kept) {
      sim = similarityOrZero(k.fp, fp, PENALTY, threshold);
      if (sim >= threshold) {
        home = k;
        break;
      }
    }
    if (home) {
      home.group.duplicates.push(item);
      home.group.similarity.push(sim);
    } else kept.push({ group: { item, duplicates: [], similarity: [] }, fp });
  }
  return kept.map((k) => k.group);
}
