// One file through the pipeline: size check → hash (duplicates) → extract → chunk → save in one
// transaction. Each file fails on its own with a FileError; nothing stored is touched by a failure,
// and a failed or cancelled file leaves nothing stored. The caller's `whileCommitting` work (BM25
// indexing) runs while the browser commits, since the save is the slowest step after extraction.

import type { ChunkSettings } from '../src/chunking/chunk';
import { AppConfig } from '../src/config';
import { FileError, AppError } from '../src/protocol/errors';
import type { IngestSummary, Progress } from '../src/protocol/messages';
import { extract, type ExtractOptions } from '../src/extract';
import { chunkDocument } from '../src/chunking/chunk';
import type { LabDb } from '../src/store/db';
import { findByHash, saveDocumentWithChunks } from '../src/store/documents';
import type { ChunkRecord, StoredDocument } from '../src/store/db';
import { chunkId } from '../src/store/chunk-id';

export interface IngestInput {
  name: string;
  bytes: Uint8Array;
  maxBytes: number;
  chunking: ChunkSettings;
  /** Built-in sample data (shown with a badge, removed by "Remove sample"). */
  sample?: boolean;
}

export interface IngestDeps {
  signal: AbortSignal;
  progress: (p: Progress) => void;
  /** Supplies pdf.js in the browser (configured worker); Node tests leave it to the extractor. */
  pdfjs?: () => Promise<ExtractOptions['pdfjs']>;
  /**
   * Runs while the browser commits the document (indexing its chunks for BM25, so that work overlaps
   * the commit). If the commit then fails, the ingestion rejects and the caller undoes this work.
   */
  whileCommitting?: (doc: { id: string; name: string; title?: string }, chunks: readonly ChunkRecord[]) => void;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function checkAborted(signal: AbortSignal) {
  if (signal.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
}

/**
 * Stores the file; hands back the chunk records it wrote and the document's title (part of each
 * chunk's indexed header), so the caller indexes and embeds them without reading them back.
 */
export async function ingestFile(db: LabDb, input: IngestInput, deps: IngestDeps): Promise<{ summary: IngestSummary; chunks: ChunkRecord[]; title?: string }> {
  const started = performance.now();
  const { name, bytes, maxBytes, chunking } = input;
  if (bytes.length > maxBytes) {
    throw new FileError('file-too-large', `"${name}" is ${Math.round(bytes.length / 1e6)} MB, over the ${Math.round(maxBytes / 1e6)} MB limit. Raise the limit in the Documents settings or split the file.`, { fileName: name, sizeMB: Math.round(bytes.length / 1e6), limitMB: Math.round(maxBytes / 1e6) });
  }
  if (bytes.length === 0) throw new FileError('file-empty', `"${name}" is empty.`, { fileName: name });
  const hash = await sha256Hex(bytes);
  const existing = await findByHash(db, hash);
  if (existing) throw new AppError('duplicate', `"${name}" has the same content as "${existing.name}", which is already in the library.`, { fileName: name, existing: existing.name });
  checkAborted(deps.signal);

  deps.progress({ kind: 'stage', stage: 'extracting' });
  const pdfjs = deps.pdfjs ? await deps.pdfjs() : undefined;
  const doc = await extract(bytes, {
    fileName: name,
    maxBytes,
    maxUnpackedBytes: AppConfig.maxUnpackedBytes,
    signal: deps.signal,
    onProgress: (done, total) => deps.progress({ kind: 'items', stage: 'extracting', done, total }),
    pdfjs,
  });
  checkAborted(deps.signal);

  deps.progress({ kind: 'stage', stage: 'chunking' });
  const chunks = chunkDocument(doc, chunking);
  checkAborted(deps.signal);

  deps.progress({ kind: 'stage', stage: 'saving' });
  const id = crypto.randomUUID();
  const stored: StoredDocument = {
    id,
    name,
    kind: doc.kind,
    size: bytes.length,
    hash,
    pages: doc.pages,
    chars: doc.text.length,
    chunkCount: chunks.length,
    addedAt: Date.now(),
    status: 'ready',
    encoding: doc.encoding,
    title: doc.title,
    chunking: { ...chunking },
    ...(input.sample ? { sample: true } : {}),
    text: doc.text,
    sections: doc.sections,
  };
  const records: ChunkRecord[] = chunks.map((c) => ({
    id: chunkId(id, c.index),
    docId: id,
    index: c.index,
    text: c.text,
    start: c.start,
    end: c.end,
    page: c.page,
    headingPath: c.headingPath,
    tokens: c.tokens,
  }));
  const label = { id, name, ...(doc.title ? { title: doc.title } : {}) };
  const hook = deps.whileCommitting;
  await saveDocumentWithChunks(db, stored, records, hook && (() => hook(label, records)));
  return { summary: { id, name, kind: doc.kind, chunks: chunks.length, chars: doc.text.length, pages: doc.pages, ms: performance.now() - started }, chunks: records, ...(doc.title ? { title: doc.title } : {}) };
}
