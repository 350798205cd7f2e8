// A fetch that cannot hang forever: the host must answer (headers) within `connectMs`, and a body
// that receives no bytes for `stallMs` is cut. A whole-request timeout would kill large downloads
// on slow links, so the body timer restarts on every chunk.

import { ModelError } from '../protocol/errors';

export interface TimeoutOptions {
  connectMs: number;
  stallMs: number;
}

export function timeoutError(url: string, what: 'connect' | 'stall', ms: number): ModelError {
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  return new ModelError(
    'model-download-timeout',
    what === 'connect'
      ? `The model host ${host} did not answer within ${Math.round(ms / 1000)} s. Check your connection or the model host setting, then retry.`
      : `The download from ${host} stalled (no data for ${Math.round(ms / 1000)} s). Retry; files already downloaded are kept.`,
    { host, seconds: Math.round(ms / 1000), url },
  );
}

export function makeTimeoutFetch(base: typeof fetch, opts: TimeoutOptions): typeof fetch {
  return async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const ctrl = new AbortController();
    const outer = init.signal;
    if (outer) {
      if (outer.aborted) ctrl.abort(outer.reason);
      else outer.addEventListener('abort', () => ctrl.abort(outer.reason), { once: true });
    }
    let timedOut: ModelError | null = null;
    let timer = setTimeout(() => {
      timedOut = timeoutError(url, 'connect', opts.connectMs);
      ctrl.abort(timedOut);
    }, opts.connectMs);
    let res: Response;
    try {
      res = await base(input, { ...init, signal: ctrl.signal });
    } catch (e) {
      clearTimeout(timer);
      throw timedOut ?? e;
    }
    clearTimeout(timer);
    if (!res.body) return res;
    const reader = res.body.getReader();
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = timeoutError(url, 'stall', opts.stallMs);
        ctrl.abort(timedOut);
        reader.cancel(timedOut).catch(() => undefined);
      }, opts.stallMs);
    };
    const body = new ReadableStream<Uint8Array>({
      start: arm,
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            clearTimeout(timer);
            // A cancelled reader also reports done: after a stall that must be an error, not a short body.
            if (timedOut) controller.error(timedOut);
            else controller.close();
            return;
          }
          arm();
          controller.enqueue(value);
        } catch (e) {
          clearTimeout(timer);
          controller.error(timedOut ?? e);
        }
      },
      cancel(reason) {
        clearTimeout(timer);
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
