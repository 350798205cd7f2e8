// Evaluation runs being executed: start a run of the chosen methods over the current test set,
// progress with ETA, Cancel, resume a stopped run (also after a reload), failures. Every item runs
// through the same lane path as the Lab (KnowledgeState.laneDeps for retrieval), so it runs what
// the settings say or records what it ran instead when the user chose to go on without a part.

import { judgeMessages, parseJudge, JUDGE_RESPONSE_FORMAT, JUDGE_RUBRIC_VERSION, type JudgeResult } from '../../eval/judge';
import { claimJudgeMessages, parseClaimVerdict, splitClaims, CLAIM_RESPONSE_FORMAT, CLAIM_RUBRIC_VERSION, type ClaimsResult } from '../../eval/claims';
import { locateItemGold, type GoldSpan } from '../../eval/gold';
import { isRefusal } from '../../eval/metrics';
import { stripCitations } from '../../strategies/citations';
import { preparedLibrary } from './library-text';
import { runBatch, type EvalConfig, type EvalItemResult, type Job, type RunnerProgress } from '../../eval/runner';
import { scoreItem } from '../../eval/score';
import { stepUsages } from '../../strategies/steps';
import { DEFAULT_SEED, asConfig } from '../../eval/summary';
import type { LaneResult } from '../../lab/run-lane';
import { fromWire, isAbort } from '../../protocol/errors';
import { runsInBrowser } from '../../models/model-key';
import type { GenParams, Progress } from '../../protocol/messages';
import type { EvalRunRecord, LabDb, TestItem } from '../../store/db';
import { finishedKeys, getEvalRun, listEvalRuns, putEvalItem, putEvalRun } from '../../store/runs';
import { methodInfo } from '../../strategies';
import type { MethodId } from '../../strategies/types';
import type { Lang } from '../../i18n/lang';
import type { KnowledgeState } from '../knowledge.svelte';
import type { LabState } from '../lab.svelte';
import type { LlmState } from '../llm.svelte';
import type { ModelChoices } from '../model-choices.svelte';
import type { TestSetsState } from './test-sets.svelte';

/** A stored run that stopped before finishing (reload, crash, cancel): it can be resumed. */
export interface Unfinished {
  run: EvalRunRecord;
  config: EvalConfig;
  done: number;
  total: number;
}

const JUDGE_PARAMS: GenParams = { maxNewTokens: 48, temperature: 0, topP: 1, responseFormat: JUDGE_RESPONSE_FORMAT };
const CLAIM_PARAMS: GenParams = { maxNewTokens: 32, temperature: 0, topP: 1, responseFormat: CLAIM_RESPONSE_FORMAT };

/** Parallel requests: the most allowed, and the default for runs whose every model is on a server. */
export const MAX_PARALLEL = 16;
export const SERVER_PARALLEL = 4;

export interface EvalRunsDeps {
  db: () => Promise<LabDb>;
  llm: Pick<LlmState, 'load' | 'generate'>;
  models: Pick<ModelChoices, 'defaultKey' | 'label' | 'find'>;
  knowledge: Pick<KnowledgeState, 'laneDeps' | 'embed'>;
  sets: TestSetsState;
  lab: Pick<LabState, 'settings' | 'examples'>;
  prefs: { readonly lang: Lang; readonly llmId: string; readonly embedderId: string };
  err: (e: unknown) => string;
  /** A resume refused because another model is chosen now. */
  otherModel: (model: string) => string;
  /** Called when a run stops (done, cancelled or failed), with its id: the results show it. */
  onStopped: (runId: string) => Promise<void>;
}

export class EvalRunsState {
  methods = $state<MethodId[]>(['plain', 'few-shot', 'rag']);
  /** Model keys to run the methods on; empty: the chosen model only. Two or more make a grid. */
  models = $state<string[]>([]);
  judge = $state(false);
  /** The judge's model key; null: the chosen model. */
  judgeModel = $state<string | null>(null);
  /** Answers requested at once; null: the default for the run's models (see `parallelDefault`). */
  parallel = $state<number | null>(null);
  running = $state(false);
  progress = $state<RunnerProgress | null>(null);
  /** The run being executed now. */
  activeRunId = $state<string | null>(null);
  /** The run executed last (to go on with it after an error). */
  lastRunId = $state<string | null>(null);
  failures = $state.raw<{ itemId: string; method: MethodId; message: string }[]>([]);
  /** Answers of the last run that a server cut off mid-answer (kept, marked incomplete). */
  incomplete = $state.raw<{ itemId: string; method: MethodId; model?: string; message: string }[]>([]);
  /** A busy server's retry wait during an answer (cleared when text arrives). */
  notice = $state<Extract<Progress, { kind: 'retry' }> | null>(null);
  runError = $state<unknown>(null);
  unfinished = $state.raw<Unfinished[]>([]);
  #ctrl: AbortController | null = null;

  constructor(private readonly deps: EvalRunsDeps) {}

  /** Re-reads the stored runs that can be resumed. */
  async refresh(): Promise<void> {
    const db = await this.deps.db();
    const unfinished: Unfinished[] = [];
    for (const run of await listEvalRuns(db)) {
      if (run.status === 'done' || run.id === this.activeRunId) continue;
      const config = asConfig(run);
      if (!config) continue;
      unfinished.push({ run, config, done: (await finishedKeys(db, run.id)).size, total: config.items.length * config.methods.length * (config.models?.length ?? 1) });
    }
    this.unfinished = unfinished;
  }

  toggleMethod(m: MethodId, on: boolean): void {
    this.methods = on ? [...new Set([...this.methods, m])] : this.methods.filter((x) => x !== m);
  }

  /** The models a run would use now (the chosen one when none is ticked). */
  get runModels(): string[] {
    return this.models.length ? this.models : [this.deps.models.defaultKey];
  }

  /** 4 when every model of the run is on a server; 1 when any runs in this browser (they answer one at a time anyway). */
  get parallelDefault(): number {
    return this.runModels.every((k) => !runsInBrowser(k)) ? SERVER_PARALLEL : 1;
  }

  /** Answers a run would request at once now, 1–MAX_PARALLEL. */
  get parallelNow(): number {
    const n = Math.floor(this.parallel ?? this.parallelDefault);
    return Number.isFinite(n) ? Math.min(MAX_PARALLEL, Math.max(1, n)) : 1;
  }

  /** The model that grades answers when the judge is on. */
  get judgeKey(): string {
    return this.judgeModel ?? this.deps.models.defaultKey;
  }

  toggleModel(key: string, on: boolean): void {
    const cur = this.runModels;
    this.models = on ? [...new Set([...cur, key])] : cur.filter((x) => x !== key);
  }

  /**
   * Starts a run of the selected methods over every question of the current set. `degrade`: the user
   * chose to go on without retrieval parts that cannot load (stored with the run; items record it).
   * `items`: run only these question ids (e.g. the held-out part of the set's split), in the set's order.
   */
  async start({ degrade = false, items }: { degrade?: boolean; items?: readonly string[] } = {}): Promise<void> {
    const set = this.deps.sets.set;
    const only = items ? new Set(items) : null;
    const chosen = set ? (only ? set.items.filter((it) => only.has(it.id)) : set.items) : [];
    if (this.running || !set || !chosen.length || !this.methods.length) return;
    const s = $state.snapshot(this.deps.lab.settings);
    const { prefs } = this.deps;
    const models = this.runModels;
    const grid = models.length > 1;
    // One model that is not the chosen one: the run names it (it used to fall back to the chosen model).
    const single = !grid && models[0] !== this.deps.models.defaultKey ? models[0] : undefined;
    const config: EvalConfig = {
      testSetName: set.name,
      items: $state.snapshot(chosen) as TestItem[],
      methods: [...this.methods],
      // The model asked for: the chosen model's id, or the label of the one model the run names in `modelKey`.
      llm: single ? this.deps.models.label(single) : prefs.llmId,
      model: null,
      embedder: prefs.embedderId,
      lang: prefs.lang,
      systemPrompt: s.systemPrompt,
      params: s.params,
      retrieval: s.retrieval,
      fewShot: s.fewShot,
      examples: this.deps.lab.examples.map((e) => ({ id: e.id, question: e.question, answer: e.answer })),
      judge: this.judge,
      ...(this.judge ? { judgeModel: this.judgeKey } : {}),
      ...(single ? { modelKey: single } : {}),
      parallel: this.parallelNow,
      ...(degrade ? { degrade } : {}),
      ...(grid ? { models, modelNames: Object.fromEntries(models.map((k) => [k, this.deps.models.label(k)])) } : {}),
      seed: DEFAULT_SEED,
    };
    const run: EvalRunRecord = { id: crypto.randomUUID(), testSetId: set.id, createdAt: Date.now(), status: 'running', config };
    await putEvalRun(await this.deps.db(), run);
    await this.#execute(run, config);
  }

  /** Continues a stopped run: finished question × method pairs are kept, the rest run now. */
  async resume(runId: string, { degrade = false }: { degrade?: boolean } = {}): Promise<void> {
    if (this.running) return;
    const run = await getEvalRun(await this.deps.db(), runId);
    const stored = run && asConfig(run);
    if (!run || !stored) return;
    // A one-model run resumes on the model it started with; a grid (or a run on a named model) names its models itself.
    if (!stored.models && !stored.modelKey && stored.llm !== this.deps.prefs.llmId) {
      this.runError = new Error(this.deps.otherModel(stored.llm));
      return;
    }
    // Parallel requests as set now (lowered after a busy server, say); recorded with the run.
    const config = { ...stored, ...(degrade ? { degrade } : {}), parallel: this.parallelNow };
    await this.#execute({ ...run, status: 'running', config }, config);
  }

  cancel(): void {
    this.#ctrl?.abort();
  }

  async #execute(run: EvalRunRecord, config: EvalConfig): Promise<void> {
    const ctrl = (this.#ctrl = new AbortController());
    this.running = true;
    this.runError = null;
    this.failures = [];
    this.incomplete = [];
    this.activeRunId = run.id;
    this.lastRunId = run.id;
    this.progress = null;
    const { db: openDb, llm, knowledge } = this.deps;
    const db = await openDb();
    let status: EvalRunRecord['status'] = 'cancelled';
    try {
      await putEvalRun(db, run);
      await this.refresh();
      const finished = await finishedKeys(db, run.id);
      this.progress = { total: config.items.length * config.methods.length * (config.models?.length ?? 1), done: finished.size, skipped: finished.size, failed: 0, current: null, running: 0, meanMs: null, etaMs: null, perMinute: null };
      if (!config.models) config.model = await llm.load(config.modelKey);
      await putEvalRun(db, { ...run, config });
      // Gold passages are located by position in the stored texts once per run, not per answer.
      const docs = await preparedLibrary(db);
      const gold = new Map(config.items.map((it) => [it.id, locateItemGold(it, docs)]));
      const outcome = await runBatch({
        items: config.items,
        methods: config.methods,
        models: config.models,
        finished,
        laneConfig: (method) => ({ method, systemPrompt: config.systemPrompt, lang: config.lang, params: config.params, retrieval: config.retrieval, fewShot: config.fewShot, examples: config.examples }),
        deps: (job) => ({
          retrieval: (opts) => knowledge.laneDeps(opts, { degrade: config.degrade === true }),
          embed: (texts, kind, signal) => knowledge.embed(texts, kind, signal),
          generate: (m, p, onToken, signal) =>
            llm.generate(
              m,
              p,
              (t) => {
                this.notice = null;
                onToken(t);
              },
              signal,
              job.model ?? config.modelKey,
              (n) => (this.notice = n.kind === 'retry' ? n : this.notice),
            ),
        }),
        finish: (job, res, signal) => this.#finish(run.id, config, job, res, gold.get(job.item.id) ?? [], signal),
        onProgress: (p) => (this.progress = p),
        signal: ctrl.signal,
        concurrency: config.parallel ?? 1,
      });
      this.failures = outcome.failures.map((f) => ({ itemId: f.job.item.id, method: f.job.method, message: this.deps.err(f.error) }));
      if (outcome.status === 'done') status = 'done';
      else if (outcome.status === 'failed') this.runError = outcome.failures.at(-1)?.error ?? null;
    } catch (e) {
      if (!isAbort(e)) this.runError = e;
    } finally {
      await putEvalRun(db, { ...run, config, status }).catch((e) => (this.runError = e));
      this.running = false;
      this.notice = null;
      this.activeRunId = null;
      this.#ctrl = null;
      await this.refresh();
      await this.deps.onStopped(run.id);
    }
  }

  /**
   * The model judge: 1–5 grades for the answer, then a verdict per claim against the passages shown
   * (refusals claim nothing). Each reply is kept as written next to its reading.
   */
  async #judge(config: EvalConfig, job: Job, answer: string, contextTexts: string[], signal: AbortSignal): Promise<{ judge: JudgeResult; claims: ClaimsResult | null }> {
    const { llm } = this.deps;
    const msgs = judgeMessages({ question: job.item.question, reference: job.item.answer, context: contextTexts, answer, lang: config.lang });
    // Runs stored before the judge could be chosen were judged by the chosen model.
    const judgeKey = config.judgeModel ?? this.deps.models.defaultKey;
    const g = await llm.generate(msgs, JUDGE_PARAMS, () => undefined, signal, judgeKey);
    const where = g.model.server ? ` · ${g.model.server.host}` : '';
    const judge: JudgeResult = { grades: parseJudge(g.text), raw: g.text, rubricVersion: JUDGE_RUBRIC_VERSION, model: `${g.model.model} · ${g.model.engine}${where}`, constrained: g.constrained === true };
    if (isRefusal(answer)) return { judge, claims: null };
    const claims: ClaimsResult = { judgements: [], rubricVersion: CLAIM_RUBRIC_VERSION };
    for (const claim of splitClaims(stripCitations(answer))) {
      const r = await llm.generate(claimJudgeMessages({ question: job.item.question, claim: claim.text, context: contextTexts, lang: config.lang }), CLAIM_PARAMS, () => undefined, signal, judgeKey);
      claims.judgements.push({ claim, verdict: parseClaimVerdict(r.text), raw: r.text });
    }
    return { judge, claims };
  }

  async #finish(runId: string, config: EvalConfig, job: Job, res: LaneResult, goldSpans: readonly (GoldSpan | null)[], signal: AbortSignal): Promise<void> {
    const retrieves = methodInfo(job.method).needsRetrieval;
    const byId = new Map(res.hits.map((h) => [h.chunkId, h]));
    const contextTexts = res.prompt.contextIds.map((id) => byId.get(id)?.text ?? '');
    const graded = config.judge ? await this.#judge(config, job, res.gen.text, contextTexts, signal) : null;
    const result: EvalItemResult = {
      itemId: job.item.id,
      method: job.method,
      ...(job.model !== undefined ? { model: job.model } : {}),
      answer: res.gen.text,
      stopped: res.gen.stopped,
      ...(res.gen.incomplete ? { incomplete: res.gen.incomplete } : {}),
      messages: res.prompt.messages,
      partTokens: res.partTokens,
      hits: res.hits,
      contextIds: res.prompt.contextIds,
      examplesUsed: res.examplesUsed,
      retrievalMs: res.retrievalMs,
      usage: res.gen.usage,
      ran: res.ran,
      scores: scoreItem(job.item, { answer: res.gen.text, hits: res.hits, contextTexts, retrieves, k: config.retrieval.k, usage: res.gen.usage, stepUsage: stepUsages(res.ran.steps), retrievalMs: res.retrievalMs, goldSpans }),
      judge: graded?.judge ?? null,
      claims: graded?.claims ?? null,
      thumb: null,
      finishedAt: Date.now(),
    };
    await putEvalItem(await this.deps.db(), { evalRunId: runId, itemId: job.item.id, method: job.method, ...(job.model !== undefined ? { model: job.model } : {}), result });
    if (res.gen.stopped === 'incomplete') {
      const message = this.deps.err(res.gen.incomplete ? fromWire(res.gen.incomplete) : new Error('incomplete'));
      this.incomplete = [...this.incomplete, { itemId: job.item.id, method: job.method, ...(job.model !== undefined ? { model: job.model } : {}), message }];
    }
  }
}
