// Gold passages by position (pure): each passage is located in its document's text as a character range,
// tolerant of whitespace, line breaks, punctuation and a few differing characters; retrieval relevance is
// then decided by ranges (a chunk is gold when it covers at least half of a gold span), never by bags of words.

/** A located gold passage: offsets into its document's stored text (UTF-16 code units, end exclusive). */
export interface GoldSpan {
  docId: string;
  start: number;
  end: number;
}

export interface GoldLocation extends GoldSpan {
  /** 'exact': equal after folding case, width, accents, spacing and punctuation; 'approximate': within GOLD_EDIT_TOLERANCE. */
  match: 'exact' | 'approximate';
  /** Letters/digits inserted, deleted or changed to align the passage (0 for exact). */
  edits: number;
  /** Exact occurrences over all documents (the first one in the preferred document, else in document order, is used). */
  occurrences: number;
}

/** A retrieved chunk or search hit: where it sits in its document's text. */
export interface ChunkSpan {
  chunkId: string;
  docId: string;
  /** Offsets into the document text, UTF-16 code units, end exclusive. */
  start: number;
  end: number;
  /**
   * Other copies of the same passage that search merged into this hit (the PDF and the TXT of one
   * document): the hit is gold when any copy covers a gold span.
   */
  alsoIn?: readonly Omit<ChunkSpan, 'alsoIn'>[];
}

/** A hit and the copies merged into it. */
function copies(c: ChunkSpan): ChunkSpan[] {
  return [c, ...(c.alsoIn ?? [])];
}

export interface DocText {
  docId: string;
  name: string;
  text: string;
}

/** A document folded for matching, with the map back to the original offsets. Build once per document. */
export interface PreparedDoc {
  docId: string;
  name: string;
  /** Letters and digits only: NFKD, marks dropped, lowercase. */
  skeleton: string;
  /** starts[i], ends[i]: the original text range that skeleton[i] came from. */
  starts: Int32Array;
  ends: Int32Array;
}

/** A chunk is gold when it covers at least this share of a gold span (or, being too short to ever do so, has this share of itself inside the span). */
export const GOLD_SPAN_COVERAGE = 0.5;
/** Largest share of a passage's letters/digits that may differ (extractor noise, OCR, a changed character) for an approximate match. */
export const GOLD_EDIT_TOLERANCE = 0.1;

const KEEP = /[\p{L}\p{N}]/u;

/**
 * Folds text to letters and digits, one code point at a time (so each folded character maps back to
 * where it came from): NFKD (full-width, ligatures, accents split off), lowercase, everything that is
 * not a letter or digit dropped. Whitespace, line breaks, hyphenation, quotes and dashes disappear.
 */
function fold(text: string): { skeleton: string; starts: number[]; ends: number[] } {
  let skeleton = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    for (const ch of String.fromCodePoint(cp).normalize('NFKD').toLowerCase()) {
      if (!KEEP.test(ch)) continue;
      skeleton += ch;
      // A folded character may be two UTF-16 units (astral letters): map every unit to the source code point.
      for (let u = 0; u < ch.length; u++) {
        starts.push(i);
        ends.push(i + len);
      }
    }
    i += len;
  }
  return { skeleton, starts, ends };
}

export function prepareDocument(doc: DocText): PreparedDoc {
  const f = fold(doc.text);
  return { docId: doc.docId, name: doc.name, skeleton: f.skeleton, starts: Int32Array.from(f.starts), ends: Int32Array.from(f.ends) };
}

/** The passage as `fold` sees it (for checks such as "too short to place"). */
export function foldedPassage(passage: string): string {
  return fold(passage).skeleton;
}

function span(doc: PreparedDoc, from: number, to: number): GoldSpan {
  return { docId: doc.docId, start: doc.starts[from], end: doc.ends[to - 1] };
}

/** Semi-global edit distance (Sellers 1980): the best alignment of the whole pattern to any substring of `text`. */
function bestAlignment(pattern: string, text: string): { edits: number; from: number; to: number } {
  const m = pattern.length;
  const n = text.length;
  // cost[j], start[j] for the current row: free start anywhere in text (row 0 is all zeros).
  let cost = new Int32Array(n + 1);
  let start = Int32Array.from({ length: n + 1 }, (_, j) => j);
  let nextCost = new Int32Array(n + 1);
  let nextStart = new Int32Array(n + 1);
  for (let i = 1; i <= m; i++) {
    nextCost[0] = i;
    nextStart[0] = 0;
    for (let j = 1; j <= n; j++) {
      const sub = cost[j - 1] + (pattern[i - 1] === text[j - 1] ? 0 : 1);
      const del = cost[j] + 1; // pattern character missing from text
      const ins = nextCost[j - 1] + 1; // extra character in text
      if (sub <= del && sub <= ins) {
        nextCost[j] = sub;
        nextStart[j] = start[j - 1];
      } else if (del <= ins) {
        nextCost[j] = del;
        nextStart[j] = start[j];
      } else {
        nextCost[j] = ins;
        nextStart[j] = nextStart[j - 1];
      }
    }
    [cost, nextCost] = [nextCost, cost];
    [start, nextStart] = [nextStart, start];
  }
  let best = 0;
  for (let j = 1; j <= n; j++) if (cost[j] < cost[best]) best = j;
  return { edits: cost[best], from: start[best], to: best };
}

/** Alignment diagonals (doc position − passage position) supported by the most exact q-gram hits. */
function candidateDiagonals(pattern: string, doc: string, q: number, limit: number): number[] {
  const votes = new Map<number, number>();
  for (let o = 0; o + q <= pattern.length; o += q) {
    const gram = pattern.slice(o, o + q);
    for (let pos = doc.indexOf(gram); pos >= 0; pos = doc.indexOf(gram, pos + 1)) {
      const diag = pos - o;
      votes.set(diag, (votes.get(diag) ?? 0) + 1);
    }
  }
  // Neighbouring diagonals (an insertion or deletion shifts the rest) vote together.
  const merged = new Map<number, number>();
  for (const [d, v] of votes) {
    const key = Math.round(d / q);
    merged.set(key, (merged.get(key) ?? 0) + v);
  }
  return [...merged.entries()]
    .sort((x, y) => y[1] - x[1] || x[0] - y[0])
    .slice(0, limit)
    .map(([key]) => key * q);
}

export interface LocateOptions {
  /** Name of the document the passage should come from (a test item's gold document): searched first. */
  preferDoc?: string;
}

function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').trim().toLowerCase();
  const stem = (s: string) => s.replace(/\.[a-z0-9]{1,5}$/u, '');
  const x = norm(a);
  const y = norm(b);
  return x !== '' && (x === y || stem(x) === stem(y));
}

/**
 * Where a gold passage sits in the documents, or null when it is in none of them. Exact (after
 * folding) wins; otherwise the closest approximate match with at most GOLD_EDIT_TOLERANCE of the
 * passage's letters/digits edited (none for passages under 10 of them: too short to tell noise from a
 * different passage). The preferred document is searched first, then the rest in the given order.
 */
export function locateGold(passage: string, docs: readonly PreparedDoc[], opts: LocateOptions = {}): GoldLocation | null {
  const p = fold(passage).skeleton;
  if (p.length === 0) return null;
  const ordered = opts.preferDoc ? [...docs.filter((d) => sameName(d.name, opts.preferDoc!)), ...docs.filter((d) => !sameName(d.name, opts.preferDoc!))] : [...docs];
  let first: GoldLocation | null = null;
  let occurrences = 0;
  for (const doc of ordered) {
    for (let at = doc.skeleton.indexOf(p); at >= 0; at = doc.skeleton.indexOf(p, at + 1)) {
      occurrences++;
      first ??= { ...span(doc, at, at + p.length), match: 'exact', edits: 0, occurrences: 0 };
    }
  }
  if (first) return { ...first, occurrences };
  const k = Math.floor(p.length * GOLD_EDIT_TOLERANCE);
  if (k === 0) return null;
  const q = Math.max(2, Math.min(8, Math.floor(p.length / (k + 1))));
  let best: GoldLocation | null = null;
  for (const doc of ordered) {
    for (const diag of candidateDiagonals(p, doc.skeleton, q, 4)) {
      const from = Math.max(0, diag - k - q);
      const to = Math.min(doc.skeleton.length, diag + p.length + k + q);
      const a = bestAlignment(p, doc.skeleton.slice(from, to));
      if (a.edits > k || a.to <= a.from) continue;
      if (!best || a.edits < best.edits) best = { ...span(doc, from + a.from, from + a.to), match: 'approximate', edits: a.edits, occurrences: 1 };
    }
    if (best?.edits === 0) break;
  }
  return best;
}

/** Each of an item's gold passages located (null where not found), in the item's order. */
export function locateItemGold(item: { goldPassages: readonly string[]; goldDocument?: string }, docs: readonly PreparedDoc[]): (GoldLocation | null)[] {
  return item.goldPassages.map((gp) => locateGold(gp, docs, { preferDoc: item.goldDocument }));
}

export interface GoldScreenItem {
  itemId: string;
  /** Gold passages found in no document (index into the item's goldPassages, and the text). */
  notFound: { index: number; passage: string }[];
  /** Found, but only approximately: worth a look. */
  approximate: { index: number; edits: number }[];
  /** Found in another document than the item's named gold document. */
  elsewhere: { index: number; docName: string }[];
  /** The item names a gold document that is not among the documents. */
  goldDocumentMissing: boolean;
}

/**
 * The test-set screen before a run: per question, the gold passages that cannot be found in any
 * document (and the softer findings), so a passage missing from the documents is reported up front
 * instead of scoring as a silent retrieval miss. Only items with something to report are returned.
 */
export function screenGold(items: readonly { id: string; goldPassages: readonly string[]; goldDocument?: string }[], docs: readonly PreparedDoc[]): GoldScreenItem[] {
  const out: GoldScreenItem[] = [];
  for (const item of items) {
    const locs = locateItemGold(item, docs);
    const row: GoldScreenItem = {
      itemId: item.id,
      notFound: [],
      approximate: [],
      elsewhere: [],
      goldDocumentMissing: item.goldDocument !== undefined && item.goldDocument.trim() !== '' && !docs.some((d) => sameName(d.name, item.goldDocument!)),
    };
    locs.forEach((loc, index) => {
      if (!loc) row.notFound.push({ index, passage: item.goldPassages[index] });
      else {
        if (loc.match === 'approximate') row.approximate.push({ index, edits: loc.edits });
        const doc = docs.find((d) => d.docId === loc.docId)!;
        if (item.goldDocument && !row.goldDocumentMissing && !sameName(doc.name, item.goldDocument)) row.elsewhere.push({ index, docName: doc.name });
      }
    });
    if (row.notFound.length || row.approximate.length || row.elsewhere.length || row.goldDocumentMissing) out.push(row);
  }
  return out;
}

// ---------- relevance by position ----------

function overlapLength(c: ChunkSpan, s: GoldSpan): number {
  return c.docId === s.docId ? Math.max(0, Math.min(c.end, s.end) - Math.max(c.start, s.start)) : 0;
}

/**
 * True when the chunk covers at least GOLD_SPAN_COVERAGE of a gold span. A chunk shorter than half the
 * span can never do that (a long passage cut into several chunks), so such a chunk counts when at least
 * half of it lies inside the span.
 */
export function isGoldChunk(chunk: ChunkSpan, spans: readonly (GoldSpan | null)[]): boolean {
  const chunkLen = chunk.end - chunk.start;
  return spans.some((s) => {
    if (!s || s.end <= s.start) return false;
    const spanLen = s.end - s.start;
    const o = overlapLength(chunk, s);
    if (o <= 0) return false;
    if (o >= GOLD_SPAN_COVERAGE * spanLen) return true;
    return chunkLen > 0 && chunkLen < GOLD_SPAN_COVERAGE * spanLen && o >= GOLD_SPAN_COVERAGE * chunkLen;
  });
}

/** Share (0–1) of the span covered by the union of the chunks' ranges (overlapping chunks count once). */
export function coveredShare(chunks: readonly ChunkSpan[], s: GoldSpan): number {
  const len = s.end - s.start;
  if (len <= 0) return 0;
  const parts = chunks
    .filter((c) => c.docId === s.docId)
    .map((c) => [Math.max(c.start, s.start), Math.min(c.end, s.end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = s.start;
  for (const [a, b] of parts) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return covered / len;
}

export interface SpanRetrievalScores {
  /** The k looked at. */
  k: number;
  /** 1 when any of the first k chunks is gold. */
  hit: 0 | 1;
  /** Share of the located gold passages covered (≥ GOLD_SPAN_COVERAGE) by the union of the first k chunks. */
  recall: number;
  /** Gold chunks among the first k, divided by k. */
  precision: number;
  /** 1 / rank of the first gold chunk among the first k (0 when none); its mean is MRR@k. */
  rr: number;
  /** Gold chunks among the first k, in rank order. */
  goldChunkIds: string[];
  /** Gold passages that could be located (the denominator of recall). */
  located: number;
  /** Gold passages found in no document: left out of recall, reported. */
  unlocated: number;
}

/**
 * Retrieval scores of a ranked list against located gold spans (nulls = passages not found). Null when
 * no passage could be located: there is nothing to measure retrieval against.
 */
export function spanRetrievalScores(ranked: readonly ChunkSpan[], spans: readonly (GoldSpan | null)[], k: number): SpanRetrievalScores | null {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const located = spans.filter((s): s is GoldSpan => s !== null);
  if (located.length === 0) return null;
  const seen = new Set<string>();
  const top: ChunkSpan[] = [];
  for (const c of ranked.slice(0, k)) {
    if (seen.has(c.chunkId)) continue;
    seen.add(c.chunkId);
    top.push(c);
  }
  const isGold = (c: ChunkSpan) => copies(c).some((x) => isGoldChunk(x, located));
  const gold = top.filter(isGold);
  const first = top.findIndex(isGold);
  const places = top.flatMap(copies);
  return {
    k,
    hit: gold.length ? 1 : 0,
    recall: located.filter((s) => coveredShare(places, s) >= GOLD_SPAN_COVERAGE).length / located.length,
    precision: gold.length / k,
    rr: first < 0 ? 0 : 1 / (first + 1),
    goldChunkIds: gold.map((c) => c.chunkId),
    located: located.length,
    unlocated: spans.length - located.length,
  };
}
