// Shapes a ranked list of search hits for the page: one passage once (near-duplicate chunks collapsed
// into the best-ranked one, the others listed as its `alsoIn` sources) before the top-k cut, and, for
// small-to-big, each kept hit's enclosing section as the passage a prompt shows. Pure.
import type { DuplicateSource, SearchHit } from '../protocol/messages';
import { estimateTokens } from '../strategies/tokens';
import { dedupeRanked } from './dedupe';
import { expandToSections, type SourceDocument } from './small-to-big';

/**
 * Collapses near-duplicates in `ranked` (best first, compared on their chunk text), keeps the first
 * `k` distinct passages, renumbers their ranks 1…k and lists each one's duplicates in `alsoIn`.
 * `collapsed` counts the duplicates attached to the returned hits.
 */
export function collapseDuplicates(ranked: readonly SearchHit[], k: number): { hits: SearchHit[]; collapsed: number } {
  const groups = dedupeRanked(ranked).slice(0, k);
  let collapsed = 0;
  const hits = groups.map((g, i): SearchHit => {
    const { alsoIn: _prior, ...hit } = g.item;
    if (!g.duplicates.length) return { ...hit, rank: i + 1 };
    collapsed += g.duplicates.length;
    const alsoIn: DuplicateSource[] = g.duplicates.map((d, j) => ({
      chunkId: d.chunkId,
      docId: d.docId,
      docName: d.docName,
      start: d.start,
      end: d.end,
      ...(d.page !== undefined ? { page: d.page } : {}),
      similarity: g.similarity[j],
    }));
    return { ...hit, rank: i + 1, alsoIn };
  });
  return { hits, collapsed };
}

/**
 * Every place a hit's passage was found: the hit's own chunk, then its collapsed copies. Evaluation
 * scores retrieval by position against these, so keeping the PDF copy of a gold passage found in the
 * text copy still counts as finding it.
 */
export function hitPlaces(hit: Pick<SearchHit, 'chunkId' | 'docId' | 'start' | 'end' | 'alsoIn'>): { chunkId: string; docId: string; start: number; end: number }[] {
  return [{ chunkId: hit.chunkId, docId: hit.docId, start: hit.start, end: hit.end }, ...(hit.alsoIn ?? []).map((d) => ({ chunkId: d.chunkId, docId: d.docId, start: d.start, end: d.end }))];
}

/**
 * Tokens a context entry costs beyond its passage text: the "[n] (document › headings)" label the
 * RAG prompt puts before it (src/strategies/rag.ts), estimated for the longest label of these hits.
 */
export function labelOverhead(hits: readonly SearchHit[]): number {
  let most = 0;
  hits.forEach((h, i) => {
    const where = h.headingPath?.length ? ` › ${h.headingPath.join(' › ')}` : h.page !== undefined ? ' › p. 000' : '';
    most = Math.max(most, estimateTokens(`[${i + 1}] (${h.docName}${where}) `));
  });
  // Entries are joined by a blank line.
  return most + 1;
}

/**
 * Small-to-big: replaces each hit's chunk, for the prompt, by its enclosing section within `budget`
 * tokens in all (labels included; one passage takes at most half of it when there are several hits,
 * so one long section cannot crowd out the rest). A hit inside a better-ranked hit's passage gets
 * `inPassageOf`; a hit past the budget gets no passage (the prompt stops before it anyway).
 * Documents are looked up in `docs` by id.
 */
export function attachPassages(hits: readonly SearchHit[], docs: ReadonlyMap<string, SourceDocument>, budget: number): SearchHit[] {
  const expansion = expandToSections(
    hits.map((h) => ({ id: h.chunkId, docId: h.docId, start: h.start, end: h.end })),
    docs,
    { budget, maxPassageTokens: hits.length > 1 ? Math.ceil(budget / 2) : budget, overheadTokens: labelOverhead(hits) },
  );
  const holder = new Map<string, string>();
  const passageOf = new Map<string, (typeof expansion.passages)[number]>();
  for (const p of expansion.passages) {
    passageOf.set(p.hitIds[0], p);
    for (const id of p.hitIds.slice(1)) holder.set(id, p.hitIds[0]);
  }
  return hits.map((h) => {
    const p = passageOf.get(h.chunkId);
    if (p) {
      return {
        ...h,
        passage: {
          text: p.text,
          start: p.start,
          end: p.end,
          tokens: p.tokens,
          expanded: p.expanded,
          ...(p.page !== undefined ? { page: p.page } : {}),
          ...(p.headingPath ? { headingPath: p.headingPath } : {}),
          holds: p.hitIds.slice(1),
        },
      };
    }
    const by = holder.get(h.chunkId);
    return by ? { ...h, inPassageOf: by } : h;
  });
}
