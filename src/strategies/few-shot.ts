// Few-shot prompting: worked examples as earlier chat turns, then the question. No retrieval.

import { exampleTurns, systemTurns } from './turns';
import type { BuiltPrompt, StrategyContext } from './types';

export function buildFewShotPrompt(question: string, ctx: StrategyContext): BuiltPrompt {
  const q = question.trim();
  const system = ctx.systemPrompt.trim();
  const ex = exampleTurns(ctx.examples);
  return {
    method: 'few-shot',
    messages: [...systemTurns(system), ...ex.messages, { role: 'user', content: q }],
    parts: [...(system ? [{ kind: 'system' as const, text: system }] : []), ...ex.parts, { kind: 'question', text: q }],
    contextIds: [],
  };
}
