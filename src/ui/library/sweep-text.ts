// Words and numbers of the retrieval sweep in the UI language: a setting's label, an estimate with its
// interval, a paired difference, the winner sentence.

import type { MessageKey } from '../../i18n/en';
import type { Lang } from '../../i18n/lang';
import type { SweepMode, SweepSetting } from '../../retrieval/sweep';
import type { SweepMetric, SweepReport, SweepRow } from '../../retrieval/sweep-report';
import { formatP, PAIRED_TEST_NAMES, type Estimate, type PairedComparison } from '../../eval/stats';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

export const modeText = (m: SweepMode, t: T): string => t(`sweep.mode.${m}`);

/** "200/40 tokens · hybrid · headers". */
export function settingText(s: SweepSetting, t: T): string {
  return `${s.size}/${s.overlap} ${t(s.unit === 'tokens' ? 'docs.unit.tokens' : 'docs.unit.chars')} · ${modeText(s.mode, t)} · ${t(s.headers ? 'sweep.headersLabel' : 'sweep.noHeadersLabel')}`;
}

export function metricText(metric: SweepMetric, k: number, mrrAt: number, t: T): string {
  return t(`sweep.metric.${metric}`, { k: metric === 'mrr' ? mrrAt : k });
}

const f3 = (x: number) => x.toFixed(3);

/** ["0.750", "(0.530–0.890)"]: the mean and its interval ('' without one), shown on two lines. */
export function estimateParts(e: Estimate | null): [string, string] {
  if (!e) return ['—', ''];
  return [f3(e.mean), e.ci ? `(${f3(e.ci.low)}–${f3(e.ci.high)})` : ''];
}

const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(3)}`;

/** ["+0.100", "(−0.050 … +0.250)"]: a paired difference and its interval. */
export function diffParts(c: PairedComparison | null, t: T): [string, string] {
  if (!c) return ['—', ''];
  return [signed(c.diff), c.ci ? `(${signed(c.ci.low)} … ${signed(c.ci.high)})` : `(${t('sweep.noCi')})`];
}

export function rowMetric(row: SweepRow, metric: SweepMetric): Estimate | null {
  return metric === 'hit' ? row.hit : metric === 'recall' ? row.recall : row.mrr;
}

/** The verdict: the winner with its evidence, or "not enough evidence" with n. */
export function verdictText(r: SweepReport, lang: Lang, t: T): string {
  const metric = metricText(r.metric, r.k, r.mrrAt, t);
  if (!r.baseline) return t('sweep.noBaseline');
  const w = r.winner;
  if (!w || !w.comparison) return t('sweep.noEvidence', { metric, n: r.n });
  const c = w.comparison;
  return t('sweep.winner', {
    setting: settingText(w.setting, t),
    metric,
    value: f3(rowMetric(w, r.metric)?.mean ?? 0),
    base: f3(rowMetric(r.baseline, r.metric)?.mean ?? 0),
    diff: signed(c.diff),
    ci: c.ci ? `${signed(c.ci.low)} … ${signed(c.ci.high)}` : t('sweep.noCi'),
    test: PAIRED_TEST_NAMES[c.test][lang],
    p: formatP(c.pHolm),
    n: c.n,
  });
}
