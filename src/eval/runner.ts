// The batch runner (DOM-free): every question × every selected method through runLane, question by
// question (so a partial run still compares methods on the same questions). Skips pairs already
// finished (resume), reports progress with an ETA from the mean item time, and stops on abort.

import { runLane, type FewShotSettings, type LaneConfig, type LaneDeps, type LaneRan, type LaneResult, type RetrievalSettings } from '../lab/run-lane';
import type { Lang } from '../i18n/lang';
import { isAbort } from '../protocol/errors';
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
  current: Job | null;
  /** Mean ms per finished item in this session. */
  meanMs: number | null;
  /** Estimated ms left, from meanMs × remaining items. */
  etaMs: number | null;
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
}

/** Question-major order: all methods of question 1, then question 2, … */
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

export async function runBatch(opts: RunnerOptions): Promise<RunnerOutcome> {
  const now = opts.now ?? (() => performance.now());
  const maxFails = opts.maxConsecutiveFailures ?? 3;
  const all = jobsOf(opts.items, opts.methods, opts.models);
  const todo = all.filter((j) => !opts.finished.has(evalItemKey(j.item.id, j.method, j.model)));
  const skipped = all.length - todo.length;
  const durations: number[] = [];
  const failures: RunnerFailure[] = [];
  let done = skipped;
  let inARow = 0;
  const report = (current: Job | null) => {
    const remaining = all.length - done - failures.length;
    opts.onProgress?.({ total: all.length, done, skipped, failed: failures.length, current, ...estimateEta(durations, remaining) });
  };
  report(todo[0] ?? null);
  for (const job of todo) {
    if (opts.signal.aborted) return { status: 'cancelled', failures };
    report(job);
    const t0 = now();
    try {
      const res = await runLane(job.item.question, opts.laneConfig(job.method), opts.deps(job), { signal: opts.signal, onToken: opts.onToken });
      if (opts.signal.aborted) return { status: 'cancelled', failures };
      await opts.finish(job, res, opts.signal);
      durations.push(now() - t0);
      done++;
      inARow = 0;
    } catch (e) {
      if (isAbort(e) || opts.signal.aborted) return { status: 'cancelled', failures };
      failures.push({ job, error: e });
      if (++inARow >= maxFails) {
        report(null);
        return { status: 'failed', failures };
      }
    }
  }
  report(null);
  return { status: failures.length ? 'failed' : 'done', failures };
}
