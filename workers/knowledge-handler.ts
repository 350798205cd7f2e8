// The knowledge worker's logic: owns the embedder (and, with later work, the chunk index and
// search). Takes `post` as a parameter so Node tests drive it with plain objects.

import { AppError } from '../src/protocol/errors';
import type { Device, EmbedderInfo, Inbound, KnowledgeCalls, Post } from '../src/protocol/messages';
import * as transformers from '@huggingface/transformers';
import { applyHosts } from './tjs-env';
import { modelLoadError } from './model-errors';
import { tjsProgress } from './engines/progress';
import { workerHasWebGpu } from './engines/gpu';
import { CallRegistry, crashLater } from './handler-kit';

type Extractor = (texts: string[], opts: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[] }>;

interface Embedder {
  info: EmbedderInfo;
  run: Extractor;
  pooling: 'mean' | 'cls';
  normalize: boolean;
}

/** Texts per forward pass: big enough to amortize overhead, small enough to report progress. */
const BATCH = 16;

export function createKnowledgeHandler(post: Post) {
  const calls = new CallRegistry(post);
  let embedder: Embedder | null = null;

  const need = (): Embedder => {
    if (!embedder) throw new AppError('bad-request', 'No embedding model is loaded yet.');
    return embedder;
  };

  return function handle(msg: Inbound<KnowledgeCalls>): void {
    switch (msg.type) {
      case 'abort':
        calls.abort(msg.target);
        return;
      case 'loadEmbedder':
        void calls.run(msg.id, async (ctx) => {
          const { model, hosts, pooling, normalize } = msg.payload;
          const tjs = transformers;
          applyHosts(tjs.env as never, hosts);
          const started = performance.now();
          let device: Device = msg.payload.device;
          let fallbackReason: string | undefined;
          if (device === 'webgpu' && !hosts.localPath && !(await workerHasWebGpu())) {
            device = 'wasm';
            fallbackReason = 'No WebGPU adapter in this browser; using WASM.';
          }
          const load = async (d: Device) => {
            const dtype = model.dtype ?? (d === 'webgpu' ? 'fp32' : 'q8');
            const run = await tjs.pipeline('feature-extraction', model.id, {
              dtype: dtype as never,
              device: hosts.localPath ? undefined : d,
              progress_callback: tjsProgress(ctx.progress),
            });
            return { run: run as unknown as Extractor, dtype };
          };
          try {
            await tjs.AutoConfig.from_pretrained(model.id);
          } catch (e) {
            throw modelLoadError(e, model.id);
          }
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
          const probe = await loaded.run(['dimension probe'], { pooling, normalize });
          const info: EmbedderInfo = { model: model.id, device, dtype: loaded.dtype, dim: probe.dims.at(-1) ?? 0, loadMs: performance.now() - started, fallbackReason };
          embedder = { info, run: loaded.run, pooling, normalize };
          return { result: info };
        });
        return;
      case 'embed':
        void calls.run(msg.id, async (ctx) => {
          const e = need();
          const { texts } = msg.payload;
          const dim = e.info.dim;
          const out = new Float32Array(texts.length * dim);
          const started = performance.now();
          for (let i = 0; i < texts.length; i += BATCH) {
            if (ctx.signal.aborted) break;
            const batch = texts.slice(i, i + BATCH);
            const t = await e.run(batch, { pooling: e.pooling, normalize: e.normalize });
            out.set(t.data.subarray(0, batch.length * dim), i * dim);
            ctx.progress({ kind: 'items', stage: 'embed', done: Math.min(i + BATCH, texts.length), total: texts.length });
          }
          return { result: { vectors: out, dim, ms: performance.now() - started }, transfer: [out.buffer] };
        });
        return;
      case 'crash':
        crashLater();
        return;
      default: {
        const never: never = msg;
        post({ id: (never as { id: number }).id, type: 'error', error: new AppError('bad-request', 'Unknown request.').toWire() });
      }
    }
  };
}
