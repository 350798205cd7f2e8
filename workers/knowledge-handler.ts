// The knowledge worker's logic: owns the embedder, the reranker and the chunk index, and is the only
// writer of documents, chunks and vectors (ingest, re-chunk, context sentences, delete, workspace
// import, clear-all); every write answers with the index as it stands afterwards. Chunks are indexed
// and embedded with their contextual header. A stored file is searchable by BM25 at once; embedding
// can run as a background queue (`embedMissing`) that gives way to storing files and searching and
// stores each batch before the next. A search collapses near-duplicates before the top-k cut, can expand hits to
// their sections (small-to-big), reports what it actually ran and refuses to drop a requested part
// silently. It also runs the retrieval sweep in scratch indexes. Takes `post` so Node
// tests drive it with plain objects.

import { AppError, FileError } from '../src/protocol/errors';
import type { Fallback, KnowledgeCalls, Post, RetrievalRan, SearchHit } from '../src/protocol/messages';
import { crashLater, serve, type CallContext, type Handlers } from './handler-kit';
import { ingestFile, type IngestDeps } from './ingest';
import { openDb, type ChunkRecord, type LabDb } from '../src/store/db';
import { deleteAll, deleteDocument, getChunksByIds, getDocument, listDocuments, replaceChunks, setChunkContexts, updateDocument } from '../src/store/documents';
import { missingVectors, putVectorsIfCurrent, vectorTag } from '../src/store/vectors';
import { estimateTokens } from '../src/text/tokens';
import { importWorkspace } from '../src/store/workspace';
import { clearAll } from '../src/store/clear';
import { chunkId, parseChunkId } from '../src/store/chunk-id';
import { chunkDocument } from '../src/chunking/chunk';
import { applyRerank } from '../src/retrieval/rerank';
import { attachPassages, collapseDuplicates } from '../src/retrieval/search-hits';
import type { SourceDocument } from '../src/retrieval/small-to-big';
import { locateJsonError } from '../src/extract/json-error';
import { EMBED_BATCH, embedTexts, loadEmbedder, type Embedder } from './embedder';
import { loadServerEmbedder } from './server-embedder';
import { loadReranker, type Reranker } from './reranker';
import { KnowledgeIndex, type IndexedChunk, type KnowledgeIndexOptions } from './knowledge-index';
import { runLibrarySweep, SweepEmbeddings } from './knowledge-sweep';

export interface KnowledgeDeps {
  /** Opens the database (cached by the handler). */
  db?: () => Promise<LabDb>;
  /** pdf.js for the browser worker; Node leaves it to the extractor. */
  pdfjs?: IngestDeps['pdfjs'];
  /** The full-precision rows behind int8 vectors (default: an OPFS file; Node has none, so float32). */
  rows?: KnowledgeIndexOptions['rows'];
  /** Requests to an embedding server the user added (default: the worker's own fetch). */
  fetch?: typeof fetch;
}

/** Embedding progress of one call, in chunks and estimated tokens (what a time-left estimate needs). */
interface EmbedCount {
  done: number;
  total: number;
  tokens: { done: number; total: number };
}

/**
 * Candidates ranked before the top-k cut, as a multiple of k (at least MIN_POOL): the reranker only
 * reorders, and collapsing near-duplicates removes some, so both need room below k.
 */
const CANDIDATE_POOL = 3;
const MIN_POOL = 20;
/** Chunks embedded, stored and indexed together: a cancel or crash keeps every finished batch. */
export const EMBED_BATCH_CHUNKS = 64;

export function createKnowledgeHandler(post: Post, deps: KnowledgeDeps = {}) {
  let embedder: Embedder | null = null;
  let reranker: Reranker | null = null;
  let dbPromise: Promise<LabDb> | null = null;
  const db = (): Promise<LabDb> => {
    dbPromise ??= (deps.db ?? (() => openDb()))();
    dbPromise.catch(() => (dbPromise = null));
    return dbPromise;
  };
  const index = new KnowledgeIndex(db, { rows: deps.rows });
  const ready = () => index.ensure(embedder?.info.model ?? index.model, false, embedder?.info.dim);

  // Foreground calls running now (storing a file makes it searchable; a search is awaited by a person).
  // A forward pass holds this thread for seconds, so background embedding first lets queued messages
  // in (a macrotask turn), then waits until no foreground call runs.
  let foregroundCalls = 0;
  let foregroundDone: (() => void) | null = null;
  let foregroundIdle: Promise<void> = Promise.resolve();
  const yieldToForeground = async () => {
    await new Promise((r) => setTimeout(r, 0));
    while (foregroundCalls > 0) await foregroundIdle;
  };
  async function inForeground<T>(run: () => Promise<T>): Promise<T> {
    if (foregroundCalls++ === 0) foregroundIdle = new Promise((r) => (foregroundDone = r));
    try {
      return await run();
    } finally {
      if (--foregroundCalls === 0) foregroundDone?.();
    }
  }
  /** The calls a person waits on (storing a file, a search) run in the foreground. */
  function foreground(handlers: Handlers<KnowledgeCalls>): Handlers<KnowledgeCalls> {
    const { ingest, search } = handlers;
    return { ...handlers, ingest: (req, ctx) => inForeground(() => ingest(req, ctx)), search: (req, ctx) => inForeground(() => search(req, ctx)) };
  }

  /** The embedding batch being written now (IndexedDB, then the index), if any. */
  let storing: Promise<unknown> = Promise.resolve();

  const need = (): Embedder => {
    if (!embedder) throw new AppError('bad-request', 'No embedding model is loaded yet.');
    return embedder;
  };

  /**
   * Embeds chunks in batches of EMBED_BATCH_CHUNKS, longest first (so each batch pads little); each batch
   * is stored (for chunks still as they were embedded) and indexed before the next, so a cancel keeps
   * everything finished so far. `count` carries progress across calls of one run; with `background`
   * each forward pass first gives way to foreground calls (storing a file, a search). Returns the
   * vectors stored.
   */
  async function embedChunks(e: Embedder, chunks: readonly IndexedChunk[], ctx: Pick<CallContext<unknown>, 'progress' | 'signal'>, count: EmbedCount = { done: 0, total: 0, tokens: { done: 0, total: 0 } }, background = false): Promise<number> {
    const d = await db();
    const dim = e.info.dim;
    const tag = vectorTag(e.info.model);
    // The same text BM25 indexes: header, context sentence, chunk (the embedder adds its passage prefix).
    const texts = chunks.map((c) => index.indexedText(c));
    const lengths = texts.map((t) => estimateTokens(e.passagePrefix + t));
    const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
    count.total += chunks.length;
    for (const n of lengths) count.tokens.total += n;
    const report = () => ctx.progress({ kind: 'items', stage: 'embedding', done: count.done, total: count.total, tokens: { ...count.tokens } });
    report();
    let kept = 0;
    // A server embedder gets one request's worth at a time, so a document deleted meanwhile loses at
    // most that request to the server (local models keep larger batches: fewer writes).
    const size = e.info.device === 'server' ? EMBED_BATCH : EMBED_BATCH_CHUNKS;
    // A run stops when another embedding model takes over: its vectors would not belong in the index.
    for (let i = 0; i < order.length && !ctx.signal.aborted && embedder === e; i += size) {
      // Chunks of a document deleted (or an ingestion cancelled) since the run read them are not
      // embedded: with a server embedder they would still leave the machine.
      const batch = order.slice(i, i + size).filter((j) => {
        if (index.holds(chunks[j].docId)) return true;
        count.total--;
        count.tokens.total -= lengths[j];
        return false;
      });
      if (!batch.length) {
        report();
        continue;
      }
      const before = { done: count.done, tokens: count.tokens.done };
      const vectors = await embedTexts(e, batch.map((j) => texts[j]), 'passage', ctx.signal, (done, _total, tokens) => {
        count.done = before.done + done;
        count.tokens.done = before.tokens + tokens.done;
        report();
      }, background ? yieldToForeground : undefined);
      // Cancelled during the last forward pass: nothing more is stored, so the stats the page reads
      // right after its cancel are the run's final ones.
      if (ctx.signal.aborted) break;
      const store = async () => {
        const ids = new Set(await putVectorsIfCurrent(d, tag, dim, batch.map((j, r) => ({ chunk: chunks[j], vector: vectors.subarray(r * dim, (r + 1) * dim) }))));
        const rows = batch.flatMap((j, r) => (ids.has(chunks[j].id) ? [r] : []));
        const flat = rows.length === batch.length ? vectors : new Float32Array(rows.length * dim);
        if (flat !== vectors) rows.forEach((r, k) => flat.set(vectors.subarray(r * dim, (r + 1) * dim), k * dim));
        return index.addVectors(e.info.model, rows.map((r) => chunks[batch[r]]), flat, dim);
      };
      const stored = store();
      storing = stored.catch(() => undefined);
      kept += await stored;
    }
    return kept;
  }

  /** Marks the documents among `docIds` whose every chunk has a vector from `model` as embedded with it. */
  async function markEmbedded(model: string, docIds: Iterable<string>): Promise<void> {
    const d = await db();
    const incomplete = new Set((await missingVectors(d, vectorTag(model))).map((id) => parseChunkId(id)?.docId));
    for (const id of docIds) {
      if (!index.holds(id) || incomplete.has(id)) continue;
      // Deleted in the meantime: nothing to mark.
      await updateDocument(d, id, { embedModel: model }).catch((err: unknown) => {
        if (!(err instanceof AppError && err.code === 'bad-request')) throw err;
      });
    }
  }

  const sweepEmbeddings = new SweepEmbeddings();

  return serve<KnowledgeCalls>(post, foreground({
    async loadEmbedder(req, ctx) {
      embedder = req.server
        ? await loadServerEmbedder(req.server, { fetch: deps.fetch ?? fetch.bind(globalThis) }, ctx.signal, { queryPrefix: req.queryPrefix, passagePrefix: req.passagePrefix })
        : await loadEmbedder(req, ctx.progress);
      await index.ensure(embedder.info.model, false, embedder.info.dim);
      return embedder.info;
    },

    async dropEmbedder({ model }) {
      if (embedder?.info.model !== model) return { dropped: false };
      // A background run checks `embedder === e` before each batch, so it stops here too.
      embedder = null;
      return { dropped: true };
    },

    async embed({ texts, kind }, ctx) {
      const e = need();
      const started = performance.now();
      const vectors = await embedTexts(e, texts, kind ?? 'raw', ctx.signal, (done, total) => ctx.progress({ kind: 'items', stage: 'embed', done, total }));
      ctx.transfer(vectors.buffer);
      return { vectors, dim: e.info.dim, ms: performance.now() - started };
    },

    async openIndex({ model }) {
      // A batch being stored counts in full or not at all: stats wait for its write (milliseconds).
      await storing;
      await index.ensure(embedder?.info.model ?? model ?? index.model, false, embedder?.info.dim);
      return index.stats();
    },

    async embedMissing(_req, ctx) {
      const e = need();
      const d = await db();
      await index.ensure(e.info.model, false, e.info.dim);
      const started = performance.now();
      const tag = vectorTag(e.info.model);
      const count: EmbedCount = { done: 0, total: 0, tokens: { done: 0, total: 0 } };
      const tried = new Set<string>();
      const touched = new Set<string>();
      let embedded = 0;
      // Files stored meanwhile join the queue behind what it holds; each chunk is tried once per run.
      // Chunks of a file still being stored belong to no indexed document yet and wait for it.
      try {
        for (;;) {
          const ids = (await missingVectors(d, tag)).filter((id) => !tried.has(id));
          const chunks = (await getChunksByIds(d, ids)).filter((c) => index.holds(c.docId));
          if (!chunks.length || ctx.signal.aborted || embedder !== e) break;
          for (const c of chunks) {
            tried.add(c.id);
            touched.add(c.docId);
          }
          embedded += await embedChunks(e, chunks, ctx, count, true);
        }
      } finally {
        // Also after a cancel: documents whose every chunk got its vector before it are embedded.
        await markEmbedded(e.info.model, touched);
      }
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
          // HyDE hands dense search a passage of its own to embed; BM25 and the reranker keep the query.
          const dt = opts.denseText;
          if (dt && !dt.text.trim()) throw new AppError('bad-request', 'The text for dense search is empty.');
          const t0 = performance.now();
          qvec = await embedTexts(embedder, [dt ? dt.text : query], dt ? dt.kind : 'query', ctx.signal);
          ms.embed = performance.now() - t0;
          ran.dense = true;
          ran.embedder = embedder.info.model;
          if (dt) ran.denseText = { kind: dt.kind, chars: dt.text.length };
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

    async ingest({ name, bytes, maxBytes, chunking, sample, embed }, ctx) {
      const d = await db();
      await ready();
      let saved;
      let indexed: string | null = null;
      try {
        // BM25 indexing runs while the browser commits the file; a failed commit takes it out again.
        const whileCommitting = (doc: { id: string; name: string; title?: string }, chunks: readonly IndexedChunk[]) => {
          index.addDocument(doc, chunks);
          indexed = doc.id;
        };
        saved = await ingestFile(d, { name, bytes: new Uint8Array(bytes), maxBytes, chunking, sample }, { signal: ctx.signal, progress: ctx.progress, pdfjs: deps.pdfjs, whileCommitting });
        // A cancel that came while the file was being committed still leaves nothing stored.
        if (ctx.signal.aborted) {
          await deleteDocument(d, saved.summary.id);
          throw ctx.signal.reason;
        }
      } catch (err) {
        if (indexed !== null) index.removeDocument(indexed);
        throw err;
      }
      const { summary, chunks } = saved;
      // The document is saved already; embedding can fail or be cancelled and be redone later.
      if (embedder && embed !== false) {
        const e = embedder;
        ctx.progress({ kind: 'stage', stage: 'embedding' });
        try {
          if ((await embedChunks(e, chunks, ctx)) === chunks.length) await markEmbedded(e.info.model, [summary.id]);
        } catch (err) {
          if (ctx.signal.aborted) throw err;
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
      await index.ensure(embedder?.info.model ?? index.model, true, embedder?.info.dim);
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
        const em = embedder;
        try {
          embedded = await embedChunks(em, updated, ctx);
          if (!ctx.signal.aborted) await markEmbedded(em.info.model, new Set(updated.map((c) => c.docId)));
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
  }));
}
