// The LLM worker's logic: owns the loaded models (by model key), serves load/generate/unload. Every
// result is stamped with the engine that produced it. Takes `post` as a parameter so Node tests drive it with
// plain objects.

import { AppError, AbortError, isAbort } from '../src/protocol/errors';
import type { LlmCalls, LoadPlan, LoadedModel, Post, Progress } from '../src/protocol/messages';
import type { ResolvedHosts } from '../src/models/hosts';
import { crashLater, serve } from './handler-kit';
import type { LlmEngine } from './engines/llm-engine';
import { loadTransformersLlm } from './engines/transformers-engine';
import { loadWebLlm, type WebLlmModule } from './engines/webllm-engine';
import { loadOpenAiLlm } from './engines/openai-engine';
import { loadWllama, type WllamaModule } from './engines/wllama-engine';
import { userFolderHosts, withUserFiles } from './engines/user-files';
import * as transformers from '@huggingface/transformers';

export interface LlmDeps {
  /** web-llm, imported lazily (6 MB) and replaceable at this boundary in tests. */
  webllm?: () => Promise<WebLlmModule>;
  fetch?: typeof fetch;
  /** null: no WebGPU adapter; otherwise whether it has shader-f16. */
  hasF16?: () => Promise<boolean | null>;
  /** Where the app serves wllama's wasm (the browser worker entry sets it; never a CDN). */
  wllamaWasmUrl?: string;
  /** wllama itself, imported lazily and replaceable at this boundary in tests. */
  wllama?: () => Promise<WllamaModule>;
}

async function adapterF16(): Promise<boolean | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ features: { has(f: string): boolean } } | null> } } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const a = await gpu.requestAdapter();
    return a ? a.features.has('shader-f16') : null;
  } catch {
    return null;
  }
}

/** Loads what the plan says; a web-llm failure falls over to the plan's transformers.js model. */
export async function loadPlan(plan: LoadPlan, hosts: ResolvedHosts, progress: (p: Progress) => void, deps: LlmDeps): Promise<LlmEngine> {
  if (plan.engine === 'transformers.js') {
    const files = plan.files;
    const e = files
      ? await withUserFiles(transformers.env, plan.model.id, files, () => loadTransformersLlm(plan.model, userFolderHosts(hosts), plan.device, progress))
      : await loadTransformersLlm(plan.model, hosts, plan.device, progress);
    if (plan.note && !e.info.fallbackReason) (e.info as LoadedModel).fallbackReason = plan.note;
    return e;
  }
  if (plan.engine === 'wllama') {
    if (!deps.wllamaWasmUrl) throw new AppError('bad-request', 'The GGUF engine is not available in this build.');
    const nav = globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined;
    return loadWllama(plan.source, { wasmUrl: deps.wllamaWasmUrl, nCtx: plan.nCtx, threads: plan.threads, deviceMemoryGB: nav?.deviceMemory ?? null, module: deps.wllama }, progress);
  }
  if (plan.engine === 'openai-compatible') {
    const { baseUrl, apiKey, kind } = plan.server;
    return loadOpenAiLlm({ baseUrl, apiKey, model: plan.model, serverKind: kind }, { fetch: deps.fetch ?? fetch.bind(globalThis), onNotice: progress });
  }
  try {
    return await loadWebLlm({ modelId: plan.modelId, lib: plan.lib, vramMB: plan.vramMB }, hosts, progress, {
      module: deps.webllm ?? (() => import('@mlc-ai/web-llm') as unknown as Promise<WebLlmModule>),
      fetch: deps.fetch ?? fetch.bind(globalThis),
      hasF16: deps.hasF16 ?? adapterF16,
    });
  } catch (e) {
    if (isAbort(e) || !plan.fallback) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    const fb = await loadTransformersLlm(plan.fallback.model, hosts, plan.fallback.device, progress);
    (fb.info as LoadedModel).fallbackReason = `${reason} Switched to the transformers.js engine.`;
    return fb;
  }
}

export function createLlmHandler(post: Post, deps: LlmDeps = {}) {
  /** Loaded models by key. */
  const engines = new Map<string, LlmEngine>();
  /** Counts load requests per key, so only the latest one may install its engine. */
  const loads = new Map<string, number>();
  // Models in this tab share its CPU or GPU: their generations run one after another. A server
  // model runs elsewhere, so its requests go out at once (parallel evaluation against a server).
  let localQueue: Promise<unknown> = Promise.resolve();

  const need = (key: string): LlmEngine => {
    const e = engines.get(key);
    if (!e) throw new AppError('bad-request', 'This model is not loaded. Load it on the Models & Storage screen, or run the lane again to load it.');
    return e;
  };

  return serve<LlmCalls>(post, {
    async load({ key, plan, hosts }, ctx) {
      const mine = (loads.get(key) ?? 0) + 1;
      loads.set(key, mine);
      const prev = engines.get(key);
      engines.delete(key);
      await prev?.dispose();
      // The runtimes cannot stop a download halfway; a load that was cancelled or overtaken by a
      // newer one is disposed when it finishes instead of becoming the engine.
      const loaded = await loadPlan(plan, hosts, ctx.progress, deps);
      if (ctx.signal.aborted || mine !== loads.get(key)) {
        await loaded.dispose();
        throw new AbortError();
      }
      engines.set(key, loaded);
      return { ...loaded.info, key };
    },
    async generate({ key, messages, params }, ctx) {
      const e = need(key);
      const run = async () => {
        if (ctx.signal.aborted) throw new AbortError();
        return e.generate(messages, params, (t) => ctx.item(t), ctx.signal, (n) => ctx.progress(n));
      };
      let out;
      if (e.info.device === 'server') out = await run();
      else {
        const turn = localQueue.then(run, run);
        localQueue = turn.catch(() => undefined);
        // A generation stopped while it waits for its turn ends now; its turn then passes at once.
        const stopped = new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new AbortError()), { once: true }));
        stopped.catch(() => undefined);
        out = await Promise.race([turn, stopped]);
      }
      // An engine that cannot constrain output leaves `constrained` unset: record that it did not.
      return { ...out, ...(params.responseFormat ? { constrained: out.constrained === true } : {}), model: { ...e.info, key } };
    },
    async unload({ key }) {
      const keys = key === undefined ? [...engines.keys()] : engines.has(key) ? [key] : [];
      for (const k of keys) {
        const e = engines.get(k)!;
        engines.delete(k);
        await e.dispose();
      }
      return { unloaded: keys.length };
    },
    crash: crashLater,
  });
}
