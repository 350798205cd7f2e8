// llm.*.wllama: decode speed of a realistic-size GGUF (a random-weight Qwen2.5-0.5B-Instruct, Q8_0,
// 531 MB, made by synth-gguf.mjs) through the app's wllama engine (workers/engines/wllama-engine.ts:
// a File as a user adds it, the header checks, explicit threads, no WebGPU), next to two baselines in
// the same run, alternating run by run in rotating order:
//   tjs     the app's transformers.js path (LlmClient → LLM worker → transformers.js engine) on the
//           same model as ONNX q8 (synth-model.mjs), the figure llm.decode_tps.app measures;
//   native  the same .gguf through native llama.cpp (node-llama-cpp, prebuilt CPU build) in the
//           orchestrator's Node process, same thread count and context (bench/lib/native-llama.mjs).
// Chat of about 40 prompt tokens, greedy, 64 new tokens (native ignores end-of-turn, random weights
// rarely pick it; the output counts are reported). Decode tok/s = tokens after the first ÷ time after
// the first, measured the same way (makeUsage) on every path.
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { LlmClient } from '../../src/clients/llm-client';
import { resolveHosts } from '../../src/models/hosts';
import type { ChatMessage, GenResult } from '../../src/protocol/messages';
import { loadWllama, type WllamaEngine } from '../../workers/engines/wllama-engine';
import { expose, loadNote, log, median, nodeCall, runs, settle, sig, type BenchResult } from './lib/bench-kit';

const GGUF_ID = 'gguf/qwen2.5-0.5b-q8_0.gguf';
const ONNX_ID = 'synth/qwen2.5-0.5b';
const NEW_TOKENS = 64;
const WARM_TOKENS = 8;
const N_CTX = 1024;
const TARGET_VS_NATIVE = 0.6;
const PROMPT = 'Summarize what the employee handbook says about annual leave for new staff in their first year, who approves the requests, and how unused days carry over';

interface Native {
  promptTokens: number;
  outputTokens: number;
  ttftMs: number;
  decodeTps: number;
  loadMs: number;
  runtime: string;
}
interface Busy {
  load1: number;
  cpus: number;
  top: string;
}

expose(async (): Promise<BenchResult[]> => {
  const RUNS = runs(3);
  const params = new URLSearchParams(location.search);
  const threads = Number(params.get('threads') ?? 0) || Math.min(navigator.hardwareConcurrency || 1, 4);
  const withTjs = params.get('tjs') !== '0';
  const loadBefore = await loadNote();
  const busyBefore = await nodeCall<Busy>('busy');
  log(`machine before: ${loadBefore}; busiest: ${busyBefore.top}`);
  const messages: ChatMessage[] = [{ role: 'user', content: PROMPT }];

  // wllama, from a File as the Models screen would hand it over.
  const { bytes } = await nodeCall<{ bytes: number }>('ensureGguf', { id: GGUF_ID });
  const blob = await (await fetch(`/models/${GGUF_ID}`)).blob();
  const file = new File([blob], 'qwen2.5-0.5b-q8_0.gguf');
  const t0 = performance.now();
  const wllama: WllamaEngine = await loadWllama({ kind: 'files', name: file.name, files: [file] }, { wasmUrl: new URL(wasmUrl, location.href).href, nCtx: N_CTX, threads }, () => undefined);
  const wllamaLoadMs = performance.now() - t0;
  log(`wllama: loaded in ${(wllamaLoadMs / 1000).toFixed(1)} s (${wllama.info.dtype}, ${wllama.info.threads} thread(s), crossOriginIsolated ${crossOriginIsolated}${wllama.info.fallbackReason ? `; ${wllama.info.fallbackReason}` : ''})`);

  // The LLM worker holds models by key; this page loads one.
  const TJS_KEY = `bench:${ONNX_ID}`;
  let client: LlmClient | null = null;
  let tjsLoadMs = 0;
  if (withTjs) {
    await nodeCall('ensureModel', { id: ONNX_ID });
    client = new LlmClient();
    const hosts = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, new URL('/', location.href).href);
    const t1 = performance.now();
    const loaded = await client.load(TJS_KEY, { engine: 'transformers.js', model: { id: ONNX_ID, dtype: 'q8' }, device: 'wasm' }, hosts);
    tjsLoadMs = performance.now() - t1;
    log(`tjs: ${ONNX_ID} loaded in ${(tjsLoadMs / 1000).toFixed(1)} s (${loaded.engine}, ${loaded.device}, ${loaded.dtype})`);
  }

  const greedy = (n: number) => ({ maxNewTokens: n, temperature: 0, topP: 1 });
  const runWllama = (n: number) => wllama.generate(messages, greedy(n), () => undefined, new AbortController().signal);
  const runTjs = (n: number): Promise<GenResult> => client!.generate(TJS_KEY, messages, greedy(n), () => undefined);
  const runNative = (n: number) => nodeCall<Native>('llamaNative', { id: GGUF_ID, messages, maxNewTokens: n, threads, nCtx: N_CTX });

  const warmNative = await runNative(WARM_TOKENS);
  log(`native: loaded in ${(warmNative.loadMs / 1000).toFixed(1)} s (${warmNative.runtime})`);
  await runWllama(WARM_TOKENS);
  if (client) await runTjs(WARM_TOKENS);

  const W: Awaited<ReturnType<typeof runWllama>>[] = [];
  const T: GenResult[] = [];
  const N: Native[] = [];
  const loads: number[] = [];
  const steps = [async () => void W.push(await runWllama(NEW_TOKENS)), async () => void N.push(await runNative(NEW_TOKENS)), ...(client ? [async () => void T.push(await runTjs(NEW_TOKENS))] : [])];
  for (let i = 0; i < RUNS; i++) {
    for (let s = 0; s < steps.length; s++) {
      await settle(500);
      await steps[(i + s) % steps.length]();
    }
    loads.push((await nodeCall<Busy>('busy')).load1);
    log(`run ${i + 1}/${RUNS}: wllama ${W[i].usage.decodeTps.toFixed(2)} tok/s (${W[i].usage.outputTokens} tokens, prefill ${W[i].usage.promptTokens} in ${W[i].usage.ttftMs.toFixed(0)} ms), native ${N[i].decodeTps.toFixed(2)} (${N[i].outputTokens}, prefill ${N[i].ttftMs.toFixed(0)} ms)${client ? `, tjs ${T[i].usage.decodeTps.toFixed(2)} (${T[i].usage.outputTokens})` : ''}; load ${loads[i].toFixed(1)}`);
  }
  await wllama.dispose();
  await nodeCall('llamaRelease');
  const loadAfter = await loadNote();
  const busyAfter = await nodeCall<Busy>('busy');

  const f2 = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  const f3 = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(', ');
  const f0 = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const wTps = W.map((r) => r.usage.decodeTps);
  const nTps = N.map((r) => r.decodeTps);
  const vsNative = wTps.map((x, i) => x / nTps[i]);
  const promptTokens = W[0].usage.promptTokens;
  const samePrompt = N.every((r) => r.promptTokens === promptTokens);
  const setup =
    `Random-weight Qwen2.5-0.5B-Instruct Q8_0 GGUF (${GGUF_ID}, ${(bytes / 1e6).toFixed(0)} MB, synth-gguf.mjs) through the app's wllama engine (@wllama/wllama 3.13.0, memory64/JSPI build) in Chromium, ` +
    `loaded from a File, n_ctx ${N_CTX}, ${wllama.info.threads} thread(s) of ${navigator.hardwareConcurrency} (crossOriginIsolated ${crossOriginIsolated}), n_gpu_layers 0, no prompt cache; ` +
    `prompt ${promptTokens} tokens (the file's chat template; native ${samePrompt ? 'the same' : `DIFFERENT: ${N.map((r) => r.promptTokens).join(', ')}`}), greedy, ${NEW_TOKENS} new tokens (wllama output tokens ${W.map((r) => r.usage.outputTokens).join(', ')}); ` +
    `${RUNS} runs in rotating order after an ${WARM_TOKENS}-token warm-up of each path; ${loadBefore} before (busiest: ${busyBefore.top}), ${loadAfter} after (busiest: ${busyAfter.top}); load after each round ${f2(loads)}`;
  const results: BenchResult[] = [
    {
      id: 'llm.decode_tps.wllama',
      value: sig(median(wTps)),
      unit: 'tokens/s',
      better: 'higher',
      note: `${setup}. The engine's usage.decodeTps per run: ${f2(wTps)}. Time to first text ${f0(W.map((r) => r.usage.ttftMs))} ms. Loaded in ${(wllamaLoadMs / 1000).toFixed(1)} s.`,
    },
    {
      id: 'llm.decode_tps.wllama_native',
      value: sig(median(nTps)),
      unit: 'tokens/s',
      better: 'higher',
      note: `The same GGUF, prompt and thread count through ${warmNative.runtime}, sequence.evaluate greedy: ${f2(nTps)} (output tokens ${N.map((r) => r.outputTokens).join(', ')}; first token ${f0(N.map((r) => r.ttftMs))} ms). Loaded in ${(warmNative.loadMs / 1000).toFixed(1)} s.`,
    },
    {
      id: 'llm.ratio.wllama_vs_native',
      value: sig(median(vsNative)),
      unit: '×',
      better: 'higher',
      note: `wllama decode tok/s ÷ native llama.cpp decode tok/s, median of per-run ratios (${f3(vsNative)}). Target ≥ ${TARGET_VS_NATIVE}: ${median(vsNative) >= TARGET_VS_NATIVE ? 'PASS' : 'FAIL'}. Prefill of the ${promptTokens}-token prompt: wllama ${f0(W.map((r) => r.usage.ttftMs))} ms, native ${f0(N.map((r) => r.ttftMs))} ms.`,
    },
  ];
  if (client) {
    const tTps = T.map((r) => r.usage.decodeTps);
    const vsTjs = wTps.map((x, i) => x / tTps[i]);
    results.push(
      {
        id: 'llm.decode_tps.wllama_tjs',
        value: sig(median(tTps)),
        unit: 'tokens/s',
        better: 'higher',
        note: `The same model as ONNX q8 (${ONNX_ID}, synth-model.mjs) on the app's transformers.js path (LlmClient → LLM worker → transformers.js engine, WASM), measured in this page between the wllama runs, as llm.decode_tps.app is: ${f2(tTps)} (output tokens ${T.map((r) => r.usage.outputTokens).join(', ')}; first token ${f0(T.map((r) => r.usage.ttftMs))} ms). Loaded in ${(tjsLoadMs / 1000).toFixed(1)} s.`,
      },
      {
        id: 'llm.ratio.wllama_vs_tjs',
        value: sig(median(vsTjs)),
        unit: '×',
        better: 'higher',
        note: `wllama (Q8_0 GGUF) decode tok/s ÷ transformers.js (q8 ONNX) decode tok/s on WASM in the same page, median of per-run ratios (${f3(vsTjs)}); above 1, wllama is the faster CPU engine here.`,
      },
    );
  }
  return results;
});
