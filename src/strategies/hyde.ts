// HyDE (Gao et al. 2022, "Precise Zero-Shot Dense Retrieval without Relevance Labels"): the model
// first writes a hypothetical passage that would answer the question; that passage, not the
// question, is embedded for the dense search, because it looks like the documents being searched.
// Prompts (en/zh) and a strict parser; the lane that runs it lives elsewhere.
import { estimateTokens } from './tokens';
import { cleanReply } from './model-reply';
import type { ChatMessage } from './types';

/** Reply budget for the hypothetical passage, tokens: about one paragraph, as in the paper. */
export const HYDE_MAX_NEW_TOKENS = 160;
/** A longer reply is cut at the last sentence end within this many estimated tokens. */
export const HYDE_MAX_PASSAGE_TOKENS = 200;

/** Shown verbatim in the UI and sent verbatim to the model. */
export const HYDE_INSTRUCTION: Record<'en' | 'zh', string> = {
  en:
    'Write one short paragraph (at most 100 words) that answers the question the way a passage of a technical ' +
    'document or manual would: state the facts directly, use the terms such a document would use (names of ' +
    'commands, options, settings), no introduction, no caveats, no questions back. If you are unsure, write ' +
    'the most plausible passage anyway: it is only used to search the documents.',
  zh:
    '写一段简短的文字（不超过 150 个字）回答这个问题，写法要像技术文档或手册中的一段原文：直接陈述事实，' +
    '使用这类文档会用的术语（命令、选项、设置的名称），不要开场白，不要附加说明，不要反问。' +
    '如果不确定，也请写出最可能的一段文字：它只用于检索文档。',
};

const LABEL = { en: 'Question: ', zh: '问题：' } as const;

export function hydeMessages(question: string, lang: 'en' | 'zh'): ChatMessage[] {
  return [
    { role: 'system', content: HYDE_INSTRUCTION[lang] },
    { role: 'user', content: LABEL[lang] + question.trim() },
  ];
}

export type HydeParse = { ok: true; passage: string; truncated: boolean } | { ok: false; reason: 'empty' | 'refusal' };

const PREFIX = /^(?:passage|answer|hypothetical (?:passage|document)|段落|答案|回答|文档片段)\s*[:：]\s*/iu;
const REFUSAL = /^(?:i(?:'m| am)? (?:sorry|not able|unable)|i cannot|i can't|as an ai|抱歉|对不起|我无法|我不能|作为(?:一个)?(?:ai|人工智能))/iu;
const SENTENCE_END = /[。！？]|[.!?](?=\s|$|["'”’」）)])/gu;

/**
 * The hypothetical passage: reasoning and fences removed, a "Passage:" style label dropped,
 * whitespace collapsed; cut at the last sentence end within HYDE_MAX_PASSAGE_TOKENS. Empty replies
 * and refusals are not passages (embedding "I cannot answer" would retrieve nothing useful).
 */
export function parseHyde(reply: string): HydeParse {
  let s = cleanReply(reply).replace(PREFIX, '').replace(/\s+/g, ' ').trim();
  s = s.replace(/^["'“‘「]+|["'”’」]+$/gu, '').trim();
  if (!/[\p{L}\p{N}]/u.test(s)) return { ok: false, reason: 'empty' };
  if (REFUSAL.test(s)) return { ok: false, reason: 'refusal' };
  if (estimateTokens(s) <= HYDE_MAX_PASSAGE_TOKENS) return { ok: true, passage: s, truncated: false };
  let cut = -1;
  for (const m of s.matchAll(SENTENCE_END)) {
    const end = (m.index ?? 0) + m[0].length;
    if (estimateTokens(s.slice(0, end)) > HYDE_MAX_PASSAGE_TOKENS) break;
    cut = end;
  }
  if (cut === -1) {
    // One endless sentence: keep whole words up to the budget.
    const words = s.split(' ');
    let kept = '';
    for (const w of words) {
      const next = kept ? `${kept} ${w}` : w;
      if (estimateTokens(next) > HYDE_MAX_PASSAGE_TOKENS) break;
      kept = next;
    }
    s = kept || s.slice(0, HYDE_MAX_PASSAGE_TOKENS);
  } else s = s.slice(0, cut);
  return { ok: true, passage: s, truncated: true };
}

/**
 * What each retriever searches with in the HyDE lane. Dense: the hypothetical passage, embedded as
 * a passage (with the embedder's passage prefix, e.g. e5's "passage: "), since it stands in for a
 * document; BM25 keeps the question, so invented words in the passage cannot pull in lexical noise.
 */
export function hydeSearchInputs(question: string, passage: string): { dense: { text: string; kind: 'passage' }; bm25: string } {
  return { dense: { text: passage, kind: 'passage' }, bm25: question };
}
