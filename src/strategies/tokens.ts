// Token estimates and per-part accounting. The estimator is deliberately rough (no tokenizer download):
// it is used for the context budget before a model is loaded; real counts come from the engine.

import type { PartKind, PromptPart } from './types';

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const PIECE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/**
 * Estimated tokens: each Han/Kana/Hangul character counts 1; every other whitespace-free run
 * (a word with its punctuation) counts ceil(length / 4), the usual ~4 characters per BPE token.
 */
export function estimateTokens(s: string): number {
  let n = 0;
  for (const m of s.matchAll(PIECE)) {
    const piece = m[0];
    n += CJK_CHAR.test(piece) ? 1 : Math.ceil(piece.length / 4);
  }
  return n;
}

/** Tokens per part kind (every kind present, 0 when absent). */
export function accountParts(
  parts: PromptPart[],
  countTokens: (s: string) => number = estimateTokens,
): Record<PartKind, number> {
  const out: Record<PartKind, number> = { system: 0, instruction: 0, examples: 0, context: 0, question: 0 };
  for (const p of parts) out[p.kind] += countTokens(p.text);
  return out;
}
