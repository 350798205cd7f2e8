// The knowledge worker's live index: BM25 over every stored chunk plus the vectors of the loaded
// embedder, rebuilt from IndexedDB at start-up (and when the embedder changes), kept in step with
// ingestion and deletion. Hits are returned with their chunk text and document name from the store.

import { SearchIndex } from '../src/retrieval/search-index';
import type { Hit } from '../src/retrieval/hybrid';
import type { IndexStats, SearchHit } from '../src/protocol/messages';
import type { LabDb } from '../src/store/db';
import { getChunksByIds, iterateChunks, listDocuments } from '../src/store/documents';
import { missingVectors, vectorsForModel } from '../src/store/vectors';

export class KnowledgeIndex {
  private index = new SearchIndex();
  /** The embedding model whose vectors the index holds. */
  model: string | null = null;
  private names = new Map<string, string>();
  private building: Promise<void> | null = null;
  /** Counts builds so an older one finishing late cannot replace a newer one's result. */
  private generation = 0;
  private missingCount = 0;
  /** Passages embedded by this worker since it started. */
  embedded = 0;

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
    const names = new Map((await listDocuments(db)).map((d) => [d.id, d.name]));
    for await (const batch of iterateChunks(db, 2000)) index.addChunks(batch.map((c) => ({ id: c.id, text: c.text, docId: c.docId })));
    if (model) {
      for await (const batch of vectorsForModel(db, model, 2000)) {
        if (!batch.length) continue;
        const dim = batch[0].dim;
        const flat = new Float32Array(batch.length * dim);
        batch.forEach((v, i) => flat.set(v.vector, i * dim));
        index.addVectors(batch.map((v) => v.id), flat, dim);
      }
      const missing = (await missingVectors(db, model)).length;
      if (generation !== this.generation) return;
      this.missingCount = missing;
    } else {
      if (generation !== this.generation) return;
      this.missingCount = index.stats().chunks;
    }
    this.index = index;
    this.names = names;
  }

  addDocument(docId: string, name: string, chunks: { id: string; text: string }[], vectors?: Float32Array, dim?: number): void {
    this.names.set(docId, name);
    this.index.removeDocument(docId);
    this.index.addChunks(chunks.map((c) => ({ ...c, docId })));
    if (vectors && dim) this.index.addVectors(chunks.map((c) => c.id), vectors, dim);
    else this.missingCount += chunks.length;
  }

  /** Records freshly computed vectors (counted in `embeddedSinceStart`). */
  addVectors(ids: string[], vectors: Float32Array, dim: number): void {
    this.embedded += ids.length;
    this.index.addVectors(ids, vectors, dim);
    this.missingCount = Math.max(0, this.missingCount - ids.length);
  }

  removeDocument(docId: string): void {
    this.index.removeDocument(docId);
    this.names.delete(docId);
  }

  clear(): void {
    this.index = new SearchIndex();
    this.names.clear();
    this.missingCount = 0;
  }

  setMissing(n: number): void {
    this.missingCount = n;
  }

  stats(): IndexStats {
    const s = this.index.stats();
    return { docs: s.documents, chunks: s.chunks, vectors: s.vectors, embedModel: this.model, dim: s.dim ?? 0, bytes: s.bytes, missing: this.missingCount, embeddedSinceStart: this.embedded };
  }

  terms(query: string): string[] {
    return this.index.queryTerms(query);
  }

  /** Raw fused hits (ids and scores), `n` of them. */
  rank(query: string, queryVector: Float32Array | null, n: number, dense: boolean, bm25: boolean): Hit[] {
    return this.index.search(query, queryVector, { k: n, dense: dense && queryVector !== null, bm25 });
  }

  /** Attaches chunk text, position and document name to ranked hits. */
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
          docName: this.names.get(c.docId) ?? c.docId,
          index: c.index,
          text: c.text,
          page: c.page,
          headingPath: c.headingPath,
          rank: i + 1,
          fused: h.fused,
          dense: h.dense,
          bm25: h.bm25,
          rerank: h.rerank,
        },
      ];
    });
  }
}
