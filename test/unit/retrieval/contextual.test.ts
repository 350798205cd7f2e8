import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunkDocument, DEFAULT_CHUNKING } from '../../../src/chunking/chunk';
import {
  chunkHeader,
  cleanHeading,
  CONTEXT_MAX_NEW_TOKENS,
  contextPrompt,
  documentLabel,
  estimateContextCost,
  excerptAround,
  indexedText,
  MAX_HEADER_PART,
  parseContextSentence,
  splitIndexed,
} from '../../../src/retrieval/contextual';
import { terms } from '../../../src/retrieval/tokenize';
import { estimateTokens } from '../../../src/strategies/tokens';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/retrieval/corpus');

describe('document label and header', () => {
  it('uses the file name without a document extension, and the title when it adds something', () => {
    expect(documentLabel({ name: 'handbook.pdf' })).toBe('handbook');
    expect(documentLabel({ name: 'redis.conf' })).toBe('redis.conf');
    expect(documentLabel({ name: 'Handbook.PDF', title: 'handbook' })).toBe('Handbook');
    expect(documentLabel({ name: 'scan0042.pdf', title: 'Employee Handbook 2024' })).toBe('scan0042 (Employee Handbook 2024)');
    expect(documentLabel({ name: 'sshd.txt', title: 'sshd manual' })).toBe('sshd manual');
    expect(documentLabel({ name: '员工手册.docx', title: '员工手册' })).toBe('员工手册');
  });

  it('cleans Markdown and HTML out of headings', () => {
    expect(cleanHeading('[eslint-config-alloy][网站]')).toBe('eslint-config-alloy');
    expect(cleanHeading('<img src="./docs/logo.svg" /> zhlint')).toBe('zhlint');
    expect(cleanHeading('![logo](docs/zhlint.svg) zhlint')).toBe('logo zhlint');
    expect(cleanHeading('Use **`--fix`** with [care](https://x.y)')).toBe('Use --fix with care');
  });

  it('joins the label and heading path with › and skips a heading that repeats the label', () => {
    expect(chunkHeader({ name: 'eslint-config-alloy-README.zh-CN.md', title: '[eslint-config-alloy][网站]', headingPath: ['[eslint-config-alloy][网站]', '快速开始'] })).toBe(
      'eslint-config-alloy-README.zh-CN › 快速开始',
    );
    expect(chunkHeader({ name: 'redis.conf', headingPath: ['MEMORY MANAGEMENT', 'maxmemory-policy'] })).toBe('redis.conf › MEMORY MANAGEMENT › maxmemory-policy');
    expect(chunkHeader({ name: 'notes.txt' })).toBe('notes');
  });

  it('keeps only the innermost heading levels and cuts long parts', () => {
    const h = chunkHeader({ name: 'a.md', headingPath: ['L1', 'L2', 'L3', 'L4', 'L5', 'x'.repeat(200)] });
    expect(h.split(' › ')).toEqual(['a', 'L3', 'L4', 'L5', `${'x'.repeat(MAX_HEADER_PART - 1)}…`]);
  });

  it('makes the document name and headings terms of the indexed text, in both languages', () => {
    const text = indexedText(chunkHeader({ name: 'redis.conf', headingPath: ['内存管理'] }), 'maxmemory-policy allkeys-lru');
    expect(terms(text)).toEqual(expect.arrayContaining(['redis.conf', 'redis', 'conf', '内存', '管理', 'allkeys-lru']));
  });
});

describe('indexed text', () => {
  it('is header, blank line, chunk; with a context sentence on the second line', () => {
    expect(indexedText('doc › A', 'body')).toBe('doc › A\n\nbody');
    expect(indexedText('doc › A', 'body', ' It explains A. ')).toBe('doc › A\nIt explains A.\n\nbody');
    expect(indexedText('doc', 'body', '  ')).toBe('doc\n\nbody');
  });

  it('splits back into its parts for the inspector', () => {
    const chunk = 'line one\n\nline two';
    expect(splitIndexed(indexedText('doc › A', chunk), chunk)).toEqual({ header: 'doc › A', context: null, text: chunk });
    expect(splitIndexed(indexedText('doc', chunk, '一句说明。'), chunk)).toEqual({ header: 'doc', context: '一句说明。', text: chunk });
    expect(splitIndexed('something else', chunk)).toBeNull();
  });
});

describe('excerptAround', () => {
  it('grows around the chunk within the budget and cuts at a word boundary', () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const start = words.indexOf('word200');
    const end = start + 'word200'.length;
    const w = excerptAround(words, start, end, 50);
    const slice = words.slice(w.start, w.end);
    expect(estimateTokens(slice)).toBeLessThanOrEqual(50);
    expect(estimateTokens(slice)).toBeGreaterThan(40);
    expect(w.start).toBeLessThan(start);
    expect(w.end).toBeGreaterThan(end);
    expect(slice).toMatch(/^word\d+ .* word\d+$/);
  });

  it('grows Chinese text, which has no spaces, on both sides', () => {
    const zh = '新员工入职第一年享有十五天带薪年假。'.repeat(40);
    const w = excerptAround(zh, 300, 310, 100);
    expect(w.start).toBeLessThan(300);
    expect(w.end).toBeGreaterThan(310);
    expect(estimateTokens(zh.slice(w.start, w.end))).toBeLessThanOrEqual(100);
  });
});

describe('context sentence prompt', () => {
  const text = 'intro. '.repeat(50) + 'The allkeys-lru policy evicts any key. ' + 'tail. '.repeat(50);
  const start = text.indexOf('The allkeys');
  const end = start + 'The allkeys-lru policy evicts any key.'.length;

  it('sends the document label, an excerpt around the chunk and the chunk, in the document language', () => {
    for (const lang of ['en', 'zh'] as const) {
      const [system, user] = contextPrompt({ lang, header: { name: 'redis.conf', headingPath: ['MEMORY'] }, documentText: text, start, end, excerptTokens: 40 });
      expect(system.role).toBe('system');
      expect(system.content).toMatch(lang === 'en' ? /one short sentence/ : /一句简短的话/);
      expect(user.content).toContain('redis.conf › MEMORY');
      expect(user.content).toContain('<chunk>\nThe allkeys-lru policy evicts any key.\n</chunk>');
      const excerpt = /<document>\n([\s\S]*)\n<\/document>/.exec(user.content)?.[1] ?? '';
      expect(excerpt).toContain('The allkeys-lru policy evicts any key.');
      expect(estimateTokens(excerpt)).toBeLessThanOrEqual(40);
    }
  });

  it('estimates the cost of every prompt within 5% of counting them one by one', () => {
    for (const file of ['npm-audit.html', 'nzh-README.txt', 'zhlint-README.zh-CN.md']) {
      const raw = readFileSync(path.join(CORPUS, file), 'utf8');
      const doc = { id: file, name: file, text: raw, lang: file.includes('zh') || file.startsWith('nzh') ? ('zh' as const) : ('en' as const) };
      const chunks = chunkDocument({ text: raw, sections: [{ start: 0, end: raw.length }] }, DEFAULT_CHUNKING).map((c) => ({ docId: file, start: c.start, end: c.end, tokens: c.tokens }));
      const exact = chunks.reduce(
        (sum, c) => sum + contextPrompt({ lang: doc.lang, header: doc, documentText: raw, start: c.start, end: c.end }).reduce((s, m) => s + estimateTokens(m.content), 0),
        0,
      );
      const est = estimateContextCost([doc], chunks, { prefillTps: 100, decodeTps: 10 });
      expect(Math.abs(est.promptTokens - exact) / exact, file).toBeLessThan(0.05);
      expect(est.chunks).toBe(chunks.length);
      expect(est.maxOutputTokens).toBe(chunks.length * CONTEXT_MAX_NEW_TOKENS);
      expect(est.seconds).toBeCloseTo(est.promptTokens / 100 + est.maxOutputTokens / 10, 9);
    }
    expect(estimateContextCost([], []).seconds).toBeNull();
    expect(() => estimateContextCost([], [{ docId: 'x', start: 0, end: 1 }])).toThrow(/unknown document x/);
  });
});

describe('parseContextSentence', () => {
  it('keeps the first sentence without labels, quotes, reasoning or fences', () => {
    expect(parseContextSentence('<think>the user wants…</think>\nContext: "This chunk is from redis.conf, MEMORY section, on allkeys-lru. It is long."')).toEqual({
      ok: true,
      sentence: 'This chunk is from redis.conf, MEMORY section, on allkeys-lru.',
    });
    expect(parseContextSentence('```\n上下文：本段出自 redis.conf 的内存管理一节，说明 allkeys-lru 策略。其余略。\n```')).toEqual({
      ok: true,
      sentence: '本段出自 redis.conf 的内存管理一节，说明 allkeys-lru 策略。',
    });
    expect(parseContextSentence('Version 1.2 notes for v18.20 of the tool')).toEqual({ ok: true, sentence: 'Version 1.2 notes for v18.20 of the tool' });
  });

  it('refuses empty replies, refusals, unfinished reasoning and run-on text', () => {
    expect(parseContextSentence('  ""  ')).toEqual({ ok: false, reason: 'empty' });
    expect(parseContextSentence('<think>still thinking')).toEqual({ ok: false, reason: 'empty' });
    expect(parseContextSentence("I'm sorry, I cannot help with that.")).toEqual({ ok: false, reason: 'refusal' });
    expect(parseContextSentence('抱歉，我无法完成。')).toEqual({ ok: false, reason: 'refusal' });
    expect(parseContextSentence(`${'word '.repeat(200)}end`)).toEqual({ ok: false, reason: 'too-long' });
  });
});
