// The embedding model inside the knowledge worker: loading through the model host (WebGPU with a
// WASM fallback) and batched embedding with the model's query/passage prefixes. Texts are batched by
// length (longest first), so a batch is padded only to texts of about its own length; the vectors
// still come back in the caller's order. Forward passes on one model run one at a time, in the order
// asked, so a query waits for at most one pass of a background embedding run.

import * as transformers from '@huggingface/transformers';
import type { Device, EmbedderInfo, ModelSpec, Progress } from '../src/protocol/messages';
import { ModelError } from '../src/protocol/errors';
import type { ResolvedHosts } from '../src/models/hosts';
import { applyHosts } from './tjs-env';
import { modelLoadError } from './model-errors';
import { tjsProgress } from './engines/progress';
import { workerHasWebGpu } from './engines/gpu';
import { estimateTokens } from '../src/text/tokens';

/** One forward pass (or server request) over `texts`; `signal` cancels it where the backend can (a server request). */
export type Extractor = (texts: string[], opts: { pooling: 'mean' | 'cls'; normalize: boolean; signal?: AbortSignal }) => Promise<{ data: Float32Array; dims: number[] }>;

export interface Embedder {
  info: EmbedderInfo;
  run: Extractor;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  /** e5-style models need `query: ` / `passage: ` in front of the text. */
  queryPrefix: string;
  passagePrefix: string;
}

export interface EmbedderRequest {
  model: ModelSpec;
  hosts: ResolvedHosts;
  device: Device;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  queryPrefix: string;
  passagePrefix: string;
}

/** Texts per forward pass: big enough to amortize overhead, small enough to report progress. */
export const EMBED_BATCH = 16;

export async function loadEmbedder(req: EmbedderRequest, onProgress: (p: Progress) => void): Promise<Embedder> {
  const { model, hosts, pooling, normalize, queryPrefix, passagePrefix } = req;
  applyHosts(transformers.env as never, hosts);
  const started = performance.now();
  let device: Device = req.device;
  let fallbackReason: string | undefined;
  if (device === 'webgpu' && !hosts.localPath && !(await workerHasWebGpu())) {
    device = 'wasm';
    fallbackReason = 'No WebGPU adapter in this browser; using WASM.';
  }
  try {
    // config.json first: a missing model then fails with a clear "not found".
    await transformers.AutoConfig.from_pretrained(model.id);
  } catch (e) {
    throw modelLoadError(e, model.id);
  }
  const load = async (d: Device) => {
    const dtype = model.dtype && d === req.device ? model.dtype : d === 'webgpu' ? 'fp32' : 'q8';
    const run = await transformers.pipeline('feature-extraction', model.id, {
      dtype: dtype as never,
      device: hosts.localPath ? undefined : d,
      progress_callback: tjsProgress(onProgress),
    });
    // The pipeline gets only its own options (a signal cannot stop an ONNX pass; embedTexts checks it between batches).
    const extract = run as unknown as Extractor;
    return { run: ((texts, { pooling: p, normalize: n }) => extract(texts, { pooling: p, normalize: n })) satisfies Extractor, dtype };
  };
  let loaded;
  try {
    loaded = await load(device);
  } catch (e) {
    if (device !== 'webgpu') throw modelLoadError(e, model.id);
    fallbackReason = `WebGPU could not run this model (${e instanceof Error ? e.message : String(e)}); using WASM.`;
    device = 'wasm';
    try {
      loaded = await load(device);
    } catch (e2) {
      throw modelLoadError(e2, model.id);
    }
  }
  const run = oneAtATime(loaded.run);
  const probe = await run(['dimension probe'], { pooling, normalize });
  const info: EmbedderInfo = { model: model.id, device, dtype: loaded.dtype, dim: probe.dims.at(-1) ?? 0, loadMs: performance.now() - started, fallbackReason };
  return { info, run, pooling, normalize, queryPrefix, passagePrefix };
}

/**
 * Runs calls of `run` one after another in call order (a failed call does not stop the next): one
 * model session is never asked for two passes at once, and a short query queued behind a long
 * embedding run waits for one pass, not for the run.
 */
export function oneAtATime(run: Extractor): Extractor {
  let last: Promise<unknown> = Promise.resolve();
  return (texts, opts) => {
    const next = last.then(() => run(texts, opts));
    last = next.catch(() => undefined);
    return next;
  };
}

/**
 * Splits text indexes into batches of at most `size`, longest first (ties keep their order), so each
 * batch pads to texts of about its own length. `lengths` are token counts or any monotone estimate.
 */
export function lengthSortedBatches(lengths: readonly number[], size: number): number[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Batch size must be a positive integer, got ${size}`);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += size) batches.push(order.slice(i, i + size));
  return batches;
}

/**
 * Padding a batching adds: every batch is padded to its longest text, so it costs
 * Σ (batch size × longest) − Σ lengths tokens. Returns { padded, real } in the units of `lengths`.
 */
export function paddingOf(lengths: readonly number[], batches: readonly (readonly number[])[]): { padded: number; real: number } {
  let padded = 0;
  let real = 0;
  for (const b of batches) {
    let max = 0;
    for (const i of b) {
      max = Math.max(max, lengths[i]);
      real += lengths[i];
    }
    padded += max * b.length;
  }
  return { padded: padded - real, real };
}

/**
 * Embeds `texts` into one contiguous array of `texts.length × dim` floats, row i for texts[i]. The
 * model sees them in length-sorted batches of EMBED_BATCH (by the app's token estimate), longest
 * first; after each batch `onBatch` gets the texts done and, since early batches are the longest, the
 * estimated tokens done, which is what a time-left estimate should extrapolate from. `beforeBatch`,
 * awaited before each forward pass, lets a background caller give way to more urgent work.
 */
export async function embedTexts(
  e: Embedder,
  texts: readonly string[],
  kind: 'query' | 'passage' | 'raw',
  signal: AbortSignal,
  onBatch?: (done: number, total: number, tokens: { done: number; total: number }) => void,
  beforeBatch?: () => Promise<void>,
): Promise<Float32Array> {
  const prefix = kind === 'query' ? e.queryPrefix : kind === 'passage' ? e.passagePrefix : '';
  const dim = e.info.dim;
  const out = new Float32Array(texts.length * dim);
  const inputs = texts.map((t) => prefix + t);
  const lengths = inputs.map(estimateTokens);
  const tokens = { done: 0, total: lengths.reduce((a, b) => a + b, 0) };
  let done = 0;
  for (const batch of lengthSortedBatches(lengths, EMBED_BATCH)) {
    if (beforeBatch) await beforeBatch();
    if (signal.aborted) throw signal.reason;
    const t = await e.run(batch.map((i) => inputs[i]), { pooling: e.pooling, normalize: e.normalize, signal });
    const rows = t.data.subarray(0, batch.length * dim);
    const bad = rows.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      // A zero vector normalized gives NaN: usually a pooling setting that does not fit the model.
      throw new ModelError('model-load-failed', `The embedding model ${e.info.model} produced an invalid vector (not a number) for text ${batch[Math.floor(bad / dim)] + 1}. Its pooling setting (${e.pooling}) may not fit this model; choose another embedding model.`, { model: e.info.model, reason: `non-finite vector with ${e.pooling} pooling` });
    }
    batch.forEach((i, r) => out.set(rows.subarray(r * dim, (r + 1) * dim), i * dim));
    done += batch.length;
    for (const i of batch) tokens.done += lengths[i];
    onBatch?.(done, texts.length, { ...tokens });
  }
  return out;
}
