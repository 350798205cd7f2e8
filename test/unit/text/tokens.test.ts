// The app's one token estimate (chunk sizes and prompt budgets).
import { describe, expect, it } from 'vitest';
import { estimateTokens, estimateTokensIn } from '../../../src/text/tokens';

describe('estimateTokens', () => {
  it('counts Han/Kana/Hangul per character, Latin runs as ceil(len/4), punctuation as 1, spaces as 0', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('  \n\t ')).toBe(0);
    expect(estimateTokens('Hello, world!')).toBe(6); // Hello 2, "," 1, world 2, "!" 1
    expect(estimateTokens('internationalization')).toBe(5); // 20 letters
    expect(estimateTokens('a I')).toBe(2);
    expect(estimateTokens('新员工年假。')).toBe(6);
    expect(estimateTokens('ひらがなとカタカナ 한국어')).toBe(12);
    expect(estimateTokens('GPT-4o costs $2.50/1M tokens.')).toBe(14); // GPT - 4o costs(2) $ 2 . 50 / 1M tokens(2) .
    expect(estimateTokens('naïve café 😀 ｆｕｌｌ')).toBe(5); // naïve 2, café 1, emoji 1, full-width word 1
    expect(estimateTokens('年假15天')).toBe(4); // 年 假 "15" 天
  });
});

describe('estimateTokensIn', () => {
  it('counts a range exactly as the sliced text', () => {
    const t = 'Hello, world! 新员工年假。GPT-4o';
    for (const [s, e] of [[0, 5], [5, 14], [14, 20], [0, t.length], [3, 3]]) expect(estimateTokensIn(t, s, e)).toBe(estimateTokens(t.slice(s, e)));
  });
});
