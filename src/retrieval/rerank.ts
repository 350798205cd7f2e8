// Applies cross-encoder scores to fused hits. The model call lives with the embedder in the
// knowledge worker; this stays pure so the reordering rules are testable without a model.
import type { Hit } from './hybrid';

/**
 * Sets `rerank` on each hit (scores[i] belongs to hits[i]) and returns a new list sorted by it,
 * best first; ties keep the fused order and NaN sorts last. `rank` is renumbered; the per-method
 * ranks and `fused` are kept as evidence of where each hit came from.
 */
export function applyRerank(hits: readonly Hit[], scores: readonly number[]): Hit[] {
  if (scores.length !== hits.length) {
    throw new RangeError(`applyRerank: ${hits.length} hits but ${scores.length} scores`);
  }
  const key = (s: number) => (Number.isNaN(s) ? -Infinity : s);
  return hits
    .map((hit, i) => ({ hit, i, s: key(scores[i]) }))
    .sort((a, b) => (b.s === a.s ? a.i - b.i : b.s > a.s ? 1 : -1))
    .map(({ hit, i }, pos) => ({ ...hit, rerank: scores[i], rank: pos + 1 }));
}
