// Faithfulness per claim (pure): an answer is split into claims (its sentences, English and Chinese
// punctuation), each claim is judged against the passages the answerer was shown as supported, not
// supported or contradicted, replies are read strictly (null when unreadable), and the verdicts summarised.

import type { ChatMessage } from '../protocol/messages';
import { stripCitations } from '../strategies/citations';

/** One claim: a sentence of the answer, with its offsets so the screen can mark it in place. */
export interface Claim {
  /** As written in the answer (citation markers included), trimmed. */
  text: string;
  /** UTF-16 offsets into the answer, end exclusive. */
  start: number;
  end: number;
}

export type ClaimVerdict = 'supported' | 'not_supported' | 'contradicted';
export const CLAIM_VERDICTS: readonly ClaimVerdict[] = Object.freeze(['supported', 'not_supported', 'contradicted']);

// Sentence ends: Chinese/full-width terminators always; ASCII . ! ? only before whitespace or the end.
const CJK_END = /[。！？；]/u;
const ASCII_END = /[.!?]/u;
const CLOSERS = /[”’"'」』）)】\]》]/u;
const CITATION_AFTER = /^[ \t]*(?:[[【［]\s*[0-9０-９]{1,4}(?:\s*(?:[,，、;；]|[-–—~～])\s*[0-9０-９]{1,4})*\s*[\]】］][ \t]*)+/u;
// Dots that do not end a sentence in English.
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|vs|cf|mr|mrs|ms|dr|prof|fig|approx)\.$/iu;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const HAS_CONTENT = /[\p{L}\p{N}]/u;

/**
 * Splits an answer into claims: sentences ended by 。！？； (and their ASCII forms) or by a line break; an
 * ASCII full stop ends a sentence only before whitespace or Chinese text, not after an abbreviation
 * (e.g., Dr., approx.) and not before a lowercase word, so 3.5 and "e.g. the" stay whole. Closing quotes and the
 * citation markers right after a sentence belong to it. Pieces without letters or digits are dropped.
 */
export function splitClaims(answer: string): Claim[] {
  const out: Claim[] = [];
  let from = 0;
  const push = (end: number) => {
    const raw = answer.slice(from, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    // A list bullet or number opening the line is not part of the claim.
    const bullet = /^(?:[-*•·]|\d{1,2}[.)、])\s+/u.exec(text);
    const body = bullet ? text.slice(bullet[0].length) : text;
    if (HAS_CONTENT.test(stripCitations(body))) {
      const start = from + lead + (bullet ? bullet[0].length : 0);
      out.push({ text: body, start, end: start + body.length });
    }
    from = end;
  };
  for (let i = 0; i < answer.length; i++) {
    const ch = answer[i];
    if (ch === '\n') {
      push(i);
      continue;
    }
    const cjk = CJK_END.test(ch);
    const ascii = !cjk && ASCII_END.test(ch);
    if (!cjk && !ascii) continue;
    let end = i + 1;
    while (end < answer.length && (CLOSERS.test(answer[end]) || ASCII_END.test(answer[end]) || CJK_END.test(answer[end]))) end++;
    if (ascii) {
      const next = answer.slice(end);
      if (next !== '' && !/^\s/u.test(next) && !CJK_CHAR.test(next[0])) continue; // 3.5, example.com; but "十五天!下一句" splits
      if (ch === '.' && ABBREVIATION.test(answer.slice(Math.max(0, i - 8), i + 1))) continue;
      if (ch === '.' && /^\s*\d{1,2}$/u.test(answer.slice(from, i))) continue; // "2. " opening a numbered line
      if (/^\s*\p{Ll}/u.test(next) && ch === '.') continue; // "e.g. the", "approx. ten"
    }
    const cite = CITATION_AFTER.exec(answer.slice(end));
    if (cite) end += cite[0].trimEnd().length;
    push(end);
    i = end - 1;
  }
  push(answer.length);
  return out;
}

export const CLAIM_RUBRIC_VERSION = 1;

/** Shown verbatim in the UI and sent verbatim to the model. */
export const CLAIM_RUBRIC: Record<'en' | 'zh', string> = {
  en: [
    'You check one claim taken from an answer against the passages the answerer was shown. Judge only by the passages, not by what you know.',
    'supported: the passages state the claim or directly imply it.',
    'not_supported: the passages do not say whether the claim is true.',
    'contradicted: the passages say something that makes the claim false.',
    'Reply with only this JSON and nothing else: {"verdict": "supported"} or {"verdict": "not_supported"} or {"verdict": "contradicted"}',
  ].join('\n'),
  zh: [
    '你要根据回答者看到的资料，核对从回答中摘出的一条说法。只依据这些资料判断，不要用你自己的知识。',
    'supported：资料明确写出或直接蕴含这条说法。',
    'not_supported：资料没有说明这条说法是否成立。',
    'contradicted：资料中的内容说明这条说法是错的。',
    '只回复下面其中一个 JSON，不要写别的：{"verdict": "supported"} 或 {"verdict": "not_supported"} 或 {"verdict": "contradicted"}',
  ].join('\n'),
};

const LABELS = {
  en: { q: 'Question', ev: 'Passages shown to the answerer', noEv: '(none)', c: 'Claim to check' },
  zh: { q: '问题', ev: '回答者看到的资料', noEv: '（无）', c: '待核对的说法' },
} as const;

/** The per-claim judge prompt: rubric in the system message, question, passages and the claim (citation markers removed) in the user message. */
export function claimJudgeMessages(input: { question: string; claim: string; context: readonly string[]; lang: 'en' | 'zh' }): ChatMessage[] {
  const l = LABELS[input.lang];
  const evidence = input.context.length ? input.context.map((t, i) => `[${i + 1}] ${t.trim()}`).join('\n') : l.noEv;
  const claim = stripCitations(input.claim).replace(/\s+/gu, ' ').trim();
  return [
    { role: 'system', content: CLAIM_RUBRIC[input.lang] },
    { role: 'user', content: [`${l.q}: ${input.question.trim()}`, `${l.ev}:\n${evidence}`, `${l.c}: ${claim}`].join('\n\n') },
  ];
}

/** JSON schema for constrained decoding of the per-claim judge (web-llm: `response_format: { type: 'json_object', schema }`). */
export const CLAIM_VERDICT_SCHEMA = JSON.stringify({
  type: 'object',
  properties: { verdict: { type: 'string', enum: [...CLAIM_VERDICTS] } },
  required: ['verdict'],
  additionalProperties: false,
});

export const CLAIM_RESPONSE_FORMAT = Object.freeze({ type: 'json_object' as const, schema: CLAIM_VERDICT_SCHEMA });

const WORDS: Readonly<Record<string, ClaimVerdict>> = {
  supported: 'supported',
  not_supported: 'not_supported',
  contradicted: 'contradicted',
  支持: 'supported',
  不支持: 'not_supported',
  矛盾: 'contradicted',
};

function verdictWord(s: string): ClaimVerdict | null {
  const w = s.trim().toLowerCase().replace(/[\s-]+/gu, '_');
  return Object.hasOwn(WORDS, w) ? WORDS[w] : null;
}

/**
 * Reads a per-claim verdict strictly: JSON objects whose "verdict" is one of the three labels (spaces
 * or hyphens for the underscore allowed; several objects must agree), or a reply that is nothing but one
 * label. Anything else, including prose that merely mentions a label, is null: a guess would be worse
 * than no verdict.
 */
export function parseClaimVerdict(reply: string): ClaimVerdict | null {
  const text = reply.normalize('NFKC');
  // Every JSON object naming a verdict must agree (an echoed rubric lists all three: null).
  const said = new Set<ClaimVerdict | null>();
  for (const m of text.matchAll(/\{[^{}]*\}/gu)) {
    for (const candidate of [m[0], m[0].replace(/'/gu, '"')]) {
      let v: unknown;
      try {
        v = JSON.parse(candidate);
      } catch {
        continue; // Not JSON with these quotes: the other spelling or the bare-word form may still read.
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      const entry = Object.entries(v).find(([k]) => k.trim().toLowerCase() === 'verdict');
      if (entry) said.add(typeof entry[1] === 'string' ? verdictWord(entry[1]) : null);
      break;
    }
  }
  if (said.size > 0) return said.size === 1 ? [...said][0] : null;
  const bare = text
    .trim()
    .replace(/^```\w*\s*|\s*```$/gu, '')
    .replace(/^["'“”「」*]+|["'“”「」*.。!！]+$/gu, '');
  return verdictWord(bare);
}

/** One judged claim, stored with the judge's reply as written so a person can check the reading. */
export interface ClaimJudgement {
  claim: Claim;
  verdict: ClaimVerdict | null;
  raw: string;
}

export interface ClaimsResult {
  judgements: ClaimJudgement[];
  rubricVersion: number;
}

export interface ClaimSummary {
  /** Claims in the answer(s). */
  claims: number;
  /** Claims whose verdict could be read. */
  judged: number;
  supported: number;
  notSupported: number;
  contradicted: number;
  /** supported / judged; null when nothing was judged. */
  shareSupported: number | null;
}

export function summarizeClaims(verdicts: readonly (ClaimVerdict | null)[]): ClaimSummary {
  const count = (v: ClaimVerdict) => verdicts.filter((x) => x === v).length;
  const supported = count('supported');
  const notSupported = count('not_supported');
  const contradicted = count('contradicted');
  const judged = supported + notSupported + contradicted;
  return { claims: verdicts.length, judged, supported, notSupported, contradicted, shareSupported: judged ? supported / judged : null };
}
