// Scores one answer of one lane against one test item (pure): answer vs reference, gold passages in the
// answer, retrieval against gold passages located by position (or the gold document), lexical support,
// refusal and cost (the extra model calls of RAG lanes with steps included). Citation markers are stripped
// before comparing with the reference, so citing costs RAG nothing.

import { stripCitations } from '../strategies/citations';
import type { GenUsage, SearchHit } from '../protocol/messages';
import type { TestItem } from '../store/db';
import { spanRetrievalScores, type GoldSpan, type SpanRetrievalScores } from './gold';
import { containment, exactMatch, isRefusal, lexicalSupport, mean, rougeL, tokenF1 } from './metrics';

/** The part of a retrieved chunk scoring needs: where it sits in which document. */
export type ScoredChunk = Pick<SearchHit, 'chunkId' | 'docId' | 'docName' | 'start' | 'end' | 'alsoIn'>;

/** hit@k, recall@k, precision@k and the reciprocal rank of the first gold chunk, with how many gold passages were located. */
export type RetrievalScores = SpanRetrievalScores;

export interface ItemScores {
  /** False when the reference answer is empty: the right behaviour is to say it does not know. */
  answerable: boolean;
  /** Answer vs reference; null for unanswerable items. */
  em: 0 | 1 | null;
  f1: number | null;
  rougeL: number | null;
  /** Share of the reference's tokens found in the answer (token recall). */
  recall: number | null;
  /** Mean share of each gold passage's tokens found in the answer; null without gold passages. */
  containment: number | null;
  /** The answer says it cannot answer / does not know. */
  refused: boolean;
  /**
   * Share of the answer's content tokens found in the context the model was given (0 without context).
   * Word overlap: it cannot see contradictions (see LEXICAL_SUPPORT_NOTE).
   */
  lexicalSupport: number;
  /** Null for lanes that do not retrieve, and for items with no located gold passage and no gold document. */
  retrieval: RetrievalScores | null;
  /** Prompt tokens of every model call the lane made: the answer's plus its extra steps' (HyDE, rewrites, check). */
  promptTokens: number;
  /** Output tokens of every model call the lane made, extra steps included. */
  outputTokens: number;
  /** The answer call's time to its first token, ms (extra steps not included). */
  ttftMs: number;
  /** Generation time of every model call the lane made, ms, extra steps included. */
  totalMs: number;
  /** Decode speed of the answer call, output tokens per second. */
  tps: number;
  retrievalMs: number;
  /** The extra steps' share of the totals above (absent for lanes without extra calls). */
  steps?: { calls: number; promptTokens: number; outputTokens: number; totalMs: number };
}

/** "Handbook.MD " and "handbook" name the same document: case, spaces and the extension are ignored. */
export function sameDocName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').trim().toLowerCase();
  const stem = (s: string) => s.replace(/\.[a-z0-9]{1,5}$/u, '');
  const x = norm(a);
  const y = norm(b);
  return x !== '' && (x === y || stem(x) === stem(y));
}

/**
 * Retrieval scores of the first k hits. With gold passages: by position against their located spans
 * (`goldSpans[i]` for `item.goldPassages[i]`, null where the passage is in no document); a chunk is gold
 * when it covers at least half of a span. With only a gold document: any chunk of that document is
 * gold, and recall is 1 when one is among the first k. Null when there is nothing to measure against.
 */
export function retrievalScores(
  hits: readonly ScoredChunk[],
  item: Pick<TestItem, 'goldPassages' | 'goldDocument'>,
  goldSpans: readonly (GoldSpan | null)[],
  k: number,
): RetrievalScores | null {
  if (item.goldPassages.length > 0) {
    if (goldSpans.length !== item.goldPassages.length) throw new RangeError(`${item.goldPassages.length} gold passages but ${goldSpans.length} located spans`);
    return spanRetrievalScores(hits, goldSpans, k);
  }
  const goldDoc = item.goldDocument;
  if (goldDoc === undefined) return null;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const top = [...new Map(hits.slice(0, k).map((h) => [h.chunkId, h])).values()];
  const gold = top.filter((h) => sameDocName(h.docName, goldDoc));
  const first = top.findIndex((h) => sameDocName(h.docName, goldDoc));
  return {
    k,
    hit: gold.length ? 1 : 0,
    recall: gold.length ? 1 : 0,
    precision: gold.length / k,
    rr: first < 0 ? 0 : 1 / (first + 1),
    goldChunkIds: gold.map((h) => h.chunkId),
    located: 1,
    unlocated: 0,
  };
}

export interface ScoreInput {
  answer: string;
  /** What retrieval returned (ranked); empty for lanes that do not retrieve. */
  hits: readonly ScoredChunk[];
  /** Texts of the chunks actually placed in the prompt. */
  contextTexts: readonly string[];
  /** The item's gold passages located in the documents (`locateItemGold`), index for index; null where not found. */
  goldSpans: readonly (GoldSpan | null)[];
  retrieves: boolean;
  k: number;
  usage: GenUsage;
  /** Usage of the lane's extra model calls (`stepUsages` of its steps), so cost comparisons count them. */
  stepUsage?: readonly GenUsage[];
  retrievalMs: number;
}

export function scoreItem(item: TestItem, input: ScoreInput): ItemScores {
  const answer = stripCitations(input.answer);
  const answerable = item.answer.trim() !== '';
  const f1 = answerable ? tokenF1(answer, item.answer) : null;
  const contained = item.goldPassages.length ? mean(item.goldPassages.map((gp) => containment(answer, gp))) : null;
  const extra = extraCost(input.stepUsage);
  return {
    answerable,
    em: answerable ? exactMatch(answer, item.answer) : null,
    f1: f1 ? f1.f1 : null,
    rougeL: answerable ? rougeL(answer, item.answer).f1 : null,
    recall: f1 ? f1.recall : null,
    containment: contained,
    refused: isRefusal(input.answer),
    lexicalSupport: lexicalSupport(input.answer, input.contextTexts),
    retrieval: input.retrieves ? retrievalScores(input.hits, item, input.goldSpans, input.k) : null,
    promptTokens: input.usage.promptTokens + (extra?.promptTokens ?? 0),
    outputTokens: input.usage.outputTokens + (extra?.outputTokens ?? 0),
    ttftMs: input.usage.ttftMs,
    totalMs: input.usage.totalMs + (extra?.totalMs ?? 0),
    tps: input.usage.decodeTps,
    retrievalMs: input.retrievalMs,
    ...(extra ? { steps: extra } : {}),
  };
}

/** The extra calls' tokens and ms summed; null when there were none. */
function extraCost(usage: readonly GenUsage[] | undefined): NonNullable<ItemScores['steps']> | null {
  if (!usage?.length) return null;
  return {
    calls: usage.length,
    promptTokens: usage.reduce((s, u) => s + u.promptTokens, 0),
    outputTokens: usage.reduce((s, u) => s + u.outputTokens, 0),
    totalMs: usage.reduce((s, u) => s + u.totalMs, 0),
  };
}
