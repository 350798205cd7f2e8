// The statistics module against reference values. Every expected number below was computed outside
// this code base: scipy 1.17.1 (stats.binomtest, stats.wilcoxon, stats.bootstrap, stats.permutation_test,
// special.ndtr/ndtri) or the published formula written out in Python. Where the app draws random
// numbers, Python used a port of mulberry32 so scipy saw exactly the app's resamples.

import { describe, expect, it } from 'vitest';
import {
  ALPHA, MIN_INTERVAL_N, MIN_PAIRED_N, WILCOXON_ARE, applyHolm, bcaLevels, binomialTestHalf, bootstrapMean, comparePairedBinary,
  comparePairedContinuous, formatP, holm, mcnemarExact, mcnemarSampleSize, meetsBar, mulberry32, newcombePairedDiff, normalCdf,
  normalQuantile, pairedMeanSampleSize, proportion, resampleMeans, signFlipTest, wilcoxonSampleSize, wilcoxonSignedRank, wilson,
} from '../../../src/eval/stats';
import { mulberry32 as fromMetrics } from '../../../src/eval/metrics';

/** `n` pairs as 0/1 lists: a both-1, b A-only, c B-only, d both-0 (McNemar's table). */
function table(a: number, b: number, c: number, d: number): [number[], number[]] {
  const A: number[] = [];
  const B: number[] = [];
  const push = (k: number, x: number, y: number) => {
    for (let i = 0; i < k; i++) {
      A.push(x);
      B.push(y);
    }
  };
  push(a, 1, 1);
  push(b, 1, 0);
  push(c, 0, 1);
  push(d, 0, 0);
  return [A, B];
}

describe('mulberry32', () => {
  // bryc's reference mulberry32, copied independently, to catch transcription errors.
  function reference(a: number) {
    return function () {
      let t = (a += 0x6d2b79f5);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  it('matches the reference sequence, stays in [0, 1), and is the same function metrics.ts exports', () => {
    const a = mulberry32(42);
    const b = reference(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
    expect(fromMetrics).toBe(mulberry32);
    // The Python port used for the reference values below starts the same: mulberry32(42) → 0.6011037519201636, 0.44829055899754167.
    const c = mulberry32(42);
    expect([c(), c()]).toEqual([0.6011037519201636, 0.44829055899754167]);
  });
});

describe('normal distribution', () => {
  it('Φ matches scipy.special.ndtr to ~1e-14 relative, tails included', () => {
    // scipy.special.ndtr(x)
    const ref: [number, number][] = [
      [-8, 6.22096057427174e-16],
      [-5, 2.866515718791933e-7],
      [-3, 0.0013498980316300933],
      [-1.5, 0.06680720126885807],
      [0, 0.5],
      [1, 0.8413447460685429],
      [2, 0.9772498680518208],
    ];
    for (const [x, v] of ref) expect(Math.abs(normalCdf(x) - v) / v).toBeLessThan(1e-13);
  });
  it('Φ⁻¹ matches scipy.special.ndtri', () => {
    // scipy.special.ndtri(p)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 14);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 13);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });
});

describe('Wilson interval', () => {
  // scipy.stats.binomtest(k, n).proportion_ci(method='wilson')
  const ref: [number, number, number, number][] = [
    [0, 10, 0.0, 0.27753279986288926],
    [10, 10, 0.7224672001371109, 1.0],
    [7, 50, 0.06950833427016292, 0.26186193710585537],
    [3, 4, 0.30064184258240184, 0.9544127391902995],
    [1, 1, 0.20654931437723745, 1.0],
    [17, 20, 0.6395811352592431, 0.9476312541037835],
  ];
  it.each(ref)('%i of %i', (k, n, low, high) => {
    const e = wilson(k, n)!;
    expect(e.mean).toBe(k / n);
    expect(e.n).toBe(n);
    expect(e.ci!.method).toBe('wilson');
    expect(e.ci!.low).toBeCloseTo(low, 14);
    expect(e.ci!.high).toBeCloseTo(high, 14);
  });
  it('10 of 10 is not a zero-width interval, and a list of 0/1 values is counted', () => {
    const e = proportion([1, 1, 1, 1, 1, 1, 1, 1, 1, 1])!;
    expect(e.ci!.high - e.ci!.low).toBeGreaterThan(0.27);
    expect(proportion([])).toBeNull();
    expect(proportion([true, false, true, true])!.mean).toBe(0.75);
    expect(() => wilson(3, 2)).toThrow(RangeError);
  });
});

describe('bootstrap interval of a mean', () => {
  // Multiples of 1/8 and 1/16: every mean is exact in binary, so scipy (pairwise sums) and the app (running
  // sums) see the same ties at the observed mean. Python: dist = resample_means(V, 2000, seed) (mulberry32 port);
  // scipy.stats.bootstrap((V,), np.mean, n_resamples=0, method=..., bootstrap_result=SimpleNamespace(bootstrap_distribution=dist))
  const V1 = [0, 0.5, 1, 0.75, 0.375, 1, 0, 0.875, 0.25, 1, 0.5, 0.125];
  const V2 = [0, 0, 0, 0, 0.125, 0, 0, 0.875, 0, 0.25, 1, 0, 0, 0.0625, 0];
  it('BCa equals scipy.stats.bootstrap(method="BCa") on the same resamples', () => {
    const a = bootstrapMean(V1, { seed: 7 })!;
    expect(a.ci!.method).toBe('bca');
    expect(a.mean).toBe(0.53125);
    expect(a.n).toBe(12);
    expect(a.ci!.low).toBeCloseTo(0.3229166666666667, 12);
    expect(a.ci!.high).toBeCloseTo(0.7395833333333334, 12);
    const b = bootstrapMean(V2, { seed: 11 })!;
    expect(b.ci!.low).toBeCloseTo(0.041666666666666664, 12);
    expect(b.ci!.high).toBeCloseTo(0.4083333333333333, 12);
  });
  it('percentile equals scipy.stats.bootstrap(method="percentile") on the same resamples', () => {
    const p = bootstrapMean(V1, { seed: 7, method: 'percentile' })!;
    expect(p.ci!.method).toBe('percentile');
    expect(p.ci!.low).toBeCloseTo(0.3226562500000005, 12);
    expect(p.ci!.high).toBeCloseTo(0.7395833333333334, 12);
  });
  it('the BCa correction is real: skewed data shift the levels away from 2.5% / 97.5%', () => {
    const boot = resampleMeans(V2, 2000, 11);
    const lv = bcaLevels(V2, boot, 0.95)!;
    expect(lv.a).toBeGreaterThan(0.05); // right-skewed: positive acceleration
    expect(lv.highQ).toBeGreaterThan(0.975);
  });
  it(`no interval below ${MIN_INTERVAL_N} values, none without spread, null without values`, () => {
    expect(bootstrapMean([1], { seed: 1 })).toEqual({ mean: 1, n: 1, ci: null, noCi: 'too-few' });
    expect(bootstrapMean([0.2, 0.4, 0.6, 0.8], { seed: 1 })).toMatchObject({ n: 4, ci: null, noCi: 'too-few' });
    expect(bootstrapMean([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { seed: 1 })).toEqual({ mean: 1, n: 10, ci: null, noCi: 'no-variation' });
    expect(bootstrapMean([], { seed: 1 })).toBeNull();
    expect(bootstrapMean([0, 1, 0, 1, 1], { seed: 1 })!.ci).not.toBeNull();
  });
  it('is deterministic for a seed; another seed moves the bounds slightly', () => {
    const many = Array.from({ length: 37 }, (_, i) => ((i * 7919) % 13) / 13);
    expect(bootstrapMean(many, { seed: 1 })).toEqual(bootstrapMean(many, { seed: 1 }));
    expect(bootstrapMean(many, { seed: 1 })!.ci).not.toEqual(bootstrapMean(many, { seed: 2 })!.ci);
    expect(() => bootstrapMean(many, { seed: 1, iterations: 0 })).toThrow(RangeError);
    expect(() => bootstrapMean(many, { seed: 1, level: 1 })).toThrow(RangeError);
  });
});

describe('exact McNemar', () => {
  // scipy.stats.binomtest(b, b + c, 0.5).pvalue
  const ref: [number, number, number][] = [
    [8, 2, 0.109375],
    [12, 3, 0.03515625],
    [0, 6, 0.03125],
    [5, 5, 1.0],
    [30, 10, 0.0022214337732293643],
    [1, 0, 1.0],
    [200, 160, 0.03968427883649793],
  ];
  it.each(ref)('%i vs %i discordant pairs', (b, c, p) => {
    const [A, B] = table(7, b, c, 4); // concordant pairs do not matter
    const r = mcnemarExact(A, B);
    expect(r).toMatchObject({ aOnly: b, bOnly: c, n: 11 + b + c });
    expect(Math.abs(r.p - p) / p).toBeLessThan(1e-11);
  });
  it('binomial test of k in n at 1/2, and bad input', () => {
    expect(binomialTestHalf(0, 0)).toBe(1);
    expect(binomialTestHalf(3, 3)).toBeCloseTo(0.25, 15); // 2 · (1/2)³
    expect(() => mcnemarExact([1, 0.5], [0, 1])).toThrow(RangeError);
    expect(() => mcnemarExact([1], [0, 1])).toThrow(RangeError);
  });
});

describe('Newcombe interval of a paired difference of proportions', () => {
  // Newcombe (1998), Stat Med 17:2635, Table II, method 10 for a=36, b=12, c=2, d=0: 0.0569 to 0.3404.
  // Python from the paper's formulas (Wilson margins via scipy): (0.05692958400323875, 0.3404276029749408).
  it('reproduces the published example', () => {
    const e = newcombePairedDiff(...table(36, 12, 2, 0))!;
    expect(e.mean).toBeCloseTo(0.2, 15);
    expect(e.ci!.method).toBe('newcombe');
    expect(e.ci!.low).toBeCloseTo(0.05692958400323875, 13);
    expect(e.ci!.high).toBeCloseTo(0.3404276029749408, 13);
  });
  it('stays informative when all ten pairs differ the same way (the bootstrap would collapse)', () => {
    // Same Python: (0.6075093504305242, 1.0)
    const e = newcombePairedDiff(...table(0, 10, 0, 0))!;
    expect(e.mean).toBe(1);
    expect(e.ci!.low).toBeCloseTo(0.6075093504305242, 13);
    expect(e.ci!.high).toBe(1);
    // (2, 8, 1, 9) → (0.08031461551546049, 0.5605362516259209)
    const f = newcombePairedDiff(...table(2, 8, 1, 9))!;
    expect(f.ci!.low).toBeCloseTo(0.08031461551546049, 13);
    expect(f.ci!.high).toBeCloseTo(0.5605362516259209, 13);
  });
});

describe('Wilcoxon signed-rank (scipy.stats.wilcoxon defaults)', () => {
  it('exact distribution: no ties, no zeros, n ≤ 50', () => {
    // scipy.stats.wilcoxon([0.3, -0.1, 0.25, 0.4, 0.15, -0.05, 0.6, 0.35]).pvalue = 0.0390625
    const r = wilcoxonSignedRank([0.3, -0.1, 0.25, 0.4, 0.15, -0.05, 0.6, 0.35]);
    expect(r).toMatchObject({ n: 8, nonZero: 8, rPlus: 33, pMethod: 'exact' });
    expect(r.p).toBe(0.0390625);
  });
  it('exact permutation: ties or zeros with at most 13 pairs', () => {
    // scipy.stats.wilcoxon([0.5, 0.5, 0, 0.25, -0.25, 1, 0.5, 0, 0.75, -0.1]).pvalue = 0.046875
    const r = wilcoxonSignedRank([0.5, 0.5, 0, 0.25, -0.25, 1, 0.5, 0, 0.75, -0.1]);
    expect(r).toMatchObject({ n: 10, nonZero: 8, pMethod: 'exact-permutation' });
    expect(r.p).toBeCloseTo(0.046875, 15);
  });
  it('normal approximation with the tie correction: ties or zeros beyond 13 pairs, or more than 50 pairs', () => {
    // scipy.stats.wilcoxon(d).pvalue for the 20 differences below: 0.014452959803024138
    const d = [0.5, 0.5, 0, 0.25, -0.25, 1, 0.5, 0, 0.75, -0.1, 0.2, 0.2, 0.4, -0.3, 0.6, 0, 0.1, 0.5, -0.5, 0.9];
    const r = wilcoxonSignedRank(d);
    expect(r.pMethod).toBe('normal-approximation');
    expect(Math.abs(r.p - 0.014452959803024138) / r.p).toBeLessThan(1e-12);
    // 60 differences ((i·37 mod 101) − 30)/100, i = 0…59: scipy p = 2.7991965601159334e-05
    const big = Array.from({ length: 60 }, (_, i) => (((i * 37) % 101) - 30) / 100);
    const b = wilcoxonSignedRank(big);
    expect(b.pMethod).toBe('normal-approximation');
    expect(Math.abs(b.p - 2.7991965601159334e-5) / b.p).toBeLessThan(1e-12);
  });
  it('float noise neither breaks ties nor hides zeros; all-zero differences give p = 1', () => {
    // 2/3 − 1/2 and 1/2 − 1/3 are both 1/6 but differ in the last bit as floats.
    const noisy = wilcoxonSignedRank([2 / 3 - 1 / 2, 1 / 2 - 1 / 3, 0.1 + 0.2 - 0.3, 0.4, 0.7]);
    expect(noisy.nonZero).toBe(4);
    expect(noisy.pMethod).toBe('exact-permutation');
    expect(wilcoxonSignedRank([0, 0, 0]).p).toBe(1);
  });
});

describe('sign-flip permutation test', () => {
  const d = [0.3, -0.1, 0.25, 0.4, 0, 0.15, -0.05, 0.6, 0.35, -0.2];
  it('exact: equals scipy.stats.permutation_test((d,), np.mean, permutation_type="samples")', () => {
    // scipy pvalue = 0.07421875 (exact: 2^10 sign patterns)
    const r = signFlipTest(d, { seed: 1 });
    expect(r.pMethod).toBe('exact');
    expect(r.patterns).toBe(512); // the zero's sign changes nothing: 2^9 distinct patterns, same proportions
    expect(r.p).toBe(0.07421875);
  });
  it('Monte Carlo: seeded, close to the exact value, never 0', () => {
    const mc = signFlipTest(d, { seed: 3, maxExact: 4, iterations: 20000 });
    expect(mc.pMethod).toBe('monte-carlo');
    expect(Math.abs(mc.p - 0.07421875)).toBeLessThan(0.01); // binomial SE at 20 000 draws ≈ 0.0026
    expect(signFlipTest(d, { seed: 3, maxExact: 4, iterations: 20000 })).toEqual(mc);
    const allUp = signFlipTest(Array.from({ length: 30 }, () => 1), { seed: 1, iterations: 999 });
    expect(allUp.p).toBeCloseTo(2 / 1000, 15); // (0 + 1)/(999 + 1) each side, doubled
  });
});

describe('Holm correction', () => {
  it('equals the step-down definition', () => {
    // Python from Holm (1979): adjusted p_(i) = max_{j≤i} min(1, (m − j + 1) p_(j)) → [0.03, 0.06, 0.06, 0.02]
    expect(holm([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
    expect(holm([0.02])).toEqual([0.02]);
  });
});

describe('sample sizes for 80% power at α = 0.05', () => {
  it('McNemar: Connor (1987)', () => {
    // Python: (z.975·√ψ + z.8·√(ψ − δ²))² / δ² with ψ = 0.30, δ = 0.20 → 56.44973666091138 → 57.
    // Independent check: the exact McNemar test at n = 57 has power 0.772 by full enumeration (0.762 at 56):
    // the exact test is conservative, Connor's formula sizes the asymptotic one.
    expect(mcnemarSampleSize(0.25, 0.05)).toBe(57);
    // ψ = 0.30, δ = 0.10 → 233.09453820467388 → 234
    expect(mcnemarSampleSize(0.2, 0.1)).toBe(234);
    expect(mcnemarSampleSize(0.1, 0.1)).toBeNull();
  });
  it('Wilcoxon: paired normal-approximation size divided by the ARE 3/π', () => {
    // Python: ((z.975 + z.8)·0.3/0.1)² · π/3 = 73.9739487370227 → 74. Independent check: 20 000 simulated
    // samples of 74 normal differences (mean 0.1, sd 0.3) reject with scipy.stats.wilcoxon 79.0% of the time.
    expect(wilcoxonSampleSize(0.1, 0.3)).toBe(74);
    // ((z.975 + z.8)·0.35/0.42)² · π/3 = 5.707866414893728 → 6
    expect(wilcoxonSampleSize(0.42, 0.35)).toBe(6);
    expect(wilcoxonSampleSize(-0.1, 0.3)).toBe(74);
    expect(wilcoxonSampleSize(0, 0.3)).toBeNull();
    expect(WILCOXON_ARE).toBeCloseTo(0.954929658551372, 15);
    // Python: ((z.975 + z.8)·0.3/0.1)² = 70.63991760914179 → 71
    expect(pairedMeanSampleSize(0.1, 0.3)).toBe(71);
  });
});

describe('paired comparisons', () => {
  it('0/1 metric: exact McNemar, Newcombe interval, Connor size', () => {
    const [A, B] = table(36, 12, 2, 0);
    const c = comparePairedBinary(A, B, { a: 'rag', b: 'plain', metric: 'em' })!;
    expect(c).toMatchObject({ a: 'rag', b: 'plain', metric: 'em', test: 'mcnemar-exact', pMethod: 'exact', n: 50, aOnly: 12, bOnly: 2 });
    expect(c.diff).toBeCloseTo(0.2, 15);
    // scipy.stats.binomtest(12, 14, 0.5).pvalue = 0.012939453125
    expect(c.p).toBeCloseTo(0.012939453125, 14);
    // Connor with ψ = 14/50, δ = 10/50: Python → 52.520746275085784 → 53
    expect(c.needed).toBe(53);
    expect(comparePairedBinary([], [], { a: 'x', b: 'y', metric: 'em' })).toBeNull();
  });
  it('continuous metric: Wilcoxon, BCa interval of the mean difference, ARE size not below the bar', () => {
    const a = [0.3, -0.1, 0.25, 0.4, 0.15, -0.05, 0.6, 0.35].map((x) => x + 0.5);
    const b = new Array(8).fill(0.5);
    const c = comparePairedContinuous(a, b, { a: 'A', b: 'B', metric: 'f1' }, { seed: 5 })!;
    expect(c).toMatchObject({ test: 'wilcoxon', pMethod: 'exact', n: 8, p: 0.0390625, pHolm: 0.0390625, family: 1 });
    expect(c.diff).toBeCloseTo(0.2375, 12);
    expect(c.ci!.method).toBe('bca');
    expect(c.needed).toBe(MIN_PAIRED_N);
    const few = comparePairedContinuous([1, 1, 0], [0, 0, 0], { a: 'A', b: 'B', metric: 'f1' }, { seed: 5 })!;
    expect(few).toMatchObject({ n: 3, ci: null, noCi: 'too-few' });
  });
  it('Holm across the family; the bar needs adjusted p < 0.05 and 10 pairs', () => {
    const base = { a: 'a', b: 'b', metric: 'f1', test: 'wilcoxon' as const, pMethod: 'exact' as const, diff: 0.1, ci: null, needed: null, family: 1 };
    const fam = applyHolm([
      { ...base, n: 50, p: 0.01, pHolm: 0.01 },
      { ...base, n: 50, p: 0.04, pHolm: 0.04 },
      { ...base, n: 9, p: 0.001, pHolm: 0.001 },
    ]);
    expect(fam.map((c) => c.pHolm)).toEqual([0.02, 0.04, 0.003]);
    expect(fam.every((c) => c.family === 3)).toBe(true);
    expect(fam.map(meetsBar)).toEqual([true, true, false]);
    expect(meetsBar({ pHolm: ALPHA, n: 100 })).toBe(false);
    expect(meetsBar({ pHolm: 0.049, n: MIN_PAIRED_N })).toBe(true);
  });
});

describe('formatP', () => {
  it('"< 0.001", three significant digits below 0.1, two decimals above', () => {
    expect(formatP(0.0004)).toBe('p < 0.001');
    expect(formatP(0.0123456)).toBe('p = 0.0123');
    expect(formatP(0.046875)).toBe('p = 0.0469');
    expect(formatP(0.2101)).toBe('p = 0.21');
    expect(formatP(1)).toBe('p = 1.00');
  });
});
