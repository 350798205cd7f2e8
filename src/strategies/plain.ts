// Plain prompting: the baseline lane. The model sees only the system prompt and the question.

import { systemTurns } from './turns';
import type { BuiltPrompt, StrategyContext } from './types';

export function buildPlainPrompt(question: string, ctx: StrategyContext): BuiltPrompt {
  const q = question.trim();
  const system = ctx.systemPrompt.trim();
  return {
    method: 'plain',
    messages: [...systemTurns(system), { role: 'user', content: q }],
    parts: [...(system ? [{ kind: 'system' as const, text: system }] : []), { kind: 'question', text: q }],
    contextIds: [],
  };
}
