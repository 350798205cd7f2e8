// Documents, their text and their chunks. Each multi-record write is one transaction, so a failure
// leaves nothing half-stored. Text lives in the `texts` store, apart from the document summary,
// because a long PDF's text is megabytes and the library list must stay cheap to load.

import type { ChunkSettings } from '../chunking/chunk';
import { AppError } from '../protocol/errors';
import {
  inTransaction, requestAll,
  type ChunkRecord, type DocSummary, type LabDb, type StoredDocument,
} from './db';
import { estimateBytes, withQuota } from './quota';

export type { ChunkRecord, DocSummary, StoredDocument } from './db';

/** Fields of a stored document that may change after it was saved. */
export type DocumentPatch = Partial<Pick<DocSummary, 'name' | 'title' | 'status' | 'embedModel'>>;

function duplicateError(existingName: string): AppError {
  return new AppError('duplicate', `This file is already in the library as "${existingName}".`, { name: existingName });
}

function missingError(id: string): AppError {
  return new AppError('bad-request', 'This document is no longer in the library (it may have been deleted in another tab).', { id });
}

function checkChunks(docId: string, chunks: readonly ChunkRecord[]): void {
  const stray = chunks.find((c) => c.docId !== docId);
  if (stray) throw new AppError('bad-request', `Chunk ${stray.id} belongs to document ${stray.docId}, not ${docId}.`, { id: stray.id });
}

/**
 * Stores a document, its text and its chunks atomically; `chunkCount` is set from `chunks`.
 * Rejects with AppError 'duplicate' (detail.name = the stored document's name) when a document
 * with the same hash exists, and with 'quota-exceeded' when storage is full; either way nothing is stored.
 * `whileCommitting` runs once every write is issued, while the browser commits them (work that
 * overlaps the commit instead of following it); if the commit then fails, undoing it is the caller's.
 */
export async function saveDocumentWithChunks(db: LabDb, doc: StoredDocument, chunks: readonly ChunkRecord[], whileCommitting?: () => void): Promise<DocSummary> {
  checkChunks(doc.id, chunks);
  const { text, sections, ...rest } = doc;
  const summary: DocSummary = { ...rest, chunkCount: chunks.length };
  try {
    await withQuota(() => {
      const tx = db.transaction(['documents', 'texts', 'chunks'], 'readwrite');
      return inTransaction(tx, async () => {
        const existing = await tx.objectStore('documents').index('by-hash').get(doc.hash);
        if (existing) throw duplicateError(existing.name);
        const chunkStore = tx.objectStore('chunks');
        // `add`, not `put`: overwriting an existing id would orphan the old document's chunks.
        const written = requestAll([
          () => tx.objectStore('documents').add(summary),
          () => tx.objectStore('texts').put(sections ? { id: doc.id, text, sections } : { id: doc.id, text }),
          ...chunks.map((c) => () => chunkStore.add(c)),
        ]);
        let failed: { error: unknown } | null = null;
        if (whileCommitting) {
          commitNow(tx);
          try {
            whileCommitting();
          } catch (error) {
            failed = { error }; // the commit is under way and cannot be taken back: report after it
          }
        }
        await written;
        if (failed) throw failed.error;
      });
    }, estimateBytes(doc, chunks));
  } catch (e) {
    // Another tab may have stored the same file between our check and our write.
    if ((e as { name?: unknown } | null)?.name === 'ConstraintError') {
      const existing = await findByHash(db, doc.hash);
      if (existing) throw duplicateError(existing.name);
    }
    throw e;
  }
  return summary;
}

/** The stored document whose file has this SHA-256 hex hash, if any. */
export function findByHash(db: LabDb, hash: string): Promise<DocSummary | undefined> {
  return db.getFromIndex('documents', 'by-hash', hash);
}

/** All documents without their text, oldest first (by `addedAt`). */
export function listDocuments(db: LabDb): Promise<DocSummary[]> {
  return db.getAllFromIndex('documents', 'by-added');
}

/** A document with its text, or undefined. */
export async function getDocument(db: LabDb, id: string): Promise<StoredDocument | undefined> {
  const tx = db.transaction(['documents', 'texts'], 'readonly');
  const [summary, text] = await Promise.all([tx.objectStore('documents').get(id), tx.objectStore('texts').get(id), tx.done]);
  return summary ? { ...summary, text: text?.text ?? '', ...(text?.sections ? { sections: text.sections } : {}) } : undefined;
}

/** A document's chunks ordered by `index`. */
export async function getChunks(db: LabDb, docId: string): Promise<ChunkRecord[]> {
  const chunks = await db.getAllFromIndex('chunks', 'by-doc', docId);
  // Keys are strings ("d:10" < "d:2"), so index order must be restored explicitly.
  return chunks.sort((a, b) => a.index - b.index);
}

/** Chunks by id, in the order asked, in one read transaction; missing ids are skipped. */
export async function getChunksByIds(db: LabDb, ids: readonly string[]): Promise<ChunkRecord[]> {
  const tx = db.transaction('chunks', 'readonly');
  const found = await Promise.all(ids.map((id) => tx.store.get(id)));
  await tx.done;
  return found.filter((c): c is ChunkRecord => c !== undefined);
}

/** Changes a document's name, title, status or embedding model; returns the updated summary. */
export function updateDocument(db: LabDb, id: string, patch: DocumentPatch): Promise<DocSummary> {
  const tx = db.transaction('documents', 'readwrite');
  return inTransaction(tx, async () => {
    const current = await tx.store.get(id);
    if (!current) throw missingError(id);
    const next: DocSummary = { ...current, ...patch };
    await tx.store.put(next);
    return next;
  });
}

/** Removes a document with its text, chunks and vectors, in one transaction. */
export function deleteDocument(db: LabDb, id: string): Promise<void> {
  const tx = db.transaction(['documents', 'texts', 'chunks', 'vectors'], 'readwrite');
  return inTransaction(tx, async () => {
    const [chunkIds, vectorIds] = await Promise.all([
      tx.objectStore('chunks').index('by-doc').getAllKeys(id),
      tx.objectStore('vectors').index('by-doc').getAllKeys(id),
    ]);
    await requestAll([
      () => tx.objectStore('documents').delete(id),
      () => tx.objectStore('texts').delete(id),
      ...chunkIds.map((k) => () => tx.objectStore('chunks').delete(k)),
      ...vectorIds.map((k) => () => tx.objectStore('vectors').delete(k)),
    ]);
  });
}

/** Removes every document, text, chunk and vector. Settings, test sets and runs are kept. */
export function deleteAll(db: LabDb): Promise<void> {
  const tx = db.transaction(['documents', 'texts', 'chunks', 'vectors'], 'readwrite');
  return inTransaction(tx, () => requestAll([
    () => tx.objectStore('documents').clear(),
    () => tx.objectStore('texts').clear(),
    () => tx.objectStore('chunks').clear(),
    () => tx.objectStore('vectors').clear(),
  ]));
}

/**
 * Re-indexing: replaces a document's chunks and drops its vectors (they no longer match), in one
 * transaction. Updates `chunking` and `chunkCount` and clears `embedModel`; returns the new summary.
 */
export async function replaceChunks(db: LabDb, docId: string, chunks: readonly ChunkRecord[], chunking: ChunkSettings): Promise<DocSummary> {
  checkChunks(docId, chunks);
  let needed = 0;
  for (const c of chunks) needed += 2 * c.text.length + 128;
  return withQuota(() => {
    const tx = db.transaction(['documents', 'chunks', 'vectors'], 'readwrite');
    return inTransaction(tx, async () => {
      const docs = tx.objectStore('documents');
      const chunkStore = tx.objectStore('chunks');
      const vectorStore = tx.objectStore('vectors');
      const [current, oldChunks, oldVectors] = await Promise.all([
        docs.get(docId),
        chunkStore.index('by-doc').getAllKeys(docId),
        vectorStore.index('by-doc').getAllKeys(docId),
      ]);
      if (!current) throw missingError(docId);
      const { embedModel: _dropped, ...kept } = current;
      const next: DocSummary = { ...kept, chunking: { ...chunking }, chunkCount: chunks.length };
      // Deletes are queued before the puts, and requests run in order, so reused ids end up new.
      await requestAll([
        ...oldChunks.map((k) => () => chunkStore.delete(k)),
        ...oldVectors.map((k) => () => vectorStore.delete(k)),
        () => docs.put(next),
        ...chunks.map((c) => () => chunkStore.put(c)),
      ]);
      return next;
    });
  }, needed);
}

/** A chunk's LLM-written context sentence to store (`context: null` removes it). */
export interface ChunkContextEntry {
  /** The chunk id. */
  id: string;
  context: string | null;
  /** The model that wrote it (required with a sentence: a context always says who wrote it). */
  model?: string;
}

/**
 * Sets or removes the context sentence of chunks and drops their vectors (they were embedded from the
 * old indexed text), in one transaction. Chunks that no longer exist (re-chunked or deleted meanwhile)
 * are skipped. Returns the updated records, in the order asked.
 */
export async function setChunkContexts(db: LabDb, entries: readonly ChunkContextEntry[]): Promise<ChunkRecord[]> {
  const unsigned = entries.find((e) => e.context !== null && !e.model);
  if (unsigned) throw new AppError('bad-request', `The context sentence of chunk ${unsigned.id} does not say which model wrote it.`, { id: unsigned.id });
  let needed = 0;
  for (const e of entries) needed += 2 * (e.context?.length ?? 0) + 2 * (e.model?.length ?? 0) + 64;
  return withQuota(() => {
    const tx = db.transaction(['chunks', 'vectors'], 'readwrite');
    return inTransaction(tx, async () => {
      const chunkStore = tx.objectStore('chunks');
      const vectorStore = tx.objectStore('vectors');
      const current = await Promise.all(entries.map((e) => chunkStore.get(e.id)));
      const updated: ChunkRecord[] = [];
      entries.forEach((e, i) => {
        const c = current[i];
        if (!c) return;
        const { context: _c, contextModel: _m, ...rest } = c;
        const context = e.context?.trim();
        updated.push(context ? { ...rest, context, contextModel: e.model } : rest);
      });
      await requestAll([
        ...updated.map((c) => () => chunkStore.put(c)),
        ...updated.map((c) => () => vectorStore.delete(c.id)),
      ]);
      return updated;
    });
  }, needed);
}

/**
 * Every stored chunk, in batches of `batchSize`, in key order: for building the search index at start-up.
 * Each batch is read in its own transaction (a transaction cannot stay open while the consumer
 * awaits other work), so chunks written meanwhile may or may not be seen.
 */
export async function* iterateChunks(db: LabDb, batchSize = 500): AsyncGenerator<ChunkRecord[], void, undefined> {
  if (!(batchSize >= 1)) throw new AppError('bad-request', `Batch size must be at least 1 (got ${batchSize}).`);
  let after: string | undefined;
  for (;;) {
    const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
    const batch = await db.getAll('chunks', range, batchSize);
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < batchSize) return;
    after = batch[batch.length - 1].id;
  }
}

/**
 * Asks the browser to commit once the issued requests are done, without waiting for this thread to go
 * idle first (IDBTransaction.commit; where it is missing the transaction commits on its own as usual).
 */
function commitNow(tx: { commit?: () => void }): void {
  tx.commit?.();
}
