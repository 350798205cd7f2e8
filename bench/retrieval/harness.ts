// The retrieval-quality benchmark's data and run: extracts every file of bench/retrieval/corpus with
// the app's extractors (plus a PDF printed from one text file, so one document is in the library
// twice), locates each question's gold passages by position, and runs the retrieval sweep at the
// app's default chunking. Loaded by bench/node/retrieval.mjs; the embedder is injected.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CHUNKING } from '../../src/chunking/chunk';
import { extract } from '../../src/extract/index';
import { runSweep, type EmbedFn, type GoldSpan, type SweepDocument, type SweepItem, type SweepMode, type SweepResult } from '../../src/retrieval/sweep';
import { textToPdf } from './pdf-copy';

export interface Question {
  id: string;
  lang: 'en' | 'zh';
  question: string;
  /** Passages copied verbatim from the extracted text of `doc`. */
  gold: { doc: string; text: string }[];
}

/** Text files that are also put in the library as a PDF printed from them (the PDF's file name). */
export const PDF_COPIES: Readonly<Record<string, string>> = { 'http-server-README.txt': 'http-server-README.pdf' };

/**
 * Every occurrence of `passage` in `text`, ignoring whitespace (extractors re-flow lines and a PDF
 * wraps them), as [start, end) offsets into `text` from the first to the last non-space character.
 */
export function locate(text: string, passage: string): { start: number; end: number }[] {
  const pos: number[] = [];
  let squeezed = '';
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i])) continue;
    squeezed += text[i];
    pos.push(i);
  }
  const needle = passage.replace(/\s+/g, '');
  if (!needle) return [];
  const out: { start: number; end: number }[] = [];
  for (let at = squeezed.indexOf(needle); at !== -1; at = squeezed.indexOf(needle, at + 1)) {
    out.push({ start: pos[at], end: pos[at + needle.length - 1] + 1 });
  }
  return out;
}

export interface Benchmark {
  documents: SweepDocument[];
  items: (SweepItem & { lang: 'en' | 'zh' })[];
  /** Gold passages found in the PDF copy / gold passages of its text original. */
  copyGold: { found: number; of: number };
  bytes: number;
}

export async function loadBenchmark(dir: string): Promise<Benchmark> {
  const corpus = join(dir, 'corpus');
  const documents: SweepDocument[] = [];
  let bytes = 0;
  const opts = (fileName: string) => ({ fileName, maxBytes: 100_000_000, maxUnpackedBytes: 400_000_000 });
  for (const file of readdirSync(corpus).sort()) {
    const data = new Uint8Array(readFileSync(join(corpus, file)));
    bytes += data.length;
    const doc = await extract(data, opts(file));
    documents.push({ id: file, name: file, title: doc.title, text: doc.text, sections: doc.sections });
    const copy = PDF_COPIES[file];
    if (copy) {
      const pdf = await extract(await textToPdf(doc.text, file.replace(/\.[^.]+$/, '').replace(/-/g, ' ')), opts(copy));
      documents.push({ id: copy, name: copy, title: pdf.title, text: pdf.text, sections: pdf.sections });
    }
  }
  const byId = new Map(documents.map((d) => [d.id, d]));
  const questions: Question[] = JSON.parse(readFileSync(join(dir, 'questions.json'), 'utf8'));
  const copyGold = { found: 0, of: 0 };
  const items = questions.map((q) => {
    const gold: GoldSpan[] = [];
    for (const [passage, g] of q.gold.entries()) {
      const doc = byId.get(g.doc);
      if (!doc) throw new Error(`question ${q.id}: no document ${g.doc} in ${corpus}`);
      const spans = locate(doc.text, g.text);
      if (spans.length === 0) throw new Error(`question ${q.id}: gold passage not found in ${g.doc}: ${JSON.stringify(g.text.slice(0, 80))}`);
      gold.push(...spans.map((s) => ({ docId: doc.id, ...s, passage })));
      const copyId = PDF_COPIES[g.doc];
      const copy = copyId ? byId.get(copyId) : undefined;
      if (copy) {
        copyGold.of++;
        const found = locate(copy.text, g.text);
        if (found.length) copyGold.found++;
        gold.push(...found.map((s) => ({ docId: copy.id, ...s, passage })));
      }
    }
    return { id: q.id, lang: q.lang, question: q.question, gold };
  });
  return { documents, items, copyGold, bytes };
}

export interface BenchmarkRun {
  bench: Benchmark;
  sweep: SweepResult;
}

/** The sweep the benchmark reports: app default chunking, BM25 / dense / hybrid, headers and dedupe on and off. */
export async function runBenchmark(dir: string, embed: EmbedFn | undefined, modes: SweepMode[] = ['bm25', 'dense', 'hybrid']): Promise<BenchmarkRun> {
  const bench = await loadBenchmark(dir);
  const sweep = await runSweep(
    bench.documents,
    bench.items,
    {
      unit: DEFAULT_CHUNKING.unit,
      sizes: [DEFAULT_CHUNKING.size],
      overlaps: [DEFAULT_CHUNKING.overlap],
      modes: embed ? modes : modes.filter((m) => m === 'bm25'),
      headers: [false, true],
      dedupe: [false, true],
    },
    { embed },
    { ks: [1, 3, 5, 10], mrrAt: 10 },
  );
  return { bench, sweep };
}
