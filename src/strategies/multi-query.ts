// Multi-query retrieval (as in RAG-Fusion): the model rewrites the question into three search
// queries; each is searched, and the rankings (with the original question's) are fused by
// reciprocal rank. Prompts (en/zh), a parser that reads numbered lists, bullets or JSON, and the fusion.
import { rrf, RRF_K, type Fused } from '../retrieval/hybrid';
import type { SearchHit } from '../protocol/messages';
import { cleanReply, jsonBlocks } from './model-reply';
import type { ChatMessage } from './types';

/** Rewrites asked for. */
export const MULTI_QUERY_COUNT = 3;
/** Reply budget, tokens: three short lines. */
export const MULTI_QUERY_MAX_NEW_TOKENS = 120;
/** A "query" longer than this many characters is prose, not a query. */
export const MAX_QUERY_CHARS = 200;

/** Shown verbatim in the UI and sent verbatim to the model. */
export const MULTI_QUERY_INSTRUCTION: Record<'en' | 'zh', string> = {
  en:
    `Rewrite the user's question as ${MULTI_QUERY_COUNT} different search queries for a document search engine. ` +
    'Each query must ask for the same information, in other words: use synonyms, name the likely document, ' +
    'command, option or setting, or split a compound question. Keep technical terms exactly as written. ' +
    `Reply with only the ${MULTI_QUERY_COUNT} queries, one per line, numbered 1. 2. 3., and nothing else.`,
  zh:
    `把用户的问题改写成 ${MULTI_QUERY_COUNT} 个不同的检索查询，供文档搜索引擎使用。` +
    '每个查询都要问同一件事，但换一种说法：使用同义词，写出可能相关的文档、命令、选项或设置的名称，或者把复合问题拆开。' +
    '技术术语保持原样。' +
    `只回复这 ${MULTI_QUERY_COUNT} 个查询，每行一个，按 1. 2. 3. 编号，不要写别的内容。`,
};

const LABEL = { en: 'Question: ', zh: '问题：' } as const;

export function multiQueryMessages(question: string, lang: 'en' | 'zh'): ChatMessage[] {
  return [
    { role: 'system', content: MULTI_QUERY_INSTRUCTION[lang] },
    { role: 'user', content: LABEL[lang] + question.trim() },
  ];
}

export interface MultiQueryParse {
  /** Distinct rewrites, at most MULTI_QUERY_COUNT, in the model's order. */
  queries: string[];
  /** What the parser had to drop or could not find, for the lane's "what ran" record. */
  problems: string[];
}

// "1." "1)" "(1)" "1、" "Q1:" "Query 1 -" "查询1：" "一、" "- " "* " "• ", and a bare "Question:" / "Query:" /
// "问题：" label (a model repeating the prompt's "Question: …" line gives the question back, not a rewrite).
const MARKER = /^\s*(?:(?:q(?:uery)?|查询|问题)\s*\d+\s*[:：.)、-]?|(?:question|query|问题|查询)\s*[:：]|\(?\d{1,2}\s*[.)、:：]|[一二三四五六七八九十][、.．]|[-*•·]\s)\s*/iu;
const PREAMBLE = /[:：]\s*$/u; // "Here are three queries:" / "以下是三个查询："
const QUOTES = /^["'“‘「『`]+|["'”’」』`]+$/gu;

const key = (q: string) => q.normalize('NFKC').toLowerCase().replace(/[\s\p{P}]+/gu, '');

/**
 * Reads the rewrites: a JSON array (or {"queries": [...]}) if the reply has one, else one query per
 * line with numbering, bullets and quotes removed; preamble lines ending in a colon, lines that
 * repeat the question or an earlier query, and over-long lines are dropped. Problems are reported,
 * never silently: fewer than three queries is a problem the lane must show.
 */
export function parseMultiQuery(reply: string, question: string): MultiQueryParse {
  const text = cleanReply(reply);
  const problems: string[] = [];
  let candidates: string[] | null = null;
  for (const block of jsonBlocks(text)) {
    const list = Array.isArray(block) ? block : typeof block === 'object' && block !== null && 'queries' in block ? block.queries : null;
    if (Array.isArray(list) && list.every((x) => typeof x === 'string')) {
      candidates = list;
      break;
    }
  }
  if (candidates === null) {
    candidates = text
      .split(/\r?\n/)
      .filter((line) => line.trim() && !PREAMBLE.test(line.trim()))
      .map((line) => line.replace(MARKER, ''));
  }
  const seen = new Set([key(question)]);
  const queries: string[] = [];
  for (const raw of candidates) {
    // Markdown bold and code marks are formatting, not part of the query.
    const q = raw.replace(/\*\*|`/g, '').replace(QUOTES, '').replace(/\s+/g, ' ').trim();
    if (!/[\p{L}\p{N}]/u.test(q)) continue;
    if (q.length > MAX_QUERY_CHARS) {
      problems.push(`dropped an over-long line (${q.length} characters)`);
      continue;
    }
    const k = key(q);
    if (seen.has(k)) {
      problems.push(queries.length === 0 && k === key(question) ? 'dropped a copy of the question' : 'dropped a repeated query');
      continue;
    }
    seen.add(k);
    queries.push(q);
    if (queries.length === MULTI_QUERY_COUNT) break;
  }
  if (queries.length < MULTI_QUERY_COUNT) problems.push(`the model gave ${queries.length} usable quer${queries.length === 1 ? 'y' : 'ies'} of ${MULTI_QUERY_COUNT}`);
  return { queries, problems };
}

/** The queries the lane searches: the original question first (so a bad rewrite cannot lose what plain RAG finds), then the rewrites. */
export function multiQueryPlan(question: string, parsed: MultiQueryParse): string[] {
  return [question.trim(), ...parsed.queries];
}

/**
 * Fuses one ranking per query (each best first, as `multiQueryPlan` ordered them) by reciprocal
 * rank (Cormack et al. 2009, k = 60), the same RRF the hybrid search uses; top `k` results.
 */
export function fuseQueryRankings(rankings: readonly (readonly { id: string }[])[], k: number, rrfK = RRF_K): Fused[] {
  return rrf(rankings, rrfK).slice(0, Math.max(0, k));
}

const covers = (outer: SearchHit, inner: SearchHit): boolean =>
  outer.passage !== undefined && outer.docId === inner.docId && outer.passage.start <= inner.start && inner.end <= outer.passage.end;

/**
 * The hits the lane's prompt gets from several searches (one per query, each best first, as
 * `multiQueryPlan` ordered them): fused by reciprocal rank (`fuseQueryRankings`), top `k`. Each hit
 * is the copy from the search that ranked it best. One passage once across searches: a hit that is a
 * near-duplicate already collapsed into a kept hit (its `alsoIn`), or that collapsed a kept hit, is
 * dropped; with small-to-big, a hit inside a better fused hit's passage points to it (`inPassageOf`)
 * instead of being shown twice, and each passage's `holds` is recomputed. `rank` and `fused` are the fused ones.
 */
export function fuseQueryHits(rankings: readonly (readonly SearchHit[])[], k: number, rrfK = RRF_K): SearchHit[] {
  const best = new Map<string, SearchHit>();
  for (const list of rankings) for (const h of list) if ((best.get(h.chunkId)?.rank ?? Infinity) > h.rank) best.set(h.chunkId, h);
  const kept: SearchHit[] = [];
  const keptIds = new Set<string>();
  const copies = new Set<string>();
  for (const f of rrf(rankings.map((list) => list.map((h) => ({ id: h.chunkId }))), rrfK)) {
    if (kept.length >= Math.max(0, k)) break;
    const h = best.get(f.id)!;
    if (copies.has(h.chunkId) || (h.alsoIn ?? []).some((d) => keptIds.has(d.chunkId))) continue;
    const { inPassageOf: _held, ...rest } = h;
    const holder = kept.find((o) => covers(o, h));
    const hit: SearchHit = holder ? { ...rest, inPassageOf: holder.chunkId } : { ...rest };
    if (holder) delete hit.passage;
    kept.push({ ...hit, rank: kept.length + 1, fused: f.score });
    keptIds.add(h.chunkId);
    for (const d of h.alsoIn ?? []) copies.add(d.chunkId);
  }
  return kept.map((h) => (h.passage ? { ...h, passage: { ...h.passage, holds: kept.filter((o) => o.inPassageOf === h.chunkId).map((o) => o.chunkId) } } : h));
}
