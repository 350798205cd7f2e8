// Per-part token accounting of a prompt, with the app's one estimate (src/text/tokens.ts) unless the
// engine's real count is passed in.

import { estimateTokens } from '../text/tokens';
import type { PartKind, PromptPart } from './types';

export { estimateTokens };

/** Tokens per part kind (every kind present, 0 when absent). */
export function accountParts(
  parts: PromptPart[],
  countTokens: (s: string) => number = estimateTokens,
): Record<PartKind, number> {
  const out: Record<PartKind, number> = { system: 0, instruction: 0, examples: 0, context: 0, question: 0 };
  for (const p of parts) out[p.kind] += countTokens(p.text);
  return out;
}
