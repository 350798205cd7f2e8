// Realistic-size models for the speed benchmarks, made on demand with the shared generator
// (../shared/tools/synth-model.mjs: random weights, the exact architecture, tensor shapes and file
// sizes of the real models) into bench/.cache/models/ (git-ignored). Speed does not depend on the
// weight values; the output is gibberish, so never read quality into these models.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO } from './build.mjs';
import { CACHE_DIR } from './fixtures.mjs';

/** Served at /models/ ahead of MODELS_DIR: model ids below are relative to this folder. */
export const MODELS_CACHE = join(CACHE_DIR, 'models');
export const SYNTH_TOOL = resolve(REPO, process.env.SYNTH_MODEL_TOOL ?? '../shared/tools/synth-model.mjs');

/** id (a folder under MODELS_CACHE) → generator arguments and the weights file it writes. */
export const SYNTH_MODELS = {
  // multilingual-e5-small with its real vocabulary size, so the file is the real 118 MB (q8).
  'synth/e5-small': { args: ['--arch', 'bert', '--preset', 'e5-small', '--dtype', 'q8', '--vocab', '250037'], file: 'onnx/model_quantized.onnx' },
  // Qwen2.5-0.5B-Instruct, q8: the dtype the app picks on WASM (RECIPE: q4 is ~11× slower there).
  'synth/qwen2.5-0.5b': { args: ['--arch', 'qwen2', '--preset', 'qwen2.5-0.5b', '--dtype', 'q8'], file: 'onnx/model_quantized.onnx' },
  // The fallback when a machine cannot hold the 0.5B model twice in one browser.
  'synth/qwen2-tiny': { args: ['--arch', 'qwen2', '--preset', 'qwen2-tiny', '--dtype', 'q8'], file: 'onnx/model_quantized.onnx' },
};

const inflight = new Map();

/**
 * Makes sure model `id` exists under MODELS_CACHE (generating it the first time, a few seconds);
 * resolves to { id, bytes, generatedMs } (generatedMs is 0 when it was already there).
 */
export function ensureSynthModel(id) {
  const spec = SYNTH_MODELS[id];
  if (!spec) return Promise.reject(new Error(`unknown synthetic model ${id} (have: ${Object.keys(SYNTH_MODELS).join(', ')})`));
  const dir = join(MODELS_CACHE, id);
  const stamp = join(dir, '.bench-args.json');
  const wanted = JSON.stringify(spec.args);
  const weights = join(dir, spec.file);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(weights)) {
    return Promise.resolve({ id, bytes: statSync(weights).size, generatedMs: 0 });
  }
  if (!inflight.has(id)) {
    inflight.set(
      id,
      (async () => {
        if (!existsSync(SYNTH_TOOL)) throw new Error(`the model generator is missing: ${SYNTH_TOOL} (set SYNTH_MODEL_TOOL)`);
        const started = performance.now();
        const tmp = `${dir}.tmp`;
        rmSync(tmp, { recursive: true, force: true });
        mkdirSync(tmp, { recursive: true });
        process.stderr.write(`[bench] generating ${id} with synth-model.mjs ${spec.args.join(' ')}…\n`);
        await new Promise((ok, fail) => {
          // onnx-proto is one of the project's devDependencies: NODE_PATH lets the tool find it.
          const child = spawn(process.execPath, [SYNTH_TOOL, ...spec.args, '--out', tmp], {
            env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') },
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let errText = '';
          child.stderr.on('data', (d) => (errText += d));
          child.on('error', fail);
          child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`synth-model.mjs exited with ${code}: ${errText.slice(-2000)}`))));
        });
        writeFileSync(join(tmp, '.bench-args.json'), wanted);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(join(dir, '..'), { recursive: true });
        renameSync(tmp, dir);
        // Writeback of hundreds of MB halves the speed of whatever runs next (RECIPE): flush, then settle.
        execFileSync('sync');
        await new Promise((r) => setTimeout(r, 3000));
        const ms = performance.now() - started;
        const bytes = statSync(weights).size;
        process.stderr.write(`[bench] generated ${id} (${(bytes / 1e6).toFixed(0)} MB) in ${(ms / 1000).toFixed(1)} s\n`);
        return { id, bytes, generatedMs: ms };
      })().finally(() => inflight.delete(id)),
    );
  }
  return inflight.get(id);
}
