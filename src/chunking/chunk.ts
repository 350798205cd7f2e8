// Splits extracted text into overlapping chunks for embedding and citation. Pure and CJK-aware:
// chunks never cross a section (heading or page), break at the strongest nearby boundary
// (paragraph > line > sentence, including 。！？； > word), and keep exact offsets into the text.
import type { Section } from '../extract/types';
import { OTHER, SPACE, WORD, classOf, classTable, estimateTokens, estimateTokensIn } from '../text/tokens';

export interface ChunkSettings {
  unit: 'chars' | 'tokens';
  /** Largest chunk, in `unit`s. */
  size: number;
  /** How much of a chunk's tail the next chunk repeats, in `unit`s; smaller than `size`. */
  overlap: number;
}

/**
 * 200 estimated tokens ≈ 200 Han characters or ≈ 130 English words: one idea per chunk, and well
 * under the 512-token input limit of the small multilingual embedders (e5/bge-small class) even
 * where their tokenizers split finer than our estimate. 40 (20%) overlap keeps a sentence that
 * straddles a cut retrievable from either side without bloating the index.
 */
export const DEFAULT_CHUNKING: ChunkSettings = Object.freeze({ unit: 'tokens', size: 200, overlap: 40 });

export interface Chunk {
  index: number;
  text: string;
  /** Offsets into the document text, UTF-16 code units, end exclusive: text.slice(start, end) === chunk.text. */
  start: number;
  end: number;
  page?: number;
  headingPath?: string[];
  /** estimateTokens(text). */
  tokens: number;
}

// ---------------------------------------------------------------------------------------------
// Boundaries

/** Strength of the boundary in front of an atom (and split level): a cut prefers the strongest. */
const PARAGRAPH = 5;
const LINE = 4;
const SENTENCE = 3;
const WORDB = 2; // a word with its punctuation
const SEGMENT = 1; // a bare word-segmenter segment: only to unglue punctuation from an over-long word
const HARD = 0;

interface Atom {
  s: number;
  e: number;
  /** Size in the chunking unit. */
  u: number;
  /** Strength of the boundary before this atom. */
  b: number;
}

interface Ctx {
  text: string;
  unit: 'chars' | 'tokens';
  size: number;
  overlap: number;
}

let sentenceSeg: Intl.Segmenter | undefined;
let wordSeg: Intl.Segmenter | undefined;
const sentences = () => (sentenceSeg ??= new Intl.Segmenter(undefined, { granularity: 'sentence' }));
const words = () => (wordSeg ??= new Intl.Segmenter(undefined, { granularity: 'word' }));

const measure = (ctx: Ctx, s: number, e: number) => (ctx.unit === 'chars' ? e - s : estimateTokensIn(ctx.text, s, e));

function isSpaceAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c < 0xd800 || c > 0xdfff ? classTable()[c] === SPACE : false;
}

/** Narrows [s, e) to its non-whitespace content; returns null when there is none. */
function trimRange(text: string, s: number, e: number): [number, number] | null {
  while (s < e && isSpaceAt(text, s)) s++;
  while (e > s && isSpaceAt(text, e - 1)) e--;
  return s < e ? [s, e] : null;
}

/** Splits [s, e) at every match of `sep` (a global regex), returning trimmed non-empty pieces. */
function splitBy(text: string, s: number, e: number, sep: RegExp): [number, number][] {
  const out: [number, number][] = [];
  sep.lastIndex = s;
  let from = s;
  for (let m = sep.exec(text); m && m.index < e; m = sep.exec(text)) {
    const r = trimRange(text, from, m.index);
    if (r) out.push(r);
    from = Math.min(e, m.index + m[0].length);
    if (m[0].length === 0) sep.lastIndex++;
  }
  const r = trimRange(text, from, e);
  if (r) out.push(r);
  return out;
}

const PARAGRAPH_SEP = /\n[^\S\n]*\n\s*/g;
const LINE_SEP = /\n/g;
// Segmenter (ICU) ends sentences at 。！？ but not at ；, and not always before Latin text; a
// full-width terminator plus any closing quotes/brackets is therefore also a sentence end.
const CJK_END = /[。！？；．]+[」』”’）〕】》〉]*/g;

function sentencePieces(text: string, s: number, e: number): [number, number][] {
  const ends = new Set<number>();
  const slice = text.slice(s, e);
  for (const seg of sentences().segment(slice)) if (seg.index > 0) ends.add(s + seg.index);
  CJK_END.lastIndex = 0;
  for (let m = CJK_END.exec(slice); m; m = CJK_END.exec(slice)) ends.add(s + m.index + m[0].length);
  const cuts = [...ends].filter((p) => p > s && p < e).sort((a, b) => a - b);
  const out: [number, number][] = [];
  let from = s;
  for (const c of [...cuts, e]) {
    const r = trimRange(text, from, c);
    if (r) out.push(r);
    from = c;
  }
  return out;
}

const OPENING = /^[(\[{<«‹“‘「『（〔【《〈]+$/u;

/** Word pieces: a word plus the punctuation glued to it; opening brackets/quotes go with the next word. */
function wordPieces(text: string, s: number, e: number): [number, number][] {
  const out: [number, number][] = [];
  let cur: [number, number] | null = null;
  let open = false;
  for (const seg of words().segment(text.slice(s, e))) {
    const a = s + seg.index;
    const b = a + seg.segment.length;
    if (!/\S/.test(seg.segment)) {
      cur = null;
      continue;
    }
    const glued = cur !== null && cur[1] === a;
    if (seg.isWordLike) {
      if (glued && open) cur![1] = b;
      else out.push((cur = [a, b]));
      open = false;
    } else if (OPENING.test(seg.segment)) {
      if (glued && open) cur![1] = b;
      else out.push((cur = [a, b]));
      open = true;
    } else if (glued && !open) cur![1] = b;
    else {
      out.push((cur = [a, b]));
      open = false;
    }
  }
  return out;
}

/** Every non-space word-segmenter segment on its own. */
function segmentPieces(text: string, s: number, e: number): [number, number][] {
  const out: [number, number][] = [];
  for (const seg of words().segment(text.slice(s, e))) {
    if (/\S/.test(seg.segment)) out.push([s + seg.index, s + seg.index + seg.segment.length]);
  }
  return out;
}

/** Cuts one over-long "word" into pieces of at most `size` units, never inside a surrogate pair. */
function hardPieces(ctx: Ctx, s: number, e: number): [number, number][] {
  const out: [number, number][] = [];
  let from = s;
  while (from < e) {
    // Largest end with measure(from, end) <= size: the measure only grows with `end`. A "word" has
    // no spaces, so it holds at least one token per 4 code units: the search never looks further.
    let lo = from + 1;
    let hi = Math.min(e, from + (ctx.unit === 'chars' ? ctx.size : 4 * ctx.size + 4));
    if (measure(ctx, from, hi) > ctx.size) {
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (measure(ctx, from, mid) <= ctx.size) lo = mid;
        else hi = mid - 1;
      }
    } else lo = hi;
    let end = lo;
    if (end < e) {
      // Prefer to cut right after punctuation inside the "word" (ICU keeps "a：b", "x.y" together).
      for (let p = end; p > from + 1; p--) {
        const ch = ctx.text.charCodeAt(p - 1);
        if (ch < 0xd800 || ch > 0xdfff ? classTable()[ch] === OTHER && ch !== 0x27 && ch !== 0x2019 : false) {
          end = p;
          break;
        }
      }
      const c = ctx.text.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff && end - 1 > from) end--;
    }
    out.push([from, end]);
    from = end;
  }
  return out;
}

/** Emits atoms for [s, e): the whole range if it fits, otherwise its pieces at the next finer boundary. */
function* split(ctx: Ctx, s: number, e: number, before: number, level: number): Generator<Atom> {
  const u = measure(ctx, s, e);
  if (u <= ctx.size) {
    yield { s, e, u, b: before };
    return;
  }
  let pieces: [number, number][];
  let next = level;
  for (;;) {
    next--;
    if (next === LINE) pieces = splitBy(ctx.text, s, e, LINE_SEP);
    else if (next === SENTENCE) pieces = sentencePieces(ctx.text, s, e);
    else if (next === WORDB) pieces = wordPieces(ctx.text, s, e);
    else if (next === SEGMENT) pieces = segmentPieces(ctx.text, s, e);
    else {
      for (const [a, b] of hardPieces(ctx, s, e)) yield { s: a, e: b, u: measure(ctx, a, b), b: a === s ? before : HARD };
      return;
    }
    if (pieces.length > 1) break;
  }
  for (let k = 0; k < pieces.length; k++) {
    const [a, b] = pieces[k];
    yield* split(ctx, a, b, k === 0 ? before : next, next);
  }
}

function* sectionAtoms(ctx: Ctx, s: number, e: number): Generator<Atom> {
  // Paragraphs are found lazily so a preview of a huge text only touches its beginning.
  const sep = new RegExp(PARAGRAPH_SEP.source, 'g');
  let from = s;
  sep.lastIndex = s;
  for (let m = sep.exec(ctx.text); ; m = sep.exec(ctx.text)) {
    const cut = m && m.index < e ? m.index : e;
    const r = trimRange(ctx.text, from, cut);
    if (r) yield* split(ctx, r[0], r[1], PARAGRAPH, PARAGRAPH);
    if (cut >= e || !m) return;
    from = m.index + m[0].length;
  }
}

// ---------------------------------------------------------------------------------------------
// Overlap

/**
 * Walks back from `ce` to where the suffix first holds more than `limit` estimated tokens (or to
 * `cs`), so only the text an overlap could use gets segmented: ~40 characters of Chinese, not 300.
 */
function tokenWindowStart(text: string, cs: number, ce: number, limit: number): number {
  const t = classTable();
  let tokens = 0;
  let run = 0;
  let i = ce;
  while (i > cs && tokens <= limit) {
    i--;
    let cls = t[text.charCodeAt(i)];
    const lo = text.charCodeAt(i);
    if (lo >= 0xdc00 && lo <= 0xdfff && i > cs) {
      const hi = text.charCodeAt(i - 1);
      if (hi >= 0xd800 && hi <= 0xdbff) {
        cls = classOf(((hi - 0xd800) << 10) + (lo - 0xdc00) + 0x10000);
        i--;
      }
    }
    if (cls === WORD) {
      if (run++ % 4 === 0) tokens++;
    } else {
      run = 0;
      if (cls !== SPACE) tokens++;
    }
  }
  return i;
}

/**
 * Where the next chunk should start so that it repeats at most `target` units of the tail of
 * [cs, ce): the earliest sentence start that fits if it gives at least half the target, else the
 * earliest word start that fits. Returns -1 when no boundary qualifies. Only a window at the end
 * of the chunk is segmented.
 */
function overlapStart(ctx: Ctx, cs: number, ce: number, target: number): number {
  const { text } = ctx;
  let ws = ctx.unit === 'chars' ? Math.max(cs, ce - target - 1) : tokenWindowStart(text, cs, ce, target + 1);
  const c0 = text.charCodeAt(ws);
  if (ws > cs && c0 >= 0xdc00 && c0 <= 0xdfff) ws--;
  const slice = text.slice(ws, ce);

  // Sentence starts (the window's first segment may begin mid-sentence, so it is not a candidate).
  let sentence = -1;
  const starts = new Set<number>();
  for (const seg of sentences().segment(slice)) if (seg.index > 0) starts.add(seg.index);
  CJK_END.lastIndex = 0;
  for (let m = CJK_END.exec(slice); m; m = CJK_END.exec(slice)) if (m.index + m[0].length < slice.length) starts.add(m.index + m[0].length);
  for (const i of [...starts].sort((a, b) => a - b)) {
    let p = ws + i;
    while (p < ce && isSpaceAt(text, p)) p++;
    if (p <= cs || p >= ce) continue;
    if (measure(ctx, p, ce) <= target) {
      sentence = p;
      break;
    }
  }
  if (sentence >= 0 && measure(ctx, sentence, ce) * 2 >= target) return sentence;

  // Word starts, measured by suffix sums over the window's word segments.
  const segs: { a: number; b: number; starts: boolean }[] = [];
  for (const seg of words().segment(slice)) {
    const a = ws + seg.index;
    segs.push({ a, b: a + seg.segment.length, starts: seg.index > 0 && (seg.isWordLike === true || OPENING.test(seg.segment)) });
  }
  let suffix = 0;
  let word = -1;
  for (let k = segs.length - 1; k >= 0; k--) {
    suffix += measure(ctx, segs[k].a, segs[k].b);
    if (suffix > target) break;
    if (segs[k].starts && segs[k].a > cs) word = segs[k].a;
  }
  if (word >= 0 && word < ce) return word;
  return sentence;
}

// ---------------------------------------------------------------------------------------------
// Packing

/** A chunk only ends at an earlier, stronger boundary if it is at least this full. */
const MIN_FILL = 0.5;

function* packSection(ctx: Ctx, s: number, e: number): Generator<[number, number]> {
  const atoms = sectionAtoms(ctx, s, e);
  const buf: Atom[] = [];
  let exhausted = false;
  const have = (k: number): boolean => {
    while (buf.length < k && !exhausted) {
      const r = atoms.next();
      if (r.done) exhausted = true;
      else buf.push(r.value);
    }
    return buf.length >= k;
  };
  const chars = ctx.unit === 'chars';
  let start = -1; // overlap start carried from the previous chunk, or -1
  let carried = 0; // units of that overlap
  let prevEnd = -1;
  while (have(1)) {
    const chunkStart = start >= 0 ? start : buf[0].s;
    let total = start >= 0 ? (chars ? buf[0].e - chunkStart : carried + buf[0].u) : buf[0].u;
    const fill = [total];
    let j = 0;
    while (have(j + 2)) {
      const a = buf[j + 1];
      const grown = chars ? a.e - chunkStart : total + a.u;
      if (grown > ctx.size) break;
      total = grown;
      fill.push(total);
      j++;
    }
    let cut = j;
    if (have(j + 2)) {
      let best = -1;
      for (let k = 0; k <= j; k++) {
        if (fill[k] < ctx.size * MIN_FILL && k !== j) continue;
        if (buf[k + 1].b >= best) {
          best = buf[k + 1].b;
          cut = k;
        }
      }
    }
    const end = buf[cut].e;
    yield [chunkStart, end];
    buf.splice(0, cut + 1);
    prevEnd = end;
    start = -1;
    carried = 0;
    if (ctx.overlap > 0 && have(1)) {
      const next = buf[0];
      const room = ctx.size - (chars ? next.e - prevEnd : next.u);
      const target = Math.min(ctx.overlap, room);
      if (target > 0) {
        const p = overlapStart(ctx, chunkStart, end, target);
        if (p >= 0) {
          start = p;
          carried = measure(ctx, p, end);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

function validate(s: ChunkSettings): void {
  if (!s || (s.unit !== 'chars' && s.unit !== 'tokens')) {
    throw new Error(`Chunk unit must be 'chars' or 'tokens' (got ${JSON.stringify(s?.unit)}).`);
  }
  const min = s.unit === 'chars' ? 20 : 10;
  if (!Number.isInteger(s.size) || s.size < min) {
    throw new Error(`Chunk size must be a whole number of at least ${min} ${s.unit} (got ${s.size}).`);
  }
  if (!Number.isInteger(s.overlap) || s.overlap < 0) {
    throw new Error(`Chunk overlap must be a whole number of ${s.unit}, 0 or more (got ${s.overlap}).`);
  }
  if (s.overlap >= s.size) {
    throw new Error(`Chunk overlap (${s.overlap} ${s.unit}) must be smaller than the chunk size (${s.size} ${s.unit}).`);
  }
}

const samePath = (a: string[] | undefined, b: string[] | undefined, n: number) => (a ?? []).slice(0, n).join('\u0000') === (b ?? []).slice(0, n).join('\u0000');

/**
 * A section holding nothing but its heading line ("# Handbook" followed straight by "## Leave")
 * would become a chunk of one line that matches every query badly; it is joined to the section
 * after it when that one is its subsection on the same page, so the heading stays with its text.
 */
export function mergeHeadingOnlySections(text: string, sections: Section[]): Section[] {
  const out: Section[] = [];
  for (let i = 0; i < sections.length; i++) {
    let sec = sections[i];
    while (i + 1 < sections.length) {
      const next = sections[i + 1];
      const body = text.slice(sec.start, sec.end).trim();
      const headingOnly = body.length > 0 && !body.includes('\n') && body.length <= 200;
      const depth = sec.headingPath?.length ?? 0;
      const child = depth > 0 && (next.headingPath?.length ?? 0) > depth && samePath(sec.headingPath, next.headingPath, depth);
      if (!headingOnly || !child || next.start !== sec.end || next.page !== sec.page) break;
      sec = { ...next, start: sec.start };
      i++;
    }
    out.push(sec);
  }
  return out;
}

/** Sections sorted, clamped to the text and made gap-free (stray text between them gets a plain section). */
function normalizeSections(text: string, sections: Section[]): Section[] {
  const sorted = [...sections].filter((x) => x.end > x.start).sort((a, b) => a.start - b.start);
  const out: Section[] = [];
  let pos = 0;
  for (const sec of sorted) {
    const start = Math.max(pos, Math.min(sec.start, text.length));
    const end = Math.min(sec.end, text.length);
    if (start > pos) out.push({ start: pos, end: start });
    if (end > start) out.push({ ...sec, start, end });
    pos = Math.max(pos, end);
  }
  if (pos < text.length) out.push({ start: pos, end: text.length });
  return out;
}

function* chunks(text: string, sections: Section[], settings: ChunkSettings): Generator<Chunk> {
  validate(settings);
  const ctx: Ctx = { text, unit: settings.unit, size: settings.size, overlap: settings.overlap };
  let index = 0;
  for (const sec of mergeHeadingOnlySections(text, normalizeSections(text, sections))) {
    for (const [start, end] of packSection(ctx, sec.start, sec.end)) {
      const t = text.slice(start, end);
      yield {
        index: index++,
        text: t,
        start,
        end,
        ...(sec.page !== undefined ? { page: sec.page } : {}),
        ...(sec.headingPath ? { headingPath: sec.headingPath } : {}),
        tokens: estimateTokens(t),
      };
    }
  }
}

/**
 * Chunks a document. Chunks stay inside one section and inherit its page/headingPath; inside a
 * section a chunk holds at most `size` units (only an over-long single word is hard-split) and
 * ends at the strongest boundary (paragraph > line > sentence > word) that leaves it at least
 * half full; the next chunk repeats about `overlap` units of its tail, starting at a sentence
 * or word. Throws Error for invalid settings.
 */
export function chunkDocument(doc: { text: string; sections: Section[] }, s: ChunkSettings): Chunk[] {
  return [...chunks(doc.text, doc.sections, s)];
}

/** The first `limit` chunks of `text` taken as one section, for the live settings preview; stops early on big texts. */
export function previewChunks(text: string, settings: ChunkSettings, limit: number): Chunk[] {
  const out: Chunk[] = [];
  if (limit <= 0) {
    validate(settings);
    return out;
  }
  for (const c of chunks(text, [{ start: 0, end: text.length }], settings)) {
    out.push(c);
    if (out.length >= limit) break;
  }
  return out;
}
