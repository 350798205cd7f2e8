// isolation.wasm_threads_speedup: what cross-origin isolation (COOP/COEP, from the host or from the
// service worker built with VITE_SW_ISOLATION=1) buys. The app's embedder code (workers/embedder.ts,
// transformers.js on ONNX Runtime WASM, served from our origin by workers/runtime.ts) embeds 64
// chunks of 200 tokens with a random-weight multilingual-e5-small q8 (118 MB) in two dedicated
// workers that differ only in ORT's thread count: 1 (all a non-isolated page can have) and one per
// core. ORT fixes its thread pool when it first starts, hence one worker (lib/threads.worker.ts) per
// setting. Runs alternate so drift on the machine hits both.
import type { FromWorker, ToWorker } from './lib/threads.worker';
import { expose, fetchFixture, loadNote, log, median, nodeCall, runs, settle, sig, type BenchResult } from './lib/bench-kit';

const MODEL = 'synth/e5-small';
const DTYPE = 'q8';

class EmbedWorker {
  readonly worker = new Worker(new URL('./lib/threads.worker.ts', import.meta.url), { type: 'module', name: 'isolation-bench' });
  call<T extends FromWorker['type']>(msg: ToWorker, want: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((ok, fail) => {
      this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
        if (e.data.type === 'error') fail(new Error(e.data.message));
        else if (e.data.type === want) ok(e.data as Extract<FromWorker, { type: T }>);
      };
      this.worker.onerror = (e) => fail(new Error(`bench worker failed: ${e.message}`));
      this.worker.postMessage(msg);
    });
  }
}

async function run(): Promise<BenchResult[]> {
  const RUNS = runs(3);
  if (!crossOriginIsolated) throw new Error('the page must be cross-origin isolated to compare thread counts');
  const cores = navigator.hardwareConcurrency || 1;
  const many = Math.max(2, cores);
  const { bytes } = await nodeCall<{ bytes: number }>('ensureModel', { id: MODEL });
  const texts = JSON.parse(new TextDecoder().decode(await fetchFixture('embed-64x200tok.json'))) as string[];
  const loadBefore = await loadNote();

  const one = new EmbedWorker();
  const multi = new EmbedWorker();
  const l1 = await one.call({ type: 'load', threads: 1, origin: location.origin, model: MODEL, dtype: DTYPE }, 'loaded');
  const lN = await multi.call({ type: 'load', threads: many, origin: location.origin, model: MODEL, dtype: DTYPE }, 'loaded');
  log(`loaded: 1 thread in ${(l1.loadMs / 1000).toFixed(1)} s, ${lN.threads} threads in ${(lN.loadMs / 1000).toFixed(1)} s (worker isolated: ${lN.isolated}; ORT pthreads started: ${l1.pthreads} vs ${lN.pthreads})`);
  if (lN.pthreads < lN.threads - 1) throw new Error(`ORT started ${lN.pthreads} pthreads for numThreads = ${lN.threads}`);
  if (!lN.isolated) throw new Error('the bench worker is not cross-origin isolated: threads would be refused');

  const EMBED_BATCH = l1.batch;
  // Warm-up (untimed): one batch each.
  await one.call({ type: 'embed', texts: texts.slice(0, EMBED_BATCH) }, 'embedded');
  await multi.call({ type: 'embed', texts: texts.slice(0, EMBED_BATCH) }, 'embedded');
  const t1: number[] = [];
  const tN: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await settle();
    const a = await one.call({ type: 'embed', texts }, 'embedded');
    await settle();
    const b = await multi.call({ type: 'embed', texts }, 'embedded');
    if (a.floats !== texts.length * l1.dim || b.floats !== texts.length * lN.dim) throw new Error(`wrong output size: ${a.floats}, ${b.floats}`);
    t1.push(a.ms);
    tN.push(b.ms);
    log(`isolation run ${i + 1}/${RUNS}: 1 thread ${a.ms.toFixed(0)} ms, ${lN.threads} threads ${b.ms.toFixed(0)} ms`);
  }
  one.worker.terminate();
  multi.worker.terminate();
  await nodeCall('release').catch(() => undefined);
  const loadAfter = await loadNote();
  const rate = (ms: number) => (texts.length * 1000) / ms;
  const ratios = t1.map((a, i) => a / tN[i]);
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const ortDefault = Math.min(4, Math.ceil(cores / 2));
  const common =
    `${texts.length} chunks of 200 tokens, batches of ${EMBED_BATCH}, random-weight multilingual-e5-small ${DTYPE} (${MODEL}, ${(bytes / 1e6).toFixed(0)} MB) through workers/embedder.ts on ONNX Runtime WASM in a dedicated worker; ` +
    `${RUNS} runs after a warm-up batch, alternating; ${cores} logical cores; ${loadBefore} before, ${loadAfter} after`;
  return [
    {
      id: 'isolation.wasm_threads_speedup',
      value: sig(median(ratios)),
      unit: '×',
      better: 'higher',
      note:
        `${common}. Time with 1 thread (what a page without COOP/COEP gets) ÷ time with ${lN.threads} threads (cross-origin isolated), median of per-run ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}. ` +
        `1 thread: ${fmt(t1)} ms (${sig(rate(median(t1)))} chunks/s); ${lN.threads} threads: ${fmt(tN)} ms (${sig(rate(median(tN)))} chunks/s). ` +
        `ORT's own default when isolated is min(4, ceil(cores/2)) = ${ortDefault} thread(s) here. ORT pthreads started besides the worker's own thread: ${l1.pthreads} vs ${lN.pthreads}.`,
    },
    {
      id: 'isolation.embed_chunks_per_s.threads_1',
      value: sig(rate(median(t1))),
      unit: 'chunks/s',
      better: 'higher',
      note: `${common}. numThreads = 1: ${fmt(t1)} ms.`,
    },
    {
      id: 'isolation.embed_chunks_per_s.threads_all',
      value: sig(rate(median(tN))),
      unit: 'chunks/s',
      better: 'higher',
      note: `${common}. numThreads = ${lN.threads} (one per core, at least 2): ${fmt(tN)} ms.`,
    },
  ];
}

expose(run);
