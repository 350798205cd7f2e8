// Our code around web-llm: host URLs, the preflight HEADs, the adapter checks, option mapping,
// streaming, usage, abort and error mapping. web-llm's MLCEngine is replaced at the `WebLlmModule`
// boundary by a fake that behaves as its documented API does (see fake-webllm.ts).

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_HOST_SETTING, DEFAULT_MLC_LIB_BASE, WEBLLM_LIB_VERSION, resolveHosts, type ResolvedHosts } from '../../../src/models/hosts';
import { ModelError, type ErrorCode } from '../../../src/protocol/errors';
import type { ChatMessage, Progress } from '../../../src/protocol/messages';
import { loadWebLlm, mapWebLlmError, preflight, webllmAppConfig, type WebLlmTarget } from '../../../workers/engines/webllm-engine';
import { DeviceLostError, FAKE_EXTRA, ModelNotFoundError, ShaderF16SupportError, WebGPUNotAvailableError, fakeFetch, fakePromptTokens, fakeWebLlm, type FakeScript } from './fake-webllm';

const F16: WebLlmTarget = { modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', lib: 'Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 945 };
const F32: WebLlmTarget = { modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', lib: 'Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 945 };
const APP = 'https://app.example/lab/';
const defaultHosts = resolveHosts(DEFAULT_HOST_SETTING, APP);
const CONFIG_URL = `https://huggingface.co/mlc-ai/${F16.modelId}/resolve/main/mlc-chat-config.json`;
const LIB_URL = `https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/${F16.lib}`;

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Name three primary colours.' },
];
const greedy = { maxNewTokens: 64, temperature: 0, topP: 1 };
const never = () => new AbortController().signal;

/** Rejects with the ModelError `p` rejects with (fails the test if it resolves or throws something else). */
async function modelError(p: Promise<unknown>): Promise<ModelError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelError);
  return e as ModelError;
}

function setup(script: Partial<FakeScript> = {}, opts: { f16?: boolean | null; fetch?: ReturnType<typeof fakeFetch>; hosts?: ResolvedHosts } = {}) {
  const web = fakeWebLlm({ deltas: ['Red', ', green', ' and', ' blue', '.'], ...script });
  const fetch = opts.fetch ?? fakeFetch();
  const hasF16 = vi.fn(async () => (opts.f16 === undefined ? true : opts.f16));
  const progress: Progress[] = [];
  const load = (t: WebLlmTarget = F16) => loadWebLlm(t, opts.hosts ?? defaultHosts, (p) => progress.push(p), { module: web.module, fetch: fetch as unknown as typeof globalThis.fetch, hasF16 });
  return { web, fetch, hasF16, progress, load, engine: () => web.engines[0] };
}

describe('webllmAppConfig', () => {
  it('default hosts: Hugging Face mlc-ai weights and the raw GitHub library for web-llm v0_2_86', () => {
    const cfg = webllmAppConfig(F16, defaultHosts);
    expect(cfg.model_list).toHaveLength(1);
    expect(cfg.model_list[0]).toMatchObject({
      model: `https://huggingface.co/mlc-ai/${F16.modelId}/resolve/main/`,
      model_id: F16.modelId,
      model_lib: LIB_URL,
      vram_required_MB: 945,
    });
  });

  it('the library version matches the installed web-llm (modelVersion / modelLibURLPrefix)', () => {
    const dts = fs.readFileSync(path.resolve(__dirname, '../../../node_modules/@mlc-ai/web-llm/lib/config.d.ts'), 'utf8');
    const version = /modelVersion = "([^"]+)"/.exec(dts)?.[1];
    const prefix = /modelLibURLPrefix = "([^"]+)"/.exec(dts)?.[1];
    expect(version, 'modelVersion in web-llm lib/config.d.ts').toBeTruthy();
    expect(WEBLLM_LIB_VERSION).toBe(`${version}/`);
    expect(DEFAULT_MLC_LIB_BASE).toBe(`${prefix}${version}/`);
  });

  it('mirror: weights and libraries from the mirror (absolute or relative to the app)', () => {
    const abs = webllmAppConfig(F32, resolveHosts({ mode: 'mirror', mirrorUrl: 'https://mirror.example/hf' }, APP)).model_list[0];
    expect(abs.model).toBe(`https://mirror.example/hf/mlc-ai/${F32.modelId}/resolve/main/`);
    expect(abs.model_lib).toBe(`https://mirror.example/hf/mlc-libs/${F32.lib}`);
    const rel = webllmAppConfig(F32, resolveHosts({ mode: 'mirror', mirrorUrl: '/m/' }, APP)).model_list[0];
    expect(rel.model).toBe(`https://app.example/m/mlc-ai/${F32.modelId}/resolve/main/`);
    expect(rel.model_lib).toBe(`https://app.example/m/mlc-libs/${F32.lib}`);
  });

  it('same-origin: the models/ folder under the app base', () => {
    const rec = webllmAppConfig(F16, resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, APP)).model_list[0];
    expect(rec.model).toBe(`https://app.example/lab/models/mlc-ai/${F16.modelId}/resolve/main/`);
    expect(rec.model_lib).toBe(`https://app.example/lab/models/mlc-libs/${F16.lib}`);
  });

  it('libUrl overrides where libraries come from', () => {
    const rec = webllmAppConfig(F16, resolveHosts({ mode: 'default', mirrorUrl: '', libUrl: 'https://libs.example/wasm' }, APP)).model_list[0];
    expect(rec.model).toBe(`https://huggingface.co/mlc-ai/${F16.modelId}/resolve/main/`);
    expect(rec.model_lib).toBe(`https://libs.example/wasm/${F16.lib}`);
  });
});

describe('preflight', () => {
  it('HEADs the config, then the library; both 200 → resolves', async () => {
    const fetch = fakeFetch();
    await expect(preflight(F16, defaultHosts, fetch as unknown as typeof globalThis.fetch)).resolves.toBeUndefined();
    expect(fetch.mock.calls.map(([u]) => String(u))).toEqual([CONFIG_URL, LIB_URL]);
    for (const [, init] of fetch.mock.calls) expect(init?.method).toBe('HEAD');
  });

  it('404 on the config → model-not-found naming the config URL; the library is not requested', async () => {
    const fetch = fakeFetch((u) => (u === CONFIG_URL ? 404 : 200));
    const e = await modelError(preflight(F16, defaultHosts, fetch as unknown as typeof globalThis.fetch));
    expect(e.code).toBe('model-not-found');
    expect(e.message).toContain(CONFIG_URL);
    expect(e.message).toContain('404');
    expect(e.detail).toMatchObject({ model: F16.modelId, url: CONFIG_URL });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('404 on the library → model-not-found naming the library URL', async () => {
    const fetch = fakeFetch((u) => (u === LIB_URL ? 404 : 200));
    const e = await modelError(preflight(F16, defaultHosts, fetch as unknown as typeof globalThis.fetch));
    expect(e.code).toBe('model-not-found');
    expect(e.message).toContain(LIB_URL);
    expect(e.detail.url).toBe(LIB_URL);
  });

  it('a network failure (fetch rejects with TypeError) → model-download-failed naming the URL', async () => {
    const fetch = fakeFetch(() => new TypeError('Failed to fetch'));
    const e = await modelError(preflight(F16, defaultHosts, fetch as unknown as typeof globalThis.fetch));
    expect(e.code).toBe('model-download-failed');
    expect(e.message).toContain(CONFIG_URL);
  });

  it('a ModelError from the fetch (e.g. a timeout wrapper) passes through unchanged', async () => {
    const timeout = new ModelError('model-download-timeout', 'timed out');
    const fetch = fakeFetch(() => timeout);
    await expect(preflight(F16, defaultHosts, fetch as unknown as typeof globalThis.fetch)).rejects.toBe(timeout);
  });
});

describe('loadWebLlm: checks before any download', () => {
  it('no WebGPU adapter (hasF16 → null) → webgpu-unavailable before any fetch or import', async () => {
    const s = setup({}, { f16: null });
    const e = await modelError(s.load());
    expect(e.code).toBe('webgpu-unavailable');
    expect(s.hasF16).toHaveBeenCalledTimes(1);
    expect(s.fetch).not.toHaveBeenCalled();
    expect(s.web.module).not.toHaveBeenCalled();
  });

  it('a q4f16 model on an adapter without shader-f16 → webgpu-no-f16 before any fetch or import', async () => {
    const s = setup({}, { f16: false });
    const e = await modelError(s.load(F16));
    expect(e.code).toBe('webgpu-no-f16');
    expect(e.message).toContain(F16.modelId);
    expect(s.fetch).not.toHaveBeenCalled();
    expect(s.web.module).not.toHaveBeenCalled();
  });

  it('a q4f32 model loads on an adapter without shader-f16', async () => {
    const s = setup({}, { f16: false });
    const eng = await s.load(F32);
    expect(eng.info).toMatchObject({ model: F32.modelId, engine: 'web-llm', device: 'webgpu', dtype: 'q4f32_1' });
  });

  it('a failed preflight stops before web-llm is imported', async () => {
    const s = setup({}, { fetch: fakeFetch((u) => (u.endsWith('.wasm') ? 404 : 200)) });
    const e = await modelError(s.load());
    expect(e.code).toBe('model-not-found');
    expect(e.message).toContain(LIB_URL);
    expect(s.web.module).not.toHaveBeenCalled();
  });
});

describe('loadWebLlm: load', () => {
  it('constructs MLCEngine with our appConfig, reloads the model id, reports info', async () => {
    const s = setup();
    const eng = await s.load();
    expect(s.web.module).toHaveBeenCalledTimes(1);
    expect(s.web.engines).toHaveLength(1);
    expect(s.engine().appConfig).toEqual(webllmAppConfig(F16, defaultHosts));
    expect(s.engine().reloads).toEqual([F16.modelId]);
    expect(eng.info).toMatchObject({ model: F16.modelId, engine: 'web-llm', device: 'webgpu', dtype: 'q4f16_1' });
    expect(eng.info.loadMs).toBeGreaterThanOrEqual(0);
    expect(eng.info.fallbackReason).toBeUndefined();
  });

  it("web-llm's init progress → {kind: 'fraction'} events", async () => {
    const s = setup({
      progress: [
        { progress: 0, timeElapsed: 0, text: 'Start to fetch params' },
        { progress: 0.5, timeElapsed: 1, text: 'Fetching param cache[3/6]' },
        { progress: 1, timeElapsed: 2, text: 'Finish loading on WebGPU' },
      ],
    });
    await s.load();
    expect(s.progress).toEqual([
      { kind: 'fraction', value: 0, message: 'Start to fetch params' },
      { kind: 'fraction', value: 0.5, message: 'Fetching param cache[3/6]' },
      { kind: 'fraction', value: 1, message: 'Finish loading on WebGPU' },
    ]);
  });

  const reloadCases: [string, () => Error, ErrorCode][] = [
    ['WebGPUNotAvailableError', () => new WebGPUNotAvailableError(), 'webgpu-unavailable'],
    ['ShaderF16SupportError', () => new ShaderF16SupportError(), 'webgpu-no-f16'],
    ['DeviceLostError', () => new DeviceLostError(), 'webgpu-lost'],
    ['ModelNotFoundError', () => new ModelNotFoundError(F16.modelId), 'model-not-found'],
    ['a 404 while fetching weights', () => new Error(`Cannot fetch https://huggingface.co/mlc-ai/${F16.modelId}/resolve/main/params_shard_0.bin: 404`), 'model-not-found'],
    ['a network failure', () => new TypeError('Failed to fetch'), 'model-download-failed'],
    ['anything else', () => new Error('Out of cheese'), 'model-load-failed'],
  ];
  it.each(reloadCases)('reload throwing %s → %s', async (_name, make, code) => {
    const s = setup({ reloadError: make });
    const e = await modelError(s.load());
    expect(e.code).toBe(code);
    expect(e.detail.model).toBe(F16.modelId);
  });
});

describe('loadWebLlm: generate', () => {
  it('maps our params onto the request: max_tokens, temperature, top_p, stream, include_usage, messages', async () => {
    const s = setup();
    const eng = await s.load();
    await eng.generate(messages, { maxNewTokens: 128, temperature: 0.7, topP: 0.9 }, () => undefined, never());
    const req = s.engine().requests[0];
    expect(req).toEqual({
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 128,
      temperature: 0.7,
      top_p: 0.9,
    });
    expect('seed' in req).toBe(false);
  });

  it('passes seed only when given (0 included)', async () => {
    const s = setup();
    const eng = await s.load();
    await eng.generate(messages, { ...greedy, seed: 42 }, () => undefined, never());
    await eng.generate(messages, { ...greedy, seed: 0 }, () => undefined, never());
    expect(s.engine().requests.map((r) => r.seed)).toEqual([42, 0]);
  });

  it('streams the deltas in order; the text is their join; usage comes from web-llm', async () => {
    const s = setup();
    const eng = await s.load();
    const pieces: string[] = [];
    const r = await eng.generate(messages, greedy, (t) => pieces.push(t), never());
    expect(pieces).toEqual(['Red', ', green', ' and', ' blue', '.']);
    expect(r.text).toBe('Red, green and blue.');
    expect(r.stopped).toBe('eos');
    expect(r.usage.promptTokens).toBe(fakePromptTokens(messages));
    expect(r.usage.outputTokens).toBe(5);
    expect(r.usage.ttftMs).toBeCloseTo(FAKE_EXTRA.time_to_first_token_s * 1000, 6);
    expect(r.usage.decodeTps).toBe(FAKE_EXTRA.decode_tokens_per_s);
    expect(r.usage.totalMs).toBeGreaterThan(0);
  });

  it('empty and null deltas are not passed on', async () => {
    const s = setup({ deltas: ['a', '', 'b'] });
    const eng = await s.load();
    const pieces: string[] = [];
    const r = await eng.generate(messages, greedy, (t) => pieces.push(t), never());
    expect(pieces).toEqual(['a', 'b']);
    expect(r.text).toBe('ab');
  });

  it("finish_reason 'length' → stopped 'length'", async () => {
    const s = setup();
    const eng = await s.load();
    const r = await eng.generate(messages, { ...greedy, maxNewTokens: 2 }, () => undefined, never());
    expect(r.text).toBe('Red, green');
    expect(r.stopped).toBe('length');
    expect(r.usage.outputTokens).toBe(2);
  });

  it("abort via the signal calls interruptGenerate; web-llm ends with 'abort' → stopped 'aborted'", async () => {
    const s = setup();
    const eng = await s.load();
    const ctrl = new AbortController();
    const pieces: string[] = [];
    const r = await eng.generate(
      messages,
      greedy,
      (t) => {
        pieces.push(t);
        if (pieces.length === 2) ctrl.abort();
      },
      ctrl.signal,
    );
    expect(s.engine().interruptCalls).toBe(1);
    expect(pieces).toEqual(['Red', ', green']);
    expect(r.text).toBe('Red, green');
    expect(r.stopped).toBe('aborted');
    expect(r.usage.outputTokens).toBe(2);
  });

  it('the abort listener is removed afterwards: a later abort does not interrupt', async () => {
    const s = setup();
    const eng = await s.load();
    const ctrl = new AbortController();
    await eng.generate(messages, greedy, () => undefined, ctrl.signal);
    ctrl.abort();
    expect(s.engine().interruptCalls).toBe(0);
  });

  it('without a usage chunk, falls back to counted pieces and our own timings', async () => {
    const s = setup();
    const eng = await s.load();
    // Drop web-llm's usage chunk, as if include_usage were not honoured.
    const create = s.engine().chat.completions.create;
    s.engine().chat.completions.create = async (req) => create({ ...req, stream_options: { include_usage: false } });
    const r = await eng.generate(messages, greedy, () => undefined, never());
    expect(r.usage.promptTokens).toBe(0);
    expect(r.usage.outputTokens).toBe(5);
    expect(r.usage.ttftMs).toBeGreaterThanOrEqual(0);
    expect(r.usage.ttftMs).toBeLessThanOrEqual(r.usage.totalMs);
    expect(r.usage.decodeTps).toBeGreaterThan(0);
  });

  it('an error while streaming is mapped (device lost → webgpu-lost)', async () => {
    const s = setup({ streamError: { after: 2, error: () => new DeviceLostError() } });
    const eng = await s.load();
    const e = await modelError(eng.generate(messages, greedy, () => undefined, never()));
    expect(e.code).toBe('webgpu-lost');
  });

  it('dispose unloads the engine', async () => {
    const s = setup();
    const eng = await s.load();
    await eng.dispose();
    expect(s.engine().unloadCalls).toBe(1);
    expect(s.engine().loaded).toBeNull();
  });
});

describe('mapWebLlmError', () => {
  const id = F16.modelId;
  it.each([
    [new WebGPUNotAvailableError(), 'webgpu-unavailable'],
    [new ShaderF16SupportError(), 'webgpu-no-f16'],
    [new DeviceLostError(), 'webgpu-lost'],
    [new ModelNotFoundError(id), 'model-not-found'],
  ] as [Error, ErrorCode][])('%s → %s', (err, code) => {
    const e = mapWebLlmError(err, id);
    expect(e).toBeInstanceOf(ModelError);
    expect(e.code).toBe(code);
    expect(e.detail.model).toBe(id);
  });

  it('by class name alone (message gives no hint)', () => {
    const named = (name: string) => {
      const C = { [name]: class extends Error {} }[name];
      return new C('opaque');
    };
    expect(mapWebLlmError(named('WebGPUNotAvailableError'), id).code).toBe('webgpu-unavailable');
    expect(mapWebLlmError(named('ShaderF16SupportError'), id).code).toBe('webgpu-no-f16');
    expect(mapWebLlmError(named('DeviceLostError'), id).code).toBe('webgpu-lost');
    expect(mapWebLlmError(named('ModelNotFoundError'), id).code).toBe('model-not-found');
  });

  it('by message when the class is unknown', () => {
    expect(mapWebLlmError(new Error('navigator.gpu is undefined'), id).code).toBe('webgpu-unavailable');
    expect(mapWebLlmError(new Error('feature shader-f16 missing'), id).code).toBe('webgpu-no-f16');
    expect(mapWebLlmError(new Error('GPU device lost'), id).code).toBe('webgpu-lost');
    expect(mapWebLlmError(new Error('HTTP 404'), id).code).toBe('model-not-found');
    expect(mapWebLlmError(new TypeError('NetworkError when attempting to fetch resource.'), id).code).toBe('model-download-failed');
  });

  it('anything else → model-load-failed with the reason; non-Errors too', () => {
    const e = mapWebLlmError(new Error('Out of cheese'), id);
    expect(e.code).toBe('model-load-failed');
    expect(e.message).toContain('Out of cheese');
    expect(e.detail.reason).toBe('Out of cheese');
    expect(mapWebLlmError('weird', id).code).toBe('model-load-failed');
  });

  it('a ModelError is returned as is', () => {
    const m = new ModelError('model-download-timeout', 'slow');
    expect(mapWebLlmError(m, id)).toBe(m);
  });

  // In the production build, Vite minifies web-llm's bundle: its error classes become anonymous class
  // expressions (`s=class extends Error{…this.name="ModelNotFoundError"}`, see dist/assets/lib-*.js), so
  // `constructor.name` is the minified variable ("s") and only `error.name`, which web-llm sets, survives.
  const minified = (name: string, message: string) => {
    const s = class extends Error {
      constructor() {
        super(message);
        this.name = name;
      }
    };
    return new s();
  };

  it('minified web-llm errors whose message also matches still map (WebGPU, f16, device lost)', () => {
    expect(mapWebLlmError(minified('WebGPUNotAvailableError', new WebGPUNotAvailableError().message), id).code).toBe('webgpu-unavailable');
    expect(mapWebLlmError(minified('ShaderF16SupportError', new ShaderF16SupportError().message), id).code).toBe('webgpu-no-f16');
    expect(mapWebLlmError(minified('DeviceLostError', new DeviceLostError().message), id).code).toBe('webgpu-lost');
  });

  // BUG (workers/engines/webllm-engine.ts, mapWebLlmError): `e.constructor.name || e.name` prefers the
  // minified constructor name, and ModelNotFoundError's message ("Cannot find model record in appConfig…")
  // matches no fallback pattern, so in production it becomes 'model-load-failed'. Flip to `it` once fixed.
  it("minified ModelNotFoundError (only error.name survives) → model-not-found", () => {
    expect(mapWebLlmError(minified('ModelNotFoundError', new ModelNotFoundError(id).message), id).code).toBe('model-not-found');
  });
});

describe('loadWebLlm offline', () => {
  const setOnline = (onLine: boolean | undefined) => Object.defineProperty(globalThis, 'navigator', { value: onLine === undefined ? undefined : { onLine }, configurable: true, writable: true });
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const restore = () => (had ? Object.defineProperty(globalThis, 'navigator', had) : setOnline(undefined));

  it('skips the network preflight and loads a cached model from web-llm', async () => {
    setOnline(false);
    try {
      const s = setup();
      const engine = await s.load();
      expect(s.fetch).not.toHaveBeenCalled();
      expect(engine.info.engine).toBe('web-llm');
    } finally {
      restore();
    }
  });
  it('a model that is not cached says it needs a connection', async () => {
    setOnline(false);
    try {
      const s = setup({ reloadError: () => new TypeError('Failed to fetch') });
      const e = await s.load().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ModelError);
      expect((e as ModelError).code).toBe('needs-connection');
    } finally {
      restore();
    }
  });
});
