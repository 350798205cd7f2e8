// The retrieval sweep as the knowledge worker runs it: reads every library document (text and sections),
// locates each question's gold passages by position in every document that holds them (a PDF and a text
// copy of one document both count as the same passage), and runs src/retrieval/sweep.ts over the asked
// settings in scratch indexes. Nothing stored is written. Embeddings are cached across settings and runs.

import type { SweepProgress, SweepReply, SweepRequest } from '../src/protocol/messages';
import { AppError } from '../src/protocol/errors';
import { locateGold, prepareDocument } from '../src/eval/gold';
import { runSweepSettings, type EmbedFn, type GoldSpan, type RerankFn, type SweepDocument, type SweepItem } from '../src/retrieval/sweep';
import type { LabDb } from '../src/store/db';
import { getDocument, listDocuments } from '../src/store/documents';
import { embedTexts, type Embedder } from './embedder';

/** Sweep embeddings kept for later runs (per embedder, kind and text); the cache is emptied past this. */
const SWEEP_CACHE_ENTRIES = 50_000;

/**
 * Embeddings of sweep texts by embedder, kind and text: a chunk's indexed text recurs across settings
 * (the same chunking with other modes) and across runs, and is embedded once.
 */
export class SweepEmbeddings {
  private cache = new Map<string, Float32Array>();

  /** An EmbedFn over `e` that embeds only texts it has not seen; `callSignal` cancels when none is given. */
  embedFn(e: Embedder, callSignal: AbortSignal): EmbedFn {
    return async (texts, kind, signal = callSignal) => {
      const dim = e.info.dim;
      const key = (t: string) => `${e.info.model}\u0000${kind}\u0000${t}`;
      const todo = [...new Set(texts.filter((t) => !this.cache.has(key(t))))];
      if (todo.length) {
        if (this.cache.size + todo.length > SWEEP_CACHE_ENTRIES) this.cache.clear();
        const v = await embedTexts(e, todo, kind, signal);
        todo.forEach((t, i) => this.cache.set(key(t), v.slice(i * dim, (i + 1) * dim)));
      }
      const data = new Float32Array(texts.length * dim);
      texts.forEach((t, i) => data.set(this.cache.get(key(t))!, i * dim));
      return { data, dim };
    };
  }

  /** Texts embedded and kept (for tests and diagnostics). */
  get size(): number {
    return this.cache.size;
  }
}

export interface SweepDeps {
  embed: EmbedFn | null;
  rerank: RerankFn | null;
  embedder: string | null;
  reranker: string | null;
  signal: AbortSignal;
  progress: (p: SweepProgress) => void;
}

/** Every library document as the sweep chunks it (the whole text is one section when none were stored). */
export async function sweepDocuments(db: LabDb): Promise<SweepDocument[]> {
  const out: SweepDocument[] = [];
  for (const summary of await listDocuments(db)) {
    const doc = await getDocument(db, summary.id);
    if (!doc) continue;
    out.push({ id: doc.id, name: doc.name, ...(doc.title ? { title: doc.title } : {}), text: doc.text, sections: doc.sections?.length ? doc.sections : [{ start: 0, end: doc.text.length }] });
  }
  return out;
}

/**
 * Each question's gold passages located in every document that holds them (exact after folding, or
 * within the evaluation's edit tolerance): places of one passage share its `passage` number, so
 * finding any of them finds the passage. Returns the items and the passages found nowhere.
 */
export function locateSweepGold(documents: readonly SweepDocument[], questions: SweepRequest['questions']): { items: SweepItem[]; passagesNotFound: number } {
  const prepared = documents.map((d) => prepareDocument({ docId: d.id, name: d.name, text: d.text }));
  let passagesNotFound = 0;
  const items = questions.map((q): SweepItem => {
    const gold: GoldSpan[] = [];
    q.goldPassages.forEach((passage, p) => {
      let found = false;
      for (const doc of prepared) {
        const at = locateGold(passage, [doc]);
        if (!at) continue;
        gold.push({ docId: at.docId, start: at.start, end: at.end, passage: p });
        found = true;
      }
      if (!found) passagesNotFound++;
    });
    return { id: q.id, question: q.question, gold };
  });
  return { items, passagesNotFound };
}

export async function runLibrarySweep(db: LabDb, req: SweepRequest, deps: SweepDeps): Promise<SweepReply> {
  const started = performance.now();
  if (!req.settings.length) throw new AppError('bad-request', 'The sweep has no settings to measure: choose at least one chunk size, overlap, mode and header choice.');
  if (!req.questions.length) throw new AppError('bad-request', 'The chosen test set has no questions.');
  const documents = await sweepDocuments(db);
  if (!documents.length) throw new AppError('bad-request', 'The library is empty: add documents before running a sweep.');
  const { items, passagesNotFound } = locateSweepGold(documents, req.questions);
  const withGold = items.filter((i) => i.gold.length > 0).length;
  if (withGold === 0) {
    throw new AppError('bad-request', 'None of the test set\u2019s gold passages occurs in the library\u2019s documents, so retrieval cannot be scored. Choose a test set with gold passages copied from these documents.', { passages: String(passagesNotFound) });
  }
  deps.progress({ done: 0, total: req.settings.length, setting: null });
  const result = await runSweepSettings(
    documents,
    items,
    req.settings,
    { ...(deps.embed ? { embed: deps.embed } : {}), ...(deps.rerank ? { rerank: deps.rerank } : {}), signal: deps.signal, onProgress: (done, total, setting) => deps.progress({ done, total, setting }) },
    { ks: req.ks, mrrAt: req.mrrAt },
  );
  return {
    ...result,
    docs: documents.length,
    gold: { questions: items.length, withGold, passagesNotFound },
    embedder: deps.embedder,
    reranker: deps.reranker,
    ms: performance.now() - started,
  };
}
