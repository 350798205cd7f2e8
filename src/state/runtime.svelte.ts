// Loading and using the two models from the page: status, download progress, backend actually
// used, errors the user can act on. The model load is cached as a promise and cleared on failure
// (and when the worker dies) so a retry really retries.

import { detectCapabilities, chooseDevice } from '../engines/capabilities';
import { findEmbedder } from '../models/catalog';
import { planEngine, type EnginePlan } from '../engines/engine-select';
import type { ChatMessage, EmbedderInfo, GenParams, GenResult, LoadPlan, LoadedModel, Progress } from '../protocol/messages';
import { AppError, isAbort } from '../protocol/errors';
import { AppConfig } from '../config';
import type { AppState } from './app.svelte';

export type Phase = 'idle' | 'loading' | 'ready' | 'error';

export interface LoadStatus<Info> {
  phase: Phase;
  progress: Progress | null;
  info: Info | null;
  error: unknown;
  /** The id the status refers to. */
  model: string;
}

const idle = <T>(): LoadStatus<T> => ({ phase: 'idle', progress: null, info: null, error: null, model: '' });

function toWire(p: EnginePlan): LoadPlan {
  if (p.engine === 'transformers.js') return { engine: 'transformers.js', model: { id: p.entry.id, dtype: p.dtype }, device: p.device, note: p.reason };
  const fb = p.fallback ? findFallbackDtype(p.fallback.id, p.fallback.device) : null;
  return { engine: 'web-llm', modelId: p.modelId, lib: p.lib, vramMB: p.entry.vramMB, fallback: p.fallback && fb ? { model: { id: p.fallback.id, dtype: fb }, device: p.fallback.device } : null };
}

function findFallbackDtype(id: string, device: 'webgpu' | 'wasm'): string {
  const plan = planEngine(id, { available: device === 'webgpu', f16: false }, 'transformers.js', device);
  return plan.engine === 'transformers.js' ? plan.dtype : 'q8';
}

export class RuntimeState {
  embedder = $state<LoadStatus<EmbedderInfo>>(idle());
  llm = $state<LoadStatus<LoadedModel>>(idle());
  #embedderLoad: Promise<EmbedderInfo> | null = null;
  #llmLoad: Promise<LoadedModel> | null = null;
  #llmCtrl: AbortController | null = null;
  #embCtrl: AbortController | null = null;

  constructor(private readonly app: AppState) {
    app.llm.rpc.onCrash((e) => {
      this.#llmLoad = null;
      this.llm = { ...idle(), phase: 'error', error: e };
    });
    app.knowledge.rpc.onCrash((e) => {
      this.#embedderLoad = null;
      this.#reranker = null;
      this.embedder = { ...idle(), phase: 'error', error: e };
    });
  }

  private hosts() {
    const h = this.app.hosts;
    if (!h) throw new AppError('bad-request', 'The model host setting is not valid. Fix it on the Settings screen.');
    return h;
  }

  /** Loads the chosen embedder unless that same model is already loaded or loading. */
  loadEmbedder(id = this.app.embedderId): Promise<EmbedderInfo> {
    if (this.#embedderLoad && this.embedder.model === id && this.embedder.phase !== 'error') return this.#embedderLoad;
    this.#embCtrl?.abort();
    const ctrl = (this.#embCtrl = new AbortController());
    const entry = findEmbedder(id);
    this.embedder = { ...idle(), phase: 'loading', model: id };
    const p = (async () => {
      const caps = await detectCapabilities();
      const { device } = chooseDevice(caps.gpu, this.app.device);
      return this.app.knowledge.loadEmbedder({ id, dtype: entry.dtype[device] }, this.hosts(), device, entry, (progress) => (this.embedder.progress = progress), ctrl.signal);
    })();
    this.#embedderLoad = p;
    p.then(
      (info) => {
        if (this.#embedderLoad === p) this.embedder = { phase: 'ready', progress: null, info, error: null, model: id };
      },
      (error) => {
        if (this.#embedderLoad !== p) return;
        this.#embedderLoad = null;
        this.embedder = { ...idle(), phase: isAbort(error) ? 'idle' : 'error', error: isAbort(error) ? null : error, model: id };
      },
    );
    return p;
  }

  cancelEmbedderLoad(): void {
    this.#embCtrl?.abort();
  }

  loadLlm(id = this.app.llmId): Promise<LoadedModel> {
    if (this.#llmLoad && this.llm.model === id && this.llm.phase !== 'error') return this.#llmLoad;
    this.#llmCtrl?.abort();
    const ctrl = (this.#llmCtrl = new AbortController());
    this.llm = { ...idle(), phase: 'loading', model: id };
    const p = (async () => {
      const caps = await detectCapabilities();
      const plan = toWire(planEngine(id, caps.gpu, this.app.engine, this.app.device));
      return this.app.llm.load(plan, this.hosts(), (progress) => (this.llm.progress = progress), ctrl.signal);
    })();
    this.#llmLoad = p;
    p.then(
      (info) => {
        if (this.#llmLoad === p) this.llm = { phase: 'ready', progress: null, info, error: null, model: id };
      },
      (error) => {
        if (this.#llmLoad !== p) return;
        this.#llmLoad = null;
        this.llm = { ...idle(), phase: isAbort(error) ? 'idle' : 'error', error: isAbort(error) ? null : error, model: id };
      },
    );
    return p;
  }

  cancelLlmLoad(): void {
    this.#llmCtrl?.abort();
  }

  #reranker: Promise<unknown> | null = null;
  reranker = $state<{ phase: Phase; error: unknown; loadMs: number }>({ phase: 'idle', error: null, loadMs: 0 });

  /** Loads the cross-encoder once (cached promise, cleared on failure so Retry retries). */
  loadReranker(id = AppConfig.defaultReranker): Promise<unknown> {
    if (this.#reranker) return this.#reranker;
    this.reranker = { phase: 'loading', error: null, loadMs: 0 };
    const p = (async () => {
      const caps = await detectCapabilities();
      const { device } = chooseDevice(caps.gpu, this.app.device);
      return this.app.knowledge.loadReranker({ id }, this.hosts(), device);
    })();
    this.#reranker = p;
    p.then(
      (r) => (this.reranker = { phase: 'ready', error: null, loadMs: (r as { loadMs: number }).loadMs }),
      (error) => {
        this.#reranker = null;
        this.reranker = { phase: 'error', error, loadMs: 0 };
      },
    );
    return p;
  }

  async embed(texts: string[], kind: 'query' | 'passage' | 'raw' = 'raw', signal?: AbortSignal) {
    await this.loadEmbedder();
    return this.app.knowledge.embed(texts, kind, undefined, signal);
  }

  async generate(messages: ChatMessage[], params: GenParams, onToken: (t: string) => void, signal?: AbortSignal): Promise<GenResult> {
    await this.loadLlm();
    return this.app.llm.generate(messages, params, onToken, signal);
  }
}
