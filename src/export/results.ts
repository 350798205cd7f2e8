// Evaluation results as files: CSV (one row per question × method, every score a column, for a
// spreadsheet) and JSON (the run's settings, the summary with intervals and every row). Pure.

import type { EvalConfig, EvalItemResult } from '../eval/runner';
import type { RunSummary } from '../eval/summary';

export const RESULTS_FORMAT = 'method-lab-eval-results';

export const RESULT_COLUMNS = [
  'run_id', 'item_id', 'method', 'question', 'reference', 'answer', 'answerable',
  'exact_match', 'token_f1', 'rouge_l', 'answer_recall', 'gold_containment', 'refused', 'lexical_support',
  'k', 'hit_at_k', 'recall_at_k', 'precision_at_k', 'reciprocal_rank',
  'prompt_tokens', 'output_tokens', 'ttft_ms', 'total_ms', 'tokens_per_s', 'retrieval_ms',
  'judge_faithfulness', 'judge_relevance', 'thumb', 'model',
] as const;

export type ResultRow = Record<(typeof RESULT_COLUMNS)[number], string | number | boolean | null>;

/** Rows in test-set order, methods in run order; results for questions no longer in the config go last. */
export function resultRows(runId: string, config: EvalConfig, results: readonly EvalItemResult[]): ResultRow[] {
  const items = new Map(config.items.map((it, i) => [it.id, { it, i }]));
  const morder = (m: string) => {
    const i = config.methods.indexOf(m as EvalConfig['methods'][number]);
    return i < 0 ? 99 : i;
  };
  const sorted = [...results].sort((a, b) => (items.get(a.itemId)?.i ?? 1e9) - (items.get(b.itemId)?.i ?? 1e9) || morder(a.method) - morder(b.method));
  const model = config.model ? `${config.model.model} (${config.model.engine}, ${config.model.device}, ${config.model.dtype})` : config.llm;
  return sorted.map((r) => {
    const it = items.get(r.itemId)?.it;
    const s = r.scores;
    return {
      run_id: runId,
      item_id: r.itemId,
      method: r.method,
      question: it?.question ?? '',
      reference: it?.answer ?? '',
      answer: r.answer,
      answerable: s.answerable,
      exact_match: s.em,
      token_f1: s.f1,
      rouge_l: s.rougeL,
      answer_recall: s.recall,
      gold_containment: s.containment,
      refused: s.refused,
      lexical_support: s.lexicalSupport,
      k: s.retrieval?.k ?? null,
      hit_at_k: s.retrieval?.hit ?? null,
      recall_at_k: s.retrieval?.recall ?? null,
      precision_at_k: s.retrieval?.precision ?? null,
      reciprocal_rank: s.retrieval?.rr ?? null,
      prompt_tokens: s.promptTokens,
      output_tokens: s.outputTokens,
      ttft_ms: round(s.ttftMs),
      total_ms: round(s.totalMs),
      tokens_per_s: round(s.tps),
      retrieval_ms: round(s.retrievalMs),
      judge_faithfulness: r.judge?.grades?.faithfulness ?? null,
      judge_relevance: r.judge?.grades?.relevance ?? null,
      thumb: r.thumb,
      model,
    };
  });
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function field(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return /[",\r\n]/u.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 with CRLF and a UTF-8 BOM (so Excel shows Chinese correctly); empty cell = not applicable. */
export function resultsToCsv(rows: readonly ResultRow[]): string {
  const lines = [RESULT_COLUMNS.join(','), ...rows.map((r) => RESULT_COLUMNS.map((c) => field(r[c])).join(','))];
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

export function resultsToJson(runId: string, config: EvalConfig, summary: RunSummary, rows: readonly ResultRow[]): string {
  const { items: _items, examples: _examples, ...settings } = config;
  return JSON.stringify({ format: RESULTS_FORMAT, version: 1, runId, settings, summary, rows }, null, 2) + '\n';
}
