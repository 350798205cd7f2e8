import { describe, expect, it } from 'vitest';
import { freshDb } from './helpers';
import { deleteSetting, getSetting, setSetting } from '../../../src/store/settings';
import { deleteExample, getExample, listExamples, putExample } from '../../../src/store/examples';
import { deleteTestSet, getTestSet, listTestSets, putTestSet } from '../../../src/store/testsets';
import {
  deleteEvalRun, deleteRun, evalItemKey, evalItemsFor, finishedKeys, getEvalRun, getRun, listEvalRuns,
  listRuns, putEvalItem, putEvalRun, putRun,
} from '../../../src/store/runs';
import type { TestSetRecord } from '../../../src/store/db';

describe('settings', () => {
  it('returns the fallback until set, then the stored JSON value', async () => {
    const db = await freshDb();
    expect(await getSetting(db, 'host', 'https://huggingface.co')).toBe('https://huggingface.co');
    await setSetting(db, 'host', 'http://mirror.local');
    await setSetting(db, 'weights', { bm25: 0.4, vector: 0.6, list: [1, 2] });
    await setSetting(db, 'off', false);
    expect(await getSetting(db, 'host', '')).toBe('http://mirror.local');
    expect(await getSetting(db, 'weights', {})).toEqual({ bm25: 0.4, vector: 0.6, list: [1, 2] });
    expect(await getSetting(db, 'off', true)).toBe(false);
    await deleteSetting(db, 'host');
    expect(await getSetting(db, 'host', 'fallback')).toBe('fallback');
  });
});

describe('examples', () => {
  it('puts, gets, lists oldest first, replaces and deletes', async () => {
    const db = await freshDb();
    await putExample(db, { id: 'b', question: 'Q2', answer: 'A2', createdAt: 20 });
    await putExample(db, { id: 'a', question: '问题', answer: '答案', createdAt: 10, sample: true });
    expect((await listExamples(db)).map((e) => e.id)).toEqual(['a', 'b']);
    await putExample(db, { id: 'b', question: 'Q2 edited', answer: 'A2', createdAt: 20 });
    expect((await getExample(db, 'b'))?.question).toBe('Q2 edited');
    await deleteExample(db, 'a');
    expect(await getExample(db, 'a')).toBeUndefined();
    expect(await listExamples(db)).toHaveLength(1);
  });
});

describe('testsets', () => {
  it('puts, gets, lists oldest first and deletes', async () => {
    const db = await freshDb();
    const set: TestSetRecord = {
      id: 't1', name: 'Handbook', createdAt: 5, sample: true,
      items: [{ id: 'i1', question: 'Q', answer: 'A', goldPassages: ['p'], goldDocument: 'd1', tags: ['easy'] }],
    };
    await putTestSet(db, set);
    await putTestSet(db, { id: 't0', name: 'Older', createdAt: 1, items: [] });
    expect(await getTestSet(db, 't1')).toEqual(set);
    expect((await listTestSets(db)).map((t) => t.id)).toEqual(['t0', 't1']);
    await deleteTestSet(db, 't1');
    expect(await getTestSet(db, 't1')).toBeUndefined();
  });
});

describe('runs', () => {
  it('lists lab runs newest first, with a limit', async () => {
    const db = await freshDb();
    for (const [id, createdAt] of [['r1', 100], ['r3', 300], ['r2', 200]] as const) {
      await putRun(db, { id, createdAt, question: 'q', settings: { k: 4 }, model: 'qwen', engine: 'webllm', lanes: [{ method: 'rag' }] });
    }
    expect((await listRuns(db)).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect((await listRuns(db, 2)).map((r) => r.id)).toEqual(['r3', 'r2']);
    expect((await getRun(db, 'r2'))?.lanes).toEqual([{ method: 'rag' }]);
    await deleteRun(db, 'r2');
    expect(await getRun(db, 'r2')).toBeUndefined();
  });

  it('stores evaluation runs and items, reports finished keys for resume, and deletes a run with its items', async () => {
    const db = await freshDb();
    await putEvalRun(db, { id: 'e1', testSetId: 't', createdAt: 1, status: 'running', config: { methods: ['plain', 'rag'] } });
    await putEvalRun(db, { id: 'e2', testSetId: 'u', createdAt: 2, status: 'done', config: {} });
    await putEvalItem(db, { evalRunId: 'e1', itemId: 'i1', method: 'plain', result: { f1: 0.5 } });
    await putEvalItem(db, { evalRunId: 'e1', itemId: 'i1', method: 'rag', result: { f1: 0.9 } });
    await putEvalItem(db, { evalRunId: 'e1', itemId: 'i|2', method: 'plain', result: null });
    await putEvalItem(db, { evalRunId: 'e1', itemId: 'i1', method: 'rag', result: { f1: 1 } }); // a retry replaces
    await putEvalItem(db, { evalRunId: 'e2', itemId: 'i1', method: 'plain', result: {} });

    const items = await evalItemsFor(db, 'e1');
    expect(items.map((i) => [i.itemId, i.method])).toEqual([['i1', 'plain'], ['i1', 'rag'], ['i|2', 'plain']]);
    expect(items[1].result).toEqual({ f1: 1 });
    expect(await finishedKeys(db, 'e1')).toEqual(new Set([evalItemKey('i1', 'plain'), evalItemKey('i1', 'rag'), evalItemKey('i|2', 'plain')]));
    expect(evalItemKey('a|b', 'c')).not.toBe(evalItemKey('a', 'b|c'));

    expect((await listEvalRuns(db)).map((r) => r.id)).toEqual(['e2', 'e1']);
    expect((await listEvalRuns(db, 't')).map((r) => r.id)).toEqual(['e1']);
    await putEvalRun(db, { ...(await getEvalRun(db, 'e1'))!, status: 'cancelled' });
    expect((await getEvalRun(db, 'e1'))?.status).toBe('cancelled');

    await deleteEvalRun(db, 'e1');
    expect(await getEvalRun(db, 'e1')).toBeUndefined();
    expect(await evalItemsFor(db, 'e1')).toEqual([]);
    expect(await finishedKeys(db, 'e1')).toEqual(new Set());
    expect(await evalItemsFor(db, 'e2')).toHaveLength(1);
  });
});
