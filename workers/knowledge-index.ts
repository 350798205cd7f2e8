// The knowledge worker's live index: BM25 over every stored chunk plus the vectors of the loaded
// embedder, rebuilt from IndexedDB at start-up (and when the embedder changes), kept in step with
// ingestion, context sentences and deletion. Each chunk is indexed as its contextual header (document
// label › headings), its optional LLM context sentence and its text — the same text the embedder gets.
// Only vectors made from that text format (`vectorTag`) are loaded. Hits come back with their chunk
// text, document name and what was indexed, from the store. Vectors are held as int8 codes with the
// full-precision rows in an OPFS file for the exact re-score of the best candidates (so dense top-k is
// that of float32); where OPFS synchronous access is missing they stay float32, never approximate.

import { SearchIndex } from '../src/retrieval/search-index';
import { openFileRowStore, type RowStore } from '../src/retrieval/row-store';
import type { Hit } from '../src/retrieval/hybrid';
import { chunkHeader, indexedText } from '../src/retrieval/contextual';
import type { IndexStats, SearchHit } from '../src/protocol/messages';
import type { ChunkRecord, LabDb } from '../src/store/db';
import { getChunksByIds, iterateChunks, listDocuments } from '../src/store/documents';
import { vectorTag, vectorsForModel } from '../src/store/vectors';

/** What a chunk's header is made of, besides its own heading path. */
interface DocLabel {
  name: string;
  title?: string;
}

/** The fields of a chunk record its indexed text is made from. */
export type IndexedChunk = Pick<ChunkRecord, 'id' | 'docId' | 'text' | 'headingPath' | 'context'>;

export interface KnowledgeIndexOptions {
  /**
   * Opens the full-precision row store for int8 vectors of `dim` dimensions, or resolves to null to
   * keep vectors float32. Default: an OPFS file (null where synchronous access handles are missing).
   */
  rows?: (dim: number) => Promise<RowStore | null>;
}

/** A write to the index; kept while a rebuild runs, to be applied again to the index it builds. */
type Write = (index: SearchIndex, docs: Map<string, DocLabel>) => void;

export class KnowledgeIndex {
  private index = new SearchIndex();
  /** The f32 rows behind the int8 index (closed when a rebuild replaces the index). */
  private rows: RowStore | null = null;
  /** The vector dimension the index is (being) built for; null while unknown (no embedder, no stored vectors). */
  private dim: number | null = null;
  /** The embedding model whose vectors the index holds (its id; stored vectors carry `vectorTag(model)`). */
  model: string | null = null;
  private docs = new Map<string, DocLabel>();
  private building: Promise<void> | null = null;
  /** Counts builds so an older one finishing late cannot replace a newer one's result. */
  private generation = 0;
  /** Writes made while each running build reads the store (it may have read before or after them). */
  private readonly logs = new Set<Write[]>();
  /** Passages embedded by this worker since it started. */
  private embedded = 0;
  private readonly openRows: (dim: number) => Promise<RowStore | null>;

  constructor(
    private readonly db: () => Promise<LabDb>,
    options: KnowledgeIndexOptions = {},
  ) {
    this.openRows = options.rows ?? openFileRowStore;
  }

  /**
   * Builds the index once (or again when `model` differs from the one indexed, when `rebuild`, or when
   * the embedder's `dim` becomes known to an index built without it, which then holds vectors as int8).
   */
  ensure(model: string | null, rebuild = false, dim?: number): Promise<void> {
    const dimChanged = dim !== undefined && dim !== this.dim;
    if (this.building && model === this.model && !rebuild && !dimChanged) return this.building;
    const keepDim = model === this.model ? this.dim : null;
    this.model = model;
    this.dim = dim ?? keepDim;
    const p = this.build(model, this.dim, ++this.generation);
    this.building = p;
    p.catch(() => {
      if (this.building === p) this.building = null;
    });
    return p;
  }

  private async build(model: string | null, wantDim: number | null, generation: number): Promise<void> {
    const log: Write[] = [];
    this.logs.add(log);
    let rows: RowStore | null = null;
    let replaced = false;
    try {
      const db = await this.db();
      const docs = new Map((await listDocuments(db)).map((d) => [d.id, { name: d.name, ...(d.title ? { title: d.title } : {}) }]));
      const stored = model ? vectorsForModel(db, vectorTag(model), 2000) : null;
      const first = stored ? await stored.next() : null;
      const firstBatch = first && !first.done ? first.value : [];
      const dim = wantDim ?? firstBatch[0]?.dim ?? null;
      rows = dim ? await this.openRows(dim) : null;
      const index = rows ? new SearchIndex(undefined, { precision: 'int8', exact: rows }) : new SearchIndex();
      for await (const batch of iterateChunks(db, 2000)) index.addChunks(batch.map((c) => ({ id: c.id, text: indexedTextWith(docs.get(c.docId), c), docId: c.docId })));
      const add = (batch: readonly { id: string; dim: number; vector: Float32Array }[]) => {
        if (!batch.length) return;
        const d = batch[0].dim;
        const flat = new Float32Array(batch.length * d);
        batch.forEach((v, i) => flat.set(v.vector, i * d));
        index.addVectors(batch.map((v) => v.id), flat, d);
      };
      add(firstBatch);
      if (stored && first && !first.done) for await (const batch of stored) add(batch);
      if (generation !== this.generation) return;
      // A dimension learnt from the stored vectors: loading the embedder later needs no rebuild.
      this.dim ??= dim;
      for (const write of log) write(index, docs);
      const old = this.rows;
      this.index = index;
      this.rows = rows;
      this.docs = docs;
      replaced = true;
      if (old !== rows) old?.close();
    } finally {
      this.logs.delete(log);
      if (!replaced) rows?.close();
    }
  }

  /** Applies a write to the live index, and again to any index being built when that one is swapped in. */
  private write(w: Write): void {
    w(this.index, this.docs);
    for (const log of this.logs) log.push(w);
  }

  /** The text indexed and embedded for a chunk of a known document: header, context sentence, text. */
  indexedText(c: IndexedChunk): string {
    return indexedTextWith(this.docs.get(c.docId), c);
  }

  /** The header and context sentence a chunk is indexed with. */
  indexedAs(c: Pick<ChunkRecord, 'docId' | 'headingPath' | 'context' | 'contextModel'>): NonNullable<SearchHit['indexed']> {
    const d = this.docs.get(c.docId) ?? { name: c.docId };
    return { header: chunkHeader({ name: d.name, title: d.title, headingPath: c.headingPath }), ...(c.context ? { context: c.context, contextModel: c.contextModel } : {}) };
  }

  /** (Re)indexes a document's chunks for BM25; their vectors count as missing until `addVectors`. */
  addDocument(doc: { id: string; name: string; title?: string }, chunks: readonly IndexedChunk[]): void {
    const label: DocLabel = { name: doc.name, ...(doc.title ? { title: doc.title } : {}) };
    this.write((index, docs) => {
      docs.set(doc.id, label);
      index.removeDocument(doc.id);
      index.addChunks(chunks.map((c) => ({ id: c.id, text: indexedTextWith(label, c), docId: doc.id })));
    });
  }

  /** Re-indexes chunks whose indexed text changed (a context sentence); their old vectors go. */
  updateChunks(chunks: readonly IndexedChunk[]): void {
    this.write((index, docs) => {
      const held = chunks.filter((c) => docs.has(c.docId));
      index.addChunks(held.map((c) => ({ id: c.id, text: indexedTextWith(docs.get(c.docId), c), docId: c.docId })));
    });
  }

  /**
   * Records vectors `model` just computed (row i for chunks[i]; counted in `embeddedSinceStart`).
   * Nothing is indexed when the index now holds another model's vectors, nor for chunks of documents
   * no longer indexed (deleted meanwhile); returns how many were indexed.
   */
  addVectors(model: string, chunks: readonly Pick<IndexedChunk, 'id' | 'docId'>[], vectors: Float32Array, dim: number): number {
    if (model !== this.model) return 0;
    const keep = chunks.flatMap((c, i) => (this.docs.has(c.docId) ? [i] : []));
    if (!keep.length) return 0;
    const ids = keep.map((i) => chunks[i].id);
    const docIds = keep.map((i) => chunks[i].docId);
    const rows = keep.length === chunks.length ? vectors : new Float32Array(keep.length * dim);
    if (rows !== vectors) keep.forEach((i, r) => rows.set(vectors.subarray(i * dim, (i + 1) * dim), r * dim));
    this.embedded += ids.length;
    this.write((index, docs) => {
      const held = ids.flatMap((id, r) => (docs.has(docIds[r]) ? [r] : []));
      if (held.length === ids.length) index.addVectors(ids, rows, dim);
      else if (held.length) {
        const part = new Float32Array(held.length * dim);
        held.forEach((r, j) => part.set(rows.subarray(r * dim, (r + 1) * dim), j * dim));
        index.addVectors(held.map((r) => ids[r]), part, dim);
      }
    });
    return ids.length;
  }

  /** Whether the document is indexed (stored and not deleted): only its chunks may get vectors. */
  holds(docId: string): boolean {
    return this.docs.has(docId);
  }

  removeDocument(docId: string): void {
    this.write((index, docs) => {
      index.removeDocument(docId);
      docs.delete(docId);
    });
  }

  /** Empties the index, keeping how it holds vectors (the row file is emptied, not closed). */
  clear(): void {
    this.rows?.truncate(0);
    this.index = this.rows ? new SearchIndex(undefined, { precision: 'int8', exact: this.rows }) : new SearchIndex();
    this.docs = new Map();
    for (const log of this.logs) {
      log.push((index, docs) => {
        for (const id of [...docs.keys()]) index.removeDocument(id);
        docs.clear();
      });
    }
  }

  stats(): IndexStats {
    const s = this.index.stats();
    // Vectors are only ever indexed for indexed chunks and the current model, so the rest are missing.
    const missing = this.model ? Math.max(0, s.chunks - s.vectors) : s.chunks;
    return {
      docs: s.documents,
      chunks: s.chunks,
      vectors: s.vectors,
      embedModel: this.model,
      dim: s.dim ?? 0,
      bytes: s.bytes,
      missing,
      embeddedSinceStart: this.embedded,
      precision: s.precision,
      exactRows: s.exactRows,
    };
  }

  terms(query: string): string[] {
    return this.index.queryTerms(query);
  }

  /** Raw fused hits (ids and scores), `n` of them. */
  rank(query: string, queryVector: Float32Array | null, n: number, dense: boolean, bm25: boolean): Hit[] {
    return this.index.search(query, queryVector, { k: n, dense: dense && queryVector !== null, bm25 });
  }

  /** Attaches chunk text, position, document name and what was indexed to ranked hits (missing chunks dropped). */
  async resolve(hits: Hit[]): Promise<SearchHit[]> {
    const db = await this.db();
    const chunks = await getChunksByIds(db, hits.map((h) => h.id));
    const byId = new Map(chunks.map((c) => [c.id, c]));
    return hits.flatMap((h, i) => {
      const c = byId.get(h.id);
      if (!c) return [];
      return [
        {
          chunkId: c.id,
          docId: c.docId,
          docName: this.docs.get(c.docId)?.name ?? c.docId,
          index: c.index,
          text: c.text,
          start: c.start,
          end: c.end,
          page: c.page,
          headingPath: c.headingPath,
          rank: i + 1,
          fused: h.fused,
          dense: h.dense,
          bm25: h.bm25,
          rerank: h.rerank,
          indexed: this.indexedAs(c),
        },
      ];
    });
  }
}

function indexedTextWith(doc: DocLabel | undefined, c: IndexedChunk): string {
  const header = chunkHeader({ name: doc?.name ?? c.docId, title: doc?.title, headingPath: c.headingPath });
  return indexedText(header, c.text, c.context);
}
