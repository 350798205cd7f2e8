// The knowledge handler's sample flag (stored on the ingested document), and the workspace import
// that goes through the worker (the only writer of documents): its index is rebuilt from what it wrote.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createKnowledgeHandler } from '../../../workers/knowledge-handler';
import { openDb } from '../../../src/store/db';
import { getDocument } from '../../../src/store/documents';
import { exportWorkspace } from '../../../src/store/workspace';
import type { IndexStats, IngestSummary, KnowledgeCalls, Outbound, Post } from '../../../src/protocol/messages';

const CHUNKING = { unit: 'chars' as const, size: 200, overlap: 0 };
const utf8 = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

function handler(dbName: string) {
  const waiting = new Map<number, (m: Outbound) => void>();
  const post: Post = (m) => {
    if (m.type === 'done' || m.type === 'error') waiting.get(m.id)?.(m);
  };
  const handle = createKnowledgeHandler(post, { db: () => openDb(dbName) });
  let id = 0;
  return async function call<T>(type: 'openIndex' | 'ingest' | 'importWorkspace', payload: object): Promise<T> {
    const msgId = ++id;
    const closed = new Promise<Outbound>((r) => waiting.set(msgId, r));
    handle({ id: msgId, type, payload } as Parameters<typeof handle>[0]);
    const m = await closed;
    if (m.type !== 'done') throw new Error(`${type} failed: ${JSON.stringify(m)}`);
    return m.result as T;
  };
}

describe('knowledge handler: sample documents and index rebuild', () => {
  it('marks sample documents, and rebuilds its index from the workspace it imports', async () => {
    const name = `sample-rebuild-${process.pid}-${Date.now()}`;
    const call = handler(name);
    expect((await call<IndexStats>('openIndex', {})).chunks).toBe(0);
    type Ingested = KnowledgeCalls['ingest']['res'];
    const sample = (await call<Ingested>('ingest', { name: 'sample.md', bytes: utf8('# Sample\n\nTwelve days of leave.\n\n## More\n\nFourteen characters.'), maxBytes: 1e6, chunking: CHUNKING, sample: true })).doc;
    const ownWrite = await call<Ingested>('ingest', { name: 'own.md', bytes: utf8('My own notes about taxis.'), maxBytes: 1e6, chunking: CHUNKING });
    const own: IngestSummary = ownWrite.doc;
    // Every write answers with the index as it stands: no follow-up openIndex needed.
    expect(ownWrite.stats.docs).toBe(2);
    const db = await openDb(name);
    expect((await getDocument(db, sample.id))?.sample).toBe(true);
    expect((await getDocument(db, own.id))?.sample).toBeUndefined();
    const before = await call<IndexStats>('openIndex', {});
    expect(before.docs).toBe(2);

    // Replace the workspace, through the worker, with one holding only `own.md`.
    const bundle = await exportWorkspace(db, { includeVectors: false });
    bundle.documents = bundle.documents.filter((d) => d.id === own.id);
    bundle.chunks = bundle.chunks.filter((c) => c.docId === own.id);
    db.close();
    const file = new File([JSON.stringify(bundle)], 'workspace.json', { type: 'application/json' });
    const imported = await call<KnowledgeCalls['importWorkspace']['res']>('importWorkspace', { file, mode: 'replace' });
    expect(imported.report.imported.documents).toBe(1);
    expect(imported.stats.docs).toBe(1);
    expect(imported.stats.chunks).toBe(own.chunks);
    expect((await call<IndexStats>('openIndex', {})).docs).toBe(1);
    const after = await openDb(name);
    expect(await getDocument(after, sample.id)).toBeUndefined();
    after.close();
  });
});
