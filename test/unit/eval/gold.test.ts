// Gold passages by position: located in document text despite extractor differences, relevance decided
// by character ranges (a chunk is gold when it covers at least half of a gold span), recall on the union
// of the top-k ranges, and the test-set screen that reports passages found in no document.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  coveredShare, foldedPassage, GOLD_SPAN_COVERAGE, isGoldChunk, locateGold, locateItemGold, prepareDocument, screenGold, spanRetrievalScores, type ChunkSpan,
} from '../../../src/eval/gold';
import { goldMatches } from '../../../src/eval/metrics';
import { extract } from '../../../src/extract';
import { chunkDocument, DEFAULT_CHUNKING } from '../../../src/chunking/chunk';
import { SAMPLE_FILES, SAMPLE_TESTSET } from '../../../src/sample/content';

const EN = 'Leave\n\nNew employees get fifteen days\nof paid annual leave in their first year. Unused days carry over until March.';
const doc = (text: string, docId = 'd1', name = 'handbook.md') => prepareDocument({ docId, name, text });

describe('locateGold', () => {
  it('finds a passage across line breaks, and returns its range in the original text', () => {
    const passage = 'New employees get fifteen days of paid annual leave in their first year.';
    const loc = locateGold(passage, [doc(EN)])!;
    expect(loc).toMatchObject({ docId: 'd1', match: 'exact', edits: 0, occurrences: 1 });
    // The range runs from the first to the last letter/digit: the final full stop is not part of it.
    expect(EN.slice(loc.start, loc.end)).toBe('New employees get fifteen days\nof paid annual leave in their first year');
  });
  it('tolerates extractor differences: spaced-out Chinese, hyphenation, ligatures, full width, curly quotes', () => {
    const zh = '第二章 年假\n员 工 每 年 有 十 五 天\n带 薪 年 假 。其他规定见附录。';
    const z = locateGold('员工每年有十五天带薪年假。', [doc(zh)])!;
    expect(zh.slice(z.start, z.end)).toBe('员 工 每 年 有 十 五 天\n带 薪 年 假');
    const hy = 'All employ-\nees get ﬁfteen days. It’s ＡＢＣ policy.';
    expect(locateGold('All employees get fifteen days.', [doc(hy)])).toMatchObject({ start: 0, match: 'exact' });
    const q = locateGold("It's ABC policy", [doc(hy)])!;
    expect(hy.slice(q.start, q.end)).toBe('It’s ＡＢＣ policy');
  });
  it('allows a few changed characters (≤ 10% of the letters/digits) as an approximate match', () => {
    const ocr = 'Intro. New employees get fifteen dayz of paid annuaI leave in their first year. End.';
    const loc = locateGold('New employees get fifteen days of paid annual leave in their first year.', [doc(ocr)])!;
    expect(loc.match).toBe('approximate');
    expect(loc.edits).toBe(2); // "dayz", and "annuaI" (OCR read l as I, folded to i)
    expect(ocr.slice(loc.start, loc.end)).toBe('New employees get fifteen dayz of paid annuaI leave in their first year');
    // Too many differences: not the same passage.
    expect(locateGold('Senior staff receive thirty days of paid annual leave every year.', [doc(ocr)])).toBeNull();
  });
  it('an unrelated Chinese chunk that shares characters does not "contain" the passage (it did as a bag of characters)', () => {
    const chunk = '公司规定：每位新员工入职后有十天培训，培训期间带薪，年底统一考核，假期另计。';
    const gold = '员工每年有十天带薪年假';
    expect(goldMatches(chunk, gold)).toBe(true); // the old bag-of-tokens test: 10 of the 11 characters (0.91)
    expect(locateGold(gold, [doc(chunk)])).toBeNull();
  });
  it('prefers the named gold document, counts repeated occurrences, and gives null for empty passages', () => {
    const a = doc('The manager approves taxis.', 'a', 'travel.md');
    const b = doc('Rule: the manager approves taxis. Again: the manager approves taxis.', 'b', 'Handbook.MD');
    expect(locateGold('The manager approves taxis', [a, b])).toMatchObject({ docId: 'a', occurrences: 3 });
    expect(locateGold('The manager approves taxis', [a, b], { preferDoc: 'handbook' })).toMatchObject({ docId: 'b', start: 6, occurrences: 3 });
    expect(locateGold(' … ', [a, b])).toBeNull();
    expect(foldedPassage('Ｔhe  MAN-ager!')).toBe('themanager');
  });
  it('places every gold passage of the sample test set in the sample files as extracted (Markdown, PDF, DOCX)', async () => {
    const dir = resolve(__dirname, '../../../public/sample');
    const docs = [];
    const chunks: ChunkSpan[] = [];
    for (const f of SAMPLE_FILES) {
      const ex = await extract(new Uint8Array(readFileSync(resolve(dir, f.name))), { fileName: f.name, maxBytes: 1e6, maxUnpackedBytes: 1e7 });
      docs.push(prepareDocument({ docId: f.name, name: f.name, text: ex.text }));
      for (const c of chunkDocument(ex, DEFAULT_CHUNKING)) chunks.push({ chunkId: `${f.name}:${c.index}`, docId: f.name, start: c.start, end: c.end });
    }
    expect(screenGold(SAMPLE_TESTSET, docs)).toEqual([]);
    for (const item of SAMPLE_TESTSET.filter((i) => i.goldPassages.length)) {
      const spans = locateItemGold(item, docs);
      for (const s of spans) expect(s, item.id).toMatchObject({ docId: item.goldDocument, match: 'exact', occurrences: 1 });
      // Some chunk of the default chunking is gold for every answerable question.
      expect(chunks.some((c) => isGoldChunk(c, spans)), item.id).toBe(true);
    }
  });
});

describe('gold chunks by position', () => {
  const span = { docId: 'd', start: 100, end: 200 };
  const c = (chunkId: string, start: number, end: number, docId = 'd'): ChunkSpan => ({ chunkId, docId, start, end });
  it(`a chunk is gold when it covers at least ${GOLD_SPAN_COVERAGE * 100}% of the span`, () => {
    expect(isGoldChunk(c('a', 0, 150), [span])).toBe(true); // 50 of 100
    expect(isGoldChunk(c('b', 0, 149), [span])).toBe(false); // 49 of 100
    expect(isGoldChunk(c('c', 90, 400), [span])).toBe(true);
    expect(isGoldChunk(c('d', 100, 200, 'other'), [span])).toBe(false); // same offsets, another document
    expect(isGoldChunk(c('e', 300, 400), [null, span])).toBe(false);
  });
  it('a passage longer than a chunk: a chunk at least half inside the span counts', () => {
    const long = { docId: 'd', start: 0, end: 1000 };
    expect(isGoldChunk(c('mid', 400, 600), [long])).toBe(true);
    expect(isGoldChunk(c('edge', 900, 1300), [long])).toBe(false); // 100 of its 400 characters inside
  });
  it('coverage of the union of ranges counts overlapping chunks once', () => {
    expect(coveredShare([c('a', 80, 160), c('b', 140, 180)], span)).toBeCloseTo(0.8, 15);
    expect(coveredShare([c('a', 0, 1000)], span)).toBe(1);
    expect(coveredShare([c('a', 0, 50)], span)).toBe(0);
  });
});

describe('spanRetrievalScores', () => {
  const gold = [{ docId: 'd', start: 100, end: 200 }];
  const c = (chunkId: string, start: number, end: number, docId = 'd'): ChunkSpan => ({ chunkId, docId, start, end });
  it('hand-computed: gold at rank 2 of k = 3', () => {
    const ranked = [c('x', 500, 600), c('g', 90, 210), c('y', 0, 60)];
    expect(spanRetrievalScores(ranked, gold, 3)).toEqual({ k: 3, hit: 1, recall: 1, precision: 1 / 3, rr: 0.5, goldChunkIds: ['g'], located: 1, unlocated: 0 });
    expect(spanRetrievalScores(ranked, gold, 1)).toEqual({ k: 1, hit: 0, recall: 0, precision: 0, rr: 0, goldChunkIds: [], located: 1, unlocated: 0 });
  });
  it('a passage split over two chunks: recall 1, and the chunk holding most of it is the first gold chunk', () => {
    const r = spanRetrievalScores([c('x', 500, 600), c('p1', 0, 160), c('p2', 150, 300)], gold, 3)!;
    expect(r).toMatchObject({ hit: 1, recall: 1, rr: 0.5, goldChunkIds: ['p1', 'p2'] });
  });
  it('two passages, one retrieved → recall 0.5; an unlocated passage is left out of recall and counted', () => {
    const two = [...gold, { docId: 'd', start: 800, end: 900 }];
    expect(spanRetrievalScores([c('g', 100, 200)], two, 2)!.recall).toBe(0.5);
    expect(spanRetrievalScores([c('g', 100, 200)], [gold[0], null], 2)).toMatchObject({ recall: 1, located: 1, unlocated: 1 });
    expect(spanRetrievalScores([c('g', 100, 200)], [null], 2)).toBeNull();
    expect(() => spanRetrievalScores([], gold, 0)).toThrow(RangeError);
  });
  it('duplicate chunk ids count once', () => {
    expect(spanRetrievalScores([c('g', 100, 200), c('g', 100, 200)], gold, 2)).toMatchObject({ precision: 0.5, goldChunkIds: ['g'] });
  });
});

describe('screenGold', () => {
  it('reports, per question, passages found in no document, approximate matches, and the wrong document', () => {
    const docs = [doc(EN, 'd1', 'handbook.md'), doc('Taxis above 150 yuan need the manager.', 'd2', 'travel.md')];
    const items = [
      { id: 'ok', goldPassages: ['Unused days carry over until March.'], goldDocument: 'handbook.md' },
      { id: 'missing', goldPassages: ['Unused days carry over until March.', 'Parking is free on weekends.'], goldDocument: 'handbook.md' },
      { id: 'elsewhere', goldPassages: ['Taxis above 150 yuan need the manager'], goldDocument: 'handbook' },
      { id: 'nodoc', goldPassages: [], goldDocument: 'policies.pdf' },
      { id: 'unanswerable', goldPassages: [] },
    ];
    expect(screenGold(items, docs)).toEqual([
      { itemId: 'missing', notFound: [{ index: 1, passage: 'Parking is free on weekends.' }], approximate: [], elsewhere: [], goldDocumentMissing: false },
      { itemId: 'elsewhere', notFound: [], approximate: [], elsewhere: [{ index: 0, docName: 'travel.md' }], goldDocumentMissing: false },
      { itemId: 'nodoc', notFound: [], approximate: [], elsewhere: [], goldDocumentMissing: true },
    ]);
  });
});

describe('merged copies of a passage', () => {
  it('a hit whose merged copy covers the gold span is gold (the PDF kept, the TXT holding the located span)', () => {
    const span = { docId: 'txt', start: 100, end: 160 };
    const pdfHit = { chunkId: 'pdf:3', docId: 'pdf', start: 900, end: 980, alsoIn: [{ chunkId: 'txt:1', docId: 'txt', start: 90, end: 170 }] };
    const alone = spanRetrievalScores([{ ...pdfHit, alsoIn: undefined }], [span], 1)!;
    expect([alone.hit, alone.recall, alone.rr]).toEqual([0, 0, 0]);
    const merged = spanRetrievalScores([pdfHit], [span], 1)!;
    expect([merged.hit, merged.recall, merged.rr, merged.goldChunkIds]).toEqual([1, 1, 1, ['pdf:3']]);
  });
});
