// Each evidence rule on literal evaluation summaries: it fires with the right numbers, run ids and
// uncertainty, and stays silent just outside its threshold.

import { describe, expect, it } from 'vitest';
import {
  difference,
  EVIDENCE_POINTS,
  evidenceAdjustments,
  GOOD_RETRIEVAL_RECALL,
  interpretEvidence,
  LOW_F1,
  LOW_RETRIEVAL_RECALL,
  points,
  ruleCost,
  ruleFormatBehaviour,
  ruleModelTooSmall,
  ruleNotDistinguishable,
  ruleRagKnowledgeGap,
  ruleRagNoGain,
  ruleRetrievalWeak,
  signedPoints,
  type EvalSummary,
  type MethodSummary,
} from '../../../src/guide/evidence';

const plain: MethodSummary = {
  method: 'plain',
  n: 40,
  f1: { mean: 0.32, low: 0.25, high: 0.39 },
  promptTokens: 120,
  latencyMs: 800,
  runIds: ['run-plain'],
};

const rag: MethodSummary = {
  method: 'rag',
  n: 40,
  f1: { mean: 0.58, low: 0.5, high: 0.66 },
  retrievalRecallAtK: { mean: 0.82, low: 0.74, high: 0.9 },
  k: 5,
  groundedness: 0.9,
  promptTokens: 1450,
  latencyMs: 1900,
  runIds: ['run-rag'],
};

const ragWins: EvalSummary = {
  testSetName: 'HR policies',
  model: 'Qwen2.5-0.5B-Instruct',
  methods: [plain, rag],
  diffs: [{ a: 'rag', b: 'plain', f1Diff: { mean: 0.26, low: 0.18, high: 0.34 } }],
};

describe('formatting', () => {
  it('shows F1 as points ×100 with one decimal, signed differences with a true minus', () => {
    expect(points(0.4567)).toBe('45.7');
    expect(signedPoints(0.123)).toBe('+12.3');
    expect(signedPoints(-0.04)).toBe('−4.0');
    expect(signedPoints(0.0001)).toBe('0.0');
  });
});

describe('difference', () => {
  it('uses the paired diff in either direction', () => {
    expect(difference(ragWins, 'rag', 'plain')).toEqual({ mean: 0.26, low: 0.18, high: 0.34, paired: true });
    const d = difference(ragWins, 'plain', 'rag')!;
    expect(d.paired).toBe(true);
    expect(d.mean).toBeCloseTo(-0.26);
    expect(d.low).toBeCloseTo(-0.34);
    expect(d.high).toBeCloseTo(-0.18);
  });
  it('falls back to the conservative interval from two CIs', () => {
    const d = difference({ ...ragWins, diffs: undefined }, 'rag', 'plain')!;
    expect(d.paired).toBe(false);
    expect(d.low).toBeCloseTo(0.5 - 0.39);
    expect(d.high).toBeCloseTo(0.66 - 0.25);
  });
  it('is undefined for a method that was not run', () => {
    expect(difference(ragWins, 'few-shot', 'plain')).toBeUndefined();
  });
});

describe('rule: RAG closes a knowledge gap', () => {
  it('fires when the CI of the RAG − plain difference excludes 0', () => {
    const s = ruleRagKnowledgeGap(ragWins)!;
    expect(s.rule).toBe('rag-knowledge-gap');
    expect(s.severity).toBe('good');
    expect(s.text.en).toBe(
      'RAG beats plain prompting by +26.0 F1 points (58.0 vs 32.0), with retrieval recall@5 of 0.82: the model was missing knowledge that your documents supply, and RAG is doing its job.',
    );
    expect(s.text.zh).toContain('高 26.0 个百分点');
    expect(s.text.zh).toContain('0.82');
    expect(s.runIds).toEqual(['run-rag', 'run-plain']);
    expect(s.uncertainty.en).toBe('F1 difference CI [+18.0, +34.0] points (paired over the same questions); n = 40 questions.');
    expect(s.uncertainty.zh).toContain('n = 40 题');
  });
  it('fires from separated CIs when no paired diff exists, and says the interval is conservative', () => {
    const s = ruleRagKnowledgeGap({ ...ragWins, diffs: undefined })!;
    expect(s.uncertainty.en).toContain('conservative');
  });
  it('does not fire when the difference CI includes 0', () => {
    const s: EvalSummary = { ...ragWins, diffs: [{ a: 'rag', b: 'plain', f1Diff: { mean: 0.04, low: -0.02, high: 0.1 } }] };
    expect(ruleRagKnowledgeGap(s)).toBeUndefined();
  });
  it('does not fire without a RAG run', () => {
    expect(ruleRagKnowledgeGap({ ...ragWins, methods: [plain], diffs: [] })).toBeUndefined();
  });
});

describe('rule: retrieval works but RAG brings nothing', () => {
  const flat: EvalSummary = {
    testSetName: 't',
    model: 'm',
    methods: [
      { ...plain, f1: { mean: 0.5, low: 0.43, high: 0.57 } },
      { ...rag, f1: { mean: 0.51, low: 0.44, high: 0.58 }, retrievalRecallAtK: { mean: 0.9, low: 0.85, high: 0.95 } },
    ],
    diffs: [{ a: 'rag', b: 'plain', f1Diff: { mean: 0.01, low: -0.02, high: 0.04 } }],
  };
  it('fires when recall is good and the whole gain CI is under 5 points', () => {
    const s = ruleRagNoGain(flat)!;
    expect(s.rule).toBe('rag-no-gain');
    expect(s.text.en).toContain('recall@5 = 0.90');
    expect(s.text.en).toContain('+1.0 F1 points');
  });
  it('does not fire when a larger gain is still plausible', () => {
    expect(ruleRagNoGain({ ...flat, diffs: [{ a: 'rag', b: 'plain', f1Diff: { mean: 0.03, low: -0.02, high: 0.08 } }] })).toBeUndefined();
  });
  it('does not fire when retrieval itself is poor', () => {
    const poor = { ...flat, methods: [flat.methods[0], { ...flat.methods[1], retrievalRecallAtK: { mean: 0.6, low: 0.5, high: 0.7 } }] };
    expect(ruleRagNoGain(poor)).toBeUndefined();
  });
});

describe('rule: weak retrieval', () => {
  const weak: EvalSummary = {
    ...ragWins,
    methods: [plain, { ...rag, retrievalRecallAtK: { mean: 0.35, low: 0.25, high: 0.45 } }],
  };
  it(`fires below recall@k ${LOW_RETRIEVAL_RECALL}, and points at chunking, hybrid search and reranking`, () => {
    const s = ruleRetrievalWeak(weak)!;
    expect(s.severity).toBe('warn');
    expect(s.text.en).toContain('recall@5 is only 0.35');
    expect(s.text.en).toContain('chunk size, hybrid BM25 + vector search, reranking');
    expect(s.text.zh).toContain('0.35');
    expect(s.runIds).toEqual(['run-rag']);
    expect(s.uncertainty.en).toBe('recall@5 CI [0.25, 0.45]; n = 40 questions.');
  });
  it('does not fire at the threshold or without retrieval', () => {
    const atThreshold = { ...weak, methods: [plain, { ...rag, retrievalRecallAtK: { mean: 0.5, low: 0.4, high: 0.6 } }] };
    expect(ruleRetrievalWeak(atThreshold)).toBeUndefined();
    expect(ruleRetrievalWeak({ ...weak, methods: [plain] })).toBeUndefined();
  });
});

describe('rule: a format or behaviour problem', () => {
  const fewShot: MethodSummary = {
    method: 'few-shot',
    n: 40,
    f1: { mean: 0.61, low: 0.54, high: 0.68 },
    promptTokens: 600,
    latencyMs: 1100,
    runIds: ['run-fs'],
  };
  const both: EvalSummary = {
    testSetName: 'invoices',
    model: 'm',
    methods: [
      { ...plain, f1: { mean: 0.4, low: 0.33, high: 0.47 } },
      fewShot,
      { ...rag, f1: { mean: 0.63, low: 0.56, high: 0.7 } },
    ],
    diffs: [
      { a: 'few-shot', b: 'plain', f1Diff: { mean: 0.21, low: 0.14, high: 0.28 } },
      { a: 'rag', b: 'plain', f1Diff: { mean: 0.23, low: 0.16, high: 0.3 } },
      { a: 'few-shot', b: 'rag', f1Diff: { mean: -0.02, low: -0.08, high: 0.04 } },
    ],
  };
  it('fires when few-shot ≈ RAG and both beat plain', () => {
    const s = ruleFormatBehaviour(both)!;
    expect(s.rule).toBe('format-behaviour');
    expect(s.text.en).toContain('Few-shot (F1 61.0) and RAG (F1 63.0) are within 2.0 points');
    expect(s.text.en).toContain('fine-tuning');
    expect(s.runIds).toEqual(['run-fs', 'run-rag', 'run-plain']);
    expect(s.uncertainty.en).toContain('few-shot vs RAG [−8.0, +4.0]');
  });
  it('does not fire when RAG is clearly ahead of few-shot', () => {
    const apart = { ...both, diffs: both.diffs!.map((d) => (d.b === 'rag' ? { ...d, f1Diff: { mean: -0.14, low: -0.2, high: -0.08 } } : d)) };
    expect(ruleFormatBehaviour(apart)).toBeUndefined();
  });
  it('does not fire when few-shot does not beat plain', () => {
    const noGain = { ...both, diffs: both.diffs!.map((d) => (d.a === 'few-shot' && d.b === 'plain' ? { ...d, f1Diff: { mean: 0.03, low: -0.03, high: 0.09 } } : d)) };
    expect(ruleFormatBehaviour(noGain)).toBeUndefined();
  });
});

describe('rule: the model is too small', () => {
  const low: EvalSummary = {
    testSetName: 't',
    model: 'SmolLM2-135M',
    methods: [
      { ...plain, f1: { mean: 0.12, low: 0.08, high: 0.16 } },
      { ...rag, f1: { mean: 0.22, low: 0.16, high: 0.28 }, retrievalRecallAtK: { mean: 0.88, low: 0.8, high: 0.94 } },
    ],
  };
  it(`fires when every F1 < ${LOW_F1} although recall@k ≥ ${GOOD_RETRIEVAL_RECALL}`, () => {
    const s = ruleModelTooSmall(low)!;
    expect(s.severity).toBe('warn');
    expect(s.text.en).toContain('best: RAG at 22.0');
    expect(s.text.en).toContain('SmolLM2-135M');
    expect(s.text.en).toContain('Try a larger model, or fine-tune this one.');
    expect(s.text.zh).toContain('更大的模型');
    expect(s.runIds).toEqual(['run-plain', 'run-rag']);
    expect(s.uncertainty.en).toContain('Best F1 CI [16.0, 28.0] points');
  });
  it('does not fire when retrieval is the problem', () => {
    const r = { ...low, methods: [low.methods[0], { ...low.methods[1], retrievalRecallAtK: { mean: 0.6, low: 0.5, high: 0.7 } }] };
    expect(ruleModelTooSmall(r)).toBeUndefined();
  });
  it('does not fire when one method does reasonably well', () => {
    const r = { ...low, methods: [low.methods[0], { ...low.methods[1], f1: { mean: 0.35, low: 0.3, high: 0.4 } }] };
    expect(ruleModelTooSmall(r)).toBeUndefined();
  });
  it('does not fire without a retrieval measurement', () => {
    expect(ruleModelTooSmall({ ...low, methods: [low.methods[0]] })).toBeUndefined();
  });
});

describe('rule: the price of each gain', () => {
  it('states the token ratio, latency and gain of RAG against plain', () => {
    const [s] = ruleCost(ragWins);
    expect(s.rule).toBe('cost');
    expect(s.severity).toBe('info');
    expect(s.text.en).toBe(
      'RAG costs 12.1× the prompt tokens of plain prompting (1450 vs 120 tokens) and +1100 ms per answer, for +26.0 F1 points.',
    );
    expect(s.text.zh).toBe('RAG 的提示词 token 是直接提问的 12.1 倍（1450 对 120），每次回答延迟 +1100 毫秒，换来 F1 +26.0 个百分点。');
    expect(s.runIds).toEqual(['run-rag', 'run-plain']);
  });
  it('warns when a costly method buys no measurable gain', () => {
    const s = ruleCost({ ...ragWins, diffs: [{ a: 'rag', b: 'plain', f1Diff: { mean: 0.02, low: -0.04, high: 0.08 } }] })[0];
    expect(s.severity).toBe('warn');
    expect(s.text.en).toContain('not distinguishable from zero');
  });
  it('starts an English sentence with a capital, and spaces Chinese around Latin names', () => {
    const fs: MethodSummary = { ...plain, method: 'few-shot', promptTokens: 480, latencyMs: 950, runIds: ['run-fs'] };
    const [s] = ruleCost({ ...ragWins, methods: [plain, fs], diffs: [] });
    expect(s.text.en.startsWith('Few-shot costs 4.0× the prompt tokens')).toBe(true);
    expect(s.text.en).toContain('+150 ms per answer');
    const nd = ruleNotDistinguishable({ ...ragWins, methods: [plain, { ...rag, f1: { mean: 0.35, low: 0.28, high: 0.42 } }], diffs: [] })!;
    expect(nd.text.zh).toContain('直接提问对 RAG（');
  });

  it('says nothing without a plain baseline', () => {
    expect(ruleCost({ ...ragWins, methods: [rag] })).toEqual([]);
    expect(ruleCost({ ...ragWins, methods: [{ ...plain, promptTokens: 0 }, rag] })).toEqual([]);
  });
});

describe('rule: not distinguishable', () => {
  const small: EvalSummary = {
    testSetName: 't',
    model: 'm',
    methods: [
      { ...plain, n: 20, f1: { mean: 0.4, low: 0.3, high: 0.5 } },
      { ...plain, method: 'few-shot', n: 20, f1: { mean: 0.44, low: 0.34, high: 0.54 }, runIds: ['run-fs'] },
    ],
  };
  it('fires on overlapping CIs, names the pair and estimates the questions needed', () => {
    const s = ruleNotDistinguishable(small)!;
    expect(s.rule).toBe('not-distinguishable');
    expect(s.text.en).toContain('With n = 20 questions these methods cannot be told apart: plain prompting vs few-shot (−4.0, CI [−24.0, +16.0])');
    expect(s.text.en).toContain('Add more questions');
    expect(s.text.en).toContain('roughly 500 questions');
    expect(s.text.zh).toContain('大约需要 500 道题');
    expect(s.runIds).toEqual(['run-plain', 'run-fs']);
    expect(s.uncertainty.en).toContain('√n');
  });
  it('does not fire when every pair is separated', () => {
    expect(ruleNotDistinguishable(ragWins)).toBeUndefined();
  });
  it('prefers the paired diff over CI overlap', () => {
    const paired = { ...small, diffs: [{ a: 'few-shot', b: 'plain', f1Diff: { mean: 0.04, low: 0.01, high: 0.07 } }] };
    expect(ruleNotDistinguishable(paired)).toBeUndefined();
  });
});

describe('interpretEvidence and evidenceAdjustments', () => {
  it('runs all rules in a fixed order, deterministically', () => {
    const a = interpretEvidence(ragWins);
    expect(a.map((s) => s.rule)).toEqual(['rag-knowledge-gap', 'cost']);
    expect(interpretEvidence(ragWins)).toEqual(a);
    expect(interpretEvidence({ testSetName: 't', model: 'm', methods: [] })).toEqual([]);
  });

  it('turns a measured RAG gain into RAG points, once', () => {
    const st = interpretEvidence(ragWins);
    const adj = evidenceAdjustments([...st, ...st]);
    expect(adj.map((x) => [x.method, x.points, x.rule])).toEqual([['rag', EVIDENCE_POINTS['rag-knowledge-gap']!.rag, 'rag-knowledge-gap']]);
    expect(adj[0].runIds).toEqual(['run-rag', 'run-plain']);
    expect(adj[0].reason.en.startsWith('Measured: RAG beats plain')).toBe(true);
  });

  it('ignores rules without a score effect and unknown rules', () => {
    const s = interpretEvidence(ragWins)[1];
    expect(evidenceAdjustments([s, { ...s, rule: 'made-up' }])).toEqual([]);
  });

  it('a format/behaviour finding boosts few-shot and fine-tuning', () => {
    const st = { rule: 'format-behaviour', severity: 'info' as const, text: { en: 'x', zh: 'x' }, runIds: [], uncertainty: { en: '', zh: '' } };
    expect(evidenceAdjustments([st]).map((a) => [a.method, a.points])).toEqual([
      ['few-shot', 2],
      ['fine-tune', 1],
    ]);
  });
});
