// Message pieces shared by the strategies, so every method frames the system prompt and the
// examples identically and the lanes differ only in what the method adds.

import type { ChatMessage, Example, PromptPart } from './types';

/** An empty system prompt sends no system message: an empty one makes some chat templates drop their default. */
export function systemTurns(text: string): ChatMessage[] {
  return text.trim() === '' ? [] : [{ role: 'system', content: text.trim() }];
}

/** Examples become real user/assistant turns: small models imitate turns far better than a quoted list. */
export function exampleTurns(examples: readonly Example[] | undefined): { messages: ChatMessage[]; parts: PromptPart[] } {
  const messages: ChatMessage[] = [];
  const parts: PromptPart[] = [];
  for (const ex of examples ?? []) {
    const q = ex.question.trim();
    const a = ex.answer.trim();
    messages.push({ role: 'user', content: q }, { role: 'assistant', content: a });
    parts.push({ kind: 'examples', text: q }, { kind: 'examples', text: a });
  }
  return { messages, parts };
}
