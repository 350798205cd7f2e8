// Page side of a worker: request ids, the pending map, streams as async iterators, abort by id,
// and crash handling — `onerror`/`onmessageerror` reject every pending call, and the next call
// starts a fresh worker.

import { AbortError, AppError, fromWire, WorkerCrashedError } from '../protocol/errors';
import type { Calls, Inbound, Outbound, Progress } from '../protocol/messages';

export interface CallOptions<Item> {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onItem?: (item: Item) => void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: AppError) => void;
  onProgress?: (p: Progress) => void;
  onItem?: (item: unknown) => void;
  cleanup: () => void;
}

export type WorkerFactory = () => Worker;

export class RpcClient<C extends Calls> {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** Incremented every time a worker dies; lets callers know cached state in the worker is gone. */
  generation = 0;
  private listeners = new Set<(e: WorkerCrashedError) => void>();

  constructor(
    readonly name: string,
    private readonly factory: WorkerFactory,
  ) {}

  /** Called with the error whenever the worker dies. */
  onCrash(fn: (e: WorkerCrashedError) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = this.factory();
    w.onmessage = (e: MessageEvent<Outbound>) => this.receive(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.die(e.message || 'script error');
    };
    w.onmessageerror = () => this.die('a message could not be decoded');
    this.worker = w;
    return w;
  }

  private die(reason: string): void {
    const err = new WorkerCrashedError(this.name, reason);
    this.worker?.terminate();
    this.worker = null;
    this.generation++;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      p.cleanup();
      p.reject(err);
    }
    for (const fn of this.listeners) fn(err);
  }

  /** Stops the worker now; pending calls are rejected as crashed. */
  terminate(reason = 'terminated'): void {
    if (this.worker) this.die(reason);
  }

  private receive(msg: Outbound): void {
    const p = this.pending.get(msg.id);
    if (!p) return; // late events of an aborted call
    switch (msg.type) {
      case 'progress':
        p.onProgress?.(msg.progress);
        break;
      case 'item':
        p.onItem?.(msg.item);
        break;
      case 'done':
        this.pending.delete(msg.id);
        p.cleanup();
        p.resolve(msg.result);
        break;
      case 'error':
        this.pending.delete(msg.id);
        p.cleanup();
        p.reject(fromWire(msg.error));
        break;
      default: {
        const never: never = msg;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Sends one call and resolves with its single result. */
  call<K extends keyof C & string>(
    type: K,
    payload: C[K]['req'],
    opts: CallOptions<C[K]['item']> = {},
    transfer: Transferable[] = [],
  ): Promise<C[K]['res']> {
    if (opts.signal?.aborted) return Promise.reject(new AbortError());
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<C[K]['res']>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        worker.postMessage({ id: this.nextId++, type: 'abort', target: id } satisfies Inbound<C>);
        reject(new AbortError());
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: opts.onProgress,
        onItem: opts.onItem as ((item: unknown) => void) | undefined,
        cleanup: () => opts.signal?.removeEventListener('abort', onAbort),
      });
      const msg = { id, type, payload } as Inbound<C>;
      worker.postMessage(msg, transfer);
    });
  }

  /**
   * A streaming call as an async iterator of items; `result` settles with the closing value.
   * Breaking out of the loop aborts the call in the worker.
   */
  stream<K extends keyof C & string>(
    type: K,
    payload: C[K]['req'],
    opts: Omit<CallOptions<C[K]['item']>, 'onItem'> = {},
  ): { items: AsyncIterable<C[K]['item']>; result: Promise<C[K]['res']> } {
    const queue: C[K]['item'][] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    const ctrl = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, ctrl.signal]) : ctrl.signal;
    const result = this.call(type, payload, {
      signal,
      onProgress: opts.onProgress,
      onItem: (item) => {
        queue.push(item);
        wake?.();
      },
    });
    const settle = () => {
      finished = true;
      wake?.();
    };
    result.then(settle, settle);
    const items: AsyncIterable<C[K]['item']> = {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<C[K]['item']>> => {
          while (queue.length === 0 && !finished) {
            await new Promise<void>((r) => (wake = r));
            wake = null;
          }
          if (queue.length) return { value: queue.shift()!, done: false };
          await result; // surfaces the error, if any
          return { value: undefined, done: true };
        },
        return: async () => {
          if (!finished) ctrl.abort();
          return { value: undefined, done: true };
        },
      }),
    };
    return { items, result };
  }
}
