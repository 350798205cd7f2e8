// The batch runner (DOM-free): every question × every selected method through runLane, question by
// question (so a partial run still compares methods on the same questions). Skips pairs already
// finished (resume), reports progress with an ETA from the mean item time, and stops on abort.
// Several answers may be requested at once (a server answers them together); each answer is
// independent of the others, so the results are the same as one at a time.

import { runLane, type FewShotSettings, type LaneConfig, type LaneDeps, type LaneRan, type LaneResult, type RetrievalSettings } from '../lab/run-lane';
import type { Lang } from '../i18n/lang';
import { isAbort, type WireError } from '../protocol/errors';
import type { ChatMessage, GenParams, GenResult, GenUsage, LoadedModel, SearchHit } from '../protocol/messages';
import type { TestItem } from '../store/db';
import { evalItemKey } from '../store/runs';
import type { Example, MethodId, PartKind } from '../strategies/types';
import type { JudgeResult } from './judge';
import type { ClaimsResult } from './claims';
import type { ItemScores } from './score';

/** Everything a run was made with: stored on the run, so resuming and re-importing use the same. */
export interface EvalConfig {
  testSetName: string;
  /** The questions as they were when the run started (editing the set later does not change the run). */
  items: TestItem[];
  methods: MethodId[];
  /** A grid run: the model keys the methods ran on (two or more), with their display names. */
  models?: string[];
  modelNames?: Record<string, string>;
  /** The model id asked for; `model` is what actually ran (engine, device, dtype). */
  llm: string;
  model: LoadedModel | null;
  embedder: string;
  lang: Lang;
  systemPrompt: string;
  params: GenParams;
  retrieval: RetrievalSettings;
  fewShot: FewShotSettings;
  examples: Example[];
  judge: boolean;
  /** The judge's model key (absent in runs stored before the judge could be chosen: the run's chosen model judged). */
  judgeModel?: string;
  /** A one-model run on a model other than the chosen one: its key (grid runs name theirs in `models`). */
  modelKey?: string;
  /** Answers requested at once when the run (last) ran. */
  parallel?: number;
  /** The user chose to run without retrieval parts that cannot load; each item records what ran. */
  degrade?: boolean;
  /** Seed of the bootstrap intervals. */
  seed: number;
  /** Set when the run came from someone else's bundle. */
  imported?: { at: number; exportedAt: number };
}

/** One stored result: item × method. Holds what a person needs to check the score by hand. */
export interface EvalItemResult {
  itemId: string;
  method: MethodId;
  /** The model key the answer came from in a grid run; absent when the run has one model. */
  model?: string;
  answer: string;
  stopped: GenResult['stopped'];
  /** Why the answer is incomplete (with `stopped: 'incomplete'`: a server's stream was cut mid-answer). */
  incomplete?: WireError;
  messages: ChatMessage[];
  partTokens: Record<PartKind, number>;
  /** Retrieval results with their scores, ranked. */
  hits: SearchHit[];
  /** Chunks placed in the prompt (after the token budget), in citation order. */
  contextIds: string[];
  examplesUsed: string[];
  retrievalMs: number;
  usage: GenUsage;
  /** What ran for this item (absent in results stored by earlier versions). */
  ran?: LaneRan;
  scores: ItemScores;
  judge: JudgeResult | null;
  /** Per-claim faithfulness verdicts (model-graded), when the judge ran. */
  claims?: ClaimsResult | null;
  thumb: 'up' | 'down' | null;
  /** Epoch ms. */
  finishedAt: number;
}

export interface Job {
  item: TestItem;
  method: MethodId;
  /** The model key in a grid run (methods × models); absent when the run has one model. */
  model?: string;
}

export interface RunnerProgress {
  total: number;
  /** Finished, including those finished before a resume. */
  done: number;
  /** Finished before this session started (skipped now). */
  skipped: number;
  /** Failed in this session (they are not stored, so a resume retries them). */
  failed: number;
  /** The first job being answered now (in run order). */
  current: Job | null;
  /** Jobs being answered now (up to `concurrency`). */
  running: number;
  /** Mean ms per finished item in this session (each item's own time, from its start to its result). */
  meanMs: number | null;
  /** Estimated ms left: meanMs × remaining items ÷ answers requested at once. */
  etaMs: number | null;
  /** Answers per minute at this pace: 60,000 × answers at once ÷ meanMs; null before the first answer. */
  perMinute: number | null;
}

export interface RunnerFailure {
  job: Job;
  error: unknown;
}

export interface RunnerOutcome {
  status: 'done' | 'cancelled' | 'failed';
  failures: RunnerFailure[];
}

export interface RunnerOptions {
  items: readonly TestItem[];
  methods: readonly MethodId[];
  /** `evalItemKey`s finished earlier (from `finishedKeys`). */
  finished: ReadonlySet<string>;
  /** A grid run's model keys (two or more); one-model runs leave it out. */
  models?: readonly string[];
  laneConfig: (method: MethodId) => LaneConfig;
  /** The lane's dependencies for a job (its model's generate in a grid run). */
  deps: (job: Job) => LaneDeps;
  /** Scores, optionally judges, and stores one result. Throwing counts the item as failed. */
  finish: (job: Job, result: LaneResult, signal: AbortSignal) => Promise<void>;
  onProgress?: (p: RunnerProgress) => void;
  onToken?: (t: string) => void;
  signal: AbortSignal;
  /** ms clock; injectable for tests. */
  now?: () => number;
  /** Stop after this many failures in a row: something is broken (no model, worker dead). */
  maxConsecutiveFailures?: number;
  /**
   * Answers requested at once (≥ 1; default 1). Jobs of one model only: a grid starts its next model
   * once every job of the previous one has finished, so models in this browser never swap mid-run.
   */
  concurrency?: number;
}

/**
 * One model: question-major (all methods of question 1, then question 2…), so a partial run still
 * compares methods on the same questions. A grid of models: model-major, so each model loads once.
 */
export function jobsOf(items: readonly TestItem[], methods: readonly MethodId[], models?: readonly string[]): Job[] {
  if (!models || models.length < 2) return items.flatMap((item) => methods.map((method) => ({ item, method })));
  return models.flatMap((model) => items.flatMap((item) => methods.map((method) => ({ item, method, model }))));
}

/** Remaining ms from the mean of the item times so far; null before the first item finishes. */
export function estimateEta(durationsMs: readonly number[], remaining: number): { meanMs: number | null; etaMs: number | null } {
  if (durationsMs.length === 0) return { meanMs: null, etaMs: remaining === 0 ? 0 : null };
  const meanMs = durationsMs.reduce((s, d) => s + d, 0) / durationsMs.length;
  return { meanMs, etaMs: meanMs * remaining };
}

/** Consecutive runs of jobs on the same model (one run for a one-model run). */
export function modelGroups(jobs: readonly Job[]): Job[][] {
  const groups: Job[][] = [];
  for (const j of jobs) {
    const last = groups.at(-1);
    if (last && last[0].model === j.model) last.push(j);
    else groups.push([j]);
  }
  return groups;
}

export async function runBatch(opts: RunnerOptions): Promise<RunnerOutcome> {
  const now = opts.now ?? (() => performance.now());
  const maxFails = opts.maxConsecutiveFailures ?? 3;
  const width = Math.max(1, Math.floor(opts.concurrency ?? 1));
  const all = jobsOf(opts.items, opts.methods, opts.models);
  const order = new Map(all.map((j, i) => [j, i]));
  const todo = all.filter((j) => !opts.finished.has(evalItemKey(j.item.id, j.method, j.model)));
  const skipped = all.length - todo.length;
  const durations: number[] = [];
  const failures: RunnerFailure[] = [];
  const inFlight: Job[] = [];
  let done = skipped;
  let inARow = 0;
  let stop: 'cancelled' | 'failed' | null = null;
  const report = () => {
    const remaining = all.length - done - failures.length;
    const { meanMs, etaMs } = estimateEta(durations, remaining);
    opts.onProgress?.({
      total: all.length,
      done,
      skipped,
      failed: failures.length,
      current: inFlight[0] ?? null,
      running: inFlight.length,
      meanMs,
      etaMs: etaMs === null ? null : etaMs / width,
      perMinute: meanMs ? (60_000 * width) / meanMs : null,
    });
  };
  const answer = async (job: Job) => {
    inFlight.push(job);
    inFlight.sort((a, b) => order.get(a)! - order.get(b)!);
    report();
    const t0 = now();
    try {
      const res = await runLane(job.item.question, opts.laneConfig(job.method), opts.deps(job), { signal: opts.signal, onToken: opts.onToken });
      if (opts.signal.aborted) return void (stop = 'cancelled');
      await opts.finish(job, res, opts.signal);
      durations.push(now() - t0);
      done++;
      inARow = 0;
    } catch (e) {
      if (isAbort(e) || opts.signal.aborted) return void (stop = 'cancelled');
      failures.push({ job, error: e });
      if (++inARow >= maxFails) stop ??= 'failed';
    } finally {
      inFlight.splice(inFlight.indexOf(job), 1);
    }
    if (!stop) report();
  };
  report();
  for (const group of modelGroups(todo)) {
    let next = 0;
    const lane = async () => {
      while (!stop && next < group.length) {
        if (opts.signal.aborted) return void (stop = 'cancelled');
        await answer(group[next++]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, group.length) }, lane));
    if (stop) break;
  }
  failures.sort((a, b) => order.get(a.job)! - order.get(b.job)!);
  if (stop === 'cancelled') return { status: 'cancelled', failures };
  report();
  return { status: failures.length ? 'failed' : 'done', failures };
}
