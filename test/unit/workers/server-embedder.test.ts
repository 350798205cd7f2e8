// The server embedder against a real OpenAI-compatible server process (test/servers/openai-server.mjs,
// whose /v1/embeddings runs the lexical fixture embedder through transformers.js): its vectors equal
// the same fixture loaded in this process through workers/embedder.ts, it probes the dimension at
// load, an unknown model fails at load with the server's specific error, and a signal cancels.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embedTexts, loadEmbedder, type Embedder } from '../../../workers/embedder';
import { DIMENSION_PROBE, loadServerEmbedder, normalizeRows } from '../../../workers/server-embedder';
import { isAbort, ModelError } from '../../../src/protocol/errors';
import type { ServerEmbedderSpec } from '../../../src/protocol/messages';
import { eventually, startTestServer, type TestServer } from '../server/test-server';
import { checkFixtures, EMBED, hosts } from '../state/harness';

const SERVED = 'bge-small-zh-fixture';
const TEXTS = ['员工年假有多少天？', 'New employees get fifteen days of paid annual leave.', '出租车发票超过 200 元需要经理审批。', 'password policy', 'overtime pay on public holidays is triple'];

let srv: TestServer;
let local: Embedder;
beforeAll(async () => {
  checkFixtures();
  // No chat model: this file needs only the embeddings route.
  srv = await startTestServer(['--model', 'none']);
  local = await loadEmbedder({ model: { id: EMBED, dtype: 'q8' }, hosts, device: 'wasm', pooling: 'mean', normalize: true, queryPrefix: '', passagePrefix: '' }, () => undefined);
}, 60_000);
afterAll(() => srv?.stop());
beforeEach(async () => {
  await eventually(async () => (await srv.stats()).inFlight === 0);
  await srv.reset();
  polls = 0;
});

/** The server's counters; `requests` counts this file's embedding requests only (each stats call is a request too). */
let polls = 0;
async function stats() {
  const s = await srv.stats();
  return { ...s, requests: s.requests - ++polls };
}

const spec = (model = SERVED): ServerEmbedderSpec => ({ key: `server:s1|${model}`, baseUrl: srv.url, kind: 'vllm', model });
const deps = () => ({ fetch, pageOrigin: null });

describe('normalizeRows', () => {
  it('scales each row to unit length and reports the first row it cannot scale', () => {
    const d = Float32Array.from([3, 4, 0, 2, 0, 0]);
    expect(normalizeRows(d.subarray(0, 4), 2)).toBe(-1);
    expect([...d.subarray(0, 4)]).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 1]);
    expect(normalizeRows(d, 2)).toBe(2); // the all-zero last row
  });
});

describe('server embedder', () => {
  it('loads with a dimension probe and names where texts go; vectors equal the in-process fixture within 1e-6', async () => {
    const e = await loadServerEmbedder(spec(), deps());
    expect(e.info).toMatchObject({ model: `server:s1|${SERVED}`, device: 'server', dtype: 'server', dim: local.info.dim, server: { baseUrl: srv.url, host: new URL(srv.url).host, model: SERVED } });
    expect(e.info.dim).toBeGreaterThan(0);
    // The probe was the one request of the load.
    expect((await stats()).requests).toBe(1);
    expect(DIMENSION_PROBE).toBe('dimension probe');

    const signal = new AbortController().signal;
    const remote = await embedTexts(e, TEXTS, 'passage', signal);
    const here = await embedTexts(local, TEXTS, 'passage', signal);
    expect(remote.length).toBe(TEXTS.length * local.info.dim);
    let maxDiff = 0;
    for (let i = 0; i < here.length; i++) maxDiff = Math.max(maxDiff, Math.abs(remote[i] - here[i]));
    expect(maxDiff).toBeLessThan(1e-6);
    // Unit vectors: cosine is a dot product in the index.
    for (let r = 0; r < TEXTS.length; r++) {
      let sq = 0;
      for (let i = 0; i < e.info.dim; i++) sq += remote[r * e.info.dim + i] ** 2;
      expect(Math.sqrt(sq)).toBeCloseTo(1, 5);
    }
  });

  it('a model the server does not serve fails at load with the server-model-unknown error naming the model', async () => {
    const err = await loadServerEmbedder(spec('no-such-embedder'), deps()).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'server-model-unknown' });
    expect(String((err as Error).message)).toContain('no-such-embedder');
  });

  it('an aborted signal sends nothing; aborting during a retry wait cancels the request before it is sent again', async () => {
    const e = await loadServerEmbedder(spec(), deps());
    const before = (await stats()).requests;
    const gone = new AbortController();
    gone.abort();
    const early = await embedTexts(e, TEXTS, 'passage', gone.signal).catch((x: unknown) => x);
    expect(isAbort(early)).toBe(true);
    expect((await stats()).requests).toBe(before);

    // The server answers 503 with Retry-After: 30 s; the client waits, and Cancel ends the wait at once.
    await srv.behaviour({ fail: 1, failStatus: 503, retryAfter: 30 });
    polls++; // the control request
    const ctrl = new AbortController();
    const started = Date.now();
    const pending = embedTexts(e, TEXTS, 'passage', ctrl.signal).catch((x: unknown) => x);
    expect(await eventually(async () => (await stats()).failed === 1, 5000)).toBe(true);
    ctrl.abort();
    const err = await pending;
    expect(isAbort(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await stats()).requests).toBe(before + 1);
  });

  it('a load cancelled by its signal rejects as an abort', async () => {
    await srv.behaviour({ fail: 1, failStatus: 503, retryAfter: 30 });
    const ctrl = new AbortController();
    const pending = loadServerEmbedder(spec(), deps(), ctrl.signal).catch((x: unknown) => x);
    expect(await eventually(async () => (await stats()).failed === 1, 5000)).toBe(true);
    ctrl.abort();
    expect(isAbort(await pending)).toBe(true);
  });
});
