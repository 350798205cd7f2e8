import { describe, expect, it } from 'vitest';
import { ASCII_WORD, hanKey, highlightRanges, MAX_TERM_LENGTH, normalize, terms, visitTermKeys } from '../../../src/retrieval/tokenize';

/** The terms of `text` that contain a character no word term has: the technical terms. */
const technical = (text: string) => terms(text).filter((t) => /[-%/\\]/.test(t));
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
    // The word terms come first, as before; the parts of snake_case and the kebab-case terms are added.
    expect(terms('3.5 1,000 U.S.A. e-mail GPT-4o snake_case')).toEqual([
      '3.5', '1,000', 'u.s.a', 'e', 'mail', 'gpt', '4o', 'snake_case', 'snake', 'case',
      'e-mail', 'gpt-4o',
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

describe('technical terms', () => {
  it('keeps command options whole, next to their words; one-letter options keep their case', () => {
    expect(terms('Use --format=json or -v')).toEqual(['use', 'format', 'json', 'v', '--format', '-v']);
    expect(technical('grep -C 3, -c, --count; find . -size +1M -print0 --no-color')).toEqual(['-C', '-c', '--count', '-size', '-print0', '--no-color']);
    expect(technical('npm audit fix --package-lock-only --audit-level=moderate')).toEqual(['--package-lock-only', '--audit-level']);
    // Full-width forms fold first, so an option typed in a Chinese IME is the same term.
    expect(technical('使用－－ｆｏｒｍａｔ')).toEqual(['--format']);
  });

  it('does not take hyphens inside words, negative numbers or dashes for options', () => {
    expect(technical('re-run a well-known 2024-01-05 range, -5 degrees, -- and — dashes, - bullet')).toEqual(['re-run', 'well-known']);
  });

  it('keeps format sequences whole and case-sensitive', () => {
    expect(technical('%Y-%m-%d %H:%M:%S %y %:z %::z %:::z %-d %_H %0e')).toEqual(['%Y', '%m', '%d', '%H', '%M', '%S', '%y', '%:z', '%::z', '%:::z', '%-d', '%_H', '%0e']);
    expect(technical('%Y%m%d')).toEqual(['%Y', '%m', '%d']);
    expect(technical('50%off, 100% done')).toEqual([]);
  });

  it('keeps kebab-case names and prerelease versions whole', () => {
    expect(terms('maxmemory-policy allkeys-lru')).toEqual(['maxmemory', 'policy', 'allkeys', 'lru', 'maxmemory-policy', 'allkeys-lru']);
    expect(technical('utf-8 x86-64 1.2.3-beta.1 node-llama-cpp.')).toEqual(['utf-8', 'x86-64', '1.2.3-beta.1', 'node-llama-cpp']);
  });

  it('keeps paths whole: rooted, home, relative with an extension, Windows, scoped packages', () => {
    expect(technical('Edit /etc/ssh/sshd_config or ~/.ssh/config.')).toEqual(['/etc/ssh/sshd_config', '~/.ssh/config']);
    expect(technical('C:\\Windows\\System32, ./public, ../lib/x, src/index.ts, docs/a/b, @babel/core')).toEqual([
      'c:\\windows\\system32', './public', '../lib/x', 'src/index.ts', 'docs/a/b', '@babel/core',
    ]);
  });

  it('does not take URLs, fractions or word pairs for paths', () => {
    expect(technical('see https://example.com/a/b, 1/2 of it, and/or TCP/IP, km/h')).toEqual([]);
  });

  it('adds the parts of dotted and snake_case identifiers and the bare version number', () => {
    expect(terms('process.env.NODE_ENV sshd_config v18.20 1.2.3')).toEqual([
      'process.env.node_env', 'process', 'env', 'node', 'env', 'sshd_config', 'sshd', 'config', 'v18.20', '18.20', '1.2.3',
    ]);
    expect(terms('CamelCase XMLHttpRequest')).toEqual(['camelcase', 'xmlhttprequest']);
  });

  it('gives a Chinese question the same technical terms as the English document', () => {
    const zh = terms('在 Redis 的配置文档里，maxmemory-policy 的 allkeys-lru 是什么意思？');
    const en = terms('maxmemory-policy: the allkeys-lru policy evicts any key');
    expect(zh).toEqual(expect.arrayContaining(['maxmemory-policy', 'allkeys-lru', '配置', '文档', '意思']));
    expect(en).toEqual(expect.arrayContaining(['maxmemory-policy', 'allkeys-lru']));
    // Han text runs straight into a technical token without a space.
    expect(technical('使用--format参数和-v选项，见/etc/hosts文件，格式%Y年')).toEqual(['--format', '-v', '%Y', '/etc/hosts']);
    expect(technical('选项：-C 和 %:z')).toEqual(['-C', '%:z']);
  });

  it('keeps the word and bigram terms the tokenizer made before, in their order', () => {
    const text = 'RAG 检索增强生成 uses --top-k=5 and /etc/rag.conf，新员工每年有15天年假。';
    const words = terms(text).filter((t) => !/[-%/\\]/.test(t));
    expect(words).toEqual([
      'rag', '检索', '索增', '增强', '强生', '生成', 'uses', 'top', 'k', '5', 'etc', 'rag.conf', 'rag', 'conf',
      '新员', '员工', '工每', '每年', '年有', '15', '天年', '年假',
    ]);
    expect(technical(text)).toEqual(['--top-k', '/etc/rag.conf']);
  });
});

describe('visitTermKeys', () => {
  it('reports the same terms as `terms`, Han ones as their hanKey', () => {
    for (const text of [MIXED, '猫', '𠀋猫狗，猫', 'A猫B 々〇 豈更', 'plain english only', '', '用--format和-C，见/etc/hosts，%Y，allkeys-lru']) {
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

  it('marks technical terms, case-sensitively where the term is', () => {
    const text = 'Run grep -C 3 or -c; set %Y, not %y. Use allkeys-lru in /etc/redis.conf.';
    expect(slices(text, ['-C', '%Y', 'allkeys-lru', '/etc/redis.conf'])).toEqual(['-C', '%Y', 'allkeys-lru', '/etc/redis.conf']);
    // A query's terms include its words: the word "c" (case-folded) marks the letter of "-C" too.
    expect(slices(text, terms('allkeys-lru -c'))).toEqual(['C', '-c', 'allkeys-lru']);
  });

  it('maps technical terms back through full-width text', () => {
    const text = '设置ｍａｘｍｅｍｏｒｙ－ｐｏｌｉｃｙ为ａｌｌｋｅｙｓ－ｌｒｕ';
    expect(slices(text, ['allkeys-lru', 'maxmemory-policy'])).toEqual(['ｍａｘｍｅｍｏｒｙ－ｐｏｌｉｃｙ', 'ａｌｌｋｅｙｓ－ｌｒｕ']);
  });

  it('returns nothing without query terms', () => {
    expect(highlightRanges(MIXED, [])).toEqual([]);
    expect(highlightRanges(MIXED, ['absent'])).toEqual([]);
  });
});
