// The knowledge worker's logic: owns the embedder, the reranker and the chunk index; ingests,
// re-chunks and deletes documents; searches. Takes `post` as a parameter so Node tests drive it
// with plain objects.

import { AppError } from '../src/protocol/errors';
import type { Inbound, IngestSummary, KnowledgeCalls, Post, SearchHit } from '../src/protocol/messages';
import { CallRegistry, crashLater, type CallContext } from './handler-kit';
import { ingestFile, type IngestDeps } from './ingest';
import { openDb, type LabDb } from '../src/store/db';
import { deleteAll, deleteDocument, getChunks, getChunksByIds, getDocument, listDocuments, replaceChunks, updateDocument } from '../src/store/documents';
import { missingVectors, putVectors } from '../src/store/vectors';
import { chunkDocument } from '../src/chunking/chunk';
import { applyRerank } from '../src/retrieval/rerank';
import { embedTexts, loadEmbedder, type Embedder } from './embedder';
import { loadReranker, type Reranker } from './reranker';
import { KnowledgeIndex } from './knowledge-index';

export interface KnowledgeDeps {
  /** Opens the database (cached by the handler). */
  db?: () => Promise<LabDb>;
  /** pdf.js for the browser worker; Node leaves it to the extractor. */
  pdfjs?: IngestDeps['pdfjs'];
}

/** Candidates the reranker sees, as a multiple of k (it only reorders, so it needs room). */
const RERANK_POOL = 3;

export function createKnowledgeHandler(post: Post, deps: KnowledgeDeps = {}) {
  const calls = new CallRegistry(post);
  let embedder: Embedder | null = null;
  let reranker: Reranker | null = null;
  let dbPromise: Promise<LabDb> | null = null;
  const db = (): Promise<LabDb> => {
    dbPromise ??= (deps.db ?? (() => openDb()))();
    dbPromise.catch(() => (dbPromise = null));
    return dbPromise;
  };
  const index = new KnowledgeIndex(db);

  const need = (): Embedder => {
    if (!embedder) throw new AppError('bad-request', 'No embedding model is loaded yet.');
    return embedder;
  };

  /** Embeds a stored document's chunks and records the vectors; false if no embedder is loaded. */
  async function embedDocument(docId: string, ctx: CallContext): Promise<boolean> {
    if (!embedder) return false;
    const d = await db();
    const chunks = await getChunks(d, docId);
    ctx.progress({ kind: 'stage', stage: 'embedding' });
    const e = embedder;
    const vectors = await embedTexts(e, chunks.map((c) => c.text), 'passage', ctx.signal, (done, total) => ctx.progress({ kind: 'items', stage: 'embedding', done, total }));
    const dim = e.info.dim;
    await putVectors(d, e.info.model, dim, chunks.map((c, i) => ({ id: c.id, docId, vector: vectors.subarray(i * dim, (i + 1) * dim) })));
    await updateDocument(d, docId, { embedModel: e.info.model });
    index.addVectors(chunks.map((c) => c.id), vectors, dim);
    return true;
  }

  return function handle(msg: Inbound<KnowledgeCalls>): void {
    switch (msg.type) {
      case 'abort':
        calls.abort(msg.target);
        return;
      case 'loadEmbedder':
        void calls.run(msg.id, async (ctx) => {
          embedder = await loadEmbedder(msg.payload, ctx.progress);
          await index.ensure(embedder.info.model);
          return { result: embedder.info };
        });
        return;
      case 'embed':
        void calls.run(msg.id, async (ctx) => {
          const e = need();
          const started = performance.now();
          const vectors = await embedTexts(e, msg.payload.texts, msg.payload.kind ?? 'raw', ctx.signal, (done, total) => ctx.progress({ kind: 'items', stage: 'embed', done, total }));
          return { result: { vectors, dim: e.info.dim, ms: performance.now() - started }, transfer: [vectors.buffer] };
        });
        return;
      case 'openIndex':
        void calls.run(msg.id, async () => {
          await index.ensure(embedder?.info.model ?? msg.payload.model ?? index.model, msg.payload.rebuild === true);
          return { result: index.stats() };
        });
        return;
      case 'embedMissing':
        void calls.run(msg.id, async (ctx) => {
          const e = need();
          const d = await db();
          await index.ensure(e.info.model);
          const started = performance.now();
          const ids = await missingVectors(d, e.info.model);
          const dim = e.info.dim;
          const touched = new Set<string>();
          // Batches of 64 chunks: each is embedded, stored and indexed before the next, so a
          // cancel or a crash keeps everything finished so far.
          for (let i = 0; i < ids.length; i += 64) {
            if (ctx.signal.aborted) break;
            const chunks = await getChunksByIds(d, ids.slice(i, i + 64));
            const vectors = await embedTexts(e, chunks.map((c) => c.text), 'passage', ctx.signal);
            await putVectors(d, e.info.model, dim, chunks.map((c, j) => ({ id: c.id, docId: c.docId, vector: vectors.subarray(j * dim, (j + 1) * dim) })));
            index.addVectors(chunks.map((c) => c.id), vectors, dim);
            for (const c of chunks) touched.add(c.docId);
            ctx.progress({ kind: 'items', stage: 'embedding', done: Math.min(i + 64, ids.length), total: ids.length });
          }
          if (!ctx.signal.aborted) for (const docId of touched) await updateDocument(d, docId, { embedModel: e.info.model });
          return { result: { ...index.stats(), embedded: ids.length, ms: performance.now() - started } };
        });
        return;
      case 'search':
        void calls.run(msg.id, async (ctx) => {
          const { query, opts } = msg.payload;
          await index.ensure(embedder?.info.model ?? index.model);
          const ms = { embed: 0, search: 0, rerank: 0 };
          let qvec: Float32Array | null = null;
          let denseSkipped: string | undefined;
          if (opts.dense) {
            if (!embedder) denseSkipped = 'No embedding model is loaded.';
            else if (index.stats().vectors === 0) denseSkipped = 'No chunk has a vector yet.';
            else {
              const t0 = performance.now();
              qvec = await embedTexts(embedder, [query], 'query', ctx.signal);
              ms.embed = performance.now() - t0;
            }
          }
          const t1 = performance.now();
          const pool = opts.rerank ? Math.max(opts.k * RERANK_POOL, 20) : opts.k;
          let hits = index.rank(query, qvec, pool, opts.dense, opts.bm25);
          ms.search = performance.now() - t1;
          let resolved: SearchHit[] = await index.resolve(hits);
          if (opts.rerank) {
            if (!reranker) throw new AppError('bad-request', 'The reranker is not loaded yet. Load it, or switch reranking off.');
            const t2 = performance.now();
            const scores = await reranker.score(query, resolved.map((h) => h.text));
            const byId = new Map(resolved.map((h) => [h.chunkId, h]));
            hits = applyRerank(hits.filter((h) => byId.has(h.id)), scores);
            resolved = hits.map((h, i) => ({ ...byId.get(h.id)!, rank: i + 1, rerank: h.rerank }));
            ms.rerank = performance.now() - t2;
          }
          return { result: { hits: resolved.slice(0, opts.k), terms: index.terms(query), ms, denseSkipped } };
        });
        return;
      case 'loadReranker':
        void calls.run(msg.id, async (ctx) => {
          const started = performance.now();
          reranker = await loadReranker(msg.payload.model, msg.payload.hosts, msg.payload.device, ctx.progress);
          return { result: { model: reranker.model, loadMs: performance.now() - started } };
        });
        return;
      case 'ingest':
        void calls.run(msg.id, async (ctx) => {
          const { name, bytes, maxBytes, chunking, sample } = msg.payload;
          const d = await db();
          await index.ensure(embedder?.info.model ?? index.model);
          const result: IngestSummary = await ingestFile(d, { name, bytes: new Uint8Array(bytes), maxBytes, chunking, sample }, { signal: ctx.signal, progress: ctx.progress, pdfjs: deps.pdfjs });
          const chunks = await getChunks(d, result.id);
          index.addDocument(result.id, name, chunks.map((c) => ({ id: c.id, text: c.text })));
          // The document is saved already; embedding can fail or be cancelled and be redone later.
          try {
            await embedDocument(result.id, ctx);
          } catch (e) {
            if (ctx.signal.aborted) throw e;
          }
          return { result };
        });
        return;
      case 'reindex':
        void calls.run(msg.id, async (ctx) => {
          const d = await db();
          const { chunking } = msg.payload;
          const ids = msg.payload.ids === 'all' ? (await listDocuments(d)).map((x) => x.id) : msg.payload.ids;
          let chunks = 0;
          for (const [i, id] of ids.entries()) {
            if (ctx.signal.aborted) break;
            const doc = await getDocument(d, id);
            if (!doc) continue;
            const made = chunkDocument({ text: doc.text, sections: doc.sections ?? [{ start: 0, end: doc.text.length }] }, chunking);
            const records = made.map((c) => ({ id: `${id}:${c.index}`, docId: id, index: c.index, text: c.text, start: c.start, end: c.end, page: c.page, headingPath: c.headingPath, tokens: c.tokens }));
            await replaceChunks(d, id, records, { ...chunking });
            index.addDocument(id, doc.name, records);
            chunks += made.length;
            ctx.progress({ kind: 'items', stage: 'chunking', done: i + 1, total: ids.length });
          }
          return { result: { docs: ids.length, chunks } };
        });
        return;
      case 'deleteDocs':
        void calls.run(msg.id, async () => {
          const d = await db();
          if (msg.payload.ids === 'all') {
            const n = (await listDocuments(d)).length;
            await deleteAll(d);
            index.clear();
            return { result: { deleted: n } };
          }
          for (const id of msg.payload.ids) {
            await deleteDocument(d, id);
            index.removeDocument(id);
          }
          return { result: { deleted: msg.payload.ids.length } };
        });
        return;
      case 'crash':
        crashLater();
        return;
      default: {
        const never: never = msg;
        post({ id: (never as { id: number }).id, type: 'error', error: new AppError('bad-request', 'Unknown request.').toWire() });
      }
    }
  };
}
