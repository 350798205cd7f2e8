// Page side of the knowledge worker: typed methods over the RPC client.

import type { ChunkSettings } from '../chunking/chunk';
import type { Device, EmbedderInfo, KnowledgeCalls, ModelSpec, Progress, SearchOptions, ServerEmbedderSpec, SearchResult, SweepProgress, SweepReply, SweepRequest } from '../protocol/messages';
import type { ChunkContextEntry } from '../store/documents';
import type { EmbedderEntry } from '../models/catalog';
import type { ResolvedHosts } from '../models/hosts';
import { RpcClient, type WorkerFactory } from './rpc';

type Res<K extends keyof KnowledgeCalls> = Promise<KnowledgeCalls[K]['res']>;

export class KnowledgeClient {
  readonly rpc: RpcClient<KnowledgeCalls>;

  /** `factory` starts the worker; unit tests pass one that runs the real handler in-process. */
  constructor(factory: WorkerFactory = () => new Worker(new URL('../../workers/knowledge.worker.ts', import.meta.url), { type: 'module', name: 'knowledge' })) {
    this.rpc = new RpcClient<KnowledgeCalls>('knowledge', factory);
  }

  loadEmbedder(model: ModelSpec, hosts: ResolvedHosts, device: Device, entry: Pick<EmbedderEntry, 'pooling' | 'normalize' | 'queryPrefix' | 'passagePrefix'>, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<EmbedderInfo> {
    const { pooling, normalize, queryPrefix, passagePrefix } = entry;
    return this.rpc.call('loadEmbedder', { model, hosts, device, pooling, normalize, queryPrefix, passagePrefix }, { onProgress, signal });
  }

  /** An embedding model on a server the user added (after the user allowed texts to go there); the probe request's failure rejects. */
  loadServerEmbedder(server: ServerEmbedderSpec, signal?: AbortSignal): Promise<EmbedderInfo> {
    return this.rpc.call('loadEmbedder', { server, queryPrefix: '', passagePrefix: '' }, { signal });
  }

  /** Forgets the worker's embedder if it is `model` (its server was removed, or its permission or key changed). */
  dropEmbedder(model: string): Res<'dropEmbedder'> {
    return this.rpc.call('dropEmbedder', { model });
  }

  loadReranker(model: ModelSpec, hosts: ResolvedHosts, device: Device, onProgress?: (p: Progress) => void, signal?: AbortSignal): Res<'loadReranker'> {
    return this.rpc.call('loadReranker', { model, hosts, device }, { onProgress, signal });
  }

  embed(texts: string[], kind: 'query' | 'passage' | 'raw', signal?: AbortSignal): Res<'embed'> {
    return this.rpc.call('embed', { texts, kind }, { signal });
  }

  /** `model`: whose stored vectors to index while no embedder is loaded. */
  openIndex(model?: string): Res<'openIndex'> {
    return this.rpc.call('openIndex', { model });
  }

  search(query: string, opts: SearchOptions, signal?: AbortSignal): Promise<SearchResult> {
    return this.rpc.call('search', { query, opts }, { signal });
  }

  embedMissing(onProgress?: (p: Progress) => void, signal?: AbortSignal): Res<'embedMissing'> {
    return this.rpc.call('embedMissing', {}, { onProgress, signal });
  }

  /** The bytes are transferred to the worker: `bytes` is unusable afterwards. */
  ingest(req: KnowledgeCalls['ingest']['req'], onProgress?: (p: Progress) => void, signal?: AbortSignal): Res<'ingest'> {
    return this.rpc.call('ingest', req, { onProgress, signal }, [req.bytes]);
  }

  reindex(ids: string[] | 'all', chunking: ChunkSettings, onProgress?: (p: Progress) => void, signal?: AbortSignal): Res<'reindex'> {
    return this.rpc.call('reindex', { ids, chunking }, { onProgress, signal });
  }

  deleteDocs(ids: string[] | 'all'): Res<'deleteDocs'> {
    return this.rpc.call('deleteDocs', { ids });
  }

  importWorkspace(file: Blob, mode: 'merge' | 'replace'): Res<'importWorkspace'> {
    return this.rpc.call('importWorkspace', { file, mode });
  }

  /** Stores (null: removes) chunks' context sentences; progress while they are embedded again. */
  setContexts(entries: ChunkContextEntry[], onProgress?: (p: Progress) => void, signal?: AbortSignal): Res<'setContexts'> {
    return this.rpc.call('setContexts', { entries }, { onProgress, signal });
  }

  /** Runs the retrieval sweep in scratch indexes; `onItem` gets progress per setting. */
  sweep(req: SweepRequest, onItem?: (p: SweepProgress) => void, signal?: AbortSignal): Promise<SweepReply> {
    return this.rpc.call('sweep', req, { onItem, signal });
  }

  clearAll(): Res<'clearAll'> {
    return this.rpc.call('clearAll', {});
  }

  crash(): void {
    void this.rpc.call('crash', {}).catch(() => undefined);
  }
}
