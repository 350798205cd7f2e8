// Finds citation markers in a model answer and maps each number to the chunk the prompt labelled with it.
// Lenient on purpose: small models mix ASCII and full-width brackets (【1】, ［1］), lists ([1, 3], [1、3]) and ranges ([1-3]).

export interface Citation {
  /** The whole bracket as written, e.g. "[1, 3]"; every number in it shares marker, start and end. */
  marker: string;
  /** The cited number (1-based, as in the prompt). */
  n: number;
  /** contextIds[n - 1], or null when the number points at no passage (0 or beyond the context). */
  chunkId: string | null;
  /** UTF-16 offsets of the marker in the answer; end is exclusive. */
  start: number;
  end: number;
}

const NUM = '[0-9０-９]{1,4}';
const SEP = '\\s*(?:[,，、;；]|[-–—~～])\\s*';
const MARKER = new RegExp(`[\\[【［]\\s*${NUM}(?:${SEP}${NUM})*\\s*[\\]】］]`, 'gu');
// Ranges longer than this are treated as two separate numbers rather than expanded (a typo like [1-2000]).
const MAX_RANGE = 50;

function toInt(digits: string): number {
  let n = 0;
  for (const ch of digits) {
    const code = ch.charCodeAt(0);
    n = n * 10 + (code >= 0xff10 ? code - 0xff10 : code - 48);
  }
  return n;
}

function numbersIn(marker: string): number[] {
  const out: number[] = [];
  let pendingRange = false;
  for (const m of marker.matchAll(/[0-9０-９]+|[-–—~～]/gu)) {
    const tok = m[0];
    if (/^[-–—~～]$/u.test(tok)) {
      pendingRange = true;
      continue;
    }
    const n = toInt(tok);
    const prev = out[out.length - 1];
    if (pendingRange && prev !== undefined && n > prev && n - prev <= MAX_RANGE) {
      for (let k = prev + 1; k <= n; k++) out.push(k);
    } else {
      out.push(n);
    }
    pendingRange = false;
  }
  return [...new Set(out)];
}

export function parseCitations(answer: string, contextIds: readonly string[]): Citation[] {
  const out: Citation[] = [];
  for (const m of answer.matchAll(MARKER)) {
    const start = m.index;
    const end = start + m[0].length;
    for (const n of numbersIn(m[0])) {
      out.push({ marker: m[0], n, chunkId: n >= 1 && n <= contextIds.length ? contextIds[n - 1] : null, start, end });
    }
  }
  return out;
}

/** The answer with citation markers replaced by a space, so metrics do not count "1" as an answer word. */
export function stripCitations(answer: string): string {
  return answer.replace(MARKER, ' ');
}
