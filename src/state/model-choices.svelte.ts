// Every model a lane, an evaluation arm or the judge can use, from every source (the catalog and any
// model id on the model host; model files the user added; models on servers the user added), each
// under its model key, with the memory it takes in this tab and the plan that loads it.

import { findLlm, LLMS } from '../models/catalog';
import { planEngine, type EnginePref } from '../models/engine-select';
import { catalogKey, parseModelKey } from '../models/model-key';
import type { Device, DevicePref, LoadPlan } from '../protocol/messages';
import { AppError } from '../protocol/errors';
import { modelFileUrl, type ResolvedHosts } from '../models/hosts';

export interface ModelChoice {
  key: string;
  /** What the Model lists show. */
  label: string;
  kind: 'catalog' | 'file' | 'server';
  /** Memory it needs in this tab, MiB; 0 for server models; null when unknown. */
  memoryMB: number | null;
  /** Server models: the host prompts (with retrieved text) are sent to. */
  host?: string;
}

export interface GpuCaps {
  available: boolean;
  f16: boolean;
}

/** A source of models (user files, servers) beside the catalog. */
export interface ModelSource {
  readonly choices: readonly ModelChoice[];
  /** The load plan of a key this source owns, or null when the key is not its. */
  plan(key: string, gpu: GpuCaps): Promise<LoadPlan | null> | LoadPlan | null;
}

export interface ModelPrefs {
  readonly llmId: string;
  readonly engine: EnginePref;
  readonly device: DevicePref;
  readonly hosts: ResolvedHosts | null;
}

/** Context length GGUF models run with: room for a RAG prompt of ~1,200 context tokens and the answer. */
export const GGUF_N_CTX = 4096;

function fallbackDtype(id: string, device: Device): string {
  const plan = planEngine(id, { available: device === 'webgpu', f16: false }, 'transformers.js', device);
  return plan.engine === 'transformers.js' ? plan.dtype : 'q8';
}

/** The catalog plan as sent to the worker: web-llm with its transformers.js fallback, transformers.js, or a GGUF on the host. */
export function catalogPlan(id: string, gpu: GpuCaps, prefs: Pick<ModelPrefs, 'engine' | 'device' | 'hosts'>): LoadPlan {
  const p = planEngine(id, gpu, prefs.engine, prefs.device);
  if (p.engine === 'wllama') {
    const g = p.entry.gguf;
    if (!g || !prefs.hosts) throw new AppError('bad-request', 'The model host setting is not valid. Fix it on the Settings screen.');
    return { engine: 'wllama', source: { kind: 'url', name: p.entry.label, url: modelFileUrl(prefs.hosts, g.repo, g.file) }, nCtx: GGUF_N_CTX };
  }
  if (p.engine === 'transformers.js') return { engine: 'transformers.js', model: { id: p.entry.id, dtype: p.dtype }, device: p.device, note: p.reason };
  const fb = p.fallback ? { model: { id: p.fallback.id, dtype: fallbackDtype(p.fallback.id, p.fallback.device) }, device: p.fallback.device } : null;
  return { engine: 'web-llm', modelId: p.modelId, lib: p.lib, vramMB: p.entry.vramMB, fallback: fb };
}

export class ModelChoices {
  #sources = $state.raw<ModelSource[]>([]);

  constructor(private readonly prefs: ModelPrefs) {}

  /** Adds a source of models (user files, servers); its choices join every Model list. */
  addSource(source: ModelSource): void {
    this.#sources = [...this.#sources, source];
  }

  /** The app's chosen model: lanes without a model of their own run it. */
  get defaultKey(): string {
    return catalogKey(this.prefs.llmId);
  }

  catalog = $derived.by<ModelChoice[]>(() => {
    const ids = LLMS.map((e) => e.id);
    if (!ids.includes(this.prefs.llmId)) ids.unshift(this.prefs.llmId);
    return ids.map((id) => {
      const e = findLlm(id);
      return { key: catalogKey(id), label: e.label, kind: 'catalog', memoryMB: e.custom ? null : e.vramMB };
    });
  });

  all = $derived<ModelChoice[]>([...this.catalog, ...this.#sources.flatMap((s) => s.choices)]);

  find(key: string): ModelChoice | undefined {
    return this.all.find((c) => c.key === key);
  }

  /** A short name for a key, also for keys no longer offered (a deleted file, a removed server). */
  label(key: string): string {
    const c = this.find(key);
    if (c) return c.label;
    const ref = parseModelKey(key);
    return ref.kind === 'server' ? ref.model : ref.id;
  }

  async plan(key: string, gpu: GpuCaps): Promise<LoadPlan> {
    const ref = parseModelKey(key);
    if (ref.kind === 'catalog') return catalogPlan(ref.id, gpu, this.prefs);
    for (const s of this.#sources) {
      const p = await s.plan(key, gpu);
      if (p) return p;
    }
    throw new AppError('bad-request', `The model "${this.label(key)}" is no longer available: it was deleted or its server removed. Choose another model.`, { model: this.label(key) });
  }
}
