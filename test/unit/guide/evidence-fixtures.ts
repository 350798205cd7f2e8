// Evaluation summaries for the guide's tests, made by the real pipeline (summarize → toEvidenceSummary)
// from per-question scores, so the guide is tested on numbers the Evaluate screen would show.
import { summarize, toEvidenceSummary } from '../../../src/eval/summary';
import type { EvalSummary } from '../../../src/guide/evidence';
import { config, FIFTY_PLAIN, FIFTY_RAG, results } from '../eval/synth';

/** RAG against plain on the first `n` of the fifty questions (RAG prompts are 12× longer, 1.1 s slower). */
export function ragVsPlain(n: number, runId = 'run-1'): EvalSummary {
  const rows = [
    ...results({ method: 'plain', f1: FIFTY_PLAIN.slice(0, n), promptTokens: 120, totalMs: 800 }),
    ...results({ method: 'rag', f1: FIFTY_RAG.slice(0, n), recall: FIFTY_RAG.slice(0, n).map(() => 1), promptTokens: 1450, totalMs: 1895 }),
  ];
  const cfg = { ...config(n), testSetName: 'HR policies' };
  return toEvidenceSummary(summarize(runId, cfg, rows), cfg);
}

/** Every method low on token F1 (means ≈ 0.13) while retrieval finds every gold passage: a model too small. */
export function tooSmall(n: number): EvalSummary {
  const low = Array.from({ length: 50 }, (_, i) => [0, 0.125, 0.25][i % 3]);
  const rows = [
    ...results({ method: 'plain', f1: low.slice(0, n) }),
    ...results({ method: 'rag', f1: low.slice(0, n).map((_, i) => low[(i + 1) % 50]), recall: low.slice(0, n).map(() => 1), promptTokens: 900 }),
  ];
  const cfg = { ...config(n), testSetName: 'Contracts', model: { model: 'SmolLM2-135M' } };
  return toEvidenceSummary(summarize('run-small', cfg, rows), cfg);
}
