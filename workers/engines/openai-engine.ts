// The server generator: chat completions from an OpenAI-compatible server (Ollama, vLLM, llama.cpp's
// llama-server, LM Studio, SGLang) over fetch, streamed as server-sent events. Time to first token
// and decode speed are measured here, like the other engines; usage the server does not report is
// estimated and marked so; Stop closes the connection; a stream cut mid-answer keeps its text.

import { AbortError, AppError, isAbort } from '../../src/protocol/errors';
import type { ChatMessage, GenParams, GenUsage, LoadedModel } from '../../src/protocol/messages';
import { estimateTokens } from '../../src/strategies/tokens';
import { hostOf, serverError, streamCutProblem, streamErrorProblem, timeoutProblem, type CutReason } from '../../src/server/errors';
import { serverRequest, DEFAULT_RETRY, type HttpDeps, type RetryNotice, type RetryPolicy, type ServerTarget } from '../../src/server/http';
import { listModels, normaliseBaseUrl, unknownModelProblem } from '../../src/server/models';
import { guessKindFromModels, guessKindFromUrl, type ServerKind } from '../../src/server/server-kind';
import { ChatStreamParser, type ChatStreamItem } from '../../src/server/sse';
import { makeUsage, type Generated, type LlmEngine } from './llm-engine';

export interface OpenAiServerSpec {
  /** As typed by the user; normalised here (see normaliseBaseUrl). */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** The server software when the user said which; otherwise guessed from /models and the port. */
  serverKind?: ServerKind;
}

export interface OpenAiDeps extends HttpDeps {
  /** Where retry waits are reported when `generate` gets no callback of its own. */
  onNotice?: (n: RetryNotice) => void;
  retry?: RetryPolicy;
  /** Deadline for the reply's headers, ms (a big model may prefill a long prompt first). */
  connectMs?: number;
  /** An answer that receives no bytes for this long is cut and kept as incomplete, ms. */
  stallMs?: number;
  /** Clock for timings, ms; performance.now by default. */
  now?: () => number;
}

export const DEFAULT_CONNECT_MS = 300_000;
export const DEFAULT_STALL_MS = 120_000;

/** An LlmEngine whose `generate` also reports retry waits (429/503) through `onNotice`. */
export interface OpenAiEngine extends LlmEngine {
  generate(messages: ChatMessage[], params: GenParams, onToken: (text: string) => void, signal: AbortSignal, onNotice?: (n: RetryNotice) => void): Promise<Generated>;
}

/** The chat-completions request body; only `seed` is left out when unset (servers differ on null). */
export function chatRequestBody(model: string, messages: ChatMessage[], params: GenParams): Record<string, unknown> {
  return {
    model,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: params.maxNewTokens,
    temperature: params.temperature,
    top_p: params.topP,
    ...(params.seed !== undefined ? { seed: params.seed } : {}),
  };
}

/** Client-side counts with the project's estimator, for servers that report no usage. */
export function estimatedCounts(messages: ChatMessage[], text: string): { promptTokens: number; outputTokens: number } {
  return { promptTokens: messages.reduce((n, m) => n + estimateTokens(m.content), 0), outputTokens: estimateTokens(text) };
}

/**
 * Checks the server lists `spec.model` (`GET /models`), then returns the engine. Throws a ModelError
 * with a server-* code: a bad URL, the page not allowed by CORS, nothing listening, a wrong key, an
 * unknown model (naming the ones the server has).
 */
export async function loadOpenAiLlm(spec: OpenAiServerSpec, deps: OpenAiDeps): Promise<OpenAiEngine> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const norm = normaliseBaseUrl(spec.baseUrl);
  if (!norm.ok) throw serverError(norm.problem);
  const baseUrl = norm.baseUrl;
  const probeTarget: ServerTarget = { baseUrl, apiKey: spec.apiKey, kind: spec.serverKind ?? guessKindFromUrl(baseUrl) };
  const models = await listModels(probeTarget, deps, { retry: deps.retry, onRetry: deps.onNotice });
  const listed = models.find((m) => m.id === spec.model);
  if (!listed) throw serverError(unknownModelProblem(probeTarget, spec.model, models));
  const kind = spec.serverKind ?? guessKindFromModels(models) ?? probeTarget.kind;
  const target: ServerTarget = { ...probeTarget, kind };
  const info: LoadedModel = {
    model: spec.model,
    engine: 'openai-compatible',
    device: 'server',
    dtype: 'unknown',
    loadMs: now() - started,
    server: { baseUrl, host: hostOf(baseUrl), kind, ...(listed.contextLength ? { contextLength: listed.contextLength } : {}) },
  };
  const live = new Set<AbortController>();

  async function generate(messages: ChatMessage[], params: GenParams, onToken: (text: string) => void, signal: AbortSignal, onNotice?: (n: RetryNotice) => void): Promise<Generated> {
    const startAt = now();
    const url = `${baseUrl}/chat/completions`;
    // Our own controller, so dispose() and the stall timer can end it too; aborting it aborts the
    // fetch and its body, which closes the connection (the server sees the client go).
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort(new AbortError());
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    live.add(ctrl);
    const st: StreamState = { text: '', firstAt: null, finish: null, done: false, usage: null, cut: null, stalled: false };
    try {
      const res = await serverRequest(
        target,
        '/chat/completions',
        { method: 'POST', body: chatRequestBody(spec.model, messages, params), signal: ctrl.signal, timeoutMs: deps.connectMs ?? DEFAULT_CONNECT_MS, model: spec.model, retry: deps.retry ?? DEFAULT_RETRY, onRetry: onNotice ?? deps.onNotice },
        deps,
      );
      await readStream(res, st, { url, onToken, ctrl, stallMs: deps.stallMs ?? DEFAULT_STALL_MS, now });
      return result(st, messages, startAt, now(), signal, url);
    } catch (e) {
      // Stop (the caller's signal) ends with what arrived so far; other errors propagate.
      if (signal.aborted && isAbort(e)) return result(st, messages, startAt, now(), signal, url);
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
      live.delete(ctrl);
    }
  }

  return {
    info,
    generate,
    async dispose() {
      for (const c of live) c.abort(new AbortError());
      live.clear();
    },
  };
}

interface StreamState {
  text: string;
  firstAt: number | null;
  finish: string | null;
  /** `data: [DONE]` arrived. */
  done: boolean;
  usage: { promptTokens: number | null; completionTokens: number | null } | null;
  cut: { reason: CutReason; said: string } | null;
  stalled: boolean;
}

/**
 * Reads the event stream into `st` until [DONE], the end of the body, an in-stream error or a cut.
 * Throws (a server-* ModelError) only when no text arrived at all; with text, the text is kept and
 * `st.cut` says why it is incomplete.
 */
async function readStream(res: Response, st: StreamState, o: { url: string; onToken: (t: string) => void; ctrl: AbortController; stallMs: number; now: () => number }): Promise<void> {
  if (!res.body) throw serverError(streamErrorProblem(o.url, 'the reply has no body', res.status));
  const reader = res.body.getReader();
  const parser = new ChatStreamParser();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      st.stalled = true;
      o.ctrl.abort();
    }, o.stallMs);
  };
  /** Applies parsed items; false once the stream must stop being read. */
  const take = (items: ChatStreamItem[]): boolean => {
    for (const it of items) {
      switch (it.type) {
        case 'reasoning':
        case 'delta':
          st.firstAt ??= o.now();
          if (it.type === 'delta') {
            st.text += it.text;
            o.onToken(it.text);
          }
          break;
        case 'finish':
          st.finish = it.reason;
          break;
        case 'usage':
          st.usage = { promptTokens: it.promptTokens ?? st.usage?.promptTokens ?? null, completionTokens: it.completionTokens ?? st.usage?.completionTokens ?? null };
          break;
        case 'done':
          st.done = true;
          return false;
        case 'error':
          // An error before any text is the request's failure; after some text the text is kept.
          if (st.text === '') throw serverError(streamErrorProblem(o.url, it.message, it.status));
          st.cut = { reason: 'server-error', said: it.message };
          return false;
      }
    }
    return true;
  };
  try {
    arm();
    let reading = true;
    while (reading) {
      const { done: eof, value } = await reader.read();
      if (eof) {
        const tail = parser.end();
        reading = false;
        take(tail.items);
      } else {
        arm();
        reading = take(parser.push(value));
      }
    }
  } catch (e) {
    if (e instanceof AppError && e.code !== 'aborted') throw e;
    if (o.ctrl.signal.aborted && !st.stalled) throw new AbortError();
    // The body failed after a 200 (or went silent): the connection is gone mid-answer.
    if (st.text === '' && !st.finish) {
      if (st.stalled) throw serverError(timeoutProblem(o.url, Math.round(o.stallMs / 1000), 'stream'));
      throw serverError(streamErrorProblem(o.url, `the connection was lost before any text (${e instanceof Error ? e.message : String(e)})`, null));
    }
    if (!st.finish) st.cut = { reason: st.stalled ? 'stalled' : 'connection-lost', said: '' };
  } finally {
    clearTimeout(timer);
    // Stop reading early (after [DONE] or an error): release the connection rather than drain it.
    void reader.cancel().catch(() => undefined);
  }
  // A finish_reason is the server saying the answer is complete, even when [DONE] never came.
  if (!st.done && !st.finish && !st.cut) st.cut = { reason: 'ended-early', said: '' };
}

/** The Generated record: server usage when reported, else the estimate (marked), and how it stopped. */
function result(st: StreamState, messages: ChatMessage[], startAt: number, endAt: number, signal: AbortSignal, url: string): Generated {
  const est = estimatedCounts(messages, st.text);
  const promptTokens = st.usage?.promptTokens ?? est.promptTokens;
  const outputTokens = st.usage?.completionTokens ?? est.outputTokens;
  const estimated = st.usage?.promptTokens == null || st.usage.completionTokens == null;
  const usage: GenUsage = { ...makeUsage(promptTokens, outputTokens, startAt, st.firstAt, endAt), ...(estimated ? { estimated: true as const } : {}) };
  if (signal.aborted) return { text: st.text, usage, stopped: 'aborted' };
  if (st.cut) return { text: st.text, usage, stopped: 'incomplete', incomplete: serverError(streamCutProblem(url, st.cut.reason, st.text.length, st.cut.said)).toWire() };
  return { text: st.text, usage, stopped: st.finish === 'length' ? 'length' : 'eos' };
}
