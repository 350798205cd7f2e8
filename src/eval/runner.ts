// The batch runner (DOM-free): every question × every selected method through runLane, question by
// question (so a partial run still compares methods on the same questions). Skips pairs already
// finished (resume), reports progress with an ETA from the mean item time, and stops on abort.

import { runLane, type FewShotSettings, type LaneConfig, type LaneDeps, type LaneResult, type RetrievalSettings } from '../lab/run-lane';
import { isAbort } from '../protocol/errors';
import type { ChatMessage, GenParams, GenUsage, LoadedModel, SearchHit } from '../protocol/messages';
import type { TestItem } from '../store/db';
import { evalItemKey } from '../store/runs';
import type { Example, MethodId, PartKind } from '../strategies/types';
import type { JudgeResult } from './judge';
import type { ItemScores } from './score';

/** Everything a run was made with: stored on the run, so resuming and re-importing use the same. */
export interface EvalConfig {
  testSetName: string;
  /** The questions as they were when the run started (editing the set later does not change the run). */
  items: TestItem[];
  methods: MethodId[];
  /** The model id asked for; `model` is what actually ran (engine, device, dtype). */
  llm: string;
  model: LoadedModel | null;
  embedder: string;
  lang: 'en' | 'zh';
  systemPrompt: string;
  params: GenParams;
  retrieval: RetrievalSettings;
  fewShot: FewShotSettings;
  examples: Example[];
  judge: boolean;
  /** Seed of the bootstrap intervals. */
  seed: number;
  /** Set when the run came from someone else's bundle. */
  imported?: { at: number; exportedAt: number };
}

/** One stored result: item × method. Holds what a person needs to check the score by hand. */
export interface EvalItemResult {
  itemId: string;
  method: MethodId;
  answer: string;
  stopped: 'eos' | 'length' | 'aborted';
  messages: ChatMessage[];
  partTokens: Record<PartKind, number>;
  /** Retrieval results with their scores, ranked. */
  hits: SearchHit[];
  /** Chunks placed in the prompt (after the token budget), in citation order. */
  contextIds: string[];
  examplesUsed: string[];
  retrievalMs: number;
  usage: GenUsage;
  scores: ItemScores;
  judge: JudgeResult | null;
  thumb: 'up' | 'down' | null;
  /** Epoch ms. */
  finishedAt: number;
}

export interface Job {
  item: TestItem;
  method: MethodId;
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
  laneConfig: (method: MethodId) => LaneConfig;
  deps: LaneDeps;
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
export function jobsOf(items: readonly TestItem[], methods: readonly MethodId[]): Job[] {
  return items.flatMap((item) => methods.map((method) => ({ item, method })));
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
  const all = jobsOf(opts.items, opts.methods);
  const todo = all.filter((j) => !opts.finished.has(evalItemKey(j.item.id, j.method)));
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
      const res = await runLane(job.item.question, opts.laneConfig(job.method), opts.deps, { signal: opts.signal, onToken: opts.onToken });
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
