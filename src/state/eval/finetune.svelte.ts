// Fine-tuning data out of the Evaluate screen: from the current test set's training questions (optionally
// RAFT-style, distractors retrieved through KnowledgeState.laneDeps with the Lab's retrieval settings) or
// from the accepted answers of the run on screen; held-out questions never written; every export logged.

import { makeExportLogEntry, makeSplit, type ExportLogEntry, type HeldOutSplit } from '../../eval/split';
import type { TestItem } from '../../eval/testset';
import {
  RAFT_DEFAULTS,
  examplesFromAccepted,
  examplesFromTestSet,
  packageExport,
  planTestSetExport,
  serializeTraining,
  type FinetuneFormat,
  type PackagedExport,
  type Retrieve,
  type SkippedItem,
  type TrainingExample,
} from '../../export/finetune';
import { hitToContext } from '../../lab/run-lane';
import { AbortError, isAbort } from '../../protocol/errors';
import type { Fallback, RetrievalRan, SearchOptions } from '../../protocol/messages';
import type { Lang } from '../../i18n/lang';
import type { KnowledgeState } from '../knowledge.svelte';
import type { LabState } from '../lab.svelte';
import type { RunView } from './results.svelte';
import type { TestSetsState } from './test-sets.svelte';

export type FinetuneSource = 'test-set' | 'accepted';

/** Why nothing was exported, when it is not an error of a part (those land in `error`). */
export type ExportProblem = 'no-set' | 'no-run' | 'no-examples' | 'no-passages';

export interface FinetuneDeps {
  sets: TestSetsState;
  results: { readonly view: RunView | null };
  knowledge: Pick<KnowledgeState, 'laneDeps'>;
  lab: Pick<LabState, 'settings'>;
  prefs: { readonly lang: Lang };
  /** Epoch ms and new ids (tests pass fixed ones). */
  now?: () => number;
  newId?: () => string;
}

/** What an export would write now: example count and why the other questions are left out. */
export interface ExportPlan {
  count: number;
  heldOut: number;
  /** With RAFT: answerable training questions without a gold passage. */
  noGold: number;
  /** Training questions without an accepted (or with an empty) answer, for the accepted source. */
  notAccepted: number;
  unanswerable: number;
  /** False: the set has no split yet, so every question counts as training. */
  hasSplit: boolean;
}

export interface ExportOutcome {
  file: PackagedExport;
  source: FinetuneSource;
  format: FinetuneFormat;
  count: number;
  heldOut: number;
  noGold: number;
  /** With RAFT: examples whose passages include the gold one, those with distractors only, mean passages. */
  raft: { withGold: number; distractorsOnly: number; meanPassages: number } | null;
  /** What the distractor searches ran, and the parts that did not run with their reasons. */
  retrieval: { ran: RetrievalRan; fallbacks: Fallback[] } | null;
  /** The entry was stored with the test set (false when the set no longer exists). */
  logged: boolean;
}

const count = (skipped: readonly SkippedItem[], reason: SkippedItem['reason']) => skipped.filter((s) => s.reason === reason).length;
/** Every question trainable: what an export uses for a set without a split (the UI says so). */
const everythingTrains = (items: readonly TestItem[]): HeldOutSplit => makeSplit(items, { seed: 0, heldOutShare: 0, now: 0 });

export class FinetuneState {
  format = $state<FinetuneFormat>('llama-factory-alpaca');
  source = $state<FinetuneSource>('test-set');
  /** Test-set source: RAFT passages; accepted source: the passages the lane retrieved. */
  raft = $state(false);
  distractors = $state<number>(RAFT_DEFAULTS.distractors);
  /** 0..1 */
  goldShare = $state<number>(RAFT_DEFAULTS.goldShare);
  running = $state(false);
  /** Questions whose passages were retrieved so far (RAFT). */
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state<unknown>(null);
  problem = $state<ExportProblem | null>(null);
  outcome = $state.raw<ExportOutcome | null>(null);
  #ctrl: AbortController | null = null;

  constructor(private readonly deps: FinetuneDeps) {}

  /** The set the accepted answers of the run on screen belong to (null when it was deleted). */
  #runSet() {
    const v = this.deps.results.view;
    return v ? (this.deps.sets.sets.find((s) => s.id === v.run.testSetId) ?? null) : null;
  }

  /** What an export from `source` would write now; null when there is nothing to export from. */
  get plan(): ExportPlan | null {
    if (this.source === 'test-set') {
      const set = this.deps.sets.set;
      if (!set) return null;
      const { itemIds, skipped } = planTestSetExport(set.items, set.split ?? everythingTrains(set.items), { raft: this.raft });
      const ids = new Set(itemIds);
      const unanswerable = set.items.filter((it) => ids.has(it.id) && it.answer.trim() === '').length;
      return { count: itemIds.length, heldOut: count(skipped, 'held-out'), noGold: count(skipped, 'no-gold-passage'), notAccepted: 0, unanswerable, hasSplit: Boolean(set.split) };
    }
    const v = this.deps.results.view;
    if (!v) return null;
    const set = this.#runSet();
    const split = set?.split ?? everythingTrains(v.config.items);
    const { examples, skipped } = examplesFromAccepted(v.config, v.results, { includeContext: this.raft, split });
    const train = new Set(split.train);
    const trainIds = v.config.items.filter((it) => train.has(it.id)).length;
    return { count: examples.length, heldOut: count(skipped, 'held-out'), noGold: 0, notAccepted: Math.max(0, trainIds - new Set(examples.map((e) => e.itemId)).size), unanswerable: 0, hasSplit: Boolean(set?.split) };
  }

  cancel(): void {
    this.#ctrl?.abort();
  }

  /**
   * Builds the export the settings describe, logs it with its test set and returns the file to save
   * (null: cancelled, nothing to export, or failed — `problem` / `error` say which). `degrade`: the
   * user chose to retrieve distractors without the parts that cannot load (recorded in the log).
   */
  async exportData({ degrade = false }: { degrade?: boolean } = {}): Promise<PackagedExport | null> {
    const outcome = await this.#export({ source: this.source, format: this.format, raft: this.raft, degrade });
    return outcome?.file ?? null;
  }

  /** The quick export of the results' export row: accepted answers as OpenAI chat JSONL, logged like any other. */
  async exportAccepted(includeContext: boolean): Promise<ExportOutcome | null> {
    return this.#export({ source: 'accepted', format: 'openai', raft: includeContext, degrade: false });
  }

  async #export(o: { source: FinetuneSource; format: FinetuneFormat; raft: boolean; degrade: boolean }): Promise<ExportOutcome | null> {
    if (this.running) return null;
    const ctrl = (this.#ctrl = new AbortController());
    this.running = true;
    this.error = null;
    this.problem = null;
    this.outcome = null;
    this.progress = null;
    try {
      const outcome = o.source === 'test-set' ? await this.#fromTestSet(o, ctrl.signal) : await this.#fromAccepted(o);
      this.outcome = outcome;
      return outcome;
    } catch (e) {
      if (!isAbort(e)) this.error = e;
      return null;
    } finally {
      this.running = false;
      this.progress = null;
      this.#ctrl = null;
    }
  }

  /**
   * The Lab's retrieval settings as a search: the same switches, small-to-big and degrade choice the
   * lanes use, so RAFT's distractors are the passages a RAG lane would show. Loading fails here, with
   * the knowledge state's specific error, before any question is searched.
   */
  async #retriever(degrade: boolean, signal: AbortSignal, questions: ReadonlySet<string>, total: number) {
    const r = $state.snapshot(this.deps.lab.settings.retrieval);
    const opts = (k: number): SearchOptions => ({ k, bm25: r.bm25, dense: r.dense, rerank: r.rerank, ...(r.smallToBig ? { smallToBig: { budget: r.budget } } : {}) });
    await this.deps.knowledge.laneDeps(opts(r.k), { degrade });
    const seen = { hits: 0, ran: null as RetrievalRan | null, fallbacks: new Map<string, Fallback>() };
    this.progress = { done: 0, total };
    const retrieve: Retrieve = async (query, k) => {
      if (signal.aborted) throw new AbortError();
      const search = await this.deps.knowledge.laneDeps(opts(k), { degrade });
      const res = await search.search(query, signal);
      seen.hits += res.hits.length;
      seen.ran ??= res.ran;
      for (const f of res.fallbacks) seen.fallbacks.set(`${f.part}:${f.code}`, f);
      if (questions.has(query) && this.progress) this.progress = { ...this.progress, done: Math.min(this.progress.total, this.progress.done + 1) };
      // A hit already inside a better-ranked hit's small-to-big passage is not shown twice (as in the lanes).
      return res.hits.filter((h) => !h.inPassageOf).map(hitToContext);
    };
    return { retrieve, seen };
  }

  async #fromTestSet(o: { format: FinetuneFormat; raft: boolean; degrade: boolean }, signal: AbortSignal): Promise<ExportOutcome | null> {
    const { sets, lab, prefs } = this.deps;
    const set = sets.set;
    if (!set) {
      this.problem = 'no-set';
      return null;
    }
    const split = (await sets.coveredSplit(set.id)) ?? everythingTrains(set.items);
    const items = sets.sets.find((s) => s.id === set.id)?.items ?? set.items;
    const planned = planTestSetExport(items, split, { raft: o.raft });
    if (!planned.itemIds.length) {
      this.problem = 'no-examples';
      return null;
    }
    const distractors = Math.max(1, Math.round(this.distractors));
    const goldShare = Math.min(1, Math.max(0, this.goldShare));
    const inPlan = new Set(planned.itemIds);
    const retriever = o.raft ? await this.#retriever(o.degrade, signal, new Set(items.filter((it) => inPlan.has(it.id)).map((it) => it.question.trim())), planned.itemIds.length) : null;
    const { examples, skipped } = await examplesFromTestSet(items, {
      lang: prefs.lang,
      systemPrompt: lab.settings.systemPrompt,
      split,
      raft: retriever ? { distractors, goldShare, seed: split.seed, retrieve: retriever.retrieve } : null,
    });
    if (signal.aborted) throw new AbortError();
    if (retriever && retriever.seen.hits === 0) {
      this.problem = 'no-passages';
      return null;
    }
    const retrieval = retriever?.seen.ran ? { ran: retriever.seen.ran, fallbacks: [...retriever.seen.fallbacks.values()] } : null;
    return this.#finish(set.id, set.name, 'test-set', o.format, examples, skipped, o.raft ? { distractors, goldShare, seed: split.seed, retrieval } : null);
  }

  async #fromAccepted(o: { format: FinetuneFormat; raft: boolean }): Promise<ExportOutcome | null> {
    const v = this.deps.results.view;
    if (!v) {
      this.problem = 'no-run';
      return null;
    }
    const set = this.#runSet();
    const split = (set && (await this.deps.sets.coveredSplit(set.id))) ?? everythingTrains(v.config.items);
    const { examples, skipped } = examplesFromAccepted(v.config, v.results, { includeContext: o.raft, split });
    if (!examples.length) {
      this.problem = 'no-examples';
      return null;
    }
    return this.#finish(v.run.testSetId, v.config.testSetName, 'accepted', o.format, examples, skipped, null);
  }

  async #finish(
    testSetId: string,
    name: string,
    source: FinetuneSource,
    format: FinetuneFormat,
    examples: TrainingExample[],
    skipped: SkippedItem[],
    raft: { distractors: number; goldShare: number; seed: number; retrieval: { ran: RetrievalRan; fallbacks: Fallback[] } | null } | null,
  ): Promise<ExportOutcome> {
    const now = this.deps.now?.() ?? Date.now();
    const exp = serializeTraining(examples, format, name);
    const file = packageExport(exp, format, name, now);
    const ran = raft?.retrieval?.ran;
    const entry: ExportLogEntry = makeExportLogEntry({
      id: this.deps.newId?.() ?? crypto.randomUUID(),
      at: now,
      testSetId,
      source,
      format,
      raft: raft
        ? { distractors: raft.distractors, goldShare: raft.goldShare, seed: raft.seed, ...(ran ? { retrieval: { bm25: ran.bm25, dense: ran.dense, rerank: ran.rerank, embedder: ran.embedder, fallbacks: (raft.retrieval?.fallbacks ?? []).map((f) => f.reason) } } : {}) }
        : null,
      itemIds: exp.itemIds,
      fileName: file.name,
    });
    const logged = await this.deps.sets.logExport(testSetId, entry);
    const withRaft = examples.filter((e) => e.raft);
    return {
      file,
      source,
      format,
      count: exp.count,
      heldOut: count(skipped, 'held-out'),
      noGold: count(skipped, 'no-gold-passage'),
      raft: withRaft.length
        ? { withGold: withRaft.filter((e) => e.raft?.gold).length, distractorsOnly: withRaft.filter((e) => !e.raft?.gold).length, meanPassages: withRaft.reduce((n, e) => n + (e.raft?.passages ?? 0), 0) / withRaft.length }
        : null,
      retrieval: raft?.retrieval ?? null,
      logged,
    };
  }
}
