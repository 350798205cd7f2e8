// Vocabulary shared by the decision guide: bilingual text, the six approaches (prompting, few-shot, RAG,
// fine-tuning, training from scratch, agents — not the Lab's methods) and their simplicity order.
// `L` has both languages as required fields so that a missing translation fails the type-check.

/** A piece of user-facing text in every UI language. */
import type { Lang } from '../i18n/lang';
export type { Lang };
export type L = Record<Lang, string>;

export type ApproachId = 'prompt' | 'few-shot' | 'rag' | 'fine-tune' | 'from-scratch' | 'agent';

/**
 * Cheapest and simplest first. Breaks score ties (the cheaper method wins) and orders lists,
 * because a method that is not clearly better is not worth its extra cost.
 */
export const SIMPLICITY_ORDER: readonly ApproachId[] = Object.freeze([
  'prompt',
  'few-shot',
  'rag',
  'agent',
  'fine-tune',
  'from-scratch',
]);

/** Short display names; longer descriptions live in content.ts. */
export const APPROACH_NAMES: Readonly<Record<ApproachId, L>> = Object.freeze({
  prompt: { en: 'Prompt engineering', zh: '提示词工程' },
  'few-shot': { en: 'Few-shot prompting', zh: '少样本提示' },
  rag: { en: 'RAG (retrieval-augmented generation)', zh: 'RAG（检索增强生成）' },
  'fine-tune': { en: 'Fine-tuning', zh: '微调' },
  'from-scratch': { en: 'Training from scratch', zh: '从零训练' },
  agent: { en: 'Agent (tools and multi-step actions)', zh: '智能体（工具调用与多步操作）' },
});

export function isMethodKey(value: unknown): value is ApproachId {
  return typeof value === 'string' && (SIMPLICITY_ORDER as readonly string[]).includes(value);
}

/**
 * Puts a space between Chinese and Latin letters where interpolation glued them together
 * ("对RAG" → "对 RAG"), matching the spacing the hand-written Chinese texts use.
 */
export function spaceMixed(zh: string): string {
  return zh.replace(/([\u4e00-\u9fff])([A-Za-z])/g, '$1 $2').replace(/([A-Za-z])([\u4e00-\u9fff])/g, '$1 $2');
}
