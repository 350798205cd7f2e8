// Drafting test questions from documents: the LLM proposes question/answer pairs about chunks spread
// over each chosen document; the user edits, accepts (into the current test set) or rejects each.

import { draftMessages, parseDraft, proposalToItem, type DraftProposal } from '../../eval/draft';
import { isAbort } from '../../protocol/errors';
import type { GenParams } from '../../protocol/messages';
import type { ChunkRecord, DocSummary, LabDb } from '../../store/db';
import { getChunks, listDocuments } from '../../store/documents';
import type { Lang } from '../../i18n/lang';
import type { LlmState } from '../llm.svelte';
import type { TestSetsState } from './test-sets.svelte';

const DRAFT_PARAMS: GenParams = { maxNewTokens: 384, temperature: 0, topP: 1 };

/** Up to n chunks spread evenly over a document, so drafting covers more than its opening. */
export function spreadChunks(chunks: readonly ChunkRecord[], n: number): ChunkRecord[] {
  if (chunks.length <= n) return [...chunks];
  return Array.from({ length: n }, (_, i) => chunks[Math.floor((i * chunks.length) / n)]);
}

export class DraftsState {
  docs = $state.raw<DocSummary[]>([]);
  drafting = $state<{ done: number; total: number } | null>(null);
  proposals = $state<DraftProposal[]>([]);
  /** The last drafting round: chunks asked, and those whose reply could not be read as question/answer pairs. */
  draftResult = $state<{ chunks: number; unparsable: number } | null>(null);
  draftError = $state<unknown>(null);
  #ctrl: AbortController | null = null;

  constructor(
    private readonly deps: {
      db: () => Promise<LabDb>;
      llm: Pick<LlmState, 'load' | 'generate'>;
      sets: TestSetsState;
      prefs: { readonly lang: Lang };
      /** The name of a set created for drafts, in the UI language. */
      setName: () => string;
    },
  ) {}

  async refreshDocs(): Promise<void> {
    this.docs = await listDocuments(await this.deps.db());
  }

  /** Asks the LLM for question/answer pairs about up to `perDoc` chunks of each chosen document. */
  async draft(docIds: string[], perDoc: number): Promise<void> {
    if (this.drafting) return;
    const ctrl = (this.#ctrl = new AbortController());
    this.draftError = null;
    this.draftResult = null;
    let unparsable = 0;
    try {
      const db = await this.deps.db();
      const jobs: { chunk: ChunkRecord; docName: string }[] = [];
      for (const id of docIds) {
        const doc = this.docs.find((d) => d.id === id);
        if (!doc) continue;
        for (const chunk of spreadChunks(await getChunks(db, id), perDoc)) jobs.push({ chunk, docName: doc.name });
      }
      let done = 0;
      this.drafting = { done, total: jobs.length };
      await this.deps.llm.load();
      for (const { chunk, docName } of jobs) {
        if (ctrl.signal.aborted) break;
        const res = await this.deps.llm.generate(draftMessages(chunk.text, this.deps.prefs.lang), DRAFT_PARAMS, () => undefined, ctrl.signal);
        const pairs = parseDraft(res.text);
        if (!pairs.length) unparsable++;
        for (const [i, p] of pairs.entries()) {
          this.proposals.push({ ...p, key: `${chunk.id}#${i}#${Date.now()}`, sourceChunkId: chunk.id, docName, passage: chunk.text });
        }
        this.drafting = { done: ++done, total: jobs.length };
        this.draftResult = { chunks: done, unparsable };
      }
    } catch (e) {
      if (!isAbort(e)) this.draftError = e;
    } finally {
      this.drafting = null;
      this.#ctrl = null;
    }
  }

  cancel(): void {
    this.#ctrl?.abort();
  }

  /** Adds the (possibly edited) proposal to the current set, creating a set when there is none. */
  async accept(p: DraftProposal): Promise<void> {
    const sets = this.deps.sets;
    if (!sets.set) await sets.create(this.deps.setName());
    await sets.saveItem(proposalToItem(p, sets.nextItemId('d')));
    this.reject(p.key);
  }

  reject(key: string): void {
    this.proposals = this.proposals.filter((p) => p.key !== key);
  }
}
