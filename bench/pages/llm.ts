// llm.*: decode speed and time to first token of a realistic-size LLM (a random-weight
// Qwen2.5-0.5B-Instruct, q8, 0.9 GB, made by synth-model.mjs) on ONNX Runtime WASM, three ways in
// one run. Each run is app and direct back to back (who goes first alternates), then native, so the
// two browser paths meet the same machine state and follow native equally often:
//   app     LlmClient.generate → LLM worker → transformers.js engine (workers/engines/transformers-engine.ts);
//           the engine's own usage.decodeTps, and the time until the page saw the first text;
//   direct  transformers.js called directly, the way its docs show (bench/lib/tjs-direct.mjs), in a
//           plain dedicated worker of this page (lib/tjs-direct.worker.ts): same model, dtype, device,
//           ORT files and greedy settings, and the same placement off the main thread as the app;
//   native  the same tjs-direct.mjs code in the orchestrator's Node process on onnxruntime-node.
// The prompt is a chat of about 40 tokens; 64 new tokens, greedy. The app has no min_new_tokens:
// random weights rarely pick EOS, and outputTokens is checked and reported.
import { LlmClient } from '../../src/clients/llm-client';
import { resolveHosts } from '../../src/models/hosts';
import type { ChatMessage, GenResult, LoadedModel } from '../../src/protocol/messages';
import type { Timed } from '../lib/tjs-direct.mjs';
import type { DirectFromWorker, DirectToWorker } from './lib/tjs-direct.worker';
import { appOrtThreads } from './lib/ort-threads';
import { expose, loadNote, log, median, nodeCall, runs, settle, sig, type BenchResult } from './lib/bench-kit';

const DEFAULT_MODEL = 'synth/qwen2.5-0.5b';
const FALLBACK_MODEL = 'synth/qwen2-tiny';
const DTYPE = 'q8'; // what the app picks on WASM (defaultLlmDtype); q4 is ~11× slower there (RECIPE)
const NEW_TOKENS = 64;
const PROMPT_TOKENS = 40;
const WARM_TOKENS = 16;
/** The LLM worker holds models by key; the bench loads one. */
const KEY = 'bench';
const TARGET_RATIO = 0.97; // the app may lose less than 3% against calling transformers.js directly
const PROMPT_WORDS = (
  'Summarize what the employee handbook says about annual leave for new staff in their first year, who approves ' +
  'the requests, how unused days carry over, and what happens to leave that was booked in the shared calendar'
).split(' ');

type Native = Timed & { loadMs: number; runtime: string };
type AppRun = { res: GenResult; firstTextMs: number; totalMs: number };

/** transformers.js directly in a plain dedicated worker (lib/tjs-direct.worker.ts). */
class DirectWorker {
  readonly worker = new Worker(new URL('./lib/tjs-direct.worker.ts', import.meta.url), { type: 'module', name: 'tjs-direct' });
  call<T extends DirectFromWorker['type']>(msg: DirectToWorker, want: T): Promise<Extract<DirectFromWorker, { type: T }>> {
    return new Promise((ok, fail) => {
      this.worker.onmessage = (e: MessageEvent<DirectFromWorker>) => {
        if (e.data.type === 'error') fail(new Error(`direct worker: ${e.data.message}`));
        else if (e.data.type === want) ok(e.data as Extract<DirectFromWorker, { type: T }>);
      };
      this.worker.onerror = (e) => fail(new Error(`direct worker failed: ${e.message}`));
      this.worker.postMessage(msg);
    });
  }
}

expose(async (): Promise<BenchResult[]> => {
  const RUNS = runs(5);
  const { llmModel } = await nodeCall<{ llmModel: string | null }>('config');
  const hosts = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, new URL('/', location.href).href);
  const client = new LlmClient();
  const loadBefore = await loadNote();

  // The app path first; if the 0.5B model cannot be loaded here, fall back to the tiny one.
  let model = llmModel ?? DEFAULT_MODEL;
  let fellBack = '';
  let bytes = 0;
  let loaded: LoadedModel;
  let appLoadMs = 0;
  for (;;) {
    ({ bytes } = await nodeCall<{ bytes: number }>('ensureModel', { id: model }));
    const t = performance.now();
    try {
      loaded = await client.load(KEY, { engine: 'transformers.js', model: { id: model, dtype: DTYPE }, device: 'wasm' }, hosts);
      appLoadMs = performance.now() - t;
      break;
    } catch (e) {
      if (model === FALLBACK_MODEL) throw e;
      fellBack = `FALLBACK: ${model} could not be loaded (${e instanceof Error ? e.message : String(e)}), so ${FALLBACK_MODEL} was measured instead. `;
      log(fellBack);
      model = FALLBACK_MODEL;
    }
  }
  log(`app: ${model} loaded in the LLM worker in ${(appLoadMs / 1000).toFixed(1)} s (${loaded.engine}, ${loaded.device}, ${loaded.dtype})`);
  if (loaded.device !== 'wasm' || loaded.dtype !== DTYPE) throw new Error(`expected wasm/${DTYPE}, got ${loaded.device}/${loaded.dtype}`);

  const direct = new DirectWorker();
  const { loadMs: directLoadMs, threads: directThreads } = await direct.call({ type: 'load', origin: location.origin, model, dtype: DTYPE }, 'loaded');
  log(`direct: loaded in a plain worker in ${(directLoadMs / 1000).toFixed(1)} s (${directThreads} ORT threads)`);

  // A user message that makes the templated prompt about PROMPT_TOKENS long, counted with the
  // model's chat template (in the direct worker; the engine reports the same count as promptTokens).
  let words = 1;
  const chat = (n: number): ChatMessage[] => [{ role: 'user', content: PROMPT_WORDS.slice(0, n).join(' ') }];
  const count = async (m: ChatMessage[]) => (await direct.call({ type: 'count', messages: m }, 'counted')).tokens;
  while (words < PROMPT_WORDS.length && (await count(chat(words))) < PROMPT_TOKENS) words++;
  const messages = chat(words);

  const app = async (maxNewTokens: number): Promise<AppRun> => {
    const t0 = performance.now();
    let firstTextAt: number | null = null;
    const res = await client.generate(KEY, messages, { maxNewTokens, temperature: 0, topP: 1 }, () => (firstTextAt ??= performance.now()));
    const end = performance.now();
    return { res, firstTextMs: (firstTextAt ?? end) - t0, totalMs: end - t0 };
  };
  const directRun = async (maxNewTokens: number) => {
    const t0 = performance.now();
    const { timed } = await direct.call({ type: 'generate', messages, maxNewTokens }, 'generated');
    return { ...timed, pageMs: performance.now() - t0 };
  };
  const native = (maxNewTokens: number) => nodeCall<Native>('llmNative', { id: model, dtype: DTYPE, messages, maxNewTokens });

  // Warm-up (untimed): native first (its load keeps the machine busy for seconds), then the two
  // browser paths right before the timed runs. With native loading between the app's warm-up and
  // its first timed run, that run was consistently slow (prefill ~4× longer).
  const warm = await native(WARM_TOKENS);
  log(`native: loaded in Node in ${(warm.loadMs / 1000).toFixed(1)} s (${warm.runtime})`);
  // Full-length browser warm-ups: after 16-token ones, the first timed run of both paths was still
  // 2-4× slow (4.4 and 5.8 tok/s against ~16 in every later run), so it measured the warm-up.
  await app(NEW_TOKENS);
  await directRun(NEW_TOKENS);

  const A: AppRun[] = [];
  const D: Awaited<ReturnType<typeof directRun>>[] = [];
  const N: Native[] = [];
  const appStep = async () => void A.push(await app(NEW_TOKENS));
  const directStep = async () => void D.push(await directRun(NEW_TOKENS));
  const nativeStep = async () => void N.push(await native(NEW_TOKENS));
  for (let i = 0; i < RUNS; i++) {
    // App and direct back to back, first one alternating; native last (its thread pool spins on
    // after it returns, so whichever browser path came right after it would pay for that).
    for (const step of i % 2 === 0 ? [appStep, directStep, nativeStep] : [directStep, appStep, nativeStep]) {
      await settle(500);
      await step();
    }
    const a = A[i].res.usage;
    log(
      `llm run ${i + 1}/${RUNS}: app ${a.decodeTps.toFixed(2)} tok/s (${a.outputTokens} tokens, first text ${A[i].firstTextMs.toFixed(0)} ms), ` +
        `direct ${D[i].decodeTps.toFixed(2)} tok/s (${D[i].outputTokens}, first text ${D[i].firstTextMs.toFixed(0)} ms), native ${N[i].decodeTps.toFixed(2)} tok/s (${N[i].outputTokens})`,
    );
  }
  await nodeCall('release');
  await direct.call({ type: 'dispose' }, 'disposed');
  direct.worker.terminate();
  const loadAfter = await loadNote();

  const f1 = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  const f0 = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const f3 = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(', ');
  const appTps = A.map((r) => r.res.usage.decodeTps);
  const dirTps = D.map((r) => r.decodeTps);
  const natTps = N.map((r) => r.decodeTps);
  const appVsDirect = appTps.map((x, i) => x / dirTps[i]);
  const wasmVsNative = dirTps.map((x, i) => x / natTps[i]);
  const appVsNative = appTps.map((x, i) => x / natTps[i]);
  const outTokens = A.map((r) => r.res.usage.outputTokens);
  const promptTokens = A[0].res.usage.promptTokens;
  const sameText = A.every((r, i) => r.res.text === D[i].text);
  const sameNative = D.every((r, i) => r.text === N[i].text);
  const short = [...outTokens, ...D.map((r) => r.outputTokens), ...N.map((r) => r.outputTokens)].some((n) => n < NEW_TOKENS);
  const ort = appOrtThreads();
  const name = `${model === DEFAULT_MODEL ? 'Qwen2.5-0.5B-Instruct' : model} ${DTYPE}`;
  const setup =
    `${fellBack}Random-weight ${name} (${model}, ${(bytes / 1e6).toFixed(0)} MB, synth-model.mjs) on ONNX Runtime WASM in Chromium, ${ort.threads} thread(s) (${ort.how}); ` +
    `prompt ${promptTokens} tokens (chat template), greedy, max ${NEW_TOKENS} new tokens; output tokens per app run ${outTokens.join(', ')}${short ? ' (SOME RUNS STOPPED EARLY: decode figures cover fewer tokens)' : ' (no early EOS)'}; ` +
    `${RUNS} runs of app and direct back to back (first one alternating), then native, after a warm-up of each (native ${WARM_TOKENS} tokens, app and direct ${NEW_TOKENS}); ${loadBefore} before, ${loadAfter} after`;
  const common = `${fellBack}${name}, ${promptTokens}-token prompt, ${NEW_TOKENS} new tokens, ${RUNS} runs (setup in llm.decode_tps.app)`;
  return [
    {
      id: 'llm.decode_tps.app',
      value: sig(median(appTps)),
      unit: 'tokens/s',
      better: 'higher',
      note: `${setup}. LlmClient → LLM worker → transformers.js engine; the engine's own usage.decodeTps (tokens after the first ÷ time after the first, counted by its TextStreamer): ${f1(appTps)}. Load in the worker ${(appLoadMs / 1000).toFixed(1)} s (model fetched and cached).`,
    },
    {
      id: 'llm.ttft_ms.app',
      value: sig(median(A.map((r) => r.firstTextMs))),
      unit: 'ms',
      better: 'lower',
      note: `${common}. From LlmClient.generate() in the page to the first streamed text arriving in the page: ${f0(A.map((r) => r.firstTextMs))} ms. The engine's usage.ttftMs (first token, inside the worker): ${f0(A.map((r) => r.res.usage.ttftMs))} ms. Direct (first text, inside its worker): ${f0(D.map((r) => r.firstTextMs))} ms.`,
    },
    {
      id: 'llm.decode_tps.direct',
      value: sig(median(dirTps)),
      unit: 'tokens/s',
      better: 'higher',
      note: `${common}. transformers.js called directly (AutoTokenizer + AutoModelForCausalLM, device wasm, TextStreamer timing; bench/lib/tjs-direct.mjs) in a plain dedicated worker of the same page, set up like the app's workers (ORT threads there: ${directThreads}): ${f1(dirTps)}. Loaded in ${(directLoadMs / 1000).toFixed(1)} s (from the browser cache the app's load filled). Same output text as the app in every run: ${sameText ? 'yes' : 'NO'}.`,
    },
    {
      id: 'llm.ratio.app_vs_direct',
      value: sig(median(appVsDirect)),
      unit: '×',
      better: 'higher',
      note: `${common}. App decode tok/s ÷ direct decode tok/s, median of per-run ratios (${f3(appVsDirect)}). Target ≥ ${TARGET_RATIO} (the app loses < 3%): ${median(appVsDirect) >= TARGET_RATIO ? 'PASS' : 'FAIL'}. Whole generation as the page waited for it: app ${f0(A.map((r) => r.totalMs))} ms, direct ${f0(D.map((r) => r.pageMs))} ms.`,
    },
    {
      id: 'llm.decode_tps.native',
      value: sig(median(natTps)),
      unit: 'tokens/s',
      better: 'higher',
      note: `${common}. The same tjs-direct.mjs code in Node on ${warm.runtime}: ${f1(natTps)} (output tokens ${N.map((r) => r.outputTokens).join(', ')}; first token ${f0(N.map((r) => r.ttftMs))} ms; same text as WASM: ${sameNative ? 'yes' : 'no (q8 kernels differ)'}). Loaded in ${(warm.loadMs / 1000).toFixed(1)} s.`,
    },
    {
      id: 'llm.ratio.wasm_vs_native',
      value: sig(median(wasmVsNative)),
      unit: '×',
      better: 'higher',
      note: `${common}. Direct WASM decode tok/s ÷ native decode tok/s (the same code, only the runtime differs), median of per-run ratios (${f3(wasmVsNative)}). The app path ÷ native: ${median(appVsNative).toFixed(3)}. Native uses ORT's default thread pool, WASM ${ort.threads} thread(s) in the app's worker and in the direct worker alike.`,
    },
  ];
});
