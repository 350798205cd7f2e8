import { describe, expect, it } from 'vitest';
import { latestEvalSummary, seedFor, summarize, toEvidenceSummary } from '../../../src/eval/summary';
import { putEvalItem, putEvalRun } from '../../../src/store/runs';
import { freshDb } from '../store/helpers';
import { CONFIG, ITEMS, makeResults } from './fixtures';

describe('summarize', () => {
  const results = makeResults();
  const s = summarize('run1', CONFIG, results);

  it('hand-computed means per method, answerable questions only for answer metrics', () => {
    const [plain, rag] = s.methods;
    expect(plain.method).toBe('plain');
    expect([plain.items, plain.answerable, plain.unanswerable]).toEqual([4, 3, 1]);
    // rag answers: "Leave is fifteen days. [1]" vs "fifteen days": P 2/4 R 1 → F1 2/3; q2 "taxis need manager" vs "manager" (articles dropped): P 1/3, R 1 → 0.5; q3 miss → 0.
    expect(rag.f1!.mean).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 12);
    expect(rag.recall!.mean).toBeCloseTo((1 + 1 + 0) / 3, 12);
    expect(rag.em!.mean).toBe(0);
    expect(rag.retrieval).toMatchObject({ k: 2, n: 3 });
    expect(rag.retrieval!.hit!.mean).toBeCloseTo(2 / 3, 12);
    expect(rag.retrieval!.precision!.mean).toBeCloseTo((0.5 + 0.5 + 0) / 3, 12);
    expect(rag.retrieval!.mrr!.mean).toBeCloseTo(2 / 3, 12);
    expect(plain.retrieval).toBeNull();
    // The refusal on the unanswerable question counts for rag; plain echoed the question.
    expect(rag.refusedUnanswerable!.mean).toBe(1);
    expect(plain.refusedUnanswerable!.mean).toBe(0);
    expect(plain.groundedness!.mean).toBe(0);
    expect(rag.groundedness!.mean).toBeGreaterThan(0.5);
    expect(rag.containment!.mean).toBeGreaterThan(plain.containment!.mean);
    expect(plain.promptTokens).toBe(20);
    expect(rag.totalMs).toBe(280);
    expect(rag.retrievalMs).toBe(5);
    expect(s.complete).toBe(true);
  });

  it('intervals contain the mean; the paired diff is over the same questions', () => {
    for (const m of s.methods) expect(m.f1!.low).toBeLessThanOrEqual(m.f1!.mean);
    expect(s.diffs).toHaveLength(1);
    expect(s.diffs[0]).toMatchObject({ a: 'plain', b: 'rag' });
    expect(s.diffs[0].f1.n).toBe(3);
    expect(s.diffs[0].f1.mean).toBeCloseTo(s.methods[0].f1!.mean - s.methods[1].f1!.mean, 12);
  });

  it('deterministic for a seed whatever the order of the rows; another seed moves the bounds', () => {
    expect(summarize('run1', CONFIG, [...results].reverse())).toEqual(s);
    const other = summarize('run1', { ...CONFIG, seed: 43 }, results);
    expect(other.methods[1].f1!.mean).toBe(s.methods[1].f1!.mean);
    expect(other.seed).toBe(43);
    expect({ ...other, seed: 42 }).not.toEqual(s);
    expect(seedFor(42, 'rag/f1')).toBe(seedFor(42, 'rag/f1'));
    expect(seedFor(42, 'rag/f1')).not.toBe(seedFor(42, 'plain/f1'));
  });

  it('a partial run is marked incomplete', () => {
    expect(summarize('r', CONFIG, results.slice(0, 3)).complete).toBe(false);
  });

  it('evidence summary for the guide', () => {
    const e = toEvidenceSummary(s, CONFIG);
    expect(e.testSetName).toBe('Handbook');
    expect(e.model).toBe('echo');
    expect(e.methods.map((m) => m.method)).toEqual(['plain', 'rag']);
    expect(e.methods[1]).toMatchObject({ n: 3, k: 2, promptTokens: 80, latencyMs: 285, runIds: ['run1'] });
    expect(e.methods[1].retrievalRecallAtK!.mean).toBeCloseTo(2 / 3, 12);
    expect(e.methods[0].retrievalRecallAtK).toBeUndefined();
    expect(e.diffs![0]).toMatchObject({ a: 'plain', b: 'rag' });
  });
});

describe('latestEvalSummary', () => {
  it('the newest run marked done; null when there is none', async () => {
    const db = await freshDb();
    expect(await latestEvalSummary(db)).toBeNull();
    await putEvalRun(db, { id: 'old', testSetId: 't', createdAt: 1, status: 'done', config: CONFIG });
    await putEvalRun(db, { id: 'new-running', testSetId: 't', createdAt: 3, status: 'running', config: CONFIG });
    for (const r of makeResults()) {
      await putEvalItem(db, { evalRunId: 'old', itemId: r.itemId, method: r.method, result: r });
      await putEvalItem(db, { evalRunId: 'new-running', itemId: r.itemId, method: r.method, result: r });
    }
    const got = await latestEvalSummary(db);
    expect(got?.runId).toBe('old');
    expect(got?.summary.methods).toHaveLength(2);
    expect(got?.summary.methods[0].runIds).toEqual(['old']);
    expect(ITEMS).toHaveLength(4);
  });
});
