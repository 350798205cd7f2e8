// Starts test/servers/openai-server.mjs as a child process on a free 127.0.0.1 port and drives its
// control routes (behaviour, stats, last request). Real HTTP: nothing here fakes fetch.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../servers/openai-server.mjs');

export interface ServerStats {
  requests: number;
  chat: number;
  completed: number;
  closedEarly: number;
  cut: number;
  failed: number;
  unauthorized: number;
  inFlight: number;
  maxInFlight: number;
  modelReady: boolean;
}

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  origin: string;
  /** Everything the server printed (its log lines, e.g. "client closed … early"). */
  log: () => string;
  behaviour(patch: Record<string, unknown>): Promise<void>;
  reset(): Promise<void>;
  stats(): Promise<ServerStats>;
  lastRequest(): Promise<{ body: Record<string, unknown>; authorization: boolean } | null>;
  /** Resolves once the GGUF model is loaded (GET /health answers 200). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestServer(args: string[] = []): Promise<TestServer> {
  // stdin stays open while this process lives: if the test runner dies, the server exits with it.
  const child: ChildProcess = spawn(process.execPath, [script, '--port', '0', '--exit-with-stdin', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`test server did not start:\n${out}`)), 15_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /OPENAI_TEST_SERVER (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        const parsed: unknown = JSON.parse(m[1]);
        if (typeof parsed === 'object' && parsed !== null && 'url' in parsed && typeof parsed.url === 'string') resolve(parsed.url);
        else reject(new Error(`bad ready line: ${m[1]}`));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => reject(new Error(`test server exited (${code}):\n${out}`)));
  });
  const origin = new URL(url).origin;
  const control = async (route: string, body?: unknown) => {
    const res = await fetch(`${origin}/_test/${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`control ${route}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url,
    origin,
    log: () => out,
    behaviour: async (patch) => void (await control('behaviour', patch)),
    reset: async () => void (await control('reset', {})),
    stats: () => control('stats'),
    lastRequest: () => control('last-request'),
    async ready(timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const res = await fetch(`${origin}/health`);
        if (res.ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`model not loaded within ${timeoutMs} ms:\n${out}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Polls `check` until it returns true (server-side effects land a moment after the client acts). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}
