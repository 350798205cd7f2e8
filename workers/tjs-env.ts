// Points transformers.js at the configured model host. Shared by both workers and by Node tests;
// the browser-only parts (ORT wasm files from our own origin, the timeout fetch) are set by the
// worker entries through `installBrowserRuntime`.

import type { ResolvedHosts } from '../src/models/hosts';

type TjsEnv = {
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
  localModelPath: string;
  remoteHost: string;
  remotePathTemplate: string;
  fetch: typeof fetch;
  useBrowserCache: boolean;
  backends: { onnx: { wasm?: { wasmPaths?: unknown; numThreads?: number; proxy?: boolean } } };
};

export function applyHosts(env: TjsEnv, hosts: ResolvedHosts): void {
  if (hosts.localPath) {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = hosts.localPath;
    return;
  }
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = hosts.hfHost;
  env.remotePathTemplate = hosts.hfPathTemplate;
}

export interface BrowserRuntime {
  wasmUrl: string;
  mjsUrl: string;
  fetch: typeof fetch;
}

/** Serves ONNX Runtime from the app's own origin (never a CDN) and routes downloads through `fetch`. */
export function installBrowserRuntime(env: TjsEnv, rt: BrowserRuntime): void {
  const wasm = env.backends.onnx.wasm;
  if (wasm) {
    wasm.wasmPaths = { wasm: new URL(rt.wasmUrl, self.location.href).href, mjs: new URL(rt.mjsUrl, self.location.href).href };
    // Threads need cross-origin isolation; without it ORT must not try to spawn them. With it, ORT's
    // default (half the cores) leaves a 2-core machine on one thread: use the cores, up to 4
    // (measured 1.9x faster embeddings with 2 threads; see docs/BENCHMARKS.md).
    wasm.numThreads = globalThis.crossOriginIsolated ? Math.max(1, Math.min(4, self.navigator?.hardwareConcurrency ?? 1)) : 1;
  }
  env.fetch = rt.fetch;
}
