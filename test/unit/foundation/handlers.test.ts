// The REAL worker handlers, driven in Node with plain message objects and the offline fixture
// models in /work/shared/models (see its README). transformers.js runs on onnxruntime-node here.

import 'fake-indexeddb/auto'; // the knowledge handler keeps its chunk index in IndexedDB
import { beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_HOST_SETTING, resolveHosts, type ResolvedHosts } from '../../../src/models/hosts';
import type { ChatMessage, EmbedderInfo, GenResult, Inbound, KnowledgeCalls, LlmCalls, LoadedModel, Outbound, Post } from '../../../src/protocol/messages';
import { createLlmHandler } from '../../../workers/llm-handler';
import { createKnowledgeHandler } from '../../../workers/knowledge-handler';
import { openDb } from '../../../src/store/db';

const MODELS = path.resolve(__dirname, '../../../../shared/models') + '/';
const CANNED = 'lab-fixtures/qwen2-tokenizer-canned-reply';
const ECHO = 'lab-fixtures/qwen2-tokenizer-echo';
const EMBED = 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow';
const CANNED_TEXT = '[offline test fixture] 这是离线测试模型的固定回答 (canned reply).';

const hosts: ResolvedHosts = { ...resolveHosts(DEFAULT_HOST_SETTING, 'http://x/'), localPath: MODELS };

beforeAll(() => {
  for (const id of [CANNED, ECHO, EMBED]) {
    if (!fs.existsSync(path.join(MODELS, id, 'config.json'))) {
      throw new Error(`Fixture model folder missing: ${path.join(MODELS, id)} (expected the offline fixtures in ${MODELS}; see shared/models/README.md)`);
    }
  }
});

type Closing = Extract<Outbound, { type: 'done' | 'error' }>;

/** Drives a handler like the worker entry does, recording every posted message. */
function drive<M extends { id: number; type: string }>(create: (post: Post) => (msg: M) => void) {
  const log: Outbound[] = [];
  const sent: M[] = [];
  const waiting = new Map<number, (m: Closing) => void>();
  const onPost: ((m: Outbound) => void)[] = [];
  let nextId = 1;
  const post: Post = (msg) => {
    log.push(msg);
    for (const f of onPost) f(msg);
    if (msg.type === 'done' || msg.type === 'error') waiting.get(msg.id)?.(msg);
  };
  const handle = create(post);
  return {
    log,
    onPost,
    /** Sends a request; `closed` settles with its `done`/`error`. */
    send<K extends Exclude<M['type'], 'abort'>>(type: K, payload: Extract<M, { type: K }> extends { payload: infer P } ? P : never): { id: number; closed: Promise<Closing> } {
      const id = nextId++;
      const closed = new Promise<Closing>((r) => waiting.set(id, r));
      const msg = { id, type, payload } as unknown as M;
      sent.push(msg);
      handle(msg);
      return { id, closed };
    },
    abort(target: number): void {
      const msg = { id: nextId++, type: 'abort', target } as unknown as M;
      sent.push(msg);
      handle(msg);
    },
    items: (id: number) => log.filter((m): m is Extract<Outbound, { type: 'item' }> => m.type === 'item' && m.id === id).map((m) => m.item),
    /** Every request got exactly one closing message, and nothing was posted for it afterwards. */
    checkProtocol(): void {
      for (const m of sent) {
        if (m.type === 'abort') continue;
        const mine = log.filter((o) => o.id === m.id);
        const closings = mine.filter((o) => o.type === 'done' || o.type === 'error');
        expect(closings, `request ${m.id} (${m.type}) closings`).toHaveLength(1);
        expect(mine.at(-1), `request ${m.id} (${m.type}) ends with its closing message`).toBe(closings[0]);
      }
      const requestIds = new Set(sent.filter((m) => m.type !== 'abort').map((m) => m.id));
      for (const o of log) expect(requestIds.has(o.id), `message for unknown id ${o.id}`).toBe(true);
    },
  };
}

const greedy = (maxNewTokens: number) => ({ maxNewTokens, temperature: 0, topP: 1 });
const ask = (content: string): ChatMessage[] => [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content },
];
/** The `load` payload for a transformers.js model (the page's LoadPlan). */
const loadTjs = (id: string, dtype?: string) => ({ key: 'm', plan: { engine: 'transformers.js' as const, model: { id, dtype }, device: 'wasm' as const }, hosts });
const errorCode = (m: Closing) => (m.type === 'error' ? m.error.code : `done: ${JSON.stringify(m.result)}`);

describe('LLM handler (transformers.js, fixture models)', () => {
  const d = drive<Inbound<LlmCalls>>(createLlmHandler);

  it('generate before any load → bad-request; unload → nothing to unload', async () => {
    const g = await d.send('generate', { key: 'm', messages: ask('hi'), params: greedy(8) }).closed;
    expect(errorCode(g)).toBe('bad-request');
    const u = await d.send('unload', {}).closed;
    expect(u).toMatchObject({ type: 'done', result: { unloaded: 0 } });
  });

  it('loads the canned-reply fixture: exactly one done with a LoadedModel', async () => {
    const { id, closed } = d.send('load', loadTjs(CANNED, 'q4'));
    const m = await closed;
    expect(m.type, errorCode(m)).toBe('done');
    const info = (m as { result: LoadedModel }).result;
    expect(info).toMatchObject({ model: CANNED, engine: 'transformers.js', device: 'wasm', dtype: 'q4' });
    expect(info.loadMs).toBeGreaterThan(0);
    expect(info.fallbackReason).toBeUndefined();
    expect(d.log.filter((o) => o.id === id && (o.type === 'done' || o.type === 'error'))).toHaveLength(1);
    expect(d.log.some((o) => o.id === id && o.type === 'progress')).toBe(true);
  });

  let promptTokens = 0;
  let outputTokens = 0;
  it('generate streams string items that join to the canned reply', async () => {
    const { id, closed } = d.send('generate', { key: 'm', messages: ask('What is the capital of France? Answer in one sentence.'), params: greedy(64) });
    const m = await closed;
    expect(m.type, errorCode(m)).toBe('done');
    const r = (m as { result: GenResult }).result;
    const items = d.items(id);
    expect(items.length).toBeGreaterThan(1);
    for (const it of items) expect(typeof it).toBe('string');
    expect(items.join('')).toBe(r.text);
    expect(r.text).toBe(CANNED_TEXT);
    expect(r.stopped).toBe('eos');
    expect(r.usage.promptTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeLessThan(64);
    expect(r.usage.totalMs).toBeGreaterThanOrEqual(r.usage.ttftMs);
    promptTokens = r.usage.promptTokens;
    outputTokens = r.usage.outputTokens;
  });

  it('maxNewTokens cuts the reply and reports stopped: length', async () => {
    const m = await d.send('generate', { key: 'm', messages: ask('x'), params: greedy(5) }).closed;
    const r = (m as { result: GenResult }).result;
    expect(r.stopped).toBe('length');
    expect(r.usage.outputTokens).toBe(5);
    expect(CANNED_TEXT.startsWith(r.text)).toBe(true);
    expect(r.text.length).toBeLessThan(CANNED_TEXT.length);
  });

  // KNOWN BUG (workers/engines/transformers-engine.ts, `stopped = ... outputTokens >= params.maxNewTokens
  // ? 'length' : 'eos'`): `outputTokens` counts the EOS token too, so a reply that ends with EOS exactly on
  // the last allowed step is reported as cut ('length') although it is complete. Fix: remember whether the
  // last generated token was an EOS id (token_callback_function receives the ids; compare with
  // `model.generation_config.eos_token_id`, number or array) and report 'eos' then. Remove `.fails` once fixed.
  it('a reply that ends with EOS on the last allowed token is reported as eos', async () => {
    const m = await d.send('generate', { key: 'm', messages: ask('x'), params: greedy(outputTokens) }).closed;
    const r = (m as { result: GenResult }).result;
    expect(r.text).toBe(CANNED_TEXT);
    expect(r.stopped).toBe('eos');
  });

  it('unload then generate → bad-request', async () => {
    expect(await d.send('unload', {}).closed).toMatchObject({ type: 'done', result: { unloaded: 1 } });
    expect(errorCode(await d.send('generate', { key: 'm', messages: ask('hi'), params: greedy(8) }).closed)).toBe('bad-request');
  });

  it('a missing model → model-not-found', async () => {
    const m = await d.send('load', loadTjs('lab-fixtures/no-such-model')).closed;
    expect(errorCode(m)).toBe('model-not-found');
    expect(m.type === 'error' && m.error.name).toBe('ModelError');
    expect(m.type === 'error' && m.error.detail?.model).toBe('lab-fixtures/no-such-model');
  });

  const LONG = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
  let fullItems = 0;
  it('the echo fixture repeats the last user message', async () => {
    const load = await d.send('load', loadTjs(ECHO, 'q4')).closed;
    expect(load.type, errorCode(load)).toBe('done');
    const { id, closed } = d.send('generate', { key: 'm', messages: ask(LONG), params: greedy(400) });
    const m = await closed;
    const r = (m as { result: GenResult }).result;
    expect(r.text).toBe(LONG);
    expect(r.stopped).toBe('eos');
    fullItems = d.items(id).length;
    expect(fullItems).toBeGreaterThan(10);
  });

  it('abort after the first item closes with exactly one error: aborted, and stops early', async () => {
    let target = -1;
    let sentAbort = false;
    d.onPost.push((m) => {
      if (m.type === 'item' && m.id === target && !sentAbort) {
        sentAbort = true;
        d.abort(target);
      }
    });
    const req = d.send('generate', { key: 'm', messages: ask(LONG), params: greedy(400) });
    target = req.id;
    const m = await req.closed;
    expect(sentAbort).toBe(true);
    expect(errorCode(m)).toBe('aborted');
    expect(m.type === 'error' && m.error.name).toBe('AbortError');
    await new Promise((r) => setTimeout(r, 100));
    const closings = d.log.filter((o) => o.id === req.id && (o.type === 'done' || o.type === 'error'));
    expect(closings).toHaveLength(1);
    const n = d.items(req.id).length;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThan(fullItems);
    d.onPost.length = 0;
  });

  it('generations queue: a second generate runs after the first and both complete', async () => {
    const a = d.send('generate', { key: 'm', messages: ask('first message'), params: greedy(50) });
    const b = d.send('generate', { key: 'm', messages: ask('second one'), params: greedy(50) });
    const [ma, mb] = await Promise.all([a.closed, b.closed]);
    expect((ma as { result: GenResult }).result.text).toBe('first message');
    expect((mb as { result: GenResult }).result.text).toBe('second one');
    const firstB = d.log.findIndex((o) => o.id === b.id);
    const closeA = d.log.indexOf(ma);
    expect(firstB).toBeGreaterThan(closeA); // never interleaved
  });

  // Regression: an abort for a call that has not started yet (queued behind another generate) must
  // still cancel it; CallRegistry keeps such early aborts.
  it('an abort for a generate still waiting in the queue cancels it', async () => {
    const a = d.send('generate', { key: 'm', messages: ask(LONG), params: greedy(400) });
    const b = d.send('generate', { key: 'm', messages: ask(LONG), params: greedy(400) });
    d.abort(b.id);
    const [ma, mb] = await Promise.all([a.closed, b.closed]);
    expect(ma.type).toBe('done');
    expect(errorCode(mb)).toBe('aborted');
    expect(d.items(b.id)).toHaveLength(0);
  });

  it('every request got exactly one closing done/error, and nothing after it', async () => {
    await new Promise((r) => setTimeout(r, 100));
    d.checkProtocol();
  });
});

describe('knowledge handler (transformers.js, fixture embedder)', () => {
  const d = drive<Inbound<KnowledgeCalls>>((post) => createKnowledgeHandler(post, { db: () => openDb(`foundation-handlers-${process.pid}-${Date.now()}`) }));
  const embedderReq = (id: string, dtype?: string) => ({ model: { id, dtype }, hosts, device: 'wasm' as const, pooling: 'mean' as const, normalize: true, queryPrefix: '', passagePrefix: '' });
  const cos = (v: Float32Array, dim: number, i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += v[i * dim + k] * v[j * dim + k];
    return s;
  };

  it('embed before loading → bad-request', async () => {
    expect(errorCode(await d.send('embed', { texts: ['x'] }).closed)).toBe('bad-request');
  });

  it('loads the hashed bag-of-words embedder: dim 128', async () => {
    const m = await d.send('loadEmbedder', embedderReq(EMBED, 'q8')).closed;
    expect(m.type, errorCode(m)).toBe('done');
    const info = (m as { result: EmbedderInfo }).result;
    expect(info).toMatchObject({ model: EMBED, device: 'wasm', dtype: 'q8', dim: 128 });
    expect(info.loadMs).toBeGreaterThan(0);
  });

  it('embeds a Chinese and an English sentence into normalized rows', async () => {
    const { id, closed } = d.send('embed', { texts: ['猫坐在垫子上。', 'The cat sits on the mat.'] });
    const m = await closed;
    expect(m.type, errorCode(m)).toBe('done');
    const { vectors, dim } = (m as { result: { vectors: Float32Array; dim: number; ms: number } }).result;
    expect(vectors).toBeInstanceOf(Float32Array);
    expect(vectors.length).toBe(256);
    expect(dim).toBe(128);
    for (const row of [0, 1]) expect(Math.sqrt(cos(vectors, dim, row, row))).toBeCloseTo(1, 4);
    const p = d.log.filter((o) => o.id === id && o.type === 'progress');
    expect(p.at(-1)).toMatchObject({ progress: { kind: 'items', stage: 'embed', done: 2, total: 2 } });
  });

  it('related sentences are closer than unrelated ones (token overlap)', async () => {
    const texts = ['The cat sits on the mat.', 'A cat is sitting on a mat.', 'Stock markets fell sharply today.', '猫坐在垫子上。', '一只猫正坐在垫子上。', '今天股市大幅下跌。'];
    const m = await d.send('embed', { texts }).closed;
    const { vectors, dim } = (m as { result: { vectors: Float32Array; dim: number } }).result;
    expect(cos(vectors, dim, 0, 1)).toBeGreaterThan(cos(vectors, dim, 0, 2) + 0.3);
    expect(cos(vectors, dim, 3, 4)).toBeGreaterThan(cos(vectors, dim, 3, 5) + 0.3);
  });

  it('batches beyond 16 texts keep every row in its place', async () => {
    const texts = Array.from({ length: 37 }, (_, i) => (i % 2 ? `苹果 ${i}` : `river bank ${i}`));
    const m = await d.send('embed', { texts }).closed;
    const { vectors, dim } = (m as { result: { vectors: Float32Array; dim: number } }).result;
    expect(vectors.length).toBe(37 * dim);
    for (let i = 0; i < 37; i++) expect(cos(vectors, dim, i, i)).toBeCloseTo(1, 4);
    const single = await d.send('embed', { texts: [texts[36]] }).closed;
    const one = (single as { result: { vectors: Float32Array } }).result.vectors;
    for (let k = 0; k < dim; k++) expect(vectors[36 * dim + k]).toBeCloseTo(one[k], 5);
  });

  it('a missing model id → model-not-found', async () => {
    const m = await d.send('loadEmbedder', embedderReq('lab-fixtures/not-here')).closed;
    expect(errorCode(m)).toBe('model-not-found');
    expect(m.type === 'error' && m.error.name).toBe('ModelError');
  });

  it('every request got exactly one closing done/error', () => {
    d.checkProtocol();
  });
});

describe('llm handler: overlapping loads', () => {
  it('a load overtaken by a newer one never becomes the engine', async () => {
    const { createLlmHandler } = await import('../../../workers/llm-handler');
    const { resolveHosts, DEFAULT_HOST_SETTING } = await import('../../../src/models/hosts');
    const { resolve } = await import('node:path');
    const hosts = { ...resolveHosts(DEFAULT_HOST_SETTING, 'http://x/'), localPath: resolve(__dirname, '../../../../shared/models') + '/' };
    const posted: { id: number; type: string; result?: unknown; error?: { code: string } }[] = [];
    const handle = createLlmHandler((m) => posted.push(m as never));
    const plan = (id: string) => ({ engine: 'transformers.js' as const, model: { id, dtype: 'q8' }, device: 'wasm' as const });
    handle({ id: 1, type: 'load', payload: { key: 'm', plan: plan('lab-fixtures/qwen2-tokenizer-canned-reply'), hosts } });
    handle({ id: 2, type: 'load', payload: { key: 'm', plan: plan('lab-fixtures/qwen2-tokenizer-echo'), hosts } });
    await vi.waitFor(() => expect(posted.filter((m) => m.type === 'done' || m.type === 'error').length).toBe(2), { timeout: 20_000 });
    expect(posted.find((m) => m.id === 1 && m.type === 'error')?.error?.code).toBe('aborted');
    handle({ id: 3, type: 'generate', payload: { key: 'm', messages: [{ role: 'user', content: 'echo me' }], params: { maxNewTokens: 20, temperature: 0, topP: 1 } } });
    await vi.waitFor(() => expect(posted.some((m) => m.id === 3 && m.type === 'done')).toBe(true), { timeout: 20_000 });
    expect((posted.find((m) => m.id === 3 && m.type === 'done')!.result as { text: string }).text).toBe('echo me');
  });
});
