// The knowledge worker as the page sees it: owns its client, the embedder and reranker load status and
// the index stats (every write answers with them). `laneDeps` is the one way anything searches: it
// loads what the retrieval settings need first and refuses to drop a part silently — when the embedder
// or reranker cannot load, the search fails with a specific error unless the user chose to go on, and
// then the result records what did not run and why. The embedder can be a model on a server the user
// added (a `server:<id>|<model>` key): its plan, given after the user allowed texts to go there, comes
// from an injected source; it never falls back to a model in this browser.

import { AppConfig } from '../config';
import type { ChunkSettings } from '../chunking/chunk';
import { detectCapabilities, chooseDevice } from '../models/capabilities';
import { findEmbedder } from '../models/catalog';
import type { ResolvedHosts } from '../models/hosts';
import { AppError, isAbort } from '../protocol/errors';
import type { DevicePref, EmbedderInfo, Fallback, IndexStats, IngestSummary, KnowledgeCalls, Progress, SearchOptions, SearchResult, ServerEmbedderSpec, SweepProgress, SweepReply, SweepRequest } from '../protocol/messages';
import { parseModelKey } from '../models/model-key';
import type { ChunkContextEntry } from '../store/documents';
import { KnowledgeClient } from '../clients/knowledge-client';
import { idleStatus, LoadSlot, type LoadStatus } from './load-status';

/** The preferences the knowledge side reads, live (they come from AppState). */
export interface KnowledgePrefs {
  readonly embedderId: string;
  readonly device: DevicePref;
  readonly hosts: ResolvedHosts | null;
}

export interface KnowledgeStateDeps {
  /** The worker's client; unit tests pass one over the real handler run in-process. */
  client?: KnowledgeClient;
  gpu?: () => Promise<{ available: boolean; f16: boolean }>;
  /**
   * The plan of an embedding model on a server (`server:<id>|<model>` key), resolved once the user
   * allowed texts to go there (ServersState.embedPlan); rejects when declined or the model is gone.
   */
  serverEmbedder?: (key: string) => Promise<ServerEmbedderSpec>;
}

/** A search bound to one lane's retrieval settings, after their models were loaded. */
export interface LaneRetrieval {
  /** Runs the configured search; the result's `ran` and `fallbacks` say what actually ran. */
  search(query: string, signal?: AbortSignal): Promise<SearchResult>;
}

export interface RerankerInfo {
  model: string;
  loadMs: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The embedder as a person knows it: a server key by the model the server lists (the error names the host). */
function embedderName(id: string): string {
  const ref = parseModelKey(id);
  return ref.kind === 'server' ? ref.model : id;
}

/** Where to fix an embedder that did not load: its server, or the model host. */
function fixAdvice(id: string): string {
  return parseModelKey(id).kind === 'server' ? 'Check the server in Settings → Server models' : 'Fix the model host on the Settings screen';
}

/** How often the index stats are read again while a background embedding run stores batches. */
const STATS_EVERY_MS = 1000;

export class KnowledgeState {
  embedder = $state<LoadStatus<EmbedderInfo>>(idleStatus());
  reranker = $state<LoadStatus<RerankerInfo>>(idleStatus());
  /** The worker's index as of its last answer; null before the first. */
  index = $state<IndexStats | null>(null);
  readonly #client: KnowledgeClient;
  readonly #gpu: () => Promise<{ available: boolean; f16: boolean }>;
  readonly #serverEmbedder: KnowledgeStateDeps['serverEmbedder'];
  readonly #embedderSlot = new LoadSlot<EmbedderInfo>(
    () => this.embedder,
    (s) => (this.embedder = s),
  );
  readonly #rerankerSlot = new LoadSlot<RerankerInfo>(
    () => this.reranker,
    (s) => (this.reranker = s),
  );

  constructor(
    private readonly prefs: KnowledgePrefs,
    deps: KnowledgeStateDeps = {},
  ) {
    this.#client = deps.client ?? new KnowledgeClient();
    this.#gpu = deps.gpu ?? (async () => (await detectCapabilities()).gpu);
    this.#serverEmbedder = deps.serverEmbedder;
    // A dead worker took its models with it: the next use loads them again.
    this.#client.rpc.onCrash((e) => {
      this.#embedderSlot.reset(e);
      this.#rerankerSlot.reset(e);
    });
  }

  #hosts(): ResolvedHosts {
    const h = this.prefs.hosts;
    if (!h) throw new AppError('bad-request', 'The model host setting is not valid. Fix it on the Settings screen.');
    return h;
  }

  async #device() {
    return chooseDevice(await this.#gpu(), this.prefs.device).device;
  }

  /** Loads the chosen embedder unless that same model is already loaded or loading. */
  loadEmbedder(id = this.prefs.embedderId): Promise<EmbedderInfo> {
    return this.#embedderSlot.load(id, async (signal, onProgress) => {
      if (parseModelKey(id).kind === 'server') {
        if (!this.#serverEmbedder) throw new AppError('bad-request', `"${id}" is a model on a server, and this page has no server models to use.`, { model: id });
        const plan = await this.#serverEmbedder(id);
        if (signal.aborted) throw signal.reason;
        const { key, baseUrl, apiKey, kind, model } = plan;
        const info = await this.#client.loadServerEmbedder({ key, baseUrl, ...(apiKey ? { apiKey } : {}), kind, model }, signal);
        this.index = await this.#client.openIndex(info.model);
        return info;
      }
      const entry = findEmbedder(id);
      const device = await this.#device();
      const info = await this.#client.loadEmbedder({ id, dtype: entry.dtype[device] }, this.#hosts(), device, entry, onProgress, signal);
      this.index = await this.#client.openIndex(info.model);
      return info;
    });
  }

  cancelEmbedderLoad(): void {
    this.#embedderSlot.cancel();
  }

  /**
   * Forgets the embedder when its key is among `keys` (its server was removed, its API key changed or
   * the permission withdrawn): the next use loads it again, and so asks again where it must. True when it did.
   */
  forgetEmbedder(keys: readonly string[]): boolean {
    if (!keys.includes(this.embedder.model) || this.embedder.phase === 'idle') return false;
    const model = this.embedder.model;
    this.#embedderSlot.cancel();
    this.#embedderSlot.reset(null);
    // The worker forgets it too: otherwise a later write that embeds (LLM-written chunk contexts)
    // would still send chunks to the server the user just removed or stopped trusting.
    void this.#client.dropEmbedder(model).catch(() => undefined); // a dead worker holds nothing
    return true;
  }

  /** Loads the cross-encoder used when reranking is on. */
  loadReranker(id = AppConfig.defaultReranker): Promise<RerankerInfo> {
    return this.#rerankerSlot.load(id, async (signal, onProgress) => this.#client.loadReranker({ id }, this.#hosts(), await this.#device(), onProgress, signal));
  }

  /**
   * Builds the index from IndexedDB (at start-up: the stored vectors of the chosen embedder are
   * indexed without loading the model, so opening the app downloads nothing).
   */
  async openIndex(): Promise<IndexStats> {
    return (this.index = await this.#client.openIndex(this.prefs.embedderId));
  }

  /**
   * Loads what `settings` need (the embedder for dense search, the reranker for reranking) and returns
   * the lane's search. A part that cannot load fails here with a specific error naming the model —
   * unless `degrade` (the user's explicit choice), which runs without it and records why.
   */
  async laneDeps(settings: SearchOptions, { degrade = false }: { degrade?: boolean } = {}): Promise<LaneRetrieval> {
    const before: Fallback[] = [];
    const opts: SearchOptions = { k: settings.k, bm25: settings.bm25, dense: settings.dense, rerank: settings.rerank, degrade, ...(settings.smallToBig ? { smallToBig: { budget: settings.smallToBig.budget } } : {}), ...(settings.denseText ? { denseText: { text: settings.denseText.text, kind: settings.denseText.kind } } : {}) };
    if (settings.dense) {
      const id = this.prefs.embedderId;
      try {
        await this.loadEmbedder(id);
      } catch (e) {
        if (isAbort(e)) throw e;
        if (!degrade) throw new AppError('embedder-unavailable', `The embedding model "${embedderName(id)}" could not be loaded, so dense search cannot run. ${message(e)} ${fixAdvice(id)} and retry, or continue with BM25 only.`, { model: embedderName(id), reason: message(e) });
        before.push({ part: 'dense', code: 'embedder-failed', reason: `The embedding model ${embedderName(id)} could not be loaded: ${message(e)}`, detail: { model: id } });
        opts.dense = false;
      }
    }
    if (settings.rerank) {
      try {
        await this.loadReranker();
      } catch (e) {
        if (isAbort(e)) throw e;
        if (!degrade) throw new AppError('rerank-unavailable', `The reranker could not be loaded, so reranking cannot run. ${message(e)} Switch reranking off, or continue without it.`, { reason: message(e) });
        before.push({ part: 'rerank', code: 'reranker-failed', reason: `The reranker could not be loaded: ${message(e)}` });
        opts.rerank = false;
      }
    }
    return {
      search: async (query, signal) => {
        const r = await this.#client.search(query, opts, signal);
        return { ...r, fallbacks: [...before, ...r.fallbacks] };
      },
    };
  }

  /** Embeds texts with the chosen embedder (loading it first). */
  async embed(texts: string[], kind: 'query' | 'passage' | 'raw' = 'raw', signal?: AbortSignal): Promise<{ vectors: Float32Array; dim: number }> {
    await this.loadEmbedder();
    return this.#client.embed(texts, kind, signal);
  }

  // ---------- writes: the worker is the only writer; each answers with the index stats ----------

  async ingest(req: KnowledgeCalls['ingest']['req'], onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<IngestSummary> {
    const r = await this.#client.ingest(req, onProgress, signal);
    this.index = r.stats;
    return r.doc;
  }

  async reindex(ids: string[] | 'all', chunking: ChunkSettings, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<void> {
    this.index = (await this.#client.reindex(ids, chunking, onProgress, signal)).stats;
  }

  async deleteDocs(ids: string[] | 'all'): Promise<void> {
    this.index = (await this.#client.deleteDocs(ids)).stats;
  }

  /**
   * Embeds every chunk without a vector for the chosen embedder (loading it first): the background run,
   * which takes in files stored meanwhile. `index` follows the stored batches while it runs (at most
   * once a second), and after a cancel shows the vectors the finished batches kept.
   */
  async embedMissing(onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<void> {
    await this.loadEmbedder();
    let settled = false;
    let asked = 0;
    const follow = (p: Progress) => {
      onProgress?.(p);
      if (p.kind !== 'items' || Date.now() - asked < STATS_EVERY_MS) return;
      asked = Date.now();
      void this.#client.openIndex().then(
        (stats) => {
          if (!settled) this.index = stats;
        },
        () => undefined, // the run's own answer reports any failure
      );
    };
    try {
      this.index = (await this.#client.embedMissing(follow, signal)).stats;
    } catch (e) {
      if (isAbort(e)) this.index = await this.#client.openIndex();
      throw e;
    } finally {
      settled = true;
    }
  }

  async importWorkspace(file: Blob, mode: 'merge' | 'replace'): Promise<KnowledgeCalls['importWorkspace']['res']['report']> {
    const r = await this.#client.importWorkspace(file, mode);
    this.index = r.stats;
    return r.report;
  }

  /**
   * Stores (null: removes) LLM-written context sentences; the worker re-indexes those chunks and
   * embeds them again when the embedder is loaded.
   */
  async setContexts(entries: ChunkContextEntry[], onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<void> {
    this.index = (await this.#client.setContexts(entries, onProgress, signal)).stats;
  }

  /**
   * Runs the retrieval sweep, loading first what its settings need (the embedder for dense, hybrid and
   * rerank modes, the reranker for rerank). A model that cannot load fails with a specific error: a
   * sweep never measures something other than the settings it names.
   */
  async sweep(req: SweepRequest, onItem?: (p: SweepProgress) => void, signal?: AbortSignal): Promise<SweepReply> {
    if (req.settings.some((s) => s.mode !== 'bm25')) {
      const id = this.prefs.embedderId;
      try {
        await this.loadEmbedder(id);
      } catch (e) {
        if (isAbort(e)) throw e;
        throw new AppError('embedder-unavailable', `The embedding model "${embedderName(id)}" could not be loaded, so the sweep's dense, hybrid and rerank settings cannot run. ${message(e)} ${fixAdvice(id)} and retry, or sweep BM25 only.`, { model: embedderName(id), reason: message(e) });
      }
    }
    if (req.settings.some((s) => s.mode === 'hybrid+rerank')) {
      try {
        await this.loadReranker();
      } catch (e) {
        if (isAbort(e)) throw e;
        throw new AppError('rerank-unavailable', `The reranker could not be loaded, so the sweep's "hybrid + rerank" settings cannot run. ${message(e)} Leave that mode out, or retry.`, { reason: message(e) });
      }
    }
    return this.#client.sweep(req, onItem, signal);
  }

  /** Deletes every record in the database and empties the index. */
  async clearAll(): Promise<void> {
    this.cancelEmbedderLoad();
    this.index = (await this.#client.clearAll()).stats;
  }

  /** Kills the worker as a real crash would (diagnostics and recovery tests). */
  crashWorker(): void {
    this.#client.crash();
  }
}
