// Evaluation results made from given per-question scores, for tests of summaries and of the guide's
// evidence: the statistics see exactly the numbers written here (reference values are computed from them).
import type { SummaryConfig, SummaryResult } from '../../../src/eval/summary';
import type { TestItem } from '../../../src/store/db';
import type { MethodId } from '../../../src/strategies/types';

/**
 * The 50-question set behind the "RAG better than plain" sentence (token F1 per question). The scores are
 * multiples of 1/8, so every mean is exact in binary and scipy and the app agree to the last bit on ties.
 */
export const FIFTY_PLAIN = [0.375, 0.5, 0.5, 0, 0, 0, 0.375, 0.5, 0, 0.375, 0, 0.5, 0, 0.25, 0, 0, 0, 0.5, 0, 0.375, 0.25, 0, 0, 0.375, 0.375, 0, 0.25, 0.25, 0.25, 0, 0.25, 0.375, 0, 0.25, 0.25, 0, 0, 0, 0.375, 0.25, 0.25, 0.5, 0, 0.25, 0.25, 0.5, 0, 0, 0, 0];
export const FIFTY_RAG = [0.75, 1, 1, 0.375, 0, 1, 0, 0.25, 0.25, 0, 0.625, 0.5, 1, 0.5, 0.75, 0, 1, 1, 1, 0.625, 1, 0.5, 0.5, 0.625, 0.75, 1, 0, 1, 0, 1, 0.5, 0.75, 0, 1, 0.75, 0.625, 0, 0.25, 1, 0.625, 0.625, 1, 0.75, 1, 1, 1, 0.375, 0, 0.625, 0.625];

export function items(n: number): TestItem[] {
  return Array.from({ length: n }, (_, i) => ({ id: `q${i + 1}`, question: `Question ${i + 1}?`, answer: `answer ${i + 1}`, goldPassages: [`Passage ${i + 1}.`], tags: [] }));
}

export function config(n: number, methods: MethodId[] = ['plain', 'rag'], extra: Partial<SummaryConfig> = {}): SummaryConfig & { testSetName: string } {
  return { testSetName: 'Synthetic', methods, seed: 42, items: items(n), llm: 'echo', model: { model: 'echo' }, ...extra };
}

export interface SynthArm {
  method: MethodId;
  model?: string;
  /** Token F1 per question, in item order; exact match is 1 where F1 is 1. */
  f1: readonly number[];
  /** Retrieval recall@4 per question (retrieving methods only). */
  recall?: readonly number[];
  promptTokens?: number;
  totalMs?: number;
  judge?: readonly (string | null)[];
}

export function results(arm: SynthArm): SummaryResult[] {
  return arm.f1.map((f1, i) => {
    const recall = arm.recall?.[i];
    const usage = { promptTokens: arm.promptTokens ?? 100, outputTokens: 10, ttftMs: 20, totalMs: arm.totalMs ?? 500, decodeTps: 40 };
    const raw = arm.judge?.[i];
    return {
      itemId: `q${i + 1}`,
      method: arm.method,
      ...(arm.model ? { model: arm.model } : {}),
      answer: `answer ${i + 1}`,
      stopped: 'eos' as const,
      messages: [],
      partTokens: { system: 1, instruction: 0, examples: 0, context: 0, question: 3 },
      hits: [],
      contextIds: [],
      examplesUsed: [],
      retrievalMs: recall === undefined ? 0 : 5,
      usage,
      scores: {
        answerable: true,
        em: f1 === 1 ? 1 : 0,
        f1,
        rougeL: f1,
        recall: f1,
        containment: null,
        refused: false,
        lexicalSupport: 0.5,
        retrieval:
          recall === undefined
            ? null
            : { k: 4, hit: recall > 0 ? 1 : 0, recall, precision: recall / 4, rr: recall > 0 ? 1 : 0, goldChunkIds: [], located: 1, unlocated: 0 },
        promptTokens: usage.promptTokens,
        outputTokens: 10,
        ttftMs: 20,
        totalMs: usage.totalMs,
        tps: 40,
        retrievalMs: recall === undefined ? 0 : 5,
      },
      judge: raw === undefined || raw === null ? null : { grades: null, raw, rubricVersion: 1 },
      thumb: null,
      finishedAt: 1_700_000_000_000 + i,
    };
  });
}
