// An embedding model on an OpenAI-compatible server the user added, as the knowledge worker's
// `Embedder`: each batch is one `POST /embeddings` (cancelled by the caller's signal), every vector is
// scaled to unit length (the index takes cosine as a dot product), and the dimension is probed at load.

import type { EmbedderInfo, ServerEmbedderSpec } from '../src/protocol/messages';
import { badReplyProblem, hostOf, serverError } from '../src/server/errors';
import type { HttpDeps } from '../src/server/http';
import { embedTexts as embedOnServer } from '../src/server/models';
import { oneAtATime, type Embedder, type Extractor } from './embedder';

/** The text of the load-time request that finds the vector length (as the in-browser path's probe). */
export const DIMENSION_PROBE = 'dimension probe';

/**
 * Scales each `dim`-long row of `data` to unit L2 norm, in place. Returns the index of the first row
 * whose norm is zero or not finite (it cannot be normalised), or -1 when every row was.
 */
export function normalizeRows(data: Float32Array, dim: number): number {
  for (let r = 0; r * dim < data.length; r++) {
    const row = data.subarray(r * dim, (r + 1) * dim);
    let sq = 0;
    for (let i = 0; i < dim; i++) sq += row[i] * row[i];
    const norm = Math.sqrt(sq);
    if (!(norm > 0) || !Number.isFinite(norm)) return r;
    for (let i = 0; i < dim; i++) row[i] /= norm;
  }
  return -1;
}

/**
 * Connects to the server's embedding model: one short request finds its dimension, so a wrong address,
 * key or model name fails here with the server's own error (`server-model-unknown`, `server-auth-failed`…).
 * Requests run one at a time, so a query waits for at most one batch of a background run.
 */
export async function loadServerEmbedder(spec: ServerEmbedderSpec, deps: HttpDeps, signal?: AbortSignal, prefixes: { queryPrefix: string; passagePrefix: string } = { queryPrefix: '', passagePrefix: '' }): Promise<Embedder> {
  const started = performance.now();
  const target = { baseUrl: spec.baseUrl, kind: spec.kind, model: spec.model, ...(spec.apiKey ? { apiKey: spec.apiKey } : {}) };
  const url = `${spec.baseUrl}/embeddings`;
  let dim = 0;
  const request: Extractor = async (texts, opts) => {
    const reply = await embedOnServer(target, texts, deps, { signal: opts.signal });
    if (dim && reply.dim !== dim) throw serverError(badReplyProblem(url, `vectors of ${reply.dim} dimensions, but ${spec.model} gave ${dim} when it was loaded`));
    const data = new Float32Array(texts.length * reply.dim);
    reply.vectors.forEach((v, i) => data.set(v, i * reply.dim));
    const bad = normalizeRows(data, reply.dim);
    if (bad >= 0) throw serverError(badReplyProblem(url, `an embedding of length zero (or not a number) for text ${bad + 1} of the batch, which cannot be used for cosine similarity`));
    return { data, dims: [texts.length, reply.dim] };
  };
  const run = oneAtATime(request);
  const probe = await run([DIMENSION_PROBE], { pooling: 'mean', normalize: true, signal });
  dim = probe.dims[1];
  const host = hostOf(spec.baseUrl);
  const info: EmbedderInfo = { model: spec.key, device: 'server', dtype: 'server', dim, loadMs: performance.now() - started, server: { baseUrl: spec.baseUrl, host, model: spec.model } };
  // Pooling and normalisation are the server's; `normalize` stays true because every vector is scaled here.
  return { info, run, pooling: 'mean', normalize: true, queryPrefix: prefixes.queryPrefix, passagePrefix: prefixes.passagePrefix };
}
