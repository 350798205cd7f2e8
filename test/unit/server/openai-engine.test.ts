// The server engine against a real OpenAI-compatible server process on 127.0.0.1 (llama.cpp through
// node-llama-cpp running the canned-reply GGUF): streaming with and without usage, Stop closing the
// connection, API keys, a stream cut mid-answer, 429/503 retries, unknown models, parallel requests.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/protocol/errors';
import type { ChatMessage } from '../../../src/protocol/messages';
import type { RetryNotice } from '../../../src/server/http';
import { estimateTokens } from '../../../src/strategies/tokens';
import { loadOpenAiLlm, type OpenAiDeps } from '../../../workers/engines/openai-engine';
import { eventually, startTestServer, type TestServer } from './test-server';

/** The fixture's greedy reply (shared/models/README.md: 21 tokens, then <|im_end|>). */
const REPLY = '[GGUF test fixture] 这是离线测试模型的固定回答 (canned reply).';
const MODEL = 'qwen2-canned-reply';
const messages: ChatMessage[] = [
  { role: 'system', content: 'Answer from the context.' },
  { role: 'user', content: 'Context: 新员工每年有 17 天年假。\nQuestion: How many days of leave?' },
];
const params = { maxNewTokens: 64, temperature: 0, topP: 0.9, seed: 42 };
const never = () => new AbortController().signal;
const deps: OpenAiDeps = { fetch, pageOrigin: null, retry: { maxAttempts: 4, baseMs: 10, maxMs: 40, maxRetryAfterMs: 5000 } };

async function rejection(p: Promise<unknown>): Promise<ModelError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelError);
  return e as ModelError;
}

let srv: TestServer;
// The model loads in the background while the first tests (which need no generation) run; chat
// requests wait for it on the server side.
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv?.stop());
// A stream a test ended (Stop, a stall) closes on the server a moment later: let it land before the
// counters are zeroed, so it is not counted in the next test.
beforeEach(async () => {
  await eventually(async () => (await srv.stats()).inFlight === 0);
  await srv.reset();
});

const load = (over: Partial<Parameters<typeof loadOpenAiLlm>[0]> = {}, d: OpenAiDeps = deps) => loadOpenAiLlm({ baseUrl: srv.url, model: MODEL, ...over }, d);

describe('loading', () => {
  it('checks the model on GET /models and describes the engine, the model and where prompts go', async () => {
    const e = await load({ baseUrl: `${srv.origin}/` }); // typed without /v1: normalised
    expect(e.info).toMatchObject({
      model: MODEL,
      engine: 'openai-compatible',
      device: 'server',
      server: { baseUrl: srv.url, host: new URL(srv.url).host, kind: 'vllm', contextLength: 2048 },
    });
  });

  it('an unknown model names the models the server has', async () => {
    const e = await rejection(load({ model: 'llama-3.3-70b' }));
    expect(e.code).toBe('server-model-unknown');
    expect(e.detail).toMatchObject({ model: 'llama-3.3-70b', available: 'qwen2-canned-reply, bge-small-zh-fixture' });
    expect(e.message).toContain('It offers: qwen2-canned-reply, bge-small-zh-fixture');
  });

  it('nothing listening → unreachable; a bad URL → invalid, before any request', async () => {
    const tmp = http.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise<void>((r) => tmp.close(() => r()));
    const e = await rejection(load({ baseUrl: `http://127.0.0.1:${port}/v1` }));
    expect(e.code).toBe('server-unreachable');
    expect(String(e.detail.cause)).toMatch(/ECONNREFUSED|fetch failed/);
    expect((await rejection(load({ baseUrl: 'ftp://x' }))).code).toBe('server-url-invalid');
  });

  it('an https page and a plain-http LAN server: mixed content, nothing sent', async () => {
    const sent: string[] = [];
    const recording: typeof fetch = (input, init) => {
      sent.push(String(input));
      return fetch(input, init);
    };
    const e = await rejection(load({ baseUrl: 'http://192.168.77.1:8000/v1' }, { ...deps, fetch: recording, pageOrigin: 'https://lab.example.org' }));
    expect(e.code).toBe('server-mixed-content');
    expect(sent).toEqual([]);
  });
});

describe('API key', () => {
  it('401 without a key, 401 with a wrong one (said differently), works with the right one; the key is sent as Bearer', async () => {
    await srv.behaviour({ apiKey: 'sk-test-123' });
    const missing = await rejection(load());
    expect(missing).toMatchObject({ code: 'server-auth-failed', detail: { status: 401, keySent: 0 } });
    const wrong = await rejection(load({ apiKey: 'sk-wrong' }));
    expect(wrong).toMatchObject({ code: 'server-auth-failed', detail: { status: 401, keySent: 1 } });
    const e = await load({ apiKey: 'sk-test-123' });
    const r = await e.generate(messages, params, () => undefined, never());
    expect(r.text).toBe(REPLY);
    expect((await srv.lastRequest())?.authorization).toBe(true);
  });

  it('no Authorization header at all when the key is blank', async () => {
    const e = await load({ apiKey: '   ' });
    await e.generate(messages, params, () => undefined, never());
    expect((await srv.lastRequest())?.authorization).toBe(false);
  });
});

describe('streaming', () => {
  it('streams the reply with the server usage, and sends the parameters as asked', async () => {
    const e = await load();
    const pieces: string[] = [];
    const r = await e.generate(messages, params, (t) => pieces.push(t), never());
    expect(r.text).toBe(REPLY);
    expect(pieces.join('')).toBe(REPLY);
    expect(pieces.length).toBeGreaterThan(10);
    expect(r.stopped).toBe('eos');
    expect(r.usage.estimated).toBeUndefined();
    // llama.cpp counts 21 reply tokens plus <|im_end|>.
    expect(r.usage.outputTokens).toBe(22);
    expect(r.usage.promptTokens).toBeGreaterThan(20);
    expect(r.usage.ttftMs).toBeGreaterThan(0);
    expect(r.usage.totalMs).toBeGreaterThanOrEqual(r.usage.ttftMs);
    expect(r.usage.decodeTps).toBeGreaterThan(0);
    const sent = await srv.lastRequest();
    expect(sent?.body).toEqual({
      model: MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0,
      top_p: 0.9,
      seed: 42,
    });
  });

  it('a server that sends no usage: counts are estimated client-side and marked', async () => {
    await srv.behaviour({ usage: 'never' });
    const e = await load();
    const r = await e.generate(messages, params, () => undefined, never());
    expect(r.text).toBe(REPLY);
    expect(r.stopped).toBe('eos');
    expect(r.usage.estimated).toBe(true);
    expect(r.usage.outputTokens).toBe(estimateTokens(REPLY));
    expect(r.usage.promptTokens).toBe(estimateTokens(messages[0].content) + estimateTokens(messages[1].content));
  });

  it('usage inside the finish chunk (older llama-server), CRLF line ends and comment lines', async () => {
    await srv.behaviour({ usage: 'with-finish', crlf: true, comments: true });
    const e = await load();
    const r = await e.generate(messages, params, () => undefined, never());
    expect(r.text).toBe(REPLY);
    expect(r.usage).toMatchObject({ outputTokens: 22 });
    expect(r.usage.estimated).toBeUndefined();
  });

  it('max_tokens reached → stopped "length" with that many tokens', async () => {
    const e = await load();
    const r = await e.generate(messages, { ...params, maxNewTokens: 5 }, () => undefined, never());
    expect(r.stopped).toBe('length');
    expect(r.usage.outputTokens).toBe(5);
    expect(REPLY.startsWith(r.text)).toBe(true);
  });

  it('four parallel requests give what one request gives, and were in flight together', async () => {
    await srv.behaviour({ delayMs: 15 });
    const e = await load();
    const one = await e.generate(messages, params, () => undefined, never());
    const four = await Promise.all([0, 1, 2, 3].map(() => e.generate(messages, params, () => undefined, never())));
    expect(four.map((r) => r.text)).toEqual([one.text, one.text, one.text, one.text]);
    expect((await srv.stats()).maxInFlight).toBe(4);
  });
});

describe('Stop, cuts and stalls', () => {
  it('Stop aborts the request: the server sees the connection close, the partial text is returned as aborted', async () => {
    await srv.behaviour({ delayMs: 120 });
    const e = await load();
    const ctrl = new AbortController();
    const pieces: string[] = [];
    const r = await e.generate(
      messages,
      params,
      (t) => {
        pieces.push(t);
        if (pieces.length === 2) ctrl.abort();
      },
      ctrl.signal,
    );
    expect(r.stopped).toBe('aborted');
    expect(r.text).toBe(pieces.join(''));
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.text.length).toBeLessThan(REPLY.length);
    expect(await eventually(async () => (await srv.stats()).closedEarly === 1)).toBe(true);
    expect(srv.log()).toMatch(/client closed chatcmpl-\d+ early/);
    expect((await srv.stats()).completed).toBe(0);
  });

  it('a stream cut mid-answer keeps the partial answer, marked incomplete with the reason', async () => {
    await srv.behaviour({ cutAfter: 3 });
    const e = await load();
    const pieces: string[] = [];
    const r = await e.generate(messages, params, (t) => pieces.push(t), never());
    expect(pieces).toHaveLength(3);
    expect(r.text).toBe(pieces.join(''));
    expect(REPLY.startsWith(r.text)).toBe(true);
    expect(r.stopped).toBe('incomplete');
    expect(r.incomplete).toMatchObject({ name: 'ModelError', code: 'server-stream-cut', detail: { reason: 'connection-lost', chars: r.text.length } });
    expect(r.usage.estimated).toBe(true);
    expect((await srv.stats()).cut).toBe(1);
  });

  it('an error object inside the stream: before any text it is the error, after some text the text is kept', async () => {
    await srv.behaviour({ errorAfter: 0 });
    const e = await load();
    const err = await rejection(e.generate(messages, params, () => undefined, never()));
    expect(err).toMatchObject({ code: 'server-error', detail: { status: 500, serverMessage: 'CUDA error: an illegal memory access was encountered' } });
    await srv.behaviour({ errorAfter: 3 });
    const r = await e.generate(messages, params, () => undefined, never());
    expect(r.stopped).toBe('incomplete');
    expect(REPLY.startsWith(r.text) && r.text.length > 0).toBe(true);
    expect(r.incomplete).toMatchObject({ code: 'server-stream-cut', detail: { reason: 'server-error', serverMessage: 'CUDA error: an illegal memory access was encountered' } });
  });

  it('a stream that goes silent before any text is a timeout; with text it is kept as incomplete', async () => {
    await srv.behaviour({ delayMs: 600 });
    const e = await load({}, { ...deps, stallMs: 200 });
    const err = await rejection(e.generate(messages, params, () => undefined, never()));
    expect(err).toMatchObject({ code: 'server-timeout', detail: { during: 'stream' } });
    // Fast first pieces, then silence: cut after 2 chunks is a connection loss, so use a slow stream
    // with a stall limit between the delays instead.
    await srv.behaviour({ delayMs: 150 });
    const e2 = await load({}, { ...deps, stallMs: 400 });
    const ctrl = new AbortController();
    let n = 0;
    const pending = e2.generate(
      messages,
      params,
      () => {
        // After two pieces make the server go silent for longer than the stall limit.
        if (++n === 2) void srv.behaviour({ delayMs: 1500 });
      },
      ctrl.signal,
    );
    const r = await pending;
    expect(r.stopped).toBe('incomplete');
    expect(r.incomplete).toMatchObject({ code: 'server-stream-cut', detail: { reason: 'stalled' } });
    expect(r.text.length).toBeGreaterThan(0);
  }, 10_000);

  it('dispose() ends a generation in flight', async () => {
    await srv.behaviour({ delayMs: 100 });
    const e = await load();
    const pending = e.generate(messages, params, () => void e.dispose(), never());
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(await eventually(async () => (await srv.stats()).closedEarly === 1)).toBe(true);
  });
});

describe('busy servers', () => {
  it('429 with Retry-After: waits as asked, reports each retry, then answers', async () => {
    await srv.behaviour({ fail: 1, failStatus: 429, retryAfter: 1 });
    const e = await load();
    const notices: RetryNotice[] = [];
    const t = performance.now();
    const r = await e.generate(messages, params, () => undefined, never(), (n) => notices.push(n));
    expect(performance.now() - t).toBeGreaterThanOrEqual(950);
    expect(r.text).toBe(REPLY);
    expect(notices).toEqual([{ kind: 'retry', host: new URL(srv.url).host, status: 429, attempt: 1, maxAttempts: 4, waitMs: 1000 }]);
    expect((await srv.stats()).failed).toBe(1);
  });

  it('503 without Retry-After backs off exponentially; gives up after the last attempt with a clear error', async () => {
    await srv.behaviour({ fail: 10, failStatus: 503, retryAfter: null });
    const e = await load();
    const notices: RetryNotice[] = [];
    const err = await rejection(e.generate(messages, params, () => undefined, never(), (n) => notices.push(n)));
    expect(err).toMatchObject({ code: 'server-busy', detail: { status: 503, attempts: 4 } });
    expect(notices.map((n) => n.attempt)).toEqual([1, 2, 3]);
    // base 10 ms doubling, capped at 40, jittered within the upper half.
    notices.forEach((n, i) => {
      const full = Math.min(40, 10 * 2 ** i);
      expect(n.waitMs).toBeGreaterThanOrEqual(full / 2);
      expect(n.waitMs).toBeLessThanOrEqual(full);
    });
    expect((await srv.stats()).failed).toBe(4);
  });

  it('a Retry-After beyond the limit is not waited for', async () => {
    await srv.behaviour({ fail: 1, retryAfter: 3600 });
    const e = await load();
    const err = await rejection(e.generate(messages, params, () => undefined, never()));
    expect(err).toMatchObject({ code: 'server-busy', detail: { attempts: 1, retryAfter: 3600 } });
  });

  it('Stop during a retry wait returns at once as aborted', async () => {
    await srv.behaviour({ fail: 1, retryAfter: 5 });
    const e = await load();
    const ctrl = new AbortController();
    const t = performance.now();
    const r = await e.generate(messages, params, () => undefined, ctrl.signal, () => setTimeout(() => ctrl.abort(), 50));
    expect(r.stopped).toBe('aborted');
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
