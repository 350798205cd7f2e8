import { describe, expect, it } from 'vitest';
import { estimateEta, jobsOf, modelGroups, runBatch, type Job, type RunnerProgress } from '../../../src/eval/runner';
import type { LaneConfig, LaneDeps, LaneResult } from '../../../src/lab/run-lane';
import { AbortError } from '../../../src/protocol/errors';
import { evalItemKey } from '../../../src/store/runs';
import type { TestItem } from '../../../src/store/db';
import type { MethodId } from '../../../src/strategies/types';

const items: TestItem[] = ['a', 'b', 'c'].map((id) => ({ id, question: `Question ${id}?`, answer: id, goldPassages: [], tags: [] }));
const methods: MethodId[] = ['plain', 'rag'];
const usage = { promptTokens: 1, outputTokens: 1, ttftMs: 1, totalMs: 1, decodeTps: 1 };

const cfg = (method: MethodId): LaneConfig => ({
  method, systemPrompt: '', lang: 'en', params: { maxNewTokens: 10, temperature: 0, topP: 1 },
  retrieval: { k: 2, dense: false, bm25: true, rerank: false, budget: 500 }, fewShot: { k: 0, similar: false }, examples: [],
});

/** Echoes the last user message, like the echo fixture. */
function echoDeps(onGenerate?: (n: number) => void): LaneDeps & { calls: number } {
  const deps = {
    calls: 0,
    retrieval: async () => ({
      search: async () => ({
        hits: [{ chunkId: 'd:0', docId: 'd', docName: 'd.md', index: 0, text: 'Gold text.', start: 0, end: 10, rank: 1, fused: 1 }],
        terms: [],
        ms: { embed: 0, search: 0, rerank: 0 },
        ran: { bm25: true, dense: false, rerank: false, embedder: null, reranker: null, vectors: 0, chunks: 1 },
        fallbacks: [],
      }),
    }),
    embed: async () => ({ vectors: new Float32Array(0), dim: 0 }),
    generate: async (messages: { role: string; content: string }[], _p: unknown, _t: (t: string) => void, signal?: AbortSignal) => {
      deps.calls++;
      onGenerate?.(deps.calls);
      if (signal?.aborted) throw new AbortError();
      return { text: messages.at(-1)!.content, usage, stopped: 'eos' as const, model: { model: 'echo', engine: 'transformers.js' as const, device: 'wasm' as const, dtype: 'q8', loadMs: 1 } };
    },
  };
  return deps;
}

describe('jobs and ETA', () => {
  it('question-major order', () => {
    expect(jobsOf(items, methods).map((j) => `${j.item.id}/${j.method}`)).toEqual(['a/plain', 'a/rag', 'b/plain', 'b/rag', 'c/plain', 'c/rag']);
  });
  it('ETA = mean item time × remaining', () => {
    expect(estimateEta([], 4)).toEqual({ meanMs: null, etaMs: null });
    expect(estimateEta([], 0)).toEqual({ meanMs: null, etaMs: 0 });
    expect(estimateEta([100, 300], 3)).toEqual({ meanMs: 200, etaMs: 600 });
  });
});

describe('runBatch', () => {
  it('runs every pair once, skips finished ones, reports progress and ETA', async () => {
    const deps = echoDeps();
    const finished = new Set([evalItemKey('a', 'plain'), evalItemKey('a', 'rag')]);
    const stored: string[] = [];
    const progress: RunnerProgress[] = [];
    let clock = 0;
    const out = await runBatch({
      items, methods, finished, laneConfig: cfg, deps: () => deps, signal: new AbortController().signal,
      now: () => (clock += 50),
      finish: async (job: Job, res: LaneResult) => {
        stored.push(`${job.item.id}/${job.method}:${res.gen.text.includes('Gold text.') ? 'ctx' : 'q'}`);
      },
      onProgress: (p) => progress.push(p),
    });
    expect(out).toEqual({ status: 'done', failures: [] });
    expect(deps.calls).toBe(4);
    expect(stored).toEqual(['b/plain:q', 'b/rag:ctx', 'c/plain:q', 'c/rag:ctx']);
    expect(progress[0]).toMatchObject({ total: 6, done: 2, skipped: 2, etaMs: null });
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ total: 6, done: 6, skipped: 2, failed: 0, current: null, meanMs: 50, etaMs: 0 });
    // After the first new item (50 ms) three remain: ETA 150 ms.
    expect(progress.find((p) => p.done === 3)?.etaMs).toBe(150);
  });

  it('cancel stops before the next item; nothing after it is stored', async () => {
    const ctrl = new AbortController();
    const deps = echoDeps((n) => n === 2 && ctrl.abort());
    const stored: string[] = [];
    const out = await runBatch({ items, methods, finished: new Set(), laneConfig: cfg, deps: () => deps, signal: ctrl.signal, finish: async (j) => void stored.push(j.item.id + j.method) });
    expect(out.status).toBe('cancelled');
    expect(stored).toEqual(['aplain']);
    expect(deps.calls).toBe(2);
  });

  it('a failing item is reported and skipped; three in a row stop the run', async () => {
    const deps = echoDeps();
    const bad = { ...deps, generate: async () => { throw new Error('boom'); } };
    const one = await runBatch({
      items, methods, finished: new Set(), laneConfig: cfg, signal: new AbortController().signal,
      deps: () => ({ ...deps, generate: (m: Parameters<typeof deps.generate>[0], p: Parameters<typeof deps.generate>[1], t: Parameters<typeof deps.generate>[2], s: Parameters<typeof deps.generate>[3]) => (m.at(-1)!.content.includes('Question b?') && !m.at(-1)!.content.includes('Gold') ? bad.generate() : deps.generate(m, p, t, s)) }),
      finish: async () => undefined,
    });
    expect(one.status).toBe('failed');
    expect(one.failures.map((f) => `${f.job.item.id}/${f.job.method}`)).toEqual(['b/plain']);
    const all = await runBatch({ items, methods, finished: new Set(), laneConfig: cfg, deps: () => bad, signal: new AbortController().signal, finish: async () => undefined });
    expect(all.status).toBe('failed');
    expect(all.failures).toHaveLength(3);
  });
});

describe('runBatch with several answers at once', () => {
  const many: TestItem[] = Array.from({ length: 9 }, (_, i) => ({ id: `q${i + 1}`, question: `Question ${i + 1}?`, answer: String(i + 1), goldPassages: [], tags: [] }));

  /** Echo deps whose answers take uneven times (so parallel answers finish out of order), counting how many run at once. */
  function unevenDeps() {
    const base = echoDeps();
    const seen = { now: 0, max: 0, models: new Set<string>(), mixed: false };
    const slow = (text: string) => 5 + ((text.length * 7) % 13);
    return {
      seen,
      deps: (job: Job): LaneDeps => ({
        ...base,
        generate: async (m, p, t, s) => {
          seen.now++;
          seen.max = Math.max(seen.max, seen.now);
          seen.models.add(job.model ?? '');
          if (seen.models.size > 1) seen.mixed = true;
          try {
            await new Promise((r) => setTimeout(r, slow(m.at(-1)!.content)));
            return await base.generate(m, p, t, s);
          } finally {
            seen.now--;
            seen.models.delete(job.model ?? '');
          }
        },
      }),
    };
  }

  async function run(concurrency: number, models?: string[]) {
    const u = unevenDeps();
    const stored = new Map<string, string>();
    const order: string[] = [];
    const out = await runBatch({
      items: many, methods, models, finished: new Set(), laneConfig: cfg, deps: u.deps, signal: new AbortController().signal, concurrency,
      finish: async (job, res) => {
        stored.set(evalItemKey(job.item.id, job.method, job.model), `${res.gen.text}|${res.context.map((c) => c.id).join(',')}`);
        order.push(job.item.id);
      },
    });
    return { out, stored, order, seen: u.seen };
  }

  it('4 at once: the same results as one at a time, every pair once, never more than 4 in flight', async () => {
    const one = await run(1);
    const four = await run(4);
    expect(one.out).toEqual({ status: 'done', failures: [] });
    expect(four.out).toEqual({ status: 'done', failures: [] });
    expect(one.seen.max).toBe(1);
    expect(four.seen.max).toBe(4);
    expect(four.stored.size).toBe(many.length * methods.length);
    expect([...four.stored.entries()].sort()).toEqual([...one.stored.entries()].sort());
    // Uneven answer times: parallel answers really finish out of run order (the store is keyed, so that is fine).
    expect(four.order).not.toEqual(one.order);
  });

  it('a grid never answers with two models at once (a model in this browser is never swapped out mid-answer)', async () => {
    const g = await run(4, ['m1', 'm2']);
    expect(g.out.status).toBe('done');
    expect(g.stored.size).toBe(many.length * methods.length * 2);
    expect(g.seen.max).toBe(4);
    expect(g.seen.mixed).toBe(false);
    expect(modelGroups(jobsOf(many, methods, ['m1', 'm2'])).map((grp) => [grp[0].model, grp.length])).toEqual([['m1', 18], ['m2', 18]]);
  });

  it('progress: ETA = mean item time × remaining ÷ answers at once; answers per minute = 60,000 × answers at once ÷ mean', async () => {
    const progress: RunnerProgress[] = [];
    let clock = 0;
    await runBatch({ items, methods, finished: new Set(), laneConfig: cfg, deps: () => echoDeps(), signal: new AbortController().signal, concurrency: 2, now: () => (clock += 50), finish: async () => undefined, onProgress: (p) => progress.push(p) });
    const timed = progress.filter((p) => p.meanMs !== null);
    expect(timed.length).toBeGreaterThan(0);
    for (const p of timed) {
      expect(p.etaMs).toBeCloseTo((p.meanMs! * (p.total - p.done - p.failed)) / 2, 9);
      expect(p.perMinute).toBeCloseTo((60_000 * 2) / p.meanMs!, 9);
    }
    expect(progress.some((p) => p.running === 2)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 6, running: 0, current: null, etaMs: 0 });
  });

  it('cancel with 4 in flight: the run stops, nothing finishes after the abort', async () => {
    const ctrl = new AbortController();
    const base = echoDeps();
    let started = 0;
    const stored: string[] = [];
    let afterAbort = 0;
    const out = await runBatch({
      items: many, methods, finished: new Set(), laneConfig: cfg, signal: ctrl.signal, concurrency: 4,
      deps: () => ({ ...base, generate: async (m, p, t, s) => {
        if (++started === 6) ctrl.abort();
        await new Promise((r) => setTimeout(r, 5));
        return base.generate(m, p, t, s);
      } }),
      finish: async (j) => {
        if (ctrl.signal.aborted) afterAbort++;
        stored.push(j.item.id);
      },
    });
    expect(out.status).toBe('cancelled');
    expect(afterAbort).toBe(0);
    expect(stored.length).toBeLessThan(6);
    expect(started).toBe(6);
  });

  it('failures are listed in run order whatever order they happened in', async () => {
    const base = echoDeps();
    const out = await runBatch({
      items: many, methods: ['plain'], finished: new Set(), laneConfig: cfg, signal: new AbortController().signal, concurrency: 4, maxConsecutiveFailures: 99,
      deps: (job) => ({ ...base, generate: async () => {
        // Later questions fail sooner.
        await new Promise((r) => setTimeout(r, 40 - Number(job.item.id.slice(1)) * 4));
        throw new Error(`boom ${job.item.id}`);
      } }),
      finish: async () => undefined,
    });
    expect(out.status).toBe('failed');
    expect(out.failures.map((f) => f.job.item.id)).toEqual(many.map((it) => it.id));
  });
});
