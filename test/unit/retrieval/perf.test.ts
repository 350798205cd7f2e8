// Timing log (no timing assertions: machines are shared and noisy; CPU time is logged beside wall
// time because it is less sensitive to other processes). By default a 5k-chunk smoke run;
// RETRIEVAL_PERF=1 runs the sizing target, 100k chunks × 384 dims:
//   RETRIEVAL_PERF=1 npx vitest run test/unit/retrieval/perf.test.ts
import { describe, expect, it } from 'vitest';
import { MemoryRowStore } from '../../../src/retrieval/row-store';
import { SearchIndex } from '../../../src/retrieval/search-index';
import { VectorIndex } from '../../../src/retrieval/vector';
import { rng, syntheticChunks } from './synthetic';

const FULL = process.env.RETRIEVAL_PERF === '1';
const N = FULL ? 100_000 : 5_000;
const DIM = 384;
const QUERIES = 100;

/** CPU time of this process in ms (user + system). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function percentiles(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`;
}

describe(`search timing at ${N} chunks × ${DIM} dims`, () => {
  it('builds and queries (see log)', { timeout: 180_000 }, () => {
    const texts = syntheticChunks(N);
    const chunks = texts.map((text, i) => ({ id: `doc${i >> 6}:${i}`, text }));
    const rand = rng(99);
    const vectors = Float32Array.from({ length: N * DIM }, () => rand() - 0.5);

    let t = performance.now();
    let cpu = cpuMs();
    new VectorIndex(DIM).add(
      chunks.map((c) => c.id),
      vectors,
    );
    const vectorMs = performance.now() - t;
    const vectorCpu = cpuMs() - cpu;
    t = performance.now();
    cpu = cpuMs();
    const index = new SearchIndex();
    index.addChunks(chunks, vectors, DIM);
    const buildMs = performance.now() - t;
    const buildCpu = cpuMs() - cpu;
    // The compact path: int8 vectors, exact re-score from f32 rows (in memory here; an OPFS file in the browser).
    const int8 = new SearchIndex(undefined, { precision: 'int8', exact: new MemoryRowStore(DIM) });
    int8.addChunks(chunks, vectors, DIM);

    const times: Record<string, number[]> = { dense: [], bm25: [], hybrid: [], 'dense int8': [], 'hybrid int8': [] };
    const cpuTimes: Record<string, number[]> = { dense: [], bm25: [], hybrid: [], 'dense int8': [], 'hybrid int8': [] };
    for (let q = -10; q < QUERIES; q++) {
      // The first 10 rounds only warm the JIT up; they are not recorded.
      const at = (n: number) => ((q + 10) * n) % N;
      const query = texts[at(7919)].slice(40, 60); // a question-sized mixed slice
      const qv = vectors.slice(at(104729) * DIM, (at(104729) + 1) * DIM);
      for (const [name, mode, idx] of [
        ['dense', { dense: true, bm25: false }, index],
        ['bm25', { dense: false, bm25: true }, index],
        ['hybrid', { dense: true, bm25: true }, index],
        ['dense int8', { dense: true, bm25: false }, int8],
        ['hybrid int8', { dense: true, bm25: true }, int8],
      ] as const) {
        t = performance.now();
        cpu = cpuMs();
        const hits = idx.search(query, qv, { k: 10, ...mode });
        if (q >= 0) times[name].push(performance.now() - t);
        if (q >= 0) cpuTimes[name].push(cpuMs() - cpu);
        if (name !== 'bm25') expect(hits).toHaveLength(10);
      }
    }
    const stats = index.stats();
    console.log(
      [
        `${N} chunks (${texts.reduce((s, x) => s + x.length, 0) / N} chars avg), ${DIM} dims, SIMD ${stats.simd}`,
        `build BM25 + vectors: ${buildMs.toFixed(0)} ms wall, ${buildCpu.toFixed(0)} ms CPU ` +
          `(vectors alone: ${vectorMs.toFixed(0)} ms wall, ${vectorCpu.toFixed(0)} ms CPU); ~${(stats.bytes / 2 ** 20).toFixed(0)} MiB (int8: ~${(int8.stats().bytes / 2 ** 20).toFixed(0)} MiB with its f32 rows in memory)`,
        ...Object.entries(times).map(
          ([name, ms]) => `${name} top-10 (50 candidates): wall ${percentiles(ms)}; CPU ${percentiles(cpuTimes[name])}`,
        ),
        FULL ? '' : 'smoke size; RETRIEVAL_PERF=1 for 100k',
      ].join('\n'),
    );
  });
});
