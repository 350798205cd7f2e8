// The few-shot example bank: question/answer pairs the few-shot strategy draws from.

import type { ExampleRecord, LabDb } from './db';
import { withQuota } from './quota';

export type { ExampleRecord } from './db';

/** Adds or replaces an example (by id). */
export async function putExample(db: LabDb, example: ExampleRecord): Promise<void> {
  await withQuota(() => db.put('examples', example));
}

export function getExample(db: LabDb, id: string): Promise<ExampleRecord | undefined> {
  return db.get('examples', id);
}

/** All examples, oldest first (by `createdAt`). */
export async function listExamples(db: LabDb): Promise<ExampleRecord[]> {
  const all = await db.getAll('examples');
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

export async function deleteExample(db: LabDb, id: string): Promise<void> {
  await db.delete('examples', id);
}
