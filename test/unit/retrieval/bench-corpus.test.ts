// The retrieval benchmark's data: every question's gold passage must be found where it says, in
// the document as the app extracts it (and, for the text file printed to PDF, in the PDF too).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBenchmark, locate } from '../../../bench/retrieval/harness';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/retrieval');

describe('locate', () => {
  it('finds every occurrence whatever the whitespace, as offsets of the first and last characters', () => {
    const text = 'a  b\nc d\n\na b c';
    expect(locate(text, 'a b c')).toEqual([
      { start: 0, end: 6 },
      { start: 10, end: 15 },
    ]);
    expect(locate(text, 'x')).toEqual([]);
    expect(locate(text, '  ')).toEqual([]);
  });
});

describe('retrieval benchmark data', () => {
  it('has at least 60 questions in both languages, each with located gold', { timeout: 60_000 }, async () => {
    const bench = await loadBenchmark(DIR); // throws, naming the question, when a passage is not found
    expect(bench.items.length).toBeGreaterThanOrEqual(60);
    expect(bench.items.filter((i) => i.lang === 'zh').length).toBeGreaterThanOrEqual(30);
    expect(bench.items.filter((i) => i.lang === 'en').length).toBeGreaterThanOrEqual(30);
    expect(new Set(bench.items.map((i) => i.id)).size).toBe(bench.items.length);
    for (const item of bench.items) {
      expect(item.gold.length, item.id).toBeGreaterThan(0);
      for (const g of item.gold) {
        const doc = bench.documents.find((d) => d.id === g.docId)!;
        expect(g.end - g.start, item.id).toBeGreaterThan(0);
        expect(doc.text.slice(g.start, g.end).length, item.id).toBeLessThan(1200);
      }
    }
    expect(bench.documents.map((d) => d.id)).toContain('http-server-README.pdf');
    expect(bench.copyGold.found).toBe(bench.copyGold.of);
  });
});
