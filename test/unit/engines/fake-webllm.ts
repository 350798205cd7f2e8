// A stand-in for @mlc-ai/web-llm's MLCEngine: the one piece that cannot run in Node (it needs a
// WebGPU device). It follows web-llm 0.2.86's documented behaviour (lib/engine.d.ts, lib/types.d.ts,
// lib/openai_api_protocols/chat_completion.d.ts) and its implementation (lib/index.js):
//  * `new MLCEngine({ appConfig, initProgressCallback })`, `reload(modelId)` throws ModelNotFoundError
//    when the id is not in `appConfig.model_list`, and reports progress as {progress, timeElapsed, text};
//  * `chat.completions.create({ stream: true, ... })` resolves to an async iterable of ChatCompletionChunk:
//    one delta chunk per token (role 'assistant', finish_reason null), then a chunk whose only choice has
//    an empty delta and the finish_reason ('stop' | 'length' | 'abort'), then, only with
//    `stream_options.include_usage`, a chunk with `choices: []` and `usage` (with web-llm's `extra`);
//  * `interruptGenerate()` sets a flag that the decode loop checks before each token; the flag is reset
//    when a generation starts (as web-llm does), and the stream then ends with finish_reason 'abort';
//  * errors are classes that set `this.name` to their class name, as web-llm's lib/error does.
// Only the types are imported from web-llm (erased at run time), so the chunks are checked against the
// real ChatCompletionChunk shape by tsc.

import type { AppConfig, ChatCompletionChunk, ChatCompletionFinishReason, ChatCompletionRequestStreaming, CompletionUsage, InitProgressReport } from '@mlc-ai/web-llm';
import { vi } from 'vitest';
import type { WebLlmModule } from '../../../workers/engines/webllm-engine';

export class WebGPUNotAvailableError extends Error {
  constructor() {
    super('WebGPU is not supported in your current environment, but it is necessary to run the WebLLM engine. Please make sure that your browser supports WebGPU and that it is enabled in your browser settings.');
    this.name = 'WebGPUNotAvailableError';
  }
}
export class FeatureSupportError extends Error {
  constructor(feature: string) {
    super(`This model requires feature ${feature}, which is not yet supported by this browser.`);
    this.name = 'FeatureSupportError';
  }
}
export class ShaderF16SupportError extends FeatureSupportError {
  constructor() {
    super('shader-f16');
    this.message = 'This model requires WebGPU extension shader-f16, which is not enabled in this browser.';
    this.name = 'ShaderF16SupportError';
  }
}
export class DeviceLostError extends Error {
  constructor() {
    super('The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM).');
    this.name = 'DeviceLostError';
  }
}
export class ModelNotFoundError extends Error {
  constructor(modelId: string) {
    super(`Cannot find model record in appConfig for ${modelId}. Please check if the model ID is correct and included in the model_list configuration.`);
    this.name = 'ModelNotFoundError';
  }
}

export interface FakeScript {
  /** The tokens the model would produce before its end-of-sequence token, one chunk each. */
  deltas: string[];
  /** Prompt tokens web-llm reports for these messages. */
  promptTokens?: (messages: ChatCompletionRequestStreaming['messages']) => number;
  progress?: InitProgressReport[];
  reloadError?: () => Error;
  /** Throws after this many tokens have been streamed. */
  streamError?: { after: number; error: () => Error };
  extra?: Partial<CompletionUsage['extra']>;
}

/** Word count plus a per-message overhead: deterministic, so tests can predict it. */
export function fakePromptTokens(messages: ChatCompletionRequestStreaming['messages']): number {
  return messages.reduce((n, m) => n + 4 + String(m.content ?? '').split(/\s+/).filter(Boolean).length, 3);
}

export const FAKE_EXTRA = {
  e2e_latency_s: 0.5,
  prefill_tokens_per_s: 900,
  decode_tokens_per_s: 42.5,
  time_to_first_token_s: 0.125,
  time_per_output_token_s: 1 / 42.5,
};

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

export function fakeWebLlm(script: FakeScript) {
  const engines: FakeMLCEngine[] = [];

  class FakeMLCEngine {
    readonly appConfig: AppConfig;
    readonly initProgressCallback?: (r: InitProgressReport) => void;
    readonly reloads: string[] = [];
    readonly requests: ChatCompletionRequestStreaming[] = [];
    interruptCalls = 0;
    unloadCalls = 0;
    loaded: string | null = null;
    private interruptSignal = false;

    constructor(cfg: { appConfig: unknown; initProgressCallback?: (r: InitProgressReport) => void }) {
      this.appConfig = cfg.appConfig as AppConfig;
      this.initProgressCallback = cfg.initProgressCallback;
      engines.push(this);
    }

    async reload(modelId: string): Promise<void> {
      this.reloads.push(modelId);
      if (!this.appConfig.model_list.some((m) => m.model_id === modelId)) throw new ModelNotFoundError(modelId);
      for (const p of script.progress ?? []) this.initProgressCallback?.(p);
      if (script.reloadError) throw script.reloadError();
      this.loaded = modelId;
    }

    async unload(): Promise<void> {
      this.unloadCalls++;
      this.loaded = null;
    }

    async interruptGenerate(): Promise<void> {
      this.interruptCalls++;
      this.interruptSignal = true;
    }

    readonly chat = {
      completions: {
        // Typed as our MlcEngineLike takes it; what arrives is a streaming ChatCompletionRequest.
        create: async (request: Record<string, unknown>): Promise<AsyncIterable<ChatCompletionChunk>> => {
          const req = request as unknown as ChatCompletionRequestStreaming;
          if (!this.loaded) throw new Error('Model not loaded before trying to complete ChatCompletionRequest.');
          this.requests.push(structuredClone(req));
          return this.stream(req, this.loaded);
        },
      },
    };

    private async *stream(req: ChatCompletionRequestStreaming, model: string): AsyncGenerator<ChatCompletionChunk, void, void> {
      this.interruptSignal = false; // web-llm resets it when the generation starts
      const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk' as const, created: 1_700_000_000, model };
      const max = req.max_tokens ?? Infinity;
      let n = 0;
      let finish: ChatCompletionFinishReason | null = null;
      await tick(); // prefill
      while (n < script.deltas.length) {
        if (this.interruptSignal) {
          finish = 'abort';
          break;
        }
        if (n >= max) {
          finish = 'length';
          break;
        }
        await tick(); // decode
        if (script.streamError && n === script.streamError.after) throw script.streamError.error();
        const content = script.deltas[n++];
        yield { ...base, choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null, logprobs: null }] };
      }
      yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish ?? 'stop' }] };
      if (req.stream_options?.include_usage === true) {
        const prompt = (script.promptTokens ?? fakePromptTokens)(req.messages);
        yield { ...base, choices: [], usage: { prompt_tokens: prompt, completion_tokens: n, total_tokens: prompt + n, extra: { ...FAKE_EXTRA, ...script.extra } } };
      }
    }
  }

  const module = vi.fn(async (): Promise<WebLlmModule> => ({ MLCEngine: FakeMLCEngine }));
  return { module, engines, FakeMLCEngine };
}

export type FakeEngine = InstanceType<ReturnType<typeof fakeWebLlm>['FakeMLCEngine']>;

/** A fetch that answers HEAD/GET by URL: a status, or a thrown error (a network failure). */
export function fakeFetch(answer: (url: string) => number | Error = () => 200) {
  return vi.fn(async (input: RequestInfo | URL, _init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const a = answer(url);
    if (a instanceof Error) throw a;
    return new Response(null, { status: a });
  });
}
