// LLM-written context sentences on the Documents screen: how many chunks have one and who wrote them,
// what writing the rest costs (shown before anything runs), the run itself through the page's LLM
// (progress, Cancel; each batch is stored and indexed by the knowledge worker as it finishes) and
// removing them. Replies that are not one usable sentence are counted, never indexed.

import { isAbort } from '../protocol/errors';
import type { GenParams, GenResult } from '../protocol/messages';
import { CONTEXT_MAX_NEW_TOKENS, contextPrompt, documentLang, estimateContextCost, parseContextSentence, type ContextCost } from '../retrieval/contextual';
import type { ChunkRecord, LabDb } from '../store/db';
import type { ChunkContextEntry } from '../store/documents';
import { getChunks, getDocument, listDocuments } from '../store/documents';
import type { KnowledgeState } from './knowledge.svelte';
import type { LlmState } from './llm.svelte';

/** The context key of the one ChunkContextState (made through `States.once`). */
export const CHUNK_CONTEXT_STATE = Symbol('chunk-context');

/** Sentences stored and indexed together: a cancel keeps every finished batch. */
const WRITE_BATCH = 8;

/** Greedy and short: one sentence, reproducible. */
export const CONTEXT_PARAMS: GenParams = { maxNewTokens: CONTEXT_MAX_NEW_TOKENS, temperature: 0, topP: 1 };

export interface ChunkContextDeps {
  db: () => Promise<LabDb>;
  knowledge: Pick<KnowledgeState, 'setContexts'>;
  llm: Pick<LlmState, 'generate'>;
  /** The chosen LLM's id (what the cost line names before anything is loaded). */
  llmId: () => string;
}

export interface ContextSummary {
  chunks: number;
  withContext: number;
  /** Models that wrote the stored sentences. */
  models: string[];
  /** What writing a sentence for every chunk without one costs. */
  cost: ContextCost;
}

export class ChunkContextState {
  summary = $state.raw<ContextSummary | null>(null);
  progress = $state<{ done: number; total: number } | null>(null);
  result = $state.raw<{ written: number; refused: number; model: string } | null>(null);
  removed = $state(false);
  error = $state<unknown>(null);
  #ctrl: AbortController | null = null;

  constructor(private readonly deps: ChunkContextDeps) {}

  running = $derived(this.progress !== null);

  /** Counts sentences and estimates the cost of the missing ones (reads every document's text once). */
  async refresh(): Promise<void> {
    try {
      const db = await this.deps.db();
      const docs = [];
      const missing: ChunkRecord[] = [];
      const models = new Set<string>();
      let chunks = 0;
      for (const summary of await listDocuments(db)) {
        const doc = await getDocument(db, summary.id);
        if (!doc) continue;
        docs.push({ id: doc.id, name: doc.name, title: doc.title, text: doc.text, lang: documentLang(doc.text) });
        for (const c of await getChunks(db, doc.id)) {
          chunks++;
          if (c.context) models.add(c.contextModel ?? '?');
          else missing.push(c);
        }
      }
      this.summary = { chunks, withContext: chunks - missing.length, models: [...models], cost: estimateContextCost(docs, missing) };
    } catch (e) {
      this.error = e;
    }
  }

  /** Writes a sentence for every chunk without one, document by document, storing each batch as it is done. */
  async write(): Promise<void> {
    this.#ctrl?.abort();
    const ctrl = (this.#ctrl = new AbortController());
    this.error = null;
    this.result = null;
    this.removed = false;
    let written = 0;
    let refused = 0;
    let model = this.deps.llmId();
    try {
      const db = await this.deps.db();
      const total = this.summary ? this.summary.chunks - this.summary.withContext : 0;
      this.progress = { done: 0, total };
      let done = 0;
      for (const summary of await listDocuments(db)) {
        if (ctrl.signal.aborted) break;
        const doc = await getDocument(db, summary.id);
        if (!doc) continue;
        const lang = documentLang(doc.text);
        let batch: ChunkContextEntry[] = [];
        const flush = async () => {
          if (!batch.length) return;
          const b = batch;
          batch = [];
          await this.deps.knowledge.setContexts(b);
          written += b.length;
        };
        for (const c of await getChunks(db, doc.id)) {
          if (c.context) continue;
          if (ctrl.signal.aborted) break;
          const messages = contextPrompt({ lang, header: { name: doc.name, title: doc.title, headingPath: c.headingPath }, documentText: doc.text, start: c.start, end: c.end });
          let gen: GenResult;
          try {
            gen = await this.deps.llm.generate(messages, CONTEXT_PARAMS, () => undefined, ctrl.signal);
          } catch (e) {
            if (isAbort(e)) break;
            throw e;
          }
          model = gen.model.model;
          const parsed = parseContextSentence(gen.text);
          if (parsed.ok) batch.push({ id: c.id, context: parsed.sentence, model });
          else refused++;
          this.progress = { done: ++done, total: Math.max(total, done) };
          if (batch.length >= WRITE_BATCH) await flush();
        }
        await flush();
      }
      this.result = { written, refused, model };
    } catch (e) {
      if (!isAbort(e)) this.error = e;
      this.result = { written, refused, model };
    } finally {
      if (this.#ctrl === ctrl) {
        this.progress = null;
        this.#ctrl = null;
      }
      await this.refresh();
    }
  }

  cancel(): void {
    this.#ctrl?.abort();
  }

  /** Removes every stored context sentence (the chunks are indexed and embedded again without it). */
  async remove(): Promise<void> {
    this.error = null;
    this.result = null;
    try {
      const db = await this.deps.db();
      const entries: ChunkContextEntry[] = [];
      for (const summary of await listDocuments(db)) for (const c of await getChunks(db, summary.id)) if (c.context) entries.push({ id: c.id, context: null });
      if (entries.length) await this.deps.knowledge.setContexts(entries);
      this.removed = true;
    } catch (e) {
      this.error = e;
    } finally {
      await this.refresh();
    }
  }
}
