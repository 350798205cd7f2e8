// Optional model-graded scores: the local LLM grades an answer's faithfulness and relevance on a fixed
// 1–5 rubric. Always labelled "model-graded" in the UI: a small model is a weak judge. The rubric sits in
// the system message and the material in the user message; unparsable replies grade as null, never 0.

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

function grade(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d(?:\.\d+)?\s*$/u.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 1 && n <= 5 ? n : null;
}

const KEYS = {
  faithfulness: ['faithfulness', 'faithful', 'groundedness', '忠实度', '忠实性', '忠实'],
  relevance: ['relevance', 'relevancy', 'relevant', '相关性', '相关度', '相关'],
} as const;

function fromObject(o: Record<string, unknown>): JudgeGrades | null {
  const pick = (names: readonly string[]) => {
    for (const [k, v] of Object.entries(o)) if (names.includes(k.trim().toLowerCase())) return grade(v);
    return null;
  };
  const faithfulness = pick(KEYS.faithfulness);
  const relevance = pick(KEYS.relevance);
  return faithfulness !== null && relevance !== null ? { faithfulness, relevance } : null;
}

/**
 * Reads the grades from a reply: the first JSON object that has both (also inside ``` fences, with
 * single quotes or full-width punctuation), else "Faithfulness: 4" style lines. Grades outside 1–5 or
 * a missing grade give null: a guess would be worse than no grade.
 */
export function parseJudge(reply: string): JudgeGrades | null {
  const text = reply.normalize('NFKC');
  for (const m of text.matchAll(/\{[^{}]*\}/gu)) {
    for (const candidate of [m[0], m[0].replace(/'/gu, '"')]) {
      try {
        const v: unknown = JSON.parse(candidate);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          const g = fromObject(v as Record<string, unknown>);
          if (g) return g;
        }
      } catch {
        // Not JSON: the loose line format below gets its chance.
      }
    }
  }
  const find = (names: readonly string[]) => {
    const re = new RegExp(`(?:${names.join('|')})["'\\s*]*[:=：]?\\s*\\**\\s*(\\d(?:\\.\\d+)?)(?:\\s*/\\s*5)?`, 'iu');
    const m = re.exec(text);
    return m ? grade(m[1]) : null;
  };
  const faithfulness = find(KEYS.faithfulness);
  const relevance = find(KEYS.relevance);
  return faithfulness !== null && relevance !== null ? { faithfulness, relevance } : null;
}

/** 1–5 → 0–1, so model grades sit on the same axis as the other scores. */
export function gradeToUnit(g: number): number {
  return (g - 1) / 4;
}
