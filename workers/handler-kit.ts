// Shared plumbing for worker handlers: one AbortController per call, exactly one closing `done` or
// `error` per request, errors sent in their wire form.

import { AbortError, toAppError } from '../src/protocol/errors';
import type { Post, Progress } from '../src/protocol/messages';

export interface CallContext {
  id: number;
  signal: AbortSignal;
  progress(p: Progress): void;
  item(item: unknown, transfer?: Transferable[]): void;
}

export class CallRegistry {
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
  async run(id: number, fn: (ctx: CallContext) => Promise<{ result: unknown; transfer?: Transferable[] }>): Promise<void> {
    const ctrl = new AbortController();
    if (this.early.delete(id)) ctrl.abort(new AbortError());
    this.live.set(id, ctrl);
    let closed = false;
    const ctx: CallContext = {
      id,
      signal: ctrl.signal,
      progress: (progress) => {
        if (!closed) this.post({ id, type: 'progress', progress });
      },
      item: (item, transfer) => {
        if (!closed) this.post({ id, type: 'item', item }, transfer);
      },
    };
    try {
      if (ctrl.signal.aborted) throw new AbortError();
      const { result, transfer } = await fn(ctx);
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

/** Throws outside any promise chain, so the worker's global error handler fires as in a real crash. */
export function crashLater(): void {
  setTimeout(() => {
    throw new Error('deliberate crash requested by the page');
  }, 0);
}
