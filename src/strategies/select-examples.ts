// Picks the few-shot examples. Bank order by default (the user's own ordering, reproducible);
// nearest-to-the-question when embeddings are supplied. The sort is stable, so ties keep bank order.

import type { Example } from './types';

export interface SelectExamplesOptions {
  questionVector?: Float32Array;
  /** Example id → embedding. Examples without a vector rank after all that have one. */
  exampleVectors?: Map<string, Float32Array>;
}

/** Cosine similarity in [-1, 1]; 0 when either vector is all zeros or the lengths differ. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function selectExamples(bank: readonly Example[], k: number, opts: SelectExamplesOptions = {}): Example[] {
  const take = Math.max(0, Math.floor(k));
  if (take === 0) return [];
  const { questionVector, exampleVectors } = opts;
  if (!questionVector || !exampleVectors) return bank.slice(0, take);
  const scored = bank.map((ex) => {
    const v = exampleVectors.get(ex.id);
    return { ex, score: v ? cosineSimilarity(questionVector, v) : -Infinity };
  });
  // Stable sort (ES2019); `|| 0` turns -Infinity minus -Infinity (NaN) into a tie.
  scored.sort((x, y) => y.score - x.score || 0);
  return scored.slice(0, take).map((s) => s.ex);
}
