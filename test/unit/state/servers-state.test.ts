// ServersState against a real OpenAI-compatible server process on 127.0.0.1 (llama.cpp through
// node-llama-cpp with the canned-reply GGUF): adding a server whose origin the page policy does not
// allow yet (saved, reload, listed on load), API keys (401 without; kept apart from the list),
// addresses refused before anything is stored, the once-per-server question before the first prompt,
// and generation through the real LLM worker handler with Stop closing the connection.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/protocol/errors';
import { ServersState, type ServerPolicy } from '../../../src/state/servers.svelte';
import { SERVER_KEYS_KEY, SERVERS_KEY } from '../../../src/state/server-list';
import { eventually, startTestServer, type TestServer } from '../server/test-server';
import { llmState, prefs } from './harness';
import { memoryStorage } from '../memory-storage';

const REPLY = '[GGUF test fixture] 这是离线测试模型的固定回答 (canned reply).';
const MODEL = 'qwen2-canned-reply';

/** A page policy that allows the origins in `allowed`; `reload` counts reloads (the test plays the new page load). */
function policy(allowed: Set<string>) {
  const p: ServerPolicy & { reloads: number } = {
    reloads: 0,
    allows: (origin) => allowed.has(origin),
    reload: async () => void p.reloads++,
  };
  return p;
}

let srv: TestServer;
let host: string;
beforeAll(async () => {
  srv = await startTestServer();
  host = new URL(srv.url).host;
});
afterAll(() => srv?.stop());
beforeEach(async () => {
  await eventually(async () => (await srv.stats()).inFlight === 0);
  await srv.reset();
});

const page = (storage: Storage, allowed: Set<string>, over: Partial<ConstructorParameters<typeof ServersState>[0]> = {}) => {
  const pol = policy(allowed);
  const forgotten: string[] = [];
  const state = new ServersState({ storage, fetch, pageOrigin: null, policy: pol, forget: (k) => forgotten.push(...k), ...over });
  return { state, pol, forgotten };
};

describe('adding a server', () => {
  it('on an origin the page policy does not name: saved, the page reloads, and the models are listed on load', async () => {
    const storage = memoryStorage();
    const first = page(storage, new Set());
    const id = await first.state.add(`${srv.origin}/`); // typed without /v1
    expect(id).toBeTruthy();
    expect(first.pol.reloads).toBe(1);
    expect(first.state.reloading).toBe(true);
    expect((await srv.stats()).requests).toBe(1); // this stats call only: nothing was sent before the reload
    const stored = JSON.parse(storage.getItem(SERVERS_KEY)!);
    expect(stored.servers).toEqual([expect.objectContaining({ id, baseUrl: srv.url, connectOnLoad: true, consentedAt: null })]);

    // The next page load (its policy now names the origin) connects by itself.
    const reloaded = page(storage, new Set([srv.origin]));
    reloaded.state.start();
    await expect.poll(() => reloaded.state.statusOf(id!).phase).toBe('ready');
    expect(reloaded.state.servers[0]).toMatchObject({ kind: 'vllm', models: [{ id: MODEL, contextLength: 2048 }, { id: 'bge-small-zh-fixture', contextLength: 512 }] });
    expect(reloaded.state.servers[0].connectOnLoad).toBeUndefined();
    expect(reloaded.state.choices).toEqual([
      { key: `server:${id}|${MODEL}`, label: `${MODEL} @ ${host}`, kind: 'server', memoryMB: 0, host },
      { key: `server:${id}|bge-small-zh-fixture`, label: `bge-small-zh-fixture @ ${host}`, kind: 'server', memoryMB: 0, host },
    ]);
    // A third load does not list again on its own.
    const third = page(storage, new Set([srv.origin]));
    third.state.start();
    expect(third.state.statusOf(id!).phase).toBe('idle');
    expect(third.state.choices).toHaveLength(2);
  });

  it('an API key: 401 without it (the message says so), models with it; stored apart from the list; gone with the server', async () => {
    await srv.behaviour({ apiKey: 'sk-test-123' });
    const storage = memoryStorage();
    const { state, forgotten } = page(storage, new Set([srv.origin]));
    const id = (await state.add(srv.url))!;
    const err = state.statusOf(id).error;
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('server-auth-failed');
    expect((err as AppError).message).toContain('needs an API key');
    expect(state.choices).toEqual([]);

    state.setApiKey(id, 'sk-test-123');
    await state.connect(id);
    expect(state.statusOf(id).phase).toBe('ready');
    expect(state.hasKey(id)).toBe(true);
    expect(storage.getItem(SERVERS_KEY)).not.toContain('sk-test-123');
    expect(storage.getItem(SERVER_KEYS_KEY)).toContain('sk-test-123');

    state.remove(id);
    expect(state.choices).toEqual([]);
    expect(storage.getItem(SERVER_KEYS_KEY)).toBeNull();
    expect(JSON.parse(storage.getItem(SERVERS_KEY)!).servers).toEqual([]);
    expect(forgotten).toContain(`server:${id}|${MODEL}`);
  });

  it('refuses before storing anything: a bad address, an https page calling plain http on the LAN, an IPv6 literal', async () => {
    const storage = memoryStorage();
    const { state, pol } = page(storage, new Set(), { pageOrigin: 'https://lab.example' });
    expect(await state.add('ftp://files.example/v1')).toBeNull();
    expect((state.addError as AppError).code).toBe('server-url-invalid');
    expect(await state.add('http://192.168.1.20:11434')).toBeNull();
    expect((state.addError as AppError).code).toBe('server-mixed-content');
    expect(await state.add('http://[::1]:11434/v1')).toBeNull();
    expect((state.addError as AppError).code).toBe('server-url-invalid');
    expect((state.addError as AppError).message).toMatch(/IPv6.*localhost/);
    expect(state.servers).toEqual([]);
    expect(storage.getItem(SERVERS_KEY)).toBeNull();
    expect(pol.reloads).toBe(0);
  });

  it('does not reload into losing the server when the browser refuses to store it', async () => {
    const full = memoryStorage();
    full.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    const { state, pol } = page(full, new Set());
    expect(await state.add(srv.url)).toBeNull();
    expect((state.addError as AppError).code).toBe('quota-exceeded');
    expect(pol.reloads).toBe(0);
  });
});

describe('first use', () => {
  it('asks once per server before the first prompt leaves; parallel first uses share the one question; remembered', async () => {
    const storage = memoryStorage();
    const { state } = page(storage, new Set([srv.origin]));
    const id = (await state.add(srv.url))!;
    const key = `server:${id}|${MODEL}`;
    const a = state.plan(key);
    const b = state.plan(key);
    await expect.poll(() => state.consentRequest).toEqual({ id, host, baseUrl: srv.url });
    state.answerConsent(true);
    const [pa, pb] = await Promise.all([a, b]);
    expect(pa).toEqual({ engine: 'openai-compatible', server: { baseUrl: srv.url, kind: 'vllm' }, model: MODEL });
    expect(pb).toEqual(pa);
    expect(state.consentRequest).toBeNull();
    expect(state.servers[0].consentedAt).toEqual(expect.any(Number));
    // Remembered across a reload: no question.
    const again = page(storage, new Set([srv.origin])).state;
    expect(await again.plan(key)).toEqual(pa);
    expect(again.consentRequest).toBeNull();
    // Not this source's key: not its plan.
    expect(await again.plan('catalog:x')).toBeNull();
    expect(await again.plan('server:gone|m')).toBeNull();
  });

  it('declined: an error that names the host, nothing sent; asked again next time; revoking asks again', async () => {
    const { state, forgotten } = page(memoryStorage(), new Set([srv.origin]), { declined: (h) => `not sent to ${h}` });
    const id = (await state.add(srv.url))!;
    const key = `server:${id}|${MODEL}`;
    const p = state.plan(key);
    await expect.poll(() => state.consentRequest?.id).toBe(id);
    state.answerConsent(false);
    await expect(p).rejects.toThrow(`not sent to ${host}`);
    expect((await srv.stats()).chat).toBe(0);
    const q = state.plan(key);
    await expect.poll(() => state.consentRequest?.id).toBe(id);
    state.answerConsent(true);
    await q;
    state.revokeConsent(id);
    expect(forgotten).toContain(key);
    const r = state.plan(key);
    await expect.poll(() => state.consentRequest?.id).toBe(id);
    state.answerConsent(true);
    await r;
  });
});

describe('server models in lanes', () => {
  it('generates the canned reply through the LLM worker handler; Stop closes the connection; a wrong key is fixed by setting it', async () => {
    const p = prefs();
    const { state: llm, models } = llmState(p);
    const { state: servers } = page(memoryStorage(), new Set([srv.origin]), { forget: (keys) => keys.forEach((k) => void llm.unload(k)) });
    models.addSource(servers);
    const id = (await servers.add(srv.url))!;
    const key = `server:${id}|${MODEL}`;
    expect(models.find(key)).toMatchObject({ kind: 'server', host });
    const asked = llm.load(key);
    await expect.poll(() => servers.consentRequest?.id).toBe(id);
    servers.answerConsent(true);
    expect(await asked).toMatchObject({ key, engine: 'openai-compatible', device: 'server', server: { host, baseUrl: srv.url } });

    const messages = [{ role: 'user' as const, content: 'How many days of leave?' }];
    const params = { maxNewTokens: 64, temperature: 0, topP: 1 };
    const r = await llm.generate(messages, params, () => undefined, undefined, key);
    expect(r.text).toBe(REPLY);
    expect(r.stopped).toBe('eos');
    expect(r.model).toMatchObject({ key, model: MODEL, engine: 'openai-compatible' });

    await srv.behaviour({ delayMs: 150 });
    const ctrl = new AbortController();
    let streamed = '';
    const stopped = await llm
      .generate(messages, params, (t) => {
        streamed += t;
        ctrl.abort();
      }, ctrl.signal, key)
      .catch((e: unknown) => e);
    expect((stopped as AppError).code).toBe('aborted');
    expect(REPLY.startsWith(streamed) && streamed.length > 0 && streamed.length < REPLY.length).toBe(true);
    expect(await eventually(async () => (await srv.stats()).closedEarly === 1)).toBe(true);

    // The server starts asking for a key: the loaded engine fails with the specific error; after the
    // key is set (the loaded model is forgotten) the next load sends it.
    await srv.behaviour({ delayMs: 0, apiKey: 'sk-new' });
    const denied = await llm.generate(messages, params, () => undefined, undefined, key).catch((e: unknown) => e);
    expect((denied as AppError).code).toBe('server-auth-failed');
    servers.setApiKey(id, 'sk-new');
    await expect.poll(() => llm.statusOf(key).phase).toBe('idle');
    expect((await llm.generate(messages, params, () => undefined, undefined, key)).text).toBe(REPLY);
    expect((await srv.lastRequest())?.authorization).toBe(true);
  });

  it('a model the server no longer serves: the load fails naming what it has', async () => {
    const { state: llm, models } = llmState(prefs());
    const { state: servers } = page(memoryStorage(), new Set([srv.origin]));
    models.addSource(servers);
    const id = (await servers.add(srv.url))!;
    await srv.behaviour({ modelId: 'renamed-model' });
    const key = `server:${id}|${MODEL}`;
    const loading = llm.load(key);
    await expect.poll(() => servers.consentRequest?.id).toBe(id);
    servers.answerConsent(true);
    const e = await loading.catch((x: unknown) => x);
    expect((e as AppError).code).toBe('server-model-unknown');
    expect((e as AppError).message).toContain('renamed-model');
  });
});

describe('two tabs', () => {
  it('a server removed in one tab is not put back by a write in the other, which forgets its models', async () => {
    const storage = memoryStorage(); // one localStorage, two pages
    const a = page(storage, new Set([srv.origin]));
    const id = (await a.state.add(srv.url))!;
    const b = page(storage, new Set([srv.origin]));
    expect(b.state.servers.map((s) => s.id)).toEqual([id]);
    const keys = b.state.keysOf(id);
    expect(keys.length).toBeGreaterThan(0);

    a.state.remove(id);
    // The browser tells the other tab (a `storage` event, which start() listens to).
    b.state.reloadFromStorage();
    expect(b.state.servers).toEqual([]);
    expect(b.forgotten).toEqual(keys);
    // A later write of the whole list in that tab keeps the removal.
    b.state.revokeConsent(id);
    expect(JSON.parse(storage.getItem(SERVERS_KEY) ?? '{"servers":[]}').servers).toEqual([]);
  });
});
