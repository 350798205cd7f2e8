// The Models & Storage screen: the catalog joined with this device's capabilities (fit and engine),
// the runtimes' caches (downloaded, size, complete or not), download/cancel/delete through
// the LLM and knowledge states, storage figures, and "clear everything" (database, model caches,
// worker index).

import { online as onlineNow } from 'svelte/reactivity/window';
import { detectCapabilities, probeStorage, type Capabilities, type StorageInfo } from '../models/capabilities';
import { embedderFit, llmFit, type FitContext, type ModelFit } from '../models/model-fit';
import { clearModelCaches, deleteCachedModel, listCachedModels, type CachedModel } from '../models/model-cache';
import { EMBEDDERS, LLMS, findEmbedder, findLlm, type ModelLanguage } from '../models/catalog';
import { runsInBrowser } from '../models/model-key';
import { DEFAULT_HOST_SETTING, resolveHosts } from '../models/hosts';
import type { Phase } from './load-status';
import type { LibraryState } from './library.svelte';
import type { AppState } from './app.svelte';
import type { KnowledgeState } from './knowledge.svelte';
import type { LabState } from './lab.svelte';
import type { LlmState } from './llm.svelte';
import type { Progress } from '../protocol/messages';
import { catalogKey } from '../models/model-key';
import { storeSizes, type StoreSizes } from '../store/sizes';
import { pageDb } from '../store/page-db';

export type ModelKind = 'llm' | 'embedder';

export interface ModelRow {
  kind: ModelKind;
  id: string;
  label: string;
  custom: boolean;
  /** Download size, MiB; 0 when unknown. */
  sizeMB: number;
  /** Memory needed to run, MiB; null when unknown. */
  memoryMB: number | null;
  languages: ModelLanguage[];
  goodChinese: boolean;
  license: string;
  /** Null until the capabilities are known. */
  fit: ModelFit | null;
  cached: CachedModel[];
  /** Bytes of this model's files in the caches. */
  cachedBytes: number;
  /** A complete copy is cached: it loads without the network. */
  complete: boolean;
  /** The app's chosen model of this kind. */
  active: boolean;
  phase: Phase;
  progress: Progress | null;
  error: unknown;
}

const deviceMemoryGB = (): number | null => (navigator as Navigator & { deviceMemory?: number }).deviceMemory ?? null;

export class ModelsState {
  caps = $state<Capabilities | null>(null);
  storage = $state<StorageInfo | null>(null);
  sizes = $state<StoreSizes | null>(null);
  cached = $state.raw<CachedModel[]>([]);
  /** Failure reading caches, storage or the database. */
  error = $state<unknown>(null);
  persistDenied = $state(false);
  clearing = $state(false);
  clearError = $state<unknown>(null);
  cleared = $state(false);
  /** A failed delete of cached files. */
  deleteError = $state<unknown>(null);
  #seq = 0;

  constructor(
    private readonly app: AppState,
    private readonly llm: LlmState,
    private readonly knowledge: KnowledgeState,
    private readonly library: LibraryState,
    private readonly lab: LabState,
  ) {}

  online = $derived(onlineNow.current ?? true);
  modelBytes = $derived(this.cached.reduce((s, g) => s + g.bytes, 0));

  /** Parses cache URLs against the configured host (the default host while the setting is invalid). */
  #hosts() {
    return this.app.hosts ?? resolveHosts(DEFAULT_HOST_SETTING, location.href);
  }

  #fitContext = $derived.by<FitContext | null>(() => {
    if (!this.caps) return null;
    const { usage, quota } = this.storage ?? this.caps.storage;
    return {
      gpu: this.caps.gpu,
      deviceMemoryGB: deviceMemoryGB(),
      freeBytes: usage !== null && quota !== null ? Math.max(0, quota - usage) : null,
      engine: this.app.engine,
      device: this.app.device,
    };
  });

  #row(kind: ModelKind, id: string): ModelRow {
    const st = kind === 'llm' ? this.llm.statusOf(catalogKey(id)) : this.knowledge.embedder;
    const mine = kind === 'llm' || st.model === id;
    const ctx = this.#fitContext;
    const tjs = (mid: string) => this.cached.filter((g) => g.runtime === 'transformers.js' && g.id === mid && !g.otherHost);
    let cached: CachedModel[];
    /** The files that run here under the current plan: they decide "loads offline". */
    let used: CachedModel[];
    let base: Omit<ModelRow, 'fit' | 'cached' | 'cachedBytes' | 'complete' | 'active' | 'phase' | 'progress' | 'error'>;
    if (kind === 'llm') {
      const e = findLlm(id);
      const builds = e.webllm ? [e.webllm.f16.id, e.webllm.f32.id] : [];
      const mlc = this.cached.filter((g) => g.runtime === 'web-llm' && builds.includes(g.id));
      // A web-llm model that cannot run here runs as its transformers.js fallback: show those files too.
      const plan = ctx ? llmFit(id, ctx) : null;
      const runsTjs = plan && plan.engine === 'transformers.js' ? tjs(plan.runs) : [];
      cached = e.engine === 'web-llm' ? [...mlc, ...runsTjs] : tjs(id);
      used = e.engine === 'web-llm' ? (plan?.engine === 'web-llm' ? mlc : runsTjs) : cached;
      base = { kind, id, label: e.label, custom: !!e.custom, sizeMB: e.sizeMB, memoryMB: e.custom ? null : e.vramMB, languages: e.languages, goodChinese: e.goodChinese, license: e.license };
    } else {
      const e = findEmbedder(id);
      cached = used = tjs(id);
      base = { kind, id, label: e.label, custom: !!e.custom, sizeMB: e.sizeMB, memoryMB: e.custom ? null : e.sizeMB * 2, languages: e.languages, goodChinese: e.languages.includes('zh'), license: e.license };
    }
    const complete = used.some((g) => g.complete);
    return {
      ...base,
      fit: ctx ? (kind === 'llm' ? llmFit(id, ctx, complete) : embedderFit(id, ctx, complete)) : null,
      cached,
      cachedBytes: cached.reduce((s, g) => s + g.bytes, 0),
      complete,
      active: id === (kind === 'llm' ? this.app.llmId : this.app.embedderId),
      phase: mine ? st.phase : 'idle',
      progress: mine ? st.progress : null,
      error: mine ? st.error : null,
    };
  }

  /** Catalog models, with the chosen model first when it is a custom id. */
  llms = $derived.by(() => {
    const ids = LLMS.map((e) => e.id);
    if (!ids.includes(this.app.llmId)) ids.unshift(this.app.llmId);
    return ids.map((id) => this.#row('llm', id));
  });

  embedders = $derived.by(() => {
    const ids = EMBEDDERS.map((e) => e.id);
    // A server's embedding model downloads nothing here: it belongs to Settings → Server models, not this list.
    if (!ids.includes(this.app.embedderId) && runsInBrowser(this.app.embedderId)) ids.unshift(this.app.embedderId);
    return ids.map((id) => this.#row('embedder', id));
  });

  /** Rereads capabilities (once), storage, database sizes and the caches. */
  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const [caps, storage, cached, sizes] = await Promise.all([
        detectCapabilities(),
        probeStorage(navigator.storage),
        typeof caches === 'undefined' ? Promise.resolve([]) : listCachedModels(this.#hosts()),
        pageDb().then(storeSizes),
      ]);
      if (seq !== this.#seq) return;
      this.caps = caps;
      this.storage = storage;
      this.cached = cached;
      this.sizes = sizes;
      this.error = null;
    } catch (e) {
      if (seq === this.#seq) this.error = e;
    }
  }

  /** Switching embedders re-embeds every chunk: the screen asks first when there are any. */
  needsConfirm(row: ModelRow): boolean {
    return row.kind === 'embedder' && !row.active && (this.knowledge.index?.chunks ?? 0) > 0;
  }

  /**
   * Downloads (or loads from the cache) and makes it the chosen model. Errors land in the
   * runtime's status, which the row shows with Retry; files finished before a failure stay cached.
   */
  async download(row: ModelRow): Promise<void> {
    if (row.kind === 'llm') {
      this.app.setLlm(row.id);
      await this.llm.load(catalogKey(row.id)).then(
        () => undefined,
        () => undefined, // shown through llm.status
      );
    } else if (row.active) {
      await this.knowledge.loadEmbedder(row.id).then(
        () => undefined,
        () => undefined, // shown through knowledge.embedder
      );
    } else {
      await this.library.changeEmbedder(row.id);
    }
    await this.refresh();
  }

  cancel(row: ModelRow): void {
    if (row.kind === 'llm') this.llm.cancelLoad(catalogKey(row.id));
    else this.knowledge.cancelEmbedderLoad();
  }

  /** Deletes cached files (a row's builds or one cached group); a loaded model stays in memory. */
  async remove(groups: readonly CachedModel[]): Promise<void> {
    this.deleteError = null;
    try {
      for (const g of groups) await deleteCachedModel(g);
    } catch (e) {
      this.deleteError = e;
    }
    await this.refresh();
  }

  async requestPersist(): Promise<void> {
    let ok = false;
    try {
      ok = (await navigator.storage?.persist?.()) ?? false;
    } catch (e) {
      this.error = e;
    }
    this.persistDenied = !ok;
    await this.refresh();
  }

  /**
   * Deletes every record and every cached model. The knowledge worker clears the database and its
   * index together (so no search sees deleted chunks); then the caches go and the Lab rereads.
   */
  async clearEverything(): Promise<void> {
    this.clearing = true;
    this.clearError = null;
    this.cleared = false;
    try {
      // A download still running would write into the caches after they were cleared.
      this.llm.cancelLoad();
      this.knowledge.cancelEmbedderLoad();
      this.library.cancelAll();
      await this.knowledge.clearAll();
      await clearModelCaches();
      await this.library.refresh();
      await this.lab.init();
      this.cleared = true;
    } catch (e) {
      this.clearError = e;
    } finally {
      this.clearing = false;
      await this.refresh();
    }
  }
}
