// The wllama generator: GGUF models (a file the user added, or one on the model host) through
// llama.cpp compiled to WebAssembly, multi-threaded when the page is cross-origin isolated. The chat
// template is the file's own (llama.cpp applies tokenizer.chat_template); text streams as llama.cpp
// releases it (whole UTF-8 characters, never half of 这); usage comes from llama.cpp's own counts.
// wllama is reached through `WllamaModule` so option mapping, streaming, usage, abort and errors can be
// tested in Node; the real module runs only in a browser (see the wllama bench page).

import { AbortError, AppError, ModelError, type ErrorCode } from '../../src/protocol/errors';
import type { ChatMessage, GenParams, GgufSource, LoadedModel, Progress } from '../../src/protocol/messages';
import { checkGgufModel, ggufDtype, readGgufHeader, type GgufSummary } from '../../src/models/gguf';
import { assertFits, estimateGgufMemory, wllamaMemoryBudget } from '../../src/models/gguf-memory';
import { LLAMA_FTYPE_NAMES } from '../../src/models/gguf-tables';
import { modelLoadError } from '../model-errors';
import { makeUsage, type Generated, type LlmEngine } from './llm-engine';

/** The slice of a streamed chat chunk we read (llama-server's OpenAI-compatible chunk). */
export interface WllamaChunk {
  choices: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  timings?: { cache_n: number; prompt_n: number; prompt_ms: number; predicted_n: number; predicted_ms: number; predicted_per_second: number };
}

export interface WllamaLoadParams {
  n_ctx: number;
  n_threads: number;
  n_gpu_layers: number;
  n_batch?: number;
  n_ubatch?: number;
}

/** The slice of @wllama/wllama's `Wllama` class we use (3.13.0). */
export interface WllamaLike {
  setCompat(compat: null): void;
  loadModel(blobs: Blob[], params: WllamaLoadParams): Promise<void>;
  loadModelFromUrl(url: string, params: WllamaLoadParams & { useCache?: boolean; signal?: AbortSignal; progressCallback?: (p: { loaded: number; total: number }) => void }): Promise<void>;
  createChatCompletion(options: Record<string, unknown> & { stream: true }): Promise<AsyncIterable<WllamaChunk>>;
  getNumThreads(): number;
  isMultithread(): boolean;
  getChatTemplate(): string | null;
  getLoadedContextInfo(): { n_ctx: number; has_chat?: boolean; metadata: Record<string, string> };
  exit(): Promise<void>;
}

export interface WllamaLogger {
  debug: (...a: unknown[]) => void;
  log: (...a: unknown[]) => void;
  warn: (...a: unknown[]) => void;
  error: (...a: unknown[]) => void;
}

export interface WllamaModule {
  Wllama: new (paths: { default: string }, config: { logger: WllamaLogger; allowOffline?: boolean }) => WllamaLike;
}

/** A model that is a GGUF: the user's file(s) (split parts in order), or a catalog file on the model host. */
export type WllamaSource = GgufSource;

export interface WllamaOptions {
  /** Absolute URL of wllama's esm/wasm/wllama.wasm as the app serves it (never a CDN). */
  wasmUrl: string;
  /** Context length, tokens (prompt + answer). */
  nCtx: number;
  /** Threads; default from the environment: see `defaultThreads`. */
  threads?: number;
  /**
   * Reuse the KV cache of the previous request's common prefix (llama-server's cache_prompt). Off by
   * default: its README warns that logits then differ between runs (prompt processing and token
   * generation batch differently), and an evaluation must give the same answer every time.
   */
  cachePrompt?: boolean;
  /** `navigator.deviceMemory` (GB) for the memory check of a user's file; null when unknown. */
  deviceMemoryGB?: number | null;
  /** Cancels a catalog download (wllama stops fetching; a user's file loads from disk and cannot be cancelled halfway). */
  signal?: AbortSignal;
  module?: () => Promise<WllamaModule>;
  /** The environment (tests pass their own). */
  env?: { crossOriginIsolated: boolean; hardwareConcurrency: number; jspi: boolean; memory64: boolean };
}

/** What the engine reports: LoadedModel with its threads, context and the file's GGUF facts. */
export type WllamaLoadedModel = LoadedModel & { engine: 'wllama'; threads: number; nCtx: number; gguf: Pick<GgufSummary, 'architecture' | 'name' | 'fileTypeName' | 'contextLength'> | null };
export type WllamaEngine = Omit<LlmEngine, 'info'> & {
  readonly info: WllamaLoadedModel;
  /** Prompt tokens of these messages through the file's chat template, counted by llama.cpp (costs a prefill). */
  countTokens(messages: ChatMessage[]): Promise<number>;
};

/**
 * Threads for llama.cpp: without cross-origin isolation there is no SharedArrayBuffer, so 1. With it,
 * every logical core up to 4 (wllama's own default, half of them, leaves a 2-core machine on one),
 * and half of larger counts (SMT siblings add little to matrix-vector work and the page needs a core).
 */
export function defaultThreads(env: { crossOriginIsolated: boolean; hardwareConcurrency: number }): number {
  if (!env.crossOriginIsolated) return 1;
  const n = Math.max(1, Math.floor(env.hardwareConcurrency || 1));
  return n <= 4 ? n : Math.max(4, Math.floor(n / 2));
}

function browserEnv() {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  let memory64 = false;
  try {
    new WebAssembly.Memory({ address: 'i64', initial: 1n } as unknown as WebAssembly.MemoryDescriptor);
    memory64 = true;
  } catch {
    memory64 = false;
  }
  return { crossOriginIsolated: g.crossOriginIsolated === true, hardwareConcurrency: g.navigator?.hardwareConcurrency ?? 1, jspi: 'Suspending' in WebAssembly, memory64 };
}

function engineError(code: Extract<ErrorCode, 'browser-unsupported' | 'prompt-too-long'>, message: string, detail: Record<string, string | number>): ModelError {
  return new ModelError(code, message, detail);
}

/** The last error lines llama.cpp logged: a failed load says why only there. */
class LogTail implements WllamaLogger {
  lines: string[] = [];
  debug = () => undefined;
  log = () => undefined;
  warn = (...a: unknown[]) => this.push(a);
  error = (...a: unknown[]) => this.push(a);
  private push(a: unknown[]) {
    this.lines.push(a.map(String).join(' '));
    if (this.lines.length > 20) this.lines.shift();
  }
  reason(): string {
    return this.lines.filter((l) => /error|fail|unknown|invalid|unsupported/iu.test(l)).slice(-3).join(' | ');
  }
}

/** Maps what wllama throws to an actionable error; `tail` holds llama.cpp's own words. */
export function mapWllamaError(e: unknown, model: string, tail: string): AppError {
  if (e instanceof AppError) return e;
  const name = e instanceof Error ? e.name : '';
  const type = typeof e === 'object' && e !== null && 'type' in e && typeof e.type === 'string' ? e.type : '';
  const msg = e instanceof Error ? e.message : String(e);
  if (name === 'AbortError') return new AbortError();
  if (/exceed[s]? the available context size|context (size|length) exceeded|kv_cache_full/iu.test(`${msg} ${type}`)) {
    return engineError('prompt-too-long', `The prompt and answer do not fit in the ${model} context. Use fewer or shorter passages, or load the model with a longer context.`, { model });
  }
  if (type === 'download_error') return modelLoadError(new Error(`Failed to fetch ${msg}`), model);
  if (type === 'version_mismatch') return new ModelError('model-load-failed', `The app's wllama files do not match each other (${msg}). Reload the page; if it persists, clear the site data.`, { model, reason: msg });
  const why = [msg, tail].filter(Boolean).join(' — ');
  return new ModelError('model-load-failed', `wllama could not ${type === 'inference_error' ? 'run' : 'load'} "${model}": ${why}`, { model, reason: why });
}

/** llama.cpp's name for general.file_type, from the metadata wllama returns after a load. */
function dtypeFromMeta(meta: Record<string, string>): string {
  const ft = Number(meta['general.file_type']);
  return Number.isInteger(ft) ? (LLAMA_FTYPE_NAMES[ft & ~1024] ?? `ftype ${ft}`) : 'unknown';
}

/**
 * Loads a GGUF into wllama. A user's files are checked first (header, split set, architecture, tensor
 * types, chat template, memory for `nCtx`), so a bad file fails with a specific error before anything
 * is read into memory.
 */
export async function loadWllama(source: WllamaSource, opts: WllamaOptions, onProgress: (p: Progress) => void): Promise<WllamaEngine> {
  const started = performance.now();
  const env = opts.env ?? browserEnv();
  if (!env.jspi || !env.memory64) {
    throw engineError('browser-unsupported', `This browser lacks ${!env.jspi ? 'WebAssembly JSPI' : 'WebAssembly memory64'}, which the GGUF engine needs. Use a current Chrome or Edge, or a transformers.js model.`, { model: source.name, missing: !env.jspi ? 'jspi' : 'memory64' });
  }
  let summary: GgufSummary | null = null;
  if (source.kind === 'files') {
    onProgress({ kind: 'load', message: `Checking ${source.name}` });
    const parts = [];
    for (const f of source.files) parts.push({ name: 'name' in f && typeof f.name === 'string' ? f.name : source.name, header: await readGgufHeader(f) });
    summary = checkGgufModel(parts);
    assertFits(source.name, estimateGgufMemory(summary, parts[0].header.dataOffset, { nCtx: opts.nCtx }), wllamaMemoryBudget(opts.deviceMemoryGB ?? null), opts.nCtx);
  }
  const mod = await (opts.module ?? (() => import('@wllama/wllama') as unknown as Promise<WllamaModule>))();
  const tail = new LogTail();
  const w = new mod.Wllama({ default: opts.wasmUrl }, { logger: tail, allowOffline: true });
  // wllama's default fetches a compat build from a CDN on browsers without JSPI/memory64; those were refused above.
  w.setCompat(null);
  const threads = opts.threads ?? defaultThreads(env);
  const params: WllamaLoadParams = { n_ctx: opts.nCtx, n_threads: threads, n_gpu_layers: 0 };
  try {
    if (source.kind === 'files') {
      onProgress({ kind: 'load', message: `Loading ${source.name}` });
      await w.loadModel(source.files, params);
    } else {
      await w.loadModelFromUrl(source.url, { ...params, signal: opts.signal, progressCallback: ({ loaded, total }) => onProgress({ kind: 'download', file: source.name, loaded, total }) });
    }
  } catch (e) {
    await w.exit().catch(() => undefined);
    throw mapWllamaError(e, source.name, tail.reason());
  }
  const ctx = w.getLoadedContextInfo();
  if (ctx.has_chat === false) {
    await w.exit();
    throw new ModelError('model-load-failed', `"${source.name}" loaded but cannot chat (a speech, embedding or decision model). Pick a chat model's GGUF.`, { model: source.name });
  }
  const actualThreads = w.isMultithread() ? w.getNumThreads() : 1;
  const info: WllamaLoadedModel = {
    model: source.name,
    engine: 'wllama',
    device: 'wasm',
    dtype: summary ? ggufDtype(summary) : dtypeFromMeta(ctx.metadata),
    loadMs: performance.now() - started,
    threads: actualThreads,
    nCtx: ctx.n_ctx,
    gguf: summary ? { architecture: summary.architecture, name: summary.name, fileTypeName: summary.fileTypeName, contextLength: summary.contextLength } : null,
    fallbackReason: actualThreads < threads ? `Running on ${actualThreads} thread(s), not ${threads}: the page is not cross-origin isolated.` : undefined,
  };
  const cachePrompt = opts.cachePrompt ?? false;

  async function complete(messages: ChatMessage[], p: GenParams, onToken: (t: string) => void, signal: AbortSignal, cache: boolean): Promise<Generated> {
    if (signal.aborted) throw new AbortError();
    const startAt = performance.now();
    let firstAt: number | null = null;
    let text = '';
    let finish: string | null = null;
    let last: WllamaChunk | null = null;
    let aborted = false;
    try {
      const stream = await w.createChatCompletion({
        messages,
        stream: true,
        max_tokens: p.maxNewTokens,
        temperature: p.temperature,
        top_p: p.topP,
        ...(p.seed !== undefined ? { seed: p.seed } : {}),
        cache_prompt: cache,
        abortSignal: signal,
      });
      for await (const chunk of stream) {
        const c = chunk.choices[0];
        const piece = c?.delta?.content ?? '';
        if (piece) {
          firstAt ??= performance.now();
          text += piece;
          onToken(piece);
        }
        if (c?.finish_reason) finish = c.finish_reason;
        if (chunk.timings || chunk.usage) last = chunk;
      }
    } catch (e) {
      if (!(signal.aborted && e instanceof Error && e.name === 'AbortError')) throw mapWllamaError(e, source.name, tail.reason());
      aborted = true;
    }
    const endAt = performance.now();
    const t = last?.timings;
    const promptTokens = last?.usage?.prompt_tokens ?? (t ? t.prompt_n + t.cache_n : 0);
    const outputTokens = last?.usage?.completion_tokens ?? t?.predicted_n ?? 0;
    const stopped = aborted || signal.aborted ? 'aborted' : finish === 'length' ? 'length' : 'eos';
    return { text, usage: makeUsage(promptTokens, outputTokens, startAt, firstAt, endAt), stopped };
  }

  return {
    info,
    generate: (messages, p, onToken, signal) => complete(messages, p, onToken, signal, cachePrompt),
    async countTokens(messages: ChatMessage[]) {
      // wllama 3.x has no tokenize call: a one-token completion reports llama.cpp's exact prompt count
      // (through the file's chat template). It costs a prefill; with cache_prompt the next generation
      // of the same messages reuses it when the engine was loaded with cachePrompt.
      const r = await complete(messages, { maxNewTokens: 1, temperature: 0, topP: 1 }, () => undefined, new AbortController().signal, true);
      return r.usage.promptTokens;
    },
    async dispose() {
      await w.exit();
    },
  };
}
