// A token-level LCS diff of an answer against its reference, for highlighting (pure). Tokens follow the
// metrics: each Chinese character alone, letter/digit runs as words, compared case- and width-insensitively;
// spaces and punctuation are kept as they are so the answer reads as written.

export type DiffKind = 'same' | 'extra' | 'missing' | 'sep';

export interface DiffPart {
  text: string;
  /** same: in both; extra: only in the answer; missing: only in the reference; sep: spacing/punctuation. */
  kind: DiffKind;
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const PIECE = new RegExp(`[${CJK}]|[\\p{L}\\p{N}\\p{M}]+|[^\\p{L}\\p{N}\\p{M}${CJK}]+`, 'gu');
const WORD = /[\p{L}\p{N}]/u;
/** Above this many cells the LCS table is skipped for a cheaper membership test (long RAG echoes). */
const MAX_CELLS = 4_000_000;

interface Tok {
  text: string;
  key: string | null;
}

function pieces(s: string): Tok[] {
  return (s.match(PIECE) ?? []).map((text) => ({ text, key: WORD.test(text) ? text.normalize('NFKC').toLowerCase() : null }));
}

/** Pairs of matched word indices (answer, reference) along one longest common subsequence. */
function lcsPairs(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const dp = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i * (m + 1) + j] = a[i] === b[j] ? dp[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(dp[(i + 1) * (m + 1) + j], dp[i * (m + 1) + j + 1]);
    }
  }
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push([i++, j++]);
    } else if (dp[(i + 1) * (m + 1) + j] >= dp[i * (m + 1) + j + 1]) i++;
    else j++;
  }
  return out;
}

/**
 * The answer's pieces marked same/extra, with the reference's unmatched words inserted as `missing`
 * where they belong in the alignment. Very long inputs fall back to "word occurs in the reference".
 */
export function diffAgainstReference(answer: string, reference: string): DiffPart[] {
  const A = pieces(answer);
  const B = pieces(reference);
  const aw = A.flatMap((t, i) => (t.key === null ? [] : [i]));
  const bw = B.flatMap((t, i) => (t.key === null ? [] : [i]));
  if (aw.length * bw.length > MAX_CELLS) {
    const ref = new Set(bw.map((i) => B[i].key));
    return A.map((t) => ({ text: t.text, kind: t.key === null ? 'sep' : ref.has(t.key) ? 'same' : 'extra' }));
  }
  const pairs = lcsPairs(aw.map((i) => A[i].key!), bw.map((i) => B[i].key!));
  const out: DiffPart[] = [];
  const missing = (from: number, to: number) => {
    const words = bw.slice(from, to).map((i) => B[i].text);
    if (words.length) out.push({ text: words.join(' '), kind: 'missing' });
  };
  let ai = 0; // next answer piece to emit
  let bj = 0; // next reference word (index into bw) not yet accounted for
  for (const [x, y] of pairs) {
    const target = aw[x];
    for (; ai < target; ai++) out.push({ text: A[ai].text, kind: A[ai].key === null ? 'sep' : 'extra' });
    missing(bj, y);
    out.push({ text: A[ai].text, kind: 'same' });
    ai++;
    bj = y + 1;
  }
  for (; ai < A.length; ai++) out.push({ text: A[ai].text, kind: A[ai].key === null ? 'sep' : 'extra' });
  missing(bj, bw.length);
  return spaced(out);
}

const CJK_CHAR = new RegExp(`[${CJK}]`, 'u');

/** A space between two pieces of Latin-script text that would otherwise run together ("changed?every"). */
function needsSpace(left: string, right: string): boolean {
  const a = left.at(-1) ?? '';
  const b = right[0] ?? '';
  if (!a || !b || /\s/u.test(a) || /\s/u.test(b) || CJK_CHAR.test(a) || CJK_CHAR.test(b)) return false;
  return !/[\p{Ps}]/u.test(a) && !/[\p{Pe}\p{Po}]/u.test(b);
}

/** Missing words sit between answer pieces: give them the spacing a reader expects. */
function spaced(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  parts.forEach((p, i) => {
    const prev = out.at(-1);
    if (p.kind === 'missing' && prev && needsSpace(prev.text, p.text)) out.push({ text: ' ', kind: 'sep' });
    out.push(p);
    const next = parts[i + 1];
    if (p.kind === 'missing' && next && needsSpace(p.text, next.text)) out.push({ text: ' ', kind: 'sep' });
  });
  return out;
}
