// Entry point for the lanes: one `buildPrompt` for every method, plus what each method needs,
// so orchestration can skip retrieval or example selection for lanes that do not use them.

import { buildFewShotPrompt } from './few-shot';
import { buildPlainPrompt } from './plain';
import { buildRagFewShotPrompt, buildRagPrompt, buildRagStepPrompt } from './rag';
import type { BuiltPrompt, ChatMessage, MethodId, StrategyContext } from './types';

export interface MethodInfo {
  id: MethodId;
  needsRetrieval: boolean;
  needsExamples: boolean;
  /**
   * The extra model call a RAG-with-steps method makes: before retrieval (HyDE passage, query
   * rewrites) or after the answer (verification). Absent for methods with one call.
   */
  step?: 'hyde' | 'multi-query' | 'verify';
  /** The method this one is a variant of (the RAG steps are RAG variants), for readers that speak of "rag". */
  variantOf?: MethodId;
}

export const METHODS: readonly MethodInfo[] = Object.freeze([
  { id: 'plain', needsRetrieval: false, needsExamples: false },
  { id: 'few-shot', needsRetrieval: false, needsExamples: true },
  { id: 'rag', needsRetrieval: true, needsExamples: false },
  { id: 'rag+few-shot', needsRetrieval: true, needsExamples: true },
  { id: 'rag-hyde', needsRetrieval: true, needsExamples: false, step: 'hyde', variantOf: 'rag' },
  { id: 'rag-multi', needsRetrieval: true, needsExamples: false, step: 'multi-query', variantOf: 'rag' },
  { id: 'rag-verified', needsRetrieval: true, needsExamples: false, step: 'verify', variantOf: 'rag' },
] as const satisfies readonly MethodInfo[]);

export const METHOD_IDS: readonly MethodId[] = METHODS.map((m) => m.id);

export function methodInfo(id: MethodId): MethodInfo {
  const info = METHODS.find((m) => m.id === id);
  if (!info) throw new RangeError(`Unknown method: ${String(id)}`);
  return info;
}

export function isMethodId(s: string): s is MethodId {
  return METHODS.some((m) => m.id === s);
}

export function buildPrompt(method: MethodId, question: string, ctx: StrategyContext): BuiltPrompt {
  switch (method) {
    case 'plain':
      return buildPlainPrompt(question, ctx);
    case 'few-shot':
      return buildFewShotPrompt(question, ctx);
    case 'rag':
      return buildRagPrompt(question, ctx);
    case 'rag+few-shot':
      return buildRagFewShotPrompt(question, ctx);
    case 'rag-hyde':
    case 'rag-multi':
    case 'rag-verified':
      return buildRagStepPrompt(method, question, ctx);
    default: {
      const never: never = method;
      throw new RangeError(`Unknown method: ${String(never)}`);
    }
  }
}

export function buildMessages(method: MethodId, question: string, ctx: StrategyContext): ChatMessage[] {
  return buildPrompt(method, question, ctx).messages;
}

export { buildPlainPrompt } from './plain';
export { buildFewShotPrompt } from './few-shot';
export { buildRagPrompt, buildRagFewShotPrompt, buildRagStepPrompt, buildContextBlock, sourceLabel, RAG_INSTRUCTION } from './rag';
export { parseCitations, stripCitations, type Citation } from './citations';
export { accountParts, estimateTokens } from './tokens';
export { selectExamples, cosineSimilarity, type SelectExamplesOptions } from './select-examples';
export type * from './types';
