// Worker for bench/pages/isolation.ts: the app's embedder (workers/embedder.ts, ORT WASM from our own
// origin via workers/runtime.ts) with ORT's thread count set before its first session, because the
// pool size is fixed from then on. One worker per thread count.
import { env } from '@huggingface/transformers';
import '../../../workers/runtime';
import { loadEmbedder, EMBED_BATCH, type Embedder } from '../../../workers/embedder';
import { findEmbedder } from '../../../src/models/catalog';
import { resolveHosts } from '../../../src/models/hosts';

const CATALOG_ID = 'Xenova/multilingual-e5-small'; // pooling and prefixes as the app would use them

export type ToWorker = { type: 'load'; threads: number; origin: string; model: string; dtype: string } | { type: 'embed'; texts: string[] };
export type FromWorker =
  | { type: 'loaded'; threads: number; isolated: boolean; loadMs: number; dim: number; batch: number; pthreads: number }
  | { type: 'embedded'; ms: number; floats: number }
  | { type: 'error'; message: string };

let embedder: Embedder | null = null;

/** Workers this worker started: ORT's pthreads (numThreads − 1), counted to prove the setting took. */
let spawned = 0;
const NativeWorker = self.Worker;
self.Worker = class extends NativeWorker {
  constructor(url: string | URL, opts?: WorkerOptions) {
    super(url, opts);
    spawned++;
  }
};
const post = (m: FromWorker) => self.postMessage(m);

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  try {
    const m = e.data;
    if (m.type === 'load') {
      const wasm = env.backends.onnx.wasm;
      if (!wasm) throw new Error('ONNX Runtime WASM backend missing');
      wasm.numThreads = m.threads;
      const entry = findEmbedder(CATALOG_ID);
      const hosts = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, `${m.origin}/`);
      embedder = await loadEmbedder(
        { model: { id: m.model, dtype: m.dtype }, hosts, device: 'wasm', pooling: entry.pooling, normalize: entry.normalize, queryPrefix: entry.queryPrefix, passagePrefix: entry.passagePrefix },
        () => undefined,
      );
      post({ type: 'loaded', threads: wasm.numThreads ?? 0, isolated: crossOriginIsolated, loadMs: embedder.info.loadMs, dim: embedder.info.dim, batch: EMBED_BATCH, pthreads: spawned });
      return;
    }
    if (!embedder) throw new Error('load first');
    const t0 = performance.now();
    let floats = 0;
    for (let i = 0; i < m.texts.length; i += EMBED_BATCH) {
      const batch = m.texts.slice(i, i + EMBED_BATCH).map((t) => embedder!.passagePrefix + t);
      floats += (await embedder.run(batch, { pooling: embedder.pooling, normalize: embedder.normalize })).data.length;
    }
    post({ type: 'embedded', ms: performance.now() - t0, floats });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
