// Forward passes on one embedding model run one at a time, in the order asked: a query asked while a
// background pass runs goes next, and a failed pass does not stop the ones behind it.
import { describe, expect, it } from 'vitest';
import { oneAtATime } from '../../../workers/embedder';

describe('oneAtATime', () => {
  it('runs passes one after another in call order; a failure does not block the next', async () => {
    const log: string[] = [];
    let running = 0;
    const release: (() => void)[] = [];
    const run = oneAtATime(async (texts) => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${texts[0]}`);
      await new Promise<void>((r) => release.push(r));
      running--;
      log.push(`end ${texts[0]}`);
      if (texts[0] === 'bad') throw new Error('pass failed');
      return { data: new Float32Array(1), dims: [1, 1] };
    });
    const opts = { pooling: 'mean' as const, normalize: true };
    const background = run(['batch 1'], opts);
    const bad = run(['bad'], opts);
    const query = run(['query'], opts);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1));
      release.shift()?.();
    }
    await background;
    await expect(bad).rejects.toThrow('pass failed');
    await query;
    expect(log).toEqual(['start batch 1', 'end batch 1', 'start bad', 'end bad', 'start query', 'end query']);
  });
});
