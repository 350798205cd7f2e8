// retrieval.*: retrieval quality on the project's own benchmark (bench/retrieval: real zh/en docs
// from npm packages as Markdown, HTML, TXT and a PDF printed from one of them, and questions written
// as users ask them, each with its gold passage located by position). Chunked at the app's defaults
// into a scratch SearchIndex (src/retrieval/sweep.ts), searched with BM25, dense and hybrid (dense =
// the lexical fixture embedder through transformers.js on onnxruntime-node). A chunk is gold when it
// covers at least half of a gold passage. Main ids: contextual headers and duplicate collapsing on —
// what the app's knowledge worker runs for every library search (each chunk indexed and embedded with
// its header; near-duplicates collapsed before the top-k cut; 50 candidates per method; int8 vectors);
// the `.no_headers` / `.no_dedupe` ids switch one off, so each change is measured in the same run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'vite';
import { REPO } from '../lib/build.mjs';
import { MODELS_DIR } from '../lib/paths.mjs';

const EMBEDDER = 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow';
const DIR = join(REPO, 'bench/retrieval');
const err = (s) => process.stderr.write(`${s}\n`);

async function fixtureEmbedder() {
  if (!existsSync(join(MODELS_DIR, EMBEDDER))) throw new Error(`Embedding fixture missing: expected ${join(MODELS_DIR, EMBEDDER)}`);
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = `${MODELS_DIR}/`;
  // One thread: the fixture's cosine scores tie often, and threaded float sums would break ties differently from run to run.
  const extractor = await pipeline('feature-extraction', EMBEDDER, { dtype: 'q8', session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } });
  // The fixture is a catalog-less model: no query/passage prefixes, mean pooling (as the app's embedder).
  return async (texts) => {
    const rows = [];
    let dim = 0;
    for (let i = 0; i < texts.length; i += 32) {
      const out = await extractor(texts.slice(i, i + 32), { pooling: 'mean', normalize: true });
      dim = out.dims[1];
      rows.push(out.data);
    }
    const data = new Float32Array(texts.length * dim);
    let at = 0;
    for (const r of rows) {
      data.set(r, at);
      at += r.length;
    }
    return { data, dim };
  };
}

const r3 = (x) => Math.round(x * 1000) / 1000;

export async function run() {
  // A Vite server in middleware mode loads the TypeScript harness and the app modules it imports
  // (and stays open while they import pdf.js lazily); nothing listens on a port.
  const server = await createServer({ configFile: false, root: REPO, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, ws: false, watch: null }, optimizeDeps: { noDiscovery: true, include: [] } });
  let bench;
  let sweep;
  let ms;
  try {
    const harness = await server.ssrLoadModule(join(DIR, 'harness.ts'));
    const embed = await fixtureEmbedder();
    const t0 = performance.now();
    ({ bench, sweep } = await harness.runBenchmark(DIR, embed));
    ms = performance.now() - t0;
  } finally {
    await server.close();
  }
  if (sweep.skipped.length) throw new Error(`settings skipped: ${sweep.skipped.map((s) => s.reason).join('; ')}`);
  const at5 = sweep.results[0].ks.indexOf(5);
  const find = (mode, headers, dedupe) => {
    const r = sweep.results.find((x) => x.setting.mode === mode && x.setting.headers === headers && x.setting.dedupe === dedupe);
    if (!r) throw new Error(`no result for ${mode} headers=${headers} dedupe=${dedupe}`);
    return r;
  };
  const byLang = (r, lang) => {
    const ids = new Set(bench.items.filter((i) => i.lang === lang).map((i) => i.id));
    const xs = r.items.filter((s) => ids.has(s.id) && s.rr !== null);
    return xs.reduce((a, s) => a + s.hit[at5], 0) / xs.length;
  };
  const zh = bench.items.filter((i) => i.lang === 'zh').length;
  const docs = bench.documents.length;
  const chunks = sweep.results[0].chunks;
  const base =
    `${bench.items.length} questions (${zh} zh, ${bench.items.length - zh} en) over ${docs} documents ` +
    `(${(bench.bytes / 1024).toFixed(0)} KB of Markdown/HTML/TXT from npm packages + 1 PDF printed from a TXT; ${chunks} chunks at 200/40 tokens); ` +
    `gold = chunk covering ≥ half of a gold passage (${bench.copyGold.found}/${bench.copyGold.of} passages also located in the PDF copy)`;
  err('[bench] retrieval: setting                     hit@1  hit@3  hit@5  hit@10  R@5    MRR@10  hit@5 zh / en');
  for (const r of sweep.results) {
    const s = r.setting;
    const label = `${s.mode}${s.headers ? ' +headers' : ''}${s.dedupe ? ' +dedupe' : ''}`.padEnd(28);
    err(
      `[bench] retrieval: ${label} ${r.hitAt.map((x) => x.toFixed(3)).join('  ')}  ${r.recallAt[at5].toFixed(3)}  ${r.mrr.toFixed(3)}   ${byLang(r, 'zh').toFixed(3)} / ${byLang(r, 'en').toFixed(3)}`,
    );
  }
  const results = [];
  for (const mode of ['bm25', 'hybrid', 'dense']) {
    const full = find(mode, true, true);
    const noHeaders = find(mode, false, true);
    const noDedupe = find(mode, true, false);
    const note = (r, what) =>
      `${what}. ${base}. hit@5 zh ${r3(byLang(r, 'zh'))}, en ${r3(byLang(r, 'en'))}; recall@5 ${r3(r.recallAt[at5])}; MRR@10 ${r3(r.mrr)}; n ${r.n}.`;
    results.push({ id: `retrieval.${mode}.hit@5`, value: r3(full.hitAt[at5]), unit: 'share', better: 'higher', note: note(full, `${mode}, contextual headers + duplicate collapsing (as the app's library search runs it)`) });
    results.push({ id: `retrieval.${mode}.hit@5.no_headers`, value: r3(noHeaders.hitAt[at5]), unit: 'share', better: 'higher', note: note(noHeaders, `${mode}, chunk text only (no headers), duplicate collapsing`) });
    results.push({ id: `retrieval.${mode}.hit@5.no_dedupe`, value: r3(noDedupe.hitAt[at5]), unit: 'share', better: 'higher', note: note(noDedupe, `${mode}, contextual headers, no duplicate collapsing`) });
    if (mode === 'bm25') {
      results.push({ id: 'retrieval.bm25.mrr@10', value: r3(full.mrr), unit: 'score', better: 'higher', note: note(full, 'BM25 MRR@10 (reciprocal rank of the first gold chunk, 0 past rank 10), contextual headers + duplicate collapsing (as the app runs it)') });
      results.push({ id: 'retrieval.bm25.mrr@10.no_headers', value: r3(noHeaders.mrr), unit: 'score', better: 'higher', note: note(noHeaders, 'BM25 MRR@10, chunk text only') });
    }
  }
  err(`[bench] retrieval: ${sweep.results.length} settings in ${(ms / 1000).toFixed(1)} s`);
  return results;
}
