// Shared types for prompt building. Strategies are pure: question + context in, chat messages out,
// plus per-part texts so the UI can show where the prompt's tokens go.

import type { ChatMessage, Role } from '../protocol/messages';
export type { ChatMessage, Role };

export interface Example {
  id: string;
  question: string;
  answer: string;
}

export interface ContextChunk {
  id: string;
  docName: string;
  text: string;
  /** 1-based page number, when the source has pages. */
  page?: number;
  headingPath?: string[];
}

export type MethodId = 'plain' | 'few-shot' | 'rag' | 'rag+few-shot' | RagStepMethod;

/**
 * RAG with an extra model call: HyDE (a hypothetical passage searched densely), multi-query (three
 * rewrites searched and fused by reciprocal rank), verified (the answer checked claim by claim). Each
 * answers with the RAG prompt.
 */
export type RagStepMethod = 'rag-hyde' | 'rag-multi' | 'rag-verified';

export type PartKind = 'system' | 'instruction' | 'examples' | 'context' | 'question';

/** One piece of the prompt, for token accounting per part. A kind may occur several times. */
export interface PromptPart {
  kind: PartKind;
  text: string;
}

export interface BuiltPrompt {
  method: MethodId;
  messages: ChatMessage[];
  parts: PromptPart[];
  /** contextIds[i] is the chunk the prompt labels [i+1]. Empty for methods without retrieval. */
  contextIds: string[];
}

export interface StrategyContext {
  systemPrompt: string;
  examples?: Example[];
  /** Retrieved chunks, best first. */
  chunks?: ContextChunk[];
  /** UI language: picks the language of the RAG instruction and labels. */
  lang: 'en' | 'zh';
  /** Most tokens the numbered context entries may take (counted with `countTokens`). */
  contextTokenBudget?: number;
  countTokens?: (s: string) => number;
}
