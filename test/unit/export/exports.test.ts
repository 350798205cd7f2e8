import { describe, expect, it } from 'vitest';
import { BundleError, bundleToJson, importBundle, makeBundle, parseBundle, sameSummary } from '../../../src/export/bundle';
import { finetuneExample, toFinetuneJsonl } from '../../../src/export/finetune';
import { RESULT_COLUMNS, resultRows, resultsToCsv, resultsToJson } from '../../../src/export/results';
import { loadRunSummary, summarize } from '../../../src/eval/summary';
import { parseCsvRecords } from '../../../src/extract/csv';
import { getEvalRun } from '../../../src/store/runs';
import { getTestSet } from '../../../src/store/testsets';
import type { EvalRunRecord } from '../../../src/store/db';
import { freshDb } from '../store/helpers';
import { CONFIG, makeResults } from '../eval/fixtures';

const RUN: EvalRunRecord = { id: 'run1', testSetId: 'set1', createdAt: 1_700_000_000_000, status: 'done', config: CONFIG };

describe('results CSV and JSON', () => {
  const rows = resultRows('run1', CONFIG, [...makeResults()].reverse());
  it('one row per question × method in test-set then method order; empty cell = not applicable', () => {
    expect(rows.map((r) => `${r.item_id}/${r.method}`)).toEqual(['q1/plain', 'q1/rag', 'q2/plain', 'q2/rag', 'q3/plain', 'q3/rag', 'q4/plain', 'q4/rag']);
    const csv = resultsToCsv(rows);
    expect(csv.startsWith('\uFEFFrun_id,item_id,method,question')).toBe(true);
    const { records } = parseCsvRecords(csv.slice(1).replace(/\r\n/gu, '\n'));
    expect(records).toHaveLength(9);
    expect(records[0].fields).toEqual([...RESULT_COLUMNS]);
    const q4 = Object.fromEntries(records[7].fields.map((v, i) => [RESULT_COLUMNS[i], v]));
    expect(q4).toMatchObject({ item_id: 'q4', method: 'plain', answerable: '0', token_f1: '', hit_at_k: '', refused: '0' });
    const q1rag = Object.fromEntries(records[2].fields.map((v, i) => [RESULT_COLUMNS[i], v]));
    expect(q1rag).toMatchObject({ answer: 'Leave is fifteen days. [1]', hit_at_k: '1', recall_at_k: '1', k: '2', prompt_tokens: '80' });
  });
  it('JSON carries the settings (without the questions twice), the summary and the rows', () => {
    const j = JSON.parse(resultsToJson('run1', CONFIG, summarize('run1', CONFIG, makeResults()), rows));
    expect(j.format).toBe('method-lab-eval-results');
    expect(j.settings.methods).toEqual(['plain', 'rag']);
    expect(j.settings.items).toBeUndefined();
    expect(j.summary.arms).toHaveLength(2);
    expect(j.rows).toHaveLength(8);
  });
});

describe('fine-tuning JSONL', () => {
  const results = makeResults().map((r) => (r.itemId === 'q1' || (r.itemId === 'q2' && r.method === 'rag') ? { ...r, thumb: 'up' as const } : r));
  it('only thumbs-up answers, chat format, one object per line', () => {
    const { text, count } = toFinetuneJsonl(CONFIG, results, { includeContext: false });
    expect(count).toBe(3);
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'How long is leave?' },
      { role: 'assistant', content: 'How long is leave?' },
    ] });
    // Without context, citation markers are removed from the answer.
    expect(lines[1].messages[2].content).toBe('Leave is fifteen days.');
  });
  it('with context: the RAG shape, numbered passages, citations kept; non-retrieving answers stay plain', () => {
    const rag = results.find((r) => r.itemId === 'q2' && r.method === 'rag')!;
    const ex = finetuneExample(CONFIG, rag, { includeContext: true })!;
    expect(ex.messages[0].content).toContain('Answer using only the context below.');
    expect(ex.messages[1].content).toBe('Context:\n[1] (handbook.md) Taxis need the manager.\n\nQuestion: Who approves taxis?');
    expect(ex.messages[2].content).toBe('Taxis need the manager. [1]');
    const plain = results.find((r) => r.itemId === 'q1' && r.method === 'plain')!;
    expect(finetuneExample(CONFIG, plain, { includeContext: true })!.messages[1].content).toBe('How long is leave?');
  });
  it('nothing accepted → empty file', () => {
    expect(toFinetuneJsonl(CONFIG, makeResults(), { includeContext: true })).toEqual({ text: '', count: 0 });
  });
});

describe('reproducible bundle', () => {
  const results = makeResults();
  const summary = summarize('run1', CONFIG, results);
  const text = bundleToJson(makeBundle(RUN, CONFIG, results, summary, 1_800_000_000_000));

  it('round trip: import stores the run, its results and its test set; the recomputed summary matches', async () => {
    const db = await freshDb();
    const b = parseBundle(text);
    const got = await importBundle(db, b);
    expect(got).toEqual({ runId: 'run1', verified: true, testSetCreated: true });
    expect((await getTestSet(db, 'set1'))?.items).toHaveLength(4);
    const run = (await getEvalRun(db, 'run1'))!;
    expect(run.status).toBe('done');
    const loaded = (await loadRunSummary(db, run))!;
    expect(loaded.results).toHaveLength(8);
    expect(sameSummary(loaded.summary, summary)).toBe(true);
    expect(loaded.summary.arms).toEqual(summary.arms);
    // Importing again does not overwrite: a new id.
    const again = await importBundle(db, parseBundle(text), () => 'run2');
    expect(again).toEqual({ runId: 'run2', verified: true, testSetCreated: false });
  });

  it('a tampered score is detected as not verified', async () => {
    const b = JSON.parse(text);
    b.results[1].scores.f1 = 0.99;
    const got = await importBundle(await freshDb(), parseBundle(JSON.stringify(b)));
    expect(got.verified).toBe(false);
  });

  it('bad files give errors that say what is wrong', () => {
    const code = (t: string) => {
      try {
        parseBundle(t);
        return 'ok';
      } catch (e) {
        return e instanceof BundleError ? `${e.code}${e.detail.row ? `@${e.detail.row}` : ''}` : 'other';
      }
    };
    expect(code('{oops')).toBe('not-json');
    expect(code('{"format": "method-lab-testset"}')).toBe('not-a-bundle');
    const b = JSON.parse(text);
    expect(code(JSON.stringify({ ...b, version: 9 }))).toBe('newer-version');
    expect(code(JSON.stringify({ ...b, run: { ...b.run, config: { ...b.run.config, seed: 'x' } } }))).toBe('bad-run');
    const broken = structuredClone(b);
    delete broken.results[2].scores;
    expect(code(JSON.stringify(broken))).toBe('bad-result@3');
    expect(code(text)).toBe('ok');
  });
});
