// Evaluation test sets: questions with reference answers and gold passages, their held-out split and
// the log of fine-tuning exports made from them. Deleting a test set keeps its evaluation runs: their
// measured results stay usable as evidence.

import type { ExportLogEntry } from '../eval/split';
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

/**
 * Appends one export to a test set's log, reading and writing in one transaction so an edit saved
 * at the same moment cannot drop the entry. Returns the updated set, or null when it no longer exists.
 */
export async function appendExportLog(db: LabDb, testSetId: string, entry: ExportLogEntry): Promise<TestSetRecord | null> {
  return withQuota(async () => {
    const tx = db.transaction('testsets', 'readwrite');
    const set = await tx.store.get(testSetId);
    if (!set) {
      await tx.done;
      return null;
    }
    const updated: TestSetRecord = { ...set, exports: [...(set.exports ?? []), entry] };
    await tx.store.put(updated);
    await tx.done;
    return updated;
  });
}
