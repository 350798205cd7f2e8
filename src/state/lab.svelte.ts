// The Lab: one question, one model, the same settings, several lanes (methods) run one after another
// on the loaded model. Each lane keeps the exact prompt, tokens per part, retrieved chunks, the
// streamed answer and its cost. Every finished run is saved and can be reopened.

import { AppConfig } from '../config';
import { isAbort } from '../protocol/errors';
import type { GenParams, GenUsage, LoadedModel, SearchHit } from '../protocol/messages';
import { runLane, type FewShotSettings, type LanePhase, type RetrievalSettings } from '../lab/run-lane';
import { accountParts } from '../strategies/tokens';
import type { BuiltPrompt, ContextChunk, Example, MethodId, PartKind } from '../strategies/types';
import { deleteExample, listExamples, putExample, type ExampleRecord } from '../store/examples';
import { getSetting, setSetting } from '../store/settings';
import { getRun, listRuns, putRun, type RunRecord } from '../store/runs';
import type { AppState } from './app.svelte';
import { pageDb } from './library.svelte';
import type { RuntimeState } from './runtime.svelte';

export type LaneStatus = 'idle' | 'queued' | 'retrieving' | 'generating' | 'done' | 'stopped' | 'error';

export interface Lane {
  key: number;
  method: MethodId;
  status: LaneStatus;
  prompt: BuiltPrompt | null;
  partTokens: Record<PartKind, number> | null;
  hits: SearchHit[];
  context: ContextChunk[];
  output: string;
  usage: GenUsage | null;
  retrievalMs: number;
  model: LoadedModel | null;
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
export type SavedLane = Omit<Lane, 'key' | 'error'> & { error: string | null };

const blankLane = (key: number, method: MethodId): Lane => ({
  key,
  method,
  status: 'idle',
  prompt: null,
  partTokens: null,
  hits: [],
  context: [],
  output: '',
  usage: null,
  retrievalMs: 0,
  model: null,
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

  constructor(
    private readonly app: AppState,
    private readonly runtime: RuntimeState,
  ) {
    this.lanes = (['plain', 'few-shot', 'rag'] as MethodId[]).map((m) => blankLane(this.#nextKey++, m));
  }

  async init(): Promise<void> {
    const db = await pageDb();
    this.settings = { ...structuredClone(DEFAULT_LAB), ...(await getSetting(db, 'lab', structuredClone(DEFAULT_LAB))) };
    this.examples = await listExamples(db);
    this.history = await listRuns(db, 50);
  }

  running = $derived(this.lanes.some((l) => l.status === 'queued' || l.status === 'retrieving' || l.status === 'generating'));

  async saveSettings(): Promise<void> {
    await setSetting(await pageDb(), 'lab', $state.snapshot(this.settings));
  }

  addLane(method: MethodId): void {
    this.lanes.push(blankLane(this.#nextKey++, method));
  }

  removeLane(key: number): void {
    if (this.#queue.includes(key)) this.#queue = this.#queue.filter((k) => k !== key);
    this.lanes = this.lanes.filter((l) => l.key !== key);
  }

  runAll(): void {
    this.#enqueue(this.lanes.map((l) => l.key), true);
  }

  runOne(key: number): void {
    this.#enqueue([key], false);
  }

  #enqueue(keys: number[], fresh: boolean): void {
    if (!this.question.trim()) return;
    if (fresh) this.runId = null;
    for (const k of keys) {
      const i = this.lanes.findIndex((l) => l.key === k);
      if (i < 0 || this.#queue.includes(k)) continue;
      this.lanes[i] = { ...blankLane(k, this.lanes[i].method), status: 'queued' };
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

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.runError = null;
    const question = this.question.trim();
    try {
      await this.runtime.loadLlm();
    } catch (e) {
      this.runError = e;
      for (const k of this.#queue) {
        const l = this.lanes.find((x) => x.key === k);
        if (l) l.status = 'idle';
      }
      this.#queue = [];
      this.#running = false;
      return;
    }
    const settings = $state.snapshot(this.settings);
    const examples: Example[] = this.examples.map((e) => ({ id: e.id, question: e.question, answer: e.answer }));
    while (this.#queue.length) {
      const key = this.#queue.shift()!;
      const lane = this.lanes.find((l) => l.key === key);
      if (!lane) continue;
      const ctrl = (this.#ctrl = new AbortController());
      try {
        const res = await runLane(
          question,
          { method: lane.method, systemPrompt: settings.systemPrompt, lang: this.app.lang, params: settings.params, retrieval: settings.retrieval, fewShot: settings.fewShot, examples },
          {
            search: (q, opts, signal) => this.app.knowledge.search(q, opts, signal),
            embed: (texts, kind, signal) => this.runtime.embed(texts, kind, signal),
            generate: (m, p, onToken, signal) => this.runtime.generate(m, p, onToken, signal),
          },
          {
            signal: ctrl.signal,
            onPhase: (p: LanePhase) => (lane.status = p),
            onPrompt: (prompt, hits) => {
              lane.prompt = prompt;
              lane.partTokens = accountParts(prompt.parts);
              lane.hits = hits;
            },
            onToken: (t) => (lane.output += t),
          },
        );
        lane.context = res.context;
        lane.retrievalMs = res.retrievalMs;
        lane.usage = res.gen.usage;
        lane.output = res.gen.text;
        lane.model = this.runtime.llm.info;
        lane.status = 'done';
      } catch (e) {
        lane.status = isAbort(e) ? 'stopped' : 'error';
        lane.error = isAbort(e) ? null : e;
        lane.model = this.runtime.llm.info;
      }
    }
    this.#ctrl = null;
    this.#running = false;
    await this.#save(question, settings).catch((e) => (this.runError = e));
  }

  async #save(question: string, settings: LabSettings): Promise<void> {
    const lanes: SavedLane[] = this.lanes
      .filter((l) => l.status !== 'idle')
      .map((l) => ({ ...$state.snapshot(l), error: l.error ? this.app.err(l.error) : null }))
      .map(({ key: _key, ...rest }) => rest as SavedLane);
    if (!lanes.length) return;
    const info = this.runtime.llm.info;
    const run: RunRecord = {
      id: this.runId ?? crypto.randomUUID(),
      createdAt: Date.now(),
      question,
      settings,
      model: info?.model ?? this.app.llmId,
      engine: info ? `${info.engine} · ${info.device} · ${info.dtype}` : '',
      lanes,
    };
    const db = await pageDb();
    await putRun(db, run);
    this.runId = run.id;
    this.history = await listRuns(db, 50);
  }

  /** Puts a saved run back on screen, lanes and all. */
  async open(id: string): Promise<void> {
    const run = await getRun(await pageDb(), id);
    if (!run) return;
    this.question = run.question;
    this.settings = { ...structuredClone(DEFAULT_LAB), ...(run.settings as LabSettings) };
    this.lanes = (run.lanes as SavedLane[]).map((l) => ({ ...blankLane(this.#nextKey++, l.method), ...l, error: l.error }));
    this.runId = run.id;
  }

  async saveExample(e: { id?: string; question: string; answer: string }): Promise<void> {
    const db = await pageDb();
    const rec: ExampleRecord = { id: e.id ?? crypto.randomUUID(), question: e.question, answer: e.answer, createdAt: this.examples.find((x) => x.id === e.id)?.createdAt ?? Date.now() };
    await putExample(db, rec);
    this.examples = await listExamples(db);
  }

  async deleteExample(id: string): Promise<void> {
    const db = await pageDb();
    await deleteExample(db, id);
    this.examples = await listExamples(db);
  }

  /** Adds or replaces several examples at once (the sample bank). */
  async putExamples(records: ExampleRecord[]): Promise<void> {
    const db = await pageDb();
    for (const r of records) await putExample(db, r);
    this.examples = await listExamples(db);
  }
}
