// The generators as the page sees them: owns the LLM worker's client; loads models by key (status,
// download progress, Cancel, errors the user can act on) and generates with any of them. Models that
// run in this tab share its memory: before loading one that does not fit beside the others, the least
// recently used are unloaded (a server model takes none). Every GenResult names the model that ran.

import { detectCapabilities } from '../models/capabilities';
import { runsInBrowser } from '../models/model-key';
import { AppError } from '../protocol/errors';
import type { ChatMessage, GenParams, GenResult, LoadedModel, Progress } from '../protocol/messages';
import type { ResolvedHosts } from '../models/hosts';
import { LlmClient } from '../clients/llm-client';
import { idleStatus, LoadSlot, type LoadStatus } from './load-status';
import type { GpuCaps, ModelChoices } from './model-choices.svelte';

export interface LlmStateDeps {
  /** The worker's client; unit tests pass one over the real handler run in-process. */
  client?: LlmClient;
  gpu?: () => Promise<GpuCaps>;
  /** MiB the models in this tab may take together; by default half the device memory, 2–8 GiB. */
  budgetMB?: () => number;
}

function defaultBudgetMB(): number {
  const gb = (globalThis.navigator as Navigator & { deviceMemory?: number } | undefined)?.deviceMemory ?? 8;
  return Math.min(8192, Math.max(2048, (gb * 1024) / 2));
}

export class LlmState {
  /** Load status per model key. */
  statuses = $state<Record<string, LoadStatus<LoadedModel>>>({});
  readonly #client: LlmClient;
  readonly #gpu: () => Promise<GpuCaps>;
  readonly #budgetMB: () => number;
  readonly #slots = new Map<string, LoadSlot<LoadedModel>>();
  /** When each loaded key last generated (least recently used goes first). */
  #used = new Map<string, number>();

  constructor(
    private readonly models: ModelChoices,
    private readonly prefs: { readonly hosts: ResolvedHosts | null },
    deps: LlmStateDeps = {},
  ) {
    this.#client = deps.client ?? new LlmClient();
    this.#gpu = deps.gpu ?? (async () => (await detectCapabilities()).gpu);
    this.#budgetMB = deps.budgetMB ?? defaultBudgetMB;
    // A dead worker took every model with it: the next use loads them again.
    this.#client.rpc.onCrash((e) => {
      for (const slot of this.#slots.values()) slot.reset(e);
      this.#used.clear();
    });
  }

  statusOf(key: string): LoadStatus<LoadedModel> {
    return this.statuses[key] ?? idleStatus(key);
  }

  /** The chosen model's status (the model lanes run unless they name another). */
  get status(): LoadStatus<LoadedModel> {
    return this.statusOf(this.models.defaultKey);
  }

  get info(): LoadedModel | null {
    return this.status.info;
  }

  /** Models loaded now, as the Lab lists them. */
  loaded = $derived(Object.entries(this.statuses).filter(([, s]) => s.phase === 'ready' && s.info).map(([key, s]) => ({ key, info: s.info! })));

  #slot(key: string): LoadSlot<LoadedModel> {
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = new LoadSlot<LoadedModel>(
        () => this.statusOf(key),
        (s) => (this.statuses[key] = s),
      );
      this.#slots.set(key, slot);
    }
    return slot;
  }

  /** Unloads least recently used models of this tab until `key` fits beside the rest. */
  async #makeRoom(key: string): Promise<void> {
    if (!runsInBrowser(key)) return;
    const size = (k: string) => this.models.find(k)?.memoryMB ?? 0;
    const others = this.loaded.filter((l) => l.key !== key && runsInBrowser(l.key)).sort((a, b) => (this.#used.get(a.key) ?? 0) - (this.#used.get(b.key) ?? 0));
    let used = others.reduce((t, l) => t + size(l.key), 0);
    for (const l of others) {
      if (used + size(key) <= this.#budgetMB()) break;
      // A model still generating (another answer of a parallel evaluation, a judge) finishes first.
      await this.#idle(l.key);
      await this.unload(l.key);
      used -= size(l.key);
    }
  }

  /** Generations running now, per model key, and who waits for a model to have none. */
  readonly #running = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();

  #idle(key: string): Promise<void> {
    if (!this.#running.get(key)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.set(key, [...(this.#waiting.get(key) ?? []), resolve]));
  }

  /** Loads a model (the chosen one by default) unless it is already loaded or loading. */
  load(key = this.models.defaultKey): Promise<LoadedModel> {
    return this.#slot(key).load(key, async (signal, onProgress) => {
      const hosts = this.prefs.hosts;
      if (!hosts) throw new AppError('bad-request', 'The model host setting is not valid. Fix it on the Settings screen.');
      await this.#makeRoom(key);
      const plan = await this.models.plan(key, await this.#gpu());
      return this.#client.load(key, plan, hosts, onProgress, signal);
    });
  }

  cancelLoad(key = this.models.defaultKey): void {
    this.#slots.get(key)?.cancel();
  }

  async unload(key: string): Promise<void> {
    this.#slots.get(key)?.cancel();
    this.#slots.delete(key);
    this.#used.delete(key);
    delete this.statuses[key];
    await this.#client.unload(key);
  }

  /** Generates with a model (the chosen one by default), loading it first if needed. */
  async generate(messages: ChatMessage[], params: GenParams, onToken: (t: string) => void, signal?: AbortSignal, key = this.models.defaultKey, onProgress?: (p: Progress) => void): Promise<GenResult> {
    // Counted from the call on, so room made for another model in the meantime waits for this one.
    // No two calls can wait on each other: room is only made by unloading models that are loaded, and
    // a call for a loaded model goes straight on to generate.
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
    try {
      await this.load(key);
      this.#used.set(key, performance.now());
      return await this.#client.generate(key, messages, params, onToken, signal, onProgress);
    } finally {
      const left = (this.#running.get(key) ?? 1) - 1;
      if (left > 0) this.#running.set(key, left);
      else {
        this.#running.delete(key);
        for (const resolve of this.#waiting.get(key) ?? []) resolve();
        this.#waiting.delete(key);
      }
    }
  }

  /** Kills the worker as a real crash would (diagnostics and recovery tests). */
  crashWorker(): void {
    this.#client.crash();
  }
}
