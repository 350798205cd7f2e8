// The time-left estimate of a background embedding run: the first pass (warm-up) is left out, then
// the token rate since its end extrapolates the tokens still to embed; and how a duration is worded.
import { describe, expect, it } from 'vitest';
import { EmbedEta, durationText } from '../../../src/state/embed-eta';

describe('EmbedEta', () => {
  it('waits for a pass after the first, then extrapolates the token rate since the first ended', () => {
    const eta = new EmbedEta();
    // The run starts (nothing done): no estimate.
    expect(eta.update({ done: 0, total: 10_000 }, 0)).toBeNull();
    // First pass ends at 5 s with 1,000 tokens (slow: warm-up); it only sets the origin.
    expect(eta.update({ done: 1_000, total: 10_000 }, 5_000)).toBeNull();
    // Second pass: 2,000 more tokens in 2 s → 1,000 tokens/s; 7,000 tokens left → 7 s.
    expect(eta.update({ done: 3_000, total: 10_000 }, 7_000)).toBeCloseTo(7, 10);
    // Third: 4,000 tokens in 5 s since the origin → 800 tokens/s; 5,000 left → 6.25 s.
    expect(eta.update({ done: 5_000, total: 10_000 }, 10_000)).toBeCloseTo(6.25, 10);
    expect(eta.secondsLeft).toBeCloseTo(6.25, 10);
  });

  it('a total that grows (a file joins the run) raises the estimate at the same rate', () => {
    const eta = new EmbedEta();
    eta.update({ done: 500, total: 2_000 }, 1_000);
    // 500 tokens in 1 s → 500/s; 1,000 left → 2 s.
    expect(eta.update({ done: 1_000, total: 2_000 }, 2_000)).toBeCloseTo(2, 10);
    // Same rate (1,000 in 2 s), but 6,000 tokens arrived: 6,500 left → 13 s.
    expect(eta.update({ done: 1_500, total: 8_000 }, 3_000)).toBeCloseTo(13, 10);
  });

  it('time passing without new tokens slows the rate; done equal to total gives 0', () => {
    const eta = new EmbedEta();
    eta.update({ done: 100, total: 400 }, 0);
    // 200 tokens in 1 s → 200/s; 100 left → 0.5 s.
    expect(eta.update({ done: 300, total: 400 }, 1_000)).toBeCloseTo(0.5, 10);
    // Still 200 tokens, now in 1.5 s → 133.3/s; 100 left → 0.75 s.
    expect(eta.update({ done: 300, total: 400 }, 1_500)).toBeCloseTo(0.75, 10);
    expect(eta.update({ done: 400, total: 400 }, 2_000)).toBe(0);
  });
});

describe('durationText', () => {
  it('words seconds in 5 s steps under a minute, 10 s steps under an hour, then hours and minutes', () => {
    expect(durationText(0)).toEqual({ key: 'embedding.time.s', params: { s: 5 } });
    expect(durationText(11)).toEqual({ key: 'embedding.time.s', params: { s: 15 } });
    expect(durationText(59.2)).toEqual({ key: 'embedding.time.s', params: { s: 60 } });
    expect(durationText(60)).toEqual({ key: 'embedding.time.min', params: { m: 1, s: 0 } });
    expect(durationText(134)).toEqual({ key: 'embedding.time.min', params: { m: 2, s: 10 } });
    expect(durationText(176)).toEqual({ key: 'embedding.time.min', params: { m: 3, s: 0 } });
    expect(durationText(3_598)).toEqual({ key: 'embedding.time.h', params: { h: 1, m: 0 } });
    expect(durationText(3_600 + 25 * 60 + 20)).toEqual({ key: 'embedding.time.h', params: { h: 1, m: 25 } });
  });
});
