// Export and import of the whole workspace as one JSON-serializable bundle (documents with text,
// chunks, optionally vectors, settings, examples, test sets, runs and evaluations). Vectors travel
// as base64 of their float32 bytes in little-endian order (the order of every browser platform).

import { AppError } from '../protocol/errors';
import {
  STORE_NAMES, inTransaction, requestAll,
  type ChunkRecord, type DocSummary, type EvalItemRecord, type EvalRunRecord, type ExampleRecord,
  type LabDb, type RunRecord, type StoredDocument, type TestSetRecord, type VectorRecord,
} from './db';
import { withQuota } from './quota';
import { armOf } from './runs';
import { approxBytes } from './sizes';

export const WORKSPACE_FORMAT = 'method-lab-workspace';
export const WORKSPACE_VERSION = 1;

export interface WorkspaceVector {
  id: string;
  docId: string;
  model: string;
  dim: number;
  /** Base64 of the vector's float32 bytes, little-endian. */
  vector: string;
}

export interface WorkspaceBundle {
  format: typeof WORKSPACE_FORMAT;
  version: typeof WORKSPACE_VERSION;
  /** Epoch ms. */
  exportedAt: number;
  documents: StoredDocument[];
  chunks: ChunkRecord[];
  /** Empty when exported without vectors: the importer re-embeds. */
  vectors: WorkspaceVector[];
  settings: { key: string; value: unknown }[];
  examples: ExampleRecord[];
  testsets: TestSetRecord[];
  runs: RunRecord[];
  evalRuns: EvalRunRecord[];
  evalItems: EvalItemRecord[];
}

export interface ImportReport {
  /** Records written per store (documents count includes their text). */
  imported: Record<'documents' | 'chunks' | 'vectors' | 'settings' | 'examples' | 'testsets' | 'runs' | 'evalRuns' | 'evalItems', number>;
  /** Names of bundle documents skipped in merge mode because the same file is already stored. */
  skippedDuplicates: string[];
}

export function float32ToBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let binary = '';
  // Bounded slices keep String.fromCharCode under engines' argument-count limits.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64ToFloat32(b64: string): Float32Array {
  const binary = atob(b64);
  if (binary.length % 4 !== 0) throw new RangeError('byte length is not a multiple of 4');
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Reads everything in one transaction, so the bundle is a consistent snapshot. */
export async function exportWorkspace(db: LabDb, { includeVectors }: { includeVectors: boolean }): Promise<WorkspaceBundle> {
  const tx = db.transaction([...STORE_NAMES], 'readonly');
  const [docs, texts, chunks, vectors, settingKeys, settingValues, examples, testsets, runs, evalRuns, evalItems] = await Promise.all([
    tx.objectStore('documents').getAll(),
    tx.objectStore('texts').getAll(),
    tx.objectStore('chunks').getAll(),
    includeVectors ? tx.objectStore('vectors').getAll() : Promise.resolve([] as VectorRecord[]),
    tx.objectStore('settings').getAllKeys(),
    tx.objectStore('settings').getAll(),
    tx.objectStore('examples').getAll(),
    tx.objectStore('testsets').getAll(),
    tx.objectStore('runs').getAll(),
    tx.objectStore('evalRuns').getAll(),
    tx.objectStore('evalItems').getAll(),
    tx.done,
  ]);
  const textById = new Map(texts.map((t) => [t.id, t]));
  return {
    format: WORKSPACE_FORMAT,
    version: WORKSPACE_VERSION,
    exportedAt: Date.now(),
    documents: docs.map((d) => {
      const t = textById.get(d.id);
      return { ...d, text: t?.text ?? '', ...(t?.sections ? { sections: t.sections } : {}) };
    }),
    chunks,
    vectors: vectors.map((v) => ({ id: v.id, docId: v.docId, model: v.model, dim: v.dim, vector: float32ToBase64(v.vector) })),
    // getAllKeys and getAll of one store in one transaction list records in the same (key) order.
    settings: settingKeys.map((key, i) => ({ key, value: settingValues[i] })),
    examples,
    testsets,
    runs,
    evalRuns,
    evalItems,
  };
}

/**
 * Imports a bundle (as parsed from JSON) in one transaction: all of it or, on any failure, none.
 * 'replace' clears every store first. 'merge' keeps what is stored, lets the bundle win on equal ids,
 * and skips bundle documents (with their chunks and vectors) whose file is already stored.
 * Rejects with AppError 'bad-request' naming the first problem when the bundle is malformed.
 */
export async function importWorkspace(db: LabDb, bundle: unknown, { mode }: { mode: 'merge' | 'replace' }): Promise<ImportReport> {
  const b = validateBundle(bundle);
  const vectors: VectorRecord[] = b.vectors.map((v) => ({ id: v.id, docId: v.docId, model: v.model, dim: v.dim, vector: base64ToFloat32(v.vector) }));
  return withQuota(() => {
    const tx = db.transaction([...STORE_NAMES], 'readwrite');
    const store = tx.objectStore.bind(tx);
    return inTransaction(tx, async () => {
      const skippedIds = new Set<string>();
      const skippedDuplicates: string[] = [];
      if (mode === 'replace') {
        await requestAll(STORE_NAMES.map((name) => () => store(name).clear()));
      } else {
        const existing = await Promise.all(b.documents.map((d) => store('documents').index('by-hash').get(d.hash)));
        b.documents.forEach((d, i) => {
          if (existing[i]) {
            skippedIds.add(d.id);
            skippedDuplicates.push(d.name);
          }
        });
        // A kept bundle document may reuse the id of a different stored one: its old chunks and
        // vectors go, or they would mix with the imported ones.
        const kept = b.documents.filter((d) => !skippedIds.has(d.id)).map((d) => d.id);
        const [staleChunks, staleVectors] = await Promise.all([
          Promise.all(kept.map((id) => store('chunks').index('by-doc').getAllKeys(id))),
          Promise.all(kept.map((id) => store('vectors').index('by-doc').getAllKeys(id))),
        ]);
        await requestAll([
          ...staleChunks.flat().map((k) => () => store('chunks').delete(k)),
          ...staleVectors.flat().map((k) => () => store('vectors').delete(k)),
        ]);
      }
      const keep = <T extends { docId: string }>(r: T) => !skippedIds.has(r.docId);
      const documents = b.documents.filter((d) => !skippedIds.has(d.id));
      const chunks = b.chunks.filter(keep);
      const keptVectors = vectors.filter(keep);
      await requestAll([
        ...documents.flatMap(({ text, sections, ...summary }) => [
          () => store('documents').put(summary satisfies DocSummary),
          () => store('texts').put(sections ? { id: summary.id, text, sections } : { id: summary.id, text }),
        ]),
        ...chunks.map((c) => () => store('chunks').put(c)),
        ...keptVectors.map((v) => () => store('vectors').put(v)),
        ...b.settings.map((s) => () => store('settings').put(s.value, s.key)),
        ...b.examples.map((r) => () => store('examples').put(r)),
        ...b.testsets.map((r) => () => store('testsets').put(r)),
        ...b.runs.map((r) => () => store('runs').put(r)),
        ...b.evalRuns.map((r) => () => store('evalRuns').put(r)),
        // Bundles from before results were keyed by arm carry no `arm`: it is the method there.
        ...b.evalItems.map((r) => () => store('evalItems').put({ ...r, arm: typeof r.arm === 'string' ? r.arm : armOf(r.method, r.model) })),
      ]);
      return {
        imported: {
          documents: documents.length, chunks: chunks.length, vectors: keptVectors.length,
          settings: b.settings.length, examples: b.examples.length, testsets: b.testsets.length,
          runs: b.runs.length, evalRuns: b.evalRuns.length, evalItems: b.evalItems.length,
        },
        skippedDuplicates,
      };
    });
  }, approxBytes(b));
}

// ---- validation: checks what IndexedDB and the app rely on, so a bad file fails with a clear message.

function bad(message: string): AppError {
  return new AppError('bad-request', `This workspace file cannot be imported: ${message}`);
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function list(b: Rec, field: string): Rec[] {
  const v = b[field];
  if (!Array.isArray(v)) throw bad(`"${field}" must be a list.`);
  v.forEach((item, i) => {
    if (!isRec(item)) throw bad(`${field}[${i}] must be an object.`);
  });
  return v as Rec[];
}

function fields(r: Rec, where: string, spec: Record<string, 'string' | 'number' | 'object' | 'array'>): void {
  for (const [name, type] of Object.entries(spec)) {
    const v = r[name];
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isRec(v) : type === 'number' ? Number.isFinite(v) : typeof v === type;
    if (!ok) throw bad(`${where}.${name} must be ${type === 'array' || type === 'object' ? 'an' : 'a'} ${type}.`);
  }
}

function unique(records: Rec[], field: string, key: (r: Rec) => string): void {
  const seen = new Set<string>();
  records.forEach((r, i) => {
    const k = key(r);
    if (seen.has(k)) throw bad(`${field}[${i}] repeats ${k}.`);
    seen.add(k);
  });
}

/** Checks a parsed bundle's format, version and records; returns it typed. */
export function validateBundle(bundle: unknown): WorkspaceBundle {
  if (!isRec(bundle) || bundle.format !== WORKSPACE_FORMAT) {
    throw new AppError('bad-request', 'This file is not a Method Lab workspace export (its "format" is not "method-lab-workspace").');
  }
  const { version } = bundle;
  if (typeof version === 'number' && Number.isInteger(version) && version > WORKSPACE_VERSION) {
    throw new AppError('bad-request', `This workspace was exported by a newer Method Lab (format version ${version}); update the app to import it.`, { version });
  }
  if (version !== WORKSPACE_VERSION) {
    throw new AppError('bad-request', `This workspace has an unsupported format version (${JSON.stringify(version)}); expected ${WORKSPACE_VERSION}.`);
  }

  const documents = list(bundle, 'documents');
  documents.forEach((d, i) => {
    const where = `documents[${i}]`;
    fields(d, where, { id: 'string', name: 'string', kind: 'string', hash: 'string', text: 'string', size: 'number', chars: 'number', chunkCount: 'number', addedAt: 'number', chunking: 'object' });
    if (d.status !== 'ready' && d.status !== 'embedding' && d.status !== 'error') throw bad(`${where}.status must be "ready", "embedding" or "error".`);
  });
  unique(documents, 'documents', (d) => `id ${String(d.id)}`);
  unique(documents, 'documents', (d) => `hash ${String(d.hash)}`);
  const docIds = new Set(documents.map((d) => d.id));

  const chunks = list(bundle, 'chunks');
  chunks.forEach((c, i) => {
    fields(c, `chunks[${i}]`, { id: 'string', docId: 'string', text: 'string', index: 'number', start: 'number', end: 'number', tokens: 'number' });
    if (!docIds.has(c.docId)) throw bad(`chunks[${i}] belongs to document ${String(c.docId)}, which is not in the file.`);
  });
  unique(chunks, 'chunks', (c) => `id ${String(c.id)}`);

  const vectors = list(bundle, 'vectors');
  vectors.forEach((v, i) => {
    const where = `vectors[${i}]`;
    fields(v, where, { id: 'string', docId: 'string', model: 'string', vector: 'string', dim: 'number' });
    if (!docIds.has(v.docId)) throw bad(`${where} belongs to document ${String(v.docId)}, which is not in the file.`);
    let length: number;
    try {
      length = base64ToFloat32(v.vector as string).length;
    } catch {
      throw bad(`${where}.vector is not base64 of float32 values.`);
    }
    if (length !== v.dim) throw bad(`${where} has ${length} values but dim ${String(v.dim)}.`);
  });

  list(bundle, 'settings').forEach((s, i) => fields(s, `settings[${i}]`, { key: 'string' }));
  list(bundle, 'examples').forEach((r, i) => fields(r, `examples[${i}]`, { id: 'string', question: 'string', answer: 'string', createdAt: 'number' }));
  list(bundle, 'testsets').forEach((r, i) => {
    fields(r, `testsets[${i}]`, { id: 'string', name: 'string', createdAt: 'number', items: 'array' });
    // The held-out split and the export log decide what may be exported for training: check their shape.
    if (r.split !== undefined) {
      if (!isRec(r.split)) throw bad(`testsets[${i}].split must be an object.`);
      fields(r.split, `testsets[${i}].split`, { seed: 'number', heldOutShare: 'number', heldOut: 'array', train: 'array' });
      for (const k of ['heldOut', 'train'] as const) if (!(r.split[k] as unknown[]).every((x) => typeof x === 'string')) throw bad(`testsets[${i}].split.${k} must list item ids.`);
    }
    if (r.exports !== undefined) {
      if (!Array.isArray(r.exports)) throw bad(`testsets[${i}].exports must be a list.`);
      r.exports.forEach((e: unknown, j: number) => {
        if (!isRec(e)) throw bad(`testsets[${i}].exports[${j}] must be an object.`);
        fields(e, `testsets[${i}].exports[${j}]`, { id: 'string', at: 'number', format: 'string', itemIds: 'array' });
      });
    }
  });
  list(bundle, 'runs').forEach((r, i) => fields(r, `runs[${i}]`, { id: 'string', question: 'string', createdAt: 'number', lanes: 'array' }));
  list(bundle, 'evalRuns').forEach((r, i) => {
    fields(r, `evalRuns[${i}]`, { id: 'string', testSetId: 'string', createdAt: 'number' });
    if (r.status !== 'running' && r.status !== 'done' && r.status !== 'cancelled') throw bad(`evalRuns[${i}].status must be "running", "done" or "cancelled".`);
  });
  list(bundle, 'evalItems').forEach((r, i) => fields(r, `evalItems[${i}]`, { evalRunId: 'string', itemId: 'string', method: 'string' }));

  // Every field the stores and the app read has been checked above.
  return bundle as unknown as WorkspaceBundle;
}
