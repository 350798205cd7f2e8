// embed.chunks_per_s.wasm and embed.ratio.wasm_vs_native: a realistic-size embedder (a random-weight
// multilingual-e5-small, q8, 118 MB, made by synth-model.mjs) embeds 64 chunks of 200 tokens through
// the app path (KnowledgeClient.embed → knowledge worker → embedTexts → transformers.js on ONNX
// Runtime WASM), timed in the page, against the same model, texts, batches, pooling and prefix on
// onnxruntime-node in the orchestrator's Node process (bench/lib/native.mjs). WASM and native
// alternate batch by batch (16 chunks, ~1–4 s each), so load swings on the shared machine hit both;
// the ratio is the median over those batch pairs.
import { KnowledgeClient } from '../../src/engines/knowledge-client';
import { findEmbedder } from '../../src/models/catalog';
import { resolveHosts } from '../../src/models/hosts';
import { EMBED_BATCH } from '../../workers/embedder';
import { appOrtThreads } from './lib/ort-threads';
import { expose, fetchFixture, loadNote, log, median, nodeCall, runs, settle, sig, type BenchResult } from './lib/bench-kit';

const MODEL = 'synth/e5-small';
const DTYPE = 'q8';
const CATALOG_ID = 'Xenova/multilingual-e5-small'; // the entry whose pooling and prefixes the app would use

expose(async (): Promise<BenchResult[]> => {
  const RUNS = runs(3);
  const { bytes } = await nodeCall<{ bytes: number }>('ensureModel', { id: MODEL });
  const texts = JSON.parse(new TextDecoder().decode(await fetchFixture('embed-64x200tok.json'))) as string[];
  const entry = findEmbedder(CATALOG_ID);
  const hosts = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, new URL('/', location.href).href);
  const loadBefore = await loadNote();

  const client = new KnowledgeClient();
  const t0 = performance.now();
  const info = await client.loadEmbedder({ id: MODEL, dtype: DTYPE }, hosts, 'wasm', entry);
  const loadMs = performance.now() - t0;
  log(`embedder loaded in the knowledge worker in ${(loadMs / 1000).toFixed(1)} s: ${info.device} ${info.dtype}, ${info.dim} dims`);
  if (info.device !== 'wasm') throw new Error(`expected the WASM device, got ${info.device}`);

  const native = (list: string[]) =>
    nodeCall<{ ms: number; dim: number; loadMs: number; runtime: string }>('embedNative', {
      id: MODEL,
      dtype: DTYPE,
      texts: list,
      prefix: entry.passagePrefix,
      pooling: entry.pooling,
      normalize: entry.normalize,
      batch: EMBED_BATCH,
    });

  // Warm-up (untimed): one batch each side, so both have their sessions and kernels ready.
  await client.embed(texts.slice(0, EMBED_BATCH), 'passage');
  const warm = await native(texts.slice(0, EMBED_BATCH));
  log(`native model loaded in ${(warm.loadMs / 1000).toFixed(1)} s (${warm.runtime})`);

  // Each run embeds the 64 chunks batch by batch (16 at a time, as embedTexts batches anyway),
  // alternating WASM and native per batch (and which goes first), so load swings on the shared
  // machine hit both sides of each ratio within seconds of each other.
  const wasm: number[] = [];
  const inWorker: number[] = [];
  const nat: number[] = [];
  const pairRatios: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await settle();
    let w = 0;
    let wWorker = 0;
    let n = 0;
    for (let b = 0, round = 0; b < texts.length; b += EMBED_BATCH, round++) {
      const batch = texts.slice(b, b + EMBED_BATCH);
      const runWasm = async () => {
        const t = performance.now();
        const res = await client.embed(batch, 'passage');
        const ms = performance.now() - t;
        if (res.vectors.length !== batch.length * info.dim) throw new Error(`got ${res.vectors.length} floats for ${batch.length} texts`);
        wWorker += res.ms;
        return ms;
      };
      const runNative = async () => {
        const r = await native(batch);
        if (r.dim !== info.dim) throw new Error(`native dim ${r.dim} ≠ wasm ${info.dim}`);
        return r.ms;
      };
      let bw: number;
      let bn: number;
      if ((i + round) % 2 === 0) {
        bw = await runWasm();
        bn = await runNative();
      } else {
        bn = await runNative();
        bw = await runWasm();
      }
      w += bw;
      n += bn;
      pairRatios.push(bn / bw); // chunks/s ratio = time ratio inverted
    }
    wasm.push(w);
    inWorker.push(wWorker);
    nat.push(n);
    log(`embed run ${i + 1}/${RUNS}: wasm ${w.toFixed(0)} ms, native ${n.toFixed(0)} ms for ${texts.length} chunks`);
  }
  await nodeCall('release');
  const loadAfter = await loadNote();
  const ort = appOrtThreads();
  const rate = (ms: number) => (texts.length * 1000) / ms;
  const ratios = wasm.map((w, i) => rate(w) / rate(nat[i]));
  const f2 = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const common =
    `${texts.length} chunks of 200 tokens (mixed zh/en, +3 for the "${entry.passagePrefix}" prefix), batches of ${EMBED_BATCH}, ${entry.pooling} pooling, normalized; ` +
    `random-weight multilingual-e5-small ${DTYPE} (${MODEL}, ${(bytes / 1e6).toFixed(0)} MB, 12 layers × 384, from synth-model.mjs); ${RUNS} runs after a warm-up batch, WASM and native alternating batch by batch; ${loadBefore} before, ${loadAfter} after`;
  return [
    {
      id: 'embed.chunks_per_s.wasm',
      value: sig(rate(median(wasm))),
      unit: 'chunks/s',
      better: 'higher',
      note: `${common}. App path KnowledgeClient.embed → knowledge worker → transformers.js → ONNX Runtime WASM with ${ort.threads} thread(s) (${ort.how}), timed in the page around each call, summed per run: ${fmt(wasm)} ms (worker-reported ${fmt(inWorker)} ms). Load in the worker ${(loadMs / 1000).toFixed(1)} s.`,
    },
    {
      id: 'embed.ratio.wasm_vs_native',
      value: sig(median(pairRatios)),
      unit: '×',
      better: 'higher',
      note: `${common}. WASM chunks/s ÷ native chunks/s, the median over the ${pairRatios.length} batch pairs (${f2(pairRatios)}); per run: ${f2(ratios)}. Native: the same transformers.js pipeline in Node on ${warm.runtime}: ${fmt(nat)} ms (${sig(rate(median(nat)))} chunks/s).`,
    },
  ];
});
