// The retrieval sweep's verdict: per setting, hit@k (Wilson interval), recall@k and MRR (BCa bootstrap
// intervals), and the paired test of each setting against the library's current setting on one chosen
// metric, Holm-corrected over all settings shown. A winner is named only when it clears the bar of
// "Honest evidence" (src/eval/stats.ts `meetsBar`); otherwise there is not enough evidence. Pure.
import { applyHolm, bootstrapMean, comparePairedBinary, comparePairedContinuous, meetsBar, proportion, type Estimate, type PairedComparison } from '../eval/stats';
import { pairedValues, settingKey, type SettingResult, type SweepSetting } from './sweep';

/** The metric settings are compared on: hit@k, recall@k (at the report's k) or MRR (at the sweep's MRR cut-off). */
export type SweepMetric = 'hit' | 'recall' | 'mrr';

/** Seed of every bootstrap in a report, so the same sweep always shows the same intervals. */
export const SWEEP_BOOTSTRAP_SEED = 20_240_917;

export interface SweepRow {
  key: string;
  setting: SweepSetting;
  /** Chunks in the setting's scratch index. */
  chunks: number;
  /** Wall time of the setting, ms. */
  ms: number;
  /** Questions with located gold (the n of every estimate). */
  n: number;
  /** hit@k with its Wilson interval; null without questions. */
  hit: Estimate | null;
  /** recall@k with its bootstrap interval. */
  recall: Estimate | null;
  /** MRR@mrrAt with its bootstrap interval. */
  mrr: Estimate | null;
  /** This is the library's current setting (what the others are compared with). */
  baseline: boolean;
  /** This setting minus the baseline on the report's metric, Holm-adjusted; null for the baseline or without pairs. */
  comparison: PairedComparison | null;
}

export interface SweepReport {
  k: number;
  mrrAt: number;
  metric: SweepMetric;
  /** Best first on the report's metric (ties keep the sweep's order). */
  rows: SweepRow[];
  /** Null when the current setting is not among the results (it could not run). */
  baseline: SweepRow | null;
  /** The best setting that is better than the baseline with meetsBar's evidence, or null ("not enough evidence"). */
  winner: SweepRow | null;
  /** Questions with located gold passages. */
  n: number;
}

/** The report metric's value of one result: hit@k or recall@k at `k`, or MRR. */
export function metricValue(r: SettingResult, metric: SweepMetric, k: number): number {
  if (metric === 'mrr') return r.mrr;
  const at = r.ks.indexOf(k);
  if (at === -1) throw new RangeError(`k ${k} is not among the sweep's cut-offs ${r.ks.join(', ')}`);
  return metric === 'hit' ? r.hitAt[at] : r.recallAt[at];
}

const perItem = (r: SettingResult, metric: SweepMetric, k: number): number[] => (metric === 'mrr' ? pairedValues(r, 'rr') : pairedValues(r, metric, k));

/**
 * Builds the report. `baselineKey` is `settingKey` of the library's current setting. Results must
 * come from one sweep (the same questions in the same order, as `runSweep` returns them).
 */
export function sweepReport(results: readonly SettingResult[], baselineKey: string, opts: { k: number; metric: SweepMetric; seed?: number }): SweepReport {
  const { k, metric } = opts;
  const seed = opts.seed ?? SWEEP_BOOTSTRAP_SEED;
  const base = results.find((r) => settingKey(r.setting) === baselineKey) ?? null;
  const baseValues = base ? perItem(base, metric, k) : null;
  const labels = (r: SettingResult) => ({ a: settingKey(r.setting), b: baselineKey, metric: metric === 'mrr' ? `mrr@${r.mrrAt}` : `${metric}@${k}` });
  const raw = results.map((r) => {
    const key = settingKey(r.setting);
    if (!baseValues || key === baselineKey) return null;
    const mine = perItem(r, metric, k);
    if (mine.length !== baseValues.length) throw new RangeError(`setting ${key} has ${mine.length} scored questions, the current setting ${baseValues.length}: results of different sweeps cannot be paired`);
    return metric === 'hit' ? comparePairedBinary(mine, baseValues, labels(r)) : comparePairedContinuous(mine, baseValues, labels(r), { seed });
  });
  // Holm over every comparison shown together.
  const present = raw.filter((c): c is PairedComparison => c !== null);
  const adjusted = applyHolm(present);
  let next = 0;
  const comparisons = raw.map((c) => (c === null ? null : adjusted[next++]));

  const rows: SweepRow[] = results.map((r, i) => {
    const key = settingKey(r.setting);
    return {
      key,
      setting: r.setting,
      chunks: r.chunks,
      ms: r.ms,
      n: r.n,
      hit: proportion(pairedValues(r, 'hit', k) as (0 | 1)[]),
      recall: bootstrapMean(pairedValues(r, 'recall', k), { seed }),
      mrr: bootstrapMean(pairedValues(r, 'rr'), { seed }),
      baseline: key === baselineKey,
      comparison: comparisons[i],
    };
  });
  const value = (row: SweepRow) => metricValue(results.find((r) => settingKey(r.setting) === row.key)!, metric, k);
  const order = rows.map((row, i) => ({ row, i, v: value(row) })).sort((x, y) => y.v - x.v || x.i - y.i);
  const sorted = order.map((o) => o.row);
  const winner = order.find((o) => o.row.comparison !== null && o.row.comparison.diff > 0 && meetsBar(o.row.comparison))?.row ?? null;
  const baseline = sorted.find((r) => r.baseline) ?? null;
  return { k, mrrAt: results[0]?.mrrAt ?? 10, metric, rows: sorted, baseline, winner, n: base?.n ?? results[0]?.n ?? 0 };
}
