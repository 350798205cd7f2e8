// Evaluation test sets: questions with reference answers and gold passages.
// Deleting a test set keeps its evaluation runs: their measured results stay usable as evidence.

import type { LabDb, TestSetRecord } from './db';
import { withQuota } from './quota';

export type { TestItem, TestSetRecord } from './db';

/** Adds or replaces a test set (by id). */
export async function putTestSet(db: LabDb, testSet: TestSetRecord): Promise<void> {
  await withQuota(() => db.put('testsets', testSet));
}

export function getTestSet(db: LabDb, id: string): Promise<TestSetRecord | undefined> {
  return db.get('testsets', id);
}

/** All test sets, oldest first (by `createdAt`). */
export async function listTestSets(db: LabDb): Promise<TestSetRecord[]> {
  const all = await db.getAll('testsets');
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

export async function deleteTestSet(db: LabDb, id: string): Promise<void> {
  await db.delete('testsets', id);
}
