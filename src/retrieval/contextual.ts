// Contextual chunk headers: the text indexed for a chunk (BM25 and embeddings alike) is its document's
// name, its heading path and, optionally, one sentence of context written by the LLM, then the chunk.
// Also the prompt, parser and cost estimate for that optional sentence. Pure; no model calls here.
import { estimateTokens } from '../strategies/tokens';
import type { ChatMessage } from '../strategies/types';

/**
 * The indexed text, in one stable format for every language (the index must not change when the UI
 * language does, and labels such as "Document:" would add the same words to every chunk):
 *
 *   {document label} › {heading 1} › {heading 2}\n
 *   {context sentence}\n            ← only when an LLM-written context exists
 *   \n
 *   {chunk text}
 *
 * `›` (U+203A) is punctuation to the tokenizer, so it adds no term, and it reads as a path in the
 * inspector. The document label is the file name without a document extension (`.md`, `.pdf`, …),
 * plus the title in parentheses when the title says something the file name does not.
 */
export const HEADER_SEPARATOR = ' \u203a ';

/**
 * Version of the indexed-text format above. Stored vectors are tagged with it (src/store/vectors.ts
 * `vectorTag`), so vectors embedded from another format (bare chunk text, before headers) are never
 * mixed with current ones: they count as missing and are embedded again. Bump it when the format changes.
 */
export const INDEXED_TEXT_FORMAT = 'ctx1';

/** File extensions that only say which format a document came in: they would make "pdf" a term of every chunk of a PDF. */
const DOCUMENT_EXTENSIONS = /\.(?:md|markdown|mdx|txt|text|pdf|html?|xhtml|docx|epub|csv|tsv|json)$/i;

/** Headings deeper than this many levels keep only the innermost ones (the outer ones are usually the document title again). */
export const MAX_HEADING_LEVELS = 4;
/** Longest document label or heading kept in a header, in UTF-16 code units; longer ones are cut with "…". */
export const MAX_HEADER_PART = 80;

export interface HeaderSource {
  /** File name as shown in the library, e.g. "redis.conf" or "handbook.pdf". */
  name: string;
  /** Title from the document's metadata or first heading, when it has one. */
  title?: string;
  /** The chunk's enclosing headings, outermost first. */
  headingPath?: readonly string[];
}

/**
 * A heading as a reader sees it: Markdown links and images reduced to their text, inline HTML and
 * emphasis marks dropped, whitespace collapsed. Extractors keep headings raw ("[zhlint][site]",
 * "<img …/> zhlint"), and the raw syntax would only add noise terms.
 */
export function cleanHeading(raw: string): string {
  return raw
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // ![alt](src)
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url)
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1') // [text][ref]
    .replace(/<[^>]*>/g, ' ') // inline HTML
    .replace(/(^|\s)[*_]{1,3}|[*_]{1,3}(?=\s|$)/g, '$1') // emphasis markers at word edges
    .replace(/`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function cut(s: string): string {
  return s.length <= MAX_HEADER_PART ? s : `${s.slice(0, MAX_HEADER_PART - 1).trimEnd()}…`;
}

const fold = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[\s_\-.]+/g, ' ').trim();

/** "handbook" from "handbook.pdf"; "redis.conf" stays, because ".conf" says what the file is about. */
export function documentLabel(src: Pick<HeaderSource, 'name' | 'title'>): string {
  const stem = cleanHeading(src.name.replace(DOCUMENT_EXTENSIONS, '')) || src.name.trim();
  const title = src.title ? cleanHeading(src.title) : '';
  if (!title) return cut(stem);
  const t = fold(title);
  const s = fold(stem);
  // A title that repeats the file name (or is contained in it) adds nothing; a generic file name
  // ("document1") with a real title gets both, so either name finds the document.
  if (!t || s.includes(t)) return cut(stem);
  if (t.includes(s)) return cut(title);
  return `${cut(stem)} (${cut(title)})`;
}

/**
 * The header line of a chunk: document label, then the heading path without entries that merely
 * repeat the previous part (Markdown titles are usually also the first heading).
 */
export function chunkHeader(src: HeaderSource): string {
  const label = documentLabel(src);
  const parts = [label];
  const headings = (src.headingPath ?? []).map(cleanHeading).filter(Boolean);
  for (const h of headings.slice(-MAX_HEADING_LEVELS)) {
    const prev = fold(parts[parts.length - 1]);
    const cur = fold(h);
    if (cur === prev || prev.includes(`(${cur})`) || (parts.length === 1 && fold(label).includes(cur))) continue;
    parts.push(cut(h));
  }
  return parts.join(HEADER_SEPARATOR);
}

/** The text indexed for BM25 and embedded for dense search (format above). `context` is the optional LLM sentence. */
export function indexedText(header: string, chunkText: string, context?: string | null): string {
  const ctx = context?.trim();
  return ctx ? `${header}\n${ctx}\n\n${chunkText}` : `${header}\n\n${chunkText}`;
}

export interface IndexedParts {
  header: string;
  context: string | null;
  text: string;
}

/**
 * Splits an indexed text back into its parts, for the inspector's "what was indexed" view (which
 * shows the header and context apart from the chunk, and highlights matches in each).
 * Returns null when `indexed` does not end with `chunkText` in this format.
 */
export function splitIndexed(indexed: string, chunkText: string): IndexedParts | null {
  if (!indexed.endsWith(`\n\n${chunkText}`)) return null;
  const head = indexed.slice(0, indexed.length - chunkText.length - 2);
  const nl = head.indexOf('\n');
  if (nl === -1) return { header: head, context: null, text: chunkText };
  return { header: head.slice(0, nl), context: head.slice(nl + 1), text: chunkText };
}

// ---------------------------------------------------------------------------------------------
// Optional LLM-written context sentence

/** Reply budget for the context sentence, tokens: one sentence rarely needs more. */
export const CONTEXT_MAX_NEW_TOKENS = 60;
/** Default share of the document shown around the chunk, tokens (small local models have 2–4k windows). */
export const CONTEXT_EXCERPT_TOKENS = 1200;

const CONTEXT_PROMPT = {
  en: {
    system:
      'You situate a passage within its document so that a search engine can find it. Reply with one short sentence ' +
      '(at most 30 words) that says what the passage is about and where it sits in the document: name the document, ' +
      'the section and the subject (command, option, setting, product) it concerns. Do not answer questions, do not ' +
      'repeat the passage, no preamble.',
    doc: 'Document',
    excerpt: 'Excerpt of the document',
    chunk: 'Passage to situate',
  },
  zh: {
    system:
      '你的任务是说明一段文字在其文档中的位置，方便搜索引擎找到它。只用一句简短的话（不超过 50 个字）回答：' +
      '说明这段文字讲的是什么、位于文档的哪一部分，写出文档名称、章节以及所涉及的对象（命令、选项、设置、产品）。' +
      '不要回答问题，不要复述原文，不要写开场白。',
    doc: '文档',
    excerpt: '文档节选',
    chunk: '需要说明位置的文字',
  },
} as const;

/** Share of Han characters among the words of a text at or above which it is written in Chinese. */
export const HAN_SHARE_ZH = 0.3;

/**
 * The language a document is written in, for the context prompt (the sentence is indexed next to the
 * document's own words): Chinese when Han characters make up at least HAN_SHARE_ZH of the words in
 * its first `sample` code units, else English. A Han character counts as one word, as does each run
 * of other letters, so Chinese text full of English option names still reads as Chinese.
 */
export function documentLang(text: string, sample = 4000): 'en' | 'zh' {
  const head = text.slice(0, sample);
  const han = head.match(/\p{Script=Han}/gu)?.length ?? 0;
  const words = head.replace(/\p{Script=Han}/gu, ' ').match(/\p{L}+/gu)?.length ?? 0;
  return han + words > 0 && han / (han + words) >= HAN_SHARE_ZH ? 'zh' : 'en';
}

export interface ContextPromptInput {
  /** Language of the document (not of the UI): the sentence is indexed next to the document's words. */
  lang: 'en' | 'zh';
  header: HeaderSource;
  /** The whole document text. */
  documentText: string;
  /** The chunk's offsets into `documentText`, UTF-16 code units. */
  start: number;
  end: number;
  /** Most tokens of document shown around the chunk (default CONTEXT_EXCERPT_TOKENS). */
  excerptTokens?: number;
}

/**
 * A window of `text` around [start, end) holding at most `budget` estimated tokens, chunk included,
 * grown evenly on both sides, then pulled in to the nearest whitespace or punctuation within 32
 * code units so no word is cut (Chinese has no spaces: its punctuation serves, or any character).
 */
export function excerptAround(text: string, start: number, end: number, budget: number): { start: number; end: number } {
  let s = start;
  let e = end;
  if (estimateTokens(text.slice(s, e)) >= budget) return { start: s, end: e };
  // Grow by doubling steps on each side, then back off: O(log n) token counts, not one per character.
  let step = 256;
  while (step >= 16) {
    const ns = Math.max(0, s - step);
    const ne = Math.min(text.length, e + step);
    if ((ns === s && ne === e) || estimateTokens(text.slice(ns, ne)) > budget) {
      step >>= 1;
      continue;
    }
    s = ns;
    e = ne;
  }
  return { start: snapStart(text, s, start), end: snapEnd(text, e, end) };
}

const BREAK = /[\s\p{P}]/u;
const SNAP = 32;

/** Moves a window start (not past `limit`) to just after a break, if one is near; never into a surrogate pair. */
export function snapStart(text: string, s: number, limit: number): number {
  if (s <= 0) return 0;
  for (let i = s; i < Math.min(limit, s + SNAP); i++) if (BREAK.test(text[i - 1])) return i;
  const c = text.charCodeAt(s);
  return c >= 0xdc00 && c <= 0xdfff ? s + 1 : s;
}

/** Moves a window end (not before `limit`) back to a break, if one is near; never into a surrogate pair. */
export function snapEnd(text: string, e: number, limit: number): number {
  if (e >= text.length) return text.length;
  for (let i = e; i > Math.max(limit, e - SNAP); i--) if (BREAK.test(text[i])) return i;
  const c = text.charCodeAt(e - 1);
  return c >= 0xd800 && c <= 0xdbff ? e - 1 : e;
}

/** Chat messages asking for the chunk's context sentence; the document goes first so a cached prefix can be reused across its chunks. */
export function contextPrompt(input: ContextPromptInput): ChatMessage[] {
  const l = CONTEXT_PROMPT[input.lang];
  const budget = input.excerptTokens ?? CONTEXT_EXCERPT_TOKENS;
  const win = excerptAround(input.documentText, input.start, input.end, budget);
  const excerpt = input.documentText.slice(win.start, win.end).trim();
  const chunk = input.documentText.slice(input.start, input.end).trim();
  const user = [
    `${l.doc}: ${chunkHeader(input.header)}`,
    `${l.excerpt}:\n<document>\n${excerpt}\n</document>`,
    `${l.chunk}:\n<chunk>\n${chunk}\n</chunk>`,
  ].join('\n\n');
  return [
    { role: 'system', content: l.system },
    { role: 'user', content: user },
  ];
}

/** Longest context sentence accepted, estimated tokens; longer replies are cut to their first sentence or refused. */
export const CONTEXT_MAX_TOKENS = 80;

export type ContextParse = { ok: true; sentence: string } | { ok: false; reason: 'empty' | 'too-long' | 'refusal' };

const SENTENCE_END = /[。！？]|[.!?](?=\s|$|["'”’」）)])/u;
const REFUSAL = /^(?:i(?:'m| am)? (?:sorry|cannot|can't|unable)|as an ai|抱歉|对不起|我无法|我不能)/iu;

/**
 * Reads the model's context sentence: drops reasoning blocks (<think>…</think>), code fences, a
 * "Context:"/"上下文：" label and wrapping quotes, keeps the first sentence, collapses whitespace.
 * Refuses empty replies, refusals and sentences over CONTEXT_MAX_TOKENS, so a bad reply is never indexed.
 */
export function parseContextSentence(reply: string): ContextParse {
  let s = reply
    .replace(/<think>[\s\S]*?<\/think>/giu, ' ')
    .replace(/<think>[\s\S]*$/iu, ' ') // an unfinished reasoning block holds no answer
    .replace(/```[a-z]*\n?|```/giu, ' ')
    .trim();
  s = s.replace(/^(?:context|situating context|chunk context|上下文|背景|说明)\s*[:：]\s*/iu, '');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/^["'“‘「]+|["'”’」]+$/gu, '').trim();
  if (!/[\p{L}\p{N}]/u.test(s)) return { ok: false, reason: 'empty' };
  if (REFUSAL.test(s)) return { ok: false, reason: 'refusal' };
  const end = SENTENCE_END.exec(s);
  if (end) s = s.slice(0, end.index + 1);
  if (estimateTokens(s) > CONTEXT_MAX_TOKENS) return { ok: false, reason: 'too-long' };
  return { ok: true, sentence: s };
}

export interface ContextCostChunk {
  docId: string;
  /** Offsets into the document text, UTF-16 code units. */
  start: number;
  end: number;
  /** estimateTokens of the chunk text when already known (stored chunks carry it). */
  tokens?: number;
}

export interface ContextCostDocument extends HeaderSource {
  id: string;
  text: string;
  lang: 'en' | 'zh';
}

export interface ContextCost {
  chunks: number;
  /** Prompt tokens summed over all chunks (estimated, before any chat template; within a few % of counting every prompt). */
  promptTokens: number;
  /** Reply tokens, at most CONTEXT_MAX_NEW_TOKENS per chunk. */
  maxOutputTokens: number;
  /** Estimated time in seconds at the given prefill and decode speeds, or null without them. */
  seconds: number | null;
}

/**
 * What writing a context sentence for every chunk costs, before the user turns it on. Per chunk:
 * the fixed instruction and labels, the header, the chunk, and the document excerpt, which
 * `contextPrompt` fills up to `excerptTokens` (so min(excerptTokens, document tokens)). Linear in
 * the number of chunks and documents, not in their text: 100k chunks cost no extra scan. Counted
 * with the app's estimate (strategies/tokens), before any chat template; speeds in tokens/second,
 * when known, turn it into a time.
 */
export function estimateContextCost(
  documents: readonly ContextCostDocument[],
  chunks: readonly ContextCostChunk[],
  opts: { excerptTokens?: number; prefillTps?: number; decodeTps?: number } = {},
): ContextCost {
  const budget = opts.excerptTokens ?? CONTEXT_EXCERPT_TOKENS;
  const perDoc = new Map<string, { fixed: number; excerpt: number; text: string }>();
  for (const d of documents) {
    // The prompt of an empty chunk with an empty excerpt: instruction, labels, tags and header.
    const fixed = contextPrompt({ lang: d.lang, header: d, documentText: '', start: 0, end: 0, excerptTokens: 0 }).reduce((sum, m) => sum + estimateTokens(m.content), 0);
    perDoc.set(d.id, { fixed, excerpt: Math.min(budget, estimateTokens(d.text)), text: d.text });
  }
  let promptTokens = 0;
  for (const c of chunks) {
    const doc = perDoc.get(c.docId);
    if (!doc) throw new RangeError(`estimateContextCost: chunk of unknown document ${c.docId}`);
    const chunkTokens = c.tokens ?? estimateTokens(doc.text.slice(c.start, c.end));
    promptTokens += doc.fixed + Math.max(doc.excerpt, chunkTokens) + chunkTokens;
  }
  const maxOutputTokens = chunks.length * CONTEXT_MAX_NEW_TOKENS;
  const seconds =
    opts.prefillTps && opts.decodeTps && opts.prefillTps > 0 && opts.decodeTps > 0
      ? promptTokens / opts.prefillTps + maxOutputTokens / opts.decodeTps
      : null;
  return { chunks: chunks.length, promptTokens, maxOutputTokens, seconds };
}
