import { describe, expect, it } from 'vitest';
import { buildMessages, buildPrompt, METHODS, methodInfo, isMethodId } from '../../../src/strategies';
import type { ContextChunk, Example, StrategyContext } from '../../../src/strategies/types';

const SYS_EN = 'You are a helpful assistant.';
const SYS_ZH = '你是一个乐于助人的助手。';
const INSTR_EN =
  'Answer using only the context below. Cite the passages you use by their numbers in square brackets, like [1] or [2]. ' +
  'If the context does not contain the answer, say plainly: "The context does not contain the answer."';
const INSTR_ZH = '只根据下面的资料回答。用方括号标出所依据资料的编号，例如 [1] 或 [2]。如果资料中没有答案，请直接说：“资料中没有答案。”';

const examplesEn: Example[] = [
  { id: 'e1', question: 'What is 2 + 2?', answer: '4' },
  { id: 'e2', question: 'Capital of France?', answer: 'Paris' },
];
const examplesZh: Example[] = [{ id: 'z1', question: '一加一等于几？', answer: '二' }];

const chunksEn: ContextChunk[] = [
  { id: 'c7', docName: 'handbook.pdf', text: '  Employees get 25 days of annual leave.  ', headingPath: ['Leave', 'Annual leave'], page: 4 },
  { id: 'c2', docName: 'faq.md', text: 'Leave requests go to your manager.', page: 2 },
  { id: 'c9', docName: 'notes.txt', text: 'Unrelated note.' },
];
const chunksZh: ContextChunk[] = [
  { id: 'k1', docName: '员工手册.pdf', text: '员工每年有二十五天年假。', page: 3 },
  { id: 'k2', docName: '制度.docx', text: '请假需经主管批准。', headingPath: ['请假', '流程'] },
];

describe('plain', () => {
  it('is system + question (English)', () => {
    const p = buildPrompt('plain', '  How many leave days?  ', { systemPrompt: SYS_EN, lang: 'en', chunks: chunksEn, examples: examplesEn });
    expect(p.method).toBe('plain');
    expect(p.messages).toEqual([
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'How many leave days?' },
    ]);
    expect(p.contextIds).toEqual([]);
    expect(p.parts).toEqual([
      { kind: 'system', text: 'You are a helpful assistant.' },
      { kind: 'question', text: 'How many leave days?' },
    ]);
  });
  it('is system + question (Chinese)', () => {
    expect(buildMessages('plain', '年假有几天？', { systemPrompt: SYS_ZH, lang: 'zh' })).toEqual([
      { role: 'system', content: '你是一个乐于助人的助手。' },
      { role: 'user', content: '年假有几天？' },
    ]);
  });
  it('sends no system message for an empty system prompt', () => {
    expect(buildMessages('plain', 'Hi?', { systemPrompt: '  ', lang: 'en' })).toEqual([{ role: 'user', content: 'Hi?' }]);
  });
});

describe('few-shot', () => {
  it('puts examples as real user/assistant turns (English)', () => {
    const p = buildPrompt('few-shot', 'What is 3 + 3?', { systemPrompt: SYS_EN, lang: 'en', examples: examplesEn });
    expect(p.messages).toEqual([
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'What is 2 + 2?' },
      { role: 'assistant', content: '4' },
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'What is 3 + 3?' },
    ]);
    expect(p.parts.map((x) => x.kind)).toEqual(['system', 'examples', 'examples', 'examples', 'examples', 'question']);
    expect(p.contextIds).toEqual([]);
  });
  it('Chinese', () => {
    expect(buildMessages('few-shot', '二加二等于几？', { systemPrompt: SYS_ZH, lang: 'zh', examples: examplesZh })).toEqual([
      { role: 'system', content: '你是一个乐于助人的助手。' },
      { role: 'user', content: '一加一等于几？' },
      { role: 'assistant', content: '二' },
      { role: 'user', content: '二加二等于几？' },
    ]);
  });
  it('with no examples is the plain message list', () => {
    expect(buildMessages('few-shot', 'Q?', { systemPrompt: SYS_EN, lang: 'en' })).toEqual(
      buildMessages('plain', 'Q?', { systemPrompt: SYS_EN, lang: 'en' }),
    );
  });
});

describe('rag', () => {
  it('English: instruction in the system message, numbered context + question in the last user message', () => {
    const p = buildPrompt('rag', 'How many leave days?', { systemPrompt: SYS_EN, lang: 'en', chunks: chunksEn });
    expect(p.messages).toEqual([
      { role: 'system', content: 'You are a helpful assistant.\n\n' + INSTR_EN },
      {
        role: 'user',
        content:
          'Context:\n' +
          '[1] (handbook.pdf › Leave › Annual leave) Employees get 25 days of annual leave.\n\n' +
          '[2] (faq.md › p. 2) Leave requests go to your manager.\n\n' +
          '[3] (notes.txt) Unrelated note.\n\n' +
          'Question: How many leave days?',
      },
    ]);
    expect(p.contextIds).toEqual(['c7', 'c2', 'c9']);
    expect(p.parts).toEqual([
      { kind: 'system', text: 'You are a helpful assistant.' },
      { kind: 'instruction', text: INSTR_EN },
      {
        kind: 'context',
        text:
          'Context:\n[1] (handbook.pdf › Leave › Annual leave) Employees get 25 days of annual leave.\n\n' +
          '[2] (faq.md › p. 2) Leave requests go to your manager.\n\n[3] (notes.txt) Unrelated note.',
      },
      { kind: 'question', text: 'Question: How many leave days?' },
    ]);
  });
  it('Chinese labels and instruction', () => {
    const p = buildPrompt('rag', '年假有几天？', { systemPrompt: SYS_ZH, lang: 'zh', chunks: chunksZh });
    expect(p.messages).toEqual([
      { role: 'system', content: '你是一个乐于助人的助手。\n\n' + INSTR_ZH },
      {
        role: 'user',
        content: '资料：\n[1] (员工手册.pdf › 第 3 页) 员工每年有二十五天年假。\n\n[2] (制度.docx › 请假 › 流程) 请假需经主管批准。\n\n问题：年假有几天？',
      },
    ]);
    expect(p.contextIds).toEqual(['k1', 'k2']);
  });
  it('says so when nothing was retrieved, and the system message is only the instruction without a system prompt', () => {
    expect(buildMessages('rag', 'Q?', { systemPrompt: '', lang: 'en', chunks: [] })).toEqual([
      { role: 'system', content: INSTR_EN },
      { role: 'user', content: 'Context:\n(no passages found)\n\nQuestion: Q?' },
    ]);
    expect(buildMessages('rag', '问？', { systemPrompt: '', lang: 'zh' })[1]).toEqual({
      role: 'user',
      content: '资料：\n（未找到相关资料）\n\n问题：问？',
    });
  });
});

describe('rag+few-shot', () => {
  it('examples as turns, then the RAG user message last', () => {
    const p = buildPrompt('rag+few-shot', '年假有几天？', { systemPrompt: SYS_ZH, lang: 'zh', chunks: chunksZh.slice(0, 1), examples: examplesZh });
    expect(p.method).toBe('rag+few-shot');
    expect(p.messages).toEqual([
      { role: 'system', content: '你是一个乐于助人的助手。\n\n' + INSTR_ZH },
      { role: 'user', content: '一加一等于几？' },
      { role: 'assistant', content: '二' },
      { role: 'user', content: '资料：\n[1] (员工手册.pdf › 第 3 页) 员工每年有二十五天年假。\n\n问题：年假有几天？' },
    ]);
    expect(p.parts.map((x) => x.kind)).toEqual(['system', 'instruction', 'examples', 'examples', 'context', 'question']);
    expect(p.contextIds).toEqual(['k1']);
  });
});

describe('context token budget', () => {
  // Counting characters makes the arithmetic visible: entry lengths are 13, 13 and 13.
  const chunks: ContextChunk[] = [
    { id: 'a', docName: 'd', text: 'aaaaa' },
    { id: 'b', docName: 'd', text: 'bbbbb' },
    { id: 'c', docName: 'd', text: 'c' },
  ];
  const base: StrategyContext = { systemPrompt: '', lang: 'en', chunks, countTokens: (s) => s.length };
  it('adds chunks in rank order while they fit', () => {
    expect('[1] (d) aaaaa'.length).toBe(13);
    expect(buildPrompt('rag', 'q', { ...base, contextTokenBudget: 26 }).contextIds).toEqual(['a', 'b']);
    expect(buildPrompt('rag', 'q', { ...base, contextTokenBudget: 35 }).contextIds).toEqual(['a', 'b', 'c']);
  });
  it('drops the first chunk that would overflow and everything after it (no truncation, no skipping ahead)', () => {
    const long: ContextChunk = { id: 'long', docName: 'd', text: 'x'.repeat(40) };
    const p = buildPrompt('rag', 'q', { ...base, chunks: [chunks[0], long, chunks[2]], contextTokenBudget: 30 });
    expect(p.contextIds).toEqual(['a']);
    expect(p.messages[1].content).toBe('Context:\n[1] (d) aaaaa\n\nQuestion: q');
  });
  it('a first chunk over budget leaves no context', () => {
    const p = buildPrompt('rag', 'q', { ...base, contextTokenBudget: 12 });
    expect(p.contextIds).toEqual([]);
    expect(p.messages[1].content).toBe('Context:\n(no passages found)\n\nQuestion: q');
  });
  it('uses the app\'s one estimate (src/text/tokens.ts) when countTokens is absent', () => {
    // "[1] (d) 一二三" → "[" "1" "]" = 3, "(" "d" ")" = 3, 3 Han = 9 tokens per entry
    const zh: ContextChunk[] = [
      { id: 'x', docName: 'd', text: '一二三' },
      { id: 'y', docName: 'd', text: '四五六' },
    ];
    expect(buildPrompt('rag', 'q', { systemPrompt: '', lang: 'zh', chunks: zh, contextTokenBudget: 17 }).contextIds).toEqual(['x']);
    expect(buildPrompt('rag', 'q', { systemPrompt: '', lang: 'zh', chunks: zh, contextTokenBudget: 18 }).contextIds).toEqual(['x', 'y']);
  });
});

describe('RAG with steps', () => {
  it('answers with the RAG prompt under its own method id', () => {
    const chunks = [{ id: 'a', docName: 'h.md', text: 'Fifteen days of leave.' }];
    const rag = buildPrompt('rag', 'How many days?', { systemPrompt: 's', lang: 'en', chunks });
    for (const m of ['rag-hyde', 'rag-multi', 'rag-verified'] as const) {
      const p = buildPrompt(m, 'How many days?', { systemPrompt: 's', lang: 'en', chunks });
      expect(p).toEqual({ ...rag, method: m });
    }
  });
});

describe('METHODS', () => {
  it('says which methods need retrieval and examples', () => {
    expect(METHODS.map((m) => [m.id, m.needsRetrieval, m.needsExamples])).toEqual([
      ['plain', false, false],
      ['few-shot', false, true],
      ['rag', true, false],
      ['rag+few-shot', true, true],
      ['rag-hyde', true, false],
      ['rag-multi', true, false],
      ['rag-verified', true, false],
    ]);
    expect(METHODS.filter((m) => m.variantOf === 'rag').map((m) => [m.id, m.step])).toEqual([
      ['rag-hyde', 'hyde'],
      ['rag-multi', 'multi-query'],
      ['rag-verified', 'verify'],
    ]);
    expect(methodInfo('rag').needsRetrieval).toBe(true);
    expect(isMethodId('rag-verified')).toBe(true);
    expect(isMethodId('rag+few-shot')).toBe(true);
    expect(isMethodId('zero-shot')).toBe(false);
  });
});
