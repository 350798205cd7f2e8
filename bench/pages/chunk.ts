// chunk.mb_per_s: chunkDocument (src/chunking/chunk.ts) with DEFAULT_CHUNKING on a 20 MB mixed
// Chinese/English Markdown document, in the page's main thread (a pure function: a worker would
// add nothing but a copy). Sections come from the real Markdown extractor, outside the timing.
import { chunkDocument, DEFAULT_CHUNKING } from '../../src/chunking/chunk';
import { markdownSections } from '../../src/extract/markdown';
import { runs, expose, fetchFixture, log, median, settle, sig, time, type BenchResult } from './lib/bench-kit';

const RUNS = runs(3);

expose(async (): Promise<BenchResult[]> => {
  const buf = await fetchFixture('mixed-zh-en-20mb.md');
  const text = new TextDecoder().decode(buf);
  const { sections } = markdownSections(text);
  const mb = buf.byteLength / 1e6;
  // Warm-up on a prefix: builds the character-class table and lets the JIT compile the hot loops.
  const head = text.slice(0, 500_000);
  chunkDocument({ text: head, sections: [{ start: 0, end: head.length }] }, DEFAULT_CHUNKING);
  const ms: number[] = [];
  let chunks = 0;
  for (let i = 0; i < RUNS; i++) {
    await settle();
    ms.push(await time(() => (chunks = chunkDocument({ text, sections }, DEFAULT_CHUNKING).length)));
    log(`chunk run ${i + 1}/${RUNS}: ${ms[i].toFixed(0)} ms`);
  }
  const med = median(ms);
  return [
    {
      id: 'chunk.mb_per_s',
      value: sig(mb / (med / 1000)),
      unit: 'MB/s',
      better: 'higher',
      note: `${mb.toFixed(1)} MB UTF-8 (${(text.length / 1e6).toFixed(1)} M UTF-16 units, ${sections.length} sections) → ${chunks} chunks, DEFAULT_CHUNKING ${DEFAULT_CHUNKING.size}/${DEFAULT_CHUNKING.overlap} ${DEFAULT_CHUNKING.unit}; median of ${RUNS} runs: ${ms.map((x) => x.toFixed(0)).join(', ')} ms (page main thread).`,
    },
  ];
});
