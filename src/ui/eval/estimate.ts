// How one estimate reads in a results cell: the mean, its 95% interval or why there is none, and the n
// it stands on ("graded 17 of 20" for model-graded means).

import type { MessageKey } from '../../i18n/en';
import type { Estimate } from '../../eval/stats';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

const f2 = (x: number) => x.toFixed(2);

export function intervalText(e: Estimate, t: T): string {
  if (e.ci) return `[${f2(e.ci.low)}, ${f2(e.ci.high)}]`;
  return t(e.noCi === 'no-variation' ? 'eval.cell.noSpread' : 'eval.cell.tooFew');
}

export function nText(e: Estimate, t: T): string {
  return e.of !== undefined ? t('eval.cell.graded', { n: e.n, of: e.of }) : t('eval.cell.n', { n: e.n });
}

export { f2 };
