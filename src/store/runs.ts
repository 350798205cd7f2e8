// Lab runs (one question answered by several lanes) and evaluation runs with their per-item results.
// Evaluation results are stored one item×method at a time, so a cancelled or crashed run resumes
// from `finishedKeys` instead of starting over.

import { inTransaction, requestAll, type EvalItemRecord, type EvalRunRecord, type LabDb, type RunRecord } from './db';
import { withQuota } from './quota';

export type { EvalItemKey, EvalItemRecord, EvalRunRecord, EvalRunStatus, RunRecord } from './db';

/** Adds or replaces a lab run (by id). */
export async function putRun(db: LabDb, run: RunRecord): Promise<void> {
  await withQuota(() => db.put('runs', run));
}

export function getRun(db: LabDb, id: string): Promise<RunRecord | undefined> {
  return db.get('runs', id);
}

/** Lab runs, newest first; at most `limit` of them when given. */
export async function listRuns(db: LabDb, limit = Infinity): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  const tx = db.transaction('runs', 'readonly');
  for (let cur = await tx.store.index('by-created').openCursor(null, 'prev'); cur && runs.length < limit; cur = await cur.continue()) {
    runs.push(cur.value);
  }
  await tx.done;
  return runs;
}

export async function deleteRun(db: LabDb, id: string): Promise<void> {
  await db.delete('runs', id);
}

/** Adds or replaces an evaluation run (by id), e.g. to change its status. */
export async function putEvalRun(db: LabDb, run: EvalRunRecord): Promise<void> {
  await withQuota(() => db.put('evalRuns', run));
}

export function getEvalRun(db: LabDb, id: string): Promise<EvalRunRecord | undefined> {
  return db.get('evalRuns', id);
}

/** Evaluation runs, newest first, optionally only those of one test set. */
export async function listEvalRuns(db: LabDb, testSetId?: string): Promise<EvalRunRecord[]> {
  const all = await db.getAll('evalRuns');
  return all.filter((r) => testSetId === undefined || r.testSetId === testSetId).sort((a, b) => b.createdAt - a.createdAt);
}

/** Removes an evaluation run and all its item results, in one transaction. */
export function deleteEvalRun(db: LabDb, id: string): Promise<void> {
  const tx = db.transaction(['evalRuns', 'evalItems'], 'readwrite');
  return inTransaction(tx, async () => {
    const keys = await tx.objectStore('evalItems').index('by-run').getAllKeys(id);
    await requestAll([
      () => tx.objectStore('evalRuns').delete(id),
      ...keys.map((k) => () => tx.objectStore('evalItems').delete(k)),
    ]);
  });
}

/** Stores (or replaces) the result of one test item under one arm (its method, and model in a grid run). */
export async function putEvalItem(db: LabDb, item: Omit<EvalItemRecord, 'arm'>): Promise<void> {
  await withQuota(() => db.put('evalItems', { ...item, arm: armOf(item.method, item.model) }));
}

/** All item results of an evaluation run, ordered by item id then method. */
export function evalItemsFor(db: LabDb, evalRunId: string): Promise<EvalItemRecord[]> {
  return db.getAllFromIndex('evalItems', 'by-run', evalRunId);
}

/** The arm a result is stored under: the method, or model and method in a grid run (methods × models). */
export function armOf(method: string, model?: string): string {
  return model === undefined ? method : `${model}\u0000${method}`;
}

/** The key `finishedKeys` uses for an item × arm pair (unambiguous whatever the ids contain). */
export function evalItemKey(itemId: string, method: string, model?: string): string {
  return JSON.stringify([itemId, armOf(method, model)]);
}

/** Item × arm pairs already done in a run, as `evalItemKey` strings: skip these when resuming. */
export async function finishedKeys(db: LabDb, evalRunId: string): Promise<Set<string>> {
  const keys = await db.getAllKeysFromIndex('evalItems', 'by-run', evalRunId);
  return new Set(keys.map(([, itemId, arm]) => JSON.stringify([itemId, arm])));
}
