// Base-URL normalisation, `GET /models` replies in each server's shape, and `POST /embeddings`
// against the test server (transformers.js running the lexical embedding fixture, real HTTP).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/protocol/errors';
import type { RetryNotice } from '../../../src/server/http';
import { decodeBase64Floats, embedTexts, listModels, normaliseBaseUrl, parseEmbeddings, parseModelList } from '../../../src/server/models';
import { startTestServer, type TestServer } from './test-server';

describe('normaliseBaseUrl', () => {
  const ok = (input: string) => {
    const r = normaliseBaseUrl(input);
    if (!r.ok) throw new Error(r.problem.message);
    return r.baseUrl;
  };
  it('adds /v1 to a bare host, http:// to a bare host:port, and drops trailing slashes', () => {
    expect(ok('http://localhost:11434')).toBe('http://localhost:11434/v1');
    expect(ok('http://localhost:11434/')).toBe('http://localhost:11434/v1');
    expect(ok('localhost:8000')).toBe('http://localhost:8000/v1');
    expect(ok('  http://gpu-box:8080/v1/  ')).toBe('http://gpu-box:8080/v1');
    expect(ok('HTTPS://GPU.Example.org/v1')).toBe('https://gpu.example.org/v1');
  });

  it('cuts a pasted endpoint back to its base', () => {
    expect(ok('http://localhost:8000/v1/chat/completions')).toBe('http://localhost:8000/v1');
    expect(ok('http://localhost:8000/v1/models')).toBe('http://localhost:8000/v1');
    expect(ok('http://localhost:8000/v1/embeddings')).toBe('http://localhost:8000/v1');
    expect(normaliseBaseUrl('localhost:8000/v1/models')).toEqual({ ok: true, baseUrl: 'http://localhost:8000/v1', notes: ['added http://', 'removed /models'] });
  });

  it('keeps any other path as typed (proxies and gateways)', () => {
    expect(ok('https://gw.example.org/openai/v1')).toBe('https://gw.example.org/openai/v1');
    expect(ok('https://gw.example.org/api')).toBe('https://gw.example.org/api');
  });

  it('refuses what fetch cannot use, with a specific reason', () => {
    for (const [input, why] of [
      ['', 'empty'],
      ['ftp://host/v1', 'not http or https'],
      ['http://user:secret@host:8000/v1', 'API key field'],
      ['http://host:8000/v1?x=1', 'query string'],
      ['http://exa mple/v1', 'not a URL'],
    ]) {
      const r = normaliseBaseUrl(input);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.problem.code).toBe('server-url-invalid');
        expect(r.problem.message).toContain(why);
      }
    }
  });
});

describe('parseModelList', () => {
  it('OpenAI / LM Studio: ids and owners', () => {
    expect(parseModelList({ object: 'list', data: [{ id: 'qwen2.5-7b-instruct', object: 'model', owned_by: 'organization_owner' }] })).toEqual([{ id: 'qwen2.5-7b-instruct', ownedBy: 'organization_owner' }]);
  });

  it("Ollama's /v1/models (openai.ToListCompletion: owned_by is the namespace)", () => {
    const reply = { object: 'list', data: [{ id: 'llama3.2:latest', object: 'model', created: 1728000000, owned_by: 'library' }, { id: 'qwen2.5:0.5b', object: 'model', created: 1728000001, owned_by: 'library' }] };
    expect(parseModelList(reply)?.map((m) => m.id)).toEqual(['llama3.2:latest', 'qwen2.5:0.5b']);
  });

  it("vLLM's max_model_len (reply as printed by `curl localhost:8000/v1/models` for vllm serve Qwen/Qwen2.5-7B-Instruct)", () => {
    const reply = JSON.parse(
      '{"object":"list","data":[{"id":"Qwen/Qwen2.5-7B-Instruct","object":"model","created":1788735762,"owned_by":"vllm","root":"Qwen/Qwen2.5-7B-Instruct","parent":null,"max_model_len":32768,"permission":[{"id":"modelperm-ba83413358dd8c4d","object":"model_permission","created":1788735762,"allow_create_engine":false,"allow_sampling":true,"allow_logprobs":true,"allow_search_indices":false,"allow_view":true,"allow_fine_tuning":false,"organization":"*","group":null,"is_blocking":false}]}]}',
    );
    expect(parseModelList(reply)).toEqual([{ id: 'Qwen/Qwen2.5-7B-Instruct', ownedBy: 'vllm', contextLength: 32768, contextSource: 'max_model_len' }]);
  });

  it("llama-server's meta.n_ctx_train (handle_models) and its router-mode list", () => {
    const single = { object: 'list', data: [{ id: 'qwen2.5-0.5b-instruct-q8_0.gguf', object: 'model', created: 1735000000, owned_by: 'llamacpp', meta: { vocab_type: 2, n_vocab: 151936, n_ctx_train: 32768, n_embd: 896, n_params: 494032768, size: 531066880 } }] };
    expect(parseModelList(single)).toEqual([{ id: 'qwen2.5-0.5b-instruct-q8_0.gguf', ownedBy: 'llamacpp', contextLength: 32768, contextSource: 'n_ctx_train' }]);
    const router = { data: [{ id: 'gemma-3-4b', aliases: [], tags: [], object: 'model', owned_by: 'llamacpp', created: 1735000000, status: { value: 'loaded' } }], object: 'list' };
    expect(parseModelList(router)).toEqual([{ id: 'gemma-3-4b', ownedBy: 'llamacpp' }]);
  });

  it('skips junk entries and duplicates; null when there is no list', () => {
    expect(parseModelList({ data: [{ id: 'a' }, 'x', { id: 7 }, { id: 'a' }, null] })).toEqual([{ id: 'a' }]);
    expect(parseModelList({ error: 'nope' })).toBeNull();
    expect(parseModelList('<html>')).toBeNull();
  });
});

describe('parseEmbeddings', () => {
  it('orders by index and decodes base64 float32 (little-endian)', () => {
    const b64 = Buffer.from(Float32Array.of(0.5, -2).buffer).toString('base64');
    const r = parseEmbeddings({ data: [{ index: 1, embedding: b64 }, { index: 0, embedding: [1, 2] }], usage: { prompt_tokens: 3 } }, 2);
    if (typeof r === 'string') throw new Error(r);
    expect(r.vectors.map((v) => Array.from(v))).toEqual([
      [1, 2],
      [0.5, -2],
    ]);
    expect(r.promptTokens).toBe(3);
    expect(Array.from(decodeBase64Floats(b64) ?? [])).toEqual([0.5, -2]);
  });

  it('names what is wrong with a bad reply', () => {
    expect(parseEmbeddings({ data: [{ embedding: [1] }] }, 2)).toBe('1 embeddings for 2 inputs');
    expect(parseEmbeddings({ data: [{ embedding: [1] }, { embedding: [1, 2] }] }, 2)).toBe('embeddings of different lengths');
    expect(parseEmbeddings({ data: [{ index: 0, embedding: [1] }, { index: 0, embedding: [2] }] }, 2)).toBe('item 1 has a bad index');
    expect(parseEmbeddings({ data: [{ embedding: ['a'] }] }, 1)).toBe('item 0 has no numeric embedding');
  });
});

describe('against the test server', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(['--model', 'none']);
  });
  afterAll(() => srv?.stop());

  const target = () => ({ baseUrl: srv.url, kind: 'vllm' as const });
  const deps = { fetch, pageOrigin: null };

  it('lists the models with vLLM fields', async () => {
    expect(await listModels(target(), deps)).toEqual([
      { id: 'qwen2-canned-reply', ownedBy: 'vllm', contextLength: 2048, contextSource: 'max_model_len' },
      { id: 'bge-small-zh-fixture', ownedBy: 'vllm', contextLength: 512, contextSource: 'max_model_len' },
    ]);
  });

  it('embeds in batches, in input order (the server lists them reversed), as Float32Array', async () => {
    const texts = ['猫坐在垫子上。', '一只猫正坐在垫子上。', '今天股市大幅下跌。'];
    const batches: number[] = [];
    const r = await embedTexts({ ...target(), model: 'bge-small-zh-fixture' }, texts, deps, { batchSize: 2, onBatch: (done) => batches.push(done) });
    expect(batches).toEqual([2, 3]);
    expect(r.dim).toBe(128);
    expect(r.vectors).toHaveLength(3);
    expect(r.vectors[0]).toBeInstanceOf(Float32Array);
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
    // The fixture's README: cos(ZH related) 0.8491, cos(ZH unrelated) 0.1553 — the order is right only if index is honoured.
    expect(cos(r.vectors[0], r.vectors[1])).toBeCloseTo(0.8491, 3);
    expect(cos(r.vectors[0], r.vectors[2])).toBeCloseTo(0.1553, 3);
    expect(r.promptTokens).toBeGreaterThan(0);
  });

  it('an unknown embedding model is a specific error; 429 is retried with the notice', async () => {
    const err = await embedTexts({ ...target(), model: 'nope' }, ['x'], deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'server-model-unknown' });
    await srv.behaviour({ fail: 1, retryAfter: 0 });
    const notices: RetryNotice[] = [];
    const r = await embedTexts({ ...target(), model: 'bge-small-zh-fixture' }, ['x'], deps, { onRetry: (n) => notices.push(n) });
    expect(r.vectors).toHaveLength(1);
    expect(notices).toEqual([{ kind: 'retry', host: new URL(srv.url).host, status: 429, attempt: 1, maxAttempts: 5, waitMs: 0 }]);
    await srv.reset();
  });
});
