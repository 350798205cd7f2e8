// The llm bench's "direct" baseline: transformers.js called directly (bench/lib/tjs-direct.mjs)
// inside a plain dedicated worker of the bench page, set up like the app's workers (ORT WASM from our
// own origin) but with none of the app's code around it (no RPC, no engine wrapper, no streaming to
// the page). The app generates in a worker too, so the ratio measures the app's code, not where the
// thread runs (Chromium schedules a page's main thread and its workers differently under load).
import * as tjs from '@huggingface/transformers';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import mjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { resolveHosts } from '../../../src/models/hosts';
import { applyHosts, installBrowserRuntime } from '../../../workers/tjs-env';
import { countPromptTokens, generateTimed, loadGenerator, type Generator, type Timed } from '../../lib/tjs-direct.mjs';

type ChatMessage = { role: string; content: string };
export type DirectToWorker = { type: 'load'; origin: string; model: string; dtype: string } | { type: 'count'; messages: ChatMessage[] } | { type: 'generate'; messages: ChatMessage[]; maxNewTokens: number } | { type: 'dispose' };
export type DirectFromWorker = { type: 'loaded'; loadMs: number; threads: number } | { type: 'counted'; tokens: number } | { type: 'generated'; timed: Timed } | { type: 'disposed' } | { type: 'error'; message: string };

let gen: Generator | null = null;
const post = (m: DirectFromWorker) => self.postMessage(m);

self.onmessage = async (e: MessageEvent<DirectToWorker>) => {
  try {
    const m = e.data;
    if (m.type === 'load') {
      const hosts = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, `${m.origin}/`);
      applyHosts(tjs.env as never, hosts);
      installBrowserRuntime(tjs.env as never, { wasmUrl, mjsUrl, fetch: fetch.bind(globalThis) });
      gen = await loadGenerator(tjs, m.model, m.dtype, 'wasm');
      post({ type: 'loaded', loadMs: gen.loadMs, threads: tjs.env.backends.onnx.wasm?.numThreads ?? 0 });
    } else if (m.type === 'count') {
      if (!gen) throw new Error('load first');
      post({ type: 'counted', tokens: countPromptTokens(gen, m.messages) });
    } else if (m.type === 'generate') {
      if (!gen) throw new Error('load first');
      post({ type: 'generated', timed: await generateTimed(tjs, gen, m.messages, m.maxNewTokens) });
    } else {
      await (gen?.model as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
      gen = null;
      post({ type: 'disposed' });
    }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
