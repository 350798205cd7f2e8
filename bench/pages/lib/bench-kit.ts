// Shared helpers for browser benchmark pages. A page calls expose(run); the orchestrator
// (bench/run.mjs) waits for window.runBench and awaits it. Lines logged with log() are echoed
// to the terminal.

export interface BenchResult {
  id: string;
  value: number;
  unit: string;
  better: 'lower' | 'higher';
  note?: string;
}

declare global {
  interface Window {
    runBench?: () => Promise<BenchResult[]>;
  }
}

export function expose(run: () => Promise<BenchResult[]>): void {
  window.runBench = run;
}

export function log(msg: string): void {
  console.log(`[bench] ${msg}`);
}

/** Timed runs per figure: `npm run bench -- --runs N` (passed as ?runs=N), else `fallback`. */
export function runs(fallback = 3): number {
  const n = Number(new URLSearchParams(location.search).get('runs'));
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function median(xs: number[]): number {
  if (!xs.length) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Rounds to `digits` significant digits, for readable figures. */
export function sig(x: number, digits = 3): number {
  return Number(x.toPrecision(digits));
}

/** A generated input from bench/lib/fixtures.mjs (made and cached by the server on first request). */
export async function fetchFixture(name: string): Promise<ArrayBuffer> {
  const res = await fetch(`/__bench/fixtures/${name}`);
  if (!res.ok) throw new Error(`fixture ${name}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

/** Milliseconds `fn` takes (performance.now()). */
export async function time(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Lets the event loop and GC settle between timed runs. */
export function settle(ms = 200): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Calls a function of bench/lib/native.mjs in the orchestrator's Node process (through the bench
 * server) and resolves to its result: native baselines, generated models.
 */
export async function nodeCall<T>(name: string, args: unknown = {}): Promise<T> {
  const res = await fetch(`/__bench/node/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args) });
  const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as { result?: T; error?: string };
  if (!res.ok || body.error !== undefined) throw new Error(`Node call ${name} failed: ${body.error ?? `HTTP ${res.status}`}`);
  return body.result as T;
}

/** The p-th percentile (0–100) by linear interpolation between closest ranks. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) throw new Error('percentile of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const at = (p / 100) * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

/** "load average X" of the machine now (1 minute), for notes: timings here swing with other work. */
export async function loadNote(): Promise<string> {
  const m = await nodeCall<{ load1: number; cpus: number }>('machine');
  return `load average ${m.load1.toFixed(1)} on ${m.cpus} cores`;
}
