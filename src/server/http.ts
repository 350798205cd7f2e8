// One request to an OpenAI-compatible server: headers (the API key only when one is set), a
// deadline for the reply's headers, retries with exponential backoff on 429/503 (Retry-After
// honoured, each wait reported), and every failure turned into a specific ServerProblem.

import { AbortError } from '../protocol/errors';
import { diagnoseFetchFailure, hostOf, httpStatusProblem, mixedContentProblem, probeReachable, serverError, timeoutProblem } from './errors';
import type { ServerKind } from './server-kind';

export interface ServerTarget {
  /** Normalised base URL without a trailing slash, e.g. `http://localhost:11434/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` only when non-blank. */
  apiKey?: string;
  kind: ServerKind;
}

/** A wait before another attempt, for the UI to show ("server busy, retrying in 4 s, 2/5"). */
export interface RetryNotice {
  kind: 'retry';
  host: string;
  status: number;
  /** The attempt that failed, 1-based. */
  attempt: number;
  maxAttempts: number;
  /** How long we wait before the next attempt, ms. */
  waitMs: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff when the server gives no Retry-After, ms; doubles each attempt. */
  baseMs: number;
  /** Cap on the computed backoff, ms. */
  maxMs: number;
  /** A Retry-After longer than this (ms) is not waited for: we give up at once and say so. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 1000, maxMs: 16_000, maxRetryAfterMs: 60_000 };

export interface HttpDeps {
  fetch: typeof fetch;
  /** The page's or worker's origin; defaults to `globalThis.location.origin` (null in Node). */
  pageOrigin?: string | null;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** 0..1, for backoff jitter; replaceable for deterministic tests. */
  random?: () => number;
}

export function defaultPageOrigin(): string | null {
  const loc: unknown = Reflect.get(globalThis, 'location');
  if (typeof loc === 'object' && loc !== null && 'origin' in loc && typeof loc.origin === 'string' && loc.origin !== 'null') return loc.origin;
  return null;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After as ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Backoff before attempt `attempt + 1` without Retry-After: base·2^(attempt−1), capped, with equal jitter. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + (full / 2) * random());
}

export function authHeaders(apiKey: string | undefined): Record<string, string> {
  const key = apiKey?.trim();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
  /** Deadline for the reply's headers, ms. */
  timeoutMs: number;
  /** The model the request names (for a model-specific 404 message). */
  model?: string;
  retry?: RetryPolicy;
  onRetry?: (n: RetryNotice) => void;
}

function isAbortLike(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === 'AbortError';
}

/**
 * Sends `method path` to the server and resolves with a 2xx Response (body unread). Throws a
 * ModelError with a server-* code for everything else, or AbortError when `signal` aborts.
 */
export async function serverRequest(target: ServerTarget, path: string, opts: RequestOptions, deps: HttpDeps): Promise<Response> {
  const url = `${target.baseUrl}${path}`;
  const pageOrigin = deps.pageOrigin === undefined ? defaultPageOrigin() : deps.pageOrigin;
  const mixed = mixedContentProblem(url, pageOrigin);
  if (mixed) throw serverError(mixed);
  const policy = opts.retry ?? DEFAULT_RETRY;
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  const headers: Record<string, string> = { Accept: opts.body === undefined ? 'application/json' : 'text/event-stream, application/json', ...authHeaders(target.apiKey) };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);

  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw new AbortError();
    // One controller per attempt: the caller's abort and the header deadline both end it.
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, opts.timeoutMs);
    let res: Response;
    try {
      res = await deps.fetch(url, { method: opts.method, headers, body, signal: ctrl.signal, cache: 'no-store', credentials: 'omit' });
    } catch (e) {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) throw new AbortError();
      if (timedOut) throw serverError(timeoutProblem(url, Math.round(opts.timeoutMs / 1000), 'connect'));
      if (isAbortLike(e)) throw new AbortError();
      const probe = pageOrigin ? await probeReachable(url, deps.fetch) : 'not-run';
      const cause = e instanceof Error ? [e.message, e.cause instanceof Error ? e.cause.message : ''].filter(Boolean).join(': ') : String(e);
      throw serverError(diagnoseFetchFailure({ url, pageOrigin, kind: target.kind, probe, cause }));
    } finally {
      clearTimeout(timer);
    }
    // The deadline covered the headers only; the caller's signal stays linked and cuts the body.
    if (res.ok) return res;
    opts.signal?.removeEventListener('abort', onAbort);
    const text = await res.text().catch(() => '');
    const retryable = res.status === 429 || res.status === 503;
    const retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
    if (retryable && attempt < policy.maxAttempts && (retryAfter === null || retryAfter <= policy.maxRetryAfterMs)) {
      const waitMs = retryAfter ?? backoffMs(attempt, policy, random);
      opts.onRetry?.({ kind: 'retry', host: hostOf(url), status: res.status, attempt, maxAttempts: policy.maxAttempts, waitMs });
      await sleep(waitMs, opts.signal);
      continue;
    }
    throw serverError(
      httpStatusProblem(res.status, text, {
        url,
        model: opts.model,
        keySent: Object.keys(authHeaders(target.apiKey)).length > 0,
        attempts: attempt,
        retryAfterS: retryAfter === null ? null : Math.round(retryAfter / 1000),
      }),
    );
  }
}

