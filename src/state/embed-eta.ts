// Time left for an embedding run, extrapolated from its token progress (chunks differ in length, and
// the longest are embedded first, so chunk counts would mislead). The first forward pass is left out:
// it carries the model's warm-up; the rate is the tokens embedded since its end per second since then.

export class EmbedEta {
  #origin: { ms: number; tokens: number } | null = null;
  #left: number | null = null;

  /**
   * Feeds one progress report: estimated tokens done and in all (the total may grow as files join the
   * run) at `nowMs` (ms, one clock). Returns the seconds left, or null until a pass after the first ends.
   */
  update(tokens: { done: number; total: number }, nowMs: number): number | null {
    if (tokens.done <= 0) return this.#left;
    if (this.#origin === null) {
      this.#origin = { ms: nowMs, tokens: tokens.done };
      return this.#left;
    }
    const ms = nowMs - this.#origin.ms;
    const done = tokens.done - this.#origin.tokens;
    if (ms > 0 && done > 0) this.#left = Math.max(0, tokens.total - tokens.done) / (done / ms) / 1000;
    return this.#left;
  }

  get secondsLeft(): number | null {
    return this.#left;
  }
}

/** A duration to show: under a minute in 5 s steps (rounded up), under an hour in 10 s steps, then h and min. */
export type DurationText =
  | { key: 'embedding.time.s'; params: { s: number } }
  | { key: 'embedding.time.min'; params: { m: number; s: number } }
  | { key: 'embedding.time.h'; params: { h: number; m: number } };

/** `seconds` (≥ 0) as the words a time-left line uses (the keys are in src/i18n/en/embedding.ts). */
export function durationText(seconds: number): DurationText {
  const s = Math.max(0, seconds);
  if (s < 60) return { key: 'embedding.time.s', params: { s: Math.max(5, Math.ceil(s / 5) * 5) } };
  if (s < 3600) {
    const tens = Math.round(s / 10);
    const m = Math.floor(tens / 6);
    if (m >= 60) return { key: 'embedding.time.h', params: { h: 1, m: 0 } };
    return { key: 'embedding.time.min', params: { m, s: (tens % 6) * 10 } };
  }
  const minutes = Math.round(s / 60);
  return { key: 'embedding.time.h', params: { h: Math.floor(minutes / 60), m: minutes % 60 } };
}
