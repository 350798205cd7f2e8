#!/usr/bin/env node
// An OpenAI-compatible server for tests: its chat replies come from a real llama.cpp (node-llama-cpp,
// CPU, one thread) running the canned-reply GGUF fixture, its embeddings from transformers.js running
// the lexical embedding fixture. Around them it can misbehave on purpose, as real servers do:
// no CORS headers, an API key, 429/503 with Retry-After, a stream cut mid-answer, a slow stream.
//
// Usage: node test/servers/openai-server.mjs [flags]
//   --port N            port on 127.0.0.1 (0 = a free one; default 0)
//   --host H            listen address (default 127.0.0.1)
//   --model PATH        GGUF file (default ../shared/models/lab-fixtures/qwen2-canned-reply.gguf);
//                       `none` serves no chat model (chat answers 503), for tests of the other routes
//   --model-id ID       id served in /models and expected in requests (default qwen2-canned-reply)
//   --embed-model DIR   transformers.js model folder under the shared models dir
//                       (default lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow)
//   --embed-model-id ID id of the embedding model (default bge-small-zh-fixture)
//   --context N         llama.cpp context size, also reported as max_model_len (default 2048)
//   --cors reflect|off  reflect the request's Origin (default), or send no CORS header at all
//   --api-key KEY       require `Authorization: Bearer KEY` on /v1 routes (401 otherwise)
//   --usage MODE        auto (usage chunk only when stream_options.include_usage, as vLLM/OpenAI),
//                       never (no usage at all, as servers without stream_options support),
//                       with-finish (usage inside the finish_reason chunk, as older llama-server),
//                       separate (a `choices: []` usage chunk even when not asked)   (default auto)
//   --delay-ms N        wait N ms before writing each content chunk (a slow stream; default 0)
//   --cut-after N       destroy the socket after N content chunks (a stream cut mid-answer)
//   --error-after N     after N content chunks send vLLM's in-stream error object, then [DONE]
//   --fail N            answer the first N chat/embedding requests with --fail-status (default 0)
//   --fail-status S     429 (default) or 503
//   --retry-after S     Retry-After header value sent with those failures (seconds; default none)
//   --comments          send `: ping` comment lines between events
//   --crlf              end lines with CRLF instead of LF
//   --exit-with-stdin   exit when stdin closes (a test runner that dies cannot leave the server behind)
//
// Every flag above except --port/--host/--model/--embed-model can also be changed while running:
// POST /_test/behaviour {"cors":"off","apiKey":"k","usage":"never","delayMs":50,"cutAfter":3,"errorAfter":2,
// "fail":2,"failStatus":429,"retryAfter":1,"comments":true,"crlf":true} (keys as camelCase; null
// clears). POST /_test/reset restores the flags and zeroes the counters. GET /_test/stats returns
// {requests, chat, completed, closedEarly, cut, failed, unauthorized, inFlight, maxInFlight, modelReady}:
// `closedEarly` counts chat streams whose client closed the connection before the end (Stop).
// GET /_test/last-request returns the last chat request's body and whether it carried Authorization.
// The control routes never need the API key. On start it prints one line to stdout:
//   OPENAI_TEST_SERVER {"url":"http://127.0.0.1:PORT/v1","port":PORT}
// GET /health answers 503 {"status":"loading"} until the GGUF model is loaded, then 200.

import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const sharedModels = path.resolve(here, '../../../shared/models');

const { values: flags } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    model: { type: 'string', default: path.join(sharedModels, 'lab-fixtures/qwen2-canned-reply.gguf') },
    'model-id': { type: 'string', default: 'qwen2-canned-reply' },
    'embed-model': { type: 'string', default: 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow' },
    'embed-model-id': { type: 'string', default: 'bge-small-zh-fixture' },
    context: { type: 'string', default: '2048' },
    cors: { type: 'string', default: 'reflect' },
    'api-key': { type: 'string' },
    usage: { type: 'string', default: 'auto' },
    'delay-ms': { type: 'string', default: '0' },
    'cut-after': { type: 'string' },
    'error-after': { type: 'string' },
    fail: { type: 'string', default: '0' },
    'fail-status': { type: 'string', default: '429' },
    'retry-after': { type: 'string' },
    comments: { type: 'boolean', default: false },
    crlf: { type: 'boolean', default: false },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

const int = (v) => (v === undefined || v === null ? null : Number.parseInt(v, 10));
const fromFlags = () => ({
  modelId: flags['model-id'],
  embedModelId: flags['embed-model-id'],
  cors: flags.cors,
  apiKey: flags['api-key'] ?? null,
  usage: flags.usage,
  delayMs: int(flags['delay-ms']),
  cutAfter: int(flags['cut-after']),
  errorAfter: int(flags['error-after']),
  fail: int(flags.fail),
  failStatus: int(flags['fail-status']),
  retryAfter: flags['retry-after'] ?? null,
  comments: flags.comments,
  crlf: flags.crlf,
});
const contextSize = int(flags.context);
let behaviour = fromFlags();
let failLeft = behaviour.fail;
const zeroStats = () => ({ requests: 0, chat: 0, completed: 0, closedEarly: 0, cut: 0, failed: 0, unauthorized: 0, inFlight: 0, maxInFlight: 0 });
let stats = zeroStats();
let lastRequest = null;

// ---- the model: loaded in the background, used by one generation at a time ----
// One context and one sequence, generations queued: llama.cpp's own server with --parallel 1 does
// the same. (Batched sequences changed this fixture's greedy output, so they are not used.)
let modelReady = false;
const noLlm = flags.model === 'none';
const llm = noLlm ? new Promise(() => undefined) : (async () => {
  const { getLlama, LlamaChat } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: flags.model });
  const context = await model.createContext({ threads: 1, contextSize });
  const sequence = context.getSequence();
  const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
  modelReady = true;
  return { chat, sequence };
})();
llm.catch((e) => {
  console.error(`openai-server: model failed to load: ${e?.stack ?? e}`);
  process.exit(2);
});
let lock = Promise.resolve();
function exclusive(fn) {
  const run = lock.then(fn, fn);
  lock = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

let embedder = null;
function getEmbedder() {
  embedder ??= (async () => {
    const { pipeline, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = `${sharedModels}/`;
    return pipeline('feature-extraction', flags['embed-model'], { dtype: 'q8' });
  })();
  return embedder;
}

// ---- HTTP helpers ----
function corsHeaders(req) {
  if (behaviour.cors === 'off' || !req.headers.origin) return {};
  return {
    'Access-Control-Allow-Origin': req.headers.origin,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'authorization, content-type',
    'Access-Control-Max-Age': '0',
    Vary: 'Origin',
  };
}

function sendJson(req, res, status, body, extra = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', ...corsHeaders(req), ...extra });
  res.end(JSON.stringify(body));
}

/** The error body vLLM sends (`ErrorResponse`): {"error": {message, type, param, code}}. */
function sendError(req, res, status, message, type, extra = {}) {
  sendJson(req, res, status, { error: { message, type, param: null, code: status } }, extra);
}

async function readBody(req) {
  const parts = [];
  for await (const p of req) parts.push(p);
  return Buffer.concat(parts).toString('utf8');
}

function authorized(req, res) {
  if (!behaviour.apiKey) return true;
  if (req.headers.authorization === `Bearer ${behaviour.apiKey}`) return true;
  stats.unauthorized++;
  sendError(req, res, 401, 'Incorrect API key provided.', 'invalid_request_error');
  return false;
}

function failedOnPurpose(req, res) {
  if (failLeft <= 0) return false;
  failLeft--;
  stats.failed++;
  const extra = behaviour.retryAfter !== null ? { 'Retry-After': String(behaviour.retryAfter) } : {};
  const status = behaviour.failStatus;
  sendError(req, res, status, status === 429 ? 'Too many requests: rate limit reached.' : 'The server is overloaded.', status === 429 ? 'RateLimitError' : 'ServiceUnavailableError', extra);
  return true;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function toHistory(messages) {
  const history = [];
  for (const m of messages) {
    const text = typeof m.content === 'string' ? m.content : '';
    if (m.role === 'system') history.push({ type: 'system', text });
    else if (m.role === 'assistant') history.push({ type: 'model', response: [text] });
    else history.push({ type: 'user', text });
  }
  history.push({ type: 'model', response: [] });
  return history;
}

let nextId = 1;

async function chatCompletions(req, res) {
  const raw = await readBody(req);
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    return sendError(req, res, 400, 'The request body is not valid JSON.', 'BadRequestError');
  }
  lastRequest = { body, authorization: req.headers.authorization !== undefined };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return sendError(req, res, 400, "'messages' must be a non-empty array", 'BadRequestError');
  if (body.model !== behaviour.modelId) return sendError(req, res, 404, `The model \`${body.model}\` does not exist.`, 'NotFoundError');
  if (failedOnPurpose(req, res)) return;
  if (noLlm) return sendError(req, res, 503, 'This test server runs without a chat model (--model none).', 'ServiceUnavailableError');
  stats.chat++;
  stats.inFlight++;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  const { chat, sequence } = await llm;

  const id = `chatcmpl-${nextId++}`;
  const created = Math.floor(Date.now() / 1000);
  const abort = new AbortController();
  let finished = false;
  let cutting = false;
  res.on('close', () => {
    stats.inFlight--;
    if (!finished && !cutting) {
      stats.closedEarly++;
      console.log(`openai-server: client closed ${id} early`);
    }
    abort.abort();
  });

  // Generation fills `queue`; the writer drains it at the configured pace.
  const queue = [];
  let wake = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  let gen = { done: false, error: null, stop: 'stop', promptTokens: 0, completionTokens: 0 };
  exclusive(async () => {
    if (abort.signal.aborted) return;
    await sequence.clearHistory();
    const before = sequence.tokenMeter.getState();
    const r = await chat.generateResponse(toHistory(body.messages), {
      onTextChunk: (t) => {
        if (t) {
          queue.push(t);
          notify();
        }
      },
      signal: abort.signal,
      stopOnAbortSignal: true,
      maxTokens: body.max_tokens ?? body.max_completion_tokens ?? undefined,
      temperature: body.temperature ?? 0,
      topP: body.top_p ?? undefined,
      seed: body.seed ?? undefined,
    });
    const used = sequence.tokenMeter.diff(before);
    gen.promptTokens = used.usedInputTokens;
    gen.completionTokens = used.usedOutputTokens;
    gen.stop = r.metadata.stopReason === 'maxTokens' ? 'length' : 'stop';
  })
    .catch((e) => {
      gen.error = e;
    })
    .finally(() => {
      gen.done = true;
      notify();
    });

  const usage = () => ({ prompt_tokens: gen.promptTokens, completion_tokens: gen.completionTokens, total_tokens: gen.promptTokens + gen.completionTokens });
  const base = () => ({ id, object: 'chat.completion.chunk', created, model: behaviour.modelId, system_fingerprint: 'test-llama.cpp' });

  if (!body.stream) {
    while (!gen.done) await new Promise((r) => (wake = r));
    finished = true;
    if (gen.error) return sendError(req, res, 500, String(gen.error?.message ?? gen.error), 'InternalServerError');
    stats.completed++;
    return sendJson(req, res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: behaviour.modelId,
      choices: [{ index: 0, message: { role: 'assistant', content: queue.join('') }, finish_reason: gen.stop }],
      usage: usage(),
    });
  }

  const eol = behaviour.crlf ? '\r\n' : '\n';
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', ...corsHeaders(req) });
  const send = (obj) => {
    if (behaviour.comments) res.write(`: ping${eol}${eol}`);
    res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}${eol}${eol}`);
  };
  send({ ...base(), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
  let sent = 0;
  const streamError = (message) => {
    // vLLM's create_streaming_error_response shape, then [DONE].
    send({ error: { message, type: 'InternalServerError', param: null, code: 500 } });
    send('[DONE]');
    finished = true;
    res.end();
  };
  for (;;) {
    if (behaviour.errorAfter !== null && sent >= behaviour.errorAfter) {
      abort.abort();
      return streamError('CUDA error: an illegal memory access was encountered');
    }
    if (queue.length === 0 && !gen.done) await new Promise((r) => (wake = r));
    if (abort.signal.aborted) return;
    if (queue.length === 0 && gen.done) break;
    const piece = queue.shift();
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (abort.signal.aborted) return;
    send({ ...base(), choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }] });
    sent++;
    if (behaviour.cutAfter !== null && sent >= behaviour.cutAfter) {
      cutting = true;
      stats.cut++;
      console.log(`openai-server: cutting ${id} after ${sent} chunks`);
      // Let the written chunks leave before the connection dies, as a crashing server's would.
      setTimeout(() => res.socket?.destroy(), 20);
      abort.abort();
      return;
    }
  }
  if (gen.error) return streamError(String(gen.error?.message ?? gen.error));
  const wantsUsage = behaviour.usage === 'separate' || behaviour.usage === 'with-finish' || (behaviour.usage === 'auto' && body.stream_options?.include_usage === true);
  const finish = { ...base(), choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: gen.stop }] };
  if (wantsUsage && behaviour.usage === 'with-finish') finish.usage = usage();
  send(finish);
  if (wantsUsage && behaviour.usage !== 'with-finish') send({ ...base(), choices: [], usage: usage() });
  send('[DONE]');
  finished = true;
  stats.completed++;
  res.end();
}

async function embeddings(req, res) {
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return sendError(req, res, 400, 'The request body is not valid JSON.', 'BadRequestError');
  }
  if (body.model !== behaviour.embedModelId) return sendError(req, res, 404, `The model \`${body.model}\` does not exist.`, 'NotFoundError');
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(input) || input.length === 0 || !input.every((s) => typeof s === 'string')) return sendError(req, res, 400, "'input' must be a string or a non-empty array of strings", 'BadRequestError');
  if (failedOnPurpose(req, res)) return;
  const extract = await getEmbedder();
  const out = await extract(input, { pooling: 'mean', normalize: true });
  const rows = out.tolist();
  const base64 = body.encoding_format === 'base64';
  // Listed in reverse index order: the spec does not promise order, so clients must use `index`.
  const data = rows.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? Buffer.from(Float32Array.from(v).buffer).toString('base64') : v })).reverse();
  const tokens = input.reduce((n, s) => n + extract.tokenizer.encode(s).length, 0);
  sendJson(req, res, 200, { object: 'list', data, model: behaviour.embedModelId, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function models(req, res) {
  const created = Math.floor(Date.now() / 1000);
  // vLLM's shape: owned_by "vllm" and max_model_len.
  sendJson(req, res, 200, {
    object: 'list',
    data: [
      { id: behaviour.modelId, object: 'model', created, owned_by: 'vllm', root: behaviour.modelId, parent: null, max_model_len: contextSize, permission: [] },
      { id: behaviour.embedModelId, object: 'model', created, owned_by: 'vllm', root: behaviour.embedModelId, parent: null, max_model_len: 512, permission: [] },
    ],
  });
}

async function control(req, res, route) {
  if (route === '/_test/stats') return sendJson(req, res, 200, { ...stats, modelReady });
  if (route === '/_test/last-request') return sendJson(req, res, 200, lastRequest);
  if (route === '/_test/reset') {
    behaviour = fromFlags();
    failLeft = behaviour.fail;
    stats = { ...zeroStats(), inFlight: stats.inFlight };
    lastRequest = null;
    return sendJson(req, res, 200, behaviour);
  }
  if (route === '/_test/behaviour' && req.method === 'POST') {
    const patch = JSON.parse((await readBody(req)) || '{}');
    for (const [k, v] of Object.entries(patch)) {
      if (!(k in behaviour)) return sendJson(req, res, 400, { error: `unknown behaviour ${k}` });
      behaviour[k] = v;
    }
    if ('fail' in patch) failLeft = behaviour.fail ?? 0;
    return sendJson(req, res, 200, behaviour);
  }
  sendJson(req, res, 404, { error: 'unknown control route' });
}

const server = http.createServer(async (req, res) => {
  stats.requests++;
  const route = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/';
  try {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, corsHeaders(req));
      return res.end();
    }
    if (route.startsWith('/_test/')) return await control(req, res, route);
    if (route === '/health') return sendJson(req, res, modelReady ? 200 : 503, { status: modelReady ? 'ok' : 'loading' });
    if (!route.startsWith('/v1/')) return sendError(req, res, 404, `Not found: ${route}`, 'NotFoundError');
    if (!authorized(req, res)) return;
    if (route === '/v1/models' && req.method === 'GET') return models(req, res);
    if (route === '/v1/chat/completions' && req.method === 'POST') return await chatCompletions(req, res);
    if (route === '/v1/embeddings' && req.method === 'POST') return await embeddings(req, res);
    sendError(req, res, 404, `Not found: ${req.method} ${route}`, 'NotFoundError');
  } catch (e) {
    console.error(`openai-server: ${e?.stack ?? e}`);
    if (!res.headersSent) sendError(req, res, 500, String(e?.message ?? e), 'InternalServerError');
    else res.destroy();
  }
});

server.listen(int(flags.port), flags.host, () => {
  const { port } = server.address();
  console.log(`OPENAI_TEST_SERVER ${JSON.stringify({ url: `http://${flags.host}:${port}/v1`, port })}`);
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
if (flags['exit-with-stdin']) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
