// The knowledge worker's logic: owns the embedder, the reranker and the chunk index, and is the only
// writer of documents, chunks and vectors (ingest, re-chunk, context sentences, delete, workspace
// import, clear-all); every write answers with the index as it stands afterwards. Chunks are indexed
// and embedded with their contextual header. A search collapses near-duplicates before the top-k cut,
// can expand hits to their sections (small-to-big), reports what it actually ran and refuses to drop a
// requested part silently. It also runs the retrieval sweep in scratch indexes. Takes `post` so Node
// tests drive it with plain objects.

import { AppError, FileError } from '../src/protocol/errors';
import type { Fallback, KnowledgeCalls, Post, RetrievalRan, SearchHit } from '../src/protocol/messages';
import { crashLater, serve, type CallContext } from './handler-kit';
import { ingestFile, type IngestDeps } from './ingest';
import { openDb, type ChunkRecord, type LabDb } from '../src/store/db';
import { deleteAll, deleteDocument, getChunksByIds, getDocument, listDocuments, replaceChunks, setChunkContexts, updateDocument } from '../src/store/documents';
import { missingVectors, putVectors, vectorTag } from '../src/store/vectors';
import { importWorkspace } from '../src/store/workspace';
import { clearAll } from '../src/store/clear';
import { chunkId } from '../src/store/chunk-id';
import { chunkDocument } from '../src/chunking/chunk';
import { applyRerank } from '../src/retrieval/rerank';
import { attachPassages, collapseDuplicates } from '../src/retrieval/search-hits';
import type { SourceDocument } from '../src/retrieval/small-to-big';
import { locateJsonError } from '../src/extract/json-error';
import { embedTexts, loadEmbedder, type Embedder } from './embedder';
import { loadReranker, type Reranker } from './reranker';
import { KnowledgeIndex, type IndexedChunk } from './knowledge-index';
import { runLibrarySweep, SweepEmbeddings } from './knowledge-sweep';

export interface KnowledgeDeps {
  /** Opens the database (cached by the handler). */
  db?: () => Promise<LabDb>;
  /** pdf.js for the browser worker; Node leaves it to the extractor. */
  pdfjs?: IngestDeps['pdfjs'];
}

/**
 * Candidates ranked before the top-k cut, as a multiple of k (at least MIN_POOL): the reranker only
 * reorders, and collapsing near-duplicates removes some, so both need room below k.
 */
const CANDIDATE_POOL = 3;
const MIN_POOL = 20;
/** Chunks embedded, stored and indexed together: a cancel or crash keeps every finished batch. */
const EMBED_BATCH_CHUNKS = 64;

export function createKnowledgeHandler(post: Post, deps: KnowledgeDeps = {}) {
  let embedder: Embedder | null = null;
  let reranker: Reranker | null = null;
  let dbPromise: Promise<LabDb> | null = null;
  const db = (): Promise<LabDb> => {
    dbPromise ??= (deps.db ?? (() => openDb()))();
    dbPromise.catch(() => (dbPromise = null));
    return dbPromise;
  };
  const index = new KnowledgeIndex(db);
  const ready = () => index.ensure(embedder?.info.model ?? index.model);

  const need = (): Embedder => {
    if (!embedder) throw new AppError('bad-request', 'No embedding model is loaded yet.');
    return embedder;
  };

  /**
   * Embeds chunks in batches: each batch is embedded, stored and indexed before the next, so a cancel
   * keeps everything finished so far. Documents are marked embedded once all their chunks are.
   */
  async function embedChunks(e: Embedder, chunks: readonly IndexedChunk[], ctx: Pick<CallContext<unknown>, 'progress' | 'signal'>): Promise<number> {
    const d = await db();
    const dim = e.info.dim;
    let done = 0;
    ctx.progress({ kind: 'items', stage: 'embedding', done, total: chunks.length });
    for (let i = 0; i < chunks.length && !ctx.signal.aborted; i += EMBED_BATCH_CHUNKS) {
      const batch = chunks.slice(i, i + EMBED_BATCH_CHUNKS);
      // The same text BM25 indexes: header, context sentence, chunk (the embedder adds its passage prefix).
      const vectors = await embedTexts(e, batch.map((c) => index.indexedText(c)), 'passage', ctx.signal);
      await putVectors(d, vectorTag(e.info.model), dim, batch.map((c, j) => ({ id: c.id, docId: c.docId, vector: vectors.subarray(j * dim, (j + 1) * dim) })));
      index.addVectors(batch.map((c) => c.id), vectors, dim);
      done += batch.length;
      ctx.progress({ kind: 'items', stage: 'embedding', done, total: chunks.length });
    }
    if (!ctx.signal.aborted) for (const docId of new Set(chunks.map((c) => c.docId))) await updateDocument(d, docId, { embedModel: e.info.model });
    return done;
  }

  const sweepEmbeddings = new SweepEmbeddings();

  return serve<KnowledgeCalls>(post, {
    async loadEmbedder(req, ctx) {
      embedder = await loadEmbedder(req, ctx.progress);
      await index.ensure(embedder.info.model);
      return embedder.info;
    },

    async embed({ texts, kind }, ctx) {
      const e = need();
      const started = performance.now();
      const vectors = await embedTexts(e, texts, kind ?? 'raw', ctx.signal, (done, total) => ctx.progress({ kind: 'items', stage: 'embed', done, total }));
      ctx.transfer(vectors.buffer);
      return { vectors, dim: e.info.dim, ms: performance.now() - started };
    },

    async openIndex({ model }) {
      await index.ensure(embedder?.info.model ?? model ?? index.model);
      return index.stats();
    },

    async embedMissing(_req, ctx) {
      const e = need();
      const d = await db();
      await index.ensure(e.info.model);
      const started = performance.now();
      const chunks = await getChunksByIds(d, await missingVectors(d, vectorTag(e.info.model)));
      const embedded = await embedChunks(e, chunks, ctx);
      return { stats: index.stats(), embedded, ms: performance.now() - started };
    },

    async search({ query, opts }, ctx) {
      await ready();
      const stats = index.stats();
      const ms = { embed: 0, search: 0, rerank: 0 };
      const fallbacks: Fallback[] = [];
      const ran: RetrievalRan = { bm25: opts.bm25, dense: false, rerank: false, embedder: null, reranker: null, vectors: stats.vectors, chunks: stats.chunks };
      let qvec: Float32Array | null = null;
      if (opts.dense) {
        const missing: Fallback | null = !embedder
          ? { part: 'dense', code: 'no-embedder', reason: 'No embedding model is loaded.' }
          : stats.vectors === 0 && stats.chunks > 0 // an empty library has nothing to embed: dense runs and finds nothing
            ? { part: 'dense', code: 'no-vectors', reason: `No chunk has a vector for ${embedder.info.model} yet.`, detail: { model: embedder.info.model } }
            : null;
        if (missing !== null) {
          if (!opts.degrade) throw new AppError('dense-unavailable', `Dense search cannot run: ${missing.reason} Load the embedding model, or choose to continue with BM25 only.`, { reason: missing.code });
          fallbacks.push(missing);
        } else if (embedder) {
          const t0 = performance.now();
          qvec = await embedTexts(embedder, [query], 'query', ctx.signal);
          ms.embed = performance.now() - t0;
          ran.dense = true;
          ran.embedder = embedder.info.model;
        }
      }
      if (!ran.bm25 && !ran.dense) throw new AppError('dense-unavailable', 'Nothing can search: BM25 is off and dense search cannot run. Turn BM25 on, or load the embedding model.', { reason: fallbacks[0]?.code ?? 'no-embedder' });
      let rerankWith: Reranker | null = null;
      if (opts.rerank) {
        if (reranker) rerankWith = reranker;
        else if (!opts.degrade) throw new AppError('rerank-unavailable', 'The reranker is not loaded. Load it, switch reranking off, or choose to continue without it.');
        else fallbacks.push({ part: 'rerank', code: 'no-reranker', reason: 'The reranker is not loaded.' });
      }
      const t1 = performance.now();
      const pool = Math.max(opts.k * CANDIDATE_POOL, MIN_POOL);
      let hits = index.rank(query, qvec, pool, ran.dense, ran.bm25);
      ms.search = performance.now() - t1;
      let resolved: SearchHit[] = await index.resolve(hits);
      if (rerankWith) {
        const t2 = performance.now();
        // The cross-encoder reads what the index holds, header included (as the sweep measures it).
        const scores = await rerankWith.score(query, resolved.map((h) => index.indexedText({ id: h.chunkId, docId: h.docId, text: h.text, headingPath: h.headingPath, context: h.indexed?.context })));
        const byId = new Map(resolved.map((h) => [h.chunkId, h]));
        hits = applyRerank(hits.filter((h) => byId.has(h.id)), scores);
        resolved = hits.map((h, i) => ({ ...byId.get(h.id)!, rank: i + 1, rerank: h.rerank }));
        ms.rerank = performance.now() - t2;
        ran.rerank = true;
        ran.reranker = rerankWith.model;
      }
      // One passage once: near-duplicates (a PDF and a text copy) collapse into the best-ranked before the cut.
      const t3 = performance.now();
      const shaped = collapseDuplicates(resolved, opts.k);
      ms.search += performance.now() - t3;
      ran.collapsed = shaped.collapsed;
      let out = shaped.hits;
      if (opts.smallToBig) {
        const docs = new Map<string, SourceDocument>();
        for (const id of new Set(out.map((h) => h.docId))) {
          const doc = await getDocument(await db(), id);
          if (doc) docs.set(id, { text: doc.text, ...(doc.sections ? { sections: doc.sections } : {}) });
        }
        out = attachPassages(out, docs, opts.smallToBig.budget);
        ran.smallToBig = true;
      }
      return { hits: out, terms: index.terms(query), ms, ran, fallbacks };
    },

    async loadReranker({ model, hosts, device }, ctx) {
      const started = performance.now();
      reranker = await loadReranker(model, hosts, device, ctx.progress);
      return { model: reranker.model, loadMs: performance.now() - started };
    },

    async ingest({ name, bytes, maxBytes, chunking, sample }, ctx) {
      const d = await db();
      await ready();
      const { summary, chunks, title } = await ingestFile(d, { name, bytes: new Uint8Array(bytes), maxBytes, chunking, sample }, { signal: ctx.signal, progress: ctx.progress, pdfjs: deps.pdfjs });
      index.addDocument({ id: summary.id, name, ...(title ? { title } : {}) }, chunks);
      // The document is saved already; embedding can fail or be cancelled and be redone later.
      if (embedder) {
        ctx.progress({ kind: 'stage', stage: 'embedding' });
        try {
          await embedChunks(embedder, chunks, ctx);
        } catch (e) {
          if (ctx.signal.aborted) throw e;
        }
      }
      return { doc: summary, stats: index.stats() };
    },

    async reindex({ ids: which, chunking }, ctx) {
      const d = await db();
      await ready();
      const ids = which === 'all' ? (await listDocuments(d)).map((x) => x.id) : which;
      let chunks = 0;
      for (const [i, id] of ids.entries()) {
        if (ctx.signal.aborted) break;
        const doc = await getDocument(d, id);
        if (!doc) continue;
        const made = chunkDocument({ text: doc.text, sections: doc.sections ?? [{ start: 0, end: doc.text.length }] }, chunking);
        const records: ChunkRecord[] = made.map((c) => ({ id: chunkId(id, c.index), docId: id, index: c.index, text: c.text, start: c.start, end: c.end, page: c.page, headingPath: c.headingPath, tokens: c.tokens }));
        await replaceChunks(d, id, records, { ...chunking });
        index.addDocument({ id, name: doc.name, ...(doc.title ? { title: doc.title } : {}) }, records);
        chunks += made.length;
        ctx.progress({ kind: 'items', stage: 'chunking', done: i + 1, total: ids.length });
      }
      return { docs: ids.length, chunks, stats: index.stats() };
    },

    async deleteDocs({ ids }) {
      const d = await db();
      await ready();
      if (ids === 'all') {
        const n = (await listDocuments(d)).length;
        await deleteAll(d);
        index.clear();
        return { deleted: n, stats: index.stats() };
      }
      for (const id of ids) {
        await deleteDocument(d, id);
        index.removeDocument(id);
      }
      return { deleted: ids.length, stats: index.stats() };
    },

    async importWorkspace({ file, mode }) {
      const name = file instanceof File ? file.name : 'workspace.json';
      const text = await file.text();
      let bundle: unknown;
      try {
        bundle = JSON.parse(text);
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        const { line, column } = locateJsonError(text) ?? { line: 1, column: 1 };
        throw new FileError('json-invalid', `"${name}" is not a JSON file: it breaks at line ${line}, column ${column}. Choose a workspace file exported by Method Lab.`, { fileName: name, line, column });
      }
      const report = await importWorkspace(await db(), bundle, { mode });
      await index.ensure(embedder?.info.model ?? index.model, true);
      return { report, stats: index.stats() };
    },

    async setContexts({ entries }, ctx) {
      const d = await db();
      await ready();
      const updated = await setChunkContexts(d, entries);
      index.updateChunks(updated);
      // Their vectors were made from the old indexed text and are gone: embed them again now if possible.
      let embedded = 0;
      if (embedder && updated.length) {
        try {
          embedded = await embedChunks(embedder, updated, ctx);
        } catch (e) {
          if (ctx.signal.aborted) throw e;
        }
      }
      return { updated: updated.length, embedded, stats: index.stats() };
    },

    async sweep(req, ctx) {
      const dense = req.settings.some((s) => s.mode !== 'bm25');
      const rerank = req.settings.some((s) => s.mode === 'hybrid+rerank');
      if (dense && !embedder) throw new AppError('dense-unavailable', 'The sweep\u2019s dense, hybrid and rerank settings need the embedding model, which is not loaded. Load it, or sweep BM25 only.', { reason: 'no-embedder' });
      if (rerank && !reranker) throw new AppError('rerank-unavailable', 'The sweep\u2019s "hybrid + rerank" settings need the reranker, which is not loaded. Load it, or leave that mode out.');
      const e = embedder;
      const r = reranker;
      return runLibrarySweep(await db(), req, {
        embed: e ? sweepEmbeddings.embedFn(e, ctx.signal) : null,
        rerank: r ? (q, texts) => r.score(q, [...texts]) : null,
        embedder: dense && e ? e.info.model : null,
        reranker: rerank && r ? r.model : null,
        signal: ctx.signal,
        progress: (p) => ctx.item(p),
      });
    },

    async clearAll() {
      await clearAll(await db());
      index.clear();
      return { stats: index.stats() };
    },

    crash: crashLater,
  });
}
