// The guide's evidence rules: a method is called better only when the Holm-adjusted paired test gives
// p < 0.05 from at least 10 paired questions; otherwise "Not enough evidence" with the questions needed;
// rules on absolute levels fire only when the whole interval clears the threshold from ≥ 10 questions.
// Summaries come from the real pipeline (evidence-fixtures.ts) or are written out to sit on a threshold.

import { describe, expect, it } from 'vitest';
import {
  armLabel, betterSentence, EVIDENCE_POINTS, evidenceAdjustments, findComparison, flip, GOOD_RETRIEVAL_RECALL, interpretEvidence, LOW_F1,
  LOW_RETRIEVAL_RECALL, num, ruleComparisons, ruleCost, ruleFormatBehaviour, ruleModelTooSmall, ruleRagKnowledgeGap, ruleRagNoGain,
  ruleRetrievalWeak, signed, SIMILAR_F1, type ArmEvidence, type EvalSummary,
} from '../../../src/guide/evidence';
import { summarize, toEvidenceSummary } from '../../../src/eval/summary';
import type { Estimate, PairedComparison } from '../../../src/eval/stats';
import { config, FIFTY_PLAIN, FIFTY_RAG, results } from '../eval/synth';
import { ragVsPlain, tooSmall } from './evidence-fixtures';

const K = (method: string) => `m\u0000${method}`;
const est = (mean: number, low: number | null, high: number | null, n: number): Estimate =>
  low === null || high === null ? { mean, n, ci: null, noCi: 'too-few' } : { mean, n, ci: { low, high, level: 0.95, method: 'bca' } };
const arm = (method: string, f1: Estimate, extra: Partial<ArmEvidence> = {}): ArmEvidence => ({
  key: K(method), model: 'm', method, f1, promptTokens: 100, latencyMs: 800, runIds: [`run-${method}`], ...extra,
});
const cmp = (a: string, b: string, diff: number, low: number | null, high: number | null, pHolm: number, n: number): PairedComparison => ({
  a: K(a), b: K(b), metric: 'f1', test: 'wilcoxon', pMethod: 'normal-approximation', n, diff,
  ci: low === null || high === null ? null : { low, high, level: 0.95, method: 'bca' }, ...(low === null ? { noCi: 'too-few' as const } : {}),
  p: pHolm / 2, pHolm, family: 2, needed: 30,
});
const summary = (arms: ArmEvidence[], comparisons: PairedComparison[]): EvalSummary => ({
  testSetName: 't', model: 'm', models: [{ key: 'm', name: 'm' }], arms, comparisons,
});

describe('formatting', () => {
  it('two decimals, a true minus, no negative zero', () => {
    expect(num(0.4567)).toBe('0.46');
    expect(num(-0.05)).toBe('−0.05');
    expect(num(-0.001)).toBe('0.00');
    expect(signed(0.42)).toBe('+0.42');
    expect(signed(-0.123)).toBe('−0.12');
    expect(signed(0.0001)).toBe('0.00');
  });
});

describe('fifty clear questions: RAG is called better, with every number', () => {
  const s = ragVsPlain(50);
  it('states the difference, its BCa interval, the Holm-adjusted Wilcoxon p and n', () => {
    const [st] = ruleRagKnowledgeGap(s);
    expect(st.rule).toBe('rag-knowledge-gap');
    expect(st.severity).toBe('good');
    // diff = mean(rag − plain) = 0.42; BCa [0.3103670676740666, 0.5175]; Wilcoxon p 1.19e-07, Holm 2.39e-07 (see eval/summary.test.ts)
    expect(st.text.en).toBe(
      'RAG better than plain on token F1: +0.42 [0.31, 0.52], p < 0.001, n = 50 (Wilcoxon, Holm-corrected). Retrieval recall@4 is 1.00 [0.93, 1.00], n = 50. The model was missing knowledge that your documents supply, and RAG is doing its job.',
    );
    expect(st.text.zh).toBe(
      'RAG 在词元 F1 上优于直接提问：+0.42 [0.31, 0.52]，p < 0.001，n = 50（Wilcoxon，Holm 校正）。检索召回率（recall@4）为 1.00 [0.93, 1.00]，n = 50。模型缺的是知识，而你的文档正好补上了——RAG 在发挥作用。',
    );
    expect(st.uncertainty.en).toBe(
      '50 paired questions; 95% interval of the mean difference: BCa bootstrap; Wilcoxon signed-rank test (normal approximation with tie correction), unadjusted p < 0.001, Holm-adjusted over 2 comparisons.',
    );
    expect(st.runIds).toEqual(['run-1']);
    expect(st.comparison).toMatchObject({ a: 'echo\u0000rag', b: 'echo\u0000plain', n: 50 });
  });
  it('moves RAG by its points, once; the same pair is not repeated as a bare difference', () => {
    const all = interpretEvidence(s);
    expect(all.map((x) => x.rule)).toEqual(['rag-knowledge-gap', 'cost']);
    expect(evidenceAdjustments([...all, ...all]).map((a) => [a.method, a.points, a.rule])).toEqual([['rag', EVIDENCE_POINTS['rag-knowledge-gap']!.rag, 'rag-knowledge-gap']]);
    expect(all[1].text.en).toBe('RAG costs 12.1× the prompt tokens of plain (1450 vs 120 tokens) and +1100 ms per answer, for +0.42 token F1 (p < 0.001, n = 50).');
    expect(all[1].severity).toBe('info');
  });
});

describe('three questions: no winner', () => {
  const s = ragVsPlain(3);
  it('says Not enough evidence, with the numbers and the questions needed, and moves nothing', () => {
    const all = interpretEvidence(s);
    expect(all.map((x) => x.rule)).toEqual(['not-enough-evidence', 'cost']);
    // diffs rag − plain: 0.375, 0.5, 0.5 → mean 0.4583; scipy.stats.wilcoxon → p = 0.25 (exact permutation),
    // EM: binomtest(2, 2) → 0.5; Holm over (0.25, 0.5) → (0.5, 0.5)
    expect(all[0].text.en).toBe(
      'Not enough evidence: RAG vs plain on token F1: +0.46 (no interval: too few questions), p = 0.50, n = 3 (Wilcoxon, Holm-corrected). At least 10 paired questions are needed before a method is called better; a difference of this size would reach 80% power at α = 0.05 with that many (Wilcoxon signed-rank test).',
    );
    expect(all[0].text.zh).toContain('证据不足：RAG 对直接提问（词元 F1）：+0.46（无区间：题目太少），p = 0.50，n = 3（Wilcoxon，Holm 校正）。');
    expect(all[0].severity).toBe('warn');
    expect(all[1].severity).toBe('warn');
    expect(all[1].text.en).toContain('for a token F1 change of +0.46 that is not established (p = 0.50, n = 3)');
    expect(evidenceAdjustments(all)).toEqual([]);
  });
});

describe('the bar: Holm-adjusted p < 0.05 and at least 10 paired questions', () => {
  const arms = [arm('plain', est(0.3, 0.2, 0.4, 40)), arm('rag', est(0.6, 0.5, 0.7, 40), { retrievalRecallAtK: est(0.85, 0.8, 0.9, 40), k: 5 })];
  it('p < 0.05 from 8 questions is still not enough, and says why', () => {
    const st = ruleComparisons(summary(arms, [cmp('rag', 'plain', 0.3, 0.1, 0.5, 0.0078, 8)]));
    expect(st.map((x) => x.rule)).toEqual(['not-enough-evidence']);
    expect(st[0].text.en).toContain('Fewer than 10 paired questions stand behind it.');
    expect(st[0].text.en).toContain('About 30 paired questions would be needed to detect a difference of this size (80% power, α = 0.05, Wilcoxon signed-rank test).');
    expect(ruleRagKnowledgeGap(summary(arms, [cmp('rag', 'plain', 0.3, 0.1, 0.5, 0.0078, 8)]))).toEqual([]);
  });
  it('at p = 0.05 after Holm it is not better; at 0.049 from 10 questions it is', () => {
    expect(ruleRagKnowledgeGap(summary(arms, [cmp('rag', 'plain', 0.3, 0.1, 0.5, 0.05, 40)]))).toEqual([]);
    expect(ruleRagKnowledgeGap(summary(arms, [cmp('rag', 'plain', 0.3, 0.1, 0.5, 0.049, 10)]))).toHaveLength(1);
  });
  it('orientation: a comparison stored plain-first reads RAG-first; a worse RAG is not a knowledge gap', () => {
    const s = summary(arms, [cmp('plain', 'rag', -0.3, -0.5, -0.1, 0.001, 40)]);
    expect(findComparison(s, K('rag'), K('plain'))).toMatchObject({ a: K('rag'), b: K('plain'), diff: 0.3, ci: { low: 0.1, high: 0.5 } });
    expect(flip(flip(s.comparisons[0]))).toEqual(s.comparisons[0]);
    expect(ruleRagKnowledgeGap(s)[0].text.en.startsWith('RAG better than plain on token F1: +0.30 [0.10, 0.50], p = 0.001, n = 40')).toBe(true);
    const worse = summary(arms, [cmp('rag', 'plain', -0.2, -0.3, -0.1, 0.001, 40)]);
    expect(ruleRagKnowledgeGap(worse)).toEqual([]);
    expect(ruleComparisons(worse)[0]).toMatchObject({ rule: 'measured-difference', severity: 'good' });
    expect(ruleComparisons(worse)[0].text.en.startsWith('Plain better than RAG on token F1: +0.20 [0.10, 0.30]')).toBe(true);
  });
});

describe('arms on several models', () => {
  const cfg = { ...config(50, ['plain', 'rag'], { models: ['base', 'ft'], modelNames: { base: 'Qwen 0.5B', ft: 'Qwen 0.5B fine-tuned' } }), testSetName: 'grid' };
  const rows = [
    ...results({ model: 'base', method: 'plain', f1: FIFTY_PLAIN }),
    ...results({ model: 'base', method: 'rag', f1: FIFTY_PLAIN }),
    ...results({ model: 'ft', method: 'plain', f1: FIFTY_RAG }),
  ];
  const s = toEvidenceSummary(summarize('grid', cfg, rows), cfg);
  it('labels arms "model · method" and compares a fine-tuned model without RAG against the base model with RAG', () => {
    expect(armLabel(s, 'ft\u0000plain')).toEqual({ en: 'Qwen 0.5B fine-tuned · plain', zh: 'Qwen 0.5B fine-tuned · 直接提问' });
    const st = ruleComparisons(s);
    const better = st.filter((x) => x.rule === 'measured-difference').map((x) => x.text.en);
    expect(better.some((t) => t.startsWith('Qwen 0.5B fine-tuned · plain better than Qwen 0.5B · RAG on token F1: +0.42 ['))).toBe(true);
    expect(better.every((t) => t.endsWith('n = 50 (Wilcoxon, Holm-corrected)'))).toBe(true);
    const none = st.find((x) => x.rule === 'not-enough-evidence')!;
    expect(none.text.en).toBe(
      'Not enough evidence: Qwen 0.5B · plain vs Qwen 0.5B · RAG on token F1: 0.00 (no interval: every question gave the same difference), p = 1.00, n = 50 (Wilcoxon, Holm-corrected). No difference was observed, so no number of questions can be estimated.',
    );
    expect(st[0].uncertainty.en).toContain('Holm-adjusted over 6 comparisons');
  });
  it('with one model, labels stay method names', () => {
    expect(armLabel(ragVsPlain(50), 'echo\u0000rag')).toEqual({ en: 'RAG', zh: 'RAG' });
  });
});

describe('rule: retrieval works but RAG brings nothing', () => {
  const arms = [arm('plain', est(0.5, 0.43, 0.57, 40)), arm('rag', est(0.51, 0.44, 0.58, 40), { retrievalRecallAtK: est(0.9, 0.85, 0.95, 40), k: 5 })];
  const flat = summary(arms, [cmp('rag', 'plain', 0.01, -0.02, 0.04, 0.6, 40)]);
  it('fires when recall clearly works and the whole gain interval lies below 0.05', () => {
    const [st] = ruleRagNoGain(flat);
    expect(st.rule).toBe('rag-no-gain');
    expect(st.text.en).toBe(
      `Retrieval works (recall@5 0.90 [0.85, 0.95], n = 40) but RAG is not better than plain on token F1: +0.01 [−0.02, 0.04], p = 0.60, n = 40 (Wilcoxon, Holm-corrected); the interval rules out a gain of ${num(SIMILAR_F1)} or more. The missing piece is not knowledge: look at instructions, output format or the model instead.`,
    );
  });
  it('does not fire when a gain of 0.05 is still inside the interval, from fewer than 10 questions, or when retrieval is not clearly good', () => {
    expect(ruleRagNoGain(summary(arms, [cmp('rag', 'plain', 0.03, -0.02, 0.08, 0.6, 40)]))).toEqual([]);
    expect(ruleRagNoGain(summary(arms, [cmp('rag', 'plain', 0.01, -0.02, 0.04, 0.6, 9)]))).toEqual([]);
    const unsure = [arms[0], { ...arms[1], retrievalRecallAtK: est(0.9, 0.79, 0.95, 40) }];
    expect(ruleRagNoGain(summary(unsure, flat.comparisons))).toEqual([]);
  });
});

describe('rule: weak retrieval', () => {
  const weak = (r: Estimate) => summary([arm('plain', est(0.3, 0.2, 0.4, 40)), arm('rag', est(0.35, 0.25, 0.45, 40), { retrievalRecallAtK: r, k: 5 })], []);
  it(`fires when the whole recall@k interval lies below ${LOW_RETRIEVAL_RECALL}, from at least 10 questions`, () => {
    const [st] = ruleRetrievalWeak(weak(est(0.35, 0.25, 0.45, 40)));
    expect(st.severity).toBe('warn');
    expect(st.text.en).toBe(
      'Retrieval recall@5 of RAG is 0.35 [0.25, 0.45], n = 40, below 0.50: most of the passages that hold the answers never reach the model. Fix retrieval first (chunk size, hybrid BM25 + vector search, reranking) before blaming the model.',
    );
    expect(st.runIds).toEqual(['run-rag']);
  });
  it('stays silent when the interval reaches the threshold, below 10 questions, or without an interval', () => {
    expect(ruleRetrievalWeak(weak(est(0.35, 0.25, 0.5, 40)))).toEqual([]);
    expect(ruleRetrievalWeak(weak(est(0.2, 0.1, 0.3, 9)))).toEqual([]);
    expect(ruleRetrievalWeak(weak(est(0.2, null, null, 4)))).toEqual([]);
  });
});

describe('rule: a format or behaviour problem', () => {
  const arms = [arm('plain', est(0.4, 0.33, 0.47, 60)), arm('few-shot', est(0.61, 0.54, 0.68, 60)), arm('rag', est(0.62, 0.56, 0.7, 60), { retrievalRecallAtK: est(0.8, 0.7, 0.9, 60) })];
  const both = [cmp('few-shot', 'plain', 0.21, 0.14, 0.28, 0.001, 60), cmp('rag', 'plain', 0.22, 0.16, 0.3, 0.001, 60), cmp('few-shot', 'rag', -0.01, -0.04, 0.03, 0.8, 60)];
  it('fires when few-shot and RAG both clear the bar against plain and their difference lies within ±0.05', () => {
    const [st] = ruleFormatBehaviour(summary(arms, both));
    expect(st.rule).toBe('format-behaviour');
    expect(st.text.en).toContain('few-shot − RAG −0.01 [−0.04, 0.03], p = 0.80, n = 60');
    expect(st.runIds).toEqual(['run-few-shot', 'run-rag', 'run-plain']);
  });
  it('does not fire when their difference may exceed 0.05, or when few-shot does not clear the bar', () => {
    expect(ruleFormatBehaviour(summary(arms, [both[0], both[1], cmp('few-shot', 'rag', -0.02, -0.08, 0.04, 0.5, 60)]))).toEqual([]);
    expect(ruleFormatBehaviour(summary(arms, [cmp('few-shot', 'plain', 0.21, 0.14, 0.28, 0.06, 60), both[1], both[2]]))).toEqual([]);
  });
});

describe('rule: the model is too small', () => {
  it(`fires from 50 questions: every F1 interval below ${LOW_F1}, recall@k interval at or above ${GOOD_RETRIEVAL_RECALL}`, () => {
    const [st] = ruleModelTooSmall(tooSmall(50));
    expect(st.severity).toBe('warn');
    expect(st.text.en).toContain('Every method on SmolLM2-135M stays below token F1 0.30');
    expect(st.text.en).toContain('recall@4 1.00 [0.93, 1.00], n = 50'); // 50 of 50: Wilson (0.9286524…, 1)
    expect(st.text.en).toContain('Try a larger model, or fine-tune this one.');
    expect(st.text.zh).toContain('更大的模型');
    expect(interpretEvidence(tooSmall(50)).filter((x) => evidenceAdjustments([x]).length).map((x) => x.rule)).toEqual(['model-too-small']);
  });
  it('does not fire from three questions (no interval), nor when one method\'s interval reaches 0.30', () => {
    expect(ruleModelTooSmall(tooSmall(3))).toEqual([]);
    expect(evidenceAdjustments(interpretEvidence(tooSmall(3)))).toEqual([]);
    const s = tooSmall(50);
    const lifted = { ...s, arms: [s.arms[0], { ...s.arms[1], f1: est(0.2, 0.1, 0.3, 50) }] };
    expect(ruleModelTooSmall(lifted)).toEqual([]);
  });
});

describe('rule: the price of each gain', () => {
  it('warns when a costly arm buys no established gain, and names the sizes', () => {
    const arms = [arm('plain', est(0.3, 0.2, 0.4, 40), { promptTokens: 120, latencyMs: 800 }), arm('few-shot', est(0.32, 0.22, 0.42, 40), { promptTokens: 480, latencyMs: 950 })];
    const [st] = ruleCost(summary(arms, [cmp('few-shot', 'plain', 0.02, -0.04, 0.08, 0.4, 40)]));
    expect(st.severity).toBe('warn');
    expect(st.text.en).toBe('Few-shot costs 4.0× the prompt tokens of plain (480 vs 120 tokens) and +150 ms per answer, for a token F1 change of +0.02 that is not established (p = 0.40, n = 40).');
    expect(st.text.zh).toBe('少样本的提示词 token 是直接提问的 4.0 倍（480 对 120），每次回答延迟 +150 毫秒，而词元 F1 的变化（+0.02）并未得到证实（p = 0.40，n = 40）。');
    expect(ruleCost(summary([arms[1]], []))).toEqual([]);
  });
});

describe('interpretEvidence and evidenceAdjustments', () => {
  it('runs all rules in a fixed order, deterministically', () => {
    const s = ragVsPlain(50);
    expect(interpretEvidence(s)).toEqual(interpretEvidence(s));
    expect(interpretEvidence({ testSetName: 't', model: 'm', models: [], arms: [], comparisons: [] })).toEqual([]);
  });
  it('ignores rules without a score effect and unknown rules', () => {
    const st = interpretEvidence(ragVsPlain(3));
    expect(evidenceAdjustments([...st, { ...st[0], rule: 'made-up' }])).toEqual([]);
  });
  it('a format/behaviour finding boosts few-shot and fine-tuning', () => {
    const st = { rule: 'format-behaviour', severity: 'info' as const, text: { en: 'x', zh: 'x' }, runIds: [], uncertainty: { en: '', zh: '' } };
    expect(evidenceAdjustments([st]).map((a) => [a.method, a.points])).toEqual([
      ['few-shot', 2],
      ['fine-tune', 1],
    ]);
  });
  it('betterSentence names the metric', () => {
    const s = ragVsPlain(50);
    const em = s.comparisons.find((c) => c.metric === 'em')!;
    expect(betterSentence(s, flip(em)).en).toMatch(/^RAG better than plain on exact match: \+0\.34 \[/u);
  });
});
