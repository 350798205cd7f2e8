// Node-side calls that browser pages make through the bench server (POST /__bench/node/<name>, see
// bench-kit's nodeCall): generating the synthetic models, and the native baselines, i.e. the same
// models on onnxruntime-node through transformers.js (bench/lib/tjs-direct.mjs, the code the pages'
// direct baselines run too). A page alternates its browser runs with these calls, so drift on the
// shared machine hits both sides of a ratio. Models stay loaded between calls until release().
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './build.mjs';
import { MODELS_CACHE, SYNTH_MODELS, SYNTH_TOOL, ensureSynthModel } from './models.mjs';
import { embedTimed, generateTimed, loadExtractor, loadGenerator } from './tjs-direct.mjs';
import { llamaCalls, releaseNativeLlama } from './native-llama.mjs';

/** dtype → the weights file transformers.js loads for it (see ../shared/RECIPE.md). */
const DTYPE_FILE = { fp32: 'model.onnx', q8: 'model_quantized.onnx', q4: 'model_q4.onnx' };

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
  // The wllama page's native llama.cpp baseline (synthetic GGUFs, node-llama-cpp on the CPU).
  ...llamaCalls,
  /** The machine's 1-minute load average and core count, for notes (timings swing with load). */
  machine: () => ({ load1: loadavg()[0], cpus: cpus().length }),

  /**
   * CPU seconds (user + system) used so far by the browser this process launched: every process
   * descending from this one (Chromium and its renderers; this Node process itself excluded). Unlike
   * wall time it barely moves when other work shares the cores, so a page can compare two of its
   * own variants by it.
   */
  browserCpu: () => ({ seconds: descendantsCpu(process.pid) }),

  /**
   * Settings a page reads from the orchestrator's environment: BENCH_LLM_MODEL picks the llm bench's
   * model; BENCH_INGEST_PDF_ONLY=1 skips the ingest page's 200-page embedding run (minutes).
   */
  config: () => ({ llmModel: process.env.BENCH_LLM_MODEL || null, ingestPdfOnly: process.env.BENCH_INGEST_PDF_ONLY === '1' }),

  /** { id } → { id, bytes, generatedMs } */
  ensureModel: ({ id }) => ensureSynthModel(id),

  /**
   * { id, dtype } → { file, generatedMs }: adds another dtype's weights to a synthetic model's folder
   * (synth-model.mjs writes several dtypes side by side), e.g. fp32 next to the q8 e5-small.
   */
  async ensureDtype({ id, dtype }) {
    await ensureSynthModel(id);
    const spec = SYNTH_MODELS[id];
    const file = DTYPE_FILE[dtype];
    if (!spec || !file) throw new Error(`no ${dtype} variant for ${id}`);
    const dir = join(MODELS_CACHE, id);
    if (existsSync(join(dir, 'onnx', file))) return { file, generatedMs: 0 };
    const started = performance.now();
    const args = spec.args.map((a, i) => (spec.args[i - 1] === '--dtype' ? dtype : a));
    await promisify(execFile)(process.execPath, [SYNTH_TOOL, ...args, '--out', dir], { env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') }, maxBuffer: 1 << 24 });
    return { file, generatedMs: performance.now() - started };
  },

  /**
   * { id, dtype, texts, prefix, pooling, normalize, batch, threads?, sortByLength? } → { ms, dim, loadMs, runtime }.
   * `threads` sets ORT's intra-op threads (default: its own choice); each setting is its own session.
   */
  async embedNative({ id, dtype, texts, prefix, pooling, normalize, batch, threads, sortByLength }) {
    const t = await tjs();
    const sessionOptions = threads ? { intraOpNumThreads: threads } : undefined;
    const { extractor, loadMs } = await cached(`embed:${id}:${dtype}:${threads ?? 'default'}`, () => loadExtractor(t, id, dtype, undefined, sessionOptions));
    const out = await embedTimed(extractor, texts, { prefix, pooling, normalize, batch, sortByLength });
    return { ...out, loadMs, runtime: await runtimeInfo() };
  },

  /** { id, texts } → { tokens: number[] }: each text's token count with the model's tokenizer (special tokens included). */
  async tokenCounts({ id, texts }) {
    const t = await tjs();
    const { tokenizer } = await cached(`tokenizer:${id}`, async () => ({ tokenizer: await t.AutoTokenizer.from_pretrained(id) }));
    return { tokens: texts.map((x) => tokenizer.encode(x).length) };
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

/** CPU seconds of all processes below `root` in the process tree (Linux /proc; 0 elsewhere). */
function descendantsCpu(root) {
  if (!existsSync('/proc/self/stat')) return 0;
  const procs = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields after "pid (comm) "
      procs.push({ pid: Number(d), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended while we listed it
    }
  }
  const mine = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) grew = mine.add(p.pid).size > 0;
  }
  const hz = 100; // USER_HZ on Linux
  return procs.filter((p) => p.pid !== root && mine.has(p.pid)).reduce((sum, p) => sum + p.ticks / hz, 0);
}

/** Disposes every model loaded here, so the next benchmark has the memory. */
export async function release() {
  await releaseNativeLlama();
  const all = [...loaded.values()];
  loaded.clear();
  for (const p of all) {
    try {
      const x = await p;
      await (x.model ?? x.extractor)?.dispose?.(); // { tokenizer } has neither
    } catch {
      // a failed load has nothing to free
    }
  }
}
