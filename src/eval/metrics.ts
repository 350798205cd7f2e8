// Answer, retrieval, groundedness and cost metrics (pure). Text is compared after one normalization,
// SQuAD-compatible for English and character-level for Chinese (no word segmenter needed):
//  NFKC → lowercase → delete punctuation/symbols → drop a/an/the → collapse whitespace; Han/Kana/Hangul = 1 token each.

import { stripCitations } from '../strategies/citations';

/** Shown in the UI next to scores, so users know what "exact match" forgave. Same order as `normalize` applies them. */
export const NORMALIZATION_RULES: readonly string[] = Object.freeze([
  'Unicode NFKC: full-width letters, digits and punctuation become their ordinary forms (ＡＢＣ１２３ → ABC123).',
  'Lowercase.',
  'Punctuation and symbols are deleted, ASCII and CJK alike (，。！？、“”《》【】 and .,!?"\'()[]$%…), as in the SQuAD script.',
  'The English articles "a", "an" and "the" are dropped when they stand alone as words.',
  'Runs of whitespace become one space; leading and trailing whitespace is removed.',
  'Tokens: every Chinese character (and Japanese kana, Korean syllable) is one token; other letters and digits form word tokens split at spaces.',
  'Citation markers such as [1] or 【2】 are removed from answers before groundedness is measured.',
]);

export const NORMALIZATION_RULES_ZH: readonly string[] = Object.freeze([
  'Unicode NFKC 规范化：全角字母、数字和标点变为半角（ＡＢＣ１２３ → ABC123）。',
  '转为小写。',
  '删除标点和符号，中英文标点都删除（，。！？、“”《》【】 以及 .,!?"\'()[]$% 等），与 SQuAD 评测脚本一致。',
  '删除独立成词的英文冠词 a、an、the。',
  '连续空白合并为一个空格，并去掉首尾空白。',
  '分词：每个汉字（以及日文假名、韩文音节）是一个词元；其他字母和数字按空格切分为单词。',
  '计算“有据性”前，先去掉答案中的引用标记，如 [1]、【2】。',
]);

export interface NormalizeOptions {
  /** Default true (SQuAD). Set false to reproduce published ROUGE numbers computed on raw words. */
  removeArticles?: boolean;
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const TOKEN = new RegExp(`[${CJK}]|[^\\s${CJK}]+`, 'gu');
const PUNCT = /[\p{P}\p{S}]/gu;
// Unicode-aware word edges: ASCII \b would strip the "a" from "维生素a" or "ça".
const ARTICLE = /(?<![\p{L}\p{N}\p{M}])(?:a|an|the)(?![\p{L}\p{N}\p{M}])/gu;

export function normalize(s: string, opts: NormalizeOptions = {}): string {
  let t = s.normalize('NFKC').toLowerCase().replace(PUNCT, '');
  if (opts.removeArticles !== false) t = t.replace(ARTICLE, ' ');
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

/** 1 when the token sequences are equal after normalization (so spacing inside Chinese text does not matter). */
export function exactMatch(pred: string, ref: string, opts: NormalizeOptions = {}): 0 | 1 {
  const a = tokens(pred, opts);
  const b = tokens(ref, opts);
  return a.length === b.length && a.every((t, i) => t === b[i]) ? 1 : 0;
}

/** SQuAD token F1 (multiset overlap). Both empty → 1; exactly one empty → 0. */
export function tokenF1(pred: string, ref: string, opts: NormalizeOptions = {}): PRF {
  const p = tokens(pred, opts);
  const r = tokens(ref, opts);
  return prf(overlap(p, r), p.length, r.length);
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
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

/**
 * ROUGE-L (Lin 2004): P = LCS/|pred|, R = LCS/|ref|, F with β = 1 (harmonic mean). Same empty rules as F1.
 * Pass { removeArticles: false } to match published examples, which keep "the".
 */
export function rougeL(pred: string, ref: string, opts: NormalizeOptions = {}): PRF {
  const p = tokens(pred, opts);
  const r = tokens(ref, opts);
  return prf(lcsLength(p, r), p.length, r.length);
}

/**
 * Multiset recall of the passage's tokens in `pred`: |tokens(passage) ∩ tokens(pred)| / |tokens(passage)|.
 * Order is ignored, so reordered or interleaved text still counts. Empty passage → 0 (it cannot be "found").
 */
export function containment(pred: string, passage: string): number {
  const p = tokens(passage);
  return p.length === 0 ? 0 : overlap(p, tokens(pred)) / p.length;
}

/** Share of the gold passage's tokens that must be in a chunk for the chunk to count as that passage. */
export const GOLD_MATCH_THRESHOLD = 0.8;

/**
 * True when ≥ 80% of the gold passage's tokens (multiset) are in the chunk: tolerant of chunk boundaries
 * that cut a sentence or re-flow whitespace, yet a chunk sharing only common words does not match.
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

// ---------- groundedness ----------

/** Function words that carry no claim, removed before groundedness so "the"/"的" do not count as support. */
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
 * Share of the answer's content tokens (every occurrence) that appear anywhere in the context.
 * An answer with no content tokens (empty, or only stopwords) scores 0: it claims nothing grounded.
 * Character-level for Chinese, so common characters are often "found": compare lanes, not absolute values.
 */
export function groundedness(answer: string, contextTexts: readonly string[]): number {
  const toks = contentTokens(answer);
  if (toks.length === 0) return 0;
  const ctx = new Set(contextTexts.flatMap((t) => tokens(t)));
  return toks.filter((t) => ctx.has(t)).length / toks.length;
}

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

// ---------- confidence intervals ----------

/** mulberry32: a tiny seeded PRNG in [0, 1), so a run's intervals reproduce exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapOptions {
  /** Resamples; default 1000. */
  iterations?: number;
  /** Two-sided level; default 0.05 for a 95% interval. */
  alpha?: number;
  seed: number;
}

export interface ConfidenceInterval {
  /** Mean of the observed values (not of the resamples). */
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** Linear-interpolated quantile of sorted values (the common "type 7" definition). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Means of `iterations` resamples (with replacement) of `values`, in draw order. */
function resampleMeans(values: readonly number[], iterations: number, seed: number): number[] {
  const n = values.length;
  const rand = mulberry32(seed);
  const means = new Array<number>(iterations);
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rand() * n)];
    means[it] = s / n;
  }
  return means;
}

function checkedOptions(opts: BootstrapOptions): { iterations: number; alpha: number } {
  const iterations = opts.iterations ?? 1000;
  const alpha = opts.alpha ?? 0.05;
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  return { iterations, alpha };
}

function interval(values: readonly number[], means: number[], alpha: number): ConfidenceInterval {
  const sorted = [...means].sort((x, y) => x - y);
  return {
    mean: (mean(values) as number),
    low: quantile(sorted, alpha / 2),
    high: quantile(sorted, 1 - alpha / 2),
    n: values.length,
  };
}

/**
 * Percentile bootstrap over questions: resample the per-question values with replacement, take each
 * resample's mean, report the alpha/2 and 1 − alpha/2 quantiles. Null for no values.
 */
export function bootstrapCI(values: readonly number[], opts: BootstrapOptions): ConfidenceInterval | null {
  const { iterations, alpha } = checkedOptions(opts);
  if (values.length === 0) return null;
  return interval(values, resampleMeans(values, iterations, opts.seed), alpha);
}

export interface PairedDiff extends ConfidenceInterval {
  /** Share of resamples in which A beat B (mean difference > 0). */
  probAGreater: number;
}

/**
 * "A minus B" on the same questions: resamples question indices, so per-question difficulty cancels out
 * (narrower than comparing two separate intervals). a[i] and b[i] must be the same question.
 */
export function pairedBootstrapDiff(a: readonly number[], b: readonly number[], opts: BootstrapOptions): PairedDiff | null {
  if (a.length !== b.length) throw new RangeError(`paired values differ in length: ${a.length} vs ${b.length}`);
  const { iterations, alpha } = checkedOptions(opts);
  if (a.length === 0) return null;
  const diffs = a.map((v, i) => v - b[i]);
  const means = resampleMeans(diffs, iterations, opts.seed);
  return { ...interval(diffs, means, alpha), probAGreater: means.filter((m) => m > 0).length / iterations };
}
