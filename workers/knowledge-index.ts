// The knowledge worker's live index: BM25 over every stored chunk plus the vectors of the loaded
// embedder, rebuilt from IndexedDB at start-up (and when the embedder changes), kept in step with
// ingestion, context sentences and deletion. Each chunk is indexed as its contextual header (document
// label › headings), its optional LLM context sentence and its text — the same text the embedder gets.
// Only vectors made from that text format (`vectorTag`) are loaded. Hits come back with their chunk
// text, document name and what was indexed, from the store.

import { SearchIndex } from '../src/retrieval/search-index';
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

export class KnowledgeIndex {
  private index = new SearchIndex();
  /** The embedding model whose vectors the index holds (its id; stored vectors carry `vectorTag(model)`). */
  model: string | null = null;
  private docs = new Map<string, DocLabel>();
  private building: Promise<void> | null = null;
  /** Counts builds so an older one finishing late cannot replace a newer one's result. */
  private generation = 0;
  /** Passages embedded by this worker since it started. */
  private embedded = 0;

  constructor(private readonly db: () => Promise<LabDb>) {}

  /** Builds the index once (or again when `model` differs from the one indexed, or when `rebuild`). */
  ensure(model: string | null, rebuild = false): Promise<void> {
    if (this.building && model === this.model && !rebuild) return this.building;
    this.model = model;
    const p = this.build(model, ++this.generation);
    this.building = p;
    p.catch(() => {
      if (this.building === p) this.building = null;
    });
    return p;
  }

  private async build(model: string | null, generation: number): Promise<void> {
    const db = await this.db();
    const index = new SearchIndex();
    const docs = new Map((await listDocuments(db)).map((d) => [d.id, { name: d.name, ...(d.title ? { title: d.title } : {}) }]));
    for await (const batch of iterateChunks(db, 2000)) index.addChunks(batch.map((c) => ({ id: c.id, text: indexedTextWith(docs.get(c.docId), c), docId: c.docId })));
    if (model) {
      for await (const batch of vectorsForModel(db, vectorTag(model), 2000)) {
        if (!batch.length) continue;
        const dim = batch[0].dim;
        const flat = new Float32Array(batch.length * dim);
        batch.forEach((v, i) => flat.set(v.vector, i * dim));
        index.addVectors(batch.map((v) => v.id), flat, dim);
      }
    }
    if (generation !== this.generation) return;
    this.index = index;
    this.docs = docs;
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

  /** (Re)indexes a document's chunks for BM25; with `vectors`, their vectors too (else they count as missing). */
  addDocument(doc: { id: string; name: string; title?: string }, chunks: readonly IndexedChunk[], vectors?: Float32Array, dim?: number): void {
    this.docs.set(doc.id, { name: doc.name, ...(doc.title ? { title: doc.title } : {}) });
    this.index.removeDocument(doc.id);
    this.index.addChunks(chunks.map((c) => ({ id: c.id, text: this.indexedText(c), docId: doc.id })));
    if (vectors && dim) this.index.addVectors(chunks.map((c) => c.id), vectors, dim);
  }

  /** Re-indexes chunks whose indexed text changed (a context sentence); their old vectors go. */
  updateChunks(chunks: readonly IndexedChunk[]): void {
    this.index.addChunks(chunks.map((c) => ({ id: c.id, text: this.indexedText(c), docId: c.docId })));
  }

  /** Records freshly computed vectors (counted in `embeddedSinceStart`). */
  addVectors(ids: string[], vectors: Float32Array, dim: number): void {
    this.embedded += ids.length;
    this.index.addVectors(ids, vectors, dim);
  }

  removeDocument(docId: string): void {
    this.index.removeDocument(docId);
    this.docs.delete(docId);
  }

  clear(): void {
    this.index = new SearchIndex();
    this.docs.clear();
  }

  stats(): IndexStats {
    const s = this.index.stats();
    // Vectors are only ever indexed for indexed chunks and the current model, so the rest are missing.
    const missing = this.model ? Math.max(0, s.chunks - s.vectors) : s.chunks;
    return { docs: s.documents, chunks: s.chunks, vectors: s.vectors, embedModel: this.model, dim: s.dim ?? 0, bytes: s.bytes, missing, embeddedSinceStart: this.embedded };
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
