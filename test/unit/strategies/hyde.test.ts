import { describe, expect, it } from 'vitest';
import { HYDE_INSTRUCTION, HYDE_MAX_PASSAGE_TOKENS, hydeMessages, hydeSearchInputs, parseHyde } from '../../../src/strategies/hyde';
import { estimateTokens } from '../../../src/strategies/tokens';

describe('hydeMessages', () => {
  it('sends the instruction as the system message and the question last, in the chosen language', () => {
    expect(hydeMessages('  What does allkeys-lru do? ', 'en')).toEqual([
      { role: 'system', content: HYDE_INSTRUCTION.en },
      { role: 'user', content: 'Question: What does allkeys-lru do?' },
    ]);
    expect(hydeMessages('allkeys-lru 是什么意思？', 'zh')[1].content).toBe('问题：allkeys-lru 是什么意思？');
    expect(HYDE_INSTRUCTION.zh).toMatch(/技术文档/);
  });
});

describe('parseHyde', () => {
  it('keeps the passage without reasoning, fences, label or quotes', () => {
    expect(parseHyde('<think>hmm</think>\n```\nPassage: "allkeys-lru evicts the least recently used keys\nfirst."\n```')).toEqual({
      ok: true,
      passage: 'allkeys-lru evicts the least recently used keys first.',
      truncated: false,
    });
    expect(parseHyde('答案：allkeys-lru 会在内存不足时淘汰最近最少使用的键。')).toEqual({ ok: true, passage: 'allkeys-lru 会在内存不足时淘汰最近最少使用的键。', truncated: false });
  });

  it('refuses empty replies and refusals, which would only retrieve noise', () => {
    expect(parseHyde('  ')).toEqual({ ok: false, reason: 'empty' });
    expect(parseHyde('<think>unfinished reasoning')).toEqual({ ok: false, reason: 'empty' });
    expect(parseHyde("I'm sorry, but I can't answer that.")).toEqual({ ok: false, reason: 'refusal' });
    expect(parseHyde('抱歉，我无法回答这个问题。')).toEqual({ ok: false, reason: 'refusal' });
  });

  it('cuts an over-long passage at the last sentence end within the token budget', () => {
    const sentence = 'The option sets the eviction policy used when memory is full. ';
    const r = parseHyde(sentence.repeat(40));
    expect(r.ok && r.truncated).toBe(true);
    if (!r.ok) return;
    expect(estimateTokens(r.passage)).toBeLessThanOrEqual(HYDE_MAX_PASSAGE_TOKENS);
    expect(r.passage.endsWith('memory is full.')).toBe(true);
    const zh = parseHyde('该选项设置内存满时的淘汰策略。'.repeat(30));
    expect(zh.ok && zh.truncated && zh.passage.endsWith('。') && estimateTokens(zh.passage) <= HYDE_MAX_PASSAGE_TOKENS).toBe(true);
    const runOn = parseHyde('word '.repeat(500));
    expect(runOn.ok && estimateTokens(runOn.passage) <= HYDE_MAX_PASSAGE_TOKENS && runOn.passage.length > 100).toBe(true);
  });
});

describe('hydeSearchInputs', () => {
  it('embeds the passage as a passage and keeps the question for BM25', () => {
    expect(hydeSearchInputs('q?', 'A passage.')).toEqual({ dense: { text: 'A passage.', kind: 'passage' }, bm25: 'q?' });
  });
});
