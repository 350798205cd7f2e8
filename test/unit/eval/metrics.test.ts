import { describe, expect, it } from 'vitest';
import {
  bootstrapCI,
  containment,
  decodeTps,
  exactMatch,
  goldMatches,
  groundedness,
  hitAtK,
  isRefusal,
  mean,
  msPerOutputToken,
  mrr,
  mulberry32,
  normalize,
  NORMALIZATION_RULES,
  NORMALIZATION_RULES_ZH,
  pairedBootstrapDiff,
  precisionAtK,
  prefillTps,
  promptGrowth,
  recallAtK,
  rougeL,
  tokenF1,
  tokens,
} from '../../../src/eval/metrics';

const raw = { removeArticles: false };

describe('normalize and tokens', () => {
  it('follows the SQuAD rules in English', () => {
    expect(normalize('The Denver Broncos!')).toBe('denver broncos');
    expect(normalize("Don't  stop, a man.")).toBe('dont stop man');
    expect(normalize('The cat', raw)).toBe('the cat');
    expect(normalize('...!!!')).toBe('');
  });
  it('maps full-width to half-width and strips CJK punctuation', () => {
    expect(normalize('ＲＡＧ　检索，增强。')).toBe('rag 检索增强');
    expect(normalize('《手册》“第２章”【注】')).toBe('手册第2章注');
  });
  it('removes articles only as whole words (Unicode-aware)', () => {
    expect(normalize('维生素A')).toBe('维生素a');
    expect(normalize('ça the theory an anthem')).toBe('ça theory anthem');
  });
  it('splits Han characters and keeps Latin/digit runs', () => {
    expect(tokens('RAG 检索增强')).toEqual(['rag', '检', '索', '增', '强']);
    expect(tokens('GPT-4o 模型')).toEqual(['gpt4o', '模', '型']);
    expect(tokens('第２５条')).toEqual(['第', '25', '条']);
    expect(tokens('')).toEqual([]);
    expect(tokens('。，！?')).toEqual([]);
  });
  it('documents the rules for the UI in both languages', () => {
    expect(NORMALIZATION_RULES.length).toBe(NORMALIZATION_RULES_ZH.length);
    expect(NORMALIZATION_RULES.join(' ')).toContain('NFKC');
  });
});

describe('exactMatch', () => {
  it('English (SQuAD normalization)', () => {
    expect(exactMatch('The Denver Broncos', 'Denver Broncos.')).toBe(1);
    expect(exactMatch('Denver', 'Denver Broncos')).toBe(0);
  });
  it('Chinese ignores spacing and full-width digits, but not content', () => {
    expect(exactMatch('检索 增强', '检索增强')).toBe(1);
    expect(exactMatch('２５天', '25天。')).toBe(1);
    expect(exactMatch('维生素A', '维生素B')).toBe(0);
  });
  it('empty cases', () => {
    expect(exactMatch('', '')).toBe(1);
    expect(exactMatch('。！', '')).toBe(1); // punctuation-only normalizes to empty
    expect(exactMatch('', 'x')).toBe(0);
    expect(exactMatch('x', '')).toBe(0);
  });
});

describe('tokenF1', () => {
  it('worked example: "rainy day" vs gold "rainy" → P 1/2, R 1, F1 2/3', () => {
    const r = tokenF1('rainy day', 'rainy');
    expect(r.precision).toBe(0.5);
    expect(r.recall).toBe(1);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
  });
  it('"the cat" vs "the cat sat": 0.8 on raw words, 2/3 with SQuAD article removal', () => {
    expect(tokenF1('the cat', 'the cat sat', raw).f1).toBeCloseTo(0.8, 12);
    expect(tokenF1('the cat', 'the cat sat').f1).toBeCloseTo(2 / 3, 12);
  });
  it('counts repeated tokens as a multiset', () => {
    expect(tokenF1('the the the', 'the', raw)).toEqual({ precision: 1 / 3, recall: 1, f1: 0.5 });
    const r = tokenF1('x x y', 'x y y');
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(tokenF1('年年', '年')).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3 });
  });
  it('Chinese character overlap', () => {
    const r = tokenF1('二十五天', '二十五天年假');
    expect(r.precision).toBe(1);
    expect(r.recall).toBeCloseTo(4 / 6, 12);
    expect(r.f1).toBeCloseTo(0.8, 12);
  });
  it('empty and disjoint', () => {
    expect(tokenF1('', '')).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(tokenF1('', 'rainy')).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(tokenF1('rainy', '')).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(tokenF1('?!', 'rainy').f1).toBe(0);
    expect(tokenF1('abc', 'xyz').f1).toBe(0);
  });
});

describe('rougeL', () => {
  it('Lin (2004): "police kill the gunman" vs reference "police killed the gunman" → LCS 3, P = R = 3/4', () => {
    expect(rougeL('police kill the gunman', 'police killed the gunman', raw)).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75 });
  });
  it('Lin (2004): "the gunman kill police" → LCS 2, 1/2', () => {
    expect(rougeL('the gunman kill police', 'police killed the gunman', raw)).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });
  it('default normalization drops "the", changing the published number to 2/3', () => {
    expect(rougeL('police kill the gunman', 'police killed the gunman').f1).toBeCloseTo(2 / 3, 12);
  });
  it('order matters, unlike F1', () => {
    expect(tokenF1('x y', 'y x').f1).toBe(1);
    expect(rougeL('x y', 'y x').f1).toBe(0.5);
  });
  it('unequal lengths use the harmonic mean', () => {
    const r = rougeL('w x y z', 'w y');
    expect(r).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3 });
  });
  it('Chinese: LCS over characters', () => {
    const r = rougeL('天年假二十五', '年假二十五天');
    expect(r.precision).toBeCloseTo(5 / 6, 12);
    expect(r.recall).toBeCloseTo(5 / 6, 12);
  });
  it('empty cases', () => {
    expect(rougeL('', '').f1).toBe(1);
    expect(rougeL('', 'a b').f1).toBe(0);
    expect(rougeL('x', '').f1).toBe(0);
  });
});

describe('containment and goldMatches', () => {
  it('is the multiset recall of the passage tokens', () => {
    expect(containment('the cat sat on the mat', 'cat mat')).toBe(1);
    expect(containment('猫坐着', '猫在垫子上')).toBeCloseTo(1 / 5, 12);
    expect(containment('b', 'b b')).toBe(0.5);
    expect(containment('anything', '')).toBe(0);
    expect(containment('', 'x')).toBe(0);
  });
  it('a chunk matches a gold passage at ≥ 80% of the passage tokens', () => {
    const gold = 'Employees get 25 days of annual leave.'; // 7 tokens
    expect(goldMatches('Policy. Employees get 25 days of annual', gold)).toBe(true); // 6/7
    expect(goldMatches('Employees get 25 days', gold)).toBe(false); // 4/7
    expect(goldMatches('w1 w2 w3 w4 w5 w6 w7 w8', 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10')).toBe(true); // exactly 0.8
    expect(goldMatches('w1 w2 w3 w4 w5 w6 w7', 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10')).toBe(false); // 0.7
  });
  it('Chinese', () => {
    const gold = '员工每年有二十五天年假'; // 11 characters
    expect(goldMatches('……员工每年有二十五天……', gold)).toBe(true); // 9/11: 假 and the second 年 are missing
    expect(goldMatches('员工有二十五天', gold)).toBe(false); // 7/11
  });
});

describe('retrieval', () => {
  const retrieved = ['x', 'g1', 'y', 'g2'];
  const gold = ['g1', 'g2', 'g3'];
  it('hit@k', () => {
    expect(hitAtK(retrieved, gold, 1)).toBe(0);
    expect(hitAtK(retrieved, gold, 2)).toBe(1);
  });
  it('recall@k', () => {
    expect(recallAtK(retrieved, gold, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(retrieved, gold, 4)).toBeCloseTo(2 / 3, 12);
  });
  it('precision@k divides by k', () => {
    expect(precisionAtK(retrieved, gold, 2)).toBe(0.5);
    expect(precisionAtK(retrieved, gold, 4)).toBe(0.5);
    expect(precisionAtK(retrieved, gold, 10)).toBe(0.2);
  });
  it('reciprocal rank', () => {
    expect(mrr(retrieved, gold)).toBe(0.5);
    expect(mrr(['g2'], gold)).toBe(1);
    expect(mrr(['x', 'y'], gold)).toBe(0);
  });
  it('duplicate retrieved ids count once', () => {
    expect(recallAtK(['g1', 'g1'], ['g1', 'g2'], 2)).toBe(0.5);
    expect(precisionAtK(['g1', 'g1'], ['g1', 'g2'], 2)).toBe(0.5);
  });
  it('no gold → null (unanswerable items must be skipped, not scored 0)', () => {
    expect(hitAtK(retrieved, [], 3)).toBeNull();
    expect(recallAtK(retrieved, [], 3)).toBeNull();
    expect(precisionAtK(retrieved, [], 3)).toBeNull();
    expect(mrr(retrieved, [])).toBeNull();
  });
  it('rejects k < 1', () => {
    expect(() => hitAtK(retrieved, gold, 0)).toThrow(RangeError);
    expect(() => recallAtK(retrieved, gold, 1.5)).toThrow(RangeError);
  });
});

describe('groundedness', () => {
  it('English: share of content tokens found in the context, citation markers ignored', () => {
    // content tokens: employees get 25 days → get, 25, days are in the context
    expect(groundedness('Employees get 25 days [1].', ['Staff get 25 days of leave.'])).toBe(0.75);
  });
  it('Chinese: function characters are not counted', () => {
    expect(groundedness('年假是二十五天。', ['员工每年有二十五天年假'])).toBe(1);
    expect(groundedness('年假是三十天', ['员工每年有二十五天年假'])).toBe(0.8); // 年 假 三 十 天: 三 missing
  });
  it('empty or stopword-only answers score 0', () => {
    expect(groundedness('', ['anything'])).toBe(0);
    expect(groundedness('the of 的了', ['the of 的了'])).toBe(0);
    expect(groundedness('Paris', [])).toBe(0);
  });
});

describe('isRefusal', () => {
  it.each([
    "I don't know.",
    'I DON’T KNOW',
    "I'm sorry, but the context does not contain the answer.",
    'The launch date is not mentioned in the documents.',
    'There is no information about the price.',
    "The documents don't mention it.",
    'I cannot answer this from the provided context.',
    'The context does not contain the answer.',
  ])('English refusal: %s', (s) => expect(isRefusal(s)).toBe(true));
  it.each(['无法回答。', '资料中没有相关信息。', '文中未提及该日期。', '我不知道。', '根据资料，无法确定具体时间。', '提供的资料并没有提到价格。', '资料中没有答案。'])(
    'Chinese refusal: %s',
    (s) => expect(isRefusal(s)).toBe(true),
  );
  it.each([
    'Employees get 25 days of leave [1].',
    'Water does not contain carbon.',
    "You can't find this setting in older versions.",
    '',
    '年假有二十五天。',
    '员工不能提供虚假信息。',
    '如果找不到文件，请重新安装。',
  ])('not a refusal: %s', (s) => expect(isRefusal(s)).toBe(false));
});

describe('cost helpers', () => {
  it('rates and ratios, null when undefined', () => {
    expect(decodeTps(100, 2000)).toBe(50);
    expect(decodeTps(5, 0)).toBeNull();
    expect(prefillTps(1000, 500)).toBe(2000);
    expect(msPerOutputToken(50, 1000)).toBe(20);
    expect(msPerOutputToken(0, 10)).toBeNull();
    expect(promptGrowth(300, 100)).toBe(3);
    expect(promptGrowth(300, 0)).toBeNull();
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([])).toBeNull();
  });
});

describe('bootstrap', () => {
  // bryc's reference mulberry32, copied independently, to catch transcription errors.
  function reference(a: number) {
    return function () {
      let t = (a += 0x6d2b79f5);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  it('mulberry32 matches the reference sequence and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = reference(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
  const values = [0, 1, 1, 0, 1, 1, 1, 0, 1, 1];
  it('is deterministic for a seed, and the mean lies inside the interval', () => {
    const a = bootstrapCI(values, { seed: 7 });
    expect(a).toEqual(bootstrapCI(values, { seed: 7, iterations: 1000, alpha: 0.05 }));
    expect(a!.mean).toBeCloseTo(0.7, 12);
    expect(a!.n).toBe(10);
    expect(a!.low).toBeLessThanOrEqual(a!.mean);
    expect(a!.high).toBeGreaterThanOrEqual(a!.mean);
    expect(a!.low).toBeLessThan(a!.high);
  });
  it('different seeds give (slightly) different intervals', () => {
    const many = Array.from({ length: 37 }, (_, i) => (i * 7919) % 13);
    const x = bootstrapCI(many, { seed: 1 })!;
    const y = bootstrapCI(many, { seed: 2 })!;
    expect([x.low, x.high]).not.toEqual([y.low, y.high]);
  });
  it('constant data has a zero-width interval; no data is null', () => {
    expect(bootstrapCI([0.5, 0.5, 0.5], { seed: 1 })).toEqual({ mean: 0.5, low: 0.5, high: 0.5, n: 3 });
    expect(bootstrapCI([3], { seed: 1 })).toEqual({ mean: 3, low: 3, high: 3, n: 1 });
    expect(bootstrapCI([], { seed: 1 })).toBeNull();
  });
  it('matches theory: two values resample to means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4', () => {
    const wide = bootstrapCI([0, 1], { seed: 3, iterations: 4000 })!;
    expect([wide.low, wide.high]).toEqual([0, 1]);
    const narrow = bootstrapCI([0, 1], { seed: 3, iterations: 4000, alpha: 0.6 })!; // 20th–80th percentile
    expect([narrow.low, narrow.high]).toEqual([0.5, 0.5]);
  });
  it('matches the normal approximation for 100 coin flips (0.5 ± 1.96·0.05)', () => {
    const flips = Array.from({ length: 100 }, (_, i) => i % 2);
    const ci = bootstrapCI(flips, { seed: 11, iterations: 4000 })!;
    expect(Math.abs(ci.low - 0.402)).toBeLessThan(0.02);
    expect(Math.abs(ci.high - 0.598)).toBeLessThan(0.02);
  });
  it('rejects bad options', () => {
    expect(() => bootstrapCI([1], { seed: 1, iterations: 0 })).toThrow(RangeError);
    expect(() => bootstrapCI([1], { seed: 1, alpha: 1 })).toThrow(RangeError);
  });
});

describe('pairedBootstrapDiff', () => {
  it('A minus B with an interval and the share of resamples where A wins', () => {
    const d = pairedBootstrapDiff([1, 1, 1, 0], [0, 0, 1, 0], { seed: 5 })!;
    expect(d.mean).toBe(0.5);
    expect(d.low).toBeGreaterThanOrEqual(0);
    expect(d.low).toBeLessThanOrEqual(0.5);
    expect(d.high).toBeGreaterThanOrEqual(0.5);
    expect(d.probAGreater).toBeGreaterThan(0.9); // loses only when all four draws are ties: (1/2)^4
    expect(d.probAGreater).toBeLessThan(1);
    expect(d).toEqual(pairedBootstrapDiff([1, 1, 1, 0], [0, 0, 1, 0], { seed: 5 }));
  });
  it('pairing cancels per-question difficulty', () => {
    const b = [0.1, 0.9, 0.3, 0.7, 0.5, 0.2, 0.8];
    const a = b.map((x) => x + 0.1);
    const d = pairedBootstrapDiff(a, b, { seed: 9 })!;
    expect(d.low).toBeCloseTo(0.1, 12);
    expect(d.high).toBeCloseTo(0.1, 12);
    expect(d.probAGreater).toBe(1);
    const ca = bootstrapCI(a, { seed: 9 })!;
    expect(ca.high - ca.low).toBeGreaterThan(0.2); // unpaired: far wider
  });
  it('identical methods: zero difference, A never "wins"', () => {
    expect(pairedBootstrapDiff([1, 0, 1], [1, 0, 1], { seed: 1 })).toEqual({ mean: 0, low: 0, high: 0, n: 3, probAGreater: 0 });
  });
  it('rejects unpaired input and returns null for none', () => {
    expect(() => pairedBootstrapDiff([1], [1, 2], { seed: 1 })).toThrow(RangeError);
    expect(pairedBootstrapDiff([], [], { seed: 1 })).toBeNull();
  });
});
