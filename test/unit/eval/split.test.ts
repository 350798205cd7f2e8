// The held-out split (seeded, stratified, order-independent, stable when questions are added) and
// the export-log overlap. Expected ids were computed by an independent Python reimplementation of
// FNV-1a 32 + mulberry32 + "the round(share × n) smallest keys per stratum" (see each test).

import { describe, expect, it } from 'vitest';
import { exportedOverlap, extendSplit, fnv1a32, isHeldOut, makeExportLogEntry, makeSplit, splitKey, trainingItems, type ExportLogEntry } from '../../../src/eval/split';
import type { TestItem } from '../../../src/eval/testset';

const item = (id: string, answerable = true): TestItem => ({ id, question: `Question ${id}?`, answer: answerable ? `Answer ${id}` : '', goldPassages: [], tags: [] });
/** q1…q30; every third one unanswerable (20 answerable, 10 unanswerable). */
const ITEMS = Array.from({ length: 30 }, (_, i) => item(`q${i + 1}`, (i + 1) % 3 !== 0));
const NOW = 1_700_000_000_000;

describe('keys', () => {
  it('FNV-1a 32 matches the published test vectors ("" → 811c9dc5, "a" → e40c292c, "foobar" → bf9cf968)', () => {
    expect([fnv1a32(''), fnv1a32('a'), fnv1a32('foobar')]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });
  it('splitKey = mulberry32(fnv1a32("seed\\0id")) first draw; Python reference: 0.2866432699, 0.8632835129', () => {
    expect(splitKey(42, 'q1')).toBeCloseTo(0.2866432699, 10);
    expect(splitKey(42, 'q2')).toBeCloseTo(0.8632835129, 10);
  });
});

describe('makeSplit', () => {
  it('holds out round(0.3 × n) per stratum: 6 of 20 answerable, 3 of 10 unanswerable (Python reference ids)', () => {
    const s = makeSplit(ITEMS, { seed: 7, now: NOW });
    // python3: sorted per stratum by (key(7, id), id)[:k] → q1 q3 q5 q7 q10 q13 q15 q20 q21
    expect(s.heldOut).toEqual(['q1', 'q3', 'q5', 'q7', 'q10', 'q13', 'q15', 'q20', 'q21']);
    expect(s.heldOut.filter((id) => Number(id.slice(1)) % 3 === 0)).toHaveLength(3);
    expect(s.train).toHaveLength(21);
    expect(new Set([...s.heldOut, ...s.train]).size).toBe(30);
    expect(s).toMatchObject({ version: 1, seed: 7, heldOutShare: 0.3, stratified: true, createdAt: NOW });
  });

  it('the same items in another order give the same split; another seed gives another', () => {
    const a = makeSplit(ITEMS, { seed: 7, now: NOW });
    const b = makeSplit([...ITEMS].reverse(), { seed: 7, now: NOW });
    expect([...b.heldOut].sort()).toEqual([...a.heldOut].sort());
    expect(makeSplit(ITEMS, { seed: 8, now: NOW }).heldOut).not.toEqual(a.heldOut);
  });

  it('edge shares: 0 holds out nothing, 1 everything; below 1 a 2-item stratum keeps one each side; unstratified uses one pool', () => {
    expect(makeSplit(ITEMS, { seed: 1, heldOutShare: 0, now: NOW }).heldOut).toEqual([]);
    const tiny = makeSplit([item('a'), item('b'), item('c', false), item('d', false)], { seed: 1, heldOutShare: 0.1, now: NOW });
    expect(tiny.heldOut).toHaveLength(2);
    expect(makeSplit([item('a'), item('b')], { seed: 1, heldOutShare: 0.9, now: NOW }).heldOut).toHaveLength(1);
    // 1 is an explicit "evaluation only": nothing may be trained on.
    expect(makeSplit([item('a'), item('b')], { seed: 1, heldOutShare: 1, now: NOW }).train).toEqual([]);
    expect(makeSplit(ITEMS, { seed: 7, stratify: false, now: NOW }).heldOut).toHaveLength(9);
    expect(() => makeSplit(ITEMS, { seed: 1, heldOutShare: 1.5, now: NOW })).toThrow(RangeError);
  });
});

describe('extendSplit', () => {
  it('new questions are assigned without moving any existing one, keeping each stratum near the share', () => {
    const s = makeSplit(ITEMS.slice(0, 20), { seed: 3, now: NOW });
    const more = [...ITEMS, item('x1'), item('x2'), item('x3', false)];
    const t = extendSplit(s, more);
    for (const id of s.heldOut) expect(isHeldOut(t, id)).toBe(true);
    for (const id of s.train) expect(isHeldOut(t, id)).toBe(false);
    expect(t.heldOut.length + t.train.length).toBe(33);
    const share = (ids: string[], pick: (it: TestItem) => boolean) => ids.filter((id) => pick(more.find((m) => m.id === id)!)).length;
    const ans = (it: TestItem) => it.answer !== '';
    const heldAns = share(t.heldOut, ans) / (share(t.heldOut, ans) + share(t.train, ans));
    expect(Math.abs(heldAns - 0.3)).toBeLessThan(0.06);
    expect(extendSplit(t, more)).toBe(t);
  });

  it('trainingItems never returns a held-out or unknown question', () => {
    const s = makeSplit(ITEMS, { seed: 7, now: NOW });
    const got = trainingItems(s, [...ITEMS, item('new')]).map((it) => it.id);
    expect(got).toHaveLength(21);
    expect(got.some((id) => s.heldOut.includes(id) || id === 'new')).toBe(false);
  });
});

describe('export log', () => {
  const entry = (id: string, testSetId: string, itemIds: string[]): ExportLogEntry =>
    makeExportLogEntry({ id, at: NOW, testSetId, source: 'test-set', format: 'llama-factory-alpaca', raft: { distractors: 3, goldShare: 0.8, seed: 1 }, itemIds, fileName: 'x.json' });

  it('names the evaluated questions that an export of the same test set contained, and which exports', () => {
    const log = [entry('e1', 'set1', ['q1', 'q2']), entry('e2', 'set2', ['q3']), entry('e3', 'set1', ['q2', 'q9'])];
    const o = exportedOverlap(log, 'set1', ['q2', 'q3', 'q9', 'q4']);
    expect(o.itemIds).toEqual(['q2', 'q9']);
    expect(o.entries.map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(exportedOverlap(log, 'set1', ['q4']).entries).toEqual([]);
  });

  it('a log entry is a copy: changing the source lists later does not change it', () => {
    const ids = ['q1'];
    const e = makeExportLogEntry({ id: 'e', at: NOW, testSetId: 's', source: 'accepted', format: 'openai', raft: null, itemIds: ids, fileName: 'f' });
    ids.push('q2');
    expect(e.itemIds).toEqual(['q1']);
  });
});
