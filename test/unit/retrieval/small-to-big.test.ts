import { describe, expect, it } from 'vitest';
import { expandToSections, type SmallHit, type SourceDocument } from '../../../src/retrieval/small-to-big';
import { estimateTokens } from '../../../src/strategies/tokens';
import { rng } from './synthetic';

// A handbook with three sections, as the Markdown extractor would give it (offsets into `text`).
const parts = [
  '# Leave\n\nNew employees get fifteen days of paid annual leave. Unused days carry over until March.',
  '# 报销\n\n超过 200 元的出租车发票需要经理批准。差旅费用需要提供发票，报销在十个工作日内完成。',
  `# Security\n\n${'VPN passwords must be changed every ninety days. '.repeat(30)}Laptops must be encrypted.`,
];
const text = parts.join('\n\n');
const sections = parts.map((p, i) => {
  const start = parts.slice(0, i).reduce((n, x) => n + x.length + 2, 0);
  return { start, end: start + p.length, headingPath: [p.split('\n')[0].slice(2)] };
});
const docs = new Map<string, SourceDocument>([['h', { text, sections }]]);
const hit = (id: string, needle: string, len = needle.length): SmallHit => {
  const start = text.indexOf(needle);
  if (start < 0) throw new Error(`fixture lacks ${needle}`);
  return { id, docId: 'h', start, end: start + len };
};

describe('expandToSections', () => {
  it('replaces a hit by its whole section when it fits, and merges hits of one section', () => {
    const r = expandToSections([hit('a', 'fifteen days'), hit('b', '超过 200 元'), hit('c', 'Unused days')], docs, { budget: 200 });
    expect(r.passages.map((p) => [p.hitIds, p.expanded, p.headingPath, p.rank])).toEqual([
      [['a', 'c'], 'section', ['Leave'], 1],
      [['b'], 'section', ['报销'], 2],
    ]);
    expect(r.passages[0].text).toBe(parts[0]);
    expect(r.passages[1].text).toBe(parts[1]);
    expect(r.tokens).toBe(estimateTokens(parts[0]) + estimateTokens(parts[1]));
    expect(r.dropped).toEqual([]);
  });

  it('takes a window of a section that does not fit, around the hit, cut at a boundary', () => {
    const r = expandToSections([hit('s', 'Laptops must be encrypted.')], docs, { budget: 60 });
    const [p] = r.passages;
    expect(p.expanded).toBe('window');
    expect(p.text).toContain('Laptops must be encrypted.');
    expect(p.tokens).toBeLessThanOrEqual(60);
    expect(p.tokens).toBeGreaterThan(40);
    expect(text[p.start - 1]).toMatch(/\s/); // starts at a word, not inside one
    expect(text[p.end] ?? ' ').toMatch(/[\s.]/);
  });

  it('caps each passage with maxPassageTokens and counts the per-passage overhead', () => {
    const r = expandToSections([hit('s', 'Laptops'), hit('a', 'fifteen')], docs, { budget: 200, maxPassageTokens: 50, overheadTokens: 5 });
    expect(r.passages.map((p) => p.tokens <= 50)).toEqual([true, true]);
    expect(r.tokens).toBe(r.passages.reduce((n, p) => n + p.tokens + 5, 0));
  });

  it('stops at the first hit whose own chunk no longer fits, and lists it and the rest as dropped', () => {
    const r = expandToSections([hit('a', parts[0], parts[0].length), hit('b', parts[1], parts[1].length), hit('c', 'Laptops')], docs, {
      budget: estimateTokens(parts[0]) + 5,
    });
    expect(r.passages.map((p) => p.hitIds)).toEqual([['a']]);
    expect(r.dropped).toEqual(['b', 'c']);
  });

  it('skips hits of unknown documents or with offsets outside the text', () => {
    const r = expandToSections([{ id: 'x', docId: 'nope', start: 0, end: 5 }, { id: 'y', docId: 'h', start: 10, end: text.length + 5 }, hit('a', 'fifteen')], docs, { budget: 100 });
    expect(r.dropped).toEqual(['x', 'y']);
    expect(r.passages.map((p) => p.hitIds)).toEqual([['a']]);
  });

  it('treats a document without sections as one section', () => {
    const plain = new Map([['t', { text: '短文。第二句。' }]]);
    const r = expandToSections([{ id: 't:0', docId: 't', start: 0, end: 3 }], plain, { budget: 50 });
    expect(r.passages[0]).toMatchObject({ start: 0, end: 7, expanded: 'section' });
  });

  it('never exceeds the budget, never overlaps passages and places every kept hit in one passage (random hits)', () => {
    const rand = rng(11);
    for (let trial = 0; trial < 500; trial++) {
      const hits: SmallHit[] = [];
      for (let i = 0; i < 1 + Math.floor(rand() * 8); i++) {
        const start = Math.floor(rand() * (text.length - 40));
        hits.push({ id: `h${i}`, docId: 'h', start, end: start + 5 + Math.floor(rand() * 60) });
      }
      const budget = 10 + Math.floor(rand() * 400);
      const maxPassageTokens = rand() < 0.5 ? undefined : 10 + Math.floor(rand() * 200);
      const overheadTokens = Math.floor(rand() * 4);
      const r = expandToSections(hits, docs, { budget, maxPassageTokens, overheadTokens });
      expect(r.tokens).toBeLessThanOrEqual(budget);
      expect(r.tokens).toBe(r.passages.reduce((n, p) => n + p.tokens + overheadTokens, 0));
      for (const p of r.passages) {
        expect(p.text).toBe(text.slice(p.start, p.end));
        expect(p.tokens).toBe(estimateTokens(p.text));
        if (maxPassageTokens !== undefined) expect(p.tokens).toBeLessThanOrEqual(maxPassageTokens);
      }
      const sorted = [...r.passages].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i].start).toBeGreaterThanOrEqual(sorted[i - 1].end);
      for (const h of hits) {
        const homes = r.passages.filter((p) => p.hitIds.includes(h.id));
        if (r.dropped.includes(h.id)) expect(homes).toEqual([]);
        else {
          expect(homes).toHaveLength(1);
          // Every character of the hit is shown, by its own passage or by one shown before it.
          for (let i = h.start; i < h.end; i++) expect(r.passages.some((p) => p.start <= i && i < p.end)).toBe(true);
        }
      }
    }
  });
});
