// Answer, retrieval, lexical-support and cost metrics (pure). Each names the reference it matches:
// exact match and token F1 follow the SQuAD v1.1 script (v2.0's rule for two empty strings), extended to
// Chinese by character tokens; ROUGE-L follows Google's rouge-score. Intervals and tests live in stats.ts.

import { stripCitations } from '../strategies/citations';

export { mulberry32, type ConfidenceInterval, type Estimate } from './stats';

/** Shown in the UI next to scores, so users know what "exact match" and "token F1" forgave. Same order as `normalize` applies them. */
export const NORMALIZATION_RULES: readonly string[] = Object.freeze([
  'Exact match and token F1 follow the SQuAD v1.1 evaluation script (Rajpurkar et al. 2016); two empty answers score 1, as in SQuAD v2.0.',
  'Unicode NFKC: full-width letters, digits and punctuation become their ordinary forms (ＡＢＣ１２３ → ABC123).',
  'Lowercase.',
  'Punctuation and symbols are deleted, ASCII and CJK alike (，。！？、“”《》【】 and .,!?"\'()[]$%…). On ASCII text this is exactly the SQuAD script.',
  'The English articles "a", "an" and "the" are dropped when they stand alone as words, except next to Chinese, Japanese or Korean text ("选项 A" keeps its "A").',
  'Runs of whitespace become one space; leading and trailing whitespace is removed.',
  'Tokens: every Chinese character (and Japanese kana, Korean syllable) is one token; other letters and digits form word tokens split at spaces.',
  'ROUGE-L is computed as Google\'s rouge-score computes rougeL without stemming: lowercase, every character outside a–z and 0–9 becomes a space (articles stay), LCS F-measure. Text with Chinese, Japanese or Korean characters is compared character by character.',
  'Citation markers such as [1] or 【2】 are removed from answers before they are scored.',
]);

export const NORMALIZATION_RULES_ZH: readonly string[] = Object.freeze([
  '精确匹配和词元 F1 依照 SQuAD v1.1 评测脚本（Rajpurkar 等，2016）；两个空答案记 1 分，与 SQuAD v2.0 相同。',
  'Unicode NFKC 规范化：全角字母、数字和标点变为半角（ＡＢＣ１２３ → ABC123）。',
  '转为小写。',
  '删除标点和符号，中英文标点都删除（，。！？、“”《》【】 以及 .,!?"\'()[]$% 等）；对纯 ASCII 文本，这与 SQuAD 脚本完全一致。',
  '删除独立成词的英文冠词 a、an、the，但紧挨中文、日文或韩文时保留（“选项 A”中的“A”不删）。',
  '连续空白合并为一个空格，并去掉首尾空白。',
  '分词：每个汉字（以及日文假名、韩文音节）是一个词元；其他字母和数字按空格切分为单词。',
  'ROUGE-L 与 Google rouge-score 的 rougeL（不做词干化）算法一致：转小写，a–z 和 0–9 以外的字符都变成空格（冠词保留），按最长公共子序列计算 F 值。含中文、日文或韩文的文本按字比较。',
  '评分前先去掉答案中的引用标记，如 [1]、【2】。',
]);

export interface NormalizeOptions {
  /** Default true (SQuAD). False keeps the articles. */
  removeArticles?: boolean;
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const CJK_CHAR = new RegExp(`[${CJK}]`, 'u');
const TOKEN = new RegExp(`[${CJK}]|[^\\s${CJK}]+`, 'gu');
const PUNCT = /[\p{P}\p{S}]/gu;
// Unicode-aware word edges, as Python's \b in the SQuAD script: ASCII \b would strip the "a" from "维生素a" or "ça".
const ARTICLE = /(?<![\p{L}\p{N}\p{M}])(?:a|an|the)(?![\p{L}\p{N}\p{M}])/gu;

/** True when `s` has a Chinese, Japanese or Korean character. */
export function hasCjk(s: string): boolean {
  return CJK_CHAR.test(s);
}

/** The nearest non-space character before `i`, or ''. */
function charBefore(s: string, i: number): string {
  let j = i - 1;
  while (j >= 0 && /\s/u.test(s[j])) j--;
  if (j < 0) return '';
  const c = s.codePointAt(j);
  // A low surrogate: step back to the whole code point.
  if (c !== undefined && c >= 0xdc00 && c <= 0xdfff && j > 0) return String.fromCodePoint(s.codePointAt(j - 1)!);
  return String.fromCodePoint(c!);
}

/** The nearest non-space character at or after `i`, or ''. */
function charAfter(s: string, i: number): string {
  let j = i;
  while (j < s.length && /\s/u.test(s[j])) j++;
  return j < s.length ? String.fromCodePoint(s.codePointAt(j)!) : '';
}

/**
 * "English text" is decided per article: a/an/the is dropped as in SQuAD unless the nearest character
 * on either side (across spaces) is CJK. So "the cat" and "take the train to 北京" lose their "the",
 * while "选项 A" and "维生素 A" keep the letter. On text without CJK this is exactly the SQuAD rule.
 */
function dropArticles(t: string): string {
  return t.replace(ARTICLE, (m: string, offset: number) => (hasCjk(charBefore(t, offset)) || hasCjk(charAfter(t, offset + m.length)) ? m : ' '));
}

export function normalize(s: string, opts: NormalizeOptions = {}): string {
  let t = s.normalize('NFKC').toLowerCase().replace(PUNCT, '');
  if (opts.removeArticles !== false) t = dropArticles(t);
  return t.replace(/\s+/gu, ' ').trim();
}

/** Tokens of `normalize(s)`: each Han/Kana/Hangul character alone, other letter/digit runs as words. */
export function tokens(s: string, opts: NormalizeOptions = {}): string[] {
  return normalize(s, opts).match(TOKEN) ?? [];
}

function counts(toks: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of toks) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** Size of the multiset intersection (a repeated token counts as often as it appears on both sides). */
function overlap(a: readonly string[], b: readonly string[]): number {
  const cb = counts(b);
  let n = 0;
  for (const [t, ca] of counts(a)) n += Math.min(ca, cb.get(t) ?? 0);
  return n;
}

function prf(common: number, predLen: number, refLen: number): PRF {
  if (predLen === 0 && refLen === 0) return { precision: 1, recall: 1, f1: 1 };
  if (predLen === 0 || refLen === 0 || common === 0) return { precision: 0, recall: 0, f1: 0 };
  const precision = common / predLen;
  const recall = common / refLen;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

/**
 * SQuAD v1.1 exact match: 1 when the normalized token sequences are equal (so spacing inside Chinese
 * text does not matter), else 0. Two answers that normalize to empty match (SQuAD v2.0).
 */
export function exactMatch(pred: string, ref: string, opts: NormalizeOptions = {}): 0 | 1 {
  const a = tokens(pred, opts);
  const b = tokens(ref, opts);
  return a.length === b.length && a.every((t, i) => t === b[i]) ? 1 : 0;
}

/** SQuAD v1.1 token F1 (multiset overlap of normalized tokens). Both empty → 1 (SQuAD v2.0); exactly one empty → 0. */
export function tokenF1(pred: string, ref: string, opts: NormalizeOptions = {}): PRF {
  const p = tokens(pred, opts);
  const r = tokens(ref, opts);
  return prf(overlap(p, r), p.length, r.length);
}

/** Length of the longest common subsequence of two token lists (two-row dynamic programme). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

const ROUGE_CJK_TOKEN = new RegExp(`[${CJK}]|[a-z0-9]+`, 'gu');

/**
 * Tokens as rouge-score's DefaultTokenizer (no stemmer) makes them: lowercase, every character outside
 * a–z and 0–9 becomes a space, split (so "don't" → don, t and "cat_dog" → cat, dog; articles stay).
 * With `cjk`, text is NFKC-folded first and each CJK character is a token of its own (rouge-score
 * would drop them all).
 */
export function rougeTokens(s: string, cjk = hasCjk(s)): string[] {
  if (cjk) return s.normalize('NFKC').toLowerCase().match(ROUGE_CJK_TOKEN) ?? [];
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/gu, ' ')
    .split(/\s+/u)
    .filter((t) => t !== '');
}

/**
 * ROUGE-L (Lin 2004) exactly as Google's rouge-score computes `rougeL` without stemming: P = LCS/|pred|,
 * R = LCS/|ref|, F = 2PR/(P + R) (0 when P + R = 0), and 0 when either side has no tokens (both empty
 * included, as rouge-score). When either text has CJK characters both are compared character by
 * character (Latin words stay whole), since rouge-score's tokenizer cannot see them.
 */
export function rougeL(pred: string, ref: string): PRF {
  const cjk = hasCjk(pred) || hasCjk(ref);
  const p = rougeTokens(pred, cjk);
  const r = rougeTokens(ref, cjk);
  if (p.length === 0 || r.length === 0) return { precision: 0, recall: 0, f1: 0 };
  const lcs = lcsLength(p, r);
  const precision = lcs / p.length;
  const recall = lcs / r.length;
  return { precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
}

/**
 * Multiset recall of the passage's tokens in `pred`: |tokens(passage) ∩ tokens(pred)| / |tokens(passage)|.
 * Order is ignored, so reordered or interleaved text still counts. Empty passage → 0 (it cannot be "found").
 */
export function containment(pred: string, passage: string): number {
  const p = tokens(passage);
  return p.length === 0 ? 0 : overlap(p, tokens(pred)) / p.length;
}

/** @deprecated Bag-of-tokens threshold of `goldMatches`; retrieval scoring locates gold passages by position (gold.ts). */
export const GOLD_MATCH_THRESHOLD = 0.8;

/**
 * @deprecated A bag-of-tokens test (≥ 80% of the passage's tokens anywhere in the chunk, in any order):
 * for Chinese those are characters, so unrelated chunks "contain" a passage. Retrieval scoring no
 * longer uses it; gold chunks are decided by position with `locateGold` and `isGoldChunk` (gold.ts).
 */
export function goldMatches(chunkText: string, goldPassage: string): boolean {
  return containment(chunkText, goldPassage) >= GOLD_MATCH_THRESHOLD;
}

// ---------- retrieval: null when there is no gold (unanswerable items), so callers must skip them ----------

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
}

/** Distinct ids among the first k, in rank order. */
function topK(retrievedIds: readonly string[], k: number): string[] {
  return [...new Set(retrievedIds.slice(0, k))];
}

/** 1 if any of the first k retrieved ids is gold, else 0. */
export function hitAtK(retrievedIds: readonly string[], goldIds: readonly string[], k: number): 0 | 1 | null {
  checkK(k);
  if (goldIds.length === 0) return null;
  const gold = new Set(goldIds);
  return topK(retrievedIds, k).some((id) => gold.has(id)) ? 1 : 0;
}

/** Share of the distinct gold ids found in the first k. */
export function recallAtK(retrievedIds: readonly string[], goldIds: readonly string[], k: number): number | null {
  checkK(k);
  const gold = new Set(goldIds);
  if (gold.size === 0) return null;
  return topK(retrievedIds, k).filter((id) => gold.has(id)).length / gold.size;
}

/** Gold among the first k, divided by k (not by how many came back: missing slots count as misses). */
export function precisionAtK(retrievedIds: readonly string[], goldIds: readonly string[], k: number): number | null {
  checkK(k);
  const gold = new Set(goldIds);
  if (gold.size === 0) return null;
  return topK(retrievedIds, k).filter((id) => gold.has(id)).length / k;
}

/** Reciprocal rank of the first gold id (1/rank, rank 1-based); 0 when none. The mean over items is MRR. */
export function mrr(retrievedIds: readonly string[], goldIds: readonly string[]): number | null {
  const gold = new Set(goldIds);
  if (gold.size === 0) return null;
  const i = retrievedIds.findIndex((id) => gold.has(id));
  return i < 0 ? 0 : 1 / (i + 1);
}

// ---------- lexical support (word overlap; not a faithfulness measure) ----------

/** Function words that carry no claim, removed before lexical support so "the"/"的" do not count as support. */
export const STOPWORDS_EN: readonly string[] = Object.freeze(
  ('a an the is are was were be been being am of to in on at for and or but with by from as that this these those ' +
    'it its there their they them he she his her we our you your i me my do does did so if than then into about ' +
    'which who whom what when where also can could would should will may might has have had').split(' '),
);
export const STOPWORDS_ZH: readonly string[] = Object.freeze(
  '的 了 是 在 和 与 及 或 也 都 就 而 之 其 吗 呢 吧 啊 着 过 个 这 那 为 以 于 对 把 被 从'.split(' '),
);
const STOP = new Set([...STOPWORDS_EN, ...STOPWORDS_ZH]);

/** The answer's tokens without stopwords and citation markers. */
export function contentTokens(s: string): string[] {
  return tokens(stripCitations(s)).filter((t) => !STOP.has(t));
}

/**
 * Lexical support: the share of the answer's content tokens (every occurrence) that appear anywhere in
 * the context; 0 for an answer with no content tokens. Word overlap only: it cannot see contradictions
 * or negation. "员工每年有二十天年假" against a context that says "员工每年有十天带薪年假" scores 0.9, because
 * every character but 二 is in the context. Character-level for Chinese, so common characters are often
 * "found": compare lanes, never read it as faithfulness (the per-claim judge in claims.ts is for that).
 */
export function lexicalSupport(answer: string, contextTexts: readonly string[]): number {
  const toks = contentTokens(answer);
  if (toks.length === 0) return 0;
  const ctx = new Set(contextTexts.flatMap((t) => tokens(t)));
  return toks.filter((t) => ctx.has(t)).length / toks.length;
}

/** What the UI says next to lexical support, so nobody reads it as faithfulness. */
export const LEXICAL_SUPPORT_NOTE: Readonly<{ en: string; zh: string }> = Object.freeze({
  en: 'Lexical support is word overlap between the answer and the passages it was shown. It cannot see contradictions: an answer saying "20 days" where the passage says "10 days" still scores high. Use the per-claim verdicts for faithfulness.',
  zh: '词汇支撑度只是答案与所给资料之间的字词重合。它看不出矛盾：资料写“十天”、答案写“二十天”，得分依然很高。判断忠实度请看逐条说法的判定。',
});

// ---------- refusals ----------

/**
 * Phrases that mark "I can't answer from this". Matched anywhere in the answer after NFKC, lowercase and
 * straight apostrophes, so an answer that quotes such a phrase is a false positive (a known, rare cost).
 */
export const REFUSAL_PATTERNS: readonly RegExp[] = Object.freeze([
  // English
  /\bi (?:do not|don'?t|did not|didn'?t) know\b/u,
  /\b(?:i|we) (?:cannot|can'?t|can not|am unable to|'m unable to|are unable to|am not able to) (?:answer|determine|tell|find|say)\b/u,
  /\b(?:unable to|not possible to|impossible to) (?:answer|determine)\b/u,
  /\b(?:could not|couldn'?t) (?:find|determine|answer)\b/u,
  /\b(?:cannot|can'?t) be (?:determined|answered)\b/u,
  /\b(?:context|contexts|document|documents|passage|passages|text|source|sources|information provided|provided information|materials?)\s+(?:does not|doesn'?t|do not|don'?t|did not)\s+(?:contain|mention|say|include|provide|specify|state|cover)\b/u,
  /\bnot (?:mentioned|stated|specified|provided|given|found|covered|included) (?:in|by) the (?:context|document|documents|passages?|text|sources?|provided)/u,
  /\b(?:is|are|was|were) not mentioned\b/u,
  /\bno (?:relevant |specific )?(?:information|mention|answer|details?) (?:about|on|of|regarding|in the|is given|is provided|provided|available)\b/u,
  /\bthere is no (?:relevant )?information\b/u,
  // Chinese
  /(?:无法|不能|没法)(?:回答|作答)/u,
  /无法(?:确定|得知|判断)/u,
  /无从(?:得知|回答|判断)/u,
  /(?:资料|上下文|文档|文中|原文|材料|文本|参考资料)(?:中|里|内)?(?:并)?(?:没有|未|不|没)(?:提|涉|包含|给出|说明|记载|找到|相关|答案)/u,
  /(?:资料|上下文|文档|材料|文本)(?:中|里|内)没有/u,
  /(?:并)?(?:未|没有)(?:提及|提到|涉及)/u,
  /不知道|不清楚/u,
  /(?:找不到|未找到|没有找到|未能找到)(?:相关|答案|有关|关于)/u,
  /没有(?:相关|关于|有关)(?:的)?(?:信息|资料|内容|说明|记载)/u,
]);

export function isRefusal(answer: string): boolean {
  const t = answer.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019\u02bc`]/gu, "'").replace(/\s+/gu, ' ');
  return REFUSAL_PATTERNS.some((re) => re.test(t));
}

// ---------- cost (null when the time or baseline is not positive) ----------

/** Output tokens per second during decoding. */
export function decodeTps(outputTokens: number, decodeMs: number): number | null {
  return decodeMs > 0 ? outputTokens / (decodeMs / 1000) : null;
}

/** Prompt tokens per second during prefill (time to first token). */
export function prefillTps(promptTokens: number, prefillMs: number): number | null {
  return prefillMs > 0 ? promptTokens / (prefillMs / 1000) : null;
}

/** Milliseconds per generated token. */
export function msPerOutputToken(outputTokens: number, decodeMs: number): number | null {
  return outputTokens > 0 ? decodeMs / outputTokens : null;
}

/** How many times larger a prompt is than a baseline prompt (e.g. RAG vs plain): the price of the context. */
export function promptGrowth(promptTokens: number, baselinePromptTokens: number): number | null {
  return baselinePromptTokens > 0 ? promptTokens / baselinePromptTokens : null;
}

/** Arithmetic mean; null for no values. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
