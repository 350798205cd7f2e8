// The retrieval inspector's state: a query, which methods are on, and the ranked chunks with every
// score, so a person can see why each chunk was chosen. It searches exactly like a RAG lane does
// (KnowledgeState.laneDeps), so what it shows is what a lane would get.

import type { SearchOptions, SearchResult } from '../protocol/messages';
import type { KnowledgeState } from './knowledge.svelte';

export class SearchState {
  query = $state('');
  opts = $state<SearchOptions>({ k: 10, dense: true, bm25: true, rerank: false });
  result = $state.raw<SearchResult | null>(null);
  error = $state<unknown>(null);
  busy = $state(false);
  #ctrl: AbortController | null = null;

  constructor(private readonly knowledge: KnowledgeState) {}

  /** `degrade`: the user chose to search without the parts that cannot load (recorded in the result). */
  async search(degrade = false): Promise<void> {
    const q = this.query.trim();
    if (!q) return;
    this.#ctrl?.abort();
    const ctrl = (this.#ctrl = new AbortController());
    this.busy = true;
    this.error = null;
    try {
      const retrieval = await this.knowledge.laneDeps($state.snapshot(this.opts), { degrade });
      const r = await retrieval.search(q, ctrl.signal);
      if (this.#ctrl === ctrl) this.result = r;
    } catch (e) {
      if (this.#ctrl === ctrl) this.error = e;
    } finally {
      if (this.#ctrl === ctrl) this.busy = false;
    }
  }
}
