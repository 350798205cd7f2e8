// A fine-tuning dataset from accepted answers (thumbs up) in the common chat JSONL format, one
// {"messages": [...]} per line. With context, each example is shaped like the RAG prompt at inference
// (numbered passages + question), so a tuned model learns to answer from passages and cite them.

import type { EvalConfig, EvalItemResult } from '../eval/runner';
import { RAG_INSTRUCTION, buildContextBlock, stripCitations } from '../strategies';
import type { ChatMessage, ContextChunk } from '../strategies/types';

export interface FinetuneOptions {
  /** Put the chunks the lane retrieved into the user turn (only for results that had context). */
  includeContext: boolean;
}

const QUESTION_LABEL = { en: 'Question: ', zh: '问题：' } as const;

function contextOf(r: EvalItemResult): ContextChunk[] {
  const byId = new Map(r.hits.map((h) => [h.chunkId, h]));
  return r.contextIds.flatMap((id) => {
    const h = byId.get(id);
    return h ? [{ id, docName: h.docName, text: h.text, page: h.page, headingPath: h.headingPath }] : [];
  });
}

/** The chat example for one accepted result, or null when it has no usable answer. */
export function finetuneExample(config: EvalConfig, r: EvalItemResult, opts: FinetuneOptions): { messages: ChatMessage[] } | null {
  const item = config.items.find((it) => it.id === r.itemId);
  if (!item || r.answer.trim() === '') return null;
  const chunks = contextOf(r);
  const withContext = opts.includeContext && chunks.length > 0;
  const system = config.systemPrompt.trim();
  const messages: ChatMessage[] = [];
  const sys = withContext ? [system, RAG_INSTRUCTION[config.lang]].filter(Boolean).join('\n\n') : system;
  if (sys) messages.push({ role: 'system', content: sys });
  if (withContext) {
    const block = buildContextBlock({ systemPrompt: '', lang: config.lang, chunks });
    messages.push({ role: 'user', content: `${block.text}\n\n${QUESTION_LABEL[config.lang]}${item.question.trim()}` });
  } else {
    messages.push({ role: 'user', content: item.question.trim() });
  }
  // Without the passages, "[1]" would point at nothing: the tuned model must not learn to cite air.
  const answer = withContext ? r.answer.trim() : stripCitations(r.answer).replace(/[ \t]+/gu, ' ').replace(/ ([.,;:!?。，；：！？])/gu, '$1').trim();
  messages.push({ role: 'assistant', content: answer });
  return { messages };
}

/** JSONL of every thumbs-up result (identical examples once), in test-set order. */
export function toFinetuneJsonl(config: EvalConfig, results: readonly EvalItemResult[], opts: FinetuneOptions): { text: string; count: number } {
  const pos = new Map(config.items.map((it, i) => [it.id, i]));
  const accepted = results.filter((r) => r.thumb === 'up').sort((a, b) => (pos.get(a.itemId) ?? 1e9) - (pos.get(b.itemId) ?? 1e9));
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const r of accepted) {
    const ex = finetuneExample(config, r, opts);
    if (!ex) continue;
    const line = JSON.stringify(ex);
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
  }
  return { text: lines.map((l) => l + '\n').join(''), count: lines.length };
}
