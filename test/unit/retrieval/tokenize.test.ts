import { describe, expect, it } from 'vitest';
import { ASCII_WORD, hanKey, highlightRanges, MAX_TERM_LENGTH, normalize, terms, visitTermKeys } from '../../../src/retrieval/tokenize';
import { rng } from './synthetic';

const MIXED = 'RAG 检索增强生成 works well，新员工每年有15天年假。';

describe('terms', () => {
  it('splits mixed Chinese/English into Han bigrams and lowercased words', () => {
    expect(terms(MIXED)).toEqual([
      'rag',
      '检索', '索增', '增强', '强生', '生成',
      'works', 'well',
      '新员', '员工', '工每', '每年', '年有',
      '15',
      '天年', '年假',
    ]);
  });

  it('uses bigrams instead of segmenter words, so query and document always agree', () => {
    // "年假" is one bigram whether the segmenter would cut "天年假" as 天|年假 or 天年|假.
    expect(terms('年假')).toEqual(['年假']);
    expect(terms('有几天年假？')).toEqual(['有几', '几天', '天年', '年假']);
  });

  it('keeps a lone Han character as a unigram', () => {
    expect(terms('猫')).toEqual(['猫']);
    expect(terms('猫，狗。B猫')).toEqual(['猫', '狗', 'b', '猫']);
  });

  it('folds full-width letters and digits (NFKC) and drops punctuation', () => {
    expect(terms('ＲＡＧ１５（ＬＬＭ）！')).toEqual(['rag15', 'llm']);
    expect(terms('——《》“”…… !?')).toEqual([]);
  });

  it('drops Lucene English stopwords but keeps content words', () => {
    expect(terms('The cat and the HAT are on a mat')).toEqual(['cat', 'hat', 'mat']);
  });

  it('follows UAX #29 joins for numbers, abbreviations and apostrophes', () => {
    expect(terms('3.5 1,000 U.S.A. e-mail GPT-4o snake_case')).toEqual([
      '3.5', '1,000', 'u.s.a', 'e', 'mail', 'gpt', '4o', 'snake_case',
    ]);
    expect(terms('Don’t use the employee’s VPN')).toEqual(["don't", 'use', 'employee', 'vpn']);
  });

  it('splits words at colons, which ICU would otherwise join', () => {
    expect(terms('Note:VPN key:value 10:30')).toEqual(['note', 'vpn', 'key', 'value', '10', '30']);
  });

  it('segments non-ASCII Latin with Intl.Segmenter', () => {
    expect(terms('Café résumé naïve Straße')).toEqual(['café', 'résumé', 'naïve', 'straße']);
  });

  it('removes invisible characters that PDFs leave inside words', () => {
    expect(terms('re\u00adtrieval zero\u200bwidth 葛\u{e0100}城')).toEqual(['retrieval', 'zerowidth', '葛城']);
  });

  it('walks surrogate pairs as single Han characters', () => {
    expect(terms('𠀋𠀌𠀍')).toEqual(['𠀋𠀌', '𠀌𠀍']);
    expect(terms('𠀋猫狗')).toEqual(['𠀋猫', '猫狗']);
  });

  it('drops tokens too long to be typed', () => {
    const blob = 'x'.repeat(MAX_TERM_LENGTH + 1);
    expect(terms(`key ${blob} ${'y'.repeat(MAX_TERM_LENGTH)}`)).toEqual(['key', 'y'.repeat(MAX_TERM_LENGTH)]);
  });
});

describe('visitTermKeys', () => {
  it('reports the same terms as `terms`, Han ones as their hanKey', () => {
    for (const text of [MIXED, '猫', '𠀋猫狗，猫', 'A猫B 々〇 豈更', 'plain english only', '']) {
      const seen: (string | number)[] = [];
      visitTermKeys(text, (k) => seen.push(k), (w) => seen.push(w));
      expect(seen).toEqual(terms(text).map((t) => hanKey(t) ?? t));
    }
  });

  it('gives distinct keys to distinct Han terms, and none to other terms', () => {
    const han = ['年假', '假年', '年', '假', '豈更', '〇〇'];
    const keys = han.map(hanKey);
    expect(new Set(keys).size).toBe(han.length);
    for (const k of keys) expect(Number.isInteger(k) && k! < 2 ** 30 && k! >= -(2 ** 15)).toBe(true);
    expect(['rag', '𠀋猫', '年假期', ''].map(hanKey)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('ASCII fast path', () => {
  it('matches Intl.Segmenter word boundaries on random ASCII (differential)', () => {
    const seg = new Intl.Segmenter('zh', { granularity: 'word' });
    const alphabet = "ab19_.:,;'-/@ ";
    const rand = rng(7);
    for (let n = 0; n < 5000; n++) {
      let s = '';
      for (let i = 1 + Math.floor(rand() * 10); i > 0; i--) s += alphabet[Math.floor(rand() * alphabet.length)];
      const want = [...seg.segment(s)].filter((x) => x.isWordLike && /[a-z0-9]/.test(x.segment)).map((x) => `${x.index}:${x.segment}`);
      const got = [...s.matchAll(ASCII_WORD)].filter((m) => /[a-z0-9]/.test(m[0])).map((m) => `${m.index}:${m[0]}`);
      expect(got, JSON.stringify(s)).toEqual(want);
    }
  });
});

describe('normalize', () => {
  it('folds width and case and straightens apostrophes', () => {
    expect(normalize('ＡＢＣ’ｄ')).toBe("abc'd");
  });
});

describe('highlightRanges', () => {
  const slices = (text: string, q: string[]) => highlightRanges(text, q).map((r) => text.slice(r.start, r.end));

  it('marks Han terms as substrings and Latin terms as whole words', () => {
    const q = terms('rag 员工 年假 well');
    expect(highlightRanges(MIXED, q)).toEqual([
      { start: 0, end: 3 },
      { start: 17, end: 21 },
      { start: 23, end: 25 },
      { start: 31, end: 33 },
    ]);
    expect(slices(MIXED, q)).toEqual(['RAG', 'well', '员工', '年假']);
  });

  it('merges overlapping bigrams into one mark', () => {
    expect(slices(MIXED, terms('新员工'))).toEqual(['新员工']);
  });

  it('matches case- and width-insensitively but not inside longer words', () => {
    expect(slices('Ｒａｇ is RAG-like; ragged', ['rag'])).toEqual(['Ｒａｇ', 'RAG']);
  });

  it('maps offsets back through NFKC length changes', () => {
    // "㍿" is one code unit that NFKC expands to "株式会社".
    expect(highlightRanges('㍿と株式会社', ['式会'])).toEqual([
      { start: 0, end: 1 },
      { start: 3, end: 5 },
    ]);
  });

  it('returns nothing without query terms', () => {
    expect(highlightRanges(MIXED, [])).toEqual([]);
    expect(highlightRanges(MIXED, ['absent'])).toEqual([]);
  });
});
