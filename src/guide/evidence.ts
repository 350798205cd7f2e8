// Turns an evaluation summary (arms = methods on models, with paired comparisons) into plain-language
// statements with their numbers, run ids and uncertainty, and into score adjustments for decide(). A method
// is called better only when the Holm-adjusted paired test gives p < 0.05 from at least 10 paired questions;
// rules about absolute levels fire only when the interval clears the threshold from at least 10 questions.

import {
  ALPHA, INTERVAL_METHOD_NAMES, MIN_PAIRED_N, PAIRED_TEST_NAMES, POWER, formatP, meetsBar, type Estimate, type PMethod, type PairedComparison,
} from '../eval/stats';
import { SIMPLICITY_ORDER, spaceMixed, type L, type ApproachId } from './types';

/** A mean with its interval bounds, as some screens show it. */
export interface Interval {
  mean: number;
  low: number;
  high: number;
}

/** One arm (a method on a model) as the guide sees it. */
export interface ArmEvidence {
  /** `${model}\u0000${method}`, as in the comparisons. */
  key: string;
  /** Model key (see EvalSummary.models for its display name). */
  model: string;
  /** A Lab method id: 'plain' | 'few-shot' | 'rag' | 'rag+few-shot' | 'rag-hyde' | 'rag-multi' | 'rag-verified' */
  method: string;
  /** Token F1 over the answerable questions (n = those questions), with its interval. */
  f1: Estimate;
  /** Retrieval recall@k over the questions with located gold (n = those questions). */
  retrievalRecallAtK?: Estimate;
  k?: number;
  /** Mean word overlap of answers with their context (0–1); cannot see contradictions. */
  lexicalSupport?: number;
  /** Mean prompt tokens per question. */
  promptTokens: number;
  /** Mean latency per answer, ms. */
  latencyMs: number;
  runIds: string[];
}

export interface EvalSummary {
  testSetName: string;
  /** Display names of the models, joined: what the evaluation ran on. */
  model: string;
  /** Model keys with display names, in run order (one entry for a single-model run). */
  models: { key: string; name: string }[];
  arms: ArmEvidence[];
  /** Paired comparisons of arms (metric 'f1' or 'em'), Holm-adjusted as one family. */
  comparisons: PairedComparison[];
}

export interface EvidenceStatement {
  rule: string;
  severity: 'info' | 'good' | 'warn';
  text: L;
  runIds: string[];
  uncertainty: L;
  /** The comparison a statement is about, oriented as the text reads (first arm first). */
  comparison?: PairedComparison;
}

/** Below this retrieval recall@k (whole interval), most gold passages never reach the model: fix retrieval first. */
export const LOW_RETRIEVAL_RECALL = 0.5;
/** At or above this retrieval recall@k (whole interval), retrieval is good enough that answer failures lie elsewhere. */
export const GOOD_RETRIEVAL_RECALL = 0.8;
/** F1 differences whose whole interval lies within ± this count as "about the same". */
export const SIMILAR_F1 = 0.05;
/** When every arm's F1 interval lies below this, no prompting strategy is rescuing the model. */
export const LOW_F1 = 0.3;
/** Paying at least this many times plain's prompt tokens without an established gain is flagged. */
export const COST_WARN_TOKEN_RATIO = 3;
/** Rules about absolute levels need at least this many questions behind the interval. */
export const MIN_LEVEL_N = MIN_PAIRED_N;

export type EvidenceRuleId =
  | 'rag-knowledge-gap'
  | 'rag-no-gain'
  | 'retrieval-weak'
  | 'format-behaviour'
  | 'model-too-small'
  | 'measured-difference'
  | 'cost'
  | 'not-enough-evidence';

/** Short method names for sentences ("RAG better than plain"). */
const METHOD_LABELS: Record<string, L> = {
  plain: { en: 'plain', zh: '直接提问' },
  'few-shot': { en: 'few-shot', zh: '少样本' },
  rag: { en: 'RAG', zh: 'RAG' },
  'rag+few-shot': { en: 'RAG + few-shot', zh: 'RAG + 少样本' },
  'rag-hyde': { en: 'RAG · HyDE', zh: 'RAG · HyDE' },
  'rag-multi': { en: 'RAG · multi-query', zh: 'RAG · 多查询' },
  'rag-verified': { en: 'RAG · verified', zh: 'RAG · 核查' },
};

const METRIC_LABELS: Record<string, L> = {
  f1: { en: 'token F1', zh: '词元 F1' },
  em: { en: 'exact match', zh: '精确匹配' },
};

const P_METHOD: Record<PMethod, L> = {
  exact: { en: 'exact distribution', zh: '精确分布' },
  'exact-permutation': { en: 'exact permutation distribution', zh: '精确置换分布' },
  'normal-approximation': { en: 'normal approximation with tie correction', zh: '带结校正的正态近似' },
  'monte-carlo': { en: 'Monte Carlo', zh: '蒙特卡洛' },
};

function methodLabel(method: string): L {
  return METHOD_LABELS[method] ?? { en: method, zh: method };
}

function modelName(s: EvalSummary, model: string): string {
  return s.models.find((m) => m.key === model)?.name ?? model;
}

/** The arm's name: the method alone with one model, "model · method" with several ("fine-tuned · plain"). */
export function armLabel(s: EvalSummary, key: string): L {
  const arm = s.arms.find((a) => a.key === key);
  const [model, method] = arm ? [arm.model, arm.method] : splitKey(key);
  const m = methodLabel(method);
  if (s.models.length <= 1) return m;
  const name = modelName(s, model);
  return { en: `${name} · ${m.en}`, zh: `${name} · ${m.zh}` };
}

function splitKey(key: string): [string, string] {
  const i = key.lastIndexOf('\u0000');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

/** A score difference or level with two decimals: "0.42", a true minus for negatives, no "−0.00". */
export function num(x: number): string {
  const r = x.toFixed(2);
  if (Number(r) === 0) return '0.00';
  return x < 0 ? `−${r.slice(1)}` : r;
}

/** Signed: "+0.42", "−0.05", "0.00". */
export function signed(x: number): string {
  const r = num(x);
  return r === '0.00' || r.startsWith('−') ? r : `+${r}`;
}

/** Joins Chinese sentence parts with a space wherever Latin letters or digits meet Chinese characters. */
function joinZh(...parts: string[]): string {
  return parts.reduce((acc, p) => (/[A-Za-z0-9]$/u.test(acc) && /^[\u4e00-\u9fff]/u.test(p)) || (/[\u4e00-\u9fff]$/u.test(acc) && /^[A-Za-z0-9]/u.test(p)) ? `${acc} ${p}` : acc + p, '');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function signedMs(ms: number): string {
  const r = Math.round(ms);
  return r === 0 ? '±0' : (r > 0 ? '+' : '−') + String(Math.abs(r));
}

/** Applied to every statement so Chinese spacing is right however a label was interpolated. */
function tidy(st: EvidenceStatement): EvidenceStatement {
  return {
    ...st,
    text: { en: st.text.en, zh: spaceMixed(st.text.zh) },
    uncertainty: { en: st.uncertainty.en, zh: spaceMixed(st.uncertainty.zh) },
  };
}

function union(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}

function armByKey(s: EvalSummary, key: string): ArmEvidence | undefined {
  return s.arms.find((a) => a.key === key);
}

function armOf(s: EvalSummary, model: string, method: string): ArmEvidence | undefined {
  return s.arms.find((a) => a.model === model && a.method === method);
}

/** The comparison reversed: b − a, interval mirrored, discordant counts swapped. */
export function flip(c: PairedComparison): PairedComparison {
  const out: PairedComparison = {
    ...c,
    a: c.b,
    b: c.a,
    diff: -c.diff,
    ci: c.ci ? { ...c.ci, low: -c.ci.high, high: -c.ci.low } : null,
  };
  if (c.aOnly !== undefined || c.bOnly !== undefined) {
    out.aOnly = c.bOnly;
    out.bOnly = c.aOnly;
  }
  return out;
}

/** The comparison of arm a against arm b on a metric, oriented a − b; undefined when it was not made. */
export function findComparison(s: EvalSummary, a: string, b: string, metric = 'f1'): PairedComparison | undefined {
  const direct = s.comparisons.find((c) => c.metric === metric && c.a === a && c.b === b);
  if (direct) return direct;
  const reverse = s.comparisons.find((c) => c.metric === metric && c.a === b && c.b === a);
  return reverse ? flip(reverse) : undefined;
}

function intervalOf(e: { ci: Estimate['ci'] }, noCi: Estimate['noCi']): L {
  if (e.ci) return { en: `[${num(e.ci.low)}, ${num(e.ci.high)}]`, zh: `[${num(e.ci.low)}, ${num(e.ci.high)}]` };
  return noCi === 'no-variation'
    ? { en: '(no interval: every question gave the same difference)', zh: '（无区间：每道题的差值都相同）' }
    : { en: '(no interval: too few questions)', zh: '（无区间：题目太少）' };
}

/** "+0.42 [0.31, 0.52], p < 0.001, n = 50 (Wilcoxon, Holm-corrected)" in both languages. */
export function comparisonNumbers(c: PairedComparison): L {
  const iv = intervalOf(c, c.noCi);
  const t = PAIRED_TEST_NAMES[c.test].short;
  const p = formatP(c.pHolm);
  return {
    en: `${signed(c.diff)} ${iv.en}, ${p}, n = ${c.n} (${t.en}, Holm-corrected)`,
    zh: `${signed(c.diff)}${c.ci ? ' ' : ''}${iv.zh}，${p}，n = ${c.n}（${t.zh}，Holm 校正）`,
  };
}

/** "RAG better than plain on token F1: +0.42 [0.31, 0.52], p < 0.001, n = 50 (Wilcoxon, Holm-corrected)". Orient the comparison first. */
export function betterSentence(s: EvalSummary, c: PairedComparison): L {
  const a = armLabel(s, c.a);
  const b = armLabel(s, c.b);
  const m = METRIC_LABELS[c.metric] ?? { en: c.metric, zh: c.metric };
  const nums = comparisonNumbers(c);
  return {
    en: `${capitalize(a.en)} better than ${b.en} on ${m.en}: ${nums.en}`,
    zh: joinZh(a.zh, '在', m.zh, '上优于', b.zh, `：${nums.zh}`),
  };
}

function comparisonUncertainty(c: PairedComparison): L {
  const t = PAIRED_TEST_NAMES[c.test];
  const pm = P_METHOD[c.pMethod];
  const iv = c.ci ? INTERVAL_METHOD_NAMES[c.ci.method] : null;
  const ivEn = iv ? `95% interval of the mean difference: ${iv.en}` : 'no interval of the difference';
  const ivZh = iv ? `平均差值的 95% 区间：${iv.zh}` : '差值没有区间';
  return {
    en: `${c.n} paired questions; ${ivEn}; ${t.en} (${pm.en}), unadjusted ${formatP(c.p)}, Holm-adjusted over ${c.family} comparison${c.family === 1 ? '' : 's'}.`,
    zh: `${c.n} 道配对题目；${ivZh}；${t.zh}（${pm.zh}），未校正 ${formatP(c.p)}，在 ${c.family} 个比较上做 Holm 校正。`,
  };
}

/** The comparison oriented so a better-established side comes first (the side with the larger mean). */
function winnerFirst(c: PairedComparison): PairedComparison {
  return c.diff < 0 ? flip(c) : c;
}

function runIdsOf(s: EvalSummary, ...keys: string[]): string[] {
  return union(...keys.map((k) => armByKey(s, k)?.runIds ?? []));
}

/** A level with its interval and n, e.g. "0.82 [0.74, 0.90], n = 40". */
function level(e: Estimate): L {
  const v = e.ci ? `${num(e.mean)} [${num(e.ci.low)}, ${num(e.ci.high)}]` : num(e.mean);
  return { en: `${v}, n = ${e.n}`, zh: `${v}，n = ${e.n}` };
}

/** The whole interval lies below `t`, from at least MIN_LEVEL_N values. */
function clearlyBelow(e: Estimate | undefined, t: number): boolean {
  return !!e?.ci && e.n >= MIN_LEVEL_N && e.ci.high < t;
}

/** The whole interval lies at or above `t`, from at least MIN_LEVEL_N values. */
function clearlyAtLeast(e: Estimate | undefined, t: number): boolean {
  return !!e?.ci && e.n >= MIN_LEVEL_N && e.ci.low >= t;
}

function recallAt(a: ArmEvidence): string {
  return `recall@${a.k ?? 'k'}`;
}

/** Same-model RAG vs plain comparisons that meet the bar with RAG ahead: the knowledge-gap finding. */
function ragGains(s: EvalSummary): { model: string; c: PairedComparison }[] {
  const out: { model: string; c: PairedComparison }[] = [];
  for (const { key: model } of s.models) {
    const rag = armOf(s, model, 'rag');
    const plain = armOf(s, model, 'plain');
    const c = rag && plain ? findComparison(s, rag.key, plain.key) : undefined;
    if (c && meetsBar(c) && c.diff > 0) out.push({ model, c });
  }
  return out;
}

/** RAG is better than plain on the same model (Holm-adjusted p < 0.05, n ≥ 10): the documents supply missing knowledge. */
export function ruleRagKnowledgeGap(s: EvalSummary): EvidenceStatement[] {
  return ragGains(s).map(({ model, c }) => {
    const rag = armOf(s, model, 'rag')!;
    const r = rag.retrievalRecallAtK;
    const recallEn = r ? ` Retrieval ${recallAt(rag)} is ${level(r).en}.` : '';
    const recallZh = r ? `检索召回率（${recallAt(rag)}）为 ${level(r).zh}。` : '';
    const head = betterSentence(s, c);
    return tidy({
      rule: 'rag-knowledge-gap',
      severity: 'good',
      text: {
        en: `${head.en}.${recallEn} The model was missing knowledge that your documents supply, and RAG is doing its job.`,
        zh: `${head.zh}。${recallZh}模型缺的是知识，而你的文档正好补上了——RAG 在发挥作用。`,
      },
      runIds: runIdsOf(s, c.a, c.b),
      uncertainty: comparisonUncertainty(c),
      comparison: c,
    });
  });
}

/**
 * Retrieval clearly works yet RAG is clearly no better than plain on the same model (the whole interval
 * of the gain lies below SIMILAR_F1, from ≥ 10 paired questions): knowledge is not the bottleneck.
 * Left to model-too-small when every arm of that model is clearly low.
 */
export function ruleRagNoGain(s: EvalSummary): EvidenceStatement[] {
  const out: EvidenceStatement[] = [];
  for (const { key: model } of s.models) {
    const rag = armOf(s, model, 'rag');
    const plain = armOf(s, model, 'plain');
    const c = rag && plain ? findComparison(s, rag.key, plain.key) : undefined;
    const r = rag?.retrievalRecallAtK;
    if (!rag || !c || !r || !c.ci || c.n < MIN_PAIRED_N) continue;
    if (!clearlyAtLeast(r, GOOD_RETRIEVAL_RECALL) || c.ci.high >= SIMILAR_F1 || modelClearlyLow(s, model)) continue;
    const nums = comparisonNumbers(c);
    out.push(
      tidy({
        rule: 'rag-no-gain',
        severity: 'info',
        text: {
          en: `Retrieval works (${recallAt(rag)} ${level(r).en}) but RAG is not better than plain on token F1: ${nums.en}; the interval rules out a gain of ${num(SIMILAR_F1)} or more. The missing piece is not knowledge: look at instructions, output format or the model instead.`,
          zh: `检索本身没问题（${recallAt(rag)} ${level(r).zh}），但 RAG 在词元 F1 上并不比直接提问好：${nums.zh}；区间排除了 ${num(SIMILAR_F1)} 及以上的提升。缺的不是知识，应该从指令、输出格式或模型本身找原因。`,
        },
        runIds: runIdsOf(s, c.a, c.b),
        uncertainty: comparisonUncertainty(c),
        comparison: c,
      }),
    );
  }
  return out;
}

/** Retrieval recall@k clearly below LOW_RETRIEVAL_RECALL (whole interval, ≥ 10 questions with gold): most gold passages never reach the model. */
export function ruleRetrievalWeak(s: EvalSummary): EvidenceStatement[] {
  const out: EvidenceStatement[] = [];
  for (const a of s.arms) {
    const r = a.retrievalRecallAtK;
    if (!r || !clearlyBelow(r, LOW_RETRIEVAL_RECALL)) continue;
    // One statement per retrieval set-up: RAG + few-shot and verified RAG search exactly like RAG on
    // the same model (HyDE and multi-query search differently, so they keep their own statement).
    if ((a.method === 'rag+few-shot' || a.method === 'rag-verified') && armOf(s, a.model, 'rag')?.retrievalRecallAtK) continue;
    const name = armLabel(s, a.key);
    out.push(
      tidy({
        rule: 'retrieval-weak',
        severity: 'warn',
        text: {
          en: `Retrieval ${recallAt(a)} of ${name.en} is ${level(r).en}, below ${num(LOW_RETRIEVAL_RECALL)}: most of the passages that hold the answers never reach the model. Fix retrieval first (chunk size, hybrid BM25 + vector search, reranking) before blaming the model.`,
          zh: `${name.zh}的检索召回率（${recallAt(a)}）为 ${level(r).zh}，低于 ${num(LOW_RETRIEVAL_RECALL)}：大部分含有答案的段落根本没有送到模型面前。先修好检索（调整分块大小、BM25 与向量混合检索、重排序），再去怀疑模型。`,
        },
        runIds: a.runIds,
        uncertainty: estimateUncertainty(r, 'questions with gold passages', '道有标准段落的题目'),
      }),
    );
  }
  return out;
}

function estimateUncertainty(e: Estimate, unitEn: string, unitZh: string): L {
  const m = e.ci ? INTERVAL_METHOD_NAMES[e.ci.method] : null;
  return {
    en: `${e.n} ${unitEn}; ${m ? `95% interval: ${m.en}` : 'no interval'}. The rule fires only when the whole interval clears its threshold, from at least ${MIN_LEVEL_N} questions.`,
    zh: `${e.n} ${unitZh}；${m ? `95% 区间：${m.zh}` : '没有区间'}。只有整个区间越过阈值、且至少有 ${MIN_LEVEL_N} 道题时，这条规则才会成立。`,
  };
}

/**
 * On one model, few-shot and RAG are both better than plain (bar met) and their difference lies within
 * ±SIMILAR_F1 (whole interval): examples help as much as documents, so the gap is behaviour, not knowledge.
 */
export function ruleFormatBehaviour(s: EvalSummary): EvidenceStatement[] {
  const out: EvidenceStatement[] = [];
  for (const { key: model } of s.models) {
    const fs = armOf(s, model, 'few-shot');
    const rag = armOf(s, model, 'rag');
    const plain = armOf(s, model, 'plain');
    if (!fs || !rag || !plain) continue;
    const dFP = findComparison(s, fs.key, plain.key);
    const dRP = findComparison(s, rag.key, plain.key);
    const dFR = findComparison(s, fs.key, rag.key);
    if (!dFP || !dRP || !dFR || !dFR.ci) continue;
    if (!(meetsBar(dFP) && dFP.diff > 0 && meetsBar(dRP) && dRP.diff > 0)) continue;
    if (dFR.n < MIN_PAIRED_N || dFR.ci.low <= -SIMILAR_F1 || dFR.ci.high >= SIMILAR_F1) continue;
    const n = (c: PairedComparison) => comparisonNumbers(c);
    out.push(
      tidy({
        rule: 'format-behaviour',
        severity: 'info',
        text: {
          en: `Few-shot and RAG are both better than plain on token F1 (few-shot ${n(dFP).en}; RAG ${n(dRP).en}) and within ${num(SIMILAR_F1)} of each other (few-shot − RAG ${n(dFR).en}): the gap looks like format or behaviour, not missing knowledge. Few-shot examples, or fine-tuning once you have hundreds of examples, address it more cheaply than retrieval.`,
          zh: `少样本和 RAG 在词元 F1 上都优于直接提问（少样本 ${n(dFP).zh}；RAG ${n(dRP).zh}），且两者相差不超过 ${num(SIMILAR_F1)}（少样本 − RAG ${n(dFR).zh}）：问题更像是格式或行为，而不是缺知识。用少样本示例（示例积累到几百条后可考虑微调）比检索更省事。`,
        },
        runIds: runIdsOf(s, fs.key, rag.key, plain.key),
        uncertainty: comparisonUncertainty(dFR),
        comparison: dFR,
      }),
    );
  }
  return out;
}

/** Every arm of the model has a token F1 interval wholly below LOW_F1, each from ≥ 10 answered questions. */
function modelClearlyLow(s: EvalSummary, model: string): boolean {
  const arms = s.arms.filter((a) => a.model === model);
  return arms.length > 0 && arms.every((a) => clearlyBelow(a.f1, LOW_F1));
}

/** Every arm of a model clearly scores low although retrieval clearly delivers the passages: the model itself is the limit. */
export function ruleModelTooSmall(s: EvalSummary): EvidenceStatement[] {
  const out: EvidenceStatement[] = [];
  for (const { key: model } of s.models) {
    if (!modelClearlyLow(s, model)) continue;
    const arms = s.arms.filter((a) => a.model === model);
    const retrieving = arms.filter((a) => clearlyAtLeast(a.retrievalRecallAtK, GOOD_RETRIEVAL_RECALL));
    if (retrieving.length === 0) continue;
    const r = retrieving.reduce((x, a) => (a.retrievalRecallAtK!.mean > x.retrievalRecallAtK!.mean ? a : x));
    const best = arms.reduce((x, a) => (a.f1.mean > x.f1.mean ? a : x));
    const name = modelName(s, model);
    const bl = methodLabel(best.method);
    out.push(
      tidy({
        rule: 'model-too-small',
        severity: 'warn',
        text: {
          en: `Every method on ${name} stays below token F1 ${num(LOW_F1)} (best: ${bl.en} at ${level(best.f1).en}) although retrieval finds the right passages (${recallAt(r)} ${level(r.retrievalRecallAtK!).en}): the model gets what it needs and still fails, so it is likely too small for this task. Try a larger model, or fine-tune this one.`,
          zh: `${name}上的所有方法，词元 F1 都低于 ${num(LOW_F1)}（最好的是${bl.zh}，${level(best.f1).zh}），而检索已经找到了正确段落（${recallAt(r)} ${level(r.retrievalRecallAtK!).zh}）：模型拿到了所需信息却仍然答不好，多半是模型太小，不足以胜任这个任务。试试更大的模型，或者对它进行微调。`,
        },
        runIds: union(...arms.map((a) => a.runIds)),
        uncertainty: {
          en: `Each method's whole token F1 interval lies below ${num(LOW_F1)} and the whole ${recallAt(r)} interval at or above ${num(GOOD_RETRIEVAL_RECALL)}, each from at least ${MIN_LEVEL_N} questions.`,
          zh: `每个方法的词元 F1 区间都整体低于 ${num(LOW_F1)}，${recallAt(r)} 的区间整体不低于 ${num(GOOD_RETRIEVAL_RECALL)}，且都基于至少 ${MIN_LEVEL_N} 道题。`,
        },
      }),
    );
  }
  return out;
}

/**
 * One statement per token-F1 comparison: "X better than Y …" when the bar is met (except RAG over plain
 * on one model, which rag-knowledge-gap states with its reading), else "Not enough evidence", with the
 * questions a test of 80% power at α = 0.05 would need.
 */
export function ruleComparisons(s: EvalSummary): EvidenceStatement[] {
  const covered = new Set(ragGains(s).map(({ c }) => [c.a, c.b].sort().join('\u0001')));
  const out: EvidenceStatement[] = [];
  for (const raw of s.comparisons) {
    if (raw.metric !== 'f1') continue;
    const c = winnerFirst(raw);
    if (meetsBar(c)) {
      if (covered.has([c.a, c.b].sort().join('\u0001'))) continue;
      out.push(tidy({ rule: 'measured-difference', severity: 'good', text: betterSentence(s, c), runIds: runIdsOf(s, c.a, c.b), uncertainty: comparisonUncertainty(c), comparison: c }));
      continue;
    }
    out.push(tidy(notEnough(s, c)));
  }
  return out;
}

/**
 * One comparison in words, whatever its metric: "X better than Y on …" when the bar is met, otherwise
 * "Not enough evidence …" with the questions a test of 80% power would need. The results table lists
 * every comparison this way, so it and the guide can never word the same numbers differently.
 */
export function comparisonStatement(s: EvalSummary, raw: PairedComparison): EvidenceStatement {
  const c = winnerFirst(raw);
  if (!meetsBar(c)) return tidy(notEnough(s, c));
  return tidy({ rule: 'measured-difference', severity: 'good', text: betterSentence(s, c), runIds: runIdsOf(s, c.a, c.b), uncertainty: comparisonUncertainty(c), comparison: c });
}

function notEnough(s: EvalSummary, c: PairedComparison): EvidenceStatement {
  const a = armLabel(s, c.a);
  const b = armLabel(s, c.b);
  const m = METRIC_LABELS[c.metric] ?? { en: c.metric, zh: c.metric };
  const nums = comparisonNumbers(c);
  const t = PAIRED_TEST_NAMES[c.test];
  const why: L =
    c.pHolm < ALPHA && c.n < MIN_PAIRED_N
      ? { en: ` Fewer than ${MIN_PAIRED_N} paired questions stand behind it.`, zh: `支撑它的配对题目少于 ${MIN_PAIRED_N} 道。` }
      : { en: '', zh: '' };
  const power = `${Math.round(POWER * 100)}%`;
  const need: L =
    c.needed === null
      ? { en: ' No difference was observed, so no number of questions can be estimated.', zh: '没有观察到差异，因此无法估计所需题目数量。' }
      : c.needed <= MIN_PAIRED_N
        ? {
            en: ` At least ${MIN_PAIRED_N} paired questions are needed before a method is called better; a difference of this size would reach ${power} power at α = ${ALPHA} with that many (${t.en}).`,
            zh: `判定一个方法更好至少需要 ${MIN_PAIRED_N} 道配对题目；这么大的差异在这个题量下即可达到 ${power} 的检验功效（α = ${ALPHA}，${t.zh}）。`,
          }
        : {
            en: ` About ${c.needed} paired questions would be needed to detect a difference of this size (${power} power, α = ${ALPHA}, ${t.en}).`,
            zh: `要检出这么大的差异，大约需要 ${c.needed} 道配对题目（检验功效 ${power}，α = ${ALPHA}，${t.zh}）。`,
          };
  return {
    rule: 'not-enough-evidence',
    severity: 'warn',
    text: {
      en: `Not enough evidence: ${a.en} vs ${b.en} on ${m.en}: ${nums.en}.${why.en}${need.en}`,
      zh: `证据不足：${a.zh}对${b.zh}（${m.zh}）：${nums.zh}。${why.zh}${need.zh}`,
    },
    runIds: runIdsOf(s, c.a, c.b),
    uncertainty: comparisonUncertainty(c),
    comparison: c,
  };
}

/** The token and latency price of each arm relative to plain on the same model, next to what it buys in token F1. */
export function ruleCost(s: EvalSummary): EvidenceStatement[] {
  const out: EvidenceStatement[] = [];
  for (const m of s.arms) {
    if (m.method === 'plain') continue;
    const plain = armOf(s, m.model, 'plain');
    if (!plain || plain.promptTokens <= 0) continue;
    const c = findComparison(s, m.key, plain.key);
    if (!c) continue;
    const ratio = m.promptTokens / plain.promptTokens;
    const ms = signedMs(m.latencyMs - plain.latencyMs);
    const gained = meetsBar(c) && c.diff > 0;
    const l = armLabel(s, m.key);
    const pl = armLabel(s, plain.key);
    const en = `${capitalize(l.en)} costs ${ratio.toFixed(1)}× the prompt tokens of ${pl.en} (${Math.round(m.promptTokens)} vs ${Math.round(plain.promptTokens)} tokens) and ${ms} ms per answer`;
    const zh = `${l.zh}的提示词 token 是${pl.zh}的 ${ratio.toFixed(1)} 倍（${Math.round(m.promptTokens)} 对 ${Math.round(plain.promptTokens)}），每次回答延迟 ${ms} 毫秒`;
    out.push(
      tidy({
        rule: 'cost',
        severity: !gained && ratio >= COST_WARN_TOKEN_RATIO ? 'warn' : 'info',
        text: gained
          ? { en: `${en}, for ${signed(c.diff)} token F1 (${formatP(c.pHolm)}, n = ${c.n}).`, zh: `${zh}，换来词元 F1 ${signed(c.diff)}（${formatP(c.pHolm)}，n = ${c.n}）。` }
          : {
              en: `${en}, for a token F1 change of ${signed(c.diff)} that is not established (${formatP(c.pHolm)}, n = ${c.n}).`,
              zh: `${zh}，而词元 F1 的变化（${signed(c.diff)}）并未得到证实（${formatP(c.pHolm)}，n = ${c.n}）。`,
            },
        runIds: runIdsOf(s, m.key, plain.key),
        uncertainty: {
          en: `Tokens and latency are means over the questions; latency depends on this device and model. ${comparisonUncertainty(c).en}`,
          zh: `token 数和延迟为各题的平均值，延迟取决于当前设备和模型。${comparisonUncertainty(c).zh}`,
        },
        comparison: c,
      }),
    );
  }
  return out;
}

/** Rules in the order their statements are shown: findings first, then comparisons, price, caveats. */
export const EVIDENCE_RULES: readonly { id: EvidenceRuleId | 'comparisons'; run: (s: EvalSummary) => EvidenceStatement[] }[] = [
  { id: 'rag-knowledge-gap', run: ruleRagKnowledgeGap },
  { id: 'rag-no-gain', run: ruleRagNoGain },
  { id: 'retrieval-weak', run: ruleRetrievalWeak },
  { id: 'format-behaviour', run: ruleFormatBehaviour },
  { id: 'model-too-small', run: ruleModelTooSmall },
  { id: 'comparisons', run: ruleComparisons },
  { id: 'cost', run: ruleCost },
];

export function interpretEvidence(summary: EvalSummary): EvidenceStatement[] {
  return EVIDENCE_RULES.flatMap((r) => r.run(summary));
}

export interface ScoreAdjustment {
  method: ApproachId;
  /** Added to the method's questionnaire score. */
  points: number;
  rule: string;
  reason: L;
  runIds: string[];
}

/**
 * Points per rule. A measured finding on the user's own data is worth about as much as one strong
 * questionnaire answer (3–4 points): enough to break a close call, not to overturn a clear profile.
 * Rules that are absent here (retrieval-weak, measured-difference, cost, not-enough-evidence) do not
 * move scores: weak retrieval is a fixable pipeline problem, a bare difference has no reading, and
 * inconclusive data is no data.
 */
export const EVIDENCE_POINTS: Readonly<Partial<Record<EvidenceRuleId, Partial<Record<ApproachId, number>>>>> = {
  'rag-knowledge-gap': { rag: 3 },
  'rag-no-gain': { rag: -2 },
  'format-behaviour': { 'few-shot': 2, 'fine-tune': 1 },
  'model-too-small': { 'fine-tune': 2 },
};

const RULE_IDS: readonly string[] = [
  'rag-knowledge-gap', 'rag-no-gain', 'retrieval-weak', 'format-behaviour', 'model-too-small', 'measured-difference', 'cost', 'not-enough-evidence',
] satisfies readonly EvidenceRuleId[];

function isRuleId(rule: string): rule is EvidenceRuleId {
  return RULE_IDS.includes(rule);
}

/** Each rule counts once, however many statements (or summaries) repeat it. */
export function evidenceAdjustments(statements: readonly EvidenceStatement[]): ScoreAdjustment[] {
  const out: ScoreAdjustment[] = [];
  const seen = new Set<string>();
  for (const st of statements) {
    if (!isRuleId(st.rule) || seen.has(st.rule)) continue;
    seen.add(st.rule);
    const pts = EVIDENCE_POINTS[st.rule];
    if (!pts) continue;
    for (const method of SIMPLICITY_ORDER) {
      const p = pts[method];
      if (p === undefined) continue;
      out.push({
        method,
        points: p,
        rule: st.rule,
        reason: { en: `Measured: ${st.text.en}`, zh: `实测：${st.text.zh}` },
        runIds: st.runIds,
      });
    }
  }
  return out;
}
