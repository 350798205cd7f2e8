// The IndexedDB schema (record types, stores, indexes) and the one place the database is opened.
// Document text lives in its own `texts` store so listing documents never loads megabytes of text.
// Used from the page and from workers, so nothing here may touch the DOM.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChunkSettings } from '../chunking/chunk';
import type { Section } from '../extract/types';

export const DB_NAME = 'method-lab';
export const DB_VERSION = 2;


export type DocumentStatus = 'ready' | 'embedding' | 'error';

/** What the `documents` store holds: everything about a document except its text. */
export interface DocSummary {
  id: string;
  name: string;
  /** Detected kind, e.g. 'pdf' | 'docx' | 'html' | 'text'. */
  kind: string;
  /** File size in bytes. */
  size: number;
  /** SHA-256 of the file bytes, lowercase hex. Unique: the same file is never stored twice. */
  hash: string;
  pages?: number;
  /** Length of the extracted text in UTF-16 code units. */
  chars: number;
  chunkCount: number;
  /** Epoch ms. */
  addedAt: number;
  status: DocumentStatus;
  encoding?: string;
  title?: string;
  chunking: ChunkSettings;
  sample?: boolean;
  /** The embedding model the document's vectors were made with, once embedded. */
  embedModel?: string;
}

/** A document with its extracted text, as saved and as returned by `getDocument`. */
export interface StoredDocument extends DocSummary {
  text: string;
  sections?: Section[];
}

export interface TextRecord {
  /** The document id. */
  id: string;
  text: string;
  sections?: Section[];
}

export interface ChunkRecord {
  /** `${docId}:${index}` */
  id: string;
  docId: string;
  index: number;
  text: string;
  /** Offsets into the document text, UTF-16 code units, end exclusive. */
  start: number;
  end: number;
  page?: number;
  headingPath?: string[];
  tokens: number;
  /**
   * One sentence situating the chunk in its document, written by an LLM when the user asked for it;
   * indexed (BM25 and embeddings) between the chunk's header and its text.
   */
  context?: string;
  /** The LLM that wrote `context`, as its engine reported the model id. */
  contextModel?: string;
}

export interface VectorRecord {
  /** The chunk id: one vector per chunk, so embedding with another model replaces it. */
  id: string;
  docId: string;
  /**
   * What made the vector: the embedder id and the format of the text it embedded
   * (`vectorTag` in vectors.ts, e.g. "Xenova/bge-small-zh-v1.5#ctx1"). Vectors stored before the
   * indexed text carried headers hold the bare embedder id, so they never match a current tag.
   */
  model: string;
  dim: number;
  vector: Float32Array;
}

export interface ExampleRecord {
  id: string;
  question: string;
  answer: string;
  /** Epoch ms. */
  createdAt: number;
  sample?: boolean;
}

/** A test question as stored; the format is defined with the test-set import/export. */
import type { TestItem } from '../eval/testset';
import type { ExportLogEntry, HeldOutSplit } from '../eval/split';
export type { TestItem };

export interface TestSetRecord {
  id: string;
  name: string;
  /** Epoch ms. */
  createdAt: number;
  items: TestItem[];
  sample?: boolean;
  /** Which questions may be exported for training and which are kept for evaluation (absent: none chosen yet). */
  split?: HeldOutSplit;
  /** Every fine-tuning export made from this set, oldest first: what was exported, when, in which format. */
  exports?: ExportLogEntry[];
}

export interface RunRecord {
  id: string;
  /** Epoch ms. */
  createdAt: number;
  question: string;
  settings: unknown;
  model: string;
  engine: string;
  lanes: unknown[];
}

export type EvalRunStatus = 'running' | 'done' | 'cancelled';

export interface EvalRunRecord {
  id: string;
  testSetId: string;
  /** Epoch ms. */
  createdAt: number;
  status: EvalRunStatus;
  config: unknown;
}

export type EvalItemKey = [evalRunId: string, itemId: string, arm: string];

export interface EvalItemRecord {
  evalRunId: string;
  itemId: string;
  method: string;
  /** What the result is stored under within its item: the method, or model and method in a grid run (store/runs.ts armOf). */
  arm: string;
  /** The model key of a grid run's result. */
  model?: string;
  result: unknown;
}

export interface LabDB extends DBSchema {
  documents: { key: string; value: DocSummary; indexes: { 'by-hash': string; 'by-added': number } };
  texts: { key: string; value: TextRecord };
  chunks: { key: string; value: ChunkRecord; indexes: { 'by-doc': string } };
  vectors: { key: string; value: VectorRecord; indexes: { 'by-doc': string; 'by-model': string } };
  settings: { key: string; value: unknown };
  examples: { key: string; value: ExampleRecord };
  testsets: { key: string; value: TestSetRecord };
  runs: { key: string; value: RunRecord; indexes: { 'by-created': number } };
  evalRuns: { key: string; value: EvalRunRecord };
  evalItems: { key: EvalItemKey; value: EvalItemRecord; indexes: { 'by-run': string } };
}

export type LabDb = IDBPDatabase<LabDB>;

export const STORE_NAMES = [
  'documents', 'texts', 'chunks', 'vectors', 'settings', 'examples', 'testsets', 'runs', 'evalRuns', 'evalItems',
] as const satisfies readonly (keyof LabDB)[];

export interface OpenDbHooks {
  /** Another tab holds an older connection open; the open waits until it closes. Tell the user. */
  blocked?: () => void;
  /** This connection was closed so another tab could upgrade; it must be reopened (reload). */
  closed?: () => void;
}

/** Opens (creating or upgrading) the database. Each call returns a new connection. */
export async function openDb(name = DB_NAME, hooks: OpenDbHooks = {}): Promise<LabDb> {
  // `blocking` can only fire after the open resolved, so `conn` is set by then.
  let conn: LabDb | undefined = undefined;
  conn = await openDB<LabDB>(name, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      // Each case upgrades from that version to the next and falls through, so a user on any old
      // version runs every later step in order. Add `case 1:` etc. above `break` for new versions.
      switch (oldVersion) {
        case 0: {
          const documents = db.createObjectStore('documents', { keyPath: 'id' });
          documents.createIndex('by-hash', 'hash', { unique: true });
          documents.createIndex('by-added', 'addedAt');
          db.createObjectStore('texts', { keyPath: 'id' });
          db.createObjectStore('chunks', { keyPath: 'id' }).createIndex('by-doc', 'docId');
          const vectors = db.createObjectStore('vectors', { keyPath: 'id' });
          vectors.createIndex('by-doc', 'docId');
          vectors.createIndex('by-model', 'model');
          db.createObjectStore('settings');
          db.createObjectStore('examples', { keyPath: 'id' });
          db.createObjectStore('testsets', { keyPath: 'id' });
          db.createObjectStore('runs', { keyPath: 'id' }).createIndex('by-created', 'createdAt');
          db.createObjectStore('evalRuns', { keyPath: 'id' });
          db.createObjectStore('evalItems', { keyPath: ['evalRunId', 'itemId', 'method'] })
            .createIndex('by-run', 'evalRunId');
        }
        // falls through
        case 1: {
          // Results are keyed by arm (the method, or model and method in a grid run), so one question
          // can hold answers from several models. Existing results move over with arm = method.
          void (async () => {
            const old = await tx.objectStore('evalItems').getAll();
            db.deleteObjectStore('evalItems');
            const store = db.createObjectStore('evalItems', { keyPath: ['evalRunId', 'itemId', 'arm'] });
            store.createIndex('by-run', 'evalRunId');
            for (const r of old) await store.put({ ...r, arm: r.arm ?? r.method });
          })();
        }
        // falls through
        default:
          break;
      }
    },
    blocked() {
      hooks.blocked?.();
    },
    blocking() {
      // Holding on would stall the other tab's upgrade forever; closing lets it proceed.
      conn?.close();
      hooks.closed?.();
    },
    terminated() {
      hooks.closed?.();
    },
  });
  return conn;
}

interface Tx {
  done: Promise<void>;
  error: DOMException | null;
  abort(): void;
}

/**
 * Runs `work` inside `tx` and resolves once the transaction has committed. If `work` throws, even
 * synchronously after earlier requests were queued, the transaction is aborted so nothing it wrote
 * is kept: without the explicit abort, IndexedDB would commit the requests that did succeed.
 * Rejects with the transaction's own error when it has one (e.g. QuotaExceededError at commit),
 * rather than the AbortError its requests see.
 */
export async function inTransaction<T>(tx: Tx, work: () => Promise<T>): Promise<T> {
  try {
    // Both promises are observed at once so an early abort is never an unhandled rejection.
    const [result] = await Promise.all([work(), tx.done]);
    return result;
  } catch (e) {
    abortQuietly(tx);
    throw tx.error ?? e;
  }
}

function abortQuietly(tx: Tx): void {
  try {
    tx.abort();
  } catch (e) {
    // InvalidStateError means it already finished (the failing request aborted it): the goal.
    if ((e as { name?: unknown } | null)?.name !== 'InvalidStateError') throw e;
  }
}

/**
 * Issues every request at once (they pipeline inside one transaction) and waits for all. A request
 * that throws synchronously (an invalid key, an uncloneable value) rejects the whole call; the ones
 * already issued are still observed, since they will reject with AbortError when the caller aborts.
 */
export async function requestAll(ops: Iterable<() => Promise<unknown>>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  try {
    for (const op of ops) pending.push(op());
  } catch (e) {
    void Promise.allSettled(pending);
    throw e;
  }
  await Promise.all(pending);
}
