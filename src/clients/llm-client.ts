// Page side of the LLM worker: typed methods over the RPC client.

import type { ChatMessage, GenParams, GenResult, LlmCalls, LoadPlan, LoadedModel, Progress } from '../protocol/messages';
import type { ResolvedHosts } from '../models/hosts';
import { RpcClient, type WorkerFactory } from './rpc';

export class LlmClient {
  readonly rpc: RpcClient<LlmCalls>;

  /** `factory` starts the worker; unit tests pass one that runs the real handler in-process. */
  constructor(factory: WorkerFactory = () => new Worker(new URL('../../workers/llm.worker.ts', import.meta.url), { type: 'module', name: 'llm' })) {
    this.rpc = new RpcClient<LlmCalls>('LLM', factory);
  }

  load(key: string, plan: LoadPlan, hosts: ResolvedHosts, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    return this.rpc.call('load', { key, plan, hosts }, { onProgress, signal });
  }

  /** `onProgress` hears retry waits (a busy server) while nothing streams. */
  generate(key: string, messages: ChatMessage[], params: GenParams, onToken: (t: string) => void, signal?: AbortSignal, onProgress?: (p: Progress) => void): Promise<GenResult> {
    return this.rpc.call('generate', { key, messages, params }, { onItem: onToken, signal, onProgress });
  }

  /** Frees one model (or all, without a key). */
  unload(key?: string): Promise<{ unloaded: number }> {
    return this.rpc.call('unload', key === undefined ? {} : { key });
  }

  crash(): void {
    void this.rpc.call('crash', {}).catch(() => undefined);
  }
}
