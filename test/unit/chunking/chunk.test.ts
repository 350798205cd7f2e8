import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../../src/text/tokens';
import { chunkDocument, DEFAULT_CHUNKING, previewChunks, type Chunk, type ChunkSettings } from '../../../src/chunking/chunk';
import type { Section } from '../../../src/extract';

const brief = (chunks: Chunk[]) => chunks.map((c) => [c.start, c.end, c.text]);

describe('settings', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_CHUNKING).toEqual({ unit: 'tokens', size: 200, overlap: 40 });
    expect(Object.isFrozen(DEFAULT_CHUNKING)).toBe(true);
  });

  it('rejects invalid settings with a clear message', () => {
    const doc = { text: 'x', sections: [] };
    const bad: [ChunkSettings, RegExp][] = [
      [{ unit: 'tokens', size: 100, overlap: 100 }, /overlap \(100 tokens\) must be smaller than the chunk size \(100 tokens\)/],
      [{ unit: 'chars', size: 19, overlap: 0 }, /at least 20 chars/],
      [{ unit: 'tokens', size: 9, overlap: 0 }, /at least 10 tokens/],
      [{ unit: 'tokens', size: 50, overlap: -1 }, /overlap must be a whole number/],
      [{ unit: 'words' as 'chars', size: 50, overlap: 0 }, /unit must be 'chars' or 'tokens'/],
    ];
    for (const [s, msg] of bad) expect(() => chunkDocument(doc, s)).toThrow(msg);
  });
});

describe('chunkDocument: exact chunks', () => {
  it('English, chars: fills to size at sentence ends, overlap starts at a sentence or word', () => {
    const text =
      'The office opens at nine. Staff badge in at the front desk. Visitors sign the book.\n\n' +
      'Annual leave is fifteen days. Unused days expire in March. Sick leave needs a note from a doctor after three days.';
    const chunks = chunkDocument({ text, sections: [] }, { unit: 'chars', size: 80, overlap: 30 });
    expect(brief(chunks)).toEqual([
      [0, 59, 'The office opens at nine. Staff badge in at the front desk.'],
      // "Staff badge in at the front desk." is 33 > 30, so the overlap starts at a word.
      [32, 83, 'badge in at the front desk. Visitors sign the book.'],
      [60, 114, 'Visitors sign the book.\n\nAnnual leave is fifteen days.'],
      [85, 143, 'Annual leave is fifteen days. Unused days expire in March.'],
      [122, 199, 'days expire in March. Sick leave needs a note from a doctor after three days.'],
    ]);
    expect(chunks.map((c) => c.tokens)).toEqual([19, 15, 15, 18, 24]);
  });

  it('English, tokens: an over-long sentence is cut at a word, never inside one', () => {
    const text =
      'Annual leave is fifteen days per year. Unused days expire at the end of March. ' +
      'Requests go through the HR portal, and managers approve them within two working days.';
    const chunks = chunkDocument({ text, sections: [] }, { unit: 'tokens', size: 20, overlap: 6 });
    expect(chunks.map((c) => [c.text, c.tokens])).toEqual([
      ['Annual leave is fifteen days per year.', 11],
      ['fifteen days per year. Unused days expire at the end of March.', 18],
      ['the end of March. Requests go through the HR portal, and managers', 19],
      ['portal, and managers approve them within two working days.', 16],
    ]);
  });

  it('Chinese, chars: splits at 。！？； and overlaps from a word start', () => {
    const text = '新员工每年有十五天年假。年假必须在当年使用；未使用的年假不能结转！病假需要医生证明吗？需要，超过三天的病假必须提供证明。';
    const chunks = chunkDocument({ text, sections: [] }, { unit: 'chars', size: 25, overlap: 8 });
    expect(brief(chunks)).toEqual([
      [0, 22, '新员工每年有十五天年假。年假必须在当年使用；'],
      [14, 33, '必须在当年使用；未使用的年假不能结转！'],
      [25, 43, '的年假不能结转！病假需要医生证明吗？'],
      [35, 60, '需要医生证明吗？需要，超过三天的病假必须提供证明。'],
    ]);
  });

  it('Chinese, tokens: overlap of whole words within the budget', () => {
    const text = '第一条规定员工每年享有十五天带薪年假；第二条规定病假需要医生开具的证明！第三条规定事假每年不超过五天？第四条规定加班需要提前申请。';
    const chunks = chunkDocument({ text, sections: [] }, { unit: 'tokens', size: 40, overlap: 10 });
    expect(chunks.map((c) => [c.start, c.end, c.text, c.tokens])).toEqual([
      [0, 36, '第一条规定员工每年享有十五天带薪年假；第二条规定病假需要医生开具的证明！', 36],
      [26, 65, '需要医生开具的证明！第三条规定事假每年不超过五天？第四条规定加班需要提前申请。', 39],
    ]);
  });

  it('a long Chinese paragraph without spaces splits at 。！？； (Intl.Segmenter alone ignores ；)', () => {
    const text = '第一条规定员工每年享有十五天带薪年假；第二条规定病假需要医生开具的证明；第三条规定事假每年不超过五天。';
    const chunks = chunkDocument({ text, sections: [] }, { unit: 'chars', size: 20, overlap: 0 });
    expect(brief(chunks)).toEqual([
      [0, 19, '第一条规定员工每年享有十五天带薪年假；'],
      [19, 36, '第二条规定病假需要医生开具的证明；'],
      [36, 51, '第三条规定事假每年不超过五天。'],
    ]);
    const mixed = '请假流程如下！先提交申请？然后等待批准。最后通知同事；完成。';
    expect(chunkDocument({ text: mixed, sections: [] }, { unit: 'chars', size: 20, overlap: 0 }).map((c) => c.text)).toEqual([
      '请假流程如下！先提交申请？然后等待批准。', // 19 chars: three sentences fit
      '最后通知同事；完成。',
    ]);
  });

  it('prefers a paragraph break over a later sentence end when the chunk is at least half full', () => {
    const text = 'First paragraph has two sentences. It ends here.\n\nSecond paragraph starts. It goes on and on.';
    const chunks = chunkDocument({ text, sections: [] }, { unit: 'chars', size: 80, overlap: 0 });
    expect(chunks.map((c) => c.text)).toEqual([
      'First paragraph has two sentences. It ends here.',
      'Second paragraph starts. It goes on and on.',
    ]);
  });

  it('hard-splits only a single word longer than the size', () => {
    const text = 'Supercalifragilisticexpialidocious-antidisestablishmentarianism words';
    const chunks = chunkDocument({ text, sections: [] }, { unit: 'chars', size: 20, overlap: 5 });
    expect(brief(chunks)).toEqual([
      [0, 20, 'Supercalifragilistic'],
      [20, 35, 'expialidocious-'],
      [35, 55, 'antidisestablishment'],
      [55, 69, 'arianism words'],
    ]);
  });

  it('cuts a huge unbroken token (e.g. base64) into full pieces in linear time', () => {
    const blob = 'QUJD'.repeat(250_000); // 1,000,000 letters, no space or punctuation
    const chunks = chunkDocument({ text: `Attachment: ${blob} end`, sections: [] }, { unit: 'tokens', size: 50, overlap: 10 });
    expect(chunks).toHaveLength(5002);
    expect(chunks[0].text).toBe('Attachment:');
    expect(chunks[1]).toMatchObject({ start: 12, end: 212, tokens: 50 });
    expect(chunks[5000]).toMatchObject({ start: 12 + 999_800, end: 12 + 1_000_000, tokens: 50 });
    expect(chunks[5001].text).toBe('end');
  });

  it('keeps chunks inside sections and copies their headingPath and page', () => {
    const text = '# Leave\n\nShort intro.\n\n## Annual\n\nFifteen days. Plan early. Tell your manager.\n\n## Sick\n\nBring a note.';
    const sections: Section[] = [
      { start: 0, end: text.indexOf('## Annual'), headingPath: ['Leave'] },
      { start: text.indexOf('## Annual'), end: text.indexOf('## Sick'), headingPath: ['Leave', 'Annual'], page: 2 },
      { start: text.indexOf('## Sick'), end: text.length, headingPath: ['Leave', 'Sick'] },
    ];
    const chunks = chunkDocument({ text, sections }, { unit: 'chars', size: 30, overlap: 10 });
    expect(chunks.map((c) => [c.index, c.start, c.end, c.text, c.headingPath, c.page])).toEqual([
      [0, 0, 21, '# Leave\n\nShort intro.', ['Leave'], undefined],
      [1, 23, 47, '## Annual\n\nFifteen days.', ['Leave', 'Annual'], 2],
      [2, 42, 59, 'days. Plan early.', ['Leave', 'Annual'], 2],
      [3, 53, 78, 'early. Tell your manager.', ['Leave', 'Annual'], 2],
      [4, 80, 102, '## Sick\n\nBring a note.', ['Leave', 'Sick'], undefined],
    ]);
    // With room to spare the whole document would be one chunk; sections still keep them apart.
    const big = chunkDocument({ text, sections }, { unit: 'chars', size: 1000, overlap: 100 });
    expect(big.map((c) => c.text)).toEqual(['# Leave\n\nShort intro.', '## Annual\n\nFifteen days. Plan early. Tell your manager.', '## Sick\n\nBring a note.']);
  });

  it('treats missing sections as one, and text outside the given sections as its own section', () => {
    const text = 'Intro line.\n\nPage one text.';
    expect(chunkDocument({ text, sections: [] }, { unit: 'chars', size: 100, overlap: 0 }).map((c) => c.text)).toEqual([text]);
    const chunks = chunkDocument({ text, sections: [{ start: 13, end: text.length, page: 1 }] }, { unit: 'chars', size: 100, overlap: 0 });
    expect(chunks.map((c) => [c.text, c.page])).toEqual([
      ['Intro line.', undefined],
      ['Page one text.', 1],
    ]);
  });
});

describe('previewChunks', () => {
  it('returns the first N chunks of the text as a single section', () => {
    const text = Array.from({ length: 200 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const s: ChunkSettings = { unit: 'chars', size: 100, overlap: 20 };
    const all = chunkDocument({ text, sections: [] }, s);
    expect(all.length).toBeGreaterThan(10);
    expect(previewChunks(text, s, 3)).toEqual(all.slice(0, 3));
    expect(previewChunks(text, s, 0)).toEqual([]);
    expect(() => previewChunks(text, { unit: 'chars', size: 10, overlap: 0 }, 3)).toThrow(/at least 20 chars/);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties on random mixed text

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'leave', 'policy', 'employee', 'the', 'a', 'manager', 'approval', 'days', 'HR', '2024', '15', 'e-mail', "don't",
  '新员工', '年假', '病假', '需要', '医生证明', '每年', '十五天', '申请', '批准', 'ひらがな', '한국어', '😀', '👍🏽',
  ', ', '. ', '! ', '? ', '; ', '。', '！', '？', '；', '，', '：', '“', '”', '(', ')', ' ', ' ', ' ', '\n', '\n\n', '\t',
];

function randomText(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
}

const isLetter = (ch: string | undefined) => ch !== undefined && /[A-Za-z]/.test(ch);
const isWordChar = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9']/.test(ch);

describe('properties on random mixed zh/en text', () => {
  it('offsets are exact, chunks are trimmed, within size, inside sections, cover every character, and never cut a Latin word', () => {
    const rand = prng(20240611);
    for (let round = 0; round < 300; round++) {
      const text = randomText(rand, 5 + Math.floor(rand() * 400));
      const unit = rand() < 0.5 ? 'chars' : 'tokens';
      const min = unit === 'chars' ? 20 : 10;
      const size = min + Math.floor(rand() * 120);
      const overlap = Math.floor(rand() * size);
      const settings: ChunkSettings = { unit, size, overlap };
      // Random sections covering the text.
      const cuts = [...new Set(Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * text.length)))]
        .filter((c) => c > 0 && c < text.length && !(text.charCodeAt(c) >= 0xdc00 && text.charCodeAt(c) <= 0xdfff))
        .sort((a, b) => a - b);
      const bounds = [0, ...cuts, text.length];
      const sections: Section[] = bounds.slice(1).map((end, i) => ({ start: bounds[i], end, page: i + 1 }));
      const chunks = chunkDocument({ text, sections }, settings);
      const ctx = `round ${round} ${JSON.stringify(settings)} ${JSON.stringify(text)}`;

      const covered = new Uint8Array(text.length);
      chunks.forEach((c, i) => {
        expect(c.index, ctx).toBe(i);
        expect(text.slice(c.start, c.end), ctx).toBe(c.text);
        expect(c.text.length, ctx).toBeGreaterThan(0);
        expect(c.text.trim(), ctx).toBe(c.text);
        expect(c.tokens, ctx).toBe(estimateTokens(c.text));
        expect(unit === 'chars' ? c.text.length : c.tokens, ctx).toBeLessThanOrEqual(size);
        const sec = sections.find((s) => s.start <= c.start && c.end <= s.end);
        expect(sec, ctx).toBeDefined();
        expect(c.page, ctx).toBe(sec!.page);
        // No surrogate pair is cut, and no word of ≤ size letters is cut (all PIECES words are short).
        expect(c.text.charCodeAt(0) >= 0xdc00 && c.text.charCodeAt(0) <= 0xdfff, ctx).toBe(false);
        const last = c.text.charCodeAt(c.text.length - 1);
        expect(last >= 0xd800 && last <= 0xdbff, ctx).toBe(false);
        // A cut between two letters is only allowed inside a word that alone exceeds the size
        // (random pieces glue into long words like "managertheemployee").
        const cutsShortWord = (at: number) => {
          if (at <= 0 || at >= text.length || !isLetter(text[at - 1]) || !isLetter(text[at])) return false;
          if (sections.some((s) => s.start === at)) return false;
          let a = at;
          let b = at;
          while (a > 0 && isWordChar(text[a - 1])) a--;
          while (b < text.length && isWordChar(text[b])) b++;
          const word = text.slice(a, b);
          return (unit === 'chars' ? word.length : estimateTokens(word)) <= size;
        };
        expect(cutsShortWord(c.start) || cutsShortWord(c.end), `${ctx} chunk ${i}`).toBe(false);
        covered.fill(1, c.start, c.end);
        if (i > 0 && chunks[i - 1].page === c.page) {
          const prev = chunks[i - 1];
          expect(c.start, ctx).toBeGreaterThan(prev.start);
          expect(c.end, ctx).toBeGreaterThan(prev.end);
          if (c.start < prev.end) {
            const repeated = text.slice(c.start, prev.end);
            expect(unit === 'chars' ? repeated.length : estimateTokens(repeated), ctx).toBeLessThanOrEqual(overlap);
          }
        }
      });
      for (let k = 0; k < text.length; k++) {
        if (!covered[k] && /\S/.test(text[k])) throw new Error(`character ${k} (${JSON.stringify(text[k])}) is in no chunk: ${ctx}`);
      }
    }
  });

  it('chunks 20 MB of mixed text quickly (timing logged, not asserted)', () => {
    const rand = prng(7);
    const en = 'The office opens at nine and closes at six on weekdays, except public holidays. ';
    const zh = '新员工每年有十五天年假，年假必须在当年使用；未使用的部分不能结转。';
    const paragraphs: string[] = [];
    let length = 0;
    while (length < 20_000_000) {
      let p = '';
      const n = 1 + Math.floor(rand() * 12);
      for (let i = 0; i < n; i++) p += rand() < 0.5 ? en : zh;
      paragraphs.push(p);
      length += p.length + 2;
    }
    const text = paragraphs.join('\n\n');
    const bytes = new TextEncoder().encode(text).length;
    const t0 = performance.now();
    const chunks = chunkDocument({ text, sections: [] }, DEFAULT_CHUNKING);
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `chunked ${(text.length / 1e6).toFixed(1)} M chars (${(bytes / 1e6).toFixed(1)} MB UTF-8) into ${chunks.length} chunks in ${seconds.toFixed(2)} s: ` +
        `${(bytes / 1e6 / seconds).toFixed(1)} MB/s`,
    );
    expect(chunks[chunks.length - 1].end).toBe(text.length);
  }, 120_000);
});
