// Verified RAG (the "fact-checking" step): after the answer, a second pass lists the answer's claims,
// checks each against the numbered passages the answer was given, and revises the answer where a
// claim is not supported. Prompts (en/zh) and a parser into a structure the UI shows on the answer.
import { cleanReply, jsonBlocks } from './model-reply';
import type { ChatMessage } from './types';

export type Verdict = 'supported' | 'unsupported' | 'contradicted';

export interface ClaimCheck {
  claim: string;
  verdict: Verdict;
  /** 1-based numbers of the passages that support or contradict it, as the answer's [n] citations. */
  sources: number[];
}

export interface Verification {
  claims: ClaimCheck[];
  /** The corrected answer, or null when every claim is supported (the answer stands) or none was given. */
  revised: string | null;
  /** False when the reply could not be read at all: the UI shows "not checked", never "all supported". */
  ok: boolean;
  /** What the parser dropped or fixed (unknown verdicts, passage numbers out of range). */
  problems: string[];
}

/** Reply budget, tokens: a few claims plus a revised answer. */
export const VERIFY_MAX_NEW_TOKENS = 512;

/** Shown verbatim in the UI and sent verbatim to the model. */
export const VERIFY_INSTRUCTION: Record<'en' | 'zh', string> = {
  en: [
    'You check an answer against the numbered passages it was written from.',
    'List every factual claim the answer makes. For each, decide from the passages alone:',
    '  supported = a passage states it; unsupported = no passage states it; contradicted = a passage says otherwise.',
    'Give the numbers of the passages you relied on. Then write the answer again with unsupported claims removed',
    'and contradicted claims corrected from the passages; if every claim is supported, give "revised": null.',
    'Reply with only this JSON:',
    '{"claims": [{"claim": "...", "verdict": "supported", "sources": [1]}], "revised": null}',
  ].join('\n'),
  zh: [
    '你要根据回答所依据的编号资料，核查这个回答。',
    '列出回答中的每一个事实性说法，只根据资料判断：',
    '  supported（支持）= 有资料明确写到；unsupported（不支持）= 没有资料写到；contradicted（矛盾）= 资料的说法与之相反。',
    '写出你所依据的资料编号。然后重写回答：删去没有依据的说法，按资料改正与资料矛盾的说法；如果每个说法都有依据，"revised" 写 null。',
    '只回复下面这个 JSON：',
    '{"claims": [{"claim": "……", "verdict": "supported", "sources": [1]}], "revised": null}',
  ].join('\n'),
};

const LABELS = {
  en: { passages: 'Passages', none: '(none)', question: 'Question', answer: 'Answer to check' },
  zh: { passages: '资料', none: '（无）', question: '问题', answer: '待核查的回答' },
} as const;

export interface VerifyInput {
  question: string;
  answer: string;
  /** The passages the answer was given, in its [n] order. */
  passages: readonly string[];
  lang: 'en' | 'zh';
}

export function verifyMessages(input: VerifyInput): ChatMessage[] {
  const l = LABELS[input.lang];
  const passages = input.passages.length ? input.passages.map((t, i) => `[${i + 1}] ${t.trim()}`).join('\n\n') : l.none;
  return [
    { role: 'system', content: VERIFY_INSTRUCTION[input.lang] },
    { role: 'user', content: `${l.passages}:\n${passages}\n\n${l.question}: ${input.question.trim()}\n\n${l.answer}: ${input.answer.trim()}` },
  ];
}

// Verdict words as models write them, English and Chinese, after NFKC and lowercasing.
const VERDICTS: [RegExp, Verdict][] = [
  [/^(?:contradict(?:ed|s|ion)?|refuted|false|incorrect|wrong|矛盾|相矛盾|与资料矛盾|冲突|错误)$/u, 'contradicted'],
  [/^(?:unsupported|not supported|no support|not found|no evidence|unverified|不支持|无依据|没有依据|未找到|无法证实|没有资料支持)$/u, 'unsupported'],
  [/^(?:supported|support|supports|true|correct|yes|verified|支持|有依据|正确|属实|得到支持)$/u, 'supported'],
];

function verdictOf(raw: unknown): Verdict | null {
  if (typeof raw !== 'string') return null;
  const v = raw.normalize('NFKC').toLowerCase().replace(/[\s_-]+/g, ' ').replace(/[.。!！]+$/u, '').trim();
  for (const [re, verdict] of VERDICTS) if (re.test(v)) return verdict;
  return null;
}

function sourcesOf(raw: unknown, passageCount: number, problems: string[]): number[] {
  const nums: number[] = [];
  const add = (n: number) => {
    if (Number.isInteger(n) && n >= 1 && n <= passageCount) {
      if (!nums.includes(n)) nums.push(n);
    } else problems.push(`passage number ${n} does not exist (there are ${passageCount})`);
  };
  if (typeof raw === 'number') add(raw);
  else if (typeof raw === 'string') for (const m of raw.matchAll(/\d+/g)) add(Number(m[0]));
  else if (Array.isArray(raw)) {
    for (const x of raw) {
      if (typeof x === 'number') add(x);
      else if (typeof x === 'string') for (const m of x.matchAll(/\d+/g)) add(Number(m[0]));
    }
  }
  return nums;
}

function field(o: object, names: readonly string[]): unknown {
  for (const [k, v] of Object.entries(o)) if (names.includes(k.trim().toLowerCase())) return v;
  return undefined;
}

const CLAIM_KEYS = ['claim', 'statement', 'text', '说法', '结论'] as const;
const VERDICT_KEYS = ['verdict', 'status', 'label', 'result', '判断', '结果'] as const;
const SOURCE_KEYS = ['sources', 'source', 'passages', 'evidence', 'citations', '依据', '来源'] as const;
const REVISED_KEYS = ['revised', 'revised answer', 'revised_answer', 'corrected', '修改后的回答', '修订'] as const;

function fromJson(block: unknown, passageCount: number): Verification | null {
  if (typeof block !== 'object' || block === null || Array.isArray(block)) return null;
  const list = field(block, ['claims', '说法']);
  if (!Array.isArray(list)) return null;
  const problems: string[] = [];
  const claims: ClaimCheck[] = [];
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const claim = field(item, CLAIM_KEYS);
    const verdict = verdictOf(field(item, VERDICT_KEYS));
    if (typeof claim !== 'string' || !claim.trim()) continue;
    if (verdict === null) {
      problems.push(`unreadable verdict for "${claim.trim().slice(0, 40)}"`);
      continue;
    }
    claims.push({ claim: claim.trim(), verdict, sources: sourcesOf(field(item, SOURCE_KEYS), passageCount, problems) });
  }
  const revisedRaw = field(block, REVISED_KEYS);
  const revised = typeof revisedRaw === 'string' && revisedRaw.trim() && revisedRaw.trim().toLowerCase() !== 'null' ? revisedRaw.trim() : null;
  return { claims, revised, ok: true, problems };
}

// Line format fallback: "Claim: …" / "Verdict: …" / "Sources: [1], [2]" / "Revised answer: …".
const LINE = /^\s*(?:[-*•]\s*|\d+[.)]\s*)?\**\s*(claim|statement|说法|verdict|status|判断|sources?|evidence|依据|来源|revised(?: answer)?|修改后的回答)\s*\**\s*[:：]\s*(.*)$/iu;

function fromLines(text: string, passageCount: number): Verification | null {
  const problems: string[] = [];
  const claims: ClaimCheck[] = [];
  let cur: { claim: string; verdict: Verdict | null; sources: number[] } | null = null;
  let revised: string | null = null;
  let inRevised = false;
  const flush = () => {
    if (cur && cur.verdict) claims.push({ claim: cur.claim, verdict: cur.verdict, sources: cur.sources });
    else if (cur) problems.push(`no verdict for "${cur.claim.slice(0, 40)}"`);
    cur = null;
  };
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line);
    if (!m) {
      if (inRevised && line.trim()) revised = `${revised ?? ''}${revised ? '\n' : ''}${line.trim()}`;
      continue;
    }
    const label = m[1].toLowerCase();
    const value = m[2].trim();
    inRevised = false;
    if (/^(claim|statement|说法)$/.test(label)) {
      flush();
      cur = { claim: value, verdict: null, sources: [] };
    } else if (/^(verdict|status|判断)$/.test(label)) {
      const v = verdictOf(value);
      if (cur) cur.verdict = v;
      if (v === null) problems.push(`unreadable verdict "${value.slice(0, 20)}"`);
    } else if (/^(sources?|evidence|依据|来源)$/.test(label)) {
      if (cur) cur.sources = sourcesOf(value, passageCount, problems);
    } else {
      flush();
      inRevised = true;
      revised = value && value.toLowerCase() !== 'null' ? value : null;
    }
  }
  flush();
  if (claims.length === 0 && revised === null) return null;
  return { claims, revised, ok: true, problems };
}

/**
 * Reads the check: the first JSON object with a "claims" list (also inside prose or fences, with
 * single quotes, Chinese keys or verdicts), else the "Claim: / Verdict: / Sources: / Revised:" line
 * format. Passage numbers outside 1..passageCount are dropped and reported. A reply with neither
 * gives ok: false and no claims, so the UI can say the answer was not checked.
 */
export function parseVerification(reply: string, passageCount: number): Verification {
  const text = cleanReply(reply);
  for (const block of jsonBlocks(text)) {
    const v = fromJson(block, passageCount);
    if (v) return v;
  }
  return fromLines(text, passageCount) ?? { claims: [], revised: null, ok: false, problems: ['the reply has no claims in a readable form'] };
}

export interface VerificationSummary {
  total: number;
  supported: number;
  unsupported: number;
  contradicted: number;
  /** True only for a readable check with at least one claim, all supported. */
  allSupported: boolean;
}

export function summarizeVerification(v: Verification): VerificationSummary {
  const count = (x: Verdict) => v.claims.filter((c) => c.verdict === x).length;
  const supported = count('supported');
  return {
    total: v.claims.length,
    supported,
    unsupported: count('unsupported'),
    contradicted: count('contradicted'),
    allSupported: v.ok && v.claims.length > 0 && supported === v.claims.length,
  };
}

/**
 * The answer to show: the revision when there is one and the check found a claim unsupported or
 * contradicted, else the original (a check that listed no claims has nothing to justify a rewrite).
 */
export function finalAnswer(original: string, v: Verification): string {
  const s = summarizeVerification(v);
  return v.revised && s.unsupported + s.contradicted > 0 ? v.revised : original;
}
