// Summaries of an evaluation run by arm (a method on a model): every metric with its n and interval (Wilson
// for proportions, BCa bootstrap for means, none below 5 values), seeded from the run's seed so the same
// results always give the same numbers; paired comparisons of arms on the same questions (Wilcoxon for
// token F1, exact McNemar for exact match) Holm-adjusted together; and the compact EvalSummary the guide reads.

import type { ArmEvidence, EvalSummary } from '../guide/evidence';
import type { EvalItemRecord, EvalRunRecord, LabDb, TestItem } from '../store/db';
import { evalItemsFor, listEvalRuns } from '../store/runs';
import { METHOD_IDS, isMethodId, methodInfo } from '../strategies';
import type { MethodId } from '../strategies/types';
import type { ClaimsResult, ClaimVerdict } from './claims';
import { CLAIM_VERDICTS } from './claims';
import { gradeToUnit, parseJudge } from './judge';
import { mean } from './metrics';
import type { EvalConfig, EvalItemResult } from './runner';
import { MIN_INTERVAL_N, applyHolm, bootstrapMean, comparePairedBinary, comparePairedContinuous, wilson, type Estimate, type PairedComparison } from './stats';

export const DEFAULT_SEED = 20240521;
export { BOOTSTRAP_ITERATIONS } from './stats';

/** An arm of an evaluation: one method on one model. */
export interface Arm {
  model: string;
  method: MethodId;
}

/** The key arms are grouped, compared and looked up by: `${model}\u0000${method}`. */
export function armKey(arm: Arm): string {
  return `${arm.model}\u0000${arm.method}`;
}

/** A result as this version reads it: an EvalItemResult, optionally with the model it ran on and per-claim verdicts. */
export type SummaryResult = EvalItemResult & {
  /** Model key; absent on single-model runs (the run's model). */
  model?: string;
  claims?: ClaimsResult | null;
};

/** What summarize needs from the run's settings (an EvalConfig has all of it). */
export interface SummaryConfig {
  methods: readonly MethodId[];
  seed: number;
  items: readonly TestItem[];
  /** The model asked for; `model.model` is what ran. Results without a model field belong to that model. */
  llm: string;
  model?: { model: string } | null;
  /** A grid run's models, in run order. */
  models?: readonly string[];
  /** Display names by model key (for "fine-tuned · plain"); the key itself otherwise. */
  modelNames?: Readonly<Record<string, string>>;
}

export interface RetrievalSummary {
  k: number;
  /** Questions with a located gold passage or a gold document. */
  n: number;
  /** Proportion: Wilson. */
  hit: Estimate | null;
  /** Means over questions: BCa bootstrap. */
  recall: Estimate | null;
  precision: Estimate | null;
  mrr: Estimate | null;
  /** Gold passages found in no document (left out of recall; the test-set screen lists them). */
  unlocatedGold: number;
}

export interface ClaimStats {
  /** Share of judged claims that are supported (Wilson over claims; `of` = all claims). Claims of one answer are not independent, so the interval is optimistic. */
  supported: Estimate | null;
  /** Answers whose claims were judged. */
  answers: number;
  claims: number;
  judged: number;
  notSupported: number;
  contradicted: number;
}

export interface ArmStats {
  key: string;
  model: string;
  /** Display name of the model (the key when none is given). */
  modelName: string;
  method: MethodId;
  /** Results stored for this arm. */
  items: number;
  answerable: number;
  unanswerable: number;
  /** Answer vs reference, n = answerable questions. Exact match is a proportion (Wilson); the rest are means (BCa, or Wilson when all 0/1). */
  em: Estimate | null;
  f1: Estimate | null;
  rougeL: Estimate | null;
  recall: Estimate | null;
  /** n = answerable questions with gold passages. */
  containment: Estimate | null;
  /** Word overlap with the context, n = all questions. Cannot see contradictions. */
  lexicalSupport: Estimate | null;
  /** Share of unanswerable questions refused (higher is better), Wilson. */
  refusedUnanswerable: Estimate | null;
  /** Share of answerable questions refused (lower is better), Wilson. */
  refusedAnswerable: Estimate | null;
  /** Null for methods that do not retrieve. */
  retrieval: RetrievalSummary | null;
  /** Model-graded, 0–1 (1–5 mapped linearly), over the replies that could be read: n graded `of` judged. */
  judgeFaithfulness: Estimate | null;
  judgeRelevance: Estimate | null;
  /** Answers sent to the judge. */
  judged: number;
  /** Judge replies that could be read. */
  graded: number;
  /** Per-claim verdicts; null when no claim was judged. */
  claims: ClaimStats | null;
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

export interface RunSummary {
  runId: string;
  seed: number;
  /** Models in run order with their display names (one entry for a single-model run). */
  models: { key: string; name: string }[];
  arms: ArmStats[];
  /**
   * Every two arms on the questions both answered: token F1 (Wilcoxon, BCa interval of the difference)
   * and exact match (exact McNemar, Newcombe interval), all Holm-adjusted as one family.
   */
  comparisons: PairedComparison[];
  /** Questions in the run's test set. */
  questions: number;
  /** Every question × method × model has a result. */
  complete: boolean;
}

/** FNV-1a of a label mixed into the run seed: each metric and arm gets its own stream. */
export function seedFor(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const isNum = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Mean of a score with its interval: BCa bootstrap; none below MIN_INTERVAL_N. When every value is 0
 * or 1 (F1 on short answers, recall of a single passage) the scores are proportions in this run and get
 * the Wilson interval, which stays informative at 10 of 10 where the bootstrap would collapse to a point
 * (and, a [0, 1] score having at most the variance of a 0/1 one with the same mean, it errs wide).
 */
function meanCi(values: readonly (number | null | undefined)[], seed: number, label: string): Estimate | null {
  const v = values.filter(isNum);
  if (v.length >= MIN_INTERVAL_N && v.every((x) => x === 0 || x === 1)) return wilson(v.filter((x) => x === 1).length, v.length);
  return bootstrapMean(v, { seed: seedFor(seed, label) });
}

function share(flags: readonly boolean[]): Estimate | null {
  return wilson(flags.filter(Boolean).length, flags.length);
}

const avg = (values: number[]): number => mean(values) ?? 0;

// ---------- reading stored results ----------

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isClaimVerdict(x: unknown): x is ClaimVerdict {
  return typeof x === 'string' && (CLAIM_VERDICTS as readonly string[]).includes(x);
}

/** Per-claim verdicts as stored, or null when absent or not in the expected shape. */
function readClaims(x: unknown): ClaimsResult | null {
  if (!isRecord(x) || !Array.isArray(x.judgements) || typeof x.rubricVersion !== 'number') return null;
  const judgements: ClaimsResult['judgements'] = [];
  for (const j of x.judgements) {
    if (!isRecord(j) || !isRecord(j.claim) || typeof j.raw !== 'string' || !(j.verdict === null || isClaimVerdict(j.verdict))) return null;
    const c = j.claim;
    if (typeof c.text !== 'string' || typeof c.start !== 'number' || typeof c.end !== 'number') return null;
    judgements.push({ claim: { text: c.text, start: c.start, end: c.end }, verdict: j.verdict, raw: j.raw });
  }
  return { judgements, rubricVersion: x.rubricVersion };
}

/** The fields summaries read, checked; scores written before the rename carry `groundedness` instead of `lexicalSupport`. */
function isStoredResult(r: unknown): r is EvalItemResult {
  if (!isRecord(r) || typeof r.answer !== 'string' || !isRecord(r.usage) || !Array.isArray(r.hits) || !isRecord(r.scores)) return false;
  const s = r.scores;
  const judge = r.judge === null || r.judge === undefined || (isRecord(r.judge) && typeof r.judge.raw === 'string');
  return judge && typeof s.answerable === 'boolean' && typeof s.promptTokens === 'number' && typeof s.totalMs === 'number';
}

/** Narrows a stored record's result; null when the record is not one the runner wrote. */
export function asItemResult(rec: Omit<EvalItemRecord, 'arm'>): SummaryResult | null {
  const r: unknown = rec.result;
  if (!isStoredResult(r) || typeof rec.method !== 'string' || !isMethodId(rec.method)) return null;
  const stored: Record<string, unknown> = { ...r.scores };
  const lexical = typeof stored.lexicalSupport === 'number' ? stored.lexicalSupport : typeof stored.groundedness === 'number' ? stored.groundedness : 0;
  const raw: Record<string, unknown> = isRecord(rec.result) ? rec.result : {};
  const model = typeof raw.model === 'string' ? raw.model : rec.model;
  const claims = readClaims(raw.claims);
  return {
    ...r,
    scores: { ...r.scores, lexicalSupport: lexical },
    itemId: rec.itemId,
    method: rec.method,
    ...(model !== undefined ? { model } : {}),
    ...(claims ? { claims } : {}),
  };
}

// ---------- per arm ----------

function retrievesFor(method: MethodId, rows: readonly SummaryResult[]): boolean {
  return rows.some((r) => r.hits.length > 0 || r.scores.retrieval !== null) || methodInfo(method).needsRetrieval;
}

function armStats(arm: Arm, modelName: string, rows: readonly SummaryResult[], seed: number): ArmStats {
  const key = armKey(arm);
  const s = rows.map((r) => r.scores);
  const ans = s.filter((x) => x.answerable);
  const unans = s.filter((x) => !x.answerable);
  const label = (m: string) => `${key}/${m}`;
  const withRetrieval = s.flatMap((x) => (x.retrieval ? [x.retrieval] : []));
  const judgedRows = rows.filter((r) => r.judge !== null && r.judge !== undefined);
  // Grades are re-read from the judge's raw reply, so runs stored before a parser fix read correctly now.
  const grades = judgedRows.flatMap((r) => {
    const g = parseJudge(r.judge!.raw);
    return g ? [g] : [];
  });
  const graded = (values: number[], name: string): Estimate | null => {
    const e = meanCi(values, seed, label(name));
    return e ? { ...e, of: judgedRows.length } : null;
  };
  const verdicts = rows.flatMap((r) => (r.claims ? [r.claims.judgements.map((j) => j.verdict)] : []));
  const all = verdicts.flat();
  const supported = all.filter((v) => v === 'supported').length;
  const judgedClaims = all.filter((v) => v !== null).length;
  const supportedShare = wilson(supported, judgedClaims);
  return {
    key,
    model: arm.model,
    modelName,
    method: arm.method,
    items: rows.length,
    answerable: ans.length,
    unanswerable: unans.length,
    em: share(ans.map((x) => x.em === 1)),
    f1: meanCi(ans.map((x) => x.f1), seed, label('f1')),
    rougeL: meanCi(ans.map((x) => x.rougeL), seed, label('rougeL')),
    recall: meanCi(ans.map((x) => x.recall), seed, label('recall')),
    containment: meanCi(ans.map((x) => x.containment), seed, label('containment')),
    lexicalSupport: meanCi(s.map((x) => x.lexicalSupport), seed, label('lexicalSupport')),
    refusedUnanswerable: share(unans.map((x) => x.refused)),
    refusedAnswerable: share(ans.map((x) => x.refused)),
    retrieval: retrievesFor(arm.method, rows)
      ? {
          k: withRetrieval[0]?.k ?? 0,
          n: withRetrieval.length,
          hit: share(withRetrieval.map((x) => x.hit === 1)),
          recall: meanCi(withRetrieval.map((x) => x.recall), seed, label('retrievalRecall')),
          precision: meanCi(withRetrieval.map((x) => x.precision), seed, label('precision')),
          mrr: meanCi(withRetrieval.map((x) => x.rr), seed, label('mrr')),
          unlocatedGold: withRetrieval.reduce((t, x) => t + (x.unlocated ?? 0), 0),
        }
      : null,
    judgeFaithfulness: graded(grades.map((g) => gradeToUnit(g.faithfulness)), 'judgeFaithfulness'),
    judgeRelevance: graded(grades.map((g) => gradeToUnit(g.relevance)), 'judgeRelevance'),
    judged: judgedRows.length,
    graded: grades.length,
    claims: all.length
      ? {
          supported: supportedShare ? { ...supportedShare, of: all.length } : null,
          answers: verdicts.length,
          claims: all.length,
          judged: judgedClaims,
          notSupported: all.filter((v) => v === 'not_supported').length,
          contradicted: all.filter((v) => v === 'contradicted').length,
        }
      : null,
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

/** The model key a result belongs to. */
export function runModel(config: Pick<SummaryConfig, 'llm' | 'model'>): string {
  return config.model?.model ?? config.llm;
}

/** Paired values of two arms on the questions both have a value for, in the first arm's (test-set) order. */
function paired(a: readonly SummaryResult[], b: readonly SummaryResult[], get: (r: SummaryResult) => number | null): [number[], number[]] {
  const other = new Map(b.flatMap((r) => {
    const v = get(r);
    return v === null ? [] : [[r.itemId, v] as const];
  }));
  const xs: number[] = [];
  const ys: number[] = [];
  for (const r of a) {
    const v = get(r);
    const w = other.get(r.itemId);
    if (v === null || w === undefined) continue;
    xs.push(v);
    ys.push(w);
  }
  return [xs, ys];
}

/**
 * Summaries per arm in run order (models, then methods; unknown extras after them) and the paired
 * comparisons of every two arms. Results without a model belong to the run's model.
 */
export function summarize(runId: string, config: SummaryConfig, results: readonly SummaryResult[]): RunSummary {
  const single = runModel(config);
  const byArm = new Map<string, { arm: Arm; rows: SummaryResult[] }>();
  for (const r of results) {
    const arm = { model: r.model ?? single, method: r.method };
    const key = armKey(arm);
    const entry = byArm.get(key) ?? { arm, rows: [] };
    entry.rows.push(r);
    byArm.set(key, entry);
  }
  const seenModels = [...new Set([...byArm.values()].map((e) => e.arm.model))];
  const modelOrder = [...new Set([...(config.models ?? [single]), ...seenModels])].filter((m) => seenModels.includes(m));
  const methodOrder = [...config.methods, ...METHOD_IDS.filter((m) => !config.methods.includes(m))];
  // Same question order in every arm: the bootstrap resamples positions, so order matters for reproducibility.
  const pos = new Map(config.items.map((it, i) => [it.id, i]));
  const ordered = modelOrder.flatMap((model) =>
    methodOrder.flatMap((method) => {
      const e = byArm.get(armKey({ model, method }));
      if (!e) return [];
      e.rows.sort((x, y) => (pos.get(x.itemId) ?? 1e9) - (pos.get(y.itemId) ?? 1e9) || (x.itemId < y.itemId ? -1 : x.itemId > y.itemId ? 1 : 0));
      return [e];
    }),
  );
  const name = (m: string) => config.modelNames?.[m] ?? m;
  const arms = ordered.map((e) => armStats(e.arm, name(e.arm.model), e.rows, config.seed));
  const raw: PairedComparison[] = [];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = i + 1; j < ordered.length; j++) {
      const a = armKey(ordered[i].arm);
      const b = armKey(ordered[j].arm);
      const [fa, fb] = paired(ordered[i].rows, ordered[j].rows, (r) => r.scores.f1);
      const f1 = comparePairedContinuous(fa, fb, { a, b, metric: 'f1' }, { seed: seedFor(config.seed, `cmp/${a}/${b}/f1`) });
      if (f1) raw.push(f1);
      const [ea, eb] = paired(ordered[i].rows, ordered[j].rows, (r) => r.scores.em);
      const em = comparePairedBinary(ea, eb, { a, b, metric: 'em' });
      if (em) raw.push(em);
    }
  }
  const models = modelOrder.length ? modelOrder : [single];
  return {
    runId,
    seed: config.seed,
    models: models.map((m) => ({ key: m, name: name(m) })),
    arms,
    comparisons: applyHolm(raw),
    questions: config.items.length,
    complete: results.length >= config.items.length * config.methods.length * Math.max(1, config.models?.length ?? 1),
  };
}

/** The guide's view of a run: arms with a token F1 (answerable questions), their cost and retrieval, and the comparisons. */
export function toEvidenceSummary(summary: RunSummary, config: Pick<EvalConfig, 'testSetName'>): EvalSummary {
  const arms: ArmEvidence[] = [];
  for (const m of summary.arms) {
    if (!m.f1) continue;
    const a: ArmEvidence = {
      key: m.key,
      model: m.model,
      method: m.method,
      f1: m.f1,
      lexicalSupport: m.lexicalSupport?.mean,
      promptTokens: m.promptTokens,
      latencyMs: m.totalMs + m.retrievalMs,
      runIds: [summary.runId],
    };
    if (m.retrieval?.recall) {
      a.retrievalRecallAtK = m.retrieval.recall;
      a.k = m.retrieval.k;
    }
    arms.push(a);
  }
  const shown = new Set(arms.map((a) => a.key));
  return {
    testSetName: config.testSetName,
    model: summary.models.map((m) => m.name).join(', '),
    models: summary.models,
    arms,
    comparisons: summary.comparisons.filter((c) => shown.has(c.a) && shown.has(c.b)),
  };
}

function isTestItem(x: unknown): x is TestItem {
  return (
    isRecord(x) && typeof x.id === 'string' && typeof x.question === 'string' && typeof x.answer === 'string' &&
    Array.isArray(x.goldPassages) && x.goldPassages.every((g) => typeof g === 'string') && (x.goldDocument === undefined || typeof x.goldDocument === 'string')
  );
}

/** The settings summaries and resuming rely on, checked; the rest is shown as stored. */
function isEvalConfig(c: unknown): c is EvalConfig {
  return (
    isRecord(c) && typeof c.testSetName === 'string' && typeof c.llm === 'string' && typeof c.seed === 'number' &&
    Array.isArray(c.items) && c.items.every(isTestItem) &&
    Array.isArray(c.methods) && c.methods.every((m) => typeof m === 'string' && isMethodId(m)) &&
    (c.model === null || c.model === undefined || (isRecord(c.model) && typeof c.model.model === 'string')) &&
    (c.models === undefined || (Array.isArray(c.models) && c.models.every((m) => typeof m === 'string')))
  );
}

/** Narrows a stored run's config; null when it is not one this version wrote. */
export function asConfig(run: EvalRunRecord): EvalConfig | null {
  return isEvalConfig(run.config) ? run.config : null;
}

/** Summary of one stored run (null when the run is missing or not readable). */
export async function loadRunSummary(db: LabDb, run: EvalRunRecord): Promise<{ summary: RunSummary; config: EvalConfig; results: SummaryResult[] } | null> {
  const config = asConfig(run);
  if (!config) return null;
  const results = (await evalItemsFor(db, run.id)).map(asItemResult).filter((r): r is SummaryResult => r !== null);
  return { summary: summarize(run.id, config, results), config, results };
}

/**
 * The newest finished evaluation run as guide evidence: runs marked done first; null when there is
 * none, or when no arm has a token F1 to report (e.g. a set of unanswerable questions only).
 */
export async function latestEvalSummary(db: LabDb): Promise<{ summary: EvalSummary; runId: string } | null> {
  for (const run of await listEvalRuns(db)) {
    if (run.status !== 'done') continue;
    const loaded = await loadRunSummary(db, run);
    if (!loaded) continue;
    const summary = toEvidenceSummary(loaded.summary, loaded.config);
    if (summary.arms.length) return { summary, runId: run.id };
  }
  return null;
}
