// Answer metrics against their references. English expectations come from the SQuAD v1.1 script
// (evaluate-v1.1.py: normalize_answer, f1_score, exact_match_score; SQuAD v2.0's empty rule) and from
// Google's rouge-score (tokenize.tokenize without stemmer, rouge_scorer._score_lcs), both written out
// from their published source in Python; the printed values are pasted next to each expectation.
// Chinese and mixed expectations follow the rules in NORMALIZATION_RULES and are worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  containment,
  decodeTps,
  exactMatch,
  goldMatches,
  hasCjk,
  hitAtK,
  isRefusal,
  LEXICAL_SUPPORT_NOTE,
  lexicalSupport,
  mean,
  msPerOutputToken,
  mrr,
  normalize,
  NORMALIZATION_RULES,
  NORMALIZATION_RULES_ZH,
  precisionAtK,
  prefillTps,
  promptGrowth,
  recallAtK,
  rougeL,
  rougeTokens,
  tokenF1,
  tokens,
} from '../../../src/eval/metrics';

const raw = { removeArticles: false };

describe('normalize and tokens', () => {
  it('follows the SQuAD rules in English', () => {
    // normalize_answer: 'The Denver Broncos!' → 'denver broncos'; "Don't stop, a man." → 'dont stop man'
    expect(normalize('The Denver Broncos!')).toBe('denver broncos');
    expect(normalize("Don't  stop, a man.")).toBe('dont stop man');
    // normalize_answer('state-of-the-art model') → 'stateoftheart model'; "It's 3.5%" → 'its 35'
    expect(normalize('state-of-the-art model')).toBe('stateoftheart model');
    expect(normalize("It's 3.5%")).toBe('its 35');
    // normalize_answer('Take the train to Berlin') → 'take train to berlin'
    expect(normalize('Take the train to Berlin')).toBe('take train to berlin');
    expect(normalize('The cat', raw)).toBe('the cat');
    expect(normalize('...!!!')).toBe('');
  });
  it('maps full-width to half-width and strips CJK punctuation', () => {
    expect(normalize('ＲＡＧ　检索，增强。')).toBe('rag 检索增强');
    expect(normalize('《手册》“第２章”【注】')).toBe('手册第2章注');
  });
  it('removes articles only as English words: never a Latin letter next to Chinese', () => {
    expect(normalize('维生素A')).toBe('维生素a');
    expect(normalize('维生素 A')).toBe('维生素 a');
    expect(normalize('选项 A')).toBe('选项 a');
    expect(normalize('选项：A')).toBe('选项a');
    expect(normalize('ça the theory an anthem')).toBe('ça theory anthem');
    // Mixed text: the nearest character on each side decides.
    expect(normalize('Take the train to 北京')).toBe('take train to 北京');
    expect(normalize('The 北京 office')).toBe('the 北京 office');
    expect(normalize('an apple 苹果')).toBe('apple 苹果');
    expect(normalize('A')).toBe(''); // SQuAD: normalize_answer('A') → ''
    expect(hasCjk('abc')).toBe(false);
    expect(hasCjk('ab中')).toBe(true);
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
    expect(NORMALIZATION_RULES.join(' ')).toContain('rouge-score');
  });
});

describe('exactMatch', () => {
  it('English equals the SQuAD v1.1 script', () => {
    // exact_match_score: ('The Denver Broncos', 'Denver Broncos.') → 1; ("Don't stop, a man.", 'dont stop man') → 1;
    // ("It's 3.5%", 'its 35') → 1; ('A', 'an') → 1 (both normalize to ''); ('state-of-the-art model', 'state of the art model') → 0
    expect(exactMatch('The Denver Broncos', 'Denver Broncos.')).toBe(1);
    expect(exactMatch("Don't stop, a man.", 'dont stop man')).toBe(1);
    expect(exactMatch("It's 3.5%", 'its 35')).toBe(1);
    expect(exactMatch('A', 'an')).toBe(1);
    expect(exactMatch('state-of-the-art model', 'state of the art model')).toBe(0);
    expect(exactMatch('Denver', 'Denver Broncos')).toBe(0);
  });
  it('Chinese ignores spacing and full-width digits, but not content, and keeps a letter next to Chinese', () => {
    expect(exactMatch('检索 增强', '检索增强')).toBe(1);
    expect(exactMatch('２５天', '25天。')).toBe(1);
    expect(exactMatch('维生素A', '维生素B')).toBe(0);
    expect(exactMatch('选项 A', '选项')).toBe(0);
    expect(exactMatch('维生素 A', '维生素 B')).toBe(0);
    expect(exactMatch('The 北京 office', '北京 office')).toBe(0);
    expect(exactMatch('Take the train to 北京', 'take train to 北京')).toBe(1);
  });
  it('empty cases (SQuAD v2.0: two empty answers match)', () => {
    expect(exactMatch('', '')).toBe(1);
    expect(exactMatch('。！', '')).toBe(1); // punctuation-only normalizes to empty
    expect(exactMatch('', 'x')).toBe(0);
    expect(exactMatch('x', '')).toBe(0);
  });
});

describe('tokenF1', () => {
  it('equals the SQuAD v1.1 script on English', () => {
    // f1_score('rainy day', 'rainy') = 0.6666666666666666
    const r = tokenF1('rainy day', 'rainy');
    expect(r.precision).toBe(0.5);
    expect(r.recall).toBe(1);
    expect(r.f1).toBeCloseTo(0.6666666666666666, 15);
    // f1_score('the cat', 'the cat sat') = 0.6666666666666666 (articles dropped); 0.8 on raw words
    expect(tokenF1('the cat', 'the cat sat').f1).toBeCloseTo(0.6666666666666666, 15);
    expect(tokenF1('the cat', 'the cat sat', raw).f1).toBeCloseTo(0.8, 15);
    // f1_score('state-of-the-art model', 'state of the art model') = 0.3333333333333333
    expect(tokenF1('state-of-the-art model', 'state of the art model').f1).toBeCloseTo(0.3333333333333333, 15);
    // f1_score('Take the train to Berlin', 'train to Berlin') = 0.8571428571428571
    expect(tokenF1('Take the train to Berlin', 'train to Berlin').f1).toBeCloseTo(0.8571428571428571, 15);
    // f1_score('x x y', 'x y y') = 0.6666666666666666 (multiset overlap)
    expect(tokenF1('x x y', 'x y y').f1).toBeCloseTo(0.6666666666666666, 15);
    expect(tokenF1('the the the', 'the', raw)).toEqual({ precision: 1 / 3, recall: 1, f1: 0.5 });
  });
  it('Chinese character tokens; a Latin letter next to Chinese is a token', () => {
    expect(tokenF1('年年', '年')).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3 });
    const r = tokenF1('二十五天', '二十五天年假');
    expect(r.precision).toBe(1);
    expect(r.recall).toBeCloseTo(4 / 6, 12);
    expect(r.f1).toBeCloseTo(0.8, 12);
    // 选 项 a vs 选 项: P = 2/3, R = 1 → F1 = 0.8
    expect(tokenF1('选项 A', '选项').f1).toBeCloseTo(0.8, 15);
    // 维 生 素 a vs 维 生 素 b: P = R = 3/4 → F1 = 0.75 (not 6/7 = 0.857, which dropping "a" would give)
    expect(tokenF1('维生素 A', '维生素 B')).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75 });
  });
  it('mixed English and Chinese', () => {
    // take train to 北 京 vs train to 北 京: P = 4/5, R = 1 → 8/9
    expect(tokenF1('Take the train to 北京', 'train to 北京').f1).toBeCloseTo(8 / 9, 15);
    // the 北 京 office vs 北 京 office: P = 3/4, R = 1 → 6/7
    expect(tokenF1('The 北京 office', '北京 office').f1).toBeCloseTo(6 / 7, 15);
  });
  it('empty and disjoint', () => {
    expect(tokenF1('', '')).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(tokenF1('', 'rainy')).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(tokenF1('rainy', '')).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(tokenF1('?!', 'rainy').f1).toBe(0);
    expect(tokenF1('abc', 'xyz').f1).toBe(0);
  });
});

describe('rougeL (rouge-score rougeL, no stemming)', () => {
  it('tokenizes as rouge-score: every character outside a–z0–9 is a space, articles stay', () => {
    // tokenize("don't") → ['don', 't']; tokenize('cat_dog') → ['cat', 'dog']; tokenize('Café au lait') → ['caf', 'au', 'lait']
    expect(rougeTokens("don't")).toEqual(['don', 't']);
    expect(rougeTokens('cat_dog')).toEqual(['cat', 'dog']);
    expect(rougeTokens('Café au lait')).toEqual(['caf', 'au', 'lait']);
    expect(rougeTokens('The cat sat on the mat.')).toEqual(['the', 'cat', 'sat', 'on', 'the', 'mat']);
  });
  // rougeL(target=ref, prediction=pred) → (precision, recall, fmeasure), printed by the Python transcription
  const ref: [string, string, number, number, number][] = [
    ['The cat sat on the mat.', 'cat sat on mat', 0.6666666666666666, 1.0, 0.8],
    ['police kill the gunman', 'police killed the gunman', 0.75, 0.75, 0.75],
    ['the gunman kill police', 'police killed the gunman', 0.5, 0.5, 0.5],
    ["don't", 'don t', 1.0, 1.0, 1.0],
    ['cat_dog', 'cat dog', 1.0, 1.0, 1.0],
    ["It's 3.5%", 'its 35', 0.0, 0.0, 0.0],
    ['state-of-the-art model', 'state of the art model', 1.0, 1.0, 1.0],
    ['', '', 0, 0, 0],
    ['Café au lait', 'cafe au lait', 0.6666666666666666, 0.6666666666666666, 0.6666666666666666],
    ['x y', 'y x', 0.5, 0.5, 0.5],
  ];
  it.each(ref)('%j vs %j', (pred, reference, p, r, f) => {
    const got = rougeL(pred, reference);
    expect(got.precision).toBeCloseTo(p, 15);
    expect(got.recall).toBeCloseTo(r, 15);
    expect(got.f1).toBeCloseTo(f, 15);
  });
  it('order matters, unlike F1; unequal lengths use the harmonic mean', () => {
    expect(tokenF1('x y', 'y x').f1).toBe(1);
    expect(rougeL('w x y z', 'w y')).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3 });
  });
  it('Chinese: LCS over characters (NFKC-folded), Latin words whole', () => {
    const r = rougeL('天年假二十五', '年假二十五天');
    expect(r.precision).toBeCloseTo(5 / 6, 12);
    expect(r.recall).toBeCloseTo(5 / 6, 12);
    // 员工每年有十天年假 (9) vs 每年十天年假 (6): LCS 6 → P 2/3, R 1 → F 0.8
    expect(rougeL('员工每年有十天年假', '每年十天年假').f1).toBeCloseTo(0.8, 15);
    // rag 检 索 增 强 vs rag 检 索: LCS 3 → P 3/5, R 1 → F 0.75
    expect(rougeL('RAG 检索增强', 'rag 检索').f1).toBeCloseTo(0.75, 15);
    expect(rougeL('２５天', '25天').f1).toBe(1);
    // One side Chinese: both are tokenized character-wise. 十 五 天 15 days vs 15 days: LCS 2 → P 2/5, R 1 → 4/7
    expect(rougeL('十五天（15 days）', '15 days').f1).toBeCloseTo(4 / 7, 15);
  });
  it('empty cases give 0, as rouge-score', () => {
    expect(rougeL('', 'a b').f1).toBe(0);
    expect(rougeL('x', '').f1).toBe(0);
    expect(rougeL('!!!', '...').f1).toBe(0);
  });
});

describe('30 random ASCII pairs against the Python transcriptions of both references', () => {
  // rand_text.py: random.Random(2016) draws words with articles, apostrophes, hyphens, underscores,
  // percentages and abbreviations; columns: pred, ref, exact_match_score, f1_score (SQuAD v1.1, v2.0
  // empty rule), rouge-score rougeL fmeasure (target = ref, prediction = pred).
  const rows: [string, string, number, number, number][] = [
    ["x U.S. a cat_dog cat a anthem?", "x a U.S. the Denver anthem? An", 0, 0.6666666666666665, 0.47058823529411764],
    ["A. --", "A.", 1, 1.0, 1.0],
    ["the sat A. the U.S.?", "the anthem the sat the", 0, 0.5, 0.5454545454545454],
    ["cat_dog anthem --.", "cat_dog on --.", 0, 0.5, 0.6666666666666666],
    ["cat cat e-mail e-mail?", "cat cat e-mail cat", 0, 0.75, 0.7272727272727272],
    ["cat x.", "x. It's", 0, 0.5, 0.4],
    ["mat cat don't anthem Denver -- 3.5%  ", "cat_dog cat don't anthem -- The Denver", 0, 0.7272727272727272, 0.625],
    ["Denver A.?", "It's Denver", 0, 0.6666666666666666, 0.4],
    ["-- 3.5% 3.5%  ", "sat -- 3.5%", 0, 0.5, 0.5714285714285715],
    ["?", "?", 1, 1.0, 0],
    ["anthem -- cat the Denver state-of-the-art?", "the It's Denver state-of-the-art? anthem the", 0, 0.75, 0.6666666666666665],
    ["sat sat on sat x The  ", "x The sat sat", 0, 0.7499999999999999, 0.4],
    ["anthem anthem x U.S. cat.", "a 3.5% anthem don't", 0, 0.25, 0.16666666666666666],
    ["x cat -- e-mail A. It's It's", "It's -- It's state-of-the-art cat_dog e-mail --", 0, 0.6, 0.380952380952381],
    ["", "mat", 0, 0, 0],
    ["3.5% the sat 3.5% A.", "mat 3.5% state-of-the-art A.", 0, 0.3333333333333333, 0.5333333333333333],
    ["mat a 3.5% A. the", "anthem on A. mat", 0, 0.4, 0.2],
    ["The the on It's mat.", "It's The mat. the", 0, 0.8, 0.5454545454545454],
    ["The cat_dog -- sat Denver cat It's", "It's Denver cat_dog sat cat -- An", 0, 1.0, 0.5],
    ["on e-mail don't", "on e-mail", 0, 0.8, 0.7499999999999999],
    ["?", "?", 1, 1.0, 0],
    ["on A. e-mail --?", "sat cat A. Denver", 0, 0, 0.25],
    ["  ", "cat", 0, 0, 0],
    ["An The Denver sat?", "sat? 3.5%", 0, 0.5, 0.28571428571428575],
    [".", "e-mail", 0, 0, 0],
    ["Denver It's?", "It's? 3.5%", 0, 0.5, 0.5714285714285715],
    ["e-mail 3.5% Denver The", "The U.S. 3.5%", 0, 0.4, 0.3636363636363636],
    [".", ".", 1, 1.0, 0],
    ["sat -- cat.", "cat. --", 0, 0.6666666666666666, 0.6666666666666666],
    ["Denver state-of-the-art A. A.?", "A. state-of-the-art Denver", 0, 1.0, 0.6153846153846153]
  ];
  it.each(rows)('%j vs %j', (pred, ref, em, f1, rl) => {
    expect(exactMatch(pred, ref)).toBe(em);
    expect(tokenF1(pred, ref).f1).toBeCloseTo(f1, 15);
    expect(rougeL(pred, ref).f1).toBeCloseTo(rl, 15);
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

describe('lexicalSupport', () => {
  it('English: share of content tokens found in the context, citation markers ignored', () => {
    // content tokens: employees get 25 days → get, 25, days are in the context
    expect(lexicalSupport('Employees get 25 days [1].', ['Staff get 25 days of leave.'])).toBe(0.75);
  });
  it('Chinese: function characters are not counted', () => {
    expect(lexicalSupport('年假是二十五天。', ['员工每年有二十五天年假'])).toBe(1);
    expect(lexicalSupport('年假是三十天', ['员工每年有二十五天年假'])).toBe(0.8); // 年 假 三 十 天: 三 missing
  });
  it('cannot see a contradiction: twenty days against a context that says ten scores 0.9', () => {
    // 员 工 每 年 有 二 十 天 年 假: every character but 二 is in the context → 9/10
    expect(lexicalSupport('员工每年有二十天年假', ['员工每年有十天带薪年假。'])).toBe(0.9);
    expect(LEXICAL_SUPPORT_NOTE.en).toContain('cannot see contradictions');
    expect(LEXICAL_SUPPORT_NOTE.zh).toContain('矛盾');
  });
  it('empty or stopword-only answers score 0', () => {
    expect(lexicalSupport('', ['anything'])).toBe(0);
    expect(lexicalSupport('the of 的了', ['the of 的了'])).toBe(0);
    expect(lexicalSupport('Paris', [])).toBe(0);
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
