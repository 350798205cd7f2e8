// Turns an evaluation summary (plain / few-shot / RAG runs on the user's test set) into plain-language
// statements with their numbers, run ids and uncertainty, and into score adjustments for decide().
// Every rule is a named function with its thresholds exported, so the UI can show why a rule fired.

import { SIMPLICITY_ORDER, spaceMixed, type L, type MethodKey } from './types';

export interface Interval {
  mean: number;
  low: number;
  high: number;
}

export interface MethodSummary {
  /** 'plain' | 'few-shot' | 'rag' | 'rag+few-shot' */
  method: string;
  /** Number of test questions. */
  n: number;
  /** Token F1 in 0–1, with its confidence interval. */
  f1: Interval;
  /** Answer token recall in 0–1. */
  recall?: Interval;
  /** Fraction (0–1) of gold passages found among the top-k retrieved chunks. */
  retrievalRecallAtK?: Interval;
  k?: number;
  /** 0–1 share of answer tokens supported by the retrieved context. */
  groundedness?: number;
  /** Mean prompt tokens per question. */
  promptTokens: number;
  /** Mean latency per answer, ms. */
  latencyMs: number;
  runIds: string[];
}

export interface EvalSummary {
  testSetName: string;
  model: string;
  methods: MethodSummary[];
  /** Paired differences over the same questions: f1Diff = F1(a) − F1(b). */
  diffs?: { a: string; b: string; f1Diff: Interval }[];
}

export interface EvidenceStatement {
  rule: string;
  severity: 'info' | 'good' | 'warn';
  text: L;
  runIds: string[];
  uncertainty: L;
}

/** Below this retrieval recall@k, most gold passages never reach the model: fix retrieval first. */
export const LOW_RETRIEVAL_RECALL = 0.5;
/** At or above this retrieval recall@k, retrieval is good enough that answer failures lie elsewhere. */
export const GOOD_RETRIEVAL_RECALL = 0.8;
/** F1 differences under this (5 points) count as "about the same" for the format/behaviour rule. */
export const SIMILAR_F1 = 0.05;
/** When every method's mean F1 is below this, no prompting strategy is rescuing the model. */
export const LOW_F1 = 0.3;
/** Paying at least this many times plain's prompt tokens without a measurable gain is flagged. */
export const COST_WARN_TOKEN_RATIO = 3;

export type EvidenceRuleId =
  | 'rag-knowledge-gap'
  | 'rag-no-gain'
  | 'retrieval-weak'
  | 'format-behaviour'
  | 'model-too-small'
  | 'cost'
  | 'not-distinguishable';

const METHOD_LABELS: Record<string, L> = {
  plain: { en: 'plain prompting', zh: '直接提问' },
  'few-shot': { en: 'few-shot', zh: '少样本' },
  rag: { en: 'RAG', zh: 'RAG' },
  'rag+few-shot': { en: 'RAG + few-shot', zh: 'RAG + 少样本' },
};

function label(method: string): L {
  return METHOD_LABELS[method] ?? { en: method, zh: method };
}

/** F1 (0–1) as points ×100 with one decimal: 0.4567 → "45.7". */
export function points(x: number): string {
  return (x * 100).toFixed(1);
}

/** A signed difference in points: 0.123 → "+12.3", −0.04 → "−4.0". */
export function signedPoints(x: number): string {
  const p = points(Math.abs(x));
  if (p === '0.0') return '0.0';
  return (x > 0 ? '+' : '−') + p;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function fraction(x: number): string {
  return x.toFixed(2);
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

function find(s: EvalSummary, method: string): MethodSummary | undefined {
  return s.methods.find((m) => m.method === method);
}

function union(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}

export interface Difference extends Interval {
  /** True when taken from a paired diff over the same questions; false when derived from two CIs. */
  paired: boolean;
}

/**
 * F1(a) − F1(b). Prefers the paired difference from `summary.diffs` (either direction). Without one,
 * falls back to [a.low − b.high, a.high − b.low]: conservative, and it contains 0 exactly when the
 * two CIs overlap, so "overlapping CIs" and "diff CI contains 0" are one test.
 */
export function difference(s: EvalSummary, a: string, b: string): Difference | undefined {
  const direct = s.diffs?.find((d) => d.a === a && d.b === b);
  if (direct) return { ...direct.f1Diff, paired: true };
  const reverse = s.diffs?.find((d) => d.a === b && d.b === a);
  if (reverse) {
    const r = reverse.f1Diff;
    return { mean: -r.mean, low: -r.high, high: -r.low, paired: true };
  }
  const ma = find(s, a);
  const mb = find(s, b);
  if (!ma || !mb) return undefined;
  return { mean: ma.f1.mean - mb.f1.mean, low: ma.f1.low - mb.f1.high, high: ma.f1.high - mb.f1.low, paired: false };
}

function excludesZero(d: Difference): boolean {
  return d.low > 0 || d.high < 0;
}

function diffUncertainty(d: Difference, n: number): L {
  const range = `[${signedPoints(d.low)}, ${signedPoints(d.high)}]`;
  return {
    en: `F1 difference CI ${range} points (${d.paired ? 'paired over the same questions' : 'derived from the two separate CIs, conservative'}); n = ${n} questions.`,
    zh: `F1 差值置信区间 ${range} 个百分点（${d.paired ? '在同一批题目上配对计算' : '由两个独立置信区间推算，偏保守'}）；n = ${n} 题。`,
  };
}

function intervalText(i: Interval, asPoints: boolean): string {
  const f = asPoints ? points : fraction;
  return `[${f(i.low)}, ${f(i.high)}]`;
}

/** The retrieval method to judge retrieval by: 'rag' if measured, else any method that retrieved. */
function retrievalMethod(s: EvalSummary): MethodSummary | undefined {
  const rag = find(s, 'rag');
  if (rag?.retrievalRecallAtK) return rag;
  return s.methods.find((m) => m.retrievalRecallAtK !== undefined);
}

function recallAt(m: MethodSummary): string {
  return `recall@${m.k ?? 'k'}`;
}

/** RAG significantly beats plain: the model lacked knowledge the documents supply. */
export function ruleRagKnowledgeGap(s: EvalSummary): EvidenceStatement | undefined {
  const rag = find(s, 'rag');
  const plain = find(s, 'plain');
  const d = difference(s, 'rag', 'plain');
  if (!rag || !plain || !d || d.low <= 0) return undefined;
  const r = rag.retrievalRecallAtK;
  const recallEn = r ? `, with retrieval ${recallAt(rag)} of ${fraction(r.mean)}` : '';
  const recallZh = r ? `，检索召回率（${recallAt(rag)}）为 ${fraction(r.mean)}` : '';
  return tidy({
    rule: 'rag-knowledge-gap',
    severity: 'good',
    text: {
      en: `RAG beats plain prompting by ${signedPoints(d.mean)} F1 points (${points(rag.f1.mean)} vs ${points(plain.f1.mean)})${recallEn}: the model was missing knowledge that your documents supply, and RAG is doing its job.`,
      zh: `RAG 的 F1 比直接提问高 ${points(d.mean)} 个百分点（${points(rag.f1.mean)} 对 ${points(plain.f1.mean)}）${recallZh}：模型缺的是知识，而你的文档正好补上了——RAG 在发挥作用。`,
    },
    runIds: union(rag.runIds, plain.runIds),
    uncertainty: diffUncertainty(d, Math.min(rag.n, plain.n)),
  });
}

/**
 * Retrieval works yet RAG is confidently no better than plain (the whole CI of the gain lies below
 * SIMILAR_F1): knowledge is not the bottleneck. Left to model-too-small when every method is low.
 */
export function ruleRagNoGain(s: EvalSummary): EvidenceStatement | undefined {
  const rag = find(s, 'rag');
  const plain = find(s, 'plain');
  const d = difference(s, 'rag', 'plain');
  const r = rag?.retrievalRecallAtK;
  if (!rag || !plain || !d || !r) return undefined;
  if (r.mean < GOOD_RETRIEVAL_RECALL || d.high >= SIMILAR_F1 || allBelowLowF1(s)) return undefined;
  return tidy({
    rule: 'rag-no-gain',
    severity: 'info',
    text: {
      en: `Retrieval works (${recallAt(rag)} = ${fraction(r.mean)}) but RAG does not beat plain prompting (${signedPoints(d.mean)} F1 points): the missing piece is not knowledge. Look at instructions, output format or the model instead.`,
      zh: `检索本身没问题（${recallAt(rag)} = ${fraction(r.mean)}），但 RAG 并没有比直接提问更好（F1 差 ${signedPoints(d.mean)} 个百分点）：缺的不是知识。应该从指令、输出格式或模型本身找原因。`,
    },
    runIds: union(rag.runIds, plain.runIds),
    uncertainty: diffUncertainty(d, Math.min(rag.n, plain.n)),
  });
}

/** Low retrieval recall@k: most gold passages never reach the model, whatever model it is. */
export function ruleRetrievalWeak(s: EvalSummary): EvidenceStatement | undefined {
  const m = retrievalMethod(s);
  const r = m?.retrievalRecallAtK;
  if (!m || !r || r.mean >= LOW_RETRIEVAL_RECALL) return undefined;
  const runIds = union(...s.methods.filter((x) => x.retrievalRecallAtK).map((x) => x.runIds));
  return tidy({
    rule: 'retrieval-weak',
    severity: 'warn',
    text: {
      en: `Retrieval ${recallAt(m)} is only ${fraction(r.mean)} (below ${fraction(LOW_RETRIEVAL_RECALL)}): most of the passages that hold the answers never reach the model. Fix retrieval first (chunk size, hybrid BM25 + vector search, reranking) before blaming the model.`,
      zh: `检索召回率（${recallAt(m)}）只有 ${fraction(r.mean)}（低于 ${fraction(LOW_RETRIEVAL_RECALL)}）：大部分含有答案的段落根本没有送到模型面前。先修好检索（调整分块大小、BM25 与向量混合检索、重排序），再去怀疑模型。`,
    },
    runIds,
    uncertainty: {
      en: `${recallAt(m)} CI ${intervalText(r, false)}; n = ${m.n} questions.`,
      zh: `${recallAt(m)} 置信区间 ${intervalText(r, false)}；n = ${m.n} 题。`,
    },
  });
}

/**
 * Few-shot ≈ RAG (|diff| < SIMILAR_F1) and both significantly beat plain: showing examples helps as
 * much as adding documents, so the gap is how the model answers, not what it knows.
 */
export function ruleFormatBehaviour(s: EvalSummary): EvidenceStatement | undefined {
  const fs = find(s, 'few-shot');
  const rag = find(s, 'rag');
  const plain = find(s, 'plain');
  const dFR = difference(s, 'few-shot', 'rag');
  const dFP = difference(s, 'few-shot', 'plain');
  const dRP = difference(s, 'rag', 'plain');
  if (!fs || !rag || !plain || !dFR || !dFP || !dRP) return undefined;
  if (Math.abs(dFR.mean) >= SIMILAR_F1 || dFP.low <= 0 || dRP.low <= 0) return undefined;
  const n = Math.min(fs.n, rag.n, plain.n);
  const r = (d: Difference) => `[${signedPoints(d.low)}, ${signedPoints(d.high)}]`;
  return tidy({
    rule: 'format-behaviour',
    severity: 'info',
    text: {
      en: `Few-shot (F1 ${points(fs.f1.mean)}) and RAG (F1 ${points(rag.f1.mean)}) are within ${points(Math.abs(dFR.mean))} points of each other and both beat plain prompting (${points(plain.f1.mean)}): the gap looks like format or behaviour, not missing knowledge. Few-shot examples, or fine-tuning once you have hundreds of examples, address it more cheaply than retrieval.`,
      zh: `少样本（F1 ${points(fs.f1.mean)}）和 RAG（F1 ${points(rag.f1.mean)}）只差 ${points(Math.abs(dFR.mean))} 个百分点，且都明显好于直接提问（${points(plain.f1.mean)}）：问题更像是格式或行为，而不是缺知识。用少样本示例（示例积累到几百条后可考虑微调）比检索更省事。`,
    },
    runIds: union(fs.runIds, rag.runIds, plain.runIds),
    uncertainty: {
      en: `F1 difference CIs in points: few-shot vs RAG ${r(dFR)}, few-shot vs plain ${r(dFP)}, RAG vs plain ${r(dRP)}; n = ${n} questions.`,
      zh: `F1 差值置信区间（百分点）：少样本对 RAG ${r(dFR)}，少样本对直接提问 ${r(dFP)}，RAG 对直接提问 ${r(dRP)}；n = ${n} 题。`,
    },
  });
}

function allBelowLowF1(s: EvalSummary): boolean {
  return s.methods.length > 0 && s.methods.every((m) => m.f1.mean < LOW_F1);
}

/** Every method scores low although retrieval delivers the passages: the model itself is the limit. */
export function ruleModelTooSmall(s: EvalSummary): EvidenceStatement | undefined {
  if (!allBelowLowF1(s)) return undefined;
  let bestRetrieval: MethodSummary | undefined;
  let r: Interval | undefined;
  for (const m of s.methods) {
    const mr = m.retrievalRecallAtK;
    if (mr && (!r || mr.mean > r.mean)) {
      bestRetrieval = m;
      r = mr;
    }
  }
  if (!bestRetrieval || !r || r.mean < GOOD_RETRIEVAL_RECALL) return undefined;
  const best = s.methods.reduce((b, m) => (m.f1.mean > b.f1.mean ? m : b));
  const bl = label(best.method);
  return tidy({
    rule: 'model-too-small',
    severity: 'warn',
    text: {
      en: `Every method stays below F1 ${points(LOW_F1)} (best: ${bl.en} at ${points(best.f1.mean)}) although retrieval finds the right passages (${recallAt(bestRetrieval)} = ${fraction(r.mean)}): ${s.model} gets what it needs and still fails, so it is likely too small for this task. Try a larger model, or fine-tune this one.`,
      zh: `所有方法的 F1 都低于 ${points(LOW_F1)}（最好的是${bl.zh}，${points(best.f1.mean)}），而检索已经找到了正确段落（${recallAt(bestRetrieval)} = ${fraction(r.mean)}）：${s.model} 拿到了所需信息却仍然答不好，多半是模型太小，不足以胜任这个任务。试试更大的模型，或者对它进行微调。`,
    },
    runIds: union(...s.methods.map((m) => m.runIds)),
    uncertainty: {
      en: `Best F1 CI ${intervalText(best.f1, true)} points; ${recallAt(bestRetrieval)} CI ${intervalText(r, false)}; n = ${best.n} questions.`,
      zh: `最佳 F1 置信区间 ${intervalText(best.f1, true)}；${recallAt(bestRetrieval)} 置信区间 ${intervalText(r, false)}；n = ${best.n} 题。`,
    },
  });
}

/** The token and latency price of each method relative to plain, next to what it buys in F1. */
export function ruleCost(s: EvalSummary): EvidenceStatement[] {
  const plain = find(s, 'plain');
  if (!plain || plain.promptTokens <= 0) return [];
  const out: EvidenceStatement[] = [];
  for (const m of s.methods) {
    if (m.method === 'plain') continue;
    const d = difference(s, m.method, 'plain');
    if (!d) continue;
    const ratio = m.promptTokens / plain.promptTokens;
    const ms = signedMs(m.latencyMs - plain.latencyMs);
    const gained = d.low > 0;
    const l = label(m.method);
    const en = `${capitalize(l.en)} costs ${ratio.toFixed(1)}× the prompt tokens of plain prompting (${Math.round(m.promptTokens)} vs ${Math.round(plain.promptTokens)} tokens) and ${ms} ms per answer`;
    const zh = `${l.zh}的提示词 token 是直接提问的 ${ratio.toFixed(1)} 倍（${Math.round(m.promptTokens)} 对 ${Math.round(plain.promptTokens)}），每次回答延迟 ${ms} 毫秒`;
    const statement: EvidenceStatement = {
      rule: 'cost',
      severity: !gained && ratio >= COST_WARN_TOKEN_RATIO ? 'warn' : 'info',
      text: gained
        ? { en: `${en}, for ${signedPoints(d.mean)} F1 points.`, zh: `${zh}，换来 F1 ${signedPoints(d.mean)} 个百分点。` }
        : {
            en: `${en}, for an F1 change (${signedPoints(d.mean)} points) not distinguishable from zero.`,
            zh: `${zh}，而 F1 的变化（${signedPoints(d.mean)} 个百分点）与零无法区分。`,
          },
      runIds: union(m.runIds, plain.runIds),
      uncertainty: {
        en: `Tokens and latency are means over n = ${Math.min(m.n, plain.n)} questions; latency depends on this device and model. ${diffUncertainty(d, Math.min(m.n, plain.n)).en}`,
        zh: `token 数和延迟为 n = ${Math.min(m.n, plain.n)} 题的平均值，延迟取决于当前设备和模型。${diffUncertainty(d, Math.min(m.n, plain.n)).zh}`,
      },
    };
    out.push(tidy(statement));
  }
  return out;
}

/**
 * Pairs whose F1 difference CI contains 0 (overlapping CIs when no paired diff is given). Also
 * estimates the questions needed to resolve the largest such difference, using CI width ∝ 1/√n.
 */
export function ruleNotDistinguishable(s: EvalSummary): EvidenceStatement | undefined {
  const pairs: { a: MethodSummary; b: MethodSummary; d: Difference }[] = [];
  for (let i = 0; i < s.methods.length; i++) {
    for (let j = i + 1; j < s.methods.length; j++) {
      const a = s.methods[i];
      const b = s.methods[j];
      const d = difference(s, a.method, b.method);
      if (d && !excludesZero(d)) pairs.push({ a, b, d });
    }
  }
  if (pairs.length === 0) return undefined;
  const n = Math.min(...pairs.flatMap((p) => [p.a.n, p.b.n]));
  const listEn = pairs
    .map((p) => `${label(p.a.method).en} vs ${label(p.b.method).en} (${signedPoints(p.d.mean)}, CI [${signedPoints(p.d.low)}, ${signedPoints(p.d.high)}])`)
    .join('; ');
  const listZh = pairs
    .map((p) => `${label(p.a.method).zh}对${label(p.b.method).zh}（${signedPoints(p.d.mean)}，区间 [${signedPoints(p.d.low)}, ${signedPoints(p.d.high)}]）`)
    .join('；');
  const largest = pairs.reduce((x, p) => (Math.abs(p.d.mean) > Math.abs(x.d.mean) ? p : x));
  const halfWidth = (largest.d.high - largest.d.low) / 2;
  const size = Math.abs(largest.d.mean);
  // Below half a point the methods may simply be equivalent; an n estimate would be absurd.
  const needed = size >= 0.005 ? Math.ceil(n * (halfWidth / size) ** 2 - 1e-9) : undefined; // ε: float noise must not add a question
  const neededEn =
    needed !== undefined
      ? ` To resolve a difference of ${points(size)} points you would need roughly ${needed} questions.`
      : ' The differences are so small that the methods may simply be equivalent on this test set.';
  const neededZh =
    needed !== undefined
      ? `要分辨 ${points(size)} 个百分点的差距，大约需要 ${needed} 道题。`
      : '差距非常小，这些方法在当前测试集上可能本来就不相上下。';
  return tidy({
    rule: 'not-distinguishable',
    severity: 'warn',
    text: {
      en: `With n = ${n} questions these methods cannot be told apart: ${listEn} F1 points. Add more questions before drawing conclusions from these pairs.${neededEn}`,
      zh: `只有 n = ${n} 道题，以下方法之间还分不出高下：${listZh}（单位：F1 百分点）。在据此下结论之前，请先增加题目。${neededZh}`,
    },
    runIds: union(...pairs.flatMap((p) => [p.a.runIds, p.b.runIds])),
    uncertainty: {
      en: `Each listed difference CI contains 0. CI width shrinks roughly with √n: four times as many questions halves it.`,
      zh: `上面每个差值的置信区间都包含 0。置信区间宽度大致与 √n 成反比：题目增加到四倍，区间宽度减半。`,
    },
  });
}

/** Rules in the order their statements are shown: findings first, then price, then caveats. */
export const EVIDENCE_RULES: readonly { id: EvidenceRuleId; run: (s: EvalSummary) => EvidenceStatement[] }[] = [
  { id: 'rag-knowledge-gap', run: (s) => listOf(ruleRagKnowledgeGap(s)) },
  { id: 'rag-no-gain', run: (s) => listOf(ruleRagNoGain(s)) },
  { id: 'retrieval-weak', run: (s) => listOf(ruleRetrievalWeak(s)) },
  { id: 'format-behaviour', run: (s) => listOf(ruleFormatBehaviour(s)) },
  { id: 'model-too-small', run: (s) => listOf(ruleModelTooSmall(s)) },
  { id: 'cost', run: ruleCost },
  { id: 'not-distinguishable', run: (s) => listOf(ruleNotDistinguishable(s)) },
];

function listOf(x: EvidenceStatement | undefined): EvidenceStatement[] {
  return x ? [x] : [];
}

export function interpretEvidence(summary: EvalSummary): EvidenceStatement[] {
  return EVIDENCE_RULES.flatMap((r) => r.run(summary));
}

export interface ScoreAdjustment {
  method: MethodKey;
  /** Added to the method's questionnaire score. */
  points: number;
  rule: string;
  reason: L;
  runIds: string[];
}

/**
 * Points per rule. A measured finding on the user's own data is worth about as much as one strong
 * questionnaire answer (3–4 points): enough to break a close call, not to overturn a clear profile.
 * Rules that are absent here (retrieval-weak, cost, not-distinguishable) do not move scores: weak
 * retrieval is a fixable pipeline problem, not evidence against RAG, and inconclusive data is no data.
 */
export const EVIDENCE_POINTS: Readonly<Partial<Record<EvidenceRuleId, Partial<Record<MethodKey, number>>>>> = {
  'rag-knowledge-gap': { rag: 3 },
  'rag-no-gain': { rag: -2 },
  'format-behaviour': { 'few-shot': 2, 'fine-tune': 1 },
  'model-too-small': { 'fine-tune': 2 },
};

function isRuleId(rule: string): rule is EvidenceRuleId {
  return EVIDENCE_RULES.some((r) => r.id === rule);
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
