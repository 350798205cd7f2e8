// The retrieval inspector's state: a query, which methods are on, and the ranked chunks with every
// score, so a person can see why each chunk was chosen.

import type { SearchOptions, SearchResult } from '../protocol/messages';
import type { AppState } from './app.svelte';
import type { RuntimeState } from './runtime.svelte';

export class SearchState {
  query = $state('');
  opts = $state<SearchOptions>({ k: 10, dense: true, bm25: true, rerank: false });
  result = $state.raw<SearchResult | null>(null);
  error = $state<unknown>(null);
  busy = $state(false);
  #ctrl: AbortController | null = null;

  constructor(
    private readonly app: AppState,
    private readonly runtime: RuntimeState,
  ) {}

  async search(): Promise<void> {
    const q = this.query.trim();
    if (!q) return;
    this.#ctrl?.abort();
    const ctrl = (this.#ctrl = new AbortController());
    this.busy = true;
    this.error = null;
    try {
      if (this.opts.dense) await this.runtime.loadEmbedder().catch(() => undefined);
      if (this.opts.rerank) await this.runtime.loadReranker();
      const r = await this.app.knowledge.search(q, $state.snapshot(this.opts), ctrl.signal);
      if (this.#ctrl === ctrl) this.result = r;
    } catch (e) {
      if (this.#ctrl === ctrl) this.error = e;
    } finally {
      if (this.#ctrl === ctrl) this.busy = false;
    }
  }
}
