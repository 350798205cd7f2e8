// The extra steps' cost: every extra call's usage once, in the order the calls ran, summed.
import { describe, expect, it } from 'vitest';
import { stepsCost, stepUsages, type LaneSteps, type StepCall } from '../../../src/strategies/steps';

const call = (promptTokens: number, outputTokens: number, totalMs: number): StepCall => ({ reply: 'r', usage: { promptTokens, outputTokens, ttftMs: 1, totalMs, decodeTps: 1 }, stopped: 'eos' });

describe('stepUsages and stepsCost', () => {
  it('count each call once, before-answer steps first, and nothing for a step that made no call', () => {
    const steps: LaneSteps = {
      verify: { call: call(300, 60, 1200), draft: 'd', verification: { claims: [], revised: null, ok: false, problems: [] }, summary: { total: 0, supported: 0, unsupported: 0, contradicted: 0, allSupported: false }, revised: false },
      hyde: { call: call(50, 30, 400), passage: 'p', truncated: false, problem: null, usedForDense: true },
    };
    expect(stepUsages(steps).map((u) => u.promptTokens)).toEqual([50, 300]);
    expect(stepsCost(steps)).toEqual({ calls: 2, promptTokens: 350, outputTokens: 90, totalMs: 1600 });
    expect(stepsCost({ hyde: { call: null, passage: null, truncated: false, problem: null, usedForDense: false } })).toEqual({ calls: 0, promptTokens: 0, outputTokens: 0, totalMs: 0 });
    expect(stepsCost(undefined)).toEqual({ calls: 0, promptTokens: 0, outputTokens: 0, totalMs: 0 });
  });
});
