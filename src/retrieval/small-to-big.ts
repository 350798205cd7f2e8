// Small-to-big retrieval: small chunks are searched (precise matches), and each hit is replaced in
// the prompt by its enclosing section (the context around it), within a token budget. Hits from one
// section become one passage. Pure: the caller passes document texts and sections from the store.
import { estimateTokens } from '../strategies/tokens';
import { excerptAround, snapEnd, snapStart } from './contextual';

export interface SmallHit {
  /** Chunk id, e.g. `${docId}:${index}`. */
  id: string;
  docId: string;
  /** Offsets of the chunk in its document text, UTF-16 code units, end exclusive. */
  start: number;
  end: number;
}

/** A stored section (see src/extract/types.ts `Section`, src/store/db.ts `TextSection`). */
export interface SectionLike {
  start: number;
  end: number;
  page?: number;
  headingPath?: string[];
}

export interface SourceDocument {
  text: string;
  /** Cover the text in order; empty or missing means the whole text is one section. */
  sections?: readonly SectionLike[];
}

export interface ExpandOptions {
  /** Most tokens all passages together may take (counted with `countTokens`). */
  budget: number;
  /** Most tokens one passage may take (default: the whole budget), so one long section cannot crowd out the other hits. */
  maxPassageTokens?: number;
  /** Tokens each passage costs beyond its text (its "[n] (source)" label in the prompt); default 0. */
  overheadTokens?: number;
  countTokens?: (s: string) => number;
}

export interface Passage {
  docId: string;
  /** The passage's range in the document text. */
  start: number;
  end: number;
  text: string;
  /** The hits it holds, best first (a hit that straddles two passages is listed in the one added for it). */
  hitIds: string[];
  /** 1-based rank of its best hit in the input. */
  rank: number;
  /** `countTokens(text)`. */
  tokens: number;
  /** 'section': the whole enclosing section; 'window': the part of it around the hits that fit; 'chunk': only the hit. */
  expanded: 'section' | 'window' | 'chunk';
  page?: number;
  headingPath?: string[];
}

export interface Expansion {
  passages: Passage[];
  /** Tokens used, overhead included; never more than the budget. */
  tokens: number;
  /** Hits left out because even their own chunk no longer fitted (the context stops at the first). */
  dropped: string[];
}

/** The enclosing section(s) of [start, end): the union of sections it overlaps (chunks may span a heading-only section and its first subsection). */
function enclosing(doc: SourceDocument, start: number, end: number): { start: number; end: number; page?: number; headingPath?: string[] } {
  const secs = doc.sections ?? [];
  let s = Infinity;
  let e = -Infinity;
  let last: SectionLike | undefined;
  for (const sec of secs) {
    if (sec.end > start && sec.start < end) {
      s = Math.min(s, sec.start);
      e = Math.max(e, sec.end);
      last = sec;
    }
  }
  if (!Number.isFinite(s)) return { start: 0, end: doc.text.length };
  // A hit that starts in the whitespace between two sections still lies inside its "section".
  return { start: Math.max(0, Math.min(s, start)), end: Math.min(doc.text.length, Math.max(e, end)), page: last?.page, headingPath: last?.headingPath };
}

/**
 * Expands ranked small hits (best first) to their enclosing sections. For each hit, in rank order:
 * a hit inside an existing passage joins it; a hit in a section already partly shown widens that
 * passage to cover it, if the budget allows; otherwise the whole section becomes a new passage if
 * it fits `min(maxPassageTokens, what is left)`, else the largest window of the section around the
 * hit that fits, cut at a word or punctuation boundary. A hit whose own chunk no longer fits ends
 * the expansion (like the RAG context block: skipping ahead would let rank order and the budget
 * interact in ways a reader cannot see); it and the hits after it are `dropped`.
 * Documents missing from `docs` are skipped (listed in `dropped`). Tokens: `countTokens` (default
 * the app's estimate).
 */
export function expandToSections(hits: readonly SmallHit[], docs: ReadonlyMap<string, SourceDocument>, opts: ExpandOptions): Expansion {
  const count = opts.countTokens ?? estimateTokens;
  const overhead = opts.overheadTokens ?? 0;
  const cap = Math.min(opts.maxPassageTokens ?? opts.budget, opts.budget);
  const passages: Passage[] = [];
  const dropped: string[] = [];
  let used = 0;
  const left = () => opts.budget - used;

  for (let h = 0; h < hits.length; h++) {
    const hit = hits[h];
    const doc = docs.get(hit.docId);
    if (!doc || hit.end <= hit.start || hit.end > doc.text.length) {
      dropped.push(hit.id);
      continue;
    }
    const own = passages.filter((p) => p.docId === hit.docId);
    const inside = own.find((p) => p.start <= hit.start && p.end >= hit.end);
    if (inside) {
      inside.hitIds.push(hit.id);
      continue;
    }
    const sec = enclosing(doc, hit.start, hit.end);
    // A passage of the same section that does not cover the hit yet: widen it to reach the hit.
    const sibling = own.find((p) => p.start < sec.end && p.end > sec.start);
    if (sibling) {
      const start = Math.min(sibling.start, hit.start);
      const end = Math.max(sibling.end, hit.end);
      const text = doc.text.slice(start, end);
      const tokens = count(text);
      if (tokens <= cap && tokens - sibling.tokens <= left() && !overlapsOther(own, sibling, start, end)) {
        used += tokens - sibling.tokens;
        Object.assign(sibling, { start, end, text, tokens, expanded: start === sec.start && end === sec.end ? 'section' : 'window' });
        sibling.hitIds.push(hit.id);
        continue;
      }
      // Too far apart to join within the caps: the hit gets a passage of its own below.
    }
    // The part of the hit no passage shows yet, so passages never overlap. A hit around a smaller
    // passage that could not be widened above keeps its longest unshown stretch.
    let gaps: [number, number][] = [[hit.start, hit.end]];
    for (const p of own) gaps = gaps.flatMap(([a, b]): [number, number][] => [[a, Math.min(b, p.start)], [Math.max(a, p.end), b]]).filter(([a, b]) => b > a);
    if (gaps.length === 0) {
      (own.find((p) => p.start < hit.end && p.end > hit.start) ?? own[0]).hitIds.push(hit.id);
      continue;
    }
    const [hs, he] = gaps.reduce((x, y) => (y[1] - y[0] > x[1] - x[0] ? y : x));
    const room = Math.min(cap, left() - overhead);
    const chunkTokens = count(doc.text.slice(hs, he));
    if (chunkTokens > room) {
      for (let r = h; r < hits.length; r++) dropped.push(hits[r].id);
      break;
    }
    // The section, less what other passages of this document already show.
    let lo = sec.start;
    let hi = sec.end;
    for (const p of own) {
      if (p.end <= hs) lo = Math.max(lo, p.end);
      if (p.start >= he) hi = Math.min(hi, p.start);
    }
    let start = lo;
    let end = hi;
    let expanded: Passage['expanded'] = lo === sec.start && hi === sec.end ? 'section' : 'window';
    let text = doc.text.slice(start, end);
    let tokens = count(text);
    if (tokens > room) {
      const sub = doc.text.slice(lo, hi);
      const w = excerptAround(sub, hs - lo, he - lo, room);
      start = lo + w.start;
      end = lo + w.end;
      text = doc.text.slice(start, end);
      tokens = count(text);
      // The estimate of a slice can exceed the sum of its parts by a token at a cut: shrink until it fits.
      while (tokens > room && (start < hs || end > he)) {
        const step = Math.max(1, (end - start - (he - hs)) >> 3);
        start = snapStart(doc.text, Math.min(hs, start + step), hs);
        end = snapEnd(doc.text, Math.max(he, end - step), he);
        text = doc.text.slice(start, end);
        tokens = count(text);
      }
      expanded = start === hs && end === he ? 'chunk' : 'window';
    }
    if (tokens > room) {
      for (let r = h; r < hits.length; r++) dropped.push(hits[r].id);
      break;
    }
    used += tokens + overhead;
    passages.push({
      docId: hit.docId,
      start,
      end,
      text,
      hitIds: [hit.id],
      rank: h + 1,
      tokens,
      expanded,
      ...(sec.page !== undefined ? { page: sec.page } : {}),
      ...(sec.headingPath ? { headingPath: sec.headingPath } : {}),
    });
  }
  return { passages, tokens: used, dropped };
}

function overlapsOther(own: readonly Passage[], self: Passage, start: number, end: number): boolean {
  return own.some((p) => p !== self && p.start < end && p.end > start);
}
