// Node-side calls that browser pages make through the bench server (POST /__bench/node/<name>, see
// bench-kit's nodeCall): generating the synthetic models, and the native baselines, i.e. the same
// models on onnxruntime-node through transformers.js (bench/lib/tjs-direct.mjs, the code the pages'
// direct baselines run too). A page alternates its browser runs with these calls, so drift on the
// shared machine hits both sides of a ratio. Models stay loaded between calls until release().
import { cpus, loadavg } from 'node:os';
import { MODELS_CACHE, ensureSynthModel } from './models.mjs';
import { embedTimed, generateTimed, loadExtractor, loadGenerator } from './tjs-direct.mjs';

let tjsModule;
async function tjs() {
  tjsModule ??= import('@huggingface/transformers').then((t) => {
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    t.env.localModelPath = `${MODELS_CACHE}/`;
    return t;
  });
  return tjsModule;
}

const loaded = new Map(); // `${kind}:${id}:${dtype}` → Promise of the loaded thing

function cached(key, load) {
  if (!loaded.has(key)) {
    const p = load();
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return loaded.get(key);
}

async function runtimeInfo() {
  const t = await tjs();
  const ortVersion = t.env.backends?.onnx?.versions?.node ?? t.env.backends?.onnx?.versions?.common ?? 'unknown';
  return `onnxruntime-node ${ortVersion} (CPU, its default threads; ${cpus().length} cores), transformers.js ${t.env.version}, Node ${process.versions.node}`;
}

export const calls = {
  /** The machine's 1-minute load average and core count, for notes (timings swing with load). */
  machine: () => ({ load1: loadavg()[0], cpus: cpus().length }),

  /** Settings a page reads from the orchestrator's environment: BENCH_LLM_MODEL picks the llm bench's model. */
  config: () => ({ llmModel: process.env.BENCH_LLM_MODEL || null }),

  /** { id } → { id, bytes, generatedMs } */
  ensureModel: ({ id }) => ensureSynthModel(id),

  /** { id, dtype, texts, prefix, pooling, normalize, batch } → { ms, dim, loadMs, runtime } */
  async embedNative({ id, dtype, texts, prefix, pooling, normalize, batch }) {
    const t = await tjs();
    const { extractor, loadMs } = await cached(`embed:${id}:${dtype}`, () => loadExtractor(t, id, dtype));
    const out = await embedTimed(extractor, texts, { prefix, pooling, normalize, batch });
    return { ...out, loadMs, runtime: await runtimeInfo() };
  },

  /** { id, dtype, messages, maxNewTokens } → generateTimed's record + { loadMs, runtime } */
  async llmNative({ id, dtype, messages, maxNewTokens }) {
    const t = await tjs();
    const gen = await cached(`llm:${id}:${dtype}`, () => loadGenerator(t, id, dtype));
    const out = await generateTimed(t, gen, messages, maxNewTokens);
    return { ...out, loadMs: gen.loadMs, runtime: await runtimeInfo() };
  },

  /** Frees the native models (a page calls it when done; the orchestrator also calls release()). */
  async release() {
    await release();
    return { released: true };
  },
};

/** Disposes every model loaded here, so the next benchmark has the memory. */
export async function release() {
  const all = [...loaded.values()];
  loaded.clear();
  for (const p of all) {
    try {
      const x = await p;
      await (x.model ?? x.extractor)?.dispose?.();
    } catch {
      // a failed load has nothing to free
    }
  }
}
