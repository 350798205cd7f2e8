// Optional model-graded scores: the local LLM grades an answer's faithfulness and relevance on a fixed
// 1–5 rubric. Always labelled "model-graded" in the UI: a small model is a weak judge. The rubric sits in
// the system message and the material in the user message; replies that cannot be read grade as null,
// never 0, and the screen says how many were read ("graded 17 of 20").

import type { ChatMessage } from '../protocol/messages';

export const JUDGE_RUBRIC_VERSION = 1;

/** Shown verbatim in the UI and sent verbatim to the model, so what users read is what was asked. */
export const JUDGE_RUBRIC: Record<'en' | 'zh', string> = {
  en: [
    'You grade one answer to a question. Use this fixed rubric.',
    'Faithfulness (1–5): are the claims in the answer supported by the evidence (the passages the answerer was shown, and the reference answer)?',
    '  5 = every claim is supported; 3 = some claims are unsupported; 1 = mostly unsupported or contradicts the evidence. A plain "I do not know" is 5.',
    'Relevance (1–5): does the answer address the question that was asked?',
    '  5 = answers exactly what was asked; 3 = partly, or with much unrelated text; 1 = does not address the question.',
    'Reply with only this JSON and nothing else: {"faithfulness": <1-5>, "relevance": <1-5>}',
  ].join('\n'),
  zh: [
    '你要给一个问题的一个回答打分。请使用下面固定的评分标准。',
    '忠实度（1–5）：回答中的说法是否有证据支持（回答者看到的资料，以及参考答案）？',
    '  5 = 每个说法都有依据；3 = 部分说法没有依据；1 = 大多没有依据或与证据矛盾。直接说“不知道”记 5 分。',
    '相关性（1–5）：回答是否针对所提的问题？',
    '  5 = 正好回答了所问；3 = 只回答了一部分，或夹杂大量无关内容；1 = 没有回答这个问题。',
    '只回复下面这个 JSON，不要写别的：{"faithfulness": <1-5>, "relevance": <1-5>}',
  ].join('\n'),
};

export interface JudgeGrades {
  /** 1–5. */
  faithfulness: number;
  /** 1–5. */
  relevance: number;
}

export interface JudgeResult {
  grades: JudgeGrades | null;
  /** The judge's reply as written, so a person can check the parse. */
  raw: string;
  rubricVersion: number;
  /** The judge model (id · engine) that gave the grades. */
  model?: string;
  /** Whether the engine held the reply to the JSON schema (web-llm can; others are parsed as written). */
  constrained?: boolean;
}

const LABELS = {
  en: { q: 'Question', ref: 'Reference answer', none: '(none: the question should be refused)', ev: 'Passages shown to the answerer', noEv: '(none)', a: 'Answer to grade' },
  zh: { q: '问题', ref: '参考答案', none: '（无：应当回答不知道）', ev: '回答者看到的资料', noEv: '（无）', a: '待评分的回答' },
} as const;

export function judgeMessages(input: { question: string; reference: string; context: readonly string[]; answer: string; lang: 'en' | 'zh' }): ChatMessage[] {
  const l = LABELS[input.lang];
  const evidence = input.context.length ? input.context.map((t, i) => `[${i + 1}] ${t.trim()}`).join('\n') : l.noEv;
  const user = [
    `${l.q}: ${input.question.trim()}`,
    `${l.ref}: ${input.reference.trim() || l.none}`,
    `${l.ev}:\n${evidence}`,
    `${l.a}: ${input.answer.trim()}`,
  ].join('\n\n');
  return [
    { role: 'system', content: JUDGE_RUBRIC[input.lang] },
    { role: 'user', content: user },
  ];
}

/**
 * The JSON schema the judge's reply is constrained to where the engine supports it (web-llm:
 * `response_format: { type: 'json_object', schema: JUDGE_GRADES_SCHEMA }`): two whole grades 1–5.
 */
export const JUDGE_GRADES_SCHEMA = JSON.stringify({
  type: 'object',
  properties: {
    faithfulness: { type: 'integer', enum: [1, 2, 3, 4, 5] },
    relevance: { type: 'integer', enum: [1, 2, 3, 4, 5] },
  },
  required: ['faithfulness', 'relevance'],
  additionalProperties: false,
});

/** web-llm's `response_format` for the grades judge. */
export const JUDGE_RESPONSE_FORMAT = Object.freeze({ type: 'json_object' as const, schema: JUDGE_GRADES_SCHEMA });

/** Names a grade may go by (nouns only: "unfaithful" or "relevant" in a sentence are not keys). */
const KEYS = {
  faithfulness: ['faithfulness', 'groundedness', '忠实度', '忠实性'],
  relevance: ['relevance', 'relevancy', '相关性', '相关度'],
} as const;

/**
 * A grade from a number and an optional denominator. Without one the number must already be 1–5.
 * With "x/D" or "x out of D" (D ≥ 2), the scale 1…D is mapped linearly onto 1…5:
 * g = 1 + 4·(x − 1)/(D − 1), so 4/5 → 4, 10/10 → 5, 1/10 → 1, 8/10 → 4.11; x outside 1…D → null.
 */
export function rescaleGrade(x: number, denominator?: number): number | null {
  if (!Number.isFinite(x)) return null;
  if (denominator === undefined) return x >= 1 && x <= 5 ? x : null;
  if (!Number.isInteger(denominator) || denominator < 2 || x < 1 || x > denominator) return null;
  return 1 + (4 * (x - 1)) / (denominator - 1);
}

// The whole number: no backtracking into "10" to read its "1".
const NUM = String.raw`(\d+(?:\.\d+)?)(?!\.?\d)`;
const DENOM = String.raw`(?:\s*(?:/|out\s+of)\s*(\d+))?`;
// A number followed by a dash or "to" and another number is a range (the rubric's "1-5"), not a grade.
const NOT_RANGE = String.raw`(?!\s*(?:[-–—~]|to\b)\s*\d)`;
const VALUE = new RegExp(String.raw`^\s*${NUM}${NOT_RANGE}${DENOM}\s*$`, 'iu');

/** A JSON value as a grade: a number in 1–5, or a string "4", "4/5", "8 out of 10". */
function gradeOf(v: unknown): number | null {
  if (typeof v === 'number') return rescaleGrade(v);
  if (typeof v !== 'string') return null;
  const m = VALUE.exec(v);
  return m ? rescaleGrade(Number(m[1]), m[2] === undefined ? undefined : Number(m[2])) : null;
}

type Found = { found: false } | { found: true; grades: JudgeGrades | null };

/** The first JSON object in the reply that names a grade decides (also inside ``` fences, with single quotes). */
function fromJson(text: string): Found {
  for (const m of text.matchAll(/\{[^{}]*\}/gu)) {
    for (const candidate of [m[0], m[0].replace(/'/gu, '"')]) {
      let v: unknown;
      try {
        v = JSON.parse(candidate);
      } catch {
        continue; // Not JSON (or not with these quotes): the other spelling or the loose lines get their chance.
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      const entries = Object.entries(v);
      const pick = (names: readonly string[]) => entries.find(([k]) => names.includes(k.trim().toLowerCase()));
      const f = pick(KEYS.faithfulness);
      const r = pick(KEYS.relevance);
      if (!f && !r) continue;
      const faithfulness = f ? gradeOf(f[1]) : null;
      const relevance = r ? gradeOf(r[1]) : null;
      return { found: true, grades: faithfulness !== null && relevance !== null ? { faithfulness, relevance } : null };
    }
  }
  return { found: false };
}

// Between a key and its number: markdown emphasis, quotes, a qualifier ("score", "(1–5)"), one separator.
const FILL = String.raw`[\s*_"'\x60]*`;
const QUALIFIER = String.raw`(?:(?:score|grade|rating|评分|得分|分数)|\([^()]*\d\s*(?:[-–—~]|to)\s*\d[^()]*\))`;
const SEPARATOR = String.raw`(?:[:=：]|\bis\b|为|是)`;

function keyPattern(names: readonly string[]): RegExp {
  // Latin keys must stand alone as words ("unfaithfulness" is no key); Chinese text has no spaces to look for.
  const latin = names.filter((n) => /^[a-z]+$/u.test(n));
  const cjk = names.filter((n) => !/^[a-z]+$/u.test(n));
  const key = `(?:(?<![\\p{L}\\p{N}])(?:${latin.join('|')})(?![\\p{L}])|${cjk.join('|')})`;
  return new RegExp(`${key}${FILL}(?:${QUALIFIER}${FILL})*${SEPARATOR}${FILL}${NUM}${NOT_RANGE}${DENOM}`, 'giu');
}

const LOOSE = { faithfulness: keyPattern(KEYS.faithfulness), relevance: keyPattern(KEYS.relevance) };

/** Every "Key: number" for one grade; null when there is none or they disagree. */
function fromLines(text: string, re: RegExp): number | null {
  const seen = new Set<number>();
  for (const m of text.matchAll(re)) {
    const g = rescaleGrade(Number(m[1]), m[2] === undefined ? undefined : Number(m[2]));
    if (g === null) return null; // a grade out of range is a misreading, not something to skip past
    seen.add(g);
  }
  return seen.size === 1 ? [...seen][0] : null;
}

/**
 * Reads the two 1–5 grades from a judge's reply, or null when they cannot be read with confidence:
 * - JSON first (also fenced, single-quoted, full-width): the first object naming a grade decides;
 *   numbers must be 1–5 (`{"faithfulness": 10, …}` → null) unless a denominator is given ("8/10").
 * - Otherwise "Key: number" lines: a key counts only with its own number right after it (a qualifier such
 *   as "score" or "(1–5)" and one separator may stand between), so "unfaithful 2 times" is no grade.
 * - An explicit denominator rescales (see rescaleGrade: 10/10 → 5); a range such as the rubric's
 *   "1-5" is not a grade, so an echoed rubric reads as null; two different readings of a key → null.
 */
export function parseJudge(reply: string): JudgeGrades | null {
  const text = reply.normalize('NFKC');
  const json = fromJson(text);
  if (json.found) return json.grades;
  const faithfulness = fromLines(text, LOOSE.faithfulness);
  const relevance = fromLines(text, LOOSE.relevance);
  return faithfulness !== null && relevance !== null ? { faithfulness, relevance } : null;
}

/** 1–5 → 0–1, so model grades sit on the same axis as the other scores. */
export function gradeToUnit(g: number): number {
  return (g - 1) / 4;
}
