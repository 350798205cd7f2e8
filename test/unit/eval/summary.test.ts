// Summaries by arm: every cell with its n and the interval its kind calls for, paired comparisons with
// Holm's correction, grids of models × methods, model-graded counts, and stored results of older versions.
// Reference numbers: scipy 1.17.1 (binomtest, wilcoxon, bootstrap with the app's resamples injected via a
// Python port of mulberry32 and seedFor), printed by /tmp-style scripts whose calls are quoted beside them.
import { describe, expect, it } from 'vitest';
import { armKey, asItemResult, latestEvalSummary, seedFor, summarize, toEvidenceSummary, type SummaryResult } from '../../../src/eval/summary';
import { putEvalItem, putEvalRun } from '../../../src/store/runs';
import { freshDb } from '../store/helpers';
import { CONFIG, ITEMS, makeResults } from './fixtures';
import { config, FIFTY_PLAIN, FIFTY_RAG, results } from './synth';

const PLAIN = armKey({ model: 'echo', method: 'plain' });
const RAG = armKey({ model: 'echo', method: 'rag' });

describe('summarize: one model', () => {
  const s = summarize('run1', CONFIG, makeResults());

  it('hand-computed means per arm; answer metrics over answerable questions, each with its n', () => {
    const [plain, rag] = s.arms;
    expect(s.models).toEqual([{ key: 'echo', name: 'echo' }]);
    expect([plain.key, plain.model, plain.method]).toEqual([PLAIN, 'echo', 'plain']);
    expect([plain.items, plain.answerable, plain.unanswerable]).toEqual([4, 3, 1]);
    // rag answers: "Leave is fifteen days. [1]" vs "fifteen days": P 2/4 R 1 → F1 2/3; q2 "taxis need manager" vs "manager" (articles dropped): P 1/3, R 1 → 0.5; q3 miss → 0.
    expect(rag.f1!.mean).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 12);
    expect(rag.f1).toMatchObject({ n: 3, ci: null, noCi: 'too-few' }); // no interval below 5 questions
    expect(rag.recall!.mean).toBeCloseTo((1 + 1 + 0) / 3, 12);
    // Exact match is a proportion: Wilson. scipy binomtest(0, 3).proportion_ci('wilson') = (0.0, 0.5614970317550454)
    expect(rag.em!.mean).toBe(0);
    expect(rag.em!.ci!.method).toBe('wilson');
    expect(rag.em!.ci!.high).toBeCloseTo(0.5614970317550454, 14);
    expect(rag.retrieval).toMatchObject({ k: 2, n: 3, unlocatedGold: 0 });
    // hit@2 = 2 of 3: Wilson (0.20765960080204782, 0.9385080552796038)
    expect(rag.retrieval!.hit!.mean).toBeCloseTo(2 / 3, 12);
    expect(rag.retrieval!.hit!.ci!.low).toBeCloseTo(0.20765960080204782, 14);
    expect(rag.retrieval!.precision!.mean).toBeCloseTo((0.5 + 0.5 + 0) / 3, 12);
    expect(rag.retrieval!.mrr!.mean).toBeCloseTo(2 / 3, 12);
    expect(plain.retrieval).toBeNull();
    // Refusals are proportions: rag refused the one unanswerable question → 1 of 1, Wilson (0.20654931437723745, 1).
    expect(rag.refusedUnanswerable).toMatchObject({ mean: 1, n: 1 });
    expect(rag.refusedUnanswerable!.ci!.low).toBeCloseTo(0.20654931437723745, 14);
    expect(plain.refusedUnanswerable!.mean).toBe(0);
    expect(rag.refusedAnswerable).toMatchObject({ mean: 0, n: 3 });
    expect(plain.lexicalSupport!.mean).toBe(0);
    expect(rag.lexicalSupport!.mean).toBeGreaterThan(0.5);
    expect(rag.containment!.mean).toBeGreaterThan(plain.containment!.mean);
    expect([plain.judged, plain.graded, plain.judgeFaithfulness, plain.claims]).toEqual([0, 0, null, null]);
    expect(plain.promptTokens).toBe(20);
    expect(rag.totalMs).toBe(280);
    expect(rag.retrievalMs).toBe(5);
    expect(s.complete).toBe(true);
  });

  it('compares the two arms on the same questions: Wilcoxon for F1, exact McNemar for EM, Holm over both', () => {
    expect(s.comparisons.map((c) => [c.a, c.b, c.metric, c.test, c.n, c.family])).toEqual([
      [PLAIN, RAG, 'f1', 'wilcoxon', 3, 2],
      [PLAIN, RAG, 'em', 'mcnemar-exact', 3, 2],
    ]);
    const [f1, em] = s.comparisons;
    expect(f1.diff).toBeCloseTo(s.arms[0].f1!.mean - s.arms[1].f1!.mean, 12);
    // scipy.stats.wilcoxon([-2/3, -0.5, 0]).pvalue = 0.5 (exact permutation: a zero among 3 pairs)
    expect(f1).toMatchObject({ p: 0.5, pMethod: 'exact-permutation', ci: null, noCi: 'too-few' });
    expect(em).toMatchObject({ p: 1, aOnly: 0, bOnly: 0 }); // no discordant pair
    // Holm (1979) over [0.5, 1]: 2·0.5 = 1, then max(1, 1·1) = 1
    expect(s.comparisons.map((c) => c.pHolm)).toEqual([1, 1]);
  });

  it('deterministic for a seed whatever the order of the rows; another seed moves the bounds', () => {
    const five = config(20);
    const rows = [...results({ method: 'plain', f1: FIFTY_PLAIN.slice(0, 20) }), ...results({ method: 'rag', f1: FIFTY_RAG.slice(0, 20) })];
    const a = summarize('r', five, rows);
    expect(summarize('r', five, [...rows].reverse())).toEqual(a);
    const other = summarize('r', { ...five, seed: 43 }, rows);
    expect(other.arms[0].f1!.mean).toBe(a.arms[0].f1!.mean);
    expect(other.arms[0].f1!.ci).not.toEqual(a.arms[0].f1!.ci);
    expect(seedFor(42, 'rag/f1')).toBe(seedFor(42, 'rag/f1'));
    expect(seedFor(42, 'rag/f1')).not.toBe(seedFor(42, 'plain/f1'));
  });

  it('a partial run is marked incomplete', () => {
    expect(summarize('r', CONFIG, makeResults().slice(0, 3)).complete).toBe(false);
  });
});

describe('summarize: fifty questions', () => {
  const s = summarize('r50', config(50), [...results({ method: 'plain', f1: FIFTY_PLAIN }), ...results({ method: 'rag', f1: FIFTY_RAG, recall: FIFTY_RAG.map(() => 1) })]);
  const [plain, rag] = s.arms;

  it('means with BCa intervals equal scipy.stats.bootstrap(method="BCa") on the same resamples', () => {
    // seed = seedFor(42, `${key}/f1`); dist = resample_means(v, 2000, seed) (Python port); scipy.stats.bootstrap(..., bootstrap_result=dist)
    expect(rag.f1!.mean).toBeCloseTo(0.61, 14);
    expect(rag.f1!.ci!.method).toBe('bca');
    expect(rag.f1!.ci!.low).toBeCloseTo(0.5, 12);
    expect(rag.f1!.ci!.high).toBeCloseTo(0.7025, 12);
    expect(plain.f1!.mean).toBeCloseTo(0.19, 14);
    expect(plain.f1!.ci!.low).toBeCloseTo(0.135, 12);
    expect(plain.f1!.ci!.high).toBeCloseTo(0.2425, 12);
    // EM: 17 of 50, scipy binomtest(17, 50).proportion_ci('wilson') = (0.22436949222500085, 0.47846173949767395)
    expect(rag.em).toMatchObject({ mean: 0.34, n: 50 });
    expect(rag.em!.ci!.low).toBeCloseTo(0.22436949222500085, 14);
    expect(rag.em!.ci!.high).toBeCloseTo(0.47846173949767395, 14);
    // Retrieval recall 1 on every question: values all 0/1 are a proportion, so not a zero-width bootstrap.
    expect(rag.retrieval!.hit).toMatchObject({ mean: 1, n: 50 });
    expect(rag.retrieval!.hit!.ci!.low).toBeLessThan(1);
  });

  it('the paired comparison: difference, BCa interval, Wilcoxon p, Holm, n and questions needed', () => {
    const [f1, em] = s.comparisons;
    // Python: np.mean(plain − rag) = −0.42
    expect(f1.diff).toBeCloseTo(-0.42, 14);
    // BCa of the differences with seed seedFor(42, 'cmp/echo\0plain/echo\0rag/f1'): [−0.5175, −0.3103670676740666]
    expect(f1.ci!.method).toBe('bca');
    expect(f1.ci!.low).toBeCloseTo(-0.5175, 12);
    expect(f1.ci!.high).toBeCloseTo(-0.3103670676740666, 12);
    // scipy.stats.wilcoxon(d).pvalue = 1.1929810783548855e-07 (ties → normal approximation with tie correction)
    expect(f1.pMethod).toBe('normal-approximation');
    expect(Math.abs(f1.p - 1.1929810783548855e-7) / f1.p).toBeLessThan(1e-10);
    // EM: discordant (plain only, rag only) = (0, 17); scipy.stats.binomtest(0, 17).pvalue = 1.52587890625e-05
    expect(em).toMatchObject({ aOnly: 0, bOnly: 17 });
    expect(em.p).toBeCloseTo(1.52587890625e-5, 18);
    // Holm over the two: [2.385962156709771e-07, 1.52587890625e-05]
    expect(Math.abs(f1.pHolm - 2.385962156709771e-7) / f1.pHolm).toBeLessThan(1e-10);
    expect(em.pHolm).toBeCloseTo(1.52587890625e-5, 18);
    // Wilcoxon size: ((z.975 + z.8)·sd/δ)²·π/3 = 6.560123853352454 → 7, raised to the bar of 10 questions
    expect(f1.needed).toBe(10);
  });
});

describe('summarize: a grid of models × methods', () => {
  const cfg = config(12, ['plain', 'rag'], { models: ['base', 'ft'], modelNames: { base: 'Qwen 0.5B', ft: 'Qwen 0.5B fine-tuned' } });
  const f = (x: number) => Array.from({ length: 12 }, (_, i) => ((i * 7 + x) % 10) / 10);
  const rows = [
    ...results({ model: 'ft', method: 'rag', f1: f(3) }),
    ...results({ model: 'base', method: 'plain', f1: f(0) }),
    ...results({ model: 'ft', method: 'plain', f1: f(2) }),
    ...results({ model: 'base', method: 'rag', f1: f(1) }),
  ];
  const s = summarize('grid', cfg, rows);
  it('groups by arm in model order, then method order, with display names', () => {
    expect(s.arms.map((a) => [a.model, a.method, a.modelName, a.items])).toEqual([
      ['base', 'plain', 'Qwen 0.5B', 12],
      ['base', 'rag', 'Qwen 0.5B', 12],
      ['ft', 'plain', 'Qwen 0.5B fine-tuned', 12],
      ['ft', 'rag', 'Qwen 0.5B fine-tuned', 12],
    ]);
    expect(s.models).toEqual([{ key: 'base', name: 'Qwen 0.5B' }, { key: 'ft', name: 'Qwen 0.5B fine-tuned' }]);
    expect(s.complete).toBe(true);
  });
  it('compares every two arms, across models too, Holm-adjusted as one family', () => {
    expect(s.comparisons).toHaveLength(12); // 6 pairs × (F1, EM)
    expect(s.comparisons.every((c) => c.family === 12)).toBe(true);
    const ftPlainVsBaseRag = s.comparisons.find((c) => c.metric === 'f1' && c.a === armKey({ model: 'base', method: 'rag' }) && c.b === armKey({ model: 'ft', method: 'plain' }));
    expect(ftPlainVsBaseRag?.n).toBe(12);
    for (const c of s.comparisons) expect(c.pHolm).toBeGreaterThanOrEqual(c.p);
  });
  it('results without a model belong to the run\'s model', () => {
    const single = summarize('x', config(6), results({ method: 'plain', f1: [1, 0, 1, 0, 1, 0] }));
    expect(single.arms.map((a) => a.key)).toEqual([PLAIN]);
    const asked = summarize('x', { ...config(6), model: null }, results({ method: 'plain', f1: [1, 0, 1, 0, 1, 0] }));
    expect(asked.arms[0].model).toBe('echo');
  });
});

describe('model-graded scores and claims', () => {
  it('re-reads the judge\'s raw replies and says how many were graded of how many judged', () => {
    const rows = results({
      method: 'plain',
      f1: [1, 0, 1, 0, 1],
      judge: ['{"faithfulness": 4, "relevance": 5}', '{"faithfulness": 10, "relevance": 10}', 'Faithfulness: 3\nRelevance: 2', null, null],
    });
    // A stored grade from an older parser does not count: the raw reply is read again.
    rows[1] = { ...rows[1], judge: { grades: { faithfulness: 1, relevance: 1 }, raw: '{"faithfulness": 10, "relevance": 10}', rubricVersion: 1 } };
    const a = summarize('j', config(5, ['plain']), rows).arms[0];
    expect([a.judged, a.graded]).toEqual([3, 2]);
    // (1–5 → 0–1): faithfulness (0.75 + 0.5)/2, relevance (1 + 0.25)/2; "graded 2 of 3"
    expect(a.judgeFaithfulness).toEqual({ mean: 0.625, n: 2, ci: null, noCi: 'too-few', of: 3 });
    expect(a.judgeRelevance!.mean).toBe(0.625);
  });
  it('share of supported claims is a Wilson proportion over judged claims', () => {
    const rows: SummaryResult[] = results({ method: 'rag', f1: [1, 0.5, 0] }).map((r, i) => ({
      ...r,
      claims: {
        rubricVersion: 1,
        judgements: [
          { claim: { text: 'A.', start: 0, end: 2 }, verdict: 'supported' as const, raw: '{"verdict": "supported"}' },
          { claim: { text: 'B.', start: 3, end: 5 }, verdict: i === 0 ? ('contradicted' as const) : i === 1 ? null : ('supported' as const), raw: '?' },
        ],
      },
    }));
    const c = summarize('c', config(3, ['rag']), rows).arms[0].claims!;
    expect(c).toMatchObject({ answers: 3, claims: 6, judged: 5, notSupported: 0, contradicted: 1 });
    // 4 of 5 judged claims supported: scipy binomtest(4, 5).proportion_ci('wilson') low = 0.3754598…
    expect(c.supported).toMatchObject({ mean: 0.8, n: 5, of: 6 });
    expect(c.supported!.ci!.method).toBe('wilson');
  });
});

describe('stored results and the guide\'s view', () => {
  it('reads results of older versions: groundedness becomes lexical support; junk is rejected', () => {
    const [r] = makeResults();
    const { lexicalSupport, ...oldScores } = r.scores;
    const legacy = asItemResult({ evalRunId: 'x', itemId: 'q1', method: 'plain', result: { ...r, scores: { ...oldScores, groundedness: 0.7 } } });
    expect(legacy?.scores.lexicalSupport).toBe(0.7);
    expect(lexicalSupport).toBe(0);
    const withModel = asItemResult({ evalRunId: 'x', itemId: 'q1', method: 'rag', result: { ...r, model: 'ft', claims: { rubricVersion: 1, judgements: [] } } });
    expect(withModel).toMatchObject({ model: 'ft', method: 'rag', claims: { judgements: [] } });
    expect(asItemResult({ evalRunId: 'x', itemId: 'q1', method: 'plain', result: { answer: 1 } })).toBeNull();
    expect(asItemResult({ evalRunId: 'x', itemId: 'q1', method: 'nope', result: r })).toBeNull();
    expect(asItemResult({ evalRunId: 'x', itemId: 'q1', method: 'plain', result: { ...r, judge: { grades: null } } })).toBeNull();
  });
  it('evidence summary for the guide: arms with F1, their cost, retrieval and the comparisons', () => {
    const e = toEvidenceSummary(summarize('run1', CONFIG, makeResults()), CONFIG);
    expect(e.testSetName).toBe('Handbook');
    expect(e.model).toBe('echo');
    expect(e.models).toEqual([{ key: 'echo', name: 'echo' }]);
    expect(e.arms.map((m) => m.method)).toEqual(['plain', 'rag']);
    expect(e.arms[1]).toMatchObject({ key: RAG, k: 2, promptTokens: 80, latencyMs: 285, runIds: ['run1'] });
    expect(e.arms[1].f1.n).toBe(3);
    expect(e.arms[1].retrievalRecallAtK!.mean).toBeCloseTo(2 / 3, 12);
    expect(e.arms[0].retrievalRecallAtK).toBeUndefined();
    expect(e.comparisons.map((c) => c.metric)).toEqual(['f1', 'em']);
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
    expect(got?.summary.arms).toHaveLength(2);
    expect(got?.summary.arms[0].runIds).toEqual(['old']);
    expect(ITEMS).toHaveLength(4);
  });
});
