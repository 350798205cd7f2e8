import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from '../../../src/ui/common/markdown';

describe('safe markdown parsing', () => {
  it('keeps raw HTML as literal text', () => {
    const b = parseMarkdown('<img src=x onerror=alert(1)> <script>alert(2)</script>');
    expect(b).toEqual([{ t: 'p', c: [{ t: 'text', v: '<img src=x onerror=alert(1)> <script>alert(2)</script>' }] }]);
  });
  it('drops javascript: links but keeps their text', () => {
    expect(parseInline('[click](javascript:alert(1))')).toEqual([{ t: 'text', v: 'click' }]);
    expect(parseInline('[ok](https://example.org)')).toEqual([{ t: 'link', href: 'https://example.org', c: [{ t: 'text', v: 'ok' }] }]);
  });
  it('turns citation markers into nodes, ASCII and full-width', () => {
    expect(parseInline('Fifteen days [1][2].')).toEqual([
      { t: 'text', v: 'Fifteen days ' },
      { t: 'cite', n: 1, marker: '[1]' },
      { t: 'cite', n: 2, marker: '[2]' },
      { t: 'text', v: '.' },
    ]);
    expect(parseInline('十五天【1】，见［２］与 [1, 3]')).toEqual([
      { t: 'text', v: '十五天' },
      { t: 'cite', n: 1, marker: '【1】' },
      { t: 'text', v: '，见' },
      { t: 'cite', n: 2, marker: '［２］' },
      { t: 'text', v: '与 ' },
      { t: 'cite', n: 1, marker: '[1, 3]' },
      { t: 'cite', n: 3, marker: '[1, 3]' },
    ]);
  });
  it('parses blocks: headings, lists, code, quotes, paragraphs', () => {
    const b = parseMarkdown('# Title\n\n- a **b**\n- `c`\n\n1. one\n2. two\n\n```\nx < y\n```\n> quoted\ntext\nmore');
    expect(b.map((x) => x.t)).toEqual(['h', 'ul', 'ol', 'pre', 'quote', 'p']);
    expect(b[1]).toEqual({ t: 'ul', items: [[{ t: 'text', v: 'a ' }, { t: 'strong', c: [{ t: 'text', v: 'b' }] }], [{ t: 'code', v: 'c' }]] });
    expect(b[3]).toEqual({ t: 'pre', v: 'x < y' });
    expect(b[5]).toEqual({ t: 'p', c: [{ t: 'text', v: 'text\nmore' }] });
  });
});
