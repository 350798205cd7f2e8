// BM25 terms and query-term highlighting for mixed Chinese/English text. Han runs become overlapping
// character bigrams (Lucene CJKAnalyzer style) INSTEAD of dictionary words: deterministic across ICU
// versions and immune to query/document segmentation mismatches. Other text uses UAX #29 word rules.
// Technical tokens (options, format sequences, kebab-case names, paths) are ALSO kept whole.

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
  return prepare(text).norm;
}

interface Prepared {
  /** What terms are read from: `normalize(text)`. */
  norm: string;
  /** The same text before lowercasing, code unit for code unit, or null where lowercasing changed a length ("İ"). */
  cased: string | null;
}

function prepare(text: string): Prepared {
  let s = text.normalize('NFKC');
  // One cheap scan first: the two replacements are rarely needed. Neither character has a case, so
  // cleaning before lowercasing gives what cleaning after it would.
  if (NEEDS_CLEANUP.test(s)) s = s.replace(CURLY_APOSTROPHES, "'").replace(INVISIBLE, '');
  const norm = s.toLowerCase();
  return { norm, cased: norm.length === s.length ? s : null };
}

/**
 * BM25 terms of `text`, with repeats: Han bigrams (a lone Han character stays a unigram) and
 * lowercased Latin/digit/other-script words in text order; the parts of dotted and snake_case words
 * right after the whole word; then the technical terms, kind by kind (see `TECHNICAL TERMS` below).
 * Punctuation and stopwords are dropped.
 * Known limit: a one-character Chinese word inside a longer run ("猫" in "一只猫正坐着") is only
 * reachable through its bigrams; dense retrieval covers that case in hybrid mode.
 */
export function terms(text: string): string[] {
  const out: string[] = [];
  const push = (t: string) => {
    out.push(t);
  };
  const { norm, cased } = prepare(text);
  scan(norm, cased, (n, start, end) => hanBigrams(n, start, end, push), push);
  return out;
}

/**
 * The same terms as `terms(text)`, in the same order, but each BMP Han bigram/unigram arrives as
 * its `hanKey` number instead of a string, sparing the re-indexing hot path a string allocation
 * and a string hash per Chinese term. Other terms arrive as strings.
 */
export function visitTermKeys(text: string, onKey: (key: number) => void, onWord: (term: string) => void): void {
  const { norm, cased } = prepare(text);
  scan(norm, cased, (n, start, end) => hanKeys(n, start, end, onKey, onWord), onWord);
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
    // Case-sensitive technical terms (-C, %Y) are compared as emitted, the rest case-folded.
    const t = CASED_TERM.test(raw) ? raw.normalize('NFKC') : normalize(raw);
    if (!t) continue;
    if (HAN_ONLY.test(t)) han.push(t);
    else words.add(t);
  }
  if (han.length === 0 && words.size === 0) return [];

  const { norm, cased, startOf, endOf } = normalizeWithOffsets(text);
  const found: Range[] = [];
  const push = (s: number, e: number) => {
    if (e > s) found.push({ start: startOf[s], end: endOf[e - 1] });
  };
  for (const t of han) {
    for (let i = norm.indexOf(t); i !== -1; i = norm.indexOf(t, i + 1)) push(i, i + t.length);
  }
  if (words.size > 0) {
    scan(norm, cased, noop, (term, s, e) => {
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

/**
 * Tokenizes normalized text: Han runs go to `onHan` as [start, end), words to `onWord`, then the
 * technical terms to `onWord`. `cased` supplies the case of case-sensitive technical terms.
 */
function scan(norm: string, cased: string | null, onHan: OnHan, onWord: Emit): void {
  words(norm, onHan, onWord);
  // Every technical term holds one of these characters; chunks of plain prose skip the extra pass.
  if (TRIGGER.test(norm)) technicalTerms(norm, cased, onWord);
}

function words(norm: string, onHan: OnHan, onWord: Emit): void {
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
      if (term.indexOf('.') !== -1 || term.indexOf('_') !== -1) compoundParts(term, at + from, emit);
    }
    if (colon === -1) return;
    from = colon + 1;
  }
}

const VERSION_V = /^v\d+(?:\.\d+)+$/;
const HAS_LETTER = /[a-z]/;

/**
 * A dotted or snake_case identifier is one word to UAX #29 ("process.env", "sshd_config"); its
 * parts become terms as well, so "sshd config" finds it. "v18.20" also yields "18.20". Numbers
 * ("3.5", "1.2.3") and one-letter parts ("u.s.a") add nothing.
 */
function compoundParts(term: string, at: number, emit: Emit): void {
  if (VERSION_V.test(term)) {
    emit(term.slice(1), at + 1, at + term.length);
    return;
  }
  if (!HAS_LETTER.test(term)) return;
  // A plain loop, not a global regex: `emit` may tokenize again (re-entrancy) between parts.
  let from = 0;
  for (let i = 0; i <= term.length; i++) {
    const c = i < term.length ? term.charCodeAt(i) : 0x2e;
    if (c !== 0x2e && c !== 0x5f) continue; // '.' '_'
    if (i - from >= 2 && !STOPWORDS.has(term.slice(from, i))) emit(term.slice(from, i), at + from, at + i);
    from = i + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// TECHNICAL TERMS: whole tokens that the word rules cut apart, emitted next to the word terms, so a
// question that types one (in English or inside Chinese text) matches it exactly:
//   options             -v  -C  --format  --save-dev  -size      (one letter keeps its case: -C ≠ -c)
//   format sequences    %Y  %-d  %:z  %:::z                       (always keep their case: %Y ≠ %y)
//   kebab-case names    allkeys-lru  maxmemory-policy  utf-8  1.2.3-beta.1
//   paths               /etc/ssh/sshd_config  ~/.ssh/config  ./public  c:\windows  src/index.ts  @babel/core
// Dotted, snake_case and CamelCase identifiers and version numbers are single words already.

const TRIGGER = /[-%/\\]/;
const EXTENSION = /\.[a-z][a-z0-9]{0,7}$/;
const ROOTED = /^(?:[/\\~]|\.{1,2}[/\\]|[a-z]:[/\\])/;
/** Terms compared with their case kept (see highlightRanges). */
const CASED_TERM = /^(?:-[a-z]|%[-_0^#]?:{0,3}[a-z])$/i;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Options: not inside a word, a path or another option; ':' and '=' may precede ("选项：-v", "--x=-v"). */
const OPTION_START = 0;
/** Kebab-case: not inside a word or an option; may follow '/'. */
const KEBAB_START = 1;
/** Paths: not inside a word, a URL or a longer path. */
const PATH_START = 2;
type Before = typeof OPTION_START | typeof KEBAB_START | typeof PATH_START;

/** Whether the character before `i` lets a technical term of `kind` start at `i`. */
function startsAt(norm: string, i: number, kind: Before): boolean {
  if (i === 0) return true;
  const c = norm.charCodeAt(i - 1);
  if (c > 0x7f) {
    // Chinese text runs straight into technical tokens ("使用--format参数"): Han is a boundary.
    if (hanIndex(c) >= 0 || (c >= 0xd800 && c <= 0xdfff)) return true;
    return !LETTER_OR_DIGIT.test(norm[i - 1]);
  }
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) return false; // a-z 0-9 _
  switch (c) {
    case 0x2d: // -
    case 0x2e: // .
      return false;
    case 0x2f: // /
    case 0x5c: // \
      return kind === KEBAB_START;
    case 0x25: // %
    case 0x7e: // ~
    case 0x40: // @
    case 0x2b: // +
    case 0x24: // $
      return false;
    case 0x3a: // :
      return kind === OPTION_START;
    default:
      return true;
  }
}

const isAlnum = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
const isLower = (c: number) => c >= 0x61 && c <= 0x7a;
// a-z 0-9 _ . -
const isKebabChar = (c: number) => isAlnum(c) || c === 0x5f || c === 0x2e || c === 0x2d;
// a-z 0-9 _ . - @ + ~ / \
const isPathChar = (c: number) => isKebabChar(c) || c === 0x40 || c === 0x2b || c === 0x7e || c === 0x2f || c === 0x5c;

/**
 * Emits the technical terms of `norm`: options and kebab-case names, then format sequences, then
 * paths, each kind in text order. Driven by the trigger characters
 * ('-', '%', '/', '\\') found with indexOf, so the cost follows how many there are, not the text length.
 */
function technicalTerms(norm: string, cased: string | null, emit: Emit): void {
  const add = (t: string, s: number, e: number) => {
    if (t.length >= 2 && t.length <= MAX_TERM_LENGTH) emit(t, s, e);
  };
  const at = (i: number) => (i >= 0 ? norm.charCodeAt(i) || 0 : 0); // NaN past the end → 0

  // '-': options start at a run of one or two dashes; kebab-case names hold one inside.
  for (let p = norm.indexOf('-'); p !== -1; ) {
    let next = p + 1;
    if (at(p - 1) !== 0x2d) {
      const dashes = at(p + 1) === 0x2d ? 2 : 1;
      let e = p + dashes;
      if (isLower(at(e)) && startsAt(norm, p, OPTION_START)) {
        while (isAlnum(at(e))) e++;
        while ((at(e) === 0x2d || at(e) === 0x5f) && isAlnum(at(e + 1))) {
          e++;
          while (isAlnum(at(e))) e++;
        }
        const t = e - p === 2 ? `-${cased === null ? norm[p + 1] : cased[p + 1]}` : norm.slice(p, e);
        add(t, p, e);
        next = e;
      }
    }
    if (isKebabChar(at(p - 1)) && at(p - 1) !== 0x2d) {
      let s = p;
      while (isKebabChar(at(s - 1))) s--;
      let e = p + 1;
      while (isKebabChar(at(e))) e++;
      const end = e;
      while (e > p && (at(e - 1) === 0x2e || at(e - 1) === 0x2d)) e--; // sentence full stop, trailing dash
      if (isAlnum(at(s)) && e > p + 1 && startsAt(norm, s, KEBAB_START)) {
        const t = norm.slice(s, e);
        if (t.indexOf('--') === -1 && HAS_LETTER.test(t)) add(t, s, e);
      }
      next = Math.max(next, end);
    }
    p = norm.indexOf('-', next);
  }

  // '%': strftime/printf sequences; the letter keeps its case.
  for (let p = norm.indexOf('%'); p !== -1; p = norm.indexOf('%', p + 1)) {
    const before = at(p - 1);
    if (before >= 0x30 && before <= 0x39) continue; // "50%off" is not a format sequence
    let e = p + 1;
    if ('-_0^#'.indexOf(norm[e] ?? ' ') !== -1) e++;
    for (let colons = 0; colons < 3 && at(e) === 0x3a; colons++) e++;
    if (!isLower(at(e)) && !(at(e) >= 0x41 && at(e) <= 0x5a)) continue;
    add(norm.slice(p, e) + (cased === null ? norm[e] : cased[e]), p, e + 1);
  }

  // '/' and '\\': the whole run of path characters around a separator.
  // Both separators are tracked apart, so each indexOf scans the text once in all.
  let slash = norm.indexOf('/');
  let back = norm.indexOf('\\');
  while (slash !== -1 || back !== -1) {
    const p = slash === -1 ? back : back === -1 ? slash : Math.min(slash, back);
    let s = p;
    while (isPathChar(at(s - 1))) s--;
    if (at(s - 1) === 0x3a && isLower(at(s - 2)) && !isAlnum(at(s - 3)) && (at(s) === 0x5c || at(s) === 0x2f)) s -= 2; // c:\
    let e = p + 1;
    while (isPathChar(at(e))) e++;
    const end = e;
    while (e > s && (at(e - 1) === 0x2e || at(e - 1) === 0x2d)) e--;
    // Checked cheapest first: most slashes in documents belong to URLs, which fail the first test.
    if (startsAt(norm, s, PATH_START)) {
      const t = norm.slice(s, e);
      if (t.indexOf('//') === -1 && HAS_LETTER.test(t) && isPath(t)) add(t, s, e);
    }
    if (slash !== -1 && slash < end) slash = norm.indexOf('/', end);
    if (back !== -1 && back < end) back = norm.indexOf('\\', end);
  }

}

/** A slash-separated token is a path when rooted (/, ~, ./, c:\), a scoped package, 3+ segments, or ends in an extension. */
function isPath(t: string): boolean {
  if (ROOTED.test(t)) {
    const first = t.replace(/^(?:~|\.{1,2}|[a-z]:)?[/\\]+/, '');
    return first.length > 0;
  }
  let seps = 0;
  for (let i = 1; i < t.length - 1; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x2f || c === 0x5c) seps++;
  }
  if (seps < 1) return false;
  return t.charCodeAt(0) === 0x40 /* @scope/name */ || seps >= 2 || EXTENSION.test(t);
}

/**
 * Normalizes grapheme by grapheme so every normalized code unit knows the original range it came
 * from (NFKC and lowercasing can change lengths: "㍿" → "株式会社", "İ" → "i̇").
 */
function normalizeWithOffsets(text: string): { norm: string; cased: string; startOf: Int32Array; endOf: Int32Array } {
  if (ASCII_ONLY.test(text)) {
    const ids = Int32Array.from({ length: text.length }, (_, i) => i);
    return { norm: text.toLowerCase(), cased: text, startOf: ids, endOf: ids.map((i) => i + 1) };
  }
  graphemeSegmenter ??= new Intl.Segmenter('zh', { granularity: 'grapheme' });
  const parts: string[] = [];
  const casedParts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const g of graphemeSegmenter.segment(text)) {
    const { norm: n, cased } = prepare(g.segment);
    parts.push(n);
    casedParts.push(cased ?? n);
    for (let i = 0; i < n.length; i++) {
      starts.push(g.index);
      ends.push(g.index + g.segment.length);
    }
  }
  return { norm: parts.join(''), cased: casedParts.join(''), startOf: Int32Array.from(starts), endOf: Int32Array.from(ends) };
}
