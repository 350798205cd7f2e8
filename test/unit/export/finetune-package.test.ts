// The preview plan (decides exactly as the export does), the one-download packaging (single JSONL as
// is; LLaMA-Factory's two files as one ZIP that unzips to the data file and dataset_info.json side by
// side) and the export-log entry copy.

import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { makeExportLogEntry, makeSplit, type ExportLogEntry } from '../../../src/eval/split';
import type { TestItem } from '../../../src/eval/testset';
import { examplesFromTestSet, packageExport, planTestSetExport, serializeTraining, type TrainingExample } from '../../../src/export/finetune';

const item = (id: string, answer: string, gold: string[] = []): TestItem => ({ id, question: `Question ${id}?`, answer, goldPassages: gold, tags: [] });
const ITEMS: TestItem[] = [
  item('a1', 'one', ['Passage one.']),
  item('a2', 'two', ['Passage two.']),
  item('a3', 'three', ['  ']), // a blank gold passage is none
  item('a4', 'four'),
  item('u1', ''),
  item('u2', ''),
  item('a5', 'five', ['Passage five.']),
];
const SPLIT = { ...makeSplit(ITEMS, { seed: 1, heldOutShare: 0, now: 0 }), heldOut: ['a2', 'u2'], train: ['a1', 'a3', 'a4', 'u1', 'a5'] };
const retrieve = async () => [{ id: 'c1', docName: 'd.md', text: 'Something else entirely.' }];

describe('planTestSetExport', () => {
  it('names the same examples and skips as examplesFromTestSet, with and without RAFT and unanswerable questions', async () => {
    for (const raft of [false, true]) {
      for (const includeUnanswerable of [true, false]) {
        const plan = planTestSetExport(ITEMS, SPLIT, { raft, includeUnanswerable });
        const built = await examplesFromTestSet(ITEMS, { lang: 'en', systemPrompt: '', split: SPLIT, raft: raft ? { distractors: 1, goldShare: 1, seed: 1, retrieve } : null, includeUnanswerable });
        expect(plan.itemIds).toEqual(built.examples.map((e) => e.itemId));
        expect(plan.skipped).toEqual(built.skipped);
      }
    }
    expect(planTestSetExport(ITEMS, SPLIT, { raft: true })).toEqual({
      itemIds: ['a1', 'u1', 'a5'],
      skipped: [
        { itemId: 'a2', reason: 'held-out' },
        { itemId: 'a3', reason: 'no-gold-passage' },
        { itemId: 'a4', reason: 'no-gold-passage' },
        { itemId: 'u2', reason: 'held-out' },
      ],
    });
  });
});

const EXAMPLES: TrainingExample[] = [
  { itemId: 'q1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '年假有几天？' }, { role: 'assistant', content: '十五天。' }] },
  { itemId: 'q2', messages: [{ role: 'user', content: 'Who approves taxis?' }, { role: 'assistant', content: 'The manager.' }] },
];
const MTIME = Date.UTC(2026, 0, 2, 3, 4, 6);

describe('packageExport', () => {
  it('OpenAI and ms-swift: the single JSONL file as it is', () => {
    for (const format of ['openai', 'ms-swift'] as const) {
      const exp = serializeTraining(EXAMPLES, format, 'HR 手册 set');
      const file = packageExport(exp, format, 'HR 手册 set', MTIME);
      expect(file).toEqual({ name: exp.files[0].name, mime: 'application/jsonl', data: exp.files[0].text });
    }
  });

  it('LLaMA-Factory: one ZIP holding the data file and dataset_info.json, byte for byte', () => {
    for (const format of ['llama-factory-alpaca', 'llama-factory-sharegpt'] as const) {
      const exp = serializeTraining(EXAMPLES, format, 'HR set');
      const file = packageExport(exp, format, 'HR set', MTIME);
      expect(file.name).toBe(format === 'llama-factory-alpaca' ? 'hr_set_llama_factory_alpaca.zip' : 'hr_set_llama_factory_sharegpt.zip');
      expect(file.mime).toBe('application/zip');
      if (typeof file.data === 'string') throw new Error('expected bytes');
      // Local file header signature "PK\3\4" (APPNOTE.TXT 4.3.7).
      expect([...file.data.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
      const unzipped = unzipSync(file.data);
      expect(Object.keys(unzipped).sort()).toEqual([...exp.files.map((f) => f.name)].sort());
      for (const f of exp.files) expect(strFromU8(unzipped[f.name])).toBe(f.text);
      const info = JSON.parse(strFromU8(unzipped['dataset_info.json']));
      expect(Object.keys(info)).toEqual(['hr_set']);
      expect(info.hr_set.file_name).toBe(exp.files[0].name);
    }
  });
});

describe('export log entry', () => {
  it('copies the retrieval record too: later changes to the source do not reach the entry', () => {
    const fallbacks = ['The embedding model x could not be loaded.'];
    const src: ExportLogEntry = { id: 'e', at: 1, testSetId: 's', source: 'test-set', format: 'openai', raft: { distractors: 3, goldShare: 0.8, seed: 1, retrieval: { bm25: true, dense: false, rerank: false, embedder: null, fallbacks } }, itemIds: ['q1'], fileName: 'f' };
    const entry = makeExportLogEntry(src);
    fallbacks.push('changed');
    src.raft!.retrieval!.dense = true;
    expect(entry.raft!.retrieval).toEqual({ bm25: true, dense: false, rerank: false, embedder: null, fallbacks: ['The embedding model x could not be loaded.'] });
  });
});
