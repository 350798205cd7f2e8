// One lane, start to finish: retrieve (if the method needs it) → pick examples → build the exact
// messages → generate with streaming, and record what actually ran (retrieval modes, embedder, model,
// engine, every fallback with its reason). DOM-free and engine-agnostic (its dependencies are passed
// in), so the Lab and the evaluation runner share it and Node tests drive it with real modules.

import { buildPrompt, methodInfo } from '../strategies';
import { accountParts } from '../strategies/tokens';
import { selectExamples } from '../strategies/select-examples';
import type { BuiltPrompt, ContextChunk, Example, MethodId, PartKind } from '../strategies/types';
import type { ChatMessage, Fallback, GenParams, GenResult, LoadedModel, RetrievalRan, SearchHit, SearchOptions, SearchResult } from '../protocol/messages';
import type { Lang } from '../i18n/lang';

export interface RetrievalSettings extends Omit<SearchOptions, 'smallToBig'> {
  /** Most tokens the numbered context may take; chunks past it are dropped whole. */
  budget: number;
  /** Small-to-big: search small chunks, put their enclosing sections (within `budget`) in the prompt. Off when absent. */
  smallToBig?: boolean;
}

export interface FewShotSettings {
  k: number;
  /** Pick the k examples most similar to the question (needs the embedder) instead of the first k. */
  similar: boolean;
}

export interface LaneConfig {
  method: MethodId;
  systemPrompt: string;
  lang: Lang;
  params: GenParams;
  retrieval: RetrievalSettings;
  fewShot: FewShotSettings;
  examples: Example[];
}

export interface LaneDeps {
  /**
   * The lane's search, bound to its settings once the models they need are loaded (the page passes
   * KnowledgeState.laneDeps): it fails when a part cannot run, unless the user chose to go on.
   */
  retrieval(settings: SearchOptions): Promise<{ search(query: string, signal?: AbortSignal): Promise<SearchResult> }>;
  embed(texts: string[], kind: 'query' | 'passage' | 'raw', signal?: AbortSignal): Promise<{ vectors: Float32Array; dim: number }>;
  generate(messages: ChatMessage[], params: GenParams, onToken: (t: string) => void, signal?: AbortSignal): Promise<GenResult>;
}

export type LanePhase = 'retrieving' | 'generating';

/** What a lane actually ran, recorded with every Lab lane and evaluation item. */
export interface LaneRan {
  /** Null for methods that do not retrieve. */
  retrieval: RetrievalRan | null;
  llm: LoadedModel;
  /** Every part that did not run as configured, with its reason. */
  fallbacks: Fallback[];
}

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
  ran: LaneRan;
}

/** A hit as the prompt shows it: its small-to-big passage when it has one, else its chunk. */
export function hitToContext(h: SearchHit): ContextChunk {
  const p = h.passage;
  return p ? { id: h.chunkId, docName: h.docName, text: p.text, page: p.page ?? h.page, headingPath: p.headingPath ?? h.headingPath } : { id: h.chunkId, docName: h.docName, text: h.text, page: h.page, headingPath: h.headingPath };
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
  let retrieval: RetrievalRan | null = null;
  const fallbacks: Fallback[] = [];
  if (info.needsRetrieval) {
    hooks.onPhase?.('retrieving');
    const t0 = performance.now();
    const { k, dense, bm25, rerank, smallToBig, budget } = cfg.retrieval;
    const search = await deps.retrieval({ k, dense, bm25, rerank, ...(smallToBig ? { smallToBig: { budget } } : {}) });
    const res = await search.search(question, hooks.signal);
    retrievalMs = performance.now() - t0;
    hits = res.hits;
    retrieval = res.ran;
    fallbacks.push(...res.fallbacks);
  }
  const examples = info.needsExamples ? await pickExamples(question, cfg, deps, hooks.signal) : [];
  const prompt = buildPrompt(cfg.method, question, {
    systemPrompt: cfg.systemPrompt,
    lang: cfg.lang,
    examples,
    // A hit already inside a better-ranked hit's small-to-big passage is not shown twice.
    chunks: hits.filter((h) => !h.inPassageOf).map(hitToContext),
    contextTokenBudget: cfg.retrieval.budget,
  });
  const byId = new Map(hits.map((h) => [h.chunkId, h]));
  const context = prompt.contextIds.map((id) => hitToContext(byId.get(id)!));
  hooks.onPrompt?.(prompt, hits);
  hooks.onPhase?.('generating');
  const gen = await deps.generate(prompt.messages, cfg.params, hooks.onToken ?? (() => undefined), hooks.signal);
  if (gen.model.fallbackReason) fallbacks.push({ part: 'llm', code: 'llm-engine', reason: gen.model.fallbackReason });
  const ran: LaneRan = { retrieval, llm: gen.model, fallbacks };
  return { method: cfg.method, prompt, partTokens: accountParts(prompt.parts), hits, context, examplesUsed: examples.map((e) => e.id), retrievalMs, gen, ran };
}
