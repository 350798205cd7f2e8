// Page side of the LLM worker: typed methods over the RPC client.

import type { ChatMessage, GenParams, GenResult, LlmCalls, LoadPlan, LoadedModel, Progress } from '../protocol/messages';
import type { ResolvedHosts } from '../models/hosts';
import { RpcClient } from './rpc';

export class LlmClient {
  readonly rpc = new RpcClient<LlmCalls>('LLM', () => new Worker(new URL('../../workers/llm.worker.ts', import.meta.url), { type: 'module', name: 'llm' }));

  load(plan: LoadPlan, hosts: ResolvedHosts, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    return this.rpc.call('load', { plan, hosts }, { onProgress, signal });
  }

  generate(messages: ChatMessage[], params: GenParams, onToken: (t: string) => void, signal?: AbortSignal): Promise<GenResult> {
    return this.rpc.call('generate', { messages, params }, { onItem: onToken, signal });
  }

  async countTokens(messages: ChatMessage[]): Promise<number> {
    return (await this.rpc.call('countTokens', { messages })).tokens;
  }

  crash(): void {
    void this.rpc.call('crash', {}).catch(() => undefined);
  }
}
