// The native llama.cpp baseline for GGUF benchmarks: the same .gguf file the wllama page decodes,
// run in the orchestrator's Node process through node-llama-cpp (its prebuilt CPU llama.cpp; nothing
// downloaded or built: `getLlama({ gpu: false, build: 'never' })`), greedy, timed like the app's
// engines (makeUsage: decode tok/s = tokens after the first ÷ time after the first). Also makes the
// random-weight GGUF models (../shared/tools/synth-gguf.mjs) into bench/.cache/models/gguf/.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO } from './build.mjs';
import { MODELS_CACHE } from './models.mjs';

export const SYNTH_GGUF_TOOL = resolve(REPO, process.env.SYNTH_GGUF_TOOL ?? '../shared/tools/synth-gguf.mjs');

/** id (a path under MODELS_CACHE, served at /models/<id>) → synth-gguf.mjs arguments. */
export const SYNTH_GGUFS = {
  // Qwen2.5-0.5B-Instruct's exact shapes, Q8_0 matrices, tied embeddings: 531,065,856 B.
  'gguf/qwen2.5-0.5b-q8_0.gguf': ['--mode', 'random', '--preset', 'qwen2.5-0.5b', '--dtype', 'q8_0', '--seed', '42'],
  'gguf/qwen2.5-0.5b-f16.gguf': ['--mode', 'random', '--preset', 'qwen2.5-0.5b', '--dtype', 'f16', '--seed', '42'],
  'gguf/qwen2-tiny-q8_0.gguf': ['--mode', 'random', '--preset', 'qwen2-tiny', '--dtype', 'q8_0', '--seed', '42'],
};

const inflight = new Map();

/** Makes GGUF `id` under MODELS_CACHE the first time (about 15–30 s for the 0.5B); resolves to { id, path, bytes, generatedMs }. */
export function ensureSynthGguf(id) {
  const args = SYNTH_GGUFS[id];
  if (!args) return Promise.reject(new Error(`unknown synthetic GGUF ${id} (have: ${Object.keys(SYNTH_GGUFS).join(', ')})`));
  const path = join(MODELS_CACHE, id);
  if (existsSync(path)) return Promise.resolve({ id, path, bytes: statSync(path).size, generatedMs: 0 });
  if (!inflight.has(id)) {
    inflight.set(
      id,
      (async () => {
        if (!existsSync(SYNTH_GGUF_TOOL)) throw new Error(`the GGUF generator is missing: ${SYNTH_GGUF_TOOL} (set SYNTH_GGUF_TOOL)`);
        const started = performance.now();
        mkdirSync(join(path, '..'), { recursive: true });
        const tmp = `${path}.tmp.gguf`;
        rmSync(tmp, { force: true });
        process.stderr.write(`[bench] generating ${id} with synth-gguf.mjs ${args.join(' ')}…\n`);
        await new Promise((ok, fail) => {
          const child = spawn(process.execPath, [SYNTH_GGUF_TOOL, ...args, '--out', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
          let errText = '';
          child.stderr.on('data', (d) => (errText += d));
          child.on('error', fail);
          child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`synth-gguf.mjs exited with ${code}: ${errText.slice(-2000)}`))));
        });
        renameSync(tmp, path);
        // Writeback of hundreds of MB halves the speed of whatever runs next: flush, then settle.
        execFileSync('sync');
        await new Promise((r) => setTimeout(r, 3000));
        return { id, path, bytes: statSync(path).size, generatedMs: performance.now() - started };
      })().finally(() => inflight.delete(id)),
    );
  }
  return inflight.get(id);
}

/**
 * Qwen2's ChatML as its chat template renders `messages` (with the template's default system
 * prompt when there is none), so native and wllama see the same prompt tokens; the page checks
 * the two prompt counts agree.
 */
export function chatMl(messages) {
  const all = messages[0]?.role === 'system' ? messages : [{ role: 'system', content: 'You are a helpful assistant.' }, ...messages];
  return `${all.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('')}<|im_start|>assistant\n`;
}

let llamaPromise;
const loaded = new Map(); // `${path}:${threads}:${nCtx}` → Promise<{ model, context, loadMs }>

async function llama() {
  llamaPromise ??= import('node-llama-cpp').then(({ getLlama }) => getLlama({ gpu: false, build: 'never', logLevel: 'error' }));
  return llamaPromise;
}

async function loadModel(path, threads, nCtx) {
  const key = `${path}:${threads}:${nCtx}`;
  if (!loaded.has(key)) {
    const p = (async () => {
      const started = performance.now();
      const l = await llama();
      const model = await l.loadModel({ modelPath: path, gpuLayers: 0 });
      const context = await model.createContext({ contextSize: nCtx, threads: { ideal: threads, min: threads }, sequences: 1 });
      return { model, context, loadMs: performance.now() - started };
    })();
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return loaded.get(key);
}

/**
 * Greedy decode of `maxNewTokens` after the ChatML prompt of `messages`, through `sequence.evaluate`
 * (no chat-session overhead); with `ignoreEos` (default, as the page's `ignore_eos`) an end-of-turn
 * token does not stop it, so random weights always give the full count. Resolves to { promptTokens, outputTokens, text,
 * ttftMs, decodeTps, totalMs, loadMs, runtime }.
 */
export async function generateNative({ path, messages, maxNewTokens, threads = 2, nCtx = 1024, ignoreEos = true }) {
  const { model, context, loadMs } = await loadModel(path, threads, nCtx);
  const sequence = context.getSequence();
  try {
    const startAt = performance.now();
    const prompt = model.tokenize(chatMl(messages), true);
    let firstAt = null;
    const out = [];
    for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
      if (firstAt === null) firstAt = performance.now();
      out.push(token);
      if (!ignoreEos && model.isEogToken(token)) break;
      if (out.length >= maxNewTokens) break;
    }
    const endAt = performance.now();
    const decodeMs = firstAt === null ? 0 : endAt - firstAt;
    return {
      promptTokens: prompt.length,
      outputTokens: out.length,
      text: model.detokenize(out),
      ttftMs: (firstAt ?? endAt) - startAt,
      totalMs: endAt - startAt,
      decodeTps: out.length > 1 && decodeMs > 0 ? ((out.length - 1) * 1000) / decodeMs : 0,
      loadMs,
      runtime: `node-llama-cpp ${await nodeLlamaVersion()} (prebuilt CPU llama.cpp, ${threads} thread(s) of ${cpus().length} cores, n_ctx ${nCtx}), Node ${process.versions.node}`,
    };
  } finally {
    sequence.dispose();
  }
}

let version;
async function nodeLlamaVersion() {
  if (!version) {
    const { readFile } = await import('node:fs/promises');
    version = JSON.parse(await readFile(join(REPO, 'node_modules/node-llama-cpp/package.json'), 'utf8')).version;
  }
  return version;
}

/** Frees every native model loaded here. */
export async function releaseNativeLlama() {
  const all = [...loaded.values()];
  loaded.clear();
  for (const p of all) {
    try {
      const x = await p;
      await x.context.dispose();
      await x.model.dispose();
    } catch {
      // a failed load has nothing to free
    }
  }
}

/**
 * The Node calls the wllama page makes (POST /__bench/node/<name>), to be spread into
 * bench/lib/native.mjs's `calls` so `npm run bench` serves them.
 */
export const llamaCalls = {
  /** { id } → { id, bytes, generatedMs } (the GGUF is then served at /models/<id>). */
  ensureGguf: async ({ id }) => {
    const { path: _path, ...rest } = await ensureSynthGguf(id);
    return rest;
  },
  /** { id, messages, maxNewTokens, threads, nCtx } → generateNative's record. */
  llamaNative: async ({ id, messages, maxNewTokens, threads, nCtx, ignoreEos }) => {
    const { path } = await ensureSynthGguf(id);
    return generateNative({ path, messages, maxNewTokens, threads, nCtx, ignoreEos });
  },
  llamaRelease: async () => {
    await releaseNativeLlama();
    return { released: true };
  },
  /** The 1-minute load average and the busiest processes' CPU share right now (`ps`), for notes. */
  busy: () => {
    let top = '';
    try {
      top = execFileSync('ps', ['-eo', 'pcpu,comm', '--sort=-pcpu', '--no-headers'], { encoding: 'utf8' }).split('\n').slice(0, 5).map((s) => s.trim()).filter(Boolean).join('; ');
    } catch {
      top = 'ps unavailable';
    }
    return { load1: loadavg()[0], cpus: cpus().length, top };
  },
};
