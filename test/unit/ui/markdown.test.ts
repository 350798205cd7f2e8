import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, parseMarkdownFrom, type MarkdownParse } from '../../../src/ui/common/markdown';

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

describe('CommonMark through mdast', () => {
  it('keeps a block of raw HTML as visible text, and never yields an image', () => {
    expect(parseMarkdown('<div onclick="x()">\n**hi**\n</div>')).toEqual([{ t: 'p', c: [{ t: 'text', v: '<div onclick="x()">\n**hi**\n</div>' }] }]);
    expect(parseInline('![chart](https://evil.example/pixel.png) ![x](data:image/png;base64,AAAA)')).toEqual([
      { t: 'link', href: 'https://evil.example/pixel.png', c: [{ t: 'text', v: 'chart' }] },
      { t: 'text', v: ' x' },
    ]);
  });
  it('autolinks follow the same scheme rule', () => {
    expect(parseInline('<https://example.org/a> <javascript:alert(1)> <mailto:hr@example.org>')).toEqual([
      { t: 'link', href: 'https://example.org/a', c: [{ t: 'text', v: 'https://example.org/a' }] },
      { t: 'text', v: ' javascript:alert(1) ' },
      { t: 'link', href: 'mailto:hr@example.org', c: [{ t: 'text', v: 'mailto:hr@example.org' }] },
    ]);
  });
  it('a source list written as "[1]: …" stays visible and its markers stay citations, not links', () => {
    expect(parseMarkdown('Leave is 15 days [1].\n\n[1]: https://example.org/handbook')).toEqual([
      { t: 'p', c: [{ t: 'text', v: 'Leave is 15 days ' }, { t: 'cite', n: 1, marker: '[1]' }, { t: 'text', v: '.' }] },
      { t: 'p', c: [{ t: 'cite', n: 1, marker: '[1]' }, { t: 'text', v: ': https://example.org/handbook' }] },
    ]);
  });
  it('citations inside emphasis, none inside link text or code', () => {
    expect(parseInline('**15 days [2]** `[3]` [see [4]](https://x.org)')).toEqual([
      { t: 'strong', c: [{ t: 'text', v: '15 days ' }, { t: 'cite', n: 2, marker: '[2]' }] },
      { t: 'text', v: ' ' },
      { t: 'code', v: '[3]' },
      { t: 'text', v: ' ' },
      { t: 'link', href: 'https://x.org', c: [{ t: 'text', v: 'see [4]' }] },
    ]);
  });
  it('nested lists, multi-paragraph items, ordered start, rules, hard breaks and quotes holding blocks', () => {
    const b = parseMarkdown('3. three\n4. four\n   - sub\n\n---\n\nline one  \nline two\n\n> # Q\n> - a');
    expect(b).toEqual([
      {
        t: 'ol',
        start: 3,
        items: [[{ t: 'text', v: 'three' }], { blocks: [{ t: 'p', c: [{ t: 'text', v: 'four' }] }, { t: 'ul', items: [[{ t: 'text', v: 'sub' }]] }] }],
      },
      { t: 'hr' },
      { t: 'p', c: [{ t: 'text', v: 'line one\nline two' }] },
      { t: 'quote', c: [{ t: 'h', level: 1, c: [{ t: 'text', v: 'Q' }] }, { t: 'ul', items: [[{ t: 'text', v: 'a' }]] }] },
    ]);
  });
  it('a quote ends at the first line without ">" (no lazy continuation), except inside code fences', () => {
    expect(parseMarkdown('> quoted\nanswer').map((x) => x.t)).toEqual(['quote', 'p']);
    expect(parseMarkdown('```\n> not a quote\nstill code\n```')).toEqual([{ t: 'pre', v: '> not a quote\nstill code' }]);
  });
});

describe('streaming: resuming from the previous parse', () => {
  const docs = [
    '# Leave\n\nEmployees get **15 days** [1].\n\n- one [2]\n- two\n  continued\n- three\n\n1. a\n\n2. b\n\nAfter the list.\n\n```js\nconst x = 1;\n\nx < 2\n```\n\n> quoted [3]\nanswer goes on\n\nSetext\n---\n\n<!-- note -->\n\nend.',
    'para\n```js a`b\nmore\n\n* x\n* y\n\n  indented para of y\n\n    code\n\n* z\n- other list\n\n10) ten\n11) eleven\n1. dot',
    '十五天【1】。\n\n1. 第一\n2. 第二 ［２］\n\n> 引用\n> 继续\n\n|a|b|\n|-|-|\n\n[x](javascript:1) ![i](https://a.b/c.png)\n***\n- [ ] task',
  ];
  for (const [k, doc] of docs.entries()) {
    it(`matches a full parse at every length (document ${k + 1})`, () => {
      let prev: MarkdownParse | undefined;
      for (let len = 1; len <= doc.length; len++) {
        const s = doc.slice(0, len);
        prev = parseMarkdownFrom(s, prev);
        expect(prev.blocks, JSON.stringify(s)).toEqual(parseMarkdown(s));
      }
    });
  }
  it('starts over when the text is not an extension of the previous one', () => {
    const prev = parseMarkdownFrom('- a\n- b\n\ntext');
    expect(parseMarkdownFrom('# other', prev).blocks).toEqual([{ t: 'h', level: 1, c: [{ t: 'text', v: 'other' }] }]);
  });
});

describe('streaming reuse', () => {
  it('keeps closed blocks and closed list items as they were (only the open end is parsed again)', () => {
    const prev = parseMarkdownFrom('Intro.\n\n- a [1]\n- b');
    const next = parseMarkdownFrom('Intro.\n\n- a [1]\n- b and c', prev);
    expect(next.blocks[0]).toBe(prev.blocks[0]);
    const [was, now] = [prev.blocks[1], next.blocks[1]];
    if (was.t !== 'ul' || now.t !== 'ul') throw new Error('expected lists');
    expect(now.items[0]).toBe(was.items[0]);
    expect(now.items[1]).toEqual([{ t: 'text', v: 'b and c' }]);
  });
});
