// Our code around wllama: the checks before a user's GGUF is loaded (real files), the load options
// (threads, no WebGPU, no CDN compat build, the app's wasm URL), streaming, usage from llama.cpp's
// counts, Stop, and error mapping. wllama itself needs a browser (JSPI, memory64, workers): here it
// is replaced at the `WllamaModule` boundary by a fake that streams the way wllama 3.13 was seen to
// stream in Chromium (a role chunk, content chunks, a final chunk with `timings`); the real module
// is exercised in Chromium by bench/pages/wllama.ts.

import { openAsBlob, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/protocol/errors';
import type { ChatMessage, Progress } from '../../../src/protocol/messages';
import { defaultThreads, loadWllama, mapWllamaError, type WllamaChunk, type WllamaLike, type WllamaLoadParams, type WllamaModule, type WllamaOptions } from '../../../workers/engines/wllama-engine';

const FIXTURE = resolve(__dirname, '../../../../shared/models/lab-fixtures/qwen2-canned-reply.gguf');
const REPLY = ['[', 'GG', 'UF', ' test', ' fixture', ']', ' 这', '是', '离', '线', '测试', '模型', '的', '固定', '回答', ' (', 'c', 'anned', ' reply', ').'];
const ENV = { crossOriginIsolated: true, hardwareConcurrency: 2, jspi: true, memory64: true };
const messages: ChatMessage[] = [{ role: 'user', content: 'Hi' }];

interface FakeScript {
  chunks?: string[];
  finish?: 'stop' | 'length';
  loadError?: Error;
  streamError?: Error;
  /** Per-chunk delay, ms, so a test can abort mid-stream. */
  delayMs?: number;
  multithread?: boolean;
  hasChat?: boolean;
}

function fake(script: FakeScript = {}) {
  const calls = { constructed: 0, wasm: '', compat: [] as unknown[], loads: [] as { params: WllamaLoadParams; blobs?: number; url?: string }[], requests: [] as Record<string, unknown>[], exits: 0 };
  class Wllama implements WllamaLike {
    private params: WllamaLoadParams | null = null;
    constructor(paths: { default: string }) {
      calls.constructed++;
      calls.wasm = paths.default;
    }
    setCompat(c: null) {
      calls.compat.push(c);
    }
    async loadModel(blobs: Blob[], params: WllamaLoadParams) {
      calls.loads.push({ params, blobs: blobs.length });
      if (script.loadError) throw script.loadError;
      this.params = params;
    }
    async loadModelFromUrl(url: string, params: WllamaLoadParams & { progressCallback?: (p: { loaded: number; total: number }) => void }) {
      calls.loads.push({ params, url });
      params.progressCallback?.({ loaded: 50, total: 100 });
      params.progressCallback?.({ loaded: 100, total: 100 });
      this.params = params;
    }
    async createChatCompletion(options: Record<string, unknown> & { stream: true }): Promise<AsyncIterable<WllamaChunk>> {
      calls.requests.push(options);
      const signal = options.abortSignal instanceof AbortSignal ? options.abortSignal : undefined;
      const max = Number(options.max_tokens);
      const pieces = (script.chunks ?? REPLY).slice(0, max);
      const finish = script.finish ?? (pieces.length < max ? 'stop' : 'length');
      const promptN = 20;
      const cached = options.cache_prompt === true ? 19 : 0;
      async function* gen(): AsyncGenerator<WllamaChunk> {
        yield { choices: [{ delta: { content: null }, finish_reason: null }] };
        for (const p of pieces) {
          if (script.delayMs) await new Promise((r) => setTimeout(r, script.delayMs));
          // wllama checks the signal before each poll and throws its AbortError.
          if (signal?.aborted) throw Object.assign(new Error('Operation aborted'), { name: 'AbortError' });
          if (script.streamError) throw script.streamError;
          yield { choices: [{ delta: { content: p }, finish_reason: null }] };
        }
        yield { choices: [{ delta: {}, finish_reason: finish }], timings: { cache_n: cached, prompt_n: promptN - cached, prompt_ms: 40, predicted_n: finish === 'stop' ? 22 : pieces.length, predicted_ms: 300, predicted_per_second: 70 } };
      }
      return gen();
    }
    getNumThreads() {
      return this.params?.n_threads ?? 1;
    }
    isMultithread() {
      return (script.multithread ?? true) && (this.params?.n_threads ?? 1) > 1;
    }
    getChatTemplate() {
      return '{% for m in messages %}…{% endfor %}';
    }
    getLoadedContextInfo() {
      return { n_ctx: this.params?.n_ctx ?? 0, has_chat: script.hasChat ?? true, metadata: { 'general.file_type': '7' } };
    }
    async exit() {
      calls.exits++;
    }
  }
  const module: WllamaModule = { Wllama };
  return { calls, module: async () => module };
}

function options(f: ReturnType<typeof fake>, over: Partial<WllamaOptions> = {}): WllamaOptions {
  return { wasmUrl: 'http://127.0.0.1/assets/wllama-abc.wasm', nCtx: 1024, env: ENV, module: f.module, ...over };
}

async function fixtureFile(name = 'qwen2-canned-reply.gguf'): Promise<File> {
  const blob = await openAsBlob(FIXTURE);
  return new File([blob], name);
}

async function rejected(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('loading', () => {
  it('a user file: checked, then loaded with explicit threads, no WebGPU, the app\'s wasm URL, no CDN compat', async () => {
    const f = fake();
    const progress: Progress[] = [];
    const e = await loadWllama({ kind: 'files', name: 'qwen2-canned-reply.gguf', files: [await fixtureFile()] }, options(f), (p) => progress.push(p));
    expect(f.calls.wasm).toBe('http://127.0.0.1/assets/wllama-abc.wasm');
    expect(f.calls.compat).toEqual([null]);
    expect(f.calls.loads).toEqual([{ params: { n_ctx: 1024, n_threads: 2, n_gpu_layers: 0 }, blobs: 1 }]);
    expect(e.info).toMatchObject({ model: 'qwen2-canned-reply.gguf', engine: 'wllama', device: 'wasm', dtype: 'F16', threads: 2, nCtx: 1024, gguf: { architecture: 'qwen2', fileTypeName: 'F16' } });
    expect(e.info.fallbackReason).toBeUndefined();
    expect(progress.map((p) => p.kind)).toEqual(['load', 'load']);
  });

  it('a damaged file is refused before wllama is even started', async () => {
    const f = fake();
    const cut = new File([readFileSync(FIXTURE).subarray(0, 2_000_000)], 'cut.gguf');
    const e = await rejected(loadWllama({ kind: 'files', name: 'cut.gguf', files: [cut] }, options(f), () => undefined));
    expect(e.code).toBe('gguf-truncated');
    expect(f.calls.constructed).toBe(0);
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4])], 'x.gguf');
    expect((await rejected(loadWllama({ kind: 'files', name: 'x.gguf', files: [png] }, options(f), () => undefined))).code).toBe('gguf-not-gguf');
  });

  it('a model too large for this device is refused with the estimate, before loading', async () => {
    const f = fake();
    const e = await rejected(loadWllama({ kind: 'files', name: 'q.gguf', files: [await fixtureFile()] }, options(f, { nCtx: 32768, deviceMemoryGB: 0.125 }), () => undefined));
    expect(e.code).toBe('model-too-large');
    expect(e.detail).toMatchObject({ limit: 'device', nCtx: 32768 });
    expect(f.calls.constructed).toBe(0);
  });

  it('a catalog URL: download progress in bytes, cancellable; dtype from the loaded metadata', async () => {
    const f = fake();
    const progress: Progress[] = [];
    const cancel = new AbortController();
    const e = await loadWllama({ kind: 'url', name: 'Qwen2.5-0.5B-Instruct Q8_0', url: 'https://host/qwen2.5-0.5b-instruct-q8_0.gguf' }, options(f, { signal: cancel.signal }), (p) => progress.push(p));
    expect(f.calls.loads[0]).toMatchObject({ url: 'https://host/qwen2.5-0.5b-instruct-q8_0.gguf', params: { n_threads: 2, n_gpu_layers: 0, signal: cancel.signal } });
    expect(progress).toEqual([
      { kind: 'download', file: 'Qwen2.5-0.5B-Instruct Q8_0', loaded: 50, total: 100 },
      { kind: 'download', file: 'Qwen2.5-0.5B-Instruct Q8_0', loaded: 100, total: 100 },
    ]);
    expect(e.info).toMatchObject({ dtype: 'Q8_0', gguf: null });
  });

  it('threads: 1 without isolation; all of 2–4 cores; half of more; a shortfall is reported', async () => {
    expect([defaultThreads({ crossOriginIsolated: false, hardwareConcurrency: 8 }), defaultThreads({ crossOriginIsolated: true, hardwareConcurrency: 2 }), defaultThreads({ crossOriginIsolated: true, hardwareConcurrency: 4 }), defaultThreads({ crossOriginIsolated: true, hardwareConcurrency: 16 })]).toEqual([1, 2, 4, 8]);
    const f = fake({ multithread: false });
    const e = await loadWllama({ kind: 'url', name: 'm', url: 'https://h/m.gguf' }, options(f, { threads: 2 }), () => undefined);
    expect(e.info.threads).toBe(1);
    expect(e.info.fallbackReason).toContain('not cross-origin isolated');
  });

  it('browsers without JSPI or memory64 are told so (no CDN fallback is fetched)', async () => {
    const f = fake();
    const e = await rejected(loadWllama({ kind: 'url', name: 'm', url: 'https://h/m.gguf' }, options(f, { env: { ...ENV, jspi: false } }), () => undefined));
    expect(e.code).toBe('browser-unsupported');
    expect(f.calls.constructed).toBe(0);
  });

  it('a failed load is mapped with llama.cpp\'s reason and the runtime is freed; a model that cannot chat is refused', async () => {
    const err = Object.assign(new Error('Error while loading model'), { type: 'load_error' });
    const f = fake({ loadError: err });
    const e = await rejected(loadWllama({ kind: 'files', name: 'q.gguf', files: [await fixtureFile()] }, options(f), () => undefined));
    expect(e.code).toBe('model-load-failed');
    expect(f.calls.exits).toBe(1);
    const g = fake({ hasChat: false });
    expect((await rejected(loadWllama({ kind: 'url', name: 'tts', url: 'https://h/tts.gguf' }, options(g), () => undefined))).message).toContain('cannot chat');
    expect(g.calls.exits).toBe(1);
  });
});

describe('generating', () => {
  it('streams the pieces as they come, usage from llama.cpp\'s counts, greedy options passed through, no prompt cache', async () => {
    const f = fake();
    const e = await loadWllama({ kind: 'files', name: 'q.gguf', files: [await fixtureFile()] }, options(f), () => undefined);
    const pieces: string[] = [];
    const r = await e.generate(messages, { maxNewTokens: 64, temperature: 0, topP: 1, seed: 7 }, (t) => pieces.push(t), new AbortController().signal);
    expect(pieces).toEqual(REPLY);
    expect(r.text).toBe('[GGUF test fixture] 这是离线测试模型的固定回答 (canned reply).');
    expect(r.stopped).toBe('eos');
    expect(r.usage).toMatchObject({ promptTokens: 20, outputTokens: 22 });
    expect(r.usage.ttftMs).toBeGreaterThanOrEqual(0);
    expect(f.calls.requests[0]).toMatchObject({ messages, stream: true, max_tokens: 64, temperature: 0, top_p: 1, seed: 7, cache_prompt: false });
    const cut = await e.generate(messages, { maxNewTokens: 5, temperature: 0, topP: 1 }, () => undefined, new AbortController().signal);
    expect(cut).toMatchObject({ text: '[GGUF test fixture', stopped: 'length', usage: { outputTokens: 5 } });
    expect(f.calls.requests[1].seed).toBeUndefined();
  });

  it('Stop mid-stream keeps the text so far and says aborted; a signal already aborted never starts', async () => {
    const f = fake({ delayMs: 5 });
    const e = await loadWllama({ kind: 'url', name: 'm', url: 'https://h/m.gguf' }, options(f), () => undefined);
    const ac = new AbortController();
    const pieces: string[] = [];
    const r = await e.generate(messages, { maxNewTokens: 64, temperature: 0, topP: 1 }, (t) => {
      pieces.push(t);
      if (pieces.length === 3) ac.abort();
    }, ac.signal);
    expect(r.stopped).toBe('aborted');
    expect(r.text).toBe('[GGUF');
    const done = new AbortController();
    done.abort();
    expect((await rejected(e.generate(messages, { maxNewTokens: 8, temperature: 0, topP: 1 }, () => undefined, done.signal))).code).toBe('aborted');
  });

  it('a prompt beyond the context is a specific error; other inference errors keep llama.cpp\'s words', async () => {
    const f = fake({ streamError: Object.assign(new Error('the request exceeds the available context size, try increasing it'), { type: 'inference_error' }) });
    const e = await loadWllama({ kind: 'url', name: 'm', url: 'https://h/m.gguf' }, options(f), () => undefined);
    expect((await rejected(e.generate(messages, { maxNewTokens: 8, temperature: 0, topP: 1 }, () => undefined, new AbortController().signal))).code).toBe('prompt-too-long');
    expect(mapWllamaError(Object.assign(new Error('boom'), { type: 'inference_error' }), 'm', 'llama_decode: failed').message).toBe('wllama could not run "m": boom — llama_decode: failed');
  });

  it('countTokens: llama.cpp\'s exact prompt count from a one-token completion that may fill the prompt cache', async () => {
    const f = fake();
    const e = await loadWllama({ kind: 'url', name: 'm', url: 'https://h/m.gguf' }, options(f), () => undefined);
    expect(await e.countTokens(messages)).toBe(20);
    expect(f.calls.requests[0]).toMatchObject({ max_tokens: 1, cache_prompt: true, temperature: 0 });
    await e.dispose();
    expect(f.calls.exits).toBe(1);
  });
});

// The fixture's reply, tokenized by llama.cpp (../shared/tools/README.md), is 21 tokens + <|im_end|>
// (predicted_n 22 in Chromium); the fake streams 20 pieces because llama.cpp releases " 这" (two
// byte-level tokens) as one piece, as the 22 chunks (role + 20 + final) seen in Chromium showed.
it('the fake streams the way wllama did in Chromium: 20 pieces for 21 tokens', () => {
  expect(REPLY).toHaveLength(20);
  expect(REPLY.join('')).toBe('[GGUF test fixture] 这是离线测试模型的固定回答 (canned reply).');
});
