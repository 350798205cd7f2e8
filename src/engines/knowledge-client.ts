// Page side of the knowledge worker: typed methods over the RPC client.

import type { Device, EmbedderInfo, KnowledgeCalls, ModelSpec, Progress } from '../protocol/messages';
import type { ResolvedHosts } from '../models/hosts';
import { RpcClient } from './rpc';

export class KnowledgeClient {
  readonly rpc = new RpcClient<KnowledgeCalls>('knowledge', () => new Worker(new URL('../../workers/knowledge.worker.ts', import.meta.url), { type: 'module', name: 'knowledge' }));

  loadEmbedder(model: ModelSpec, hosts: ResolvedHosts, device: Device, pooling: 'mean' | 'cls', normalize: boolean, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<EmbedderInfo> {
    return this.rpc.call('loadEmbedder', { model, hosts, device, pooling, normalize }, { onProgress, signal });
  }

  embed(texts: string[], onProgress?: (p: Progress) => void, signal?: AbortSignal) {
    return this.rpc.call('embed', { texts }, { onProgress, signal });
  }

  crash(): void {
    void this.rpc.call('crash', {}).catch(() => undefined);
  }
}
