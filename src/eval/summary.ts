// Per-method summaries of an evaluation run: means with bootstrap intervals over questions (seeded
// from the run's seed and the metric's name, so the same results always give the same intervals),
// paired F1 differences between methods, and the compact EvalSummary the decision guide reads.

import type { EvalSummary, Interval, MethodSummary } from '../guide/evidence';
import type { EvalItemRecord, EvalRunRecord, LabDb } from '../store/db';
import { evalItemsFor, listEvalRuns } from '../store/runs';
import { METHOD_IDS, isMethodId } from '../strategies';
import type { MethodId } from '../strategies/types';
import { gradeToUnit } from './judge';
import { bootstrapCI, mean, pairedBootstrapDiff, type ConfidenceInterval, type PairedDiff } from './metrics';
import type { EvalConfig, EvalItemResult } from './runner';

export const DEFAULT_SEED = 20240521;
/** Resamples per interval: enough for stable 95% bounds at a few hundred questions, fast in the page. */
export const BOOTSTRAP_ITERATIONS = 1000;

export interface RetrievalSummary {
  k: number;
  /** Items with gold to measure against. */
  n: number;
  hit: ConfidenceInterval | null;
  recall: ConfidenceInterval | null;
  precision: ConfidenceInterval | null;
  mrr: ConfidenceInterval | null;
}

export interface MethodStats {
  method: MethodId;
  /** Results stored for this method. */
  items: number;
  answerable: number;
  unanswerable: number;
  /** Answer vs reference, over answerable questions. */
  em: ConfidenceInterval | null;
  f1: ConfidenceInterval | null;
  rougeL: ConfidenceInterval | null;
  recall: ConfidenceInterval | null;
  containment: ConfidenceInterval | null;
  groundedness: ConfidenceInterval | null;
  /** Share of unanswerable questions the answer refused (higher is better). */
  refusedUnanswerable: ConfidenceInterval | null;
  /** Share of answerable questions the answer refused (lower is better). */
  refusedAnswerable: number | null;
  /** Null for methods that do not retrieve. */
  retrieval: RetrievalSummary | null;
  /** Model-graded, 0–1 (1–5 mapped linearly); null when not judged or never parsable. */
  judgeFaithfulness: ConfidenceInterval | null;
  judgeRelevance: ConfidenceInterval | null;
  judged: number;
  thumbsUp: number;
  thumbsDown: number;
  /** Means per answer. */
  promptTokens: number;
  outputTokens: number;
  ttftMs: number;
  totalMs: number;
  /** Mean decode tokens/s. */
  tps: number;
  retrievalMs: number;
}

export interface MethodDiff {
  a: MethodId;
  b: MethodId;
  /** F1(a) − F1(b) over answerable questions both answered. */
  f1: PairedDiff;
}

export interface RunSummary {
  runId: string;
  seed: number;
  methods: MethodStats[];
  diffs: MethodDiff[];
  /** Questions in the run's test set. */
  questions: number;
  /** Stored results / expected results. */
  complete: boolean;
}

/** FNV-1a of a label mixed into the run seed: each metric and method gets its own stream. */
export function seedFor(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function ci(values: readonly (number | null)[], seed: number, label: string): ConfidenceInterval | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return bootstrapCI(v, { seed: seedFor(seed, label), iterations: BOOTSTRAP_ITERATIONS });
}

const avg = (values: number[]): number => mean(values) ?? 0;

/** Narrows a stored record's result; null when the record is not one the runner wrote. */
export function asItemResult(rec: EvalItemRecord): EvalItemResult | null {
  const r = rec.result as Partial<EvalItemResult> | null;
  if (!r || typeof r !== 'object' || typeof r.answer !== 'string' || !r.scores || !r.usage) return null;
  if (typeof rec.method !== 'string' || !isMethodId(rec.method)) return null;
  return { ...(r as EvalItemResult), itemId: rec.itemId, method: rec.method };
}

function methodStats(method: MethodId, rows: readonly EvalItemResult[], seed: number): MethodStats {
  const s = rows.map((r) => r.scores);
  const ans = s.filter((x) => x.answerable);
  const unans = s.filter((x) => !x.answerable);
  const label = (m: string) => `${method}/${m}`;
  const withRetrieval = s.filter((x) => x.retrieval !== null).map((x) => x.retrieval!);
  const retrieves = rows.some((r) => r.hits.length > 0 || r.scores.retrieval !== null) || method === 'rag' || method === 'rag+few-shot';
  const judged = rows.filter((r) => r.judge?.grades);
  return {
    method,
    items: rows.length,
    answerable: ans.length,
    unanswerable: unans.length,
    em: ci(ans.map((x) => x.em), seed, label('em')),
    f1: ci(ans.map((x) => x.f1), seed, label('f1')),
    rougeL: ci(ans.map((x) => x.rougeL), seed, label('rougeL')),
    recall: ci(ans.map((x) => x.recall), seed, label('recall')),
    containment: ci(ans.map((x) => x.containment), seed, label('containment')),
    groundedness: ci(s.map((x) => x.groundedness), seed, label('groundedness')),
    refusedUnanswerable: ci(unans.map((x) => (x.refused ? 1 : 0)), seed, label('refusedUnanswerable')),
    refusedAnswerable: ans.length ? ans.filter((x) => x.refused).length / ans.length : null,
    retrieval: retrieves
      ? {
          k: withRetrieval[0]?.k ?? 0,
          n: withRetrieval.length,
          hit: ci(withRetrieval.map((x) => x.hit), seed, label('hit')),
          recall: ci(withRetrieval.map((x) => x.recall), seed, label('retrievalRecall')),
          precision: ci(withRetrieval.map((x) => x.precision), seed, label('precision')),
          mrr: ci(withRetrieval.map((x) => x.rr), seed, label('mrr')),
        }
      : null,
    judgeFaithfulness: ci(judged.map((r) => gradeToUnit(r.judge!.grades!.faithfulness)), seed, label('judgeFaithfulness')),
    judgeRelevance: ci(judged.map((r) => gradeToUnit(r.judge!.grades!.relevance)), seed, label('judgeRelevance')),
    judged: judged.length,
    thumbsUp: rows.filter((r) => r.thumb === 'up').length,
    thumbsDown: rows.filter((r) => r.thumb === 'down').length,
    promptTokens: avg(s.map((x) => x.promptTokens)),
    outputTokens: avg(s.map((x) => x.outputTokens)),
    ttftMs: avg(s.map((x) => x.ttftMs)),
    totalMs: avg(s.map((x) => x.totalMs)),
    tps: avg(s.map((x) => x.tps)),
    retrievalMs: avg(s.map((x) => x.retrievalMs)),
  };
}

/**
 * Summaries in the run's method order (unknown extra methods after them), plus paired F1
 * differences for every pair, computed on the questions both methods answered.
 */
export function summarize(runId: string, config: Pick<EvalConfig, 'methods' | 'seed' | 'items'>, results: readonly EvalItemResult[]): RunSummary {
  const byMethod = new Map<MethodId, EvalItemResult[]>();
  for (const r of results) {
    const list = byMethod.get(r.method) ?? [];
    list.push(r);
    byMethod.set(r.method, list);
  }
  const order = [...config.methods, ...METHOD_IDS.filter((m) => !config.methods.includes(m))].filter((m) => byMethod.has(m));
  // Same question order for every method: the bootstrap resamples positions, so order matters for reproducibility.
  const pos = new Map(config.items.map((it, i) => [it.id, i]));
  for (const list of byMethod.values()) list.sort((x, y) => (pos.get(x.itemId) ?? 1e9) - (pos.get(y.itemId) ?? 1e9) || (x.itemId < y.itemId ? -1 : 1));
  const methods = order.map((m) => methodStats(m, byMethod.get(m)!, config.seed));
  const diffs: MethodDiff[] = [];
  for (let i = 0; i < order.length; i++) {
    for (let j = i + 1; j < order.length; j++) {
      const a = order[i];
      const b = order[j];
      const bF1 = new Map(byMethod.get(b)!.filter((r) => r.scores.f1 !== null).map((r) => [r.itemId, r.scores.f1!]));
      const pairs = byMethod.get(a)!.filter((r) => r.scores.f1 !== null && bF1.has(r.itemId));
      const d = pairedBootstrapDiff(
        pairs.map((r) => r.scores.f1!),
        pairs.map((r) => bF1.get(r.itemId)!),
        { seed: seedFor(config.seed, `diff/${a}/${b}`), iterations: BOOTSTRAP_ITERATIONS },
      );
      if (d) diffs.push({ a, b, f1: d });
    }
  }
  return { runId, seed: config.seed, methods, diffs, questions: config.items.length, complete: results.length >= config.items.length * config.methods.length };
}

const interval = (c: ConfidenceInterval): Interval => ({ mean: c.mean, low: c.low, high: c.high });

/** The guide's view of a run: methods with an F1 (answerable questions), their cost and retrieval recall. */
export function toEvidenceSummary(summary: RunSummary, config: Pick<EvalConfig, 'testSetName' | 'llm' | 'model'>): EvalSummary {
  const methods: MethodSummary[] = [];
  for (const m of summary.methods) {
    if (!m.f1) continue;
    const ms: MethodSummary = {
      method: m.method,
      n: m.f1.n,
      f1: interval(m.f1),
      groundedness: m.groundedness?.mean,
      promptTokens: m.promptTokens,
      latencyMs: m.totalMs + m.retrievalMs,
      runIds: [summary.runId],
    };
    if (m.recall) ms.recall = interval(m.recall);
    if (m.retrieval?.recall) {
      ms.retrievalRecallAtK = interval(m.retrieval.recall);
      ms.k = m.retrieval.k;
    }
    methods.push(ms);
  }
  const shown = new Set(methods.map((m) => m.method));
  return {
    testSetName: config.testSetName,
    model: config.model?.model ?? config.llm,
    methods,
    diffs: summary.diffs.filter((d) => shown.has(d.a) && shown.has(d.b)).map((d) => ({ a: d.a, b: d.b, f1Diff: { mean: d.f1.mean, low: d.f1.low, high: d.f1.high } })),
  };
}

/** Narrows a stored run's config; null when it is not one this version wrote. */
export function asConfig(run: EvalRunRecord): EvalConfig | null {
  const c = run.config as Partial<EvalConfig> | null;
  if (!c || typeof c !== 'object' || !Array.isArray(c.items) || !Array.isArray(c.methods) || typeof c.seed !== 'number') return null;
  return c as EvalConfig;
}

/** Summary of one stored run (null when the run is missing or not readable). */
export async function loadRunSummary(db: LabDb, run: EvalRunRecord): Promise<{ summary: RunSummary; config: EvalConfig; results: EvalItemResult[] } | null> {
  const config = asConfig(run);
  if (!config) return null;
  const results = (await evalItemsFor(db, run.id)).map(asItemResult).filter((r): r is EvalItemResult => r !== null);
  return { summary: summarize(run.id, config, results), config, results };
}

/**
 * The newest finished evaluation run as guide evidence: runs marked done first; null when there is
 * none, or when no method has an F1 to report (e.g. a set of unanswerable questions only).
 */
export async function latestEvalSummary(db: LabDb): Promise<{ summary: EvalSummary; runId: string } | null> {
  for (const run of await listEvalRuns(db)) {
    if (run.status !== 'done') continue;
    const loaded = await loadRunSummary(db, run);
    if (!loaded) continue;
    const summary = toEvidenceSummary(loaded.summary, loaded.config);
    if (summary.methods.length) return { summary, runId: run.id };
  }
  return null;
}
