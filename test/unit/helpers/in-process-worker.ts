// A worker handler run in the test's own thread, behind the Worker interface the RPC client uses:
// messages are structured-cloned both ways and delivered asynchronously, as between real threads,
// and a crash can be provoked. Lets page states run against the REAL handlers in Node.

import type { Outbound, Post } from '../../../src/protocol/messages';

export type Handler<M> = (msg: M) => void;

export class InProcessWorker<M> {
  onmessage: ((e: { data: Outbound }) => void) | null = null;
  onerror: ((e: { message: string; preventDefault(): void }) => void) | null = null;
  onmessageerror: ((e: unknown) => void) | null = null;
  /** Everything the page sent, as the worker received it. */
  readonly inbox: M[] = [];
  terminated = false;
  private readonly handle: Handler<M>;

  constructor(make: (post: Post) => Handler<M>) {
    const post: Post = (msg) => {
      const copy = structuredClone(msg);
      setTimeout(() => {
        if (!this.terminated) this.onmessage?.({ data: copy });
      }, 0);
    };
    this.handle = make(post);
  }

  postMessage(msg: M): void {
    if (this.terminated) return;
    const copy = structuredClone(msg);
    queueMicrotask(() => {
      if (this.terminated) return;
      this.inbox.push(copy);
      this.handle(copy);
    });
  }

  terminate(): void {
    this.terminated = true;
  }

  /** What a browser does when the worker throws outside any handler. */
  crash(message: string): { prevented: boolean } {
    const ev = { message, prevented: false, preventDefault() { ev.prevented = true; } };
    this.onerror?.(ev);
    return ev;
  }

  messageError(): void {
    this.onmessageerror?.({});
  }
}


/**
 * A Worker factory for an RPC client: each call starts a fresh in-process "worker" over `make`;
 * `workers` lists them, newest last (to provoke a crash, as a browser would report it).
 */
export function inProcess<M>(make: (post: Post) => Handler<M>): (() => Worker) & { workers: InProcessWorker<M>[] } {
  const workers: InProcessWorker<M>[] = [];
  return Object.assign(
    () => {
      const w = new InProcessWorker<M>(make);
      workers.push(w);
      return w as unknown as Worker;
    },
    { workers },
  );
}
