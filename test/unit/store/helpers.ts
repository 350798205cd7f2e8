// Shared fixtures for the store tests: a fresh database per test and small documents with chunks.

import 'fake-indexeddb/auto';
import { afterEach } from 'vitest';
import { openDb, type ChunkRecord, type LabDb, type StoredDocument } from '../../../src/store/db';

const open: LabDb[] = [];
let counter = 0;

/** A new, empty database with a name no other test uses. */
export async function freshDb(): Promise<LabDb> {
  const db = await openDb(`test-${process.pid}-${++counter}-${Date.now()}`);
  open.push(db);
  return db;
}

afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

export function makeDoc(id: string, overrides: Partial<StoredDocument> = {}): StoredDocument {
  const text = overrides.text ?? `Text of ${id}. 第二句话在这里。`;
  return {
    id,
    name: `${id}.txt`,
    kind: 'text',
    size: text.length,
    hash: `hash-${id}`,
    chars: text.length,
    chunkCount: 0,
    addedAt: 1_700_000_000_000,
    status: 'ready',
    chunking: { unit: 'chars', size: 800, overlap: 100 },
    text,
    ...overrides,
  };
}

export function makeChunks(docId: string, count: number): ChunkRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${docId}:${index}`,
    docId,
    index,
    text: `chunk ${index} of ${docId}`,
    start: index * 10,
    end: index * 10 + 10,
    tokens: 5,
    ...(index % 2 === 0 ? { page: index + 1, headingPath: ['Intro', `Part ${index}`] } : {}),
  }));
}

export function vec(dim: number, seed: number): Float32Array {
  return Float32Array.from({ length: dim }, (_, i) => Math.fround(Math.sin(seed * 31 + i) * 0.5));
}
