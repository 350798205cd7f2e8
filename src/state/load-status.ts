// The status of one model load as the UI shows it (phase, download progress, what loaded, the error),
// and the cached-promise rule every load follows: the same id loading or loaded reuses the promise,
// a failure or a cancel clears it so Retry really retries.

import { isAbort } from '../protocol/errors';
import type { Progress } from '../protocol/messages';

export type Phase = 'idle' | 'loading' | 'ready' | 'error';

export interface LoadStatus<Info> {
  phase: Phase;
  progress: Progress | null;
  info: Info | null;
  error: unknown;
  /** The id the status refers to. */
  model: string;
}

export const idleStatus = <T>(model = ''): LoadStatus<T> => ({ phase: 'idle', progress: null, info: null, error: null, model });

/** One model slot: `load(id, run)` starts (or reuses) a load and keeps `status` in step with it. */
export class LoadSlot<Info> {
  #promise: Promise<Info> | null = null;
  #ctrl: AbortController | null = null;

  constructor(
    private readonly get: () => LoadStatus<Info>,
    private readonly set: (s: LoadStatus<Info>) => void,
  ) {}

  load(id: string, run: (signal: AbortSignal, onProgress: (p: Progress) => void) => Promise<Info>): Promise<Info> {
    const cur = this.get();
    if (this.#promise && cur.model === id && cur.phase !== 'error') return this.#promise;
    this.#ctrl?.abort();
    const ctrl = (this.#ctrl = new AbortController());
    this.set({ ...idleStatus<Info>(id), phase: 'loading' });
    // The ctrl identifies this load: progress of a superseded load must not show on the new one.
    const p = run(ctrl.signal, (progress) => {
      if (this.#ctrl === ctrl) this.set({ ...this.get(), progress });
    });
    this.#promise = p;
    p.then(
      (info) => {
        if (this.#promise === p) this.set({ phase: 'ready', progress: null, info, error: null, model: id });
      },
      (error) => {
        if (this.#promise !== p) return;
        this.#promise = null;
        this.set({ ...idleStatus<Info>(id), phase: isAbort(error) ? 'idle' : 'error', error: isAbort(error) ? null : error });
      },
    );
    return p;
  }

  cancel(): void {
    this.#ctrl?.abort();
  }

  /** Forgets the load (the worker that held the model died). */
  reset(error: unknown): void {
    this.#promise = null;
    this.set({ ...idleStatus<Info>(this.get().model), phase: 'error', error });
  }
}
