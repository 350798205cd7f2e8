// RpcClient against a fake Worker that runs a REAL handler in-process. The fake only moves messages
// (structured-cloned, asynchronously) and can raise `onerror` / `onmessageerror` like a dying worker.

import { describe, expect, it } from 'vitest';
import { RpcClient } from '../../../src/clients/rpc';
import { AbortError, AppError, FileError, ModelError, WorkerCrashedError } from '../../../src/protocol/errors';
import type { Inbound, LlmCalls, Outbound, Post, Progress } from '../../../src/protocol/messages';
import { serve } from '../../../workers/handler-kit';
import { InProcessWorker as FakeWorker, type Handler } from '../helpers/in-process-worker';
import { createLlmHandler } from '../../../workers/llm-handler';

// A tiny worker protocol served by the real handler kit (`serve`).
type TestCalls = {
  echo: { req: { v: string; delay: number }; res: { v: string }; item: never };
  count: { req: { n: number; every: number; failAt?: number }; res: { total: number }; item: number };
  hang: { req: Record<string, never>; res: never; item: never };
  fail: { req: { kind: 'file' | 'model' | 'plain' }; res: never; item: never };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WorkerLog {
  aborted: number[];
  finished: number[];
}

function testHandler(log: WorkerLog) {
  return (post: Post): Handler<Inbound<TestCalls>> =>
    serve<TestCalls>(post, {
      async echo({ v, delay }, ctx) {
        await sleep(delay);
        log.finished.push(ctx.id);
        return { v };
      },
      async count({ n, every, failAt }, ctx) {
        for (let i = 0; i < n; i++) {
          if (ctx.signal.aborted) {
            log.aborted.push(ctx.id);
            break;
          }
          if (i === failAt) throw new ModelError('model-load-failed', 'broke mid-stream', { at: i });
          ctx.progress({ kind: 'items', stage: 'embedding', done: i + 1, total: n });
          ctx.item(i);
          await sleep(every);
        }
        return { total: n };
      },
      hang: (_req, ctx) =>
        new Promise<never>((_, reject) =>
          ctx.signal.addEventListener('abort', () => {
            log.aborted.push(ctx.id);
            reject(ctx.signal.reason);
          }),
        ),
      async fail({ kind }) {
        if (kind === 'file') throw new FileError('pdf-encrypted', 'The PDF is password-protected.', { file: 'a.pdf' });
        if (kind === 'model') throw new ModelError('model-not-found', 'Missing file.', { model: 'x/y', url: 'https://h/x' });
        throw new TypeError('boom');
      },
    });
}

function setup() {
  const log: WorkerLog = { aborted: [], finished: [] };
  const workers: FakeWorker<Inbound<TestCalls>>[] = [];
  const client = new RpcClient<TestCalls>('test', () => {
    const w = new FakeWorker(testHandler(log));
    workers.push(w);
    return w as unknown as Worker;
  });
  return { client, log, workers };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('RpcClient: calls', () => {
  it('resolves results by id, interleaved, in completion order', async () => {
    const { client, log, workers } = setup();
    const done: string[] = [];
    const a = client.call('echo', { v: 'a', delay: 120 }).then((r) => (done.push(r.v), r));
    const b = client.call('echo', { v: 'b', delay: 10 }).then((r) => (done.push(r.v), r));
    const c = client.call('echo', { v: 'c', delay: 60 }).then((r) => (done.push(r.v), r));
    expect(client.pendingCount).toBe(3);
    expect(await Promise.all([a, b, c])).toEqual([{ v: 'a' }, { v: 'b' }, { v: 'c' }]);
    expect(done).toEqual(['b', 'c', 'a']);
    expect(log.finished).toHaveLength(3);
    expect(client.pendingCount).toBe(0);
    expect(workers).toHaveLength(1);
    const ids = workers[0].inbox.map((m) => m.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('progress and items reach the callbacks, then the result', async () => {
    const { client } = setup();
    const items: number[] = [];
    const progress: Progress[] = [];
    const r = await client.call('count', { n: 4, every: 1 }, { onItem: (i) => items.push(i), onProgress: (p) => progress.push(p) });
    expect(r).toEqual({ total: 4 });
    expect(items).toEqual([0, 1, 2, 3]);
    expect(progress).toEqual([1, 2, 3, 4].map((done) => ({ kind: 'items', stage: 'embedding', done, total: 4 })));
  });

  it('errors come back as the right AppError subclass with code and detail', async () => {
    const { client } = setup();
    const f = await rejection(client.call('fail', { kind: 'file' }));
    expect(f).toBeInstanceOf(FileError);
    expect(f).toMatchObject({ code: 'pdf-encrypted', message: 'The PDF is password-protected.', detail: { file: 'a.pdf' } });
    const m = await rejection(client.call('fail', { kind: 'model' }));
    expect(m).toBeInstanceOf(ModelError);
    expect(m).toMatchObject({ code: 'model-not-found', detail: { model: 'x/y' } });
    const p = await rejection(client.call('fail', { kind: 'plain' }));
    expect(p).toBeInstanceOf(AppError);
    expect(p).not.toBeInstanceOf(FileError);
    expect(p).toMatchObject({ code: 'internal', message: 'boom' });
    expect(client.pendingCount).toBe(0);
  });

  it('an AbortSignal rejects with AbortError and aborts the call in the worker', async () => {
    const { client, log, workers } = setup();
    const ctrl = new AbortController();
    const p = client.call('hang', {}, { signal: ctrl.signal });
    await sleep(10);
    ctrl.abort();
    const e = await rejection(p);
    expect(e).toBeInstanceOf(AbortError);
    expect((e as AppError).code).toBe('aborted');
    expect(client.pendingCount).toBe(0);
    await sleep(20);
    const target = workers[0].inbox[0].id;
    expect(workers[0].inbox.find((m) => m.type === 'abort')).toMatchObject({ type: 'abort', target });
    expect(log.aborted).toEqual([target]);
    // The client still works afterwards.
    expect(await client.call('echo', { v: 'after', delay: 0 })).toEqual({ v: 'after' });
  });

  it('an already aborted signal rejects without starting a worker', async () => {
    const { client, workers } = setup();
    const e = await rejection(client.call('echo', { v: 'x', delay: 0 }, { signal: AbortSignal.abort() }));
    expect(e).toBeInstanceOf(AbortError);
    expect(workers).toHaveLength(0);
  });

  it('aborting after the result arrived changes nothing', async () => {
    const { client, workers } = setup();
    const ctrl = new AbortController();
    expect(await client.call('echo', { v: 'x', delay: 0 }, { signal: ctrl.signal })).toEqual({ v: 'x' });
    ctrl.abort();
    await sleep(5);
    expect(workers[0].inbox.some((m) => m.type === 'abort')).toBe(false);
  });

  it('works with the real LLM handler: errors before any model is loaded', async () => {
    const workers: FakeWorker<Inbound<LlmCalls>>[] = [];
    const client = new RpcClient<LlmCalls>('llm', () => {
      const w = new FakeWorker<Inbound<LlmCalls>>(createLlmHandler);
      workers.push(w);
      return w as unknown as Worker;
    });
    const e = await rejection(client.call('generate', { key: 'm', messages: [{ role: 'user', content: 'hi' }], params: { maxNewTokens: 4, temperature: 0, topP: 1 } }));
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('bad-request');
    expect(await client.call('unload', {})).toEqual({ unloaded: 0 });
  });
});

describe('RpcClient: streams', () => {
  it('yields items in order, then finishes with the result', async () => {
    const { client } = setup();
    const progress: Progress[] = [];
    const s = client.stream('count', { n: 6, every: 2 }, { onProgress: (p) => progress.push(p) });
    const got: number[] = [];
    for await (const i of s.items) got.push(i);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await s.result).toEqual({ total: 6 });
    expect(progress).toHaveLength(6);
  });

  it('items that all arrived before iteration starts are still yielded', async () => {
    const { client } = setup();
    const s = client.stream('count', { n: 3, every: 0 });
    await s.result;
    const got: number[] = [];
    for await (const i of s.items) got.push(i);
    expect(got).toEqual([0, 1, 2]);
  });

  it('breaking out of the loop aborts the call in the worker', async () => {
    const { client, log, workers } = setup();
    const s = client.stream('count', { n: 1000, every: 5 });
    const got: number[] = [];
    for await (const i of s.items) {
      got.push(i);
      if (i === 2) break;
    }
    expect(got).toEqual([0, 1, 2]);
    expect(await rejection(s.result)).toBeInstanceOf(AbortError);
    await sleep(30);
    const id = workers[0].inbox[0].id;
    expect(workers[0].inbox.some((m) => m.type === 'abort' && m.target === id)).toBe(true);
    expect(log.aborted).toEqual([id]);
    expect(client.pendingCount).toBe(0);
  });

  it('an outer signal stops the iteration with AbortError', async () => {
    const { client, log } = setup();
    const ctrl = new AbortController();
    const s = client.stream('count', { n: 1000, every: 5 }, { signal: ctrl.signal });
    const got: number[] = [];
    const e = await rejection(
      (async () => {
        for await (const i of s.items) {
          got.push(i);
          if (i === 1) ctrl.abort();
        }
      })(),
    );
    expect(e).toBeInstanceOf(AbortError);
    expect(got.slice(0, 2)).toEqual([0, 1]);
    await sleep(30);
    expect(log.aborted).toHaveLength(1);
  });

  it('an error mid-stream surfaces after the items sent before it', async () => {
    const { client } = setup();
    const s = client.stream('count', { n: 10, every: 1, failAt: 3 });
    const got: number[] = [];
    const e = await rejection(
      (async () => {
        for await (const i of s.items) got.push(i);
      })(),
    );
    expect(got).toEqual([0, 1, 2]);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).detail).toEqual({ at: 3 });
  });
});

describe('RpcClient: crashes', () => {
  it('a crash rejects every pending call, bumps generation, notifies, and the next call gets a new worker', async () => {
    const { client, workers } = setup();
    const crashes: WorkerCrashedError[] = [];
    const off = client.onCrash((e) => crashes.push(e));
    const pending = [client.call('hang', {}), client.call('echo', { v: 'late', delay: 50 }), client.call('hang', {})];
    const s = client.stream('count', { n: 1000, every: 5 });
    await sleep(10);
    expect(client.pendingCount).toBe(4);
    expect(client.generation).toBe(0);

    const ev = workers[0].crash('out of memory');
    expect(ev.prevented).toBe(true);

    const errs = await Promise.all(pending.map(rejection));
    for (const e of errs) {
      expect(e).toBeInstanceOf(WorkerCrashedError);
      expect((e as AppError).code).toBe('worker-crashed');
      expect((e as AppError).detail).toEqual({ worker: 'test', reason: 'out of memory' });
    }
    const streamErr = await rejection(
      (async () => {
        for await (const _ of s.items) void _;
      })(),
    );
    expect(streamErr).toBeInstanceOf(WorkerCrashedError);
    expect(client.pendingCount).toBe(0);
    expect(client.generation).toBe(1);
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toBe(errs[0]);
    expect(workers[0].terminated).toBe(true);

    // Messages from the dead worker never resolve anything; the next call starts worker #2.
    expect(await client.call('echo', { v: 'fresh', delay: 0 })).toEqual({ v: 'fresh' });
    expect(workers).toHaveLength(2);
    expect(workers[1].terminated).toBe(false);

    off();
    workers[1].crash('');
    expect(crashes).toHaveLength(1); // unsubscribed
    expect(client.generation).toBe(2);
    expect(await client.call('echo', { v: 'third', delay: 0 })).toEqual({ v: 'third' });
    expect(workers).toHaveLength(3);
  });

  it('an undecodable message is treated as a crash', async () => {
    const { client, workers } = setup();
    const p = client.call('hang', {});
    await sleep(5);
    workers[0].messageError();
    const e = await rejection(p);
    expect(e).toBeInstanceOf(WorkerCrashedError);
    expect((e as AppError).detail.reason).toBe('a message could not be decoded');
    expect(client.generation).toBe(1);
    expect(await client.call('echo', { v: 'ok', delay: 0 })).toEqual({ v: 'ok' });
    expect(workers).toHaveLength(2);
  });

  it('terminate() rejects pending calls; with no worker it does nothing', async () => {
    const { client, workers } = setup();
    client.terminate();
    expect(client.generation).toBe(0);
    const p = client.call('hang', {});
    client.terminate('page closed');
    const e = await rejection(p);
    expect(e).toBeInstanceOf(WorkerCrashedError);
    expect((e as AppError).detail.reason).toBe('page closed');
    expect(client.generation).toBe(1);
    expect(workers[0].terminated).toBe(true);
  });
});
