// RAG prompting: numbered retrieved passages plus the question in the LAST user message (the turn
// the model attends to most, and the one test fixtures echo); the answer-only-from-context rule goes
// in the system message. Over the token budget, the context stops at the first chunk that does not fit.

import { estimateTokens } from './tokens';
import { exampleTurns } from './turns';
import type { BuiltPrompt, ChatMessage, ContextChunk, MethodId, PromptPart, RagStepMethod, StrategyContext } from './types';

export const RAG_INSTRUCTION: Record<'en' | 'zh', string> = {
  en:
    'Answer using only the context below. Cite the passages you use by their numbers in square brackets, ' +
    'like [1] or [2]. If the context does not contain the answer, say plainly: "The context does not contain the answer."',
  zh: '只根据下面的资料回答。用方括号标出所依据资料的编号，例如 [1] 或 [2]。如果资料中没有答案，请直接说：“资料中没有答案。”',
};

const LABELS = {
  en: { context: 'Context:\n', question: 'Question: ', none: '(no passages found)', page: (n: number) => `p. ${n}` },
  zh: { context: '资料：\n', question: '问题：', none: '（未找到相关资料）', page: (n: number) => `第 ${n} 页` },
} as const;

/** "(doc › heading › sub)" or "(doc › p. N)": the heading path wins because it locates text better than a page. */
export function sourceLabel(chunk: ContextChunk, lang: 'en' | 'zh'): string {
  const where = chunk.headingPath?.length
    ? chunk.headingPath.join(' › ')
    : chunk.page != null
      ? LABELS[lang].page(chunk.page)
      : '';
  return where ? `(${chunk.docName} › ${where})` : `(${chunk.docName})`;
}

export interface ContextBlock {
  /** The "Context:\n[1] …" block (no trailing blank line). */
  text: string;
  contextIds: string[];
}

/**
 * Numbers the chunks in rank order while their formatted entries ("[n] (source) text") fit in
 * `contextTokenBudget`. The first chunk that would overflow ends the context: cutting it mid-sentence
 * would feed the model half a fact, and skipping to a smaller lower-ranked chunk would let rank order
 * and the budget interact in ways a user comparing lanes cannot see.
 */
export function buildContextBlock(ctx: StrategyContext): ContextBlock {
  const labels = LABELS[ctx.lang];
  const count = ctx.countTokens ?? estimateTokens;
  const budget = ctx.contextTokenBudget ?? Infinity;
  const entries: string[] = [];
  const contextIds: string[] = [];
  let used = 0;
  for (const chunk of ctx.chunks ?? []) {
    const entry = `[${entries.length + 1}] ${sourceLabel(chunk, ctx.lang)} ${chunk.text.trim()}`;
    const cost = count(entry);
    if (used + cost > budget) break;
    used += cost;
    entries.push(entry);
    contextIds.push(chunk.id);
  }
  const body = entries.length ? entries.join('\n\n') : labels.none;
  return { text: labels.context + body, contextIds };
}

function build(method: MethodId, question: string, ctx: StrategyContext, withExamples: boolean): BuiltPrompt {
  const q = question.trim();
  const system = ctx.systemPrompt.trim();
  const instruction = RAG_INSTRUCTION[ctx.lang];
  const block = buildContextBlock(ctx);
  const questionText = LABELS[ctx.lang].question + q;
  const ex = withExamples ? exampleTurns(ctx.examples) : { messages: [], parts: [] };
  const messages: ChatMessage[] = [
    { role: 'system', content: system ? `${system}\n\n${instruction}` : instruction },
    ...ex.messages,
    { role: 'user', content: `${block.text}\n\n${questionText}` },
  ];
  const parts: PromptPart[] = [
    ...(system ? [{ kind: 'system' as const, text: system }] : []),
    { kind: 'instruction', text: instruction },
    ...ex.parts,
    { kind: 'context', text: block.text },
    { kind: 'question', text: questionText },
  ];
  return { method, messages, parts, contextIds: block.contextIds };
}

export function buildRagPrompt(question: string, ctx: StrategyContext): BuiltPrompt {
  return build('rag', question, ctx, false);
}

/** Examples as plain turns (they show the answer style), then the same context message as RAG. */
export function buildRagFewShotPrompt(question: string, ctx: StrategyContext): BuiltPrompt {
  return build('rag+few-shot', question, ctx, true);
}

/** The RAG prompt under a RAG-with-steps method's id: the steps change what is retrieved or checked, not how the answer is asked for. */
export function buildRagStepPrompt(method: RagStepMethod, question: string, ctx: StrategyContext): BuiltPrompt {
  return build(method, question, ctx, false);
}
