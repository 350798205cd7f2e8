// The record of a RAG lane's extra model calls (HyDE passage, query rewrites, verification): what
// each call replied, how it was read, and what it cost, so the Lab and evaluation can show the
// intermediate text and count its tokens and time next to the answer's.
import type { GenResult, GenUsage } from '../protocol/messages';
import type { Verification, VerificationSummary } from './verify';

/** One extra model call: the reply as written, its usage and how it stopped. */
export interface StepCall {
  reply: string;
  usage: GenUsage;
  stopped: GenResult['stopped'];
}

export interface HydeStep {
  /** Null when no passage was asked for (dense search is off in the lane's settings). */
  call: StepCall | null;
  /** The hypothetical passage as dense search got it; null when the reply was not usable or none was asked for. */
  passage: string | null;
  /** The reply was longer than the passage budget and was cut at a sentence end. */
  truncated: boolean;
  /** Why the reply is not a passage. */
  problem: 'empty' | 'refusal' | null;
  /** The search confirmed that dense retrieval embedded the passage (`RetrievalRan.denseText`). */
  usedForDense: boolean;
}

/** A query's top hits as the step shows them (not the prompt's context). */
export interface QueryHit {
  chunkId: string;
  docName: string;
  /** 1-based rank in that query's own search. */
  rank: number;
  /** The start of the chunk's text (at most QUERY_HIT_CHARS characters). */
  text: string;
}

export interface MultiQueryStep {
  call: StepCall;
  /** The rewrites read from the reply, in the model's order (at most MULTI_QUERY_COUNT). */
  queries: string[];
  /** What the parser dropped or could not find (shown, never hidden). */
  problems: string[];
  /** Each query searched, the original question first, with its top hits. */
  searches: { query: string; hits: QueryHit[] }[];
  /** The k of reciprocal rank fusion (60, Cormack et al. 2009). */
  rrfK: number;
}

export interface VerifyStep {
  call: StepCall;
  /** The answer the check read (the RAG answer before any revision). */
  draft: string;
  verification: Verification;
  summary: VerificationSummary;
  /** The revision replaced the draft as the lane's answer. */
  revised: boolean;
}

/** A lane's extra steps; each method fills the one it runs. */
export interface LaneSteps {
  hyde?: HydeStep;
  multiQuery?: MultiQueryStep;
  verify?: VerifyStep;
}

/** Characters of a query hit's text kept in the record. */
export const QUERY_HIT_CHARS = 160;
/** Top hits kept per query in the record. */
export const QUERY_HITS_SHOWN = 3;

/** The usage of every extra call, in the order they ran (before the answer, then after it). */
export function stepUsages(steps: LaneSteps | null | undefined): GenUsage[] {
  if (!steps) return [];
  return [steps.hyde?.call?.usage, steps.multiQuery?.call.usage, steps.verify?.call.usage].filter((u): u is GenUsage => u !== undefined);
}

export interface StepsCost {
  calls: number;
  promptTokens: number;
  outputTokens: number;
  /** Sum of the calls' total times, ms. */
  totalMs: number;
}

/** What the extra calls cost together: tokens and ms summed over `stepUsages`. */
export function stepsCost(steps: LaneSteps | null | undefined): StepsCost {
  const us = stepUsages(steps);
  return {
    calls: us.length,
    promptTokens: us.reduce((s, u) => s + u.promptTokens, 0),
    outputTokens: us.reduce((s, u) => s + u.outputTokens, 0),
    totalMs: us.reduce((s, u) => s + u.totalMs, 0),
  };
}
