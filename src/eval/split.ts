// The held-out split of a test set and the export log: which questions may be used for training and
// which are kept for evaluation, decided once (seeded, stratified by answerable/unanswerable) and
// stored with the test set; and what was exported when, so evaluating a model on questions it may
// have been trained on can be flagged. Pure: persistence belongs to the store.

import { mulberry32 } from './metrics';
import type { TestItem } from './testset';

export interface HeldOutSplit {
  version: 1;
  seed: number;
  /** Target share of each stratum held out, 0..1. */
  heldOutShare: number;
  /** Answerable and unanswerable questions were split separately (each keeps the share). */
  stratified: boolean;
  /** Item ids kept for evaluation: never exported for training. */
  heldOut: string[];
  /** Item ids that may be exported for training. */
  train: string[];
  /** Epoch ms. */
  createdAt: number;
}

export interface SplitOptions {
  seed: number;
  /** Default 0.3. */
  heldOutShare?: number;
  /** Default true. */
  stratify?: boolean;
  /** Epoch ms (passed in so the function stays pure). */
  now: number;
}

/** FNV-1a, 32-bit (Fowler–Noll–Vo; offset basis 2166136261, prime 16777619) over UTF-16 code units. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A uniform key in [0, 1) per (seed, item id): an item's place never depends on the other items. */
export function splitKey(seed: number, id: string): number {
  return mulberry32(fnv1a32(`${seed >>> 0}\u0000${id}`))();
}

const stratumOf = (it: TestItem, stratify: boolean) => (stratify ? (it.answer.trim() === '' ? 'unanswerable' : 'answerable') : 'all');

function byKey(seed: number) {
  return (a: TestItem, b: TestItem) => splitKey(seed, a.id) - splitKey(seed, b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Splits a test set: in each stratum the round(share × n) items with the smallest key are held out
 * (at least one when the stratum has two or more items and the share is above 0). Same items + seed
 * → same split, whatever their order.
 */
export function makeSplit(items: readonly TestItem[], opts: SplitOptions): HeldOutSplit {
  const share = opts.heldOutShare ?? 0.3;
  if (!(share >= 0 && share <= 1)) throw new RangeError(`heldOutShare must be between 0 and 1, got ${share}`);
  const stratify = opts.stratify ?? true;
  const strata = new Map<string, TestItem[]>();
  for (const it of items) {
    const key = stratumOf(it, stratify);
    const list = strata.get(key);
    if (list) list.push(it);
    else strata.set(key, [it]);
  }
  const held = new Set<string>();
  for (const list of strata.values()) {
    const n = list.length;
    let k = Math.round(share * n);
    if (share > 0 && n >= 2 && k === 0) k = 1;
    if (share < 1 && n >= 2 && k === n) k = n - 1;
    [...list].sort(byKey(opts.seed)).slice(0, k).forEach((it) => held.add(it.id));
  }
  return {
    version: 1,
    seed: opts.seed,
    heldOutShare: share,
    stratified: stratify,
    heldOut: items.filter((it) => held.has(it.id)).map((it) => it.id),
    train: items.filter((it) => !held.has(it.id)).map((it) => it.id),
    createdAt: opts.now,
  };
}

/**
 * Assigns questions added after the split, never moving an existing one (a held-out question that
 * became trainable could leak into training). New items go, in key order, to held-out while their
 * stratum's held-out share is below the target.
 */
export function extendSplit(split: HeldOutSplit, items: readonly TestItem[]): HeldOutSplit {
  const known = new Set([...split.heldOut, ...split.train]);
  const fresh = items.filter((it) => !known.has(it.id));
  if (!fresh.length) return split;
  const heldOut = [...split.heldOut];
  const train = [...split.train];
  const held = new Set(heldOut);
  const count = new Map<string, { held: number; all: number }>();
  for (const it of items) {
    if (!known.has(it.id)) continue;
    const s = stratumOf(it, split.stratified);
    const c = count.get(s) ?? { held: 0, all: 0 };
    c.all++;
    if (held.has(it.id)) c.held++;
    count.set(s, c);
  }
  for (const it of [...fresh].sort(byKey(split.seed))) {
    const s = stratumOf(it, split.stratified);
    const c = count.get(s) ?? { held: 0, all: 0 };
    // Hold out when that brings the stratum closer to the target share than not doing so.
    const hold = Math.abs((c.held + 1) / (c.all + 1) - split.heldOutShare) < Math.abs(c.held / (c.all + 1) - split.heldOutShare);
    c.all++;
    if (hold) {
      c.held++;
      heldOut.push(it.id);
    } else train.push(it.id);
    count.set(s, c);
  }
  return { ...split, heldOut, train };
}

/** The items that may be exported for training: in the split's train list (unknown ids are not). */
export function trainingItems<T extends { id: string }>(split: HeldOutSplit, items: readonly T[]): T[] {
  const train = new Set(split.train);
  return items.filter((it) => train.has(it.id));
}

export function isHeldOut(split: HeldOutSplit, id: string): boolean {
  return split.heldOut.includes(id);
}

// ---------------------------------------------------------------------------------------------
// Export log

export interface ExportLogEntry {
  id: string;
  /** Epoch ms. */
  at: number;
  testSetId: string;
  /** Where the answers came from: the test set's reference answers, or answers a person accepted. */
  source: 'test-set' | 'accepted';
  format: string;
  /** RAFT settings when retrieved context was included, else null. */
  raft: {
    distractors: number;
    goldShare: number;
    seed: number;
    /** What the distractor searches ran (absent in entries written before it was recorded). */
    retrieval?: { bm25: boolean; dense: boolean; rerank: boolean; embedder: string | null; fallbacks: string[] };
  } | null;
  /** The questions whose examples were written, in file order. */
  itemIds: string[];
  fileName: string;
}

/** Builds a log entry for an export; `id` and `at` are passed in so the function stays pure. */
export function makeExportLogEntry(e: ExportLogEntry): ExportLogEntry {
  const raft = e.raft ? { ...e.raft, ...(e.raft.retrieval ? { retrieval: { ...e.raft.retrieval, fallbacks: [...e.raft.retrieval.fallbacks] } } : {}) } : null;
  return { ...e, itemIds: [...e.itemIds], raft };
}

/**
 * Which of the questions about to be evaluated were exported for training from this test set, and
 * in which exports: the Evaluate screen warns when a model may have been trained on them.
 */
export function exportedOverlap(log: readonly ExportLogEntry[], testSetId: string, evaluatedIds: readonly string[]): { itemIds: string[]; entries: ExportLogEntry[] } {
  const want = new Set(evaluatedIds);
  const hit = new Set<string>();
  const entries: ExportLogEntry[] = [];
  for (const e of log) {
    if (e.testSetId !== testSetId) continue;
    const mine = e.itemIds.filter((id) => want.has(id));
    if (!mine.length) continue;
    entries.push(e);
    mine.forEach((id) => hit.add(id));
  }
  return { itemIds: evaluatedIds.filter((id) => hit.has(id)), entries };
}
