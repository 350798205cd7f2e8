// The LLM worker's handler driven with plain messages in Node: a web-llm plan that cannot run here
// falls over to its transformers.js model (the offline echo fixture, run for real on onnxruntime-node),
// and a web-llm plan whose engine works (the fake MLCEngine of fake-webllm.ts) streams through the
// handler. Every request gets exactly one closing done/error.

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOST_SETTING, resolveHosts, type ResolvedHosts } from '../../../src/models/hosts';
import type { ChatMessage, GenResult, Inbound, LlmCalls, LoadPlan, LoadedModel, Outbound, Post } from '../../../src/protocol/messages';
import type { WireError } from '../../../src/protocol/errors';
import { createLlmHandler, type LlmDeps } from '../../../workers/llm-handler';
import { webllmAppConfig } from '../../../workers/engines/webllm-engine';
import { ShaderF16SupportError, fakeFetch, fakePromptTokens, fakeWebLlm } from './fake-webllm';

const MODELS = path.resolve(__dirname, '../../../../shared/models') + '/';
const ECHO = 'lab-fixtures/qwen2-tokenizer-echo';
const hosts: ResolvedHosts = { ...resolveHosts(DEFAULT_HOST_SETTING, 'http://x/'), localPath: MODELS };

beforeAll(() => {
  const cfg = path.join(MODELS, ECHO, 'config.json');
  if (!fs.existsSync(cfg)) throw new Error(`Offline fixture model missing: ${cfg}. These tests need /work/shared/models (see shared/models/README.md).`);
});

const WEBLLM_PLAN: Extract<LoadPlan, { engine: 'web-llm' }> = {
  engine: 'web-llm',
  modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
  lib: 'Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm',
  vramMB: 945,
  fallback: { model: { id: ECHO, dtype: 'q8' }, device: 'wasm' },
};
const { model_lib: LIB_URL } = webllmAppConfig({ modelId: WEBLLM_PLAN.modelId, lib: WEBLLM_PLAN.lib, vramMB: 945 }, hosts).model_list[0];

const QUESTION = 'Name three primary colours.';
const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: QUESTION },
];
const greedy = { maxNewTokens: 64, temperature: 0, topP: 1 };

type Closing = Extract<Outbound, { type: 'done' | 'error' }>;
type Req = Exclude<Inbound<LlmCalls>, { type: 'abort' }>;

/** Posts plain messages to the handler and records everything it posts back. */
function drive(deps: LlmDeps) {
  const log: Outbound[] = [];
  const sent: Inbound<LlmCalls>[] = [];
  const waiting = new Map<number, (m: Closing) => void>();
  const listeners: ((m: Outbound) => void)[] = [];
  let nextId = 1;
  const post: Post = (msg) => {
    log.push(msg);
    for (const f of listeners) f(msg);
    if (msg.type === 'done' || msg.type === 'error') waiting.get(msg.id)?.(msg);
  };
  const handle = createLlmHandler(post, deps);
  const send = <K extends Req['type']>(type: K, payload: Extract<Req, { type: K }>['payload']) => {
    const id = nextId++;
    const closed = new Promise<Closing>((r) => waiting.set(id, r));
    const msg = { id, type, payload } as Inbound<LlmCalls>;
    sent.push(msg);
    handle(msg);
    return { id, closed };
  };
  return {
    log,
    /** Called with every posted message, as it is posted. */
    listeners,
    send,
    abort(target: number) {
      const msg: Inbound<LlmCalls> = { id: nextId++, type: 'abort', target };
      sent.push(msg);
      handle(msg);
    },
    items: (id: number) => log.filter((m) => m.type === 'item' && m.id === id).map((m) => (m as { item: unknown }).item),
    progress: (id: number) => log.filter((m) => m.type === 'progress' && m.id === id).map((m) => (m as { progress: unknown }).progress),
    /** Exactly one closing message per request, posted last; nothing for unknown ids. */
    checkProtocol() {
      const ids = new Set<number>();
      for (const m of sent) {
        if (m.type === 'abort') continue;
        ids.add(m.id);
        const mine = log.filter((o) => o.id === m.id);
        const closings = mine.filter((o) => o.type === 'done' || o.type === 'error');
        expect(closings, `request ${m.id} (${m.type}) closings`).toHaveLength(1);
        expect(mine.at(-1), `request ${m.id} (${m.type}) ends with its closing`).toBe(closings[0]);
      }
      for (const o of log) expect(ids.has(o.id), `message for unknown id ${o.id}`).toBe(true);
    },
  };
}

function done<T>(m: Closing): T {
  if (m.type !== 'done') throw new Error(`expected done, got error ${JSON.stringify(m.error)}`);
  return m.result as T;
}
function failed(m: Closing): WireError {
  if (m.type !== 'error') throw new Error(`expected an error, got done ${JSON.stringify(m.result)}`);
  return m.error;
}

describe('web-llm → transformers.js failover', () => {
  it('a 404 on the model library loads the fallback echo model, which then answers', async () => {
    const web = fakeWebLlm({ deltas: ['never'] });
    const fetch = fakeFetch((u) => (u === LIB_URL ? 404 : 200));
    const d = drive({ webllm: web.module, fetch: fetch as unknown as typeof globalThis.fetch, hasF16: async () => true });

    const load = d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts });
    const info = done<LoadedModel>(await load.closed);
    expect(info).toMatchObject({ engine: 'transformers.js', model: ECHO, device: 'wasm', dtype: 'q8' });
    expect(info.fallbackReason).toContain(LIB_URL);
    expect(info.fallbackReason).toContain('transformers.js engine');
    expect(fetch.mock.calls.map(([u, init]) => [String(u), init?.method])).toEqual([
      [`https://huggingface.co/mlc-ai/${WEBLLM_PLAN.modelId}/resolve/main/mlc-chat-config.json`, 'HEAD'],
      [LIB_URL, 'HEAD'],
    ]);
    expect(web.module).not.toHaveBeenCalled();

    const gen = d.send('generate', { key: 'm', messages, params: greedy });
    const r = done<GenResult>(await gen.closed);
    expect(r.text).toBe(QUESTION);
    expect(r.stopped).toBe('eos');
    expect((d.items(gen.id) as string[]).join('')).toBe(QUESTION);
    expect(r.usage.promptTokens).toBeGreaterThan(0);
    d.checkProtocol();
  });

  it('no WebGPU adapter falls over without touching the network; the reason says why', async () => {
    const web = fakeWebLlm({ deltas: ['never'] });
    const fetch = fakeFetch();
    const d = drive({ webllm: web.module, fetch: fetch as unknown as typeof globalThis.fetch, hasF16: async () => null });
    const info = done<LoadedModel>(await d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts }).closed);
    expect(info.engine).toBe('transformers.js');
    expect(info.fallbackReason).toMatch(/WebGPU is not available.*transformers\.js engine/);
    expect(fetch).not.toHaveBeenCalled();
    expect(web.module).not.toHaveBeenCalled();
    d.checkProtocol();
  });

  it("web-llm's own load error (shader-f16) also falls over", async () => {
    const web = fakeWebLlm({ deltas: ['never'], reloadError: () => new ShaderF16SupportError() });
    const d = drive({ webllm: web.module, fetch: fakeFetch() as unknown as typeof globalThis.fetch, hasF16: async () => true });
    const info = done<LoadedModel>(await d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts }).closed);
    expect(info.engine).toBe('transformers.js');
    expect(info.fallbackReason).toMatch(/shader-f16.*transformers\.js engine/);
    d.checkProtocol();
  });

  it('without a fallback the web-llm error is the answer', async () => {
    const fetch = fakeFetch((u) => (u === LIB_URL ? 404 : 200));
    const d = drive({ webllm: fakeWebLlm({ deltas: [] }).module, fetch: fetch as unknown as typeof globalThis.fetch, hasF16: async () => true });
    const err = failed(await d.send('load', { key: 'm', plan: { ...WEBLLM_PLAN, fallback: null }, hosts }).closed);
    expect(err).toMatchObject({ name: 'ModelError', code: 'model-not-found' });
    expect(err.message).toContain(LIB_URL);
    // Nothing is loaded afterwards.
    expect(failed(await d.send('generate', { key: 'm', messages, params: greedy }).closed).code).toBe('bad-request');
    d.checkProtocol();
  });
});

describe('a working web-llm engine behind the handler', () => {
  const deltas = ['Red', ', yellow', ' and', ' blue', '.'];
  const setup = () => {
    const web = fakeWebLlm({ deltas, progress: [{ progress: 0.25, timeElapsed: 1, text: 'Fetching param cache[1/4]' }] });
    const d = drive({ webllm: web.module, fetch: fakeFetch() as unknown as typeof globalThis.fetch, hasF16: async () => true });
    return { web, d };
  };

  it('loads on web-llm and streams its deltas as item events', async () => {
    const { web, d } = setup();
    const load = d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts });
    const info = done<LoadedModel>(await load.closed);
    expect(info).toMatchObject({ engine: 'web-llm', model: WEBLLM_PLAN.modelId, device: 'webgpu', dtype: 'q4f16_1' });
    expect(info.fallbackReason).toBeUndefined();
    expect(d.progress(load.id)).toEqual([{ kind: 'fraction', value: 0.25, message: 'Fetching param cache[1/4]' }]);

    const gen = d.send('generate', { key: 'm', messages, params: greedy });
    const r = done<GenResult>(await gen.closed);
    expect(d.items(gen.id)).toEqual(deltas);
    expect(r.text).toBe(deltas.join(''));
    expect(r.stopped).toBe('eos');
    expect(r.usage.outputTokens).toBe(deltas.length);

    const unload = done<{ unloaded: number }>(await d.send('unload', {}).closed);
    expect(unload.unloaded).toBe(1);
    expect(web.engines[0].unloadCalls).toBe(1);
    d.checkProtocol();
  });

  it('abort during a generation interrupts web-llm and closes with an aborted error', async () => {
    const { web, d } = setup();
    done(await d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts }).closed);
    let genId = -1;
    // Abort as soon as the first token has been posted, as the page's Stop button would.
    d.listeners.push((m) => {
      if (m.type === 'item' && m.id === genId && d.items(genId).length === 1) d.abort(genId);
    });
    const gen = d.send('generate', { key: 'm', messages, params: greedy });
    genId = gen.id;
    const err = failed(await gen.closed);
    expect(err.code).toBe('aborted');
    expect(web.engines[0].interruptCalls).toBe(1);
    expect(d.items(gen.id).length).toBeLessThan(deltas.length);
    d.checkProtocol();
  });

  it('loading again disposes the previous engine first', async () => {
    const { web, d } = setup();
    done(await d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts }).closed);
    done(await d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts }).closed);
    expect(web.engines).toHaveLength(2);
    expect(web.engines[0].unloadCalls).toBe(1);
    expect(web.engines[1].unloadCalls).toBe(0);
    d.checkProtocol();
  });

  it('generations run one after another, each closed once', async () => {
    const { d } = setup();
    done(await d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts }).closed);
    const a = d.send('generate', { key: 'm', messages, params: greedy });
    const b = d.send('generate', { key: 'm', messages, params: { ...greedy, maxNewTokens: 2 } });
    const [ra, rb] = await Promise.all([a.closed, b.closed]);
    expect(done<GenResult>(ra).text).toBe(deltas.join(''));
    expect(done<GenResult>(rb)).toMatchObject({ text: 'Red, yellow', stopped: 'length' });
    // b's items were posted only after a closed.
    const aClose = d.log.indexOf(ra);
    expect(d.log.findIndex((m) => m.id === b.id)).toBeGreaterThan(aClose);
    d.checkProtocol();
  });

  // KNOWN BUG, also recorded in test/unit/foundation/handlers.test.ts: a generate waiting in the handler's
  // queue has no AbortController yet (CallRegistry.run registers it only when the job starts), so the abort
  // is dropped and the generation later runs to the end and posts `done`. Remove `.fails` once fixed.
  it('aborting a generation that is still queued behind another cancels it', async () => {
    const { web, d } = setup();
    done(await d.send('load', { key: 'm', plan: WEBLLM_PLAN, hosts }).closed);
    const a = d.send('generate', { key: 'm', messages, params: greedy });
    const b = d.send('generate', { key: 'm', messages, params: greedy });
    d.abort(b.id); // b has not started: a is still running
    expect(done<GenResult>(await a.closed).text).toBe(deltas.join(''));
    expect(failed(await b.closed).code).toBe('aborted');
    expect(d.items(b.id)).toEqual([]);
    expect(web.engines[0].requests).toHaveLength(1);
    d.checkProtocol();
  });
});
