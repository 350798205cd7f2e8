import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodable, textToPdf } from '../../../bench/retrieval/pdf-copy';
import { chunkDocument, DEFAULT_CHUNKING, type Chunk } from '../../../src/chunking/chunk';
import { extract } from '../../../src/extract/index';
import {
  dedupeRanked,
  DUPLICATE_THRESHOLD,
  fingerprint,
  isNearDuplicate,
  MIN_SHINGLES,
  normalizeForDedupe,
  overlapCoefficient,
  passageSimilarity,
  shingleHashes,
} from '../../../src/retrieval/dedupe';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/retrieval/corpus');

describe('normalizeForDedupe', () => {
  it('folds ligatures and width, joins line-end hyphenation, drops page-number lines, keeps letters and digits', () => {
    expect(normalizeForDedupe('The ﬁrst re-\ntrieval step\n\n- 12 -\nＡＢＣ “quoted”')).toBe('thefirstretrievalstepabcquoted');
    expect(normalizeForDedupe('Page 3 of 9\n年假\n第 3 页\n12\n3/9\ncontinues')).toBe('年假continues');
  });

  it('keeps hyphens that are not at a line end, and numbers inside text', () => {
    expect(normalizeForDedupe('allkeys-lru uses 12 keys')).toBe('allkeyslruuses12keys');
  });
});

describe('overlapCoefficient', () => {
  it('is |A ∩ B| / min(|A|, |B|) over distinct shingles', () => {
    // "abcdefg" has the 5-grams abcde, bcdef, cdefg; "bcdefgh" has bcdef, cdefg, defgh: 2 shared of 3.
    expect(overlapCoefficient(shingleHashes('abcdefg', 5), shingleHashes('bcdefgh', 5))).toBeCloseTo(2 / 3, 12);
    // Contained: all 3 shingles of "abcdefg" are among the 7 of "xxabcdefgyy" → 1.
    expect(overlapCoefficient(shingleHashes('abcdefg', 5), shingleHashes('xxabcdefgyy', 5))).toBe(1);
    expect(overlapCoefficient(shingleHashes(''), shingleHashes('abcde', 5))).toBe(0);
    // Repeats count once: "aaaaaaaa" has four 5-grams, all the same.
    expect(overlapCoefficient(shingleHashes('aaaaaaaa', 5), shingleHashes('aaaaab', 5))).toBe(1);
  });
});

describe('passageSimilarity', () => {
  const fp5 = (s: string) => ({ norm: s, shingles: shingleHashes(s, 5), set: new Set(shingleHashes(s, 5)) });
  it('is the share of a chunk in its best gap-free stretch shared with the other, in the better direction', () => {
    // b holds a's first 20 letters, then differs: the 16 five-grams of those 20 letters are shared,
    // each string has 22 five-grams, so both directions give 16/22.
    const a = 'abcdefghijklmnopqrstuvwxyz';
    const b = 'abcdefghijklmnopqrst012345';
    expect(passageSimilarity(fp5(a), fp5(b), 9)).toBeCloseTo(16 / 22, 12);
    // Shared: "vwxyz" and the six 5-grams of "0123456789". In either string "vwxyz" stands apart from
    // the digits, and one hit cannot pay for the 9-point misses around it: the stretch is the 6 of 20.
    expect(passageSimilarity(fp5('vwxyz0123456789abcdefghi'), fp5('0123456789vwxyzzzzzzzzzz'), 9)).toBeCloseTo(6 / 20, 12);
  });
});

describe('dedupeRanked', () => {
  const para = 'New employees get fifteen days of paid annual leave in their first year, and unused days carry over until the end of March.';
  const other = 'VPN passwords must be changed every ninety days and contain at least twelve characters, numbers and symbols.';

  it('keeps the best-ranked copy and lists the others as its sources, in rank order', () => {
    const ranked = [
      { id: 'a.txt:3', text: other },
      { id: 'b.pdf:7', text: `Handbook\n${para.replace('annual leave', 'annual\nleave').replace('fifteen', 'fif-\nteen')}\n\n- 4 -` },
      { id: 'b.txt:2', text: para },
      { id: 'c.md:1', text: `**${para}**` },
    ];
    const groups = dedupeRanked(ranked);
    expect(groups.map((g) => [g.item.id, g.duplicates.map((d) => d.id)])).toEqual([
      ['a.txt:3', []],
      ['b.pdf:7', ['b.txt:2', 'c.md:1']],
    ]);
    expect(groups[1].similarity.every((s) => s >= DUPLICATE_THRESHOLD)).toBe(true);
  });

  it('collapses a chunk that lies inside a longer one, but not chunks that only share a sentence', () => {
    const long = `${para} ${other} Taxi receipts over 200 yuan need a manager's approval before they are reimbursed.`;
    expect(dedupeRanked([{ text: long }, { text: para }])).toHaveLength(1);
    const a = `${para} Remote work needs a manager's written approval and a secured laptop at all times.`;
    const b = `The office opens at eight and closes at seven on weekdays; visitors sign in at reception. ${para.slice(0, 40)}`;
    expect(dedupeRanked([{ text: a }, { text: b }])).toHaveLength(2);
  });

  it('treats short chunks as duplicates only when identical', () => {
    expect(isNearDuplicate(fingerprint('alias: list'), fingerprint('npm ls <package-spec>\n\nalias: list, la, ll and more text here'))).toBe(false);
    expect(isNearDuplicate(fingerprint('alias: list'), fingerprint('Alias:  LIST'))).toBe(true);
  });

  it('works for Chinese text', () => {
    const zh = '新员工入职第一年享有十五天带薪年假，未休完的年假可以顺延到次年三月底，超过期限自动作废。';
    expect(dedupeRanked([{ text: zh }, { text: zh.replace('，', '，\n') }, { text: '差旅费用需要提供发票，报销在十个工作日内完成，超过两百元的出租车发票需要经理批准。' }])).toHaveLength(2);
  });
});

// Real cases: the English documents of the retrieval benchmark, each also printed to PDF with
// pdf-lib (wrapped lines, running title, page numbers) and read back with the app's PDF extractor.
// Ground truth comes from the source text, not from the measure under test: a PDF chunk and a text
// chunk are the same passage when their places in the source overlap by at least half of the shorter
// one, and different passages when they overlap by less than a quarter and the longest stretch of
// source text they share verbatim (whitespace aside) is under half of the shorter. Pairs that are
// neither (overlapping by a quarter to a half; or sections that repeat one block of text at several
// places, e.g. the same config for React and for Vue) are counted apart: collapsing them or not are
// both defensible.
describe('duplicate detection on PDF and text copies of real documents', () => {
  // Latin-script documents only: the standard PDF fonts cannot print Chinese (it would become '?').
  const FILES = ['http-server-README.txt', 'strftime-README.md', 'vconsole-README.md', 'eslint-config-alloy-README.md', 'npm-ls.html', 'npm-audit.html', 'npm-outdated.html', 'npm-pack.html', 'npm-config.html'];
  type Row = { truth: 'same' | 'different' | 'repeated' | 'partial' | 'short'; sim: number };
  const rows: Row[] = [];
  let unmapped = 0;
  let mapped = 0;

  /** Non-space characters of `s` and their offsets. */
  function squeeze(s: string): { s: string; pos: number[] } {
    let out = '';
    const pos: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (/\s/.test(s[i])) continue;
      out += s[i];
      pos.push(i);
    }
    return { s: out, pos };
  }

  /** Length of the longest common substring of a and b (binary search on the length, hashed windows). */
  function longestCommon(a: string, b: string): number {
    const has = (len: number) => {
      if (len === 0) return true;
      const seen = new Set<string>();
      for (let i = 0; i + len <= a.length; i++) seen.add(a.slice(i, i + len));
      for (let i = 0; i + len <= b.length; i++) if (seen.has(b.slice(i, i + len))) return true;
      return false;
    };
    let lo = 0;
    let hi = Math.min(a.length, b.length);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (has(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  beforeAll(async () => {
    const opts = (fileName: string) => ({ fileName, maxBytes: 1e8, maxUnpackedBytes: 4e8 });
    for (const file of FILES) {
      const doc = await extract(new Uint8Array(readFileSync(path.join(CORPUS, file))), opts(file));
      const title = file.replace(/\.[^.]+$/, '');
      const pdf = await extract(await textToPdf(doc.text, title), opts(`${title}.pdf`));
      const txtChunks = chunkDocument(doc, DEFAULT_CHUNKING);
      const pdfChunks = chunkDocument(pdf, DEFAULT_CHUNKING);
      // Source offsets of each PDF chunk: its non-space text, less the running title and the page
      // numbers this test itself printed, found in the source (as printed: unencodable → '?').
      const source = squeeze(doc.text.split('\n').map(encodable).join('\n'));
      const titleSq = squeeze(encodable(title)).s;
      let from = 0;
      const ranges: ({ start: number; end: number } | null)[] = pdfChunks.map((c) => {
        const sq = squeeze(c.text).s.split(titleSq).join('').replace(/-\d+-/g, '');
        const head = sq.slice(0, 24);
        const tail = sq.slice(-24);
        const a = source.s.indexOf(head, from);
        const b = a === -1 ? -1 : source.s.indexOf(tail, a + Math.max(0, sq.length - 24 - 200));
        if (a === -1 || b === -1) {
          unmapped++;
          return null;
        }
        mapped++;
        from = a;
        return { start: source.pos[a], end: source.pos[b + tail.length - 1] + 1 };
      });
      const fps = new Map<Chunk, ReturnType<typeof fingerprint>>();
      const fp = (c: Chunk) => fps.get(c) ?? (fps.set(c, fingerprint(c.text)), fps.get(c)!);
      const sim = (a: Chunk, b: Chunk) => (isNearDuplicate(fp(a), fp(b), 0) ? passageSimilarity(fp(a), fp(b)) : 0);
      const isShort = (c: Chunk) => fp(c).shingles.length < MIN_SHINGLES;
      const squeezedSource = (r: { start: number; end: number }) => doc.text.slice(r.start, r.end).replace(/\s+/g, '');
      const truth = (r: { start: number; end: number }, t: { start: number; end: number }, s: number, short: boolean): Row['truth'] => {
        // A chunk of a few words (a heading) is only collapsed with an identical one, by design.
        if (short) return 'short';
        const shorter = Math.min(r.end - r.start, t.end - t.start);
        const overlap = Math.min(r.end, t.end) - Math.max(r.start, t.start);
        if (overlap * 2 >= shorter) return 'same';
        if (overlap * 4 >= shorter) return 'partial';
        if (s < 0.3) return 'different'; // only a predicted duplicate needs the (slow) verbatim check
        const a = squeezedSource(r);
        const b = squeezedSource(t);
        return longestCommon(a, b) * 2 >= Math.min(a.length, b.length) ? 'repeated' : 'different';
      };
      pdfChunks.forEach((p, i) => {
        const r = ranges[i];
        if (!r) return;
        for (const t of txtChunks) {
          const s = sim(p, t);
          rows.push({ truth: truth(r, t, s, isShort(p) || isShort(t)), sim: s });
        }
      });
      // Neighbouring chunks of the text copy share their overlap (about a fifth of a chunk).
      for (let i = 1; i < txtChunks.length; i++) {
        const s = sim(txtChunks[i - 1], txtChunks[i]);
        rows.push({ truth: truth(txtChunks[i - 1], txtChunks[i], s, isShort(txtChunks[i - 1]) || isShort(txtChunks[i])), sim: s });
      }
    }
  }, 120_000);

  it(`finds the same passage with precision ≥ 0.95 and recall ≥ 0.9 at the threshold ${DUPLICATE_THRESHOLD}`, () => {
    const at = (t: number) => {
      const tp = rows.filter((r) => r.truth === 'same' && r.sim >= t).length;
      const fp = rows.filter((r) => r.truth === 'different' && r.sim >= t).length;
      const fn = rows.filter((r) => r.truth === 'same' && r.sim < t).length;
      const apart = (kind: Row['truth']) => {
        const xs = rows.filter((r) => r.truth === kind);
        return `${xs.filter((r) => r.sim >= t).length}/${xs.length}`;
      };
      return { t, precision: tp / (tp + fp || 1), recall: tp / (tp + fn || 1), tp, fp, fn, repeated: apart('repeated'), partial: apart('partial'), short: apart('short') };
    };
    const table = [0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7].map(at);
    console.log(
      [
        `${FILES.length} documents, ${mapped} PDF chunks mapped to the source (${unmapped} not), ${rows.length} pairs, ${rows.filter((r) => r.truth === 'same').length} same-passage pairs`,
        ...table.map((r) => `threshold ${r.t.toFixed(2)}: precision ${r.precision.toFixed(3)} recall ${r.recall.toFixed(3)} (tp ${r.tp}, fp ${r.fp}, fn ${r.fn}; collapsed apart: repeated text ${r.repeated}, partial overlaps ${r.partial}, short ${r.short})`),
      ].join('\n'),
    );
    expect(unmapped / (mapped + unmapped)).toBeLessThan(0.1);
    const chosen = at(DUPLICATE_THRESHOLD);
    expect(chosen.tp).toBeGreaterThan(50);
    expect(chosen.precision).toBeGreaterThanOrEqual(0.95);
    expect(chosen.recall).toBeGreaterThanOrEqual(0.9);
  });
});
