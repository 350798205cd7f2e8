// The document library as the page sees it: the stored list, the ingestion queue (one file at a
// time through the knowledge worker, each with its stage and progress, each cancellable), deletion,
// re-indexing, embedding and the chunking/size settings. Reads come from IndexedDB; every write of
// documents, chunks or vectors goes through the knowledge worker (KnowledgeState). A file's job ends
// once it is stored and searchable with BM25; its chunks are then embedded by one background run
// (progress, time left, Cancel) that later files join. A reload during that run resumes it.

import { AppConfig } from '../config';
import { DEFAULT_CHUNKING, type ChunkSettings } from '../chunking/chunk';
import { AppError, isAbort, FileError } from '../protocol/errors';
import type { IngestStage, Progress } from '../protocol/messages';
import type { ChunkRecord, DocSummary, LabDb, StoredDocument } from '../store/db';
import { getChunks, getDocument, listDocuments } from '../store/documents';
import { deleteSetting, getSetting, setSetting } from '../store/settings';
import type { KnowledgeState } from './knowledge.svelte';
import type { PickedFile } from './files';
import { EmbedEta } from './embed-eta';

/**
 * Runs `run` holding the tab-wide embedding lock (Web Locks), so two tabs never embed the same chunks
 * twice (with a server embedder, never send them twice). Resolves false without running when another
 * tab holds it. Without Web Locks (Node tests, old browsers) it just runs.
 */
async function withEmbeddingLock(run: () => Promise<void>): Promise<boolean> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) {
    await run();
    return true;
  }
  return locks.request('method-lab-embedding', { ifAvailable: true }, async (lock) => {
    if (!lock) return false;
    await run();
    return true;
  });
}

/** The user declined to send texts to a server (ServersState's refusal). */
const declined = (e: unknown): boolean => e instanceof AppError && e.detail?.reason === 'declined';

/** Stored while background embedding runs, so a reload resumes it (finishing or a cancel removes it). */
const EMBEDDING_SETTING = 'backgroundEmbedding';

/** A background embedding run as the page shows it. */
export interface EmbeddingProgress {
  /** Chunks embedded in this run, and in all (the total grows as stored files join the run). */
  done: number;
  total: number;
  /** Estimated seconds left; null until the rate is known. */
  secondsLeft: number | null;
}

export type JobStatus = 'queued' | 'working' | 'done' | 'error' | 'cancelled';

export interface IngestJob {
  key: number;
  name: string;
  size: number;
  status: JobStatus;
  stage: IngestStage | null;
  /** Items done / total within the stage (pages while extracting a PDF). */
  done: number;
  total: number;
  error: unknown;
  docId?: string;
}

// The order the worker reports them: chunks are saved first, then embedded (a failed embedding keeps the document).
const STAGES: IngestStage[] = ['reading', 'extracting', 'chunking', 'saving', 'embedding'];

/** 0..1 for one job: stages weigh equally; within a stage, its item progress. */
export function jobFraction(j: IngestJob): number {
  if (j.status === 'done') return 1;
  if (!j.stage) return 0;
  const i = STAGES.indexOf(j.stage);
  const inner = j.total > 0 ? j.done / j.total : 0;
  return (i + inner) / STAGES.length;
}

export class LibraryState {
  docs = $state.raw<DocSummary[]>([]);
  loaded = $state(false);
  jobs = $state<IngestJob[]>([]);
  chunking = $state<ChunkSettings>({ ...DEFAULT_CHUNKING });
  maxFileMB = $state(Math.round(AppConfig.maxFileBytes / 1e6));
  reindexing = $state<{ done: number; total: number } | null>(null);
  loadError = $state<unknown>(null);
  #nextKey = 1;
  #ctrls = new Map<number, AbortController>();
  #running = false;

  embedding = $state<EmbeddingProgress | null>(null);
  /** Another tab of the app was embedding when this one wanted to (one run at a time, across tabs). */
  embeddingElsewhere = $state(false);
  embedError = $state<unknown>(null);
  #embedCtrl: AbortController | null = null;
  /** The running background run, if any; files stored meanwhile set `#again`, so they are not missed. */
  #embedRun: Promise<void> | null = null;
  #again = false;

  constructor(
    private readonly knowledge: KnowledgeState,
    private readonly db: () => Promise<LabDb>,
    /** Saves the chosen embedder (a preference, owned by AppState). */
    private readonly setEmbedder: (id: string) => void,
  ) {}

  /**
   * Embeds every chunk that has no vector for the chosen embedder (loading it first), with progress,
   * time left and Cancel; runs until nothing is missing, taking in files stored meanwhile. Joins the
   * run already going, if any. A cancel keeps every batch stored so far.
   */
  embedMissing(): Promise<void> {
    if (this.#embedRun) {
      this.#again = true;
      return this.#embedRun;
    }
    const run = withEmbeddingLock(() => this.#runEmbedding())
      .then((ran) => {
        // Another tab holds the run: its vectors go into the same database, so this tab leaves it be.
        this.embeddingElsewhere = !ran;
      })
      .finally(() => (this.#embedRun = null));
    this.#embedRun = run;
    return run;
  }

  async #runEmbedding(): Promise<void> {
    this.embedError = null;
    const ctrl = (this.#embedCtrl = new AbortController());
    this.embedding = { done: 0, total: this.knowledge.index?.missing ?? 0, secondsLeft: null };
    try {
      await this.#remember(true);
      do {
        this.#again = false;
        const eta = new EmbedEta();
        this.embedding = { done: 0, total: this.knowledge.index?.missing ?? 0, secondsLeft: null };
        await this.knowledge.embedMissing((p) => {
          if (p.kind !== 'items' || p.stage !== 'embedding') return;
          const secondsLeft = p.tokens ? eta.update(p.tokens, performance.now()) : null;
          this.embedding = { done: p.done, total: p.total, secondsLeft };
        }, ctrl.signal);
        // A file stored between the worker's last look and its answer would otherwise wait for the next drop.
      } while (this.#again && !ctrl.signal.aborted);
      await this.#remember(false);
    } catch (e) {
      // A cancel is the user's word: no resume; so is declining to send chunks to an embedding server
      // (it is not asked again on every reload). A failure (the model unreachable, a crashed worker)
      // keeps the run remembered, so the next start tries again.
      if (isAbort(e)) await this.#remember(false);
      else {
        if (declined(e)) await this.#remember(false);
        this.embedError = e;
      }
    } finally {
      this.embedding = null;
      this.#embedCtrl = null;
      await this.refresh();
    }
  }

  /** Whether a run is under way, kept across reloads (failures to store it only cost the resume). */
  async #remember(running: boolean): Promise<void> {
    try {
      const db = await this.db();
      await (running ? setSetting(db, EMBEDDING_SETTING, true) : deleteSetting(db, EMBEDDING_SETTING));
    } catch {
      // Without the flag a reload offers "Embed the rest" instead of resuming: nothing is lost.
    }
  }

  /** Stops background embedding; the batches stored so far keep their vectors. */
  cancelEmbedding(): void {
    this.#embedCtrl?.abort();
  }

  /** Switches the embedding model, then re-embeds everything for it. */
  async changeEmbedder(id: string): Promise<void> {
    // A run for the old model must not go on (the worker stops it too, once the new model is in).
    this.cancelEmbedding();
    await this.#embedRun;
    this.setEmbedder(id);
    this.embedError = null;
    try {
      await this.knowledge.loadEmbedder(id);
      if ((this.knowledge.index?.missing ?? 0) > 0) await this.embedMissing();
    } catch (e) {
      this.embedError = e;
    }
  }

  /** Loads the list and settings; called once at start-up without blocking the first paint. */
  async init(): Promise<void> {
    try {
      const db = await this.db();
      this.chunking = await getSetting(db, 'chunking', { ...DEFAULT_CHUNKING });
      this.maxFileMB = await getSetting(db, 'maxFileMB', this.maxFileMB);
      await this.refresh();
      // A reload during background embedding resumes it: only chunks without a vector are embedded.
      if (await getSetting(db, EMBEDDING_SETTING, false)) void this.#resume();
    } catch (e) {
      this.loadError = e;
    } finally {
      this.loaded = true;
    }
  }

  async refresh(): Promise<void> {
    this.docs = await listDocuments(await this.db());
  }

  async #resume(): Promise<void> {
    try {
      const stats = await this.knowledge.openIndex();
      if (stats.missing > 0) await this.embedMissing();
      else await this.#remember(false);
    } catch (e) {
      this.embedError = e;
    }
  }

  overall = $derived.by(() => {
    const active = this.jobs.filter((j) => j.status !== 'cancelled');
    if (!active.length) return null;
    const sum = active.reduce((s, j) => s + (j.status === 'error' ? 1 : jobFraction(j)), 0);
    return { fraction: sum / active.length, finished: active.filter((j) => j.status === 'done' || j.status === 'error').length, total: active.length };
  });

  busy = $derived(this.jobs.some((j) => j.status === 'queued' || j.status === 'working'));

  /** Queues files for ingestion; returns their job keys. `sample` marks built-in sample data. */
  add(files: PickedFile[], opts: { sample?: boolean } = {}): number[] {
    const keys: number[] = [];
    for (const f of files) {
      const key = this.#nextKey++;
      this.jobs.push({ key, name: f.name, size: f.file.size, status: 'queued', stage: null, done: 0, total: 0, error: null });
      this.#files.set(key, f.file);
      if (opts.sample) this.#sample.add(key);
      keys.push(key);
    }
    void this.#drain();
    return keys;
  }

  #files = new Map<number, File>();
  #sample = new Set<number>();

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        const job = this.jobs.find((j) => j.status === 'queued');
        if (!job) break;
        await this.#process(job);
      }
    } finally {
      this.#running = false;
    }
  }

  async #process(job: IngestJob): Promise<void> {
    const file = this.#files.get(job.key)!;
    const ctrl = new AbortController();
    this.#ctrls.set(job.key, ctrl);
    job.status = 'working';
    job.stage = 'reading';
    const maxBytes = this.maxFileMB * 1e6;
    try {
      // Refuse oversized files before reading them into memory.
      if (file.size > maxBytes) {
        throw new FileError('file-too-large', `"${job.name}" is ${Math.round(file.size / 1e6)} MB, over the ${Math.round(maxBytes / 1e6)} MB limit. Raise the limit in the chunking settings or split the file.`, { fileName: job.name, sizeMB: Math.round(file.size / 1e6), limitMB: Math.round(maxBytes / 1e6) });
      }
      const bytes = await file.arrayBuffer();
      if (ctrl.signal.aborted) throw new DOMException('Aborted', 'AbortError');
      const onProgress = (p: Progress) => {
        if (p.kind === 'stage') {
          job.stage = p.stage;
          job.done = 0;
          job.total = 0;
        } else if (p.kind === 'items') {
          job.done = p.done;
          job.total = p.total;
        }
      };
      const sample = this.#sample.has(job.key);
      // Stored and indexed for BM25 is done; embedding follows in the background run.
      const res = await this.knowledge.ingest({ name: job.name, bytes, maxBytes, chunking: $state.snapshot(this.chunking), embed: false, ...(sample ? { sample } : {}) }, onProgress, ctrl.signal);
      // The list first, so a finished job's document is already in it.
      await this.refresh();
      job.docId = res.id;
      job.status = 'done';
      void this.embedMissing();
    } catch (e) {
      job.status = isAbort(e) ? 'cancelled' : 'error';
      job.error = isAbort(e) ? null : e;
    } finally {
      this.#ctrls.delete(job.key);
      this.#files.delete(job.key);
      this.#sample.delete(job.key);
    }
  }

  cancel(key: number): void {
    const job = this.jobs.find((j) => j.key === key);
    if (!job) return;
    if (job.status === 'queued') {
      job.status = 'cancelled';
      this.#files.delete(key);
    }
    this.#ctrls.get(key)?.abort();
  }

  cancelAll(): void {
    for (const j of this.jobs) this.cancel(j.key);
  }

  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => j.status === 'queued' || j.status === 'working');
  }

  async remove(id: string): Promise<void> {
    await this.knowledge.deleteDocs([id]);
    await this.refresh();
  }

  async removeAll(): Promise<void> {
    await this.knowledge.deleteDocs('all');
    await this.refresh();
  }

  async saveSettings(chunking: ChunkSettings, maxFileMB: number): Promise<void> {
    const db = await this.db();
    this.chunking = { ...chunking };
    this.maxFileMB = maxFileMB;
    await setSetting(db, 'chunking', { ...chunking });
    await setSetting(db, 'maxFileMB', maxFileMB);
  }

  async reindexAll(signal?: AbortSignal): Promise<void> {
    this.reindexing = { done: 0, total: this.docs.length };
    try {
      await this.knowledge.reindex('all', $state.snapshot(this.chunking), (p) => {
        if (p.kind === 'items') this.reindexing = { done: p.done, total: p.total };
      }, signal);
    } finally {
      this.reindexing = null;
      await this.refresh();
    }
    if ((this.knowledge.index?.missing ?? 0) > 0) await this.embedMissing();
  }

  async open(id: string): Promise<{ doc: StoredDocument; chunks: ChunkRecord[] } | null> {
    const db = await this.db();
    const doc = await getDocument(db, id);
    if (!doc) return null;
    return { doc, chunks: await getChunks(db, id) };
  }
}
