// The LLM worker's logic: owns the one loaded generator, serves load/generate/countTokens/unload.
// Takes `post` as a parameter so Node tests drive it with plain objects.

import { AppError } from '../src/protocol/errors';
import type { Inbound, LlmCalls, Post } from '../src/protocol/messages';
import { CallRegistry, crashLater } from './handler-kit';
import type { LlmEngine } from './engines/llm-engine';
import { loadTransformersLlm } from './engines/transformers-engine';
import { loadWebLlm, type WebLlmModule } from './engines/webllm-engine';
import type { LoadPlan, LoadedModel, Progress } from '../src/protocol/messages';
import type { ResolvedHosts } from '../src/models/hosts';
import { AbortError, isAbort } from '../src/protocol/errors';

export interface LlmDeps {
  /** web-llm, imported lazily (6 MB) and replaceable at this boundary in tests. */
  webllm?: () => Promise<WebLlmModule>;
  fetch?: typeof fetch;
  /** null: no WebGPU adapter; otherwise whether it has shader-f16. */
  hasF16?: () => Promise<boolean | null>;
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
    const e = await loadTransformersLlm(plan.model, hosts, plan.device, progress);
    if (plan.note && !e.info.fallbackReason) (e.info as LoadedModel).fallbackReason = plan.note;
    return e;
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
  const calls = new CallRegistry(post);
  let engine: LlmEngine | null = null;
  /** Counts load requests, so only the latest one may install its engine. */
  let loads = 0;
  // Generations share one model: run them one after another, never interleaved.
  let queue: Promise<unknown> = Promise.resolve();

  const need = (): LlmEngine => {
    if (!engine) throw new AppError('bad-request', 'No model is loaded yet. Load a model on the Models & Storage screen first.');
    return engine;
  };

  return function handle(msg: Inbound<LlmCalls>): void {
    switch (msg.type) {
      case 'abort':
        calls.abort(msg.target);
        return;
      case 'load':
        void calls.run(msg.id, async (ctx) => {
          const mine = ++loads;
          const prev = engine;
          engine = null;
          await prev?.dispose();
          const { plan, hosts } = msg.payload;
          // The runtimes cannot stop a download halfway; a load that was cancelled or overtaken by a
          // newer one is disposed when it finishes instead of becoming the engine.
          const loaded = await loadPlan(plan, hosts, ctx.progress, deps);
          if (ctx.signal.aborted || mine !== loads) {
            await loaded.dispose();
            throw new AbortError();
          }
          engine = loaded;
          return { result: loaded.info };
        });
        return;
      case 'generate': {
        const job = () =>
          calls.run(msg.id, async (ctx) => {
            const e = need();
            const result = await e.generate(msg.payload.messages, msg.payload.params, (t) => ctx.item(t), ctx.signal);
            return { result };
          });
        queue = queue.then(job, job);
        return;
      }
      case 'countTokens':
        void calls.run(msg.id, async () => ({ result: { tokens: await need().countTokens(msg.payload.messages) } }));
        return;
      case 'unload':
        void calls.run(msg.id, async () => {
          const had = engine !== null;
          await engine?.dispose();
          engine = null;
          return { result: { unloaded: had } };
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
