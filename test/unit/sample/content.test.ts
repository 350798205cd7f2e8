// The sample workspace: the test set is well-formed, its gold passages are verbatim handbook text,
// and the committed files in public/sample/ (made by tools/make-sample.mjs) still carry that text.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { extract } from '../../../src/extract';
import { chunkDocument, DEFAULT_CHUNKING } from '../../../src/chunking/chunk';
import { goldMatches } from '../../../src/eval/metrics';
import {
  HANDBOOK, SAMPLE_EXAMPLES, SAMPLE_FILES, SAMPLE_QUESTION_GOLD, SAMPLE_TESTSET, SAMPLE_TESTSET_FILE, SAMPLE_TESTSET_NAME, handbookMarkdown,
} from '../../../src/sample/content';

const dir = resolve(__dirname, '../../../public/sample');
const allText = (lang: 'en' | 'zh') => handbookMarkdown(lang, ['leave', 'expenses', 'security']);
const isZh = (s: string) => /[\u4e00-\u9fff]/u.test(s);

describe('sample test set', () => {
  it('has 20 questions, about half in each language, two of them unanswerable', () => {
    expect(SAMPLE_TESTSET).toHaveLength(20);
    expect(new Set(SAMPLE_TESTSET.map((i) => i.id)).size).toBe(20);
    expect(SAMPLE_TESTSET.filter((i) => isZh(i.question))).toHaveLength(10);
    const unanswerable = SAMPLE_TESTSET.filter((i) => i.answer === '');
    expect(unanswerable).toHaveLength(2);
    for (const i of unanswerable) expect(i.goldPassages).toEqual([]);
  });

  it('copies every gold passage verbatim from the handbook in the question\'s language', () => {
    for (const item of SAMPLE_TESTSET.filter((i) => i.answer)) {
      expect(item.goldPassages.length, item.id).toBeGreaterThan(0);
      for (const g of item.goldPassages) expect(allText(isZh(item.question) ? 'zh' : 'en'), item.id).toContain(g);
      expect(SAMPLE_FILES.map((f) => f.name)).toContain(item.goldDocument);
    }
    expect(allText('en')).toContain(SAMPLE_QUESTION_GOLD.en);
    expect(allText('zh')).toContain(SAMPLE_QUESTION_GOLD.zh);
  });

  it('has every handbook part in both languages with the same number of sections', () => {
    expect(HANDBOOK.en.map((p) => [p.id, p.sections.length])).toEqual(HANDBOOK.zh.map((p) => [p.id, p.sections.length]));
  });

  it('keeps the few-shot examples off the handbook, so they teach style and leak no answer', () => {
    expect(SAMPLE_EXAMPLES).toHaveLength(4);
    for (const ex of SAMPLE_EXAMPLES) {
      expect(ex.id.startsWith('sample:')).toBe(true);
      for (const item of SAMPLE_TESTSET) expect(ex.question).not.toBe(item.question);
    }
  });
});

describe('public/sample files', () => {
  it('are small and carry every gold passage of their document after extraction and chunking', async () => {
    for (const f of SAMPLE_FILES) {
      const bytes = new Uint8Array(readFileSync(resolve(dir, f.name)));
      expect(bytes.length, f.name).toBeLessThan(16_000);
      const doc = await extract(bytes, { fileName: f.name, maxBytes: 1e6, maxUnpackedBytes: 1e7 });
      expect(doc.kind).toBe(f.format);
      const chunks = chunkDocument(doc, DEFAULT_CHUNKING);
      for (const item of SAMPLE_TESTSET.filter((i) => i.goldDocument === f.name)) {
        for (const g of item.goldPassages) expect(chunks.some((c) => goldMatches(c.text, g)), `${f.name}: ${item.id}`).toBe(true);
      }
    }
  });

  it('the Markdown files are exactly what the generator writes (regenerate with node tools/make-sample.mjs)', () => {
    for (const f of SAMPLE_FILES.filter((x) => x.format === 'md')) {
      expect(readFileSync(resolve(dir, f.name), 'utf8')).toBe(handbookMarkdown(f.lang, f.parts));
    }
    const json = JSON.parse(readFileSync(resolve(dir, SAMPLE_TESTSET_FILE), 'utf8'));
    expect(json).toEqual({ name: SAMPLE_TESTSET_NAME, items: SAMPLE_TESTSET });
  });
});

describe('sample ids', () => {
  it('the start-up question is the test set’s first question', async () => {
    const { SAMPLE_QUESTION } = await import('../../../src/sample/ids');
    const { SAMPLE_TESTSET } = await import('../../../src/sample/content');
    expect(SAMPLE_QUESTION.en).toBe(SAMPLE_TESTSET[0].question);
  });
});
