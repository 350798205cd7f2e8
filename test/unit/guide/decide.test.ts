// Pins the guide's recommendations for named, realistic scenarios, the tie-break by simplicity, and
// how measured evidence moves scores. A rule change that flips one of these must be deliberate.

import { describe, expect, it } from 'vitest';
import { CLOSE_MARGIN, decide, PROMPT_STAYS, RULES } from '../../../src/guide/decide';
import { interpretEvidence, type EvidenceStatement } from '../../../src/guide/evidence';
import { ragVsPlain, tooSmall } from './evidence-fixtures';
import type { Answers, OptionValues, QuestionId } from '../../../src/guide/questions';
import { questions } from '../../../src/guide/questions';
import { SIMPLICITY_ORDER, type ApproachId } from '../../../src/guide/types';

/** Every question answered, with typed values so a misspelt option fails the type-check. */
type Full = { [Q in QuestionId]: OptionValues[Q] };

interface Scenario {
  name: string;
  answers: Full;
  top: ApproachId;
  runnerUp?: ApproachId;
  combine?: RegExp;
}

const scenarios: Scenario[] = [
  {
    name: 'internal HR policy Q&A that changes monthly',
    answers: {
      'private-knowledge': 'yes',
      'knowledge-change': 'monthly',
      citations: 'preferred',
      format: 'free',
      examples: 'none',
      'ml-capacity': 'none',
      'latency-cost': 'moderate',
      tools: 'no',
      accuracy: 'medium',
      domain: 'specific',
      'new-domain': 'no',
    },
    top: 'rag',
    runnerUp: 'prompt',
  },
  {
    name: 'fixed JSON extraction format with thousands of labelled examples',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'never',
      citations: 'no',
      format: 'strict',
      examples: 'thousands',
      'ml-capacity': 'some',
      'latency-cost': 'moderate',
      tools: 'no',
      accuracy: 'high',
      domain: 'mixed',
      'new-domain': 'no',
    },
    top: 'fine-tune',
    runnerUp: 'few-shot',
  },
  {
    name: 'general chit-chat persona',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'never',
      citations: 'no',
      format: 'free',
      examples: 'none',
      'ml-capacity': 'none',
      'latency-cost': 'strict',
      tools: 'no',
      accuracy: 'low',
      domain: 'general',
      'new-domain': 'no',
    },
    top: 'prompt',
  },
  {
    name: 'book a trip via flight and hotel APIs',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'daily',
      citations: 'no',
      format: 'some',
      examples: 'few',
      'ml-capacity': 'none',
      'latency-cost': 'relaxed',
      tools: 'multi-step',
      accuracy: 'high',
      domain: 'mixed',
      'new-domain': 'no',
    },
    top: 'agent',
  },
  {
    name: 'customer-support tone with 30 examples',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'yearly',
      citations: 'no',
      format: 'strict',
      examples: 'few',
      'ml-capacity': 'none',
      'latency-cost': 'moderate',
      tools: 'no',
      accuracy: 'medium',
      domain: 'mixed',
      'new-domain': 'no',
    },
    top: 'few-shot',
    runnerUp: 'prompt',
  },
  {
    name: 'new low-resource language with a huge corpus and a big GPU team',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'never',
      citations: 'no',
      format: 'free',
      examples: 'none',
      'ml-capacity': 'team-gpus',
      'latency-cost': 'relaxed',
      tools: 'no',
      accuracy: 'high',
      domain: 'specific',
      'new-domain': 'unknown-language',
    },
    top: 'from-scratch',
    runnerUp: 'fine-tune',
  },
  {
    name: 'new language but only occasional GPUs: continued pre-training, not from scratch',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'never',
      citations: 'no',
      format: 'free',
      examples: 'none',
      'ml-capacity': 'some',
      'latency-cost': 'relaxed',
      tools: 'no',
      accuracy: 'high',
      domain: 'specific',
      'new-domain': 'unknown-language',
    },
    top: 'fine-tune',
  },
  {
    name: 'legal Q&A that must cite sources',
    answers: {
      'private-knowledge': 'yes',
      'knowledge-change': 'yearly',
      citations: 'required',
      format: 'some',
      examples: 'few',
      'ml-capacity': 'none',
      'latency-cost': 'relaxed',
      tools: 'no',
      accuracy: 'high',
      domain: 'specific',
      'new-domain': 'no',
    },
    top: 'rag',
    combine: /RAG \+ few-shot/,
  },
  {
    name: 'product catalogue that changes daily',
    answers: {
      'private-knowledge': 'yes',
      'knowledge-change': 'daily',
      citations: 'preferred',
      format: 'free',
      examples: 'none',
      'ml-capacity': 'some',
      'latency-cost': 'moderate',
      tools: 'no',
      accuracy: 'medium',
      domain: 'specific',
      'new-domain': 'no',
    },
    top: 'rag',
  },
  {
    name: 'ticket classification with hundreds of examples and strict latency',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'never',
      citations: 'no',
      format: 'strict',
      examples: 'hundreds',
      'ml-capacity': 'some',
      'latency-cost': 'strict',
      tools: 'no',
      accuracy: 'high',
      domain: 'specific',
      'new-domain': 'no',
    },
    top: 'fine-tune',
  },
  {
    name: 'summarization in house style with 20 examples',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'never',
      citations: 'no',
      format: 'strict',
      examples: 'few',
      'ml-capacity': 'none',
      'latency-cost': 'moderate',
      tools: 'no',
      accuracy: 'medium',
      domain: 'general',
      'new-domain': 'no',
    },
    top: 'few-shot',
    runnerUp: 'prompt',
  },
  {
    name: 'medical Q&A: high accuracy, private knowledge, strict format',
    answers: {
      'private-knowledge': 'yes',
      'knowledge-change': 'yearly',
      citations: 'required',
      format: 'strict',
      examples: 'hundreds',
      'ml-capacity': 'some',
      'latency-cost': 'moderate',
      tools: 'no',
      accuracy: 'high',
      domain: 'specific',
      'new-domain': 'no',
    },
    top: 'rag',
    runnerUp: 'fine-tune',
    combine: /RAG \+ fine-tuning/,
  },
  {
    name: 'support assistant that answers from the knowledge base and opens tickets',
    answers: {
      'private-knowledge': 'yes',
      'knowledge-change': 'monthly',
      citations: 'preferred',
      format: 'some',
      examples: 'few',
      'ml-capacity': 'some',
      'latency-cost': 'moderate',
      tools: 'multi-step',
      accuracy: 'medium',
      domain: 'specific',
      'new-domain': 'no',
    },
    top: 'agent',
    runnerUp: 'rag',
    combine: /Agent \+ RAG/,
  },
  {
    name: 'niche research domain with a huge corpus in a language models know',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'never',
      citations: 'no',
      format: 'some',
      examples: 'hundreds',
      'ml-capacity': 'some',
      'latency-cost': 'moderate',
      tools: 'no',
      accuracy: 'high',
      domain: 'specific',
      'new-domain': 'corpus',
    },
    top: 'fine-tune',
  },
  {
    name: 'FAQ bot over internal docs with a strict answer template and a few examples',
    answers: {
      'private-knowledge': 'yes',
      'knowledge-change': 'monthly',
      citations: 'no',
      format: 'strict',
      examples: 'few',
      'ml-capacity': 'none',
      'latency-cost': 'moderate',
      tools: 'no',
      accuracy: 'medium',
      domain: 'specific',
      'new-domain': 'no',
    },
    top: 'rag',
    runnerUp: 'few-shot',
    combine: /RAG \+ few-shot/,
  },
  {
    name: 'weather bot that calls one public API',
    answers: {
      'private-knowledge': 'no',
      'knowledge-change': 'daily',
      citations: 'no',
      format: 'free',
      examples: 'none',
      'ml-capacity': 'none',
      'latency-cost': 'moderate',
      tools: 'single',
      accuracy: 'medium',
      domain: 'general',
      'new-domain': 'no',
    },
    top: 'agent',
    runnerUp: 'prompt',
  },
];

describe('decide: named scenarios', () => {
  it('has at least 12 scenarios, all with every question answered', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(12);
    for (const s of scenarios) expect(Object.keys(s.answers).sort()).toEqual(questions.map((q) => q.id).sort());
  });

  for (const s of scenarios) {
    it(`${s.name} → ${s.top}${s.runnerUp ? ` (then ${s.runnerUp})` : ''}`, () => {
      const rec = decide(s.answers);
      expect(rec.top).toBe(s.top);
      expect(rec.ranked[0].method).toBe(s.top);
      if (s.runnerUp) expect(rec.ranked[1].method).toBe(s.runnerUp);
      if (s.combine) expect(rec.combine?.en).toMatch(s.combine);
      expect(rec.ranked[0].reasons.length).toBeGreaterThan(0);
      expect(rec.runnerUpRisks.length).toBeGreaterThan(0);
    });
  }

  it('the medical scenario tells, in Chinese too, to combine RAG with fine-tuning', () => {
    const rec = decide(scenarios.find((s) => s.name.startsWith('medical'))!.answers);
    expect(rec.combine?.zh).toContain('RAG + 微调');
    expect(rec.combine?.zh).toContain(PROMPT_STAYS.zh);
  });
});

describe('decide: structure and tie-breaks', () => {
  it('with no answers ranks by simplicity and recommends prompt engineering', () => {
    const rec = decide({});
    expect(rec.top).toBe('prompt');
    expect(rec.ranked.map((r) => r.method)).toEqual(['prompt', 'few-shot', 'rag', 'agent', 'fine-tune', 'from-scratch']);
    expect(rec.ranked.map((r) => r.score)).toEqual([0, 0, 0, 0, 0, -2]);
    expect(rec.combine).toBeUndefined();
    expect(rec.runnerUpRisks[0].en).toContain('Close call');
  });

  it('breaks a tie in favour of the cheaper method', () => {
    const rec = decide(scenarios.find((s) => s.name.startsWith('book a trip'))!.answers);
    const fs = rec.ranked.findIndex((r) => r.method === 'few-shot');
    const rag = rec.ranked.findIndex((r) => r.method === 'rag');
    expect(rec.ranked[fs].score).toBe(rec.ranked[rag].score);
    expect(fs).toBeLessThan(rag);
  });

  it('always ranks all six methods once, sorted by score', () => {
    for (const s of scenarios) {
      const rec = decide(s.answers);
      expect([...rec.ranked.map((r) => r.method)].sort()).toEqual([...SIMPLICITY_ORDER].sort());
      for (let i = 1; i < rec.ranked.length; i++) expect(rec.ranked[i - 1].score).toBeGreaterThanOrEqual(rec.ranked[i].score);
    }
  });

  it('scores are exactly the sum of the rules that fire', () => {
    const a = scenarios[0].answers;
    const rec = decide(a);
    for (const row of rec.ranked) {
      const fired = RULES.filter((r) => r.method === row.method && r.when(a));
      expect(row.score).toBe(fired.reduce((t, r) => t + r.points, 0));
      expect(row.reasons).toEqual(fired.map((r) => r.reason));
    }
  });

  it('rule ids are unique and every reason is bilingual', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.reason.en.length).toBeGreaterThan(10);
      expect(r.reason.zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('flags a close call when the runner-up is within CLOSE_MARGIN', () => {
    const rec = decide(scenarios.find((s) => s.name.startsWith('FAQ bot'))!.answers);
    expect(rec.ranked[0].score - rec.ranked[1].score).toBeLessThanOrEqual(CLOSE_MARGIN);
    expect(rec.runnerUpRisks[0].en).toMatch(/^Close call: Few-shot prompting scored/);
    expect(rec.runnerUpRisks[0].zh).toContain('少样本提示');
  });

  it('names the runner-up and the failure modes of the top pick', () => {
    const rec = decide(scenarios[0].answers);
    expect(rec.runnerUpRisks[0].en).toContain('try Prompt engineering next');
    expect(rec.runnerUpRisks.some((r) => r.en.includes('recall@k'))).toBe(true);
  });

  it('ignores unknown questions and values from old saves', () => {
    const junk = { 'private-knowledge': 'perhaps', tools: 'MULTI-STEP' } as Answers;
    expect(decide(junk)).toEqual(decide({}));
  });

  it('is deterministic: same input, deeply equal output, input untouched', () => {
    for (const s of scenarios) {
      const before = JSON.stringify(s.answers);
      const a = decide(s.answers);
      const b = decide({ ...s.answers });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(JSON.stringify(s.answers)).toBe(before);
    }
  });
});

describe('decide with measured evidence', () => {
  const gain: EvidenceStatement = {
    rule: 'rag-knowledge-gap',
    severity: 'good',
    text: { en: 'RAG beats plain prompting by +20.0 F1 points.', zh: 'RAG 的 F1 比直接提问高 20.0 个百分点。' },
    runIds: ['run-rag', 'run-plain'],
    uncertainty: { en: 'CI [+10.0, +30.0]; n = 40.', zh: '置信区间 [+10.0, +30.0]；n = 40。' },
  };
  // General domain favours prompt (3) over RAG (2 for partly private knowledge).
  const close: Answers = { domain: 'general', 'private-knowledge': 'some' };

  it('a measured RAG gain adds its points and its reason to RAG', () => {
    const without = decide(close);
    const withEv = decide(close, [gain]);
    expect(without.top).toBe('prompt');
    expect(withEv.top).toBe('rag');
    const rag = withEv.ranked.find((r) => r.method === 'rag')!;
    expect(rag.score).toBe(without.ranked.find((r) => r.method === 'rag')!.score + 3);
    expect(rag.reasons.at(-1)?.en).toBe('Measured: RAG beats plain prompting by +20.0 F1 points.');
    expect(rag.reasons.at(-1)?.zh).toBe('实测：RAG 的 F1 比直接提问高 20.0 个百分点。');
  });

  it('statements without a score effect leave the ranking unchanged', () => {
    const weak: EvidenceStatement = { ...gain, rule: 'retrieval-weak', severity: 'warn' };
    expect(decide(close, [weak])).toEqual(decide(close));
    expect(decide(close, [])).toEqual(decide(close));
  });
});

describe('decide with an evaluation: the recommendation moves only when the data support it', () => {
  // General domain (prompt +3) with thousands of examples (fine-tuning +3): a tie the simpler method wins.
  const tie: Answers = { domain: 'general', examples: 'thousands' };
  // General domain favours prompt (3) over RAG (2 for partly private knowledge).
  const close: Answers = { domain: 'general', 'private-knowledge': 'some' };

  it('three questions with every method low: no verdict, prompt engineering stays on top', () => {
    expect(decide(tie).top).toBe('prompt');
    const st = interpretEvidence(tooSmall(3));
    expect(st.some((x) => x.rule === 'model-too-small')).toBe(false);
    expect(st.some((x) => x.rule === 'not-enough-evidence')).toBe(true);
    expect(decide(tie, st)).toEqual(decide(tie));
  });

  it('fifty questions with every F1 interval below 0.30 and retrieval clearly working: fine-tuning moves to the top', () => {
    const rec = decide(tie, interpretEvidence(tooSmall(50)));
    expect(rec.top).toBe('fine-tune');
    const ft = rec.ranked.find((r) => r.method === 'fine-tune')!;
    expect(ft.score).toBe(decide(tie).ranked.find((r) => r.method === 'fine-tune')!.score + 2);
    expect(ft.reasons.at(-1)?.en.startsWith('Measured: Every method on SmolLM2-135M stays below token F1 0.30')).toBe(true);
  });

  it('RAG against plain: three questions leave prompt engineering on top, fifty clear ones make RAG the pick', () => {
    expect(decide(close, interpretEvidence(ragVsPlain(3)))).toEqual(decide(close));
    const rec = decide(close, interpretEvidence(ragVsPlain(50)));
    expect(rec.top).toBe('rag');
    expect(rec.ranked.find((r) => r.method === 'rag')!.reasons.at(-1)?.en).toContain(
      'RAG better than plain on token F1: +0.42 [0.31, 0.52], p < 0.001, n = 50 (Wilcoxon, Holm-corrected)',
    );
  });
});
