// Drafting test questions from documents: a prompt asking the local LLM for question/answer pairs
// about one chunk, and a tolerant parse of whatever it replies (JSON, JSON lines, "Q:/A:" lines).
// Every proposal keeps its source chunk as gold passage; the user accepts, edits or rejects each.

import type { ChatMessage } from '../protocol/messages';
import type { TestItem } from '../store/db';

export interface QaPair {
  question: string;
  answer: string;
}

export interface DraftProposal extends QaPair {
  /** Stable within a drafting session, for keyed lists. */
  key: string;
  sourceChunkId: string;
  docName: string;
  /** The source chunk's text: becomes the gold passage. */
  passage: string;
}

const PROMPT = {
  en: (n: number) =>
    `Write ${n} questions that the passage the user gives answers, each with a short answer taken from the passage. ` +
    'Ask about facts stated in the passage only. Reply with only a JSON array and nothing else, like ' +
    '[{"question": "…", "answer": "…"}].',
  zh: (n: number) =>
    `根据用户给出的段落，写 ${n} 个这段文字能回答的问题，每个问题附一个取自段落的简短答案。只问段落里写明的事实。` +
    '只回复一个 JSON 数组，不要写别的，例如 [{"question": "…", "answer": "…"}]。',
} as const;

export function draftMessages(passage: string, lang: 'en' | 'zh', n = 3): ChatMessage[] {
  return [
    { role: 'system', content: PROMPT[lang](n) },
    { role: 'user', content: passage.trim() },
  ];
}

const Q_KEYS = ['question', 'q', 'query', '问题', '问'];
const A_KEYS = ['answer', 'a', 'reference', '答案', '答', '回答'];

function pairFrom(v: unknown): QaPair | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  let question = '';
  let answer = '';
  for (const [k, val] of Object.entries(v)) {
    const key = k.trim().toLowerCase();
    const text = typeof val === 'string' ? val.trim() : typeof val === 'number' ? String(val) : '';
    if (Q_KEYS.includes(key)) question = text;
    else if (A_KEYS.includes(key)) answer = text;
  }
  return question && answer ? { question, answer } : null;
}

function pairsFromJson(v: unknown): QaPair[] {
  if (Array.isArray(v)) return v.map(pairFrom).filter((p): p is QaPair => p !== null);
  if (typeof v === 'object' && v !== null) {
    const single = pairFrom(v);
    if (single) return [single];
    for (const val of Object.values(v)) if (Array.isArray(val)) return pairsFromJson(val);
  }
  return [];
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

const LINE_Q = /^\s*(?:[-*•]\s*|\d+[.)、]\s*)?(?:q|question|问题|问)\s*\d*\s*[:：]\s*(.+)$/iu;
const LINE_A = /^\s*(?:[-*•]\s*)?(?:a|answer|答案|答)\s*\d*\s*[:：]\s*(.+)$/iu;

/** "Q: … / A: …" pairs, numbered or bulleted, English or Chinese labels, one per line. */
function pairsFromLines(text: string): QaPair[] {
  const out: QaPair[] = [];
  let q: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replaceAll('**', ''); // Markdown bold around labels: "**Question:** …"
    const mq = LINE_Q.exec(line);
    if (mq) {
      q = mq[1].trim();
      continue;
    }
    const ma = LINE_A.exec(line);
    if (ma && q) {
      out.push({ question: q, answer: ma[1].trim() });
      q = null;
    }
  }
  return out;
}

// Full-width JSON punctuation small models sometimes write; only these are mapped, so the content's
// own Chinese punctuation (？，) is kept as written.
const FULL_WIDTH: Record<string, string> = { '｛': '{', '｝': '}', '［': '[', '］': ']', '＂': '"', '“': '"', '”': '"', '：': ':', '，': ',' };

function tryJsonLoose(s: string): unknown {
  return tryJson(s) ?? tryJson(s.replace(/[｛｝［］＂“”：，]/gu, (c) => FULL_WIDTH[c]));
}

/**
 * Question/answer pairs from a model reply, or [] when none can be read. Tries, in order: the whole
 * reply as JSON (fences removed; full-width JSON punctuation as a fallback), the outermost [...] inside
 * it, one JSON object per line, then labelled lines. Drops pairs with an empty side and duplicates.
 */
export function parseDraft(reply: string): QaPair[] {
  const text = reply.replace(/```(?:json)?/giu, '').trim();
  let pairs: QaPair[] = pairsFromJson(tryJsonLoose(text));
  if (!pairs.length) {
    const start = text.indexOf('[');
    const end = text.lastIndexOf(']');
    if (start >= 0 && end > start) pairs = pairsFromJson(tryJsonLoose(text.slice(start, end + 1)));
  }
  if (!pairs.length) {
    pairs = text.split('\n').flatMap((l) => (l.trim().startsWith('{') ? pairsFromJson(tryJsonLoose(l.trim().replace(/,$/u, ''))) : []));
  }
  if (!pairs.length) pairs = pairsFromLines(text);
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const k = p.question.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A proposal, accepted as is or after editing, as a test item whose gold is its source chunk. */
export function proposalToItem(p: QaPair & { passage: string; docName: string }, id: string, tags: string[] = ['drafted']): TestItem {
  return { id, question: p.question.trim(), answer: p.answer.trim(), goldPassages: [p.passage], goldDocument: p.docName, tags };
}
