// Turns what goes wrong between the page and an OpenAI-compatible server into specific problems a
// user can act on: a stable code, the values the message needs (for every UI language) and the
// English wording. In a browser a CORS refusal and a server that is down both reject with the same
// `TypeError: Failed to fetch`; `probeReachable` tells them apart with an opaque `no-cors` request.

import { ModelError, type ErrorCode } from '../protocol/errors';
import { corsFix, SERVER_KIND_NAMES, type ServerKind } from './server-kind';

/** The server problems among the app's error codes (listed once, in src/protocol/errors.ts). */
export type ServerErrorCode = Extract<ErrorCode, `server-${string}`>;

export interface ServerProblem {
  code: ServerErrorCode;
  /** English text with the specific advice; other languages render from `code` and `detail`. */
  message: string;
  detail: Record<string, string | number>;
}

/** The problem as the error the worker protocol carries (code, message, detail cross intact). */
export function serverError(p: ServerProblem): ModelError {
  return new ModelError(p.code, p.message, p.detail);
}

/** `host[:port]` of a URL, or the input when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Hosts a browser treats as potentially trustworthy over plain http (and that are on this machine). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * An https page may not fetch plain http from another machine (mixed content); browsers block it
 * before any request leaves. `http://localhost` and 127.0.0.1 are exempt.
 */
export function mixedContentProblem(url: string, pageOrigin: string | null): ServerProblem | null {
  if (!pageOrigin?.startsWith('https:')) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' || isLoopbackHost(u.hostname)) return null;
  return {
    code: 'server-mixed-content',
    message: `This page is served over https, so the browser will not send requests to the plain-http server ${u.host}. Serve the model server over https (for example behind a reverse proxy with a certificate), reach it through http://localhost (for example an SSH tunnel: ssh -L ${u.port || '80'}:localhost:${u.port || '80'} <server>), or open Method Lab over http on this machine.`,
    detail: { host: u.host, url, pageOrigin },
  };
}

export type ProbeResult = 'reachable' | 'unreachable' | 'not-run';

/**
 * Asks whether anything answers at `url` without needing CORS: a `no-cors` GET resolves with an
 * opaque response when a server answered at all (even with 401 or no CORS headers), and rejects
 * when nothing listens, DNS fails or the network is down. `timeoutMs` bounds a silent host.
 */
export async function probeReachable(url: string, fetchFn: typeof fetch, timeoutMs = 5000): Promise<ProbeResult> {
  try {
    await fetchFn(url, { method: 'GET', mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(timeoutMs) });
    return 'reachable';
  } catch {
    return 'unreachable';
  }
}

export interface FailureContext {
  /** The URL that failed. */
  url: string;
  /** The page's (or worker's) origin; null outside a browser, where CORS does not exist. */
  pageOrigin: string | null;
  kind: ServerKind;
  probe: ProbeResult;
  /** The thrown error's own text, kept for the detail (e.g. Node's `ECONNREFUSED`). */
  cause?: string;
}

/** Explains a fetch that rejected before any HTTP status arrived (not an abort, not a timeout). */
export function diagnoseFetchFailure(ctx: FailureContext): ServerProblem {
  const mixed = mixedContentProblem(ctx.url, ctx.pageOrigin);
  if (mixed) return mixed;
  const host = hostOf(ctx.url);
  if (ctx.pageOrigin && ctx.probe === 'reachable') {
    const fix = corsFix(ctx.kind, ctx.pageOrigin);
    return {
      code: 'server-cors-blocked',
      message: `The server at ${host} answered, but the browser blocked the reply because the server does not allow requests from this page (${ctx.pageOrigin}) — CORS. Allow this origin on the server and restart it: ${fix}. (A server or proxy that answers an error without CORS headers looks the same.)`,
      detail: { host, origin: ctx.pageOrigin, server: SERVER_KIND_NAMES[ctx.kind], fix },
    };
  }
  return {
    code: 'server-unreachable',
    message: `Nothing answered at ${host}. Check that the server is running and listening on that address and port (a server bound to 127.0.0.1 is not reachable from other machines), and that the base URL is right.`,
    detail: { host, url: ctx.url, cause: ctx.cause ?? '' },
  };
}

/** No answer (headers) within the limit, or a stream that went silent. */
export function timeoutProblem(url: string, seconds: number, during: 'connect' | 'stream'): ServerProblem {
  const host = hostOf(url);
  return {
    code: 'server-timeout',
    message:
      during === 'connect'
        ? `The server at ${host} did not answer within ${seconds} s. It may be overloaded or still loading the model; try again, or check the server's log.`
        : `The server at ${host} stopped sending for ${seconds} s in the middle of an answer.`,
    detail: { host, seconds, during },
  };
}

/**
 * The message inside an error reply, in the shapes servers use: `{error: {message}}` (OpenAI, vLLM,
 * llama-server), `{error: "…"}` (Ollama), `{message}` (older vLLM), `{detail}` (FastAPI-based
 * servers), or plain text. Cut to 300 characters.
 */
export function serverMessage(body: string): string {
  let text = body.trim();
  try {
    const j: unknown = JSON.parse(text);
    if (typeof j === 'object' && j !== null && !Array.isArray(j)) {
      const e: unknown = 'error' in j ? j.error : undefined;
      if (typeof e === 'string') text = e;
      else if (typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string') text = e.message;
      else if ('message' in j && typeof j.message === 'string') text = j.message;
      else if ('detail' in j && typeof j.detail === 'string') text = j.detail;
    }
  } catch {
    // not JSON: keep the text
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export interface StatusContext {
  url: string;
  /** The model asked for, if the request named one. */
  model?: string;
  /** Whether an API key was sent. */
  keySent: boolean;
  /** For 429/503 after retrying: how many attempts were made, and the last Retry-After in seconds. */
  attempts?: number;
  retryAfterS?: number | null;
}

/** Explains an HTTP error status; `body` is the reply's text (may be empty). */
export function httpStatusProblem(status: number, body: string, ctx: StatusContext): ServerProblem {
  const host = hostOf(ctx.url);
  const said = serverMessage(body);
  const base = { host, status, serverMessage: said };
  if (status === 401 || status === 403) {
    return {
      code: 'server-auth-failed',
      message: ctx.keySent
        ? `The server at ${host} rejected the API key (HTTP ${status}). Check the key in Settings → Server models.`
        : `The server at ${host} needs an API key (HTTP ${status}). Enter it in Settings → Server models.`,
      detail: { ...base, keySent: ctx.keySent ? 1 : 0 },
    };
  }
  if (status === 404 && ctx.model !== undefined && /model|not found|does not exist/i.test(said)) {
    return {
      code: 'server-model-unknown',
      message: `The server at ${host} does not serve the model "${ctx.model}" (${said}). Connect again to refresh the list of its models.`,
      detail: { ...base, model: ctx.model, available: '' },
    };
  }
  if (status === 404 || status === 405) {
    return {
      code: 'server-endpoint-missing',
      message: `${ctx.url} does not exist on the server (HTTP ${status}). Check the base URL: OpenAI-compatible servers serve it under /v1 (for example http://localhost:11434/v1 for Ollama).`,
      detail: { ...base, url: ctx.url },
    };
  }
  if (status === 429 || status === 503) {
    const attempts = ctx.attempts ?? 1;
    const wait = ctx.retryAfterS ?? null;
    return {
      code: 'server-busy',
      message: `The server at ${host} is busy (HTTP ${status}${said ? `: ${said}` : ''}) and still refused after ${attempts} attempt${attempts === 1 ? '' : 's'}.${wait !== null ? ` It asked to wait ${wait} s.` : ''} Try again later, or lower Parallel requests.`,
      detail: { ...base, attempts, retryAfter: wait ?? '' },
    };
  }
  return {
    code: 'server-error',
    message: `The server at ${host} answered HTTP ${status}${said ? `: ${said}` : ''}.`,
    detail: base,
  };
}

/** An error object the server sent inside a stream (e.g. the prompt exceeded its context). */
export function streamErrorProblem(url: string, message: string, status: number | null): ServerProblem {
  const host = hostOf(url);
  return {
    code: 'server-error',
    message: `The server at ${host} reported an error${status !== null ? ` (${status})` : ''}: ${message}`,
    detail: { host, status: status ?? '', serverMessage: message },
  };
}

/** A reply that is not what the OpenAI API specifies (not JSON, missing fields). */
export function badReplyProblem(url: string, what: string): ServerProblem {
  const host = hostOf(url);
  return {
    code: 'server-bad-reply',
    message: `The server at ${host} sent a reply Method Lab cannot read (${what}). Is ${url} an OpenAI-compatible API?`,
    detail: { host, url, reason: what },
  };
}

export type CutReason = 'connection-lost' | 'ended-early' | 'stalled' | 'server-error';

/** The stream ended before the server said the answer was complete; `chars` were kept. */
export function streamCutProblem(url: string, reason: CutReason, chars: number, said = ''): ServerProblem {
  const host = hostOf(url);
  const why: Record<CutReason, string> = {
    'connection-lost': 'the connection was lost',
    'ended-early': 'the server closed the stream before finishing',
    stalled: 'the server stopped sending',
    'server-error': `the server reported an error: ${said}`,
  };
  return {
    code: 'server-stream-cut',
    message: `The answer from ${host} is incomplete: ${why[reason]} after ${chars} characters. The partial answer is kept and marked incomplete.`,
    detail: { host, reason, chars, serverMessage: said },
  };
}
