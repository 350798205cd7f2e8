// Approximate on-disk size of what the app stores, for the Models & Storage screen and quota checks.
// Figures are estimates (strings counted as UTF-16, records walked structurally): browsers compress
// and add overhead differently, and reading exact usage per store is not possible.

import { STORE_NAMES, type LabDb } from './db';

/** Bytes per part of the database. `documents` includes the documents' text. */
export interface StoreSizes {
  documents: number;
  chunks: number;
  vectors: number;
  /** Settings, examples, test sets, runs and evaluation results. */
  other: number;
  total: number;
}

/** Rough serialized size of a structured-cloneable value, in bytes. */
export function approxBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 2 * value.length + 4;
  if (typeof value === 'number' || typeof value === 'bigint') return 8;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (ArrayBuffer.isView(value)) return value.byteLength + 16;
  if (value instanceof ArrayBuffer) return value.byteLength + 16;
  // Records are plain JSON-like trees; the cap only guards against a cycle slipping in.
  if (typeof value !== 'object' || depth > 32) return 0;
  let total = 8;
  if (Array.isArray(value)) {
    for (const item of value) total += approxBytes(item, depth + 1);
    return total;
  }
  for (const [key, item] of Object.entries(value)) total += 2 * key.length + approxBytes(item, depth + 1);
  return total;
}

/** Estimated bytes per store. Walks chunks with a cursor; vectors are counted per model, not read. */
export async function storeSizes(db: LabDb): Promise<StoreSizes> {
  const tx = db.transaction([...STORE_NAMES], 'readonly');

  let documents = 0;
  for (const doc of await tx.objectStore('documents').getAll()) {
    // `chars` is the text length, so the multi-megabyte texts never have to be loaded.
    documents += approxBytes(doc) + 2 * doc.chars + 4;
  }

  let chunks = 0;
  for (let cur = await tx.objectStore('chunks').openCursor(); cur; cur = await cur.continue()) {
    chunks += approxBytes(cur.value);
  }

  let vectors = 0;
  const byModel = tx.objectStore('vectors').index('by-model');
  for (let cur = await byModel.openCursor(null, 'nextunique'); cur; cur = await cur.continue()) {
    const count = await byModel.count(cur.value.model);
    vectors += count * (approxBytes(cur.value) - approxBytes(cur.value.vector) + 4 * cur.value.dim + 16);
  }

  let other = 0;
  for (const name of ['settings', 'examples', 'testsets', 'runs', 'evalRuns', 'evalItems'] as const) {
    for (const value of await tx.objectStore(name).getAll()) other += approxBytes(value);
  }
  await tx.done;
  return { documents, chunks, vectors, other, total: documents + chunks + vectors + other };
}
