// Serves a worker's call map: one typed handler per call (its payload in, its result out), one
// AbortController per call, exactly one closing `done` or `error` per request, errors in wire form.
// Calls named `serial` run one after another in arrival order (generations sharing one model).

import { AbortError, AppError, toAppError } from '../src/protocol/errors';
import type { AbortMessage, Calls, Inbound, Post, Progress, RequestOf } from '../src/protocol/messages';

export interface CallContext<Item = never> {
  id: number;
  signal: AbortSignal;
  progress(p: Progress): void;
  item(item: Item, transfer?: Transferable[]): void;
  /** Buffers to move (not copy) to the page with the result. */
  transfer(...buffers: Transferable[]): void;
}

export type Handlers<C extends Calls> = {
  [K in keyof C & string]: (payload: C[K]['req'], ctx: CallContext<C[K]['item']>) => Promise<C[K]['res']>;
};

export interface ServeOptions<C extends Calls> {
  serial?: readonly (keyof C & string)[];
}

class CallRegistry<C extends Calls> {
  private live = new Map<number, AbortController>();
  /** Aborts that arrived before their call started (e.g. a generation still queued). */
  private early = new Set<number>();
  constructor(private readonly post: Post) {}

  abort(target: number): void {
    const ctrl = this.live.get(target);
    if (ctrl) return ctrl.abort(new AbortError());
    this.early.add(target);
    // Aborts of calls that already finished are never claimed; keep the set from growing without bound.
    if (this.early.size > 256) this.early.delete(this.early.values().next().value!);
  }

  /** Runs `fn` as call `id` and closes it with done/error; nothing more is posted after that. */
  async run<R, I>(id: number, fn: (ctx: CallContext<I>) => Promise<R>): Promise<void> {
    const ctrl = new AbortController();
    if (this.early.delete(id)) ctrl.abort(new AbortError());
    this.live.set(id, ctrl);
    let closed = false;
    let transfer: Transferable[] = [];
    const ctx: CallContext<I> = {
      id,
      signal: ctrl.signal,
      progress: (progress) => {
        if (!closed) this.post({ id, type: 'progress', progress });
      },
      item: (item, buffers) => {
        if (!closed) this.post({ id, type: 'item', item }, buffers);
      },
      transfer: (...buffers) => {
        transfer = buffers;
      },
    };
    try {
      if (ctrl.signal.aborted) throw new AbortError();
      const result = await fn(ctx);
      closed = true;
      if (ctrl.signal.aborted) this.post({ id, type: 'error', error: new AbortError().toWire() });
      else this.post({ id, type: 'done', result }, transfer);
    } catch (e) {
      closed = true;
      const err = ctrl.signal.aborted ? new AbortError() : toAppError(e);
      this.post({ id, type: 'error', error: err.toWire() });
    } finally {
      this.live.delete(id);
    }
  }
}

/** The worker's `onmessage` body for a call map. */
export function serve<C extends Calls>(post: Post, handlers: Handlers<C>, opts: ServeOptions<C> = {}): (msg: Inbound<C>) => void {
  const calls = new CallRegistry<C>(post);
  const serial = new Set<string>(opts.serial ?? []);
  let queue: Promise<unknown> = Promise.resolve();
  const isAbort = (msg: Inbound<C>): msg is AbortMessage => msg.type === 'abort' && 'target' in msg;
  return (msg) => {
    if (isAbort(msg)) return calls.abort(msg.target);
    return start(msg);
  };
  function start(msg: RequestOf<C>): void {
    const handler = Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : undefined;
    if (!handler) {
      post({ id: msg.id, type: 'error', error: new AppError('bad-request', `Unknown request "${String(msg.type)}".`).toWire() });
      return;
    }
    const job = () => calls.run(msg.id, (ctx) => handler(msg.payload, ctx));
    if (serial.has(msg.type)) queue = queue.then(job, job);
    else void job();
  }
}

/** Throws outside any promise chain, so the worker's global error handler fires as in a real crash. */
export function crashLater(): Promise<never> {
  setTimeout(() => {
    throw new Error('deliberate crash requested by the page');
  }, 0);
  return new Promise<never>(() => undefined);
}
