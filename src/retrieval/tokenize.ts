// BM25 terms and query-term highlighting for mixed Chinese/English text. Han runs become overlapping
// character bigrams (Lucene CJKAnalyzer style) INSTEAD of dictionary words: deterministic across ICU
// versions and immune to query/document segmentation mismatches. Other text uses UAX #29 word rules.

/** A half-open range of UTF-16 code units in the original text: `text.slice(start, end)`. */
export interface Range {
  start: number;
  end: number;
}

/**
 * Lucene's default English stop set (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, 33 words). Kept tiny on
 * purpose: BM25's idf already down-weights common words; these only bloat postings. Chinese needs
 * no list: function characters rarely form a bigram on their own, and idf handles the rest.
 */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no',
  'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this',
  'to', 'was', 'will', 'with',
]);

/** Longer tokens (base64, hashes, minified code) are dropped: they never match a typed query. */
export const MAX_TERM_LENGTH = 64;

// Everything that can be part of a non-Han word, plus the UAX #29 "mid" characters that join words
// ("u.s.a", "don't", "1,000"); any other punctuation, symbol or space is always a word boundary.
const RUN = /(\p{Script=Han}+)|((?:[^\s\p{Script=Han}\p{P}\p{S}]|['.:,;_\u00b7\u2027])+)/gu;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
// UAX #29 for lowercase ASCII, as ICU applies it: letters join across . : ' (WB6/7), digits across
// . , ; ' (WB11/12); letters, digits and _ join each other (WB9/10/13a/b). ~10x faster than
// Intl.Segmenter, which matters when 100k chunks re-index; exported for the differential test.
export const ASCII_WORD = /[a-z0-9_]+(?:(?:(?<=[a-z])[.:'](?=[a-z])|(?<=[0-9])[.,;'](?=[0-9]))[a-z0-9_]+)*/g;
const HAN_ONLY = /^\p{Script=Han}+$/u;
const HAS_ALNUM = /[\p{L}\p{N}]/u;
// Invisible characters that would split or pollute a term: variation selectors (not Han script, so
// they cut a Han run in two), and soft hyphens / zero-width spaces / BOMs that PDF text is full of.
const INVISIBLE = /[\u00ad\u200b\u2060\ufeff\ufe00-\ufe0f]|\udb40[\udd00-\uddef]/g;
const CURLY_APOSTROPHES = /[\u2018\u2019]/g;
const NEEDS_CLEANUP = /[\u00ad\u200b\u2060\ufeff\ufe00-\ufe0f\u2018\u2019\udb40]/;

let wordSegmenter: Intl.Segmenter | undefined;
let graphemeSegmenter: Intl.Segmenter | undefined;

/** NFKC (folds full-width letters, digits and punctuation), lowercase, straight apostrophes, no invisibles. */
export function normalize(text: string): string {
  const s = text.normalize('NFKC').toLowerCase();
  // One cheap scan first: the two replacements are rarely needed.
  return NEEDS_CLEANUP.test(s) ? s.replace(CURLY_APOSTROPHES, "'").replace(INVISIBLE, '') : s;
}

/**
 * BM25 terms of `text`, in order, with repeats: Han bigrams (a lone Han character stays a unigram),
 * lowercased Latin/digit/other-script words. Punctuation and stopwords are dropped.
 * Known limit: a one-character Chinese word inside a longer run ("猫" in "一只猫正坐着") is only
 * reachable through its bigrams; dense retrieval covers that case in hybrid mode.
 */
export function terms(text: string): string[] {
  const out: string[] = [];
  const push = (t: string) => {
    out.push(t);
  };
  scan(normalize(text), (norm, start, end) => hanBigrams(norm, start, end, push), push);
  return out;
}

/**
 * The same terms as `terms(text)`, in the same order, but each BMP Han bigram/unigram arrives as
 * its `hanKey` number instead of a string, sparing the re-indexing hot path a string allocation
 * and a string hash per Chinese term. Other terms arrive as strings.
 */
export function visitTermKeys(text: string, onKey: (key: number) => void, onWord: (term: string) => void): void {
  scan(normalize(text), (norm, start, end) => hanKeys(norm, start, end, onKey, onWord), onWord);
}

/**
 * Small-integer key of a Han term of one or two BMP characters (as `terms` emits them), else
 * undefined. Bigrams map to [0, 2^30) and unigrams to negatives, so keys stay V8 small integers.
 */
export function hanKey(term: string): number | undefined {
  if (term.length === 1) {
    const a = hanIndex(term.charCodeAt(0));
    return a < 0 ? undefined : -1 - a;
  }
  if (term.length !== 2) return undefined;
  const a = hanIndex(term.charCodeAt(0));
  const b = hanIndex(term.charCodeAt(1));
  return a < 0 || b < 0 ? undefined : a * HAN_SPAN + b;
}

// Every BMP Han-script character lies in U+2E80–U+9FFF or U+F900–U+FAFF; packed into 15 bits.
const HAN_SPAN = 1 << 15;
function hanIndex(c: number): number {
  if (c >= 0x2e80 && c <= 0x9fff) return c - 0x2e80;
  if (c >= 0xf900 && c <= 0xfaff) return c - 0xf900 + (0xa000 - 0x2e80);
  return -1;
}

/**
 * Ranges of `text` to highlight for `queryTerms` (as produced by `terms`), sorted and merged.
 * Han terms match as substrings anywhere; other terms match whole words, case-insensitively.
 * Offsets are UTF-16 code units of the original (un-normalized) text.
 */
export function highlightRanges(text: string, queryTerms: readonly string[]): Range[] {
  const han: string[] = [];
  const words = new Set<string>();
  for (const raw of queryTerms) {
    const t = normalize(raw);
    if (!t) continue;
    if (HAN_ONLY.test(t)) han.push(t);
    else words.add(t);
  }
  if (han.length === 0 && words.size === 0) return [];

  const { norm, startOf, endOf } = normalizeWithOffsets(text);
  const found: Range[] = [];
  const push = (s: number, e: number) => {
    if (e > s) found.push({ start: startOf[s], end: endOf[e - 1] });
  };
  for (const t of han) {
    for (let i = norm.indexOf(t); i !== -1; i = norm.indexOf(t, i + 1)) push(i, i + t.length);
  }
  if (words.size > 0) {
    scan(norm, noop, (term, s, e) => {
      if (words.has(term)) push(s, e);
    });
  }

  found.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Range[] = [];
  for (const r of found) {
    const last = merged[merged.length - 1];
    // Touching ranges merge too, so overlapping bigrams ("员工" + "工每") read as one mark.
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

type Emit = (term: string, start: number, end: number) => void;
type OnHan = (norm: string, start: number, end: number) => void;
const noop = () => {};

/** Tokenizes normalized text: Han runs go to `onHan` as [start, end), words to `onWord`. */
function scan(norm: string, onHan: OnHan, onWord: Emit): void {
  // exec() with an explicit lastIndex, not matchAll: no regex clone or iterator per chunk, and a
  // callback that tokenizes again (re-entrancy) cannot disturb this loop's position.
  let pos = 0;
  for (;;) {
    RUN.lastIndex = pos;
    const m = RUN.exec(norm);
    if (m === null) return;
    const start = m.index;
    pos = start + m[0].length;
    if (m[1] !== undefined) onHan(norm, start, pos);
    else if (ASCII_ONLY.test(m[0])) {
      const run = m[0]; // searched alone: a search in `norm` could run far past this run's end
      for (let at = 0; ; ) {
        ASCII_WORD.lastIndex = at;
        const w = ASCII_WORD.exec(run);
        if (w === null) break;
        at = w.index + w[0].length;
        word(w[0], start + w.index, onWord);
      }
    } else {
      wordSegmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
      for (const seg of wordSegmenter.segment(m[0])) {
        if (seg.isWordLike) word(seg.segment, start + seg.index, onWord);
      }
    }
  }
}

function hanBigrams(norm: string, start: number, end: number, emit: Emit): void {
  // Walk code points, not code units: Extension B+ characters are surrogate pairs.
  let a = start;
  let b = codePointEnd(norm, a);
  if (b >= end) {
    emit(norm.slice(start, end), start, end);
    return;
  }
  while (b < end) {
    const c = codePointEnd(norm, b);
    emit(norm.slice(a, c), a, c);
    a = b;
    b = c;
  }
}

function hanKeys(
  norm: string,
  start: number,
  end: number,
  onKey: (key: number) => void,
  onWord: (term: string) => void,
): void {
  for (let i = start; i < end; i++) {
    if (hanIndex(norm.charCodeAt(i)) < 0) {
      // Surrogate pairs (Extension B+): rare, so take the string path, keying what can be keyed.
      hanBigrams(norm, start, end, (t) => {
        const key = hanKey(t);
        if (key === undefined) onWord(t);
        else onKey(key);
      });
      return;
    }
  }
  let prev = hanIndex(norm.charCodeAt(start));
  if (end - start === 1) onKey(-1 - prev);
  for (let i = start + 1; i < end; i++) {
    const cur = hanIndex(norm.charCodeAt(i));
    onKey(prev * HAN_SPAN + cur);
    prev = cur;
  }
}

function codePointEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? i + 2 : i + 1;
}

function word(w: string, at: number, emit: Emit): void {
  // ICU joins letters across ':' ("note:this"); splitting there finds "note" when typed alone.
  let from = 0;
  for (;;) {
    const colon = w.indexOf(':', from);
    const end = colon === -1 ? w.length : colon;
    let term = w.slice(from, end);
    if (term.endsWith("'s") && term.length > 2) term = term.slice(0, -2); // possessive
    if (term.length <= MAX_TERM_LENGTH && HAS_ALNUM.test(term) && !STOPWORDS.has(term)) {
      emit(term, at + from, at + end);
    }
    if (colon === -1) return;
    from = colon + 1;
  }
}

/**
 * Normalizes grapheme by grapheme so every normalized code unit knows the original range it came
 * from (NFKC and lowercasing can change lengths: "㍿" → "株式会社", "İ" → "i̇").
 */
function normalizeWithOffsets(text: string): { norm: string; startOf: Int32Array; endOf: Int32Array } {
  if (ASCII_ONLY.test(text)) {
    const ids = Int32Array.from({ length: text.length }, (_, i) => i);
    return { norm: text.toLowerCase(), startOf: ids, endOf: ids.map((i) => i + 1) };
  }
  graphemeSegmenter ??= new Intl.Segmenter('zh', { granularity: 'grapheme' });
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const g of graphemeSegmenter.segment(text)) {
    const n = normalize(g.segment);
    parts.push(n);
    for (let i = 0; i < n.length; i++) {
      starts.push(g.index);
      ends.push(g.index + g.segment.length);
    }
  }
  return { norm: parts.join(''), startOf: Int32Array.from(starts), endOf: Int32Array.from(ends) };
}
