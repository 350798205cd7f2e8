// Scores one answer of one lane against one test item (pure): answer vs reference, gold passages
// in the answer, retrieval against gold passages/documents, groundedness, refusal and cost.
// Citation markers are stripped before comparing with the reference, so citing does not cost RAG points.

import { stripCitations } from '../strategies/citations';
import type { GenUsage, SearchHit } from '../protocol/messages';
import type { TestItem } from '../store/db';
import {
  GOLD_MATCH_THRESHOLD, containment, exactMatch, goldMatches, groundedness, hitAtK, isRefusal, mean, mrr, precisionAtK, rougeL, tokenF1,
} from './metrics';

/** The part of a retrieved chunk scoring needs. */
export type ScoredChunk = Pick<SearchHit, 'chunkId' | 'docName' | 'text'>;

export interface RetrievalScores {
  /** The k the lane retrieved with (metrics look at the first k hits). */
  k: number;
  hit: 0 | 1;
  recall: number;
  precision: number;
  /** Reciprocal rank of the first gold chunk (0 when none); its mean is MRR. */
  rr: number;
  /** Retrieved chunk ids that count as gold. */
  goldChunkIds: string[];
}

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
  /** Share of the answer's content tokens found in the context the model was given (0 without context). */
  groundedness: number;
  /** Null for lanes that do not retrieve, and for items with no gold passage or document. */
  retrieval: RetrievalScores | null;
  promptTokens: number;
  outputTokens: number;
  ttftMs: number;
  totalMs: number;
  /** Decode speed, output tokens per second. */
  tps: number;
  retrievalMs: number;
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
 * A chunk is gold when it holds ≥ 80% of a gold passage's tokens (goldMatches), or when ≥ 80% of the
 * chunk lies inside a gold passage (a long passage split over several chunks). Without gold passages,
 * any chunk of the gold document is gold.
 */
export function isGoldChunk(chunk: ScoredChunk, item: Pick<TestItem, 'goldPassages' | 'goldDocument'>): boolean {
  if (item.goldPassages.length > 0) {
    return item.goldPassages.some((gp) => goldMatches(chunk.text, gp) || containment(gp, chunk.text) >= GOLD_MATCH_THRESHOLD);
  }
  return item.goldDocument !== undefined && sameDocName(chunk.docName, item.goldDocument);
}

/**
 * hit@k, recall@k, precision@k and reciprocal rank of the first k hits. Recall counts gold passages
 * (≥ 80% of a passage's tokens present in the first k chunks together), or the gold document found.
 * Null when the item has no gold to measure against.
 */
export function retrievalScores(hits: readonly ScoredChunk[], item: Pick<TestItem, 'goldPassages' | 'goldDocument'>, k: number): RetrievalScores | null {
  if (item.goldPassages.length === 0 && item.goldDocument === undefined) return null;
  const ids = hits.map((h) => h.chunkId);
  const gold = hits.filter((h) => isGoldChunk(h, item)).map((h) => h.chunkId);
  // A query with no gold chunk retrieved still has gold: a sentinel id keeps hit/precision/MRR at 0, not null.
  const goldIds = gold.length ? gold : ['\u0000none'];
  const top = hits.slice(0, k);
  let recall: number;
  if (item.goldPassages.length > 0) {
    const joined = top.map((h) => h.text).join('\n');
    recall = item.goldPassages.filter((gp) => containment(joined, gp) >= GOLD_MATCH_THRESHOLD).length / item.goldPassages.length;
  } else {
    recall = top.some((h) => isGoldChunk(h, item)) ? 1 : 0;
  }
  return {
    k,
    hit: hitAtK(ids, goldIds, k) ?? 0,
    recall,
    precision: precisionAtK(ids, goldIds, k) ?? 0,
    rr: mrr(ids.slice(0, k), goldIds) ?? 0,
    goldChunkIds: gold,
  };
}

export interface ScoreInput {
  answer: string;
  /** What retrieval returned (ranked); empty for lanes that do not retrieve. */
  hits: readonly ScoredChunk[];
  /** Texts of the chunks actually placed in the prompt. */
  contextTexts: readonly string[];
  retrieves: boolean;
  k: number;
  usage: GenUsage;
  retrievalMs: number;
}

export function scoreItem(item: TestItem, input: ScoreInput): ItemScores {
  const answer = stripCitations(input.answer);
  const answerable = item.answer.trim() !== '';
  const f1 = answerable ? tokenF1(answer, item.answer) : null;
  const contained = item.goldPassages.length ? mean(item.goldPassages.map((gp) => containment(answer, gp))) : null;
  return {
    answerable,
    em: answerable ? exactMatch(answer, item.answer) : null,
    f1: f1 ? f1.f1 : null,
    rougeL: answerable ? rougeL(answer, item.answer).f1 : null,
    recall: f1 ? f1.recall : null,
    containment: contained,
    refused: isRefusal(input.answer),
    groundedness: groundedness(input.answer, input.contextTexts),
    retrieval: input.retrieves ? retrievalScores(input.hits, item, input.k) : null,
    promptTokens: input.usage.promptTokens,
    outputTokens: input.usage.outputTokens,
    ttftMs: input.usage.ttftMs,
    totalMs: input.usage.totalMs,
    tps: input.usage.decodeTps,
    retrievalMs: input.retrievalMs,
  };
}
