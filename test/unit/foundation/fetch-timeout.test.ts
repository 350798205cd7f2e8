import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTimeoutFetch } from '../../../src/models/fetch-timeout';
import { ModelError } from '../../../src/protocol/errors';

const SLOW_CHUNKS = 12; // one every 50 ms: ~600 ms in all, twice the 300 ms limits
const slowBody = Array.from({ length: SLOW_CHUNKS }, (_, i) => `chunk-${i};`).join('');

let server: http.Server;
let base = '';
const timers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    switch (req.url) {
      case '/never':
        return; // no headers, ever
      case '/stall':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000' });
        res.write('partial-');
        return; // then nothing more
      case '/slow': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        let i = 0;
        const t = setInterval(() => {
          if (res.destroyed) return clearInterval(t);
          res.write(`chunk-${i};`);
          if (++i === SLOW_CHUNKS) {
            clearInterval(t);
            res.end();
          }
        }, 50);
        timers.add(t);
        return;
      }
      case '/ok':
        res.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'yes' });
        res.end('hello model');
        return;
      case '/missing':
        res.writeHead(404);
        res.end('not here');
        return;
      default:
        res.writeHead(500);
        res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const tfetch = () => makeTimeoutFetch(fetch, { connectMs: 300, stallMs: 300 });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('makeTimeoutFetch', () => {
  it('a host that never answers is reported after connectMs', async () => {
    const t0 = performance.now();
    const e = await rejection(tfetch()(`${base}/never`));
    const ms = performance.now() - t0;
    expect(e).toBeInstanceOf(ModelError);
    const me = e as ModelError;
    expect(me.code).toBe('model-download-timeout');
    expect(me.detail.host).toBe(new URL(base).host);
    expect(me.detail.url).toBe(`${base}/never`);
    expect(me.message).toMatch(/did not answer/);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(1200);
  });

  it('a body that stops arriving is cut with the stall error', async () => {
    const res = await tfetch()(new URL(`${base}/stall`));
    expect(res.status).toBe(200);
    const t0 = performance.now();
    const e = await rejection(res.arrayBuffer());
    const ms = performance.now() - t0;
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toBe('model-download-timeout');
    expect((e as ModelError).message).toMatch(/stalled/);
    expect((e as ModelError).detail.host).toBe(new URL(base).host);
    expect(ms).toBeLessThan(1200);
  });

  it('the stall error also reaches a reader that reads chunk by chunk', async () => {
    const res = await tfetch()(`${base}/stall`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('partial-');
    const e = await rejection(reader.read());
    expect((e as ModelError).code).toBe('model-download-timeout');
  });

  it('a slow but steady body completes, though it takes longer than both limits', async () => {
    const t0 = performance.now();
    const res = await tfetch()(`${base}/slow`);
    const text = await res.text();
    const ms = performance.now() - t0;
    expect(text).toBe(slowBody);
    expect(ms).toBeGreaterThan(450); // a whole-request timeout of 300 ms would have killed it
  });

  it('a normal response keeps status, headers and body', async () => {
    const res = await tfetch()(`${base}/ok`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-test')).toBe('yes');
    expect(await res.text()).toBe('hello model');
    const nf = await tfetch()(`${base}/missing`);
    expect(nf.status).toBe(404);
    expect(nf.ok).toBe(false);
    expect(await nf.text()).toBe('not here');
  });

  it('an outer AbortSignal aborts while waiting for headers', async () => {
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 50);
    const e = await rejection(tfetch()(`${base}/never`, { signal: ctrl.signal }));
    expect(e).not.toBeInstanceOf(ModelError); // the abort, not the connect timer (300 ms)
    expect((e as Error).name).toBe('AbortError');
  });

  it('an outer AbortSignal aborts a body being read', async () => {
    const ctrl = new AbortController();
    const res = await tfetch()(`${base}/slow`, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 120);
    const e = await rejection(res.text());
    expect(e).not.toBeInstanceOf(ModelError);
    expect((e as Error).name).toBe('AbortError');
  });

  // A pending read() on a cancelled reader resolves {done: true}: after a stall that must surface as
  // the stall error, not as a short body. Node's and browsers' fetch error the body on abort first,
  // which hides the case; a base fetch whose body ignores the signal shows it.
  it('a stall is an error even when the base fetch does not tie its body to the signal', async () => {
    const base = (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode('partial-'));
          },
        }),
      )) as unknown as typeof fetch;
    const res = await makeTimeoutFetch(base, { connectMs: 300, stallMs: 300 })('http://mirror.example/m/onnx/model.onnx');
    const e = await rejection(res.text());
    expect((e as ModelError).code).toBe('model-download-timeout');
  });

  it('an already aborted signal rejects at once', async () => {
    const e = await rejection(tfetch()(`${base}/ok`, { signal: AbortSignal.abort() }));
    expect((e as Error).name).toBe('AbortError');
  });
});
