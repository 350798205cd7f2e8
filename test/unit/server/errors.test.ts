// Failures between the page and a server, turned into codes, values and advice: CORS versus a server
// that is down (the probe), mixed content, HTTP statuses in the servers' error shapes, Retry-After.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseFetchFailure, httpStatusProblem, isLoopbackHost, mixedContentProblem, probeReachable, serverError, serverMessage, streamCutProblem } from '../../../src/server/errors';
import { backoffMs, DEFAULT_RETRY, parseRetryAfter, serverRequest } from '../../../src/server/http';
import { listModels } from '../../../src/server/models';
import { corsFix, guessKindFromModels, guessKindFromUrl } from '../../../src/server/server-kind';

const PAGE = 'https://lab.example.org';

describe('mixed content', () => {
  it('an https page calling plain http on another machine is refused before any request', () => {
    const p = mixedContentProblem('http://192.168.1.20:8000/v1/models', PAGE);
    expect(p?.code).toBe('server-mixed-content');
    expect(p?.detail).toMatchObject({ host: '192.168.1.20:8000', pageOrigin: PAGE });
    expect(p?.message).toContain('ssh -L 8000:localhost:8000');
  });

  it('localhost, 127.x, [::1] and *.localhost are exempt, as are https servers and http pages', () => {
    for (const u of ['http://localhost:11434/v1', 'http://127.0.0.1:8080/v1', 'http://[::1]:8000/v1', 'http://gpu.localhost/v1']) expect(mixedContentProblem(u, PAGE)).toBeNull();
    expect(mixedContentProblem('https://gpu.example.org/v1', PAGE)).toBeNull();
    expect(mixedContentProblem('http://192.168.1.20:8000/v1', 'http://localhost:5173')).toBeNull();
    expect(mixedContentProblem('http://192.168.1.20:8000/v1', null)).toBeNull();
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
  });
});

describe('CORS or down: the no-cors probe', () => {
  let server: http.Server;
  let up: string;
  let down: string;
  beforeAll(async () => {
    // A server with no CORS headers at all, answering 401 like one that wants a key.
    server = http.createServer((_req, res) => {
      res.writeHead(401);
      res.end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    up = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
    // A port that was free a moment ago: nothing listens there.
    const tmp = http.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    down = `http://127.0.0.1:${(tmp.address() as AddressInfo).port}/v1/models`;
    await new Promise<void>((r) => tmp.close(() => r()));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a server that answers (even 401, even without CORS headers) is reachable; a closed port is not', async () => {
    expect(await probeReachable(up, fetch)).toBe('reachable');
    expect(await probeReachable(down, fetch)).toBe('unreachable');
  });

  it('a silent host is unreachable after the timeout', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    const t = Date.now();
    expect(await probeReachable(url, fetch, 200)).toBe('unreachable');
    expect(Date.now() - t).toBeLessThan(2000);
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('reachable from a page → CORS, with the fix for the server kind and this origin', () => {
    const p = diagnoseFetchFailure({ url: 'http://localhost:11434/v1/models', pageOrigin: 'http://localhost:5173', kind: 'ollama', probe: 'reachable' });
    expect(p.code).toBe('server-cors-blocked');
    expect(p.detail).toMatchObject({ host: 'localhost:11434', origin: 'http://localhost:5173', server: 'Ollama', fix: 'OLLAMA_ORIGINS=http://localhost:5173 ollama serve' });
    expect(p.message).toContain('OLLAMA_ORIGINS=http://localhost:5173');
  });

  it('unreachable → connection refused / down, never CORS; outside a browser never CORS either', () => {
    expect(diagnoseFetchFailure({ url: down, pageOrigin: 'http://localhost:5173', kind: 'vllm', probe: 'unreachable' }).code).toBe('server-unreachable');
    const node = diagnoseFetchFailure({ url: down, pageOrigin: null, kind: 'vllm', probe: 'reachable', cause: 'fetch failed: connect ECONNREFUSED' });
    expect(node.code).toBe('server-unreachable');
    expect(node.detail.cause).toBe('fetch failed: connect ECONNREFUSED');
  });

  it('mixed content wins over the probe (the browser never sent the request)', () => {
    expect(diagnoseFetchFailure({ url: 'http://10.0.0.5:8000/v1/models', pageOrigin: PAGE, kind: 'vllm', probe: 'unreachable' }).code).toBe('server-mixed-content');
  });
});

describe('per-server CORS advice', () => {
  const o = 'https://lab.example.org';
  it('names the flag each server documents', () => {
    expect(corsFix('ollama', o)).toBe(`OLLAMA_ORIGINS=${o} ollama serve`);
    expect(corsFix('vllm', o)).toContain(`--allowed-origins '["${o}"]'`);
    expect(corsFix('llama-server', o)).toContain(`--cors-origins ${o}`);
    expect(corsFix('lm-studio', o)).toContain('Enable CORS');
    expect(corsFix('tei', o)).toContain(`--cors-allow-origin ${o}`);
    const any = corsFix('other', o);
    for (const s of ['OLLAMA_ORIGINS', '--allowed-origins', '--cors-origins', 'Enable CORS']) expect(any).toContain(s);
  });

  it('guesses the server from default ports and from /models owners', () => {
    expect(guessKindFromUrl('http://localhost:11434/v1')).toBe('ollama');
    expect(guessKindFromUrl('http://gpu:8000/v1')).toBe('vllm');
    expect(guessKindFromUrl('http://gpu:8080/v1')).toBe('llama-server');
    expect(guessKindFromUrl('http://localhost:1234/v1')).toBe('lm-studio');
    expect(guessKindFromUrl('https://gw.example/v1')).toBe('other');
    expect(guessKindFromModels([{ id: 'Qwen/Qwen2.5-7B-Instruct', ownedBy: 'vllm' }])).toBe('vllm');
    expect(guessKindFromModels([{ id: 'model.gguf', ownedBy: 'llamacpp' }])).toBe('llama-server');
    expect(guessKindFromModels([{ id: 'llama3.2:latest', ownedBy: 'library' }])).toBe('ollama');
    expect(guessKindFromModels([{ id: 'qwen2.5-7b-instruct', ownedBy: 'organization_owner' }])).toBe('lm-studio');
    expect(guessKindFromModels([{ id: 'gpt-4o', ownedBy: 'openai' }])).toBeNull();
  });
});

describe('HTTP statuses', () => {
  const url = 'http://localhost:8000/v1/chat/completions';

  it('401/403: a missing key and a wrong key say different things', () => {
    const missing = httpStatusProblem(401, '{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}', { url, keySent: false });
    expect(missing.code).toBe('server-auth-failed');
    expect(missing.message).toContain('needs an API key');
    expect(missing.detail).toMatchObject({ status: 401, keySent: 0, serverMessage: 'Incorrect API key provided.' });
    const wrong = httpStatusProblem(403, '', { url, keySent: true });
    expect(wrong.message).toContain('rejected the API key');
    expect(wrong.detail.keySent).toBe(1);
  });

  it('404 naming a model (vLLM, Ollama wording) is an unknown model; another 404 is a wrong base URL', () => {
    expect(httpStatusProblem(404, '{"error":{"message":"The model `llama-70b` does not exist.","type":"NotFoundError","param":null,"code":404}}', { url, keySent: false, model: 'llama-70b' }).code).toBe('server-model-unknown');
    expect(httpStatusProblem(404, '{"error":{"message":"model \\"qwen3\\" not found, try pulling it first","type":"api_error","param":null,"code":null}}', { url, keySent: false, model: 'qwen3' }).code).toBe('server-model-unknown');
    const p = httpStatusProblem(404, '404 page not found', { url: 'http://localhost:11434/models', keySent: false });
    expect(p.code).toBe('server-endpoint-missing');
    expect(p.message).toContain('/v1');
  });

  it('429/503 after retrying: attempts and the asked wait are in the detail', () => {
    const p = httpStatusProblem(429, '{"error":{"message":"Too many requests","type":"RateLimitError","code":429}}', { url, keySent: false, attempts: 5, retryAfterS: 2 });
    expect(p.code).toBe('server-busy');
    expect(p.detail).toMatchObject({ attempts: 5, retryAfter: 2, status: 429 });
    expect(p.message).toContain('after 5 attempts');
  });

  it('other statuses keep the server\'s own message', () => {
    const p = httpStatusProblem(500, '{"detail":"CUDA out of memory"}', { url, keySent: false });
    expect(p).toMatchObject({ code: 'server-error', detail: { status: 500, serverMessage: 'CUDA out of memory' } });
  });

  it('serverMessage reads every error shape and cuts long bodies', () => {
    expect(serverMessage('{"error":"model not found"}')).toBe('model not found');
    expect(serverMessage('{"object":"error","message":"bad","type":"x","code":400}')).toBe('bad');
    expect(serverMessage('  plain text  ')).toBe('plain text');
    expect(serverMessage('x'.repeat(400))).toHaveLength(301);
  });
});

describe('Retry-After and backoff', () => {
  it('delta-seconds and HTTP dates (RFC 9110 §10.2.3); junk is ignored', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('exponential: base·2^(n−1) capped, jittered within its upper half', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, DEFAULT_RETRY, () => 1))).toEqual([1000, 2000, 4000, 8000, 16000, 16000]);
    expect([1, 2, 3].map((n) => backoffMs(n, DEFAULT_RETRY, () => 0))).toEqual([500, 1000, 2000]);
  });
});

describe('wire form', () => {
  it('a problem becomes a ModelError whose code, message and detail cross the worker boundary', () => {
    const w = serverError(streamCutProblem('http://localhost:8080/v1/chat/completions', 'connection-lost', 42)).toWire();
    expect(w).toMatchObject({ name: 'ModelError', code: 'server-stream-cut', detail: { host: 'localhost:8080', reason: 'connection-lost', chars: 42 } });
    expect(w.message).toContain('after 42 characters');
  });
});

describe('serverRequest against odd servers (real HTTP)', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/silent/v1/models') return; // never answers
      if (req.url === '/html/v1/models') {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        return res.end('<!doctype html><title>Open WebUI</title>');
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"object":"list"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('no headers within the deadline → server-timeout (connect)', async () => {
    const err = await serverRequest({ baseUrl: `${base}/silent/v1`, kind: 'other' }, '/models', { method: 'GET', timeoutMs: 150 }, { fetch, pageOrigin: null }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'server-timeout', detail: { during: 'connect' } });
  });

  it('a 200 that is not the OpenAI API (an HTML page, a reply without data) → server-bad-reply', async () => {
    const html = await listModels({ baseUrl: `${base}/html/v1`, kind: 'other' }, { fetch, pageOrigin: null }).catch((e: unknown) => e);
    expect(html).toMatchObject({ code: 'server-bad-reply' });
    expect(String((html as Error).message)).toContain('not JSON');
    const empty = await listModels({ baseUrl: `${base}/v1`, kind: 'other' }, { fetch, pageOrigin: null }).catch((e: unknown) => e);
    expect(empty).toMatchObject({ code: 'server-bad-reply', detail: { reason: 'no "data" list of models' } });
  });
});
