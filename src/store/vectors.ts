// Embedding vectors, one per chunk (keyed by chunk id), tagged with the model that made them and the
// format of the text it embedded (`vectorTag`). Embedding with another model or format overwrites a
// chunk's vector; `missingVectors` finds what to (re)embed.

import { AppError } from '../protocol/errors';
import { INDEXED_TEXT_FORMAT } from '../retrieval/contextual';
import { inTransaction, requestAll, type ChunkRecord, type LabDb, type VectorRecord } from './db';
import { withQuota } from './quota';

export type { VectorRecord } from './db';

export interface VectorEntry {
  /** The chunk id. */
  id: string;
  docId: string;
  vector: Float32Array;
}

const TAG_SEPARATOR = '#';

/**
 * The `model` tag stored with vectors that `embedder` made from the current indexed text (chunk
 * header, optional context sentence, chunk text): `${embedder}#${INDEXED_TEXT_FORMAT}`. Every store
 * function below takes this tag; the UI keeps showing the embedder id.
 */
export function vectorTag(embedder: string, format = INDEXED_TEXT_FORMAT): string {
  return `${embedder}${TAG_SEPARATOR}${format}`;
}

/** The embedder and text format of a stored tag; format null for vectors stored before formats were tagged (bare chunk text). */
export function parseVectorTag(tag: string): { embedder: string; format: string | null } {
  // Model ids never contain '#' (they are paths on a model host), so the last one separates the format.
  const at = tag.lastIndexOf(TAG_SEPARATOR);
  return at === -1 ? { embedder: tag, format: null } : { embedder: tag.slice(0, at), format: tag.slice(at + 1) };
}

/**
 * A vector that owns exactly its bytes in a plain ArrayBuffer. Structured clone stores a view's
 * whole underlying buffer, so a `subarray` of a batch output would store the batch once per chunk;
 * and a SharedArrayBuffer (cross-origin isolated pages) cannot be stored at all.
 */
function compact(v: Float32Array): Float32Array {
  const owned = v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
  return owned ? v : new Float32Array(v);
}

/** Stores vectors for `model` (each of length `dim`) in one transaction, replacing any for those chunks. */
export async function putVectors(db: LabDb, model: string, dim: number, entries: readonly VectorEntry[]): Promise<void> {
  const bad = entries.find((e) => e.vector.length !== dim);
  if (bad) {
    throw new AppError('bad-request', `Vector for chunk ${bad.id} has ${bad.vector.length} dimensions; model ${model} makes ${dim}.`, { id: bad.id, dim });
  }
  const records: VectorRecord[] = entries.map((e) => ({ id: e.id, docId: e.docId, model, dim, vector: compact(e.vector) }));
  await withQuota(() => {
    const tx = db.transaction('vectors', 'readwrite');
    return inTransaction(tx, () => requestAll(records.map((r) => () => tx.store.put(r))));
  }, entries.length * (4 * dim + 96));
}

/** A vector with the chunk fields its indexed text was made from (besides the document's label). */
export interface ChunkVectorEntry {
  chunk: Pick<ChunkRecord, 'id' | 'docId' | 'text' | 'headingPath' | 'context'>;
  vector: Float32Array;
}

const samePath = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a ?? []).join('\u0000') === (b ?? []).join('\u0000');

/**
 * Stores vectors for `model` only for chunks that are still stored with the text, heading path and
 * context sentence they were embedded from, checked and written in one transaction: a chunk deleted,
 * re-chunked or given a new context sentence while its batch was being embedded gets no stale vector.
 * Returns the ids stored, in the order given.
 */
export async function putVectorsIfCurrent(db: LabDb, model: string, dim: number, entries: readonly ChunkVectorEntry[]): Promise<string[]> {
  const bad = entries.find((e) => e.vector.length !== dim);
  if (bad) {
    throw new AppError('bad-request', `Vector for chunk ${bad.chunk.id} has ${bad.vector.length} dimensions; model ${model} makes ${dim}.`, { id: bad.chunk.id, dim });
  }
  return withQuota(() => {
    const tx = db.transaction(['chunks', 'vectors'], 'readwrite');
    return inTransaction(tx, async () => {
      const current = await Promise.all(entries.map((e) => tx.objectStore('chunks').get(e.chunk.id)));
      const keep = entries.filter(({ chunk: want }, i) => {
        const c = current[i];
        return c !== undefined && c.docId === want.docId && c.text === want.text && (c.context ?? '') === (want.context ?? '') && samePath(c.headingPath, want.headingPath);
      });
      const vectors = tx.objectStore('vectors');
      await requestAll(keep.map((e) => () => vectors.put({ id: e.chunk.id, docId: e.chunk.docId, model, dim, vector: compact(e.vector) })));
      return keep.map((e) => e.chunk.id);
    });
  }, entries.length * (4 * dim + 96));
}

/**
 * Every vector made with `model`, in batches of `batchSize`, in chunk-id order. Each batch is its own
 * transaction, so the consumer may await between batches.
 */
export async function* vectorsForModel(db: LabDb, model: string, batchSize = 1000): AsyncGenerator<VectorRecord[], void, undefined> {
  if (!(batchSize >= 1)) throw new AppError('bad-request', `Batch size must be at least 1 (got ${batchSize}).`);
  let after: string | undefined;
  for (;;) {
    const tx = db.transaction('vectors', 'readonly');
    let cursor = await tx.store.index('by-model').openCursor(IDBKeyRange.only(model));
    // Resume after the last id seen: within one index key, records are ordered by primary key.
    if (cursor && after !== undefined) {
      if (cursor.primaryKey < after) cursor = await cursor.continuePrimaryKey(model, after);
      if (cursor && cursor.primaryKey === after) cursor = await cursor.continue();
    }
    const batch: VectorRecord[] = [];
    while (cursor && batch.length < batchSize) {
      batch.push(cursor.value);
      if (batch.length < batchSize) cursor = await cursor.continue();
    }
    await tx.done;
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < batchSize) return;
    after = batch[batch.length - 1].id;
  }
}

/** Number of vectors stored for `model`. */
export function countVectors(db: LabDb, model: string): Promise<number> {
  return db.countFromIndex('vectors', 'by-model', model);
}

/** Removes every vector made with `model`. */
export function deleteVectorsForModel(db: LabDb, model: string): Promise<void> {
  const tx = db.transaction('vectors', 'readwrite');
  return inTransaction(tx, async () => {
    const ids = await tx.store.index('by-model').getAllKeys(model);
    await requestAll(ids.map((id) => () => tx.store.delete(id)));
  });
}

/** Ids of chunks that have no vector made with `model` (including chunks embedded by another model). */
export async function missingVectors(db: LabDb, model: string): Promise<string[]> {
  const tx = db.transaction(['chunks', 'vectors'], 'readonly');
  // Keys only: nothing but ids is loaded, however many chunks there are.
  const [chunkIds, vectorIds] = await Promise.all([
    tx.objectStore('chunks').getAllKeys(),
    tx.objectStore('vectors').index('by-model').getAllKeys(model),
    tx.done,
  ]);
  const have = new Set(vectorIds);
  return chunkIds.filter((id) => !have.has(id));
}
