// The parts of an OpenAI-compatible server that are not chat: normalising the base URL a user
// typed, listing `GET /models` (OpenAI, Ollama, vLLM, llama-server, LM Studio shapes) and
// `POST /embeddings` (served by Ollama, vLLM and Text Embeddings Inference) as Float32Array vectors.

import { badReplyProblem, hostOf, serverError, type ServerProblem } from './errors';
import { serverRequest, type HttpDeps, type RetryNotice, type RetryPolicy, type ServerTarget } from './http';

export type BaseUrlResult = { ok: true; baseUrl: string; notes: string[] } | { ok: false; problem: ServerProblem };

/**
 * Normalises what the user typed into the base URL every request is built on:
 * - no scheme → `http://` (servers on a LAN or this machine rarely have certificates);
 * - a pasted endpoint (`…/chat/completions`, `…/models`, `…/embeddings`) is cut back to its base;
 * - trailing slashes go;
 * - an empty path becomes `/v1`: Ollama, vLLM, llama-server, LM Studio, SGLang and TEI all serve the
 *   OpenAI API there (Ollama's root is its own, different API). Any other path (a proxy such as
 *   `https://gw.example/openai/v1`) is kept as typed.
 * Refused: other schemes, user:password in the URL (fetch forbids it), query strings and fragments.
 */
export function normaliseBaseUrl(input: string): BaseUrlResult {
  const typed = input.trim();
  const invalid = (why: string): BaseUrlResult => ({
    ok: false,
    problem: { code: 'server-url-invalid', message: `"${typed}" is not a usable server address: ${why}. Example: http://localhost:11434/v1`, detail: { url: typed, reason: why } },
  });
  if (!typed) return invalid('it is empty');
  const notes: string[] = [];
  let text = typed;
  if (!/^[a-z][a-z\d+.-]*:\/\//i.test(text)) {
    text = `http://${text}`;
    notes.push('added http://');
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return invalid('it is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return invalid(`${u.protocol} is not http or https`);
  if (u.username || u.password) return invalid('a user name or password in the address is not allowed; use the API key field');
  if (u.search || u.hash) return invalid('it has a query string or fragment');
  let path = u.pathname.replace(/\/+$/, '');
  const endpoint = /\/(chat\/completions|completions|models|embeddings)$/.exec(path);
  if (endpoint) {
    path = path.slice(0, endpoint.index);
    notes.push(`removed /${endpoint[1]}`);
  }
  if (path === '') {
    path = '/v1';
    notes.push('added /v1');
  }
  return { ok: true, baseUrl: `${u.origin}${path}`, notes };
}

export interface ServerModel {
  id: string;
  ownedBy?: string;
  /** Context window in tokens, where the server reports one. */
  contextLength?: number;
  /** Which field it came from: vLLM's serving limit `max_model_len`, or llama-server's `meta.n_ctx_train` (the training context, not the slot size). */
  contextSource?: 'max_model_len' | 'n_ctx_train' | 'context_length';
}

type Json = Record<string, unknown>;
const isRecord = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNumberArray = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v));
const positiveInt = (x: unknown): number | undefined => (typeof x === 'number' && Number.isInteger(x) && x > 0 ? x : undefined);

/**
 * Reads a `GET /models` reply: `{object: "list", data: [{id, owned_by, …}]}` with vLLM's
 * `max_model_len`, llama-server's `meta.n_ctx_train`, or a `context_length` some gateways add.
 * llama-server's router mode also sends `models: [...]`; `data` is read when present. Returns null
 * when the reply has no list of ids at all.
 */
export function parseModelList(reply: unknown): ServerModel[] | null {
  if (!isRecord(reply)) return null;
  const list = Array.isArray(reply.data) ? reply.data : Array.isArray(reply.models) ? reply.models : null;
  if (!list) return null;
  const out: ServerModel[] = [];
  const seen = new Set<string>();
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const id = typeof entry.id === 'string' ? entry.id : typeof entry.model === 'string' ? entry.model : typeof entry.name === 'string' ? entry.name : null;
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const m: ServerModel = { id };
    if (typeof entry.owned_by === 'string') m.ownedBy = entry.owned_by;
    const maxLen = positiveInt(entry.max_model_len);
    const ctxLen = positiveInt(entry.context_length);
    const trained = isRecord(entry.meta) ? positiveInt(entry.meta.n_ctx_train) : undefined;
    if (maxLen) {
      m.contextLength = maxLen;
      m.contextSource = 'max_model_len';
    } else if (ctxLen) {
      m.contextLength = ctxLen;
      m.contextSource = 'context_length';
    } else if (trained) {
      m.contextLength = trained;
      m.contextSource = 'n_ctx_train';
    }
    out.push(m);
  }
  return out;
}

/** Timeouts (ms) for the short calls; chat has its own. */
export const LIST_TIMEOUT_MS = 15_000;
export const EMBED_TIMEOUT_MS = 120_000;

export interface CallOptions {
  signal?: AbortSignal;
  retry?: RetryPolicy;
  onRetry?: (n: RetryNotice) => void;
}

async function readJson(res: Response, url: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw serverError(badReplyProblem(url, `not JSON: ${text.slice(0, 80)}`));
  }
}

/** `GET {baseUrl}/models`: the models the server offers. */
export async function listModels(target: ServerTarget, deps: HttpDeps, opts: CallOptions = {}): Promise<ServerModel[]> {
  const res = await serverRequest(target, '/models', { method: 'GET', timeoutMs: LIST_TIMEOUT_MS, ...opts }, deps);
  const url = `${target.baseUrl}/models`;
  const models = parseModelList(await readJson(res, url));
  if (!models) throw serverError(badReplyProblem(url, 'no "data" list of models'));
  return models;
}

/** The error for a model the server does not list, naming what it has. */
export function unknownModelProblem(target: ServerTarget, model: string, available: readonly ServerModel[]): ServerProblem {
  const host = hostOf(target.baseUrl);
  const names = available.map((m) => m.id);
  const shown = names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', ');
  return {
    code: 'server-model-unknown',
    message: names.length
      ? `The server at ${host} does not serve "${model}". It offers: ${shown}.`
      : `The server at ${host} does not serve "${model}"; it lists no models at all (is one loaded or pulled?).`,
    detail: { host, model, available: shown },
  };
}

/** Decodes OpenAI's base64 embedding: little-endian float32. */
export function decodeBase64Floats(b64: string): Float32Array | null {
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  if (bin.length % 4 !== 0) return null;
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Reads a `POST /embeddings` reply for `n` inputs: `data[i].embedding` as a float array or a base64
 * string, put back in input order by `data[i].index` (the spec does not promise the order).
 */
export function parseEmbeddings(reply: unknown, n: number): { vectors: Float32Array[]; promptTokens: number | null } | string {
  if (!isRecord(reply) || !Array.isArray(reply.data)) return 'no "data" list';
  if (reply.data.length !== n) return `${reply.data.length} embeddings for ${n} inputs`;
  const vectors: (Float32Array | undefined)[] = new Array(n);
  for (let pos = 0; pos < reply.data.length; pos++) {
    const item: unknown = reply.data[pos];
    if (!isRecord(item)) return `item ${pos} is not an object`;
    const index = item.index === undefined ? pos : item.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= n || vectors[index]) return `item ${pos} has a bad index`;
    const e = item.embedding;
    let v: Float32Array | null = null;
    if (typeof e === 'string') v = decodeBase64Floats(e);
    else if (isNumberArray(e)) v = Float32Array.from(e);
    if (!v || v.length === 0) return `item ${pos} has no numeric embedding`;
    vectors[index] = v;
  }
  const dense = vectors.filter((v): v is Float32Array => v !== undefined);
  if (dense.some((v) => v.length !== dense[0].length)) return 'embeddings of different lengths';
  const usage = isRecord(reply.usage) && typeof reply.usage.prompt_tokens === 'number' ? reply.usage.prompt_tokens : null;
  return { vectors: dense, promptTokens: usage };
}

export interface EmbedResult {
  vectors: Float32Array[];
  dim: number;
  /** Tokens the server counted, summed over batches; null when any batch gave no usage. */
  promptTokens: number | null;
}

/**
 * `POST {baseUrl}/embeddings` for `texts`, `batchSize` inputs per request (TEI refuses more than
 * 32 by default), sequentially. Vectors come back in input order.
 */
export async function embedTexts(
  target: ServerTarget & { model: string },
  texts: readonly string[],
  deps: HttpDeps,
  opts: CallOptions & { batchSize?: number; onBatch?: (done: number, total: number) => void } = {},
): Promise<EmbedResult> {
  const batchSize = opts.batchSize ?? 32;
  const url = `${target.baseUrl}/embeddings`;
  const vectors: Float32Array[] = [];
  let promptTokens: number | null = 0;
  for (let i = 0; i < texts.length; i += batchSize) {
    const input = texts.slice(i, i + batchSize);
    const res = await serverRequest(target, '/embeddings', { method: 'POST', body: { model: target.model, input, encoding_format: 'float' }, timeoutMs: EMBED_TIMEOUT_MS, model: target.model, ...opts }, deps);
    const parsed = parseEmbeddings(await readJson(res, url), input.length);
    if (typeof parsed === 'string') throw serverError(badReplyProblem(url, parsed));
    if (vectors.length > 0 && parsed.vectors[0].length !== vectors[0].length) throw serverError(badReplyProblem(url, 'embeddings of different lengths across batches'));
    vectors.push(...parsed.vectors);
    promptTokens = promptTokens === null || parsed.promptTokens === null ? null : promptTokens + parsed.promptTokens;
    opts.onBatch?.(vectors.length, texts.length);
  }
  return { vectors, dim: vectors[0]?.length ?? 0, promptTokens: texts.length ? promptTokens : null };
}
