// The sweep's verdict: intervals per setting, paired tests against the current setting, Holm over all
// settings shown, and a winner only past meetsBar. Reference values from scipy 1.17 (commands inline).
import { describe, expect, it } from 'vitest';
import { runSweepSettings, settingKey, type ItemScores, type SettingResult, type SweepSetting } from '../../../src/retrieval/sweep';
import { metricValue, sweepReport } from '../../../src/retrieval/sweep-report';
import { currentSetting, defaultForm, modeOfSwitches, parseNumberList, planSettings, switchesOfMode } from '../../../src/retrieval/sweep-plan';

const setting = (over: Partial<SweepSetting>): SweepSetting => ({ unit: 'tokens', size: 200, overlap: 40, mode: 'hybrid', headers: true, dedupe: true, ...over });

/** A result with ks [1, 5]: hit@5 and rr per item as given (hit@1 = rr === 1, recall@k = hit@k). */
function result(s: SweepSetting, hit5: number[], rr: number[] = hit5.map((h) => (h ? 1 : 0))): SettingResult {
  const items: ItemScores[] = hit5.map((h, i) => ({
    id: `q${i}`,
    hit: [rr[i] === 1 ? 1 : 0, h ? 1 : 0],
    recall: [rr[i] === 1 ? 1 : 0, h],
    rr: rr[i],
    firstGoldRank: rr[i] > 0 ? Math.round(1 / rr[i]) : null,
    ranked: [],
  }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { setting: s, chunks: 10, ks: [1, 5], hitAt: [mean(items.map((x) => x.hit[0]!)), mean(hit5)], recallAt: [mean(items.map((x) => x.recall[0]!)), mean(hit5)], mrr: mean(rr), mrrAt: 10, n: items.length, items, ms: 1 };
}

const BASE = setting({});
const A = setting({ size: 100, overlap: 0 });
const C = setting({ mode: 'bm25' });
const baseHits = [1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0];
const aHits = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
const cHits = [1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0];

describe('sweepReport', () => {
  it('Wilson intervals, exact McNemar against the current setting, Holm over the settings shown, and the winner', () => {
    const r = sweepReport([result(BASE, baseHits), result(A, aHits), result(C, cHits)], settingKey(BASE), { k: 5, metric: 'hit' });
    expect(r.rows.map((x) => x.key)).toEqual([settingKey(A), settingKey(C), settingKey(BASE)]);
    const a = r.rows[0];
    // binomtest(11, 12).proportion_ci(method='wilson') → (0.6461200888588831, 0.985134905595083)
    expect(a.hit?.mean).toBeCloseTo(11 / 12, 12);
    expect(a.hit?.ci?.low).toBeCloseTo(0.6461200888588831, 12);
    expect(a.hit?.ci?.high).toBeCloseTo(0.985134905595083, 12);
    // binomtest(4, 12).proportion_ci(method='wilson') → (0.1381200910912132, 0.6093779111272004)
    expect(r.baseline?.hit?.ci?.low).toBeCloseTo(0.1381200910912132, 12);
    expect(r.baseline?.hit?.ci?.high).toBeCloseTo(0.6093779111272004, 12);
    // binomtest(7, 7).pvalue → 0.015625 (7 discordant pairs, all for A); binomtest(1, 1).pvalue → 1.0
    expect(a.comparison).toMatchObject({ test: 'mcnemar-exact', n: 12, aOnly: 7, bOnly: 0, family: 2 });
    expect(a.comparison?.p).toBeCloseTo(0.015625, 12);
    expect(r.rows[1].comparison?.p).toBe(1);
    // Holm for [0.015625, 1]: [2 × 0.015625, max(0.03125, 1 × 1)] = [0.03125, 1]
    expect(a.comparison?.pHolm).toBeCloseTo(0.03125, 15);
    expect(r.rows[1].comparison?.pHolm).toBe(1);
    expect(a.comparison?.diff).toBeCloseTo(7 / 12, 12);
    expect(r.baseline?.comparison).toBeNull();
    expect(r.winner?.key).toBe(settingKey(A));
    expect(r.n).toBe(12);
  });

  it('names no winner below ten questions, however small p is', () => {
    const base = [0, 0, 0, 0, 0, 0, 0, 0];
    const better = [1, 1, 1, 1, 1, 1, 1, 1];
    const r = sweepReport([result(BASE, base), result(A, better)], settingKey(BASE), { k: 5, metric: 'hit' });
    // binomtest(8, 8).pvalue → 0.0078125 < 0.05, but n = 8 < MIN_PAIRED_N
    expect(r.rows[0].comparison?.pHolm).toBeCloseTo(0.0078125, 12);
    expect(r.winner).toBeNull();
    expect(r.n).toBe(8);
  });

  it('never names a setting that is worse than the current one', () => {
    const r = sweepReport([result(BASE, aHits), result(A, baseHits)], settingKey(BASE), { k: 5, metric: 'hit' });
    expect(r.rows[1].comparison?.diff).toBeLessThan(0);
    expect(r.rows[1].comparison?.pHolm).toBeLessThan(0.05);
    expect(r.winner).toBeNull();
  });

  it('MRR: Wilcoxon signed-rank on the reciprocal ranks', () => {
    const aRr = [1, 1 / 2, 1, 1 / 3, 1, 1, 1 / 2, 1, 1, 1 / 4, 1, 0];
    const bRr = [1 / 2, 1 / 2, 1 / 3, 0, 1 / 5, 1, 0, 1 / 2, 1, 0, 1 / 3, 0];
    const r = sweepReport([result(BASE, bRr.map((x) => (x > 0 ? 1 : 0)), bRr), result(A, aRr.map((x) => (x > 0 ? 1 : 0)), aRr)], settingKey(BASE), { k: 5, metric: 'mrr' });
    const a = r.rows.find((x) => x.key === settingKey(A))!;
    // scipy.stats.wilcoxon(a - b).pvalue → 0.0078125 (8 non-zero differences, all positive); mean(a - b) → 0.3513888888888889
    expect(a.comparison).toMatchObject({ test: 'wilcoxon', n: 12, family: 1 });
    expect(a.comparison?.p).toBeCloseTo(0.0078125, 12);
    expect(a.comparison?.diff).toBeCloseTo(0.3513888888888889, 12);
    expect(a.mrr?.ci?.method).toBe('bca');
    expect(r.winner?.key).toBe(settingKey(A));
    expect(metricValue(result(A, [1], [0.5]), 'mrr', 5)).toBe(0.5);
  });

  it('without the current setting among the results, nothing is compared', () => {
    const r = sweepReport([result(A, aHits)], settingKey(BASE), { k: 5, metric: 'hit' });
    expect(r.baseline).toBeNull();
    expect(r.rows[0].comparison).toBeNull();
    expect(r.winner).toBeNull();
  });

  it('refuses results of different sweeps (unequal questions) instead of pairing them wrongly', () => {
    expect(() => sweepReport([result(BASE, baseHits), result(A, aHits.slice(1))], settingKey(BASE), { k: 5, metric: 'hit' })).toThrow(/cannot be paired/);
  });
});

describe('sweep plan', () => {
  it('reads lists of whole numbers, sorted, each once', () => {
    expect(parseNumberList('200, 100,100 ；50')).toEqual([50, 100, 200]);
    expect(parseNumberList('100, x')).toBeNull();
    expect(parseNumberList('1.5')).toBeNull();
    expect(parseNumberList('')).toBeNull();
    expect(parseNumberList('0', 1)).toBeNull();
  });

  it('maps the Lab switches to a mode and back', () => {
    expect(modeOfSwitches({ bm25: true, dense: true, rerank: false })).toBe('hybrid');
    expect(modeOfSwitches({ bm25: true, dense: true, rerank: true })).toBe('hybrid+rerank');
    expect(modeOfSwitches({ bm25: true, dense: false, rerank: false })).toBe('bm25');
    expect(modeOfSwitches({ bm25: false, dense: true, rerank: false })).toBe('dense');
    expect(modeOfSwitches({ bm25: false, dense: true, rerank: true })).toBeNull();
    for (const m of ['bm25', 'dense', 'hybrid', 'hybrid+rerank'] as const) expect(modeOfSwitches(switchesOfMode(m))).toBe(m);
  });

  it('measures the grid and the current setting, the current one first and once', () => {
    const current = currentSetting({ unit: 'tokens', size: 200, overlap: 40 }, 'hybrid');
    const form = defaultForm({ unit: 'tokens', size: 200, overlap: 40 });
    expect(form).toEqual({ sizes: [100, 200], overlaps: [0, 40], modes: ['bm25', 'dense', 'hybrid'], headers: [true, false] });
    const plan = planSettings(form, current);
    expect(plan[0]).toEqual(current);
    expect(plan).toHaveLength(2 * 2 * 3 * 2);
    expect(new Set(plan.map(settingKey)).size).toBe(plan.length);
    expect(plan.every((s) => s.dedupe && s.unit === 'tokens')).toBe(true);
    // A current setting outside the grid is added to it.
    expect(planSettings(form, currentSetting({ unit: 'tokens', size: 300, overlap: 0 }, 'bm25'))).toHaveLength(2 * 2 * 3 * 2 + 1);
  });
});

describe('runSweepSettings', () => {
  it('measures an explicit list, each setting once, in the order given', async () => {
    const text = 'Leave\n\nNew employees get fifteen days of paid annual leave.\n\nTaxis\n\nTaxi receipts above 200 yuan need approval.';
    const docs = [{ id: 'h', name: 'handbook.md', text, sections: [{ start: 0, end: text.length }] }];
    const start = text.indexOf('Taxi receipts');
    const items = [{ id: 'q', question: 'taxi receipts approval', gold: [{ docId: 'h', start, end: text.length }] }];
    const bm25 = setting({ mode: 'bm25', unit: 'chars', size: 60, overlap: 0 });
    const r = await runSweepSettings(docs, items, [bm25, { ...bm25 }, { ...bm25, headers: false }], {}, { ks: [1] });
    expect(r.results.map((x) => settingKey(x.setting))).toEqual([settingKey(bm25), settingKey({ ...bm25, headers: false })]);
    expect(r.results[0].hitAt).toEqual([1]);
  });
});
