// The Lab: one question, the same settings, several lanes — each a method on a model — run one after
// another. Lanes that share a model run together, so models are loaded (and, when memory requires,
// swapped) once per group; the wait for a load is kept apart from the lane's own timings. Each lane
// keeps the exact prompt, tokens per part, retrieved chunks, the streamed answer, its cost and what
// actually ran. Every finished run is saved and can be reopened.

import { AppConfig } from '../config';
import { AbortError, fromWire, isAbort } from '../protocol/errors';
import type { GenParams, GenUsage, Progress, SearchHit } from '../protocol/messages';
import { runLane, type FewShotSettings, type LanePhase, type LaneRan, type RetrievalSettings } from '../lab/run-lane';
import { accountParts } from '../strategies/tokens';
import type { BuiltPrompt, ContextChunk, Example, MethodId, PartKind } from '../strategies/types';
import type { LaneSteps } from '../strategies/steps';
import { deleteExample, listExamples, putExample, type ExampleRecord } from '../store/examples';
import { getSetting, setSetting } from '../store/settings';
import { getRun, listRuns, putRun, type RunRecord } from '../store/runs';
import type { LabDb } from '../store/db';
import type { Lang } from '../i18n/lang';
import type { KnowledgeState } from './knowledge.svelte';
import type { LlmState } from './llm.svelte';
import type { ModelChoices } from './model-choices.svelte';

export type LaneStatus = 'idle' | 'queued' | 'loading' | 'retrieving' | 'generating' | 'done' | 'stopped' | 'error';

export interface Lane {
  key: number;
  method: MethodId;
  /** The model key this lane runs; null: the app's chosen model. */
  model: string | null;
  /** How long this lane waited for its model to load, ms (null when it was loaded already). */
  loadMs: number | null;
  status: LaneStatus;
  prompt: BuiltPrompt | null;
  partTokens: Record<PartKind, number> | null;
  hits: SearchHit[];
  context: ContextChunk[];
  output: string;
  usage: GenUsage | null;
  retrievalMs: number;
  /** What ran: retrieval modes and embedder, model and engine, fallbacks with reasons. */
  ran: LaneRan | null;
  /** The extra calls of a HyDE / multi-query / verified lane while it runs (saved inside `ran` once done). */
  liveSteps: LaneSteps | null;
  /** A busy server's retry wait while nothing streams yet (cleared by the first text). */
  notice: Extract<Progress, { kind: 'retry' }> | null;
  /** The user chose to run this lane without the retrieval parts that cannot load. */
  degrade: boolean;
  error: unknown;
}

export interface LabSettings {
  systemPrompt: string;
  params: GenParams;
  retrieval: RetrievalSettings;
  fewShot: FewShotSettings;
}

export const DEFAULT_LAB: LabSettings = {
  systemPrompt: 'You are a helpful assistant. Answer concisely.',
  params: { ...AppConfig.generation },
  retrieval: { k: 4, dense: true, bm25: true, rerank: false, budget: 1200 },
  fewShot: { k: 2, similar: false },
};

/** What a saved run keeps of each lane: plain data for IndexedDB, the error as its message. */
export type SavedLane = Omit<Lane, 'key' | 'error' | 'degrade' | 'liveSteps' | 'notice'> & { error: string | null };

/** Rejects with an AbortError when `signal` aborts. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new AbortError());
    signal.addEventListener('abort', () => reject(new AbortError()), { once: true });
  });
}

/** What the Lab needs from the rest of the page. */
export interface LabDeps {
  llm: Pick<LlmState, 'load' | 'generate' | 'info' | 'statusOf'>;
  models: Pick<ModelChoices, 'defaultKey'>;
  knowledge: Pick<KnowledgeState, 'laneDeps' | 'embed'>;
  db: () => Promise<LabDb>;
  /** The UI language (prompts follow it) and the chosen model id, live. */
  prefs: { readonly lang: Lang; readonly llmId: string };
  /** An error as the user reads it (saved runs keep the message). */
  err: (e: unknown) => string;
}

const blankLane = (key: number, method: MethodId, model: string | null = null): Lane => ({
  key,
  method,
  model,
  loadMs: null,
  status: 'idle',
  prompt: null,
  partTokens: null,
  hits: [],
  context: [],
  output: '',
  usage: null,
  retrievalMs: 0,
  ran: null,
  liveSteps: null,
  notice: null,
  degrade: false,
  error: null,
});

export class LabState {
  question = $state('');
  settings = $state<LabSettings>(structuredClone(DEFAULT_LAB));
  lanes = $state<Lane[]>([]);
  examples = $state<ExampleRecord[]>([]);
  history = $state.raw<RunRecord[]>([]);
  /** The run on screen, once saved (or reopened). */
  runId = $state<string | null>(null);
  runError = $state<unknown>(null);
  #nextKey = 1;
  #ctrl: AbortController | null = null;
  #queue: number[] = [];
  #running = false;

  constructor(private readonly deps: LabDeps) {
    this.lanes = (['plain', 'few-shot', 'rag'] as MethodId[]).map((m) => blankLane(this.#nextKey++, m));
  }

  async init(): Promise<void> {
    const db = await this.deps.db();
    this.settings = { ...structuredClone(DEFAULT_LAB), ...(await getSetting(db, 'lab', structuredClone(DEFAULT_LAB))) };
    this.examples = await listExamples(db);
    this.history = await listRuns(db, 50);
  }

  running = $derived(this.lanes.some((l) => l.status === 'queued' || l.status === 'loading' || l.status === 'retrieving' || l.status === 'generating'));

  async saveSettings(): Promise<void> {
    await setSetting(await this.deps.db(), 'lab', $state.snapshot(this.settings));
  }

  /** Adds a lane: a method on a model (null: the chosen model). */
  addLane(method: MethodId, model: string | null = null): void {
    this.lanes.push(blankLane(this.#nextKey++, method, model));
  }

  /** Changes the model a lane runs; its last answer no longer matches and is cleared. */
  setLaneModel(key: number, model: string | null): void {
    const i = this.lanes.findIndex((l) => l.key === key);
    if (i < 0 || this.#queue.includes(key)) return;
    this.lanes[i] = blankLane(key, this.lanes[i].method, model);
  }

  removeLane(key: number): void {
    if (this.#queue.includes(key)) this.#queue = this.#queue.filter((k) => k !== key);
    this.lanes = this.lanes.filter((l) => l.key !== key);
  }

  runAll(): void {
    this.#enqueue(this.lanes.map((l) => l.key), true);
  }

  /** `degrade`: run without the retrieval parts that cannot load (the user's explicit choice; recorded). */
  runOne(key: number, { degrade = false }: { degrade?: boolean } = {}): void {
    this.#enqueue([key], false, degrade);
  }

  #enqueue(keys: number[], fresh: boolean, degrade = false): void {
    if (!this.question.trim()) return;
    if (fresh) this.runId = null;
    for (const k of keys) {
      const i = this.lanes.findIndex((l) => l.key === k);
      if (i < 0 || this.#queue.includes(k)) continue;
      this.lanes[i] = { ...blankLane(k, this.lanes[i].method, this.lanes[i].model), status: 'queued', degrade };
      this.#queue.push(k);
    }
    void this.#drain();
  }

  /** Stops the lane generating now and everything queued after it. */
  stop(): void {
    for (const k of this.#queue) {
      const l = this.lanes.find((x) => x.key === k);
      if (l) l.status = 'idle';
    }
    this.#queue = [];
    this.#ctrl?.abort();
  }

  /** The model key a lane runs. */
  modelOf(lane: Pick<Lane, 'model'>): string {
    return lane.model ?? this.deps.models.defaultKey;
  }

  /** The next queued lane: one on the model that just ran when there is one, so models load once. */
  #next(lastModel: string | null): Lane | undefined {
    const lanes = this.#queue.map((k) => this.lanes.find((l) => l.key === k)).filter((l): l is Lane => l !== undefined);
    const pick = lanes.find((l) => this.modelOf(l) === lastModel) ?? lanes[0];
    this.#queue = this.#queue.filter((k) => k !== pick?.key);
    return pick;
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.runError = null;
    const question = this.question.trim();
    const settings = $state.snapshot(this.settings);
    const examples: Example[] = this.examples.map((e) => ({ id: e.id, question: e.question, answer: e.answer }));
    let lastModel: string | null = null;
    for (let lane = this.#next(lastModel); lane; lane = this.#next(lastModel)) {
      const model = (lastModel = this.modelOf(lane));
      const ctrl = (this.#ctrl = new AbortController());
      try {
        if (this.deps.llm.statusOf(model).phase !== 'ready') {
          lane.status = 'loading';
          const t0 = performance.now();
          // Stop ends the wait now; the load itself finishes in the background (runtimes cannot stop halfway).
          await Promise.race([this.deps.llm.load(model), abortion(ctrl.signal)]);
          lane.loadMs = performance.now() - t0;
        }
        const res = await runLane(
          question,
          { method: lane.method, systemPrompt: settings.systemPrompt, lang: this.deps.prefs.lang, params: settings.params, retrieval: settings.retrieval, fewShot: settings.fewShot, examples },
          {
            retrieval: (opts) => this.deps.knowledge.laneDeps(opts, { degrade: lane.degrade }),
            embed: (texts, kind, signal) => this.deps.knowledge.embed(texts, kind, signal),
            generate: (m, p, onToken, signal) => this.deps.llm.generate(m, p, onToken, signal, model, (n) => (lane.notice = n.kind === 'retry' ? n : lane.notice)),
          },
          {
            signal: ctrl.signal,
            onPhase: (p: LanePhase) => (lane.status = p),
            onPrompt: (prompt, hits) => {
              lane.prompt = prompt;
              lane.partTokens = accountParts(prompt.parts);
              lane.hits = hits;
            },
            onToken: (t) => {
              lane.notice = null;
              lane.output += t;
            },
            onStep: (steps) => (lane.liveSteps = $state.snapshot(steps) as LaneSteps),
          },
        );
        lane.context = res.context;
        lane.retrievalMs = res.retrievalMs;
        lane.usage = res.gen.usage;
        lane.output = res.gen.text;
        lane.ran = res.ran;
        lane.liveSteps = null;
        lane.notice = null;
        lane.status = 'done';
        // A stream cut mid-answer keeps its text and says so under it.
        if (res.gen.stopped === 'incomplete' && res.gen.incomplete) lane.error = fromWire(res.gen.incomplete);
      } catch (e) {
        lane.status = isAbort(e) ? 'stopped' : 'error';
        lane.error = isAbort(e) ? null : e;
      }
    }
    this.#ctrl = null;
    this.#running = false;
    await this.#save(question, settings).catch((e) => (this.runError = e));
  }

  async #save(question: string, settings: LabSettings): Promise<void> {
    const lanes: SavedLane[] = this.lanes
      .filter((l) => l.status !== 'idle')
      .map((l) => ({ ...$state.snapshot(l), error: l.error ? this.deps.err(l.error) : null }))
      .map(({ key: _key, degrade: _degrade, liveSteps: _live, notice: _notice, ...rest }): SavedLane => rest);
    if (!lanes.length) return;
    const info = this.deps.llm.info;
    const run: RunRecord = {
      id: this.runId ?? crypto.randomUUID(),
      createdAt: Date.now(),
      question,
      settings,
      model: info?.model ?? this.deps.prefs.llmId,
      engine: info ? `${info.engine} · ${info.device} · ${info.dtype}` : '',
      lanes,
    };
    const db = await this.deps.db();
    await putRun(db, run);
    this.runId = run.id;
    this.history = await listRuns(db, 50);
  }

  /** Puts a saved run back on screen, lanes and all. */
  async open(id: string): Promise<void> {
    const run = await getRun(await this.deps.db(), id);
    if (!run) return;
    this.question = run.question;
    this.settings = { ...structuredClone(DEFAULT_LAB), ...(run.settings as LabSettings) };
    this.lanes = (run.lanes as SavedLane[]).map((l) => ({ ...blankLane(this.#nextKey++, l.method), ...l, error: l.error }));
    this.runId = run.id;
  }

  async saveExample(e: { id?: string; question: string; answer: string }): Promise<void> {
    const db = await this.deps.db();
    const rec: ExampleRecord = { id: e.id ?? crypto.randomUUID(), question: e.question, answer: e.answer, createdAt: this.examples.find((x) => x.id === e.id)?.createdAt ?? Date.now() };
    await putExample(db, rec);
    this.examples = await listExamples(db);
  }

  async deleteExample(id: string): Promise<void> {
    const db = await this.deps.db();
    await deleteExample(db, id);
    this.examples = await listExamples(db);
  }

  /** Adds or replaces several examples at once (the sample bank). */
  async putExamples(records: ExampleRecord[]): Promise<void> {
    const db = await this.deps.db();
    for (const r of records) await putExample(db, r);
    this.examples = await listExamples(db);
  }
}
