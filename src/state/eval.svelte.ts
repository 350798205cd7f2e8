// The Evaluate screen's state: test sets (edit, import, export), drafting questions from documents,
// batch runs (start, progress, cancel, resume after a reload), results with summaries, thumbs and
// exports. One instance per page (evalState), so a run keeps going while the user visits other screens.

import { draftMessages, parseDraft, proposalToItem, type DraftProposal } from '../eval/draft';
import { judgeMessages, parseJudge, JUDGE_RUBRIC_VERSION, type JudgeResult } from '../eval/judge';
import { runBatch, type EvalConfig, type EvalItemResult, type Job, type RunnerProgress } from '../eval/runner';
import { scoreItem } from '../eval/score';
import { DEFAULT_SEED, asConfig, loadRunSummary, summarize, type RunSummary } from '../eval/summary';
import { parseTestSet, toCsv, toJson, toJsonl, type ImportError } from '../eval/testset';
import { bundleToJson, importBundle, makeBundle, parseBundle, type BundleImport } from '../export/bundle';
import { toFinetuneJsonl } from '../export/finetune';
import { resultRows, resultsToCsv, resultsToJson } from '../export/results';
import type { LaneResult } from '../lab/run-lane';
import { isAbort } from '../protocol/errors';
import type { GenParams } from '../protocol/messages';
import type { ChunkRecord, DocSummary, EvalRunRecord, TestItem, TestSetRecord } from '../store/db';
import { getChunks, listDocuments } from '../store/documents';
import { deleteEvalRun, finishedKeys, getEvalRun, listEvalRuns, putEvalItem, putEvalRun } from '../store/runs';
import { deleteTestSet, listTestSets, putTestSet } from '../store/testsets';
import { methodInfo } from '../strategies';
import type { MethodId } from '../strategies/types';
import type { AppState } from './app.svelte';
import type { LabState } from './lab.svelte';
import { pageDb } from './library.svelte';
import type { RuntimeState } from './runtime.svelte';

/** A file the UI offers for download. */
export interface OutFile {
  name: string;
  mime: string;
  text: string;
}

export interface ImportReport {
  fileName: string;
  imported: number;
  errors: ImportError[];
}

export interface RunView {
  run: EvalRunRecord;
  config: EvalConfig;
  summary: RunSummary;
  results: EvalItemResult[];
}

/** A stored run that stopped before finishing (reload, crash, cancel): it can be resumed. */
export interface Unfinished {
  run: EvalRunRecord;
  config: EvalConfig;
  done: number;
  total: number;
}

const JUDGE_PARAMS: GenParams = { maxNewTokens: 48, temperature: 0, topP: 1 };
const DRAFT_PARAMS: GenParams = { maxNewTokens: 384, temperature: 0, topP: 1 };

function safeName(s: string): string {
  return s.replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/gu, '') || 'evaluation';
}

/** Up to n chunks spread evenly over a document, so drafting covers more than its opening. */
export function spreadChunks(chunks: readonly ChunkRecord[], n: number): ChunkRecord[] {
  if (chunks.length <= n) return [...chunks];
  return Array.from({ length: n }, (_, i) => chunks[Math.floor((i * chunks.length) / n)]);
}

export class EvalState {
  sets = $state.raw<TestSetRecord[]>([]);
  setId = $state<string | null>(null);
  importReport = $state<ImportReport | null>(null);
  error = $state<unknown>(null);
  loaded = $state(false);

  methods = $state<MethodId[]>(['plain', 'few-shot', 'rag']);
  judge = $state(false);

  running = $state(false);
  progress = $state<RunnerProgress | null>(null);
  /** The run being executed now. */
  activeRunId = $state<string | null>(null);
  failures = $state.raw<{ itemId: string; method: MethodId; message: string }[]>([]);
  runError = $state<unknown>(null);
  unfinished = $state.raw<Unfinished[]>([]);

  runs = $state.raw<EvalRunRecord[]>([]);
  view = $state.raw<RunView | null>(null);
  bundleNote = $state<({ ok: true } & BundleImport) | { ok: false; error: unknown } | null>(null);

  docs = $state.raw<DocSummary[]>([]);
  drafting = $state<{ done: number; total: number } | null>(null);
  proposals = $state<DraftProposal[]>([]);
  /** The last drafting round: chunks asked, and those whose reply could not be read as question/answer pairs. */
  draftResult = $state<{ chunks: number; unparsable: number } | null>(null);
  draftError = $state<unknown>(null);

  #ctrl: AbortController | null = null;
  #draftCtrl: AbortController | null = null;

  constructor(
    private readonly app: AppState,
    private readonly runtime: RuntimeState,
    private readonly lab: LabState,
  ) {}

  set = $derived(this.sets.find((s) => s.id === this.setId) ?? null);

  async init(): Promise<void> {
    try {
      const db = await pageDb();
      this.sets = await listTestSets(db);
      if (!this.set) this.setId = this.sets.at(-1)?.id ?? null;
      this.docs = await listDocuments(db);
      await this.#refreshRuns();
      if (!this.view && this.runs.length) await this.openRun(this.runs[0].id);
    } catch (e) {
      this.error = e;
    } finally {
      this.loaded = true;
    }
  }

  // ---------------- test sets ----------------

  async #saveSet(set: TestSetRecord): Promise<void> {
    const db = await pageDb();
    await putTestSet(db, $state.snapshot(set) as TestSetRecord);
    this.sets = await listTestSets(db);
    this.setId = set.id;
  }

  async createSet(name: string, items: TestItem[] = []): Promise<void> {
    await this.#saveSet({ id: crypto.randomUUID(), name: name.trim() || this.app.t('eval.set.untitled'), createdAt: Date.now(), items });
  }

  async renameSet(name: string): Promise<void> {
    if (this.set && name.trim()) await this.#saveSet({ ...this.set, name: name.trim() });
  }

  async deleteSet(): Promise<void> {
    if (!this.set) return;
    const db = await pageDb();
    await deleteTestSet(db, this.set.id);
    this.sets = await listTestSets(db);
    this.setId = this.sets.at(-1)?.id ?? null;
  }

  /** Adds or replaces (by `replaceId`, else by id) one question of the current set. */
  async saveItem(item: TestItem, replaceId?: string): Promise<void> {
    const set = this.set;
    if (!set) return;
    const at = set.items.findIndex((i) => i.id === (replaceId ?? item.id));
    const items = [...set.items];
    if (at >= 0) items[at] = item;
    else items.push(item);
    await this.#saveSet({ ...set, items });
  }

  async deleteItem(id: string): Promise<void> {
    if (this.set) await this.#saveSet({ ...this.set, items: this.set.items.filter((i) => i.id !== id) });
  }

  /** An id not yet used in the current set: q1, q2, … */
  nextItemId(prefix = 'q'): string {
    const used = new Set(this.set?.items.map((i) => i.id));
    let n = (this.set?.items.length ?? 0) + 1;
    while (used.has(`${prefix}${n}`)) n++;
    return `${prefix}${n}`;
  }

  /** Imports a file as a new test set named after it; bad rows are reported, good rows kept. */
  async importFile(file: File): Promise<void> {
    this.error = null;
    const text = await file.text();
    const { items, errors } = parseTestSet(file.name, text);
    this.importReport = { fileName: file.name, imported: items.length, errors };
    if (items.length) await this.createSet(file.name.replace(/\.[^.]+$/u, ''), items);
  }

  exportSet(format: 'json' | 'jsonl' | 'csv'): OutFile | null {
    const set = this.set;
    if (!set) return null;
    const base = safeName(set.name);
    if (format === 'csv') return { name: `${base}.csv`, mime: 'text/csv', text: toCsv(set.items, { bom: true }) };
    if (format === 'jsonl') return { name: `${base}.jsonl`, mime: 'application/jsonl', text: toJsonl(set.items) };
    return { name: `${base}.json`, mime: 'application/json', text: toJson(set.items) };
  }

  // ---------------- drafting ----------------

  async refreshDocs(): Promise<void> {
    this.docs = await listDocuments(await pageDb());
  }

  /** Asks the LLM for question/answer pairs about up to `perDoc` chunks of each chosen document. */
  async draft(docIds: string[], perDoc: number): Promise<void> {
    if (this.drafting) return;
    const ctrl = (this.#draftCtrl = new AbortController());
    this.draftError = null;
    this.draftResult = null;
    let unparsable = 0;
    try {
      const db = await pageDb();
      const jobs: { chunk: ChunkRecord; docName: string }[] = [];
      for (const id of docIds) {
        const doc = this.docs.find((d) => d.id === id);
        if (!doc) continue;
        for (const chunk of spreadChunks(await getChunks(db, id), perDoc)) jobs.push({ chunk, docName: doc.name });
      }
      let done = 0;
      this.drafting = { done, total: jobs.length };
      await this.runtime.loadLlm();
      for (const { chunk, docName } of jobs) {
        if (ctrl.signal.aborted) break;
        const res = await this.runtime.generate(draftMessages(chunk.text, this.app.lang), DRAFT_PARAMS, () => undefined, ctrl.signal);
        const pairs = parseDraft(res.text);
        if (!pairs.length) unparsable++;
        for (const [i, p] of pairs.entries()) {
          this.proposals.push({ ...p, key: `${chunk.id}#${i}#${Date.now()}`, sourceChunkId: chunk.id, docName, passage: chunk.text });
        }
        this.drafting = { done: ++done, total: jobs.length };
        this.draftResult = { chunks: done, unparsable };
      }
    } catch (e) {
      if (!isAbort(e)) this.draftError = e;
    } finally {
      this.drafting = null;
      this.#draftCtrl = null;
    }
  }

  cancelDraft(): void {
    this.#draftCtrl?.abort();
  }

  /** Adds the (possibly edited) proposal to the current set, creating a set when there is none. */
  async acceptProposal(p: DraftProposal): Promise<void> {
    if (!this.set) await this.createSet(this.app.t('eval.draft.setName'));
    await this.saveItem(proposalToItem(p, this.nextItemId('d')));
    this.rejectProposal(p.key);
  }

  rejectProposal(key: string): void {
    this.proposals = this.proposals.filter((p) => p.key !== key);
  }

  // ---------------- runs ----------------

  async #refreshRuns(): Promise<void> {
    const db = await pageDb();
    this.runs = await listEvalRuns(db);
    const unfinished: Unfinished[] = [];
    for (const run of this.runs) {
      if (run.status === 'done' || run.id === this.activeRunId) continue;
      const config = asConfig(run);
      if (!config) continue;
      unfinished.push({ run, config, done: (await finishedKeys(db, run.id)).size, total: config.items.length * config.methods.length });
    }
    this.unfinished = unfinished;
  }

  toggleMethod(m: MethodId, on: boolean): void {
    this.methods = on ? [...new Set([...this.methods, m])] : this.methods.filter((x) => x !== m);
  }

  /** Starts a run of the selected methods over every question of the current set. */
  async start(): Promise<void> {
    const set = this.set;
    if (this.running || !set || !set.items.length || !this.methods.length) return;
    const s = $state.snapshot(this.lab.settings);
    const config: EvalConfig = {
      testSetName: set.name,
      items: $state.snapshot(set.items) as TestItem[],
      methods: [...this.methods],
      llm: this.app.llmId,
      model: null,
      embedder: this.app.embedderId,
      lang: this.app.lang,
      systemPrompt: s.systemPrompt,
      params: s.params,
      retrieval: s.retrieval,
      fewShot: s.fewShot,
      examples: this.lab.examples.map((e) => ({ id: e.id, question: e.question, answer: e.answer })),
      judge: this.judge,
      seed: DEFAULT_SEED,
    };
    const run: EvalRunRecord = { id: crypto.randomUUID(), testSetId: set.id, createdAt: Date.now(), status: 'running', config };
    await putEvalRun(await pageDb(), run);
    await this.#execute(run, config);
  }

  /** Continues a stopped run: finished question × method pairs are kept, the rest run now. */
  async resume(runId: string): Promise<void> {
    if (this.running) return;
    const db = await pageDb();
    const run = await getEvalRun(db, runId);
    const config = run && asConfig(run);
    if (!run || !config) return;
    if (config.llm !== this.app.llmId) {
      this.runError = new Error(this.app.t('eval.run.otherModel', { model: config.llm }));
      return;
    }
    await this.#execute({ ...run, status: 'running' }, config);
  }

  cancel(): void {
    this.#ctrl?.abort();
  }

  async #execute(run: EvalRunRecord, config: EvalConfig): Promise<void> {
    const ctrl = (this.#ctrl = new AbortController());
    this.running = true;
    this.runError = null;
    this.failures = [];
    this.activeRunId = run.id;
    this.progress = null;
    const db = await pageDb();
    let status: EvalRunRecord['status'] = 'cancelled';
    try {
      await putEvalRun(db, run);
      await this.#refreshRuns();
      const finished = await finishedKeys(db, run.id);
      this.progress = { total: config.items.length * config.methods.length, done: finished.size, skipped: finished.size, failed: 0, current: null, meanMs: null, etaMs: null };
      config.model = await this.runtime.loadLlm();
      await putEvalRun(db, { ...run, config });
      const outcome = await runBatch({
        items: config.items,
        methods: config.methods,
        finished,
        laneConfig: (method) => ({ method, systemPrompt: config.systemPrompt, lang: config.lang, params: config.params, retrieval: config.retrieval, fewShot: config.fewShot, examples: config.examples }),
        deps: {
          search: (q, opts, signal) => this.app.knowledge.search(q, opts, signal),
          embed: (texts, kind, signal) => this.runtime.embed(texts, kind, signal),
          generate: (m, p, onToken, signal) => this.runtime.generate(m, p, onToken, signal),
        },
        finish: (job, res, signal) => this.#finish(run.id, config, job, res, signal),
        onProgress: (p) => (this.progress = p),
        signal: ctrl.signal,
      });
      this.failures = outcome.failures.map((f) => ({ itemId: f.job.item.id, method: f.job.method, message: this.app.err(f.error) }));
      if (outcome.status === 'done') status = 'done';
      else if (outcome.status === 'failed') this.runError = outcome.failures.at(-1)?.error ?? null;
    } catch (e) {
      if (!isAbort(e)) this.runError = e;
    } finally {
      await putEvalRun(db, { ...run, config, status }).catch((e) => (this.runError = e));
      this.running = false;
      this.activeRunId = null;
      this.#ctrl = null;
      await this.#refreshRuns();
      await this.openRun(run.id);
    }
  }

  async #finish(runId: string, config: EvalConfig, job: Job, res: LaneResult, signal: AbortSignal): Promise<void> {
    const retrieves = methodInfo(job.method).needsRetrieval;
    const byId = new Map(res.hits.map((h) => [h.chunkId, h]));
    const contextTexts = res.prompt.contextIds.map((id) => byId.get(id)?.text ?? '');
    let judge: JudgeResult | null = null;
    if (config.judge) {
      const msgs = judgeMessages({ question: job.item.question, reference: job.item.answer, context: contextTexts, answer: res.gen.text, lang: config.lang });
      const g = await this.runtime.generate(msgs, JUDGE_PARAMS, () => undefined, signal);
      judge = { grades: parseJudge(g.text), raw: g.text, rubricVersion: JUDGE_RUBRIC_VERSION };
    }
    const result: EvalItemResult = {
      itemId: job.item.id,
      method: job.method,
      answer: res.gen.text,
      stopped: res.gen.stopped,
      messages: res.prompt.messages,
      partTokens: res.partTokens,
      hits: res.hits,
      contextIds: res.prompt.contextIds,
      examplesUsed: res.examplesUsed,
      retrievalMs: res.retrievalMs,
      usage: res.gen.usage,
      scores: scoreItem(job.item, { answer: res.gen.text, hits: res.hits, contextTexts, retrieves, k: config.retrieval.k, usage: res.gen.usage, retrievalMs: res.retrievalMs }),
      judge,
      thumb: null,
      finishedAt: Date.now(),
    };
    await putEvalItem(await pageDb(), { evalRunId: runId, itemId: job.item.id, method: job.method, result });
  }

  // ---------------- results ----------------

  async openRun(id: string): Promise<void> {
    const db = await pageDb();
    const run = await getEvalRun(db, id);
    const loaded = run ? await loadRunSummary(db, run) : null;
    this.view = run && loaded ? { run, ...loaded } : null;
  }

  async deleteRun(id: string): Promise<void> {
    await deleteEvalRun(await pageDb(), id);
    if (this.view?.run.id === id) this.view = null;
    await this.#refreshRuns();
    if (!this.view && this.runs.length) await this.openRun(this.runs[0].id);
  }

  /** Records the user's verdict on one answer (click again to clear it). */
  async setThumb(itemId: string, method: MethodId, thumb: 'up' | 'down'): Promise<void> {
    const v = this.view;
    if (!v) return;
    const i = v.results.findIndex((r) => r.itemId === itemId && r.method === method);
    if (i < 0) return;
    const updated = { ...v.results[i], thumb: v.results[i].thumb === thumb ? null : thumb };
    await putEvalItem(await pageDb(), { evalRunId: v.run.id, itemId, method, result: updated });
    const results = v.results.with(i, updated);
    this.view = { ...v, results, summary: summarize(v.run.id, v.config, results) };
  }

  #base(v: RunView): string {
    return `${safeName(v.config.testSetName)}-${new Date(v.run.createdAt).toISOString().slice(0, 10)}`;
  }

  resultsFile(format: 'csv' | 'json'): OutFile | null {
    const v = this.view;
    if (!v) return null;
    const rows = resultRows(v.run.id, v.config, v.results);
    return format === 'csv'
      ? { name: `${this.#base(v)}-results.csv`, mime: 'text/csv', text: resultsToCsv(rows) }
      : { name: `${this.#base(v)}-results.json`, mime: 'application/json', text: resultsToJson(v.run.id, v.config, v.summary, rows) };
  }

  finetuneFile(includeContext: boolean): (OutFile & { count: number }) | null {
    const v = this.view;
    if (!v) return null;
    const { text, count } = toFinetuneJsonl(v.config, v.results, { includeContext });
    return { name: `${this.#base(v)}-finetune${includeContext ? '-with-context' : ''}.jsonl`, mime: 'application/jsonl', text, count };
  }

  bundleFile(): OutFile | null {
    const v = this.view;
    if (!v) return null;
    return { name: `${this.#base(v)}-bundle.json`, mime: 'application/json', text: bundleToJson(makeBundle(v.run, v.config, v.results, v.summary)) };
  }

  async importBundleFile(file: File): Promise<void> {
    this.bundleNote = null;
    try {
      const db = await pageDb();
      const note = await importBundle(db, parseBundle(await file.text()));
      this.sets = await listTestSets(db);
      await this.#refreshRuns();
      await this.openRun(note.runId);
      this.bundleNote = { ok: true, ...note };
    } catch (e) {
      this.bundleNote = { ok: false, error: e };
    }
  }

}

let instance: EvalState | null = null;

/** The page's one EvalState: created on first use, kept while the user switches screens. */
export function evalState(app: AppState, runtime: RuntimeState, lab: LabState): EvalState {
  instance ??= new EvalState(app, runtime, lab);
  return instance;
}
