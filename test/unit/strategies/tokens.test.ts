import { describe, expect, it } from 'vitest';
import { accountParts, estimateTokens } from '../../../src/strategies/tokens';
import { buildPrompt } from '../../../src/strategies';
import { estimateTokens as chunkEstimate } from '../../../src/text/tokens';

describe('estimateTokens', () => {
  it('is the same estimate the chunker stores, so chunk sizes and prompt budgets agree', () => {
    expect(estimateTokens).toBe(chunkEstimate);
    expect(estimateTokens('Hello, world!')).toBe(6);
    expect(estimateTokens('检索增强')).toBe(4);
    expect(estimateTokens('RAG 检索，ok')).toBe(5); // RAG 1, 检 1, 索 1, ， 1, ok 1
  });
});

describe('accountParts', () => {
  it('sums tokens per kind and reports every kind', () => {
    const parts = [
      { kind: 'system' as const, text: 'abcd abcd' },
      { kind: 'examples' as const, text: 'q' },
      { kind: 'examples' as const, text: 'aa' },
      { kind: 'question' as const, text: 'xyz' },
    ];
    expect(accountParts(parts, (s) => s.length)).toEqual({ system: 9, instruction: 0, examples: 3, context: 0, question: 3 });
    expect(accountParts(parts)).toEqual({ system: 2, instruction: 0, examples: 2, context: 0, question: 1 });
  });
  it('accounts a real RAG prompt', () => {
    const p = buildPrompt('rag', '年假？', {
      systemPrompt: '助手',
      lang: 'zh',
      chunks: [{ id: 'a', docName: 'd', text: '二十五天' }],
    });
    const t = accountParts(p.parts, (s) => [...s].length);
    expect(t.system).toBe(2);
    expect(t.context).toBe([...'资料：\n[1] (d) 二十五天'].length);
    expect(t.question).toBe([...'问题：年假？'].length);
    expect(t.examples).toBe(0);
  });
});
