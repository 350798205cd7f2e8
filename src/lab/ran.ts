// Compares what a lane was asked to run with what it ran, for the one-line summary each lane shows
// and for flagging evaluation items whose retrieval differed from the run's settings.

import type { RetrievalRan, SearchOptions } from '../protocol/messages';

/** The retrieval parts that ran, in display order: BM25, dense, rerank. */
export function ranParts(ran: RetrievalRan): ('bm25' | 'dense' | 'rerank')[] {
  return (['bm25', 'dense', 'rerank'] as const).filter((p) => ran[p]);
}

/** What shaped the hits after ranking: small-to-big expansion, and how many near-duplicates were merged (older records: neither). */
export function ranShaping(ran: RetrievalRan): { smallToBig: boolean; collapsed: number } {
  return { smallToBig: ran.smallToBig === true, collapsed: ran.collapsed ?? 0 };
}

/**
 * True when a requested part did not run, one ran that was not requested, dense search used another
 * embedder's vectors than the one asked for, or it covered only part of the library (chunks were
 * still being embedded in the background): an answer from 5% of the vectors is not the configured method.
 */
export function retrievalDiffers(asked: Pick<SearchOptions, 'bm25' | 'dense' | 'rerank'>, askedEmbedder: string, ran: RetrievalRan | null): boolean {
  if (!ran) return false;
  return asked.bm25 !== ran.bm25 || asked.dense !== ran.dense || asked.rerank !== ran.rerank || (ran.dense && (ran.embedder !== askedEmbedder || ran.vectors < ran.chunks));
}
