// Types for tjs-direct.mjs (the bench pages import it from TypeScript).
type Tjs = typeof import('@huggingface/transformers');
type ChatMessage = { role: string; content: string };

export interface Generator {
  tokenizer: unknown;
  model: unknown;
  loadMs: number;
}
export interface Timed {
  promptTokens: number;
  outputTokens: number;
  text: string;
  ttftMs: number;
  firstTextMs: number;
  totalMs: number;
  decodeTps: number;
}
export function loadGenerator(tjs: Tjs, id: string, dtype: string, device?: string): Promise<Generator>;
export function countPromptTokens(gen: Generator, messages: ChatMessage[]): number;
export function generateTimed(tjs: Tjs, gen: Generator, messages: ChatMessage[], maxNewTokens: number): Promise<Timed>;
export function loadExtractor(tjs: Tjs, id: string, dtype: string, device?: string, sessionOptions?: Record<string, unknown>): Promise<{ extractor: unknown; loadMs: number }>;
export function embedTimed(extractor: unknown, texts: string[], opts?: { prefix?: string; pooling?: 'mean' | 'cls'; normalize?: boolean; batch?: number; sortByLength?: boolean }): Promise<{ ms: number; dim: number }>;
