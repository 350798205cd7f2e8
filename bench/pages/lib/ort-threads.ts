// How many ONNX Runtime WASM threads the app's workers run with: whatever workers/tjs-env.ts
// (installBrowserRuntime) sets, read by running it on a scratch env, else ORT's own default. Notes
// report it, because the speed of every WASM figure depends on it.
import { installBrowserRuntime } from '../../../workers/tjs-env';

export function appOrtThreads(): { threads: number; how: string } {
  const wasm: { numThreads?: number } = {};
  const scratch = { backends: { onnx: { wasm } } };
  installBrowserRuntime(scratch as never, { wasmUrl: '/x.wasm', mjsUrl: '/x.mjs', fetch: fetch.bind(globalThis) });
  if (typeof wasm.numThreads === 'number' && wasm.numThreads > 0) {
    return { threads: wasm.numThreads, how: `set by workers/tjs-env.ts for ${navigator.hardwareConcurrency} cores, cross-origin isolated: ${crossOriginIsolated}` };
  }
  const threads = crossOriginIsolated ? Math.min(4, Math.ceil((navigator.hardwareConcurrency || 1) / 2)) : 1;
  return { threads, how: "ORT's default, min(4, ceil(cores / 2))" };
}
