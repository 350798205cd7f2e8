// Builds and serves the app from inside a test, for the PWA specs that must stop the server mid-test
// (offline), rebuild it (update prompt) or serve another base (sub-path). vite is started directly
// (not through npx) and stopped by its PID, so no orphan keeps the port.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const VITE = resolve('node_modules/vite/bin/vite.js');
export const MODELS_DIR = resolve(process.env.MODELS_DIR ?? '../shared/models');
/** Ports for the specs' own servers: away from E2E_PORT so parallel runs with their own E2E_PORT don't collide. */
export const OWN_PORT = Number(process.env.E2E_PORT ?? 4179) + 100;

function run(args: string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [VITE, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) ok(out);
      else fail(new Error(`vite ${args[0]} exited with ${code}:\n${out.slice(-3000)}`));
    });
  });
}

/** `vite build` into `outDir` with `base`; extra env (e.g. VITE_BUILD_ID) is passed to the build. */
export function buildApp(outDir: string, base = '/', env: Record<string, string> = {}): Promise<string> {
  return run(['build', '--logLevel', 'warn'], { OUT_DIR: outDir, BASE: base, ...env }, 240_000);
}

export interface Preview {
  url: string;
  stop(): Promise<void>;
}

/** Starts `vite preview` for `outDir` on 127.0.0.1:`port`, with the fixture models at `<base>models/`. */
export async function startPreview(opts: { outDir: string; port: number; base?: string; env?: Record<string, string> }): Promise<Preview> {
  const base = opts.base ?? '/';
  const url = `http://127.0.0.1:${opts.port}${base}`;
  const child: ChildProcess = spawn(process.execPath, [VITE, 'preview', '--port', String(opts.port), '--strictPort', '--host', '127.0.0.1'], {
    env: { ...process.env, OUT_DIR: opts.outDir, BASE: base, MODELS_DIR, MODEL_ALIASES: 'onnx-community/Qwen2.5-0.5B-Instruct=lab-fixtures/qwen2-tokenizer-echo', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview on port ${opts.port} exited:\n${log}`);
    try {
      const res = await fetch(url);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`vite preview did not answer at ${url} within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop };
}
