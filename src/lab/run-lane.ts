// One lane, start to finish: retrieve (if the method needs it) → pick examples → build the exact
// messages → generate with streaming. DOM-free and engine-agnostic (its dependencies are passed
// in), so the Lab and the evaluation runner share it and Node tests drive it with real modules.

import { buildPrompt, methodInfo } from '../strategies';
import { accountParts } from '../strategies/tokens';
import { selectExamples } from '../strategies/select-examples';
import type { BuiltPrompt, ContextChunk, Example, MethodId, PartKind } from '../strategies/types';
import type { ChatMessage, GenParams, GenResult, SearchHit, SearchOptions, SearchResult } from '../protocol/messages';

export interface RetrievalSettings extends SearchOptions {
  /** Most tokens the numbered context may take; chunks past it are dropped whole. */
  budget: number;
}

export interface FewShotSettings {
  k: number;
  /** Pick the k examples most similar to the question (needs the embedder) instead of the first k. */
  similar: boolean;
}

export interface LaneConfig {
  method: MethodId;
  systemPrompt: string;
  lang: 'en' | 'zh';
  params: GenParams;
  retrieval: RetrievalSettings;
  fewShot: FewShotSettings;
  examples: Example[];
}

export interface LaneDeps {
  search(query: string, opts: SearchOptions, signal?: AbortSignal): Promise<SearchResult>;
  embed(texts: string[], kind: 'query' | 'passage' | 'raw', signal?: AbortSignal): Promise<{ vectors: Float32Array; dim: number }>;
  generate(messages: ChatMessage[], params: GenParams, onToken: (t: string) => void, signal?: AbortSignal): Promise<GenResult>;
}

export type LanePhase = 'retrieving' | 'generating';

export interface LaneResult {
  method: MethodId;
  prompt: BuiltPrompt;
  /** Estimated tokens per part (system, instruction, examples, context, question). */
  partTokens: Record<PartKind, number>;
  hits: SearchHit[];
  /** Chunks actually placed in the prompt (after the token budget), in citation order. */
  context: ContextChunk[];
  examplesUsed: string[];
  retrievalMs: number;
  gen: GenResult;
}

export function hitToContext(h: SearchHit): ContextChunk {
  return { id: h.chunkId, docName: h.docName, text: h.text, page: h.page, headingPath: h.headingPath };
}

async function pickExamples(question: string, cfg: LaneConfig, deps: LaneDeps, signal?: AbortSignal): Promise<Example[]> {
  const bank = cfg.examples;
  const k = Math.min(cfg.fewShot.k, bank.length);
  if (!cfg.fewShot.similar || k === 0) return selectExamples(bank, k);
  const { vectors, dim } = await deps.embed([question, ...bank.map((e) => e.question)], 'query', signal);
  const exampleVectors = new Map(bank.map((e, i) => [e.id, vectors.subarray((i + 1) * dim, (i + 2) * dim)]));
  return selectExamples(bank, k, { questionVector: vectors.subarray(0, dim), exampleVectors });
}

export async function runLane(
  question: string,
  cfg: LaneConfig,
  deps: LaneDeps,
  hooks: { onToken?: (t: string) => void; onPhase?: (p: LanePhase) => void; onPrompt?: (p: BuiltPrompt, hits: SearchHit[]) => void; signal?: AbortSignal } = {},
): Promise<LaneResult> {
  const info = methodInfo(cfg.method);
  let hits: SearchHit[] = [];
  let retrievalMs = 0;
  if (info.needsRetrieval) {
    hooks.onPhase?.('retrieving');
    const t0 = performance.now();
    hits = (await deps.search(question, cfg.retrieval, hooks.signal)).hits;
    retrievalMs = performance.now() - t0;
  }
  const examples = info.needsExamples ? await pickExamples(question, cfg, deps, hooks.signal) : [];
  const prompt = buildPrompt(cfg.method, question, {
    systemPrompt: cfg.systemPrompt,
    lang: cfg.lang,
    examples,
    chunks: hits.map(hitToContext),
    contextTokenBudget: cfg.retrieval.budget,
  });
  const byId = new Map(hits.map((h) => [h.chunkId, h]));
  const context = prompt.contextIds.map((id) => hitToContext(byId.get(id)!));
  hooks.onPrompt?.(prompt, hits);
  hooks.onPhase?.('generating');
  const gen = await deps.generate(prompt.messages, cfg.params, hooks.onToken ?? (() => undefined), hooks.signal);
  return { method: cfg.method, prompt, partTokens: accountParts(prompt.parts), hits, context, examplesUsed: examples.map((e) => e.id), retrievalMs, gen };
}
