// Page side of the knowledge worker: typed methods over the RPC client.

import type { ChunkSettings } from '../chunking/chunk';
import type { Device, EmbedderInfo, IndexStats, IngestSummary, KnowledgeCalls, ModelSpec, Progress, SearchOptions, SearchResult } from '../protocol/messages';
import type { EmbedderEntry } from '../models/catalog';
import type { ResolvedHosts } from '../models/hosts';
import { RpcClient } from './rpc';

export class KnowledgeClient {
  readonly rpc = new RpcClient<KnowledgeCalls>('knowledge', () => new Worker(new URL('../../workers/knowledge.worker.ts', import.meta.url), { type: 'module', name: 'knowledge' }));

  loadEmbedder(model: ModelSpec, hosts: ResolvedHosts, device: Device, entry: Pick<EmbedderEntry, 'pooling' | 'normalize' | 'queryPrefix' | 'passagePrefix'>, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<EmbedderInfo> {
    const { pooling, normalize, queryPrefix, passagePrefix } = entry;
    return this.rpc.call('loadEmbedder', { model, hosts, device, pooling, normalize, queryPrefix, passagePrefix }, { onProgress, signal });
  }

  embed(texts: string[], kind: 'query' | 'passage' | 'raw' = 'raw', onProgress?: (p: Progress) => void, signal?: AbortSignal) {
    return this.rpc.call('embed', { texts, kind }, { onProgress, signal });
  }

  /**
   * `model`: whose stored vectors to index while no embedder is loaded; `rebuild` re-reads
   * IndexedDB even if the index is built (after a workspace import).
   */
  openIndex(opts: { model?: string; rebuild?: boolean } = {}): Promise<IndexStats> {
    return this.rpc.call('openIndex', opts);
  }

  embedMissing(onProgress?: (p: Progress) => void, signal?: AbortSignal) {
    return this.rpc.call('embedMissing', {}, { onProgress, signal });
  }

  search(query: string, opts: SearchOptions, signal?: AbortSignal): Promise<SearchResult> {
    return this.rpc.call('search', { query, opts }, { signal });
  }

  loadReranker(model: ModelSpec, hosts: ResolvedHosts, device: Device, onProgress?: (p: Progress) => void) {
    return this.rpc.call('loadReranker', { model, hosts, device }, { onProgress });
  }

  /** The bytes are transferred to the worker: `bytes` is unusable afterwards. */
  ingest(name: string, bytes: ArrayBuffer, maxBytes: number, chunking: ChunkSettings, onProgress?: (p: Progress) => void, signal?: AbortSignal, sample = false): Promise<IngestSummary> {
    return this.rpc.call('ingest', { name, bytes, maxBytes, chunking, ...(sample ? { sample } : {}) }, { onProgress, signal }, [bytes]);
  }

  reindex(ids: string[] | 'all', chunking: ChunkSettings, onProgress?: (p: Progress) => void, signal?: AbortSignal) {
    return this.rpc.call('reindex', { ids, chunking }, { onProgress, signal });
  }

  deleteDocs(ids: string[] | 'all') {
    return this.rpc.call('deleteDocs', { ids });
  }

  crash(): void {
    void this.rpc.call('crash', {}).catch(() => undefined);
  }
}
