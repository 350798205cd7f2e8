// Every statistic the Evaluate screen and the guide show, in one pure module so the two never disagree:
// Wilson intervals for proportions, BCa bootstrap intervals for means, paired tests (exact McNemar,
// Wilcoxon signed-rank as scipy computes it, sign-flip permutation), Holm's correction, sample sizes.

/** Two-sided significance level of every test and interval here (95% intervals). */
export const ALPHA = 0.05;
/** Power the "questions needed" figures are sized for. */
export const POWER = 0.8;
/** Below this many values a mean gets no interval at all: the bootstrap cannot see the spread ("too few questions"). */
export const MIN_INTERVAL_N = 5;
/** A method is called better only with at least this many paired questions behind the test. */
export const MIN_PAIRED_N = 10;
/** Bootstrap resamples per interval; Efron and Tibshirani (1993, §14.3) ask for 1000–2000 for BCa bounds. */
export const BOOTSTRAP_ITERATIONS = 2000;

// ---------------------------------------------------------------------------------------------
// The one PRNG

/** mulberry32 (Tommy Ettinger, as published by bryc): a tiny seeded PRNG in [0, 1), so a run's intervals reproduce exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// The normal distribution

/**
 * Standard normal CDF Φ(x). For |x| < 3, Hart's (1968) double-precision rational approximation as
 * given by G. West, "Better approximations to cumulative normal functions" (2005); beyond, Laplace's
 * continued fraction for the Mills ratio (200 terms), which keeps small tails to ~1e-14 relative.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  let c: number;
  if (ax > 38.5) c = 0;
  else if (ax < 3) {
    const e = Math.exp((-ax * ax) / 2);
    let b = 3.52624965998911e-2 * ax + 0.700383064443688;
    b = b * ax + 6.37396220353165;
    b = b * ax + 33.912866078383;
    b = b * ax + 112.079291497871;
    b = b * ax + 221.213596169931;
    b = b * ax + 220.206867912376;
    c = e * b;
    b = 8.83883476483184e-2 * ax + 1.75566716318264;
    b = b * ax + 16.064177579207;
    b = b * ax + 86.7807322029461;
    b = b * ax + 296.564248779674;
    b = b * ax + 637.333633378831;
    b = b * ax + 793.826512519948;
    b = b * ax + 440.413735824752;
    c /= b;
  } else {
    let t = ax;
    for (let k = 200; k >= 1; k--) t = ax + k / t;
    c = Math.exp((-ax * ax) / 2) / Math.sqrt(2 * Math.PI) / t;
  }
  return x > 0 ? 1 - c : c;
}

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * Standard normal quantile Φ⁻¹(p): P. J. Acklam's rational approximation (relative error 1.15e-9)
 * refined by one Halley step on `normalCdf`, which brings it to double precision. ±Infinity at 0 and 1.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  // The upper half by symmetry: Φ(x) near 1 loses digits, Φ(−x) does not.
  if (p > 0.5) return -normalQuantile(1 - p);
  const [a, b, c, d] = [ACKLAM_A, ACKLAM_B, ACKLAM_C, ACKLAM_D];
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** z with Φ(z) = 1 − α/2: 1.959963984540054 for the 95% level. */
function zTwoSided(alpha: number): number {
  return normalQuantile(1 - alpha / 2);
}

// ---------------------------------------------------------------------------------------------
// Estimates with intervals

export type IntervalMethod = 'wilson' | 'bca' | 'percentile' | 'newcombe';

/** Names for the UI and the guide's sentences. */
export const INTERVAL_METHOD_NAMES: Readonly<Record<IntervalMethod, { en: string; zh: string }>> = Object.freeze({
  wilson: { en: 'Wilson score interval', zh: 'Wilson 得分区间' },
  bca: { en: 'BCa bootstrap', zh: 'BCa 自助法' },
  percentile: { en: 'percentile bootstrap', zh: '百分位自助法' },
  newcombe: { en: 'Newcombe paired score interval', zh: 'Newcombe 配对得分区间' },
});

export interface ConfidenceInterval {
  low: number;
  high: number;
  /** 0.95 for a 95% interval. */
  level: number;
  method: IntervalMethod;
}

/** Why an estimate has no interval: fewer than MIN_INTERVAL_N values, or all values equal (the bootstrap sees no spread). */
export type NoInterval = 'too-few' | 'no-variation';

export interface Estimate {
  /** Mean of the observed values; for 0/1 values the proportion. */
  mean: number;
  /** Values behind the mean (questions, graded answers, judged claims…). */
  n: number;
  ci: ConfidenceInterval | null;
  /** Set exactly when `ci` is null. */
  noCi?: NoInterval;
  /** How many could have been measured when some could not (e.g. answers sent to the judge): "graded n of `of`". */
  of?: number;
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
}

/**
 * Wilson (1927) score interval for a proportion k/n, without continuity correction (scipy's
 * `binomtest(k, n).proportion_ci(method='wilson')`). Valid at any n ≥ 1, including 0/n and n/n,
 * where it does not collapse to a point. Null for n = 0.
 */
export function wilson(successes: number, n: number, level = 0.95): Estimate | null {
  checkLevel(level);
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`need integers 0 ≤ successes ≤ n, got ${successes} of ${n}`);
  }
  if (n === 0) return null;
  const z = zTwoSided(1 - level);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return {
    mean: p,
    n,
    ci: { low: successes === 0 ? 0 : Math.max(0, center - half), high: successes === n ? 1 : Math.min(1, center + half), level, method: 'wilson' },
  };
}

/** Wilson interval of a list of 0/1 values. */
export function proportion(values: readonly (0 | 1 | boolean)[], level = 0.95): Estimate | null {
  let k = 0;
  for (const v of values) if (v === 1 || v === true) k++;
  return wilson(k, values.length, level);
}

export interface BootstrapOptions {
  seed: number;
  /** Resamples; default BOOTSTRAP_ITERATIONS. */
  iterations?: number;
  /** Default 0.95. */
  level?: number;
  /** Default 'bca'. */
  method?: 'bca' | 'percentile';
}

/** Linear-interpolated quantile of sorted values (Hyndman and Fan type 7, numpy's and scipy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Means of `iterations` resamples (with replacement) of `values`, in draw order: index = ⌊rand()·n⌋. */
export function resampleMeans(values: readonly number[], iterations: number, seed: number): Float64Array {
  const n = values.length;
  const rand = mulberry32(seed);
  const means = new Float64Array(iterations);
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rand() * n)];
    means[it] = s / n;
  }
  return means;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/**
 * The BCa quantile levels (Efron 1987; Efron and Tibshirani 1993, eq. 14.10 and 14.15) exactly as
 * scipy.stats.bootstrap computes them: z0 from the share of resample means below (ties count half)
 * the observed mean, the acceleration from the jackknife. Null when z0 is infinite.
 */
export function bcaLevels(values: readonly number[], bootMeans: ArrayLike<number>, level: number): { lowQ: number; highQ: number; z0: number; a: number } | null {
  const n = values.length;
  const theta = sum(values) / n;
  // Resample means within float noise of the observed mean are ties (scipy compares exact floats, so on
  // data whose means are not exact in binary the two may count a tie differently).
  const tol = 1e-12 * Math.max(1, Math.abs(theta));
  let below = 0;
  let atOrBelow = 0;
  for (let i = 0; i < bootMeans.length; i++) {
    if (bootMeans[i] < theta - tol) below++;
    if (bootMeans[i] <= theta + tol) atOrBelow++;
  }
  const z0 = normalQuantile((below + atOrBelow) / (2 * bootMeans.length));
  if (!Number.isFinite(z0)) return null;
  // Jackknife: leave-one-out means, U_i = (n − 1)(mean of them − each).
  const total = sum(values);
  const loo = values.map((v) => (total - v) / (n - 1));
  const looMean = sum(loo) / n;
  let num = 0;
  let den = 0;
  for (const t of loo) {
    const u = (n - 1) * (looMean - t);
    num += u * u * u;
    den += u * u;
  }
  const a = num / n ** 3 / (6 * (den / n ** 2) ** 1.5);
  const zAlpha = normalQuantile((1 - level) / 2);
  const n1 = z0 + zAlpha;
  const n2 = z0 - zAlpha;
  const lowQ = normalCdf(z0 + n1 / (1 - a * n1));
  const highQ = normalCdf(z0 + n2 / (1 - a * n2));
  if (!Number.isFinite(lowQ) || !Number.isFinite(highQ)) return null;
  return { lowQ, highQ, z0, a };
}

/**
 * Mean with a bootstrap interval over the values (questions): BCa by default, as
 * scipy.stats.bootstrap(method='BCa') computes it from the same resamples. No interval below
 * MIN_INTERVAL_N values or when every value is equal. Where BCa is undefined (every resample on one
 * side of the mean) the percentile interval is given instead, and `method` says so. Null for no values.
 */
export function bootstrapMean(values: readonly number[], opts: BootstrapOptions): Estimate | null {
  const iterations = opts.iterations ?? BOOTSTRAP_ITERATIONS;
  const level = opts.level ?? 0.95;
  checkLevel(level);
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  const n = values.length;
  if (n === 0) return null;
  const mean = sum(values) / n;
  if (n < MIN_INTERVAL_N) return { mean, n, ci: null, noCi: 'too-few' };
  if (values.every((v) => v === values[0])) return { mean, n, ci: null, noCi: 'no-variation' };
  const boot = resampleMeans(values, iterations, opts.seed);
  const sorted = Float64Array.from(boot).sort();
  const s = Array.from(sorted);
  const alpha = (1 - level) / 2;
  const bca = (opts.method ?? 'bca') === 'bca' ? bcaLevels(values, boot, level) : null;
  const [lowQ, highQ, method]: [number, number, IntervalMethod] = bca ? [bca.lowQ, bca.highQ, 'bca'] : [alpha, 1 - alpha, 'percentile'];
  return { mean, n, ci: { low: quantileSorted(s, lowQ), high: quantileSorted(s, highQ), level, method } };
}

// ---------------------------------------------------------------------------------------------
// Binomial tail and exact McNemar

/** ln(k!) for k = 0…n, summed once per size (exact enough for any n this app sees). */
function logFactorials(n: number): Float64Array {
  const lf = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) lf[i] = lf[i - 1] + Math.log(i);
  return lf;
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2), summed from k downwards so small tails keep their digits. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const lf = logFactorials(n);
  let term = Math.exp(lf[n] - lf[k] - lf[n - k] - n * Math.LN2);
  let total = 0;
  for (let i = k; i >= 0; i--) {
    total += term;
    if (term < total * 1e-17) break;
    term *= i / (n - i + 1); // pmf(i − 1) = pmf(i) · i / (n − i + 1)
  }
  return Math.min(1, total);
}

/**
 * Two-sided exact binomial test of k successes in n against p = 1/2 (scipy.stats.binomtest(k, n).pvalue):
 * for p = 1/2 the distribution is symmetric, so p = min(1, 2·P(X ≤ min(k, n − k))).
 */
export function binomialTestHalf(k: number, n: number): number {
  if (n === 0) return 1;
  const m = Math.min(k, n - k);
  if (2 * m === n) return 1;
  return Math.min(1, 2 * binomialHalfCdf(m, n));
}

export interface McNemarResult {
  /** Pairs where A is 1 and B is 0. */
  aOnly: number;
  /** Pairs where A is 0 and B is 1. */
  bOnly: number;
  /** All pairs (concordant included). */
  n: number;
  p: number;
}

/**
 * Exact McNemar test (McNemar 1947, exact form): the two-sided binomial test of the discordant
 * pairs against 1/2, i.e. scipy.stats.binomtest(aOnly, aOnly + bOnly, 0.5). No discordant pair → p = 1.
 */
export function mcnemarExact(a: readonly number[], b: readonly number[]): McNemarResult {
  checkPaired(a, b);
  let aOnly = 0;
  let bOnly = 0;
  for (let i = 0; i < a.length; i++) {
    if (!isBinary(a[i]) || !isBinary(b[i])) throw new RangeError(`McNemar needs 0/1 values, got ${a[i]} and ${b[i]} at ${i}`);
    if (a[i] === 1 && b[i] === 0) aOnly++;
    else if (a[i] === 0 && b[i] === 1) bOnly++;
  }
  return { aOnly, bOnly, n: a.length, p: binomialTestHalf(aOnly, aOnly + bOnly) };
}

function isBinary(v: number): boolean {
  return v === 0 || v === 1;
}

function checkPaired(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`paired values differ in length: ${a.length} vs ${b.length}`);
}

/**
 * Newcombe's (1998) hybrid score interval for the difference of two paired proportions (his method
 * 10: Wilson intervals of each margin combined with the phi correlation, no continuity correction).
 * Unlike a bootstrap it stays informative when every pair differs the same way (10 of 10 vs 0 of 10).
 */
export function newcombePairedDiff(a: readonly number[], b: readonly number[], level = 0.95): Estimate | null {
  checkPaired(a, b);
  const n = a.length;
  if (n === 0) return null;
  let both = 0;
  let aOnly = 0;
  let bOnly = 0;
  for (let i = 0; i < n; i++) {
    if (!isBinary(a[i]) || !isBinary(b[i])) throw new RangeError(`paired proportions need 0/1 values, got ${a[i]} and ${b[i]} at ${i}`);
    if (a[i] === 1 && b[i] === 1) both++;
    else if (a[i] === 1) aOnly++;
    else if (b[i] === 1) bOnly++;
  }
  const neither = n - both - aOnly - bOnly;
  const p1 = (both + aOnly) / n;
  const p2 = (both + bOnly) / n;
  const w1 = wilson(both + aOnly, n, level)!.ci!;
  const w2 = wilson(both + bOnly, n, level)!.ci!;
  const marg = (both + aOnly) * (bOnly + neither) * (both + bOnly) * (aOnly + neither);
  const phi = marg === 0 ? 0 : (both * neither - aOnly * bOnly) / Math.sqrt(marg);
  const dl1 = p1 - w1.low;
  const du1 = w1.high - p1;
  const dl2 = p2 - w2.low;
  const du2 = w2.high - p2;
  const theta = p1 - p2;
  const delta = Math.sqrt(Math.max(0, dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2));
  const eps = Math.sqrt(Math.max(0, du1 * du1 - 2 * phi * du1 * dl2 + dl2 * dl2));
  return { mean: theta, n, ci: { low: Math.max(-1, theta - delta), high: Math.min(1, theta + eps), level, method: 'newcombe' } };
}

// ---------------------------------------------------------------------------------------------
// Wilcoxon signed-rank and the sign-flip permutation test

/** Differences are rounded to 12 decimals before ranking, so float noise (1/6 as 0.1666…63 vs …69) neither breaks ties nor hides zeros. */
export function roundDiff(d: number): number {
  return Math.round(d * 1e12) / 1e12;
}

export type PMethod = 'exact' | 'exact-permutation' | 'normal-approximation' | 'monte-carlo';

export interface WilcoxonResult {
  /** Pairs, zero differences included. */
  n: number;
  /** Pairs with a non-zero difference (the ones ranked). */
  nonZero: number;
  /** Sum of the ranks of the positive differences. */
  rPlus: number;
  p: number;
  pMethod: PMethod;
}

/** Average ranks (1-based) of values, and the sizes of the tie groups. */
function averageRanks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = r;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** Exact null distribution of W+ for n untied ranks: counts of each sum 0…n(n+1)/2 over the 2ⁿ sign patterns. */
function wilcoxonCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const c = new Float64Array(max + 1);
  c[0] = 1;
  for (let r = 1; r <= n; r++) for (let s = (r * (r + 1)) / 2; s >= r; s--) c[s] += c[s - r];
  return c;
}

/**
 * Wilcoxon signed-rank test, two-sided, as scipy.stats.wilcoxon(d) computes it with its defaults
 * (zero_method='wilcox', correction=False, method='auto'): zero differences are dropped; with at most
 * 50 pairs and neither ties nor zeros the exact distribution is used; with ties or zeros and at most
 * 13 pairs, the exact permutation distribution of the signs; otherwise the normal approximation with
 * the tie correction. All differences zero → p = 1 (nothing points either way).
 */
export function wilcoxonSignedRank(diffs: readonly number[]): WilcoxonResult {
  const d = diffs.map(roundDiff);
  if (d.some((x) => !Number.isFinite(x))) throw new RangeError('differences must be finite numbers');
  const n = d.length;
  const nz = d.filter((x) => x !== 0);
  const count = nz.length;
  if (count === 0) return { n, nonZero: 0, rPlus: 0, p: 1, pMethod: n > 50 ? 'normal-approximation' : 'exact-permutation' };
  const { ranks, ties } = averageRanks(nz.map(Math.abs));
  let rPlus = 0;
  for (let i = 0; i < count; i++) if (nz[i] > 0) rPlus += ranks[i];
  const hasTies = ties.some((t) => t > 1);
  const zeros = n - count;
  if (n <= 50 && !hasTies && zeros === 0) {
    const counts = wilcoxonCounts(count);
    const total = 2 ** count;
    let cdf = 0;
    for (let s = 0; s <= Math.ceil(rPlus); s++) cdf += counts[s];
    let sf = 0;
    for (let s = Math.floor(rPlus); s < counts.length; s++) sf += counts[s];
    return { n, nonZero: count, rPlus, p: Math.min(1, (2 * Math.min(cdf, sf)) / total), pMethod: 'exact' };
  }
  if (n <= 13) {
    // Every sign pattern of the non-zero differences (flipping a zero changes nothing), ranks fixed.
    const total = 2 ** count;
    let le = 0;
    let ge = 0;
    const tol = Math.abs(rPlus) * 1e-12;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < count; i++) if (mask & (1 << i)) s += ranks[i];
      if (s <= rPlus + tol) le++;
      if (s >= rPlus - tol) ge++;
    }
    return { n, nonZero: count, rPlus, p: Math.min(1, (2 * Math.min(le, ge)) / total), pMethod: 'exact-permutation' };
  }
  const mn = (count * (count + 1)) / 4;
  const tieTerm = ties.reduce((s, t) => s + (t ** 3 - t), 0);
  const se = Math.sqrt((count * (count + 1) * (2 * count + 1) - tieTerm / 2) / 24);
  const z = (rPlus - mn) / se;
  return { n, nonZero: count, rPlus, p: Math.min(1, 2 * normalCdf(-Math.abs(z))), pMethod: 'normal-approximation' };
}

export interface SignFlipResult {
  n: number;
  /** Mean difference (the test statistic). */
  mean: number;
  p: number;
  pMethod: 'exact' | 'monte-carlo';
  /** Sign patterns drawn (Monte Carlo) or enumerated (exact). */
  patterns: number;
}

export interface SignFlipOptions {
  seed: number;
  /** Enumerate every sign pattern up to this many non-zero differences (2¹⁶ = 65 536). */
  maxExact?: number;
  /** Monte Carlo draws beyond that; default 9999 as scipy.stats.permutation_test. */
  iterations?: number;
}

/**
 * Paired sign-flip permutation test of the mean difference, two-sided, as
 * scipy.stats.permutation_test((d,), mean, permutation_type='samples') computes it: under H0 each
 * difference is equally likely positive or negative. Exact when 2^nonZero is small; otherwise seeded
 * Monte Carlo with the +1 correction (Phipson and Smyth 2010), p = 2·min(P(T ≤ t), P(T ≥ t)), capped at 1.
 */
export function signFlipTest(diffs: readonly number[], opts: SignFlipOptions): SignFlipResult {
  const d = diffs.map(roundDiff);
  const n = d.length;
  const mean = n ? sum(d) / n : 0;
  const nz = d.filter((x) => x !== 0);
  const maxExact = opts.maxExact ?? 16;
  if (nz.length === 0) return { n, mean, p: 1, pMethod: 'exact', patterns: 1 };
  // Compare sums (mean × n) of the non-zero differences: the zeros add nothing whatever their sign.
  const observed = sum(nz);
  const tol = Math.abs(observed) * 100 * Number.EPSILON;
  let le = 0;
  let ge = 0;
  if (nz.length <= maxExact) {
    const total = 2 ** nz.length;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < nz.length; i++) s += mask & (1 << i) ? nz[i] : -nz[i];
      if (s <= observed + tol) le++;
      if (s >= observed - tol) ge++;
    }
    return { n, mean, p: Math.min(1, (2 * Math.min(le, ge)) / total), pMethod: 'exact', patterns: total };
  }
  const iterations = opts.iterations ?? 9999;
  const rand = mulberry32(opts.seed);
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (const x of nz) s += rand() < 0.5 ? -x : x;
    if (s <= observed + tol) le++;
    if (s >= observed - tol) ge++;
  }
  const p = (2 * Math.min(le + 1, ge + 1)) / (iterations + 1);
  return { n, mean, p: Math.min(1, p), pMethod: 'monte-carlo', patterns: iterations };
}

// ---------------------------------------------------------------------------------------------
// Multiple comparisons

/**
 * Holm's (1979) step-down adjusted p-values, in the input order: sort ascending, multiply the i-th
 * smallest (1-based) by m − i + 1, carry the running maximum, cap at 1. Reject where adjusted p < α.
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sample sizes (80% power, two-sided α = 0.05 unless given)

/**
 * Pairs needed for the McNemar test: Connor (1987), n = (z₁₋α/₂·√ψ + z₁₋β·√(ψ − δ²))² / δ², with ψ the
 * share of discordant pairs (p10 + p01) and δ = p10 − p01, rounded up. Null when δ = 0 (no effect to size for).
 */
export function mcnemarSampleSize(p10: number, p01: number, alpha = ALPHA, power = POWER): number | null {
  const psi = p10 + p01;
  const delta = p10 - p01;
  if (delta === 0 || !(psi > 0 && psi <= 1)) return null;
  const za = zTwoSided(alpha);
  const zb = normalQuantile(power);
  return Math.ceil((za * Math.sqrt(psi) + zb * Math.sqrt(Math.max(0, psi - delta * delta))) ** 2 / (delta * delta) - 1e-9);
}

/**
 * Pairs needed for a paired test of a mean difference δ with standard deviation σ of the differences,
 * by the normal approximation: n = (z₁₋α/₂ + z₁₋β)² σ² / δ², rounded up. Null when δ = 0.
 */
export function pairedMeanSampleSize(meanDiff: number, sdDiff: number, alpha = ALPHA, power = POWER): number | null {
  if (meanDiff === 0 || !Number.isFinite(meanDiff) || !(sdDiff >= 0)) return null;
  const k = zTwoSided(alpha) + normalQuantile(power);
  return Math.ceil(((k * sdDiff) / meanDiff) ** 2 - 1e-9);
}

/** Asymptotic relative efficiency of the Wilcoxon signed-rank test to the t-test for normal data (Hodges and Lehmann 1956). */
export const WILCOXON_ARE = 3 / Math.PI;

/**
 * Pairs needed for the Wilcoxon signed-rank test: the paired normal-approximation size divided by its
 * asymptotic relative efficiency 3/π (the "A.R.E." method of G*Power), n = ⌈(z₁₋α/₂ + z₁₋β)² σ²/δ² · π/3⌉.
 */
export function wilcoxonSampleSize(meanDiff: number, sdDiff: number, alpha = ALPHA, power = POWER): number | null {
  if (meanDiff === 0 || !Number.isFinite(meanDiff) || !(sdDiff >= 0)) return null;
  const k = zTwoSided(alpha) + normalQuantile(power);
  return Math.ceil((((k * sdDiff) / meanDiff) ** 2) / WILCOXON_ARE - 1e-9);
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sampleSd(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const m = sum(values) / n;
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

// ---------------------------------------------------------------------------------------------
// Paired comparisons of two arms on the same questions

export type PairedTestName = 'wilcoxon' | 'mcnemar-exact' | 'sign-flip';

export const PAIRED_TEST_NAMES: Readonly<Record<PairedTestName, { en: string; zh: string; short: { en: string; zh: string } }>> = Object.freeze({
  wilcoxon: { en: 'Wilcoxon signed-rank test', zh: 'Wilcoxon 符号秩检验', short: { en: 'Wilcoxon', zh: 'Wilcoxon' } },
  'mcnemar-exact': { en: 'exact McNemar test', zh: '精确 McNemar 检验', short: { en: 'exact McNemar', zh: '精确 McNemar' } },
  'sign-flip': { en: 'paired sign-flip permutation test', zh: '配对符号翻转置换检验', short: { en: 'sign-flip permutation', zh: '符号翻转置换' } },
});

export interface PairedComparison {
  /** What was compared: arm keys (or any labels) and the metric's id. */
  a: string;
  b: string;
  metric: string;
  test: PairedTestName;
  pMethod: PMethod;
  /** Paired questions. */
  n: number;
  /** mean(a − b), in the metric's unit. */
  diff: number;
  /** 95% interval of the difference; null with `noCi` below MIN_INTERVAL_N pairs or without spread. */
  ci: ConfidenceInterval | null;
  noCi?: NoInterval;
  /** Two-sided p of the test alone. */
  p: number;
  /** Holm-adjusted over the `family` comparisons shown together; equals `p` until `applyHolm` runs. */
  pHolm: number;
  family: number;
  /** Pairs for 80% power at α = 0.05 with this test, from the observed effect (≥ MIN_PAIRED_N); null with no observed difference. */
  needed: number | null;
  /** McNemar only: discordant pairs each way. */
  aOnly?: number;
  bOnly?: number;
}

/** The bar for calling one side better: Holm-adjusted p < α and at least MIN_PAIRED_N paired questions. */
export function meetsBar(c: Pick<PairedComparison, 'pHolm' | 'n'>): boolean {
  return c.pHolm < ALPHA && c.n >= MIN_PAIRED_N;
}

function atLeastMin(n: number | null): number | null {
  return n === null ? null : Math.max(n, MIN_PAIRED_N);
}

/** 0/1 metric (exact match): exact McNemar, Newcombe interval of the difference, Connor sample size. */
export function comparePairedBinary(a: readonly number[], b: readonly number[], labels: { a: string; b: string; metric: string }, level = 0.95): PairedComparison | null {
  checkPaired(a, b);
  if (a.length === 0) return null;
  const t = mcnemarExact(a, b);
  const d = newcombePairedDiff(a, b, level)!;
  return {
    ...labels,
    test: 'mcnemar-exact',
    pMethod: 'exact',
    n: t.n,
    diff: d.mean,
    ci: d.ci,
    p: t.p,
    pHolm: t.p,
    family: 1,
    needed: atLeastMin(mcnemarSampleSize(t.aOnly / t.n, t.bOnly / t.n)),
    aOnly: t.aOnly,
    bOnly: t.bOnly,
  };
}

/** Continuous metric (token F1): Wilcoxon signed-rank, BCa interval of the mean difference, ARE-adjusted sample size. */
export function comparePairedContinuous(a: readonly number[], b: readonly number[], labels: { a: string; b: string; metric: string }, opts: BootstrapOptions): PairedComparison | null {
  checkPaired(a, b);
  if (a.length === 0) return null;
  const d = a.map((v, i) => roundDiff(v - b[i]));
  const t = wilcoxonSignedRank(d);
  const est = bootstrapMean(d, opts)!;
  return {
    ...labels,
    test: 'wilcoxon',
    pMethod: t.pMethod,
    n: d.length,
    diff: est.mean,
    ci: est.ci,
    ...(est.noCi ? { noCi: est.noCi } : {}),
    p: t.p,
    pHolm: t.p,
    family: 1,
    needed: atLeastMin(wilcoxonSampleSize(est.mean, sampleSd(d))),
  };
}

/** Holm-adjusts a family of comparisons shown together (all of them, whatever their metric). */
export function applyHolm<T extends PairedComparison>(family: readonly T[]): T[] {
  const adj = holm(family.map((c) => c.p));
  return family.map((c, i) => ({ ...c, pHolm: adj[i], family: family.length }));
}

// ---------------------------------------------------------------------------------------------
// Formatting shared by the screens

/** "p < 0.001", "p = 0.0123" (three significant digits below 0.1), "p = 0.21". */
export function formatP(p: number): string {
  if (p < 0.001) return 'p < 0.001';
  if (p < 0.1) return `p = ${Number(p.toPrecision(3))}`;
  return `p = ${p.toFixed(2)}`;
}
