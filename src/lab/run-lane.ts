// One lane, start to finish: retrieve (if the method needs it) → pick examples → build the exact
// messages → generate with streaming, and record what actually ran (retrieval modes, embedder, model,
// engine, every fallback with its reason). The RAG-with-steps methods add one model call each: a
// hypothetical passage for dense search (HyDE) or three query rewrites fused by reciprocal rank before
// retrieval, or a claim-by-claim check of the answer after it; each call's text and cost is recorded.
// DOM-free and engine-agnostic (its dependencies are passed in), so the Lab and the evaluation runner
// share it and Node tests drive it with real modules.

import { buildPrompt, methodInfo } from '../strategies';
import { accountParts } from '../strategies/tokens';
import { selectExamples } from '../strategies/select-examples';
import { sourceLabel } from '../strategies/rag';
import { HYDE_MAX_NEW_TOKENS, hydeMessages, hydeSearchInputs, parseHyde } from '../strategies/hyde';
import { fuseQueryHits, MULTI_QUERY_COUNT, MULTI_QUERY_MAX_NEW_TOKENS, multiQueryMessages, multiQueryPlan, parseMultiQuery } from '../strategies/multi-query';
import { finalAnswer, parseVerification, summarizeVerification, VERIFY_MAX_NEW_TOKENS, verifyMessages } from '../strategies/verify';
import { QUERY_HIT_CHARS, QUERY_HITS_SHOWN, type LaneSteps, type StepCall } from '../strategies/steps';
import { RRF_K } from '../retrieval/hybrid';
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
  /**
   * The extra model calls of a RAG-with-steps method (hypothetical passage, rewrites with each one's
   * top hits, verification), with their replies and usage; absent for methods that make one call.
   */
  steps?: LaneSteps;
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
  /** Every search the lane ran (the rewrites' searches and their fusion included), ms; extra model calls are not in it. */
  retrievalMs: number;
  /**
   * The answer's generation. In a verified lane whose check revised the answer, `text` is the revision
   * (the lane's answer, which is shown and scored); the draft, the check and its usage are in `ran.steps.verify`.
   */
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

/** The params of an extra call: the lane's sampling settings with the step's own reply budget. */
function stepParams(params: GenParams, maxNewTokens: number): GenParams {
  return { maxNewTokens, temperature: params.temperature, topP: params.topP, ...(params.seed !== undefined ? { seed: params.seed } : {}) };
}

/** A fallback once, however many searches or calls reported it. */
function addFallback(list: Fallback[], f: Fallback): void {
  if (!list.some((x) => x.part === f.part && x.code === f.code)) list.push(f);
}

/**
 * The retrieval record of several searches with the same settings (the multi-query lane): the first
 * search's, with `collapsed` counting the near-duplicates the fused hits list.
 */
function mergedRan(results: readonly SearchResult[], hits: readonly SearchHit[]): RetrievalRan {
  const first = results[0].ran;
  return results.length === 1 ? first : { ...first, collapsed: hits.reduce((n, h) => n + (h.alsoIn?.length ?? 0), 0) };
}

export async function runLane(
  question: string,
  cfg: LaneConfig,
  deps: LaneDeps,
  hooks: {
    onToken?: (t: string) => void;
    onPhase?: (p: LanePhase) => void;
    onPrompt?: (p: BuiltPrompt, hits: SearchHit[]) => void;
    /** After each extra step, with the steps so far (the Lab can show them before the lane ends). */
    onStep?: (steps: LaneSteps) => void;
    signal?: AbortSignal;
  } = {},
): Promise<LaneResult> {
  const info = methodInfo(cfg.method);
  let hits: SearchHit[] = [];
  let retrievalMs = 0;
  let retrieval: RetrievalRan | null = null;
  const fallbacks: Fallback[] = [];
  const steps: LaneSteps = {};
  const signal = hooks.signal;
  /** One extra model call, not streamed into the answer. */
  const extraCall = async (messages: ChatMessage[], maxNewTokens: number): Promise<StepCall> => {
    const g = await deps.generate(messages, stepParams(cfg.params, maxNewTokens), () => undefined, signal);
    if (g.model.fallbackReason) addFallback(fallbacks, { part: 'llm', code: 'llm-engine', reason: g.model.fallbackReason });
    return { reply: g.text, usage: g.usage, stopped: g.stopped };
  };
  if (info.needsRetrieval) {
    hooks.onPhase?.('retrieving');
    const { k, dense, bm25, rerank, smallToBig, budget } = cfg.retrieval;
    const base: SearchOptions = { k, dense, bm25, rerank, ...(smallToBig ? { smallToBig: { budget } } : {}) };
    if (info.step === 'hyde') {
      // HyDE: the model's hypothetical passage is embedded for dense search; BM25 keeps the question.
      let passage: string | null = null;
      let call: StepCall | null = null;
      let truncated = false;
      let problem: 'empty' | 'refusal' | null = null;
      if (dense) {
        call = await extraCall(hydeMessages(question, cfg.lang), HYDE_MAX_NEW_TOKENS);
        const parsed = parseHyde(call.reply);
        if (parsed.ok) ({ passage, truncated } = parsed);
        else problem = parsed.reason;
      }
      const t0 = performance.now();
      const inputs = passage !== null ? hydeSearchInputs(question, passage) : null;
      const search = await deps.retrieval(inputs ? { ...base, denseText: inputs.dense } : base);
      const res = await search.search(inputs ? inputs.bm25 : question, signal);
      retrievalMs = performance.now() - t0;
      hits = res.hits;
      retrieval = res.ran;
      fallbacks.push(...res.fallbacks);
      const usedForDense = passage !== null && res.ran.dense && res.ran.denseText?.kind === 'passage';
      if (!res.ran.dense) {
        addFallback(fallbacks, {
          part: 'hyde',
          code: 'hyde-no-dense',
          reason: dense ? 'Dense search did not run, so the hypothetical passage searched nothing; BM25 searched the question.' : 'Dense search is off, so no hypothetical passage was written and the lane ran as RAG.',
          detail: { written: call ? 'yes' : 'no' },
        });
      } else if (problem !== null) {
        addFallback(fallbacks, { part: 'hyde', code: 'hyde-unusable', reason: `The model's hypothetical passage was ${problem === 'empty' ? 'empty' : 'a refusal'}, so dense search embedded the question.`, detail: { problem } });
      } else if (!usedForDense) {
        addFallback(fallbacks, { part: 'hyde', code: 'hyde-not-applied', reason: 'Dense search embedded the question: the search did not take the hypothetical passage.' });
      }
      steps.hyde = { call, passage, truncated, problem, usedForDense };
      hooks.onStep?.(steps);
    } else if (info.step === 'multi-query') {
      // Multi-query: the question and the model's rewrites are searched alike; reciprocal rank fuses them.
      const call = await extraCall(multiQueryMessages(question, cfg.lang), MULTI_QUERY_MAX_NEW_TOKENS);
      const parsed = parseMultiQuery(call.reply, question);
      const plan = multiQueryPlan(question, parsed);
      const n = parsed.queries.length;
      if (n === 0) {
        fallbacks.push({ part: 'rewrite', code: 'rewrite-unread', reason: `No rewrite could be read from the model's reply (${parsed.problems.join('; ')}), so the question was searched alone.` });
      } else if (n < MULTI_QUERY_COUNT) {
        fallbacks.push({ part: 'rewrite', code: 'rewrite-partial', reason: `Only ${n} of ${MULTI_QUERY_COUNT} rewrites could be read (${parsed.problems.join('; ')}); the question and those were searched.`, detail: { n: String(n), of: String(MULTI_QUERY_COUNT) } });
      }
      const t0 = performance.now();
      const search = await deps.retrieval(base);
      const results: SearchResult[] = [];
      for (const q of plan) results.push(await search.search(q, signal));
      hits = results.length > 1 ? fuseQueryHits(results.map((r) => r.hits), k) : results[0].hits;
      retrievalMs = performance.now() - t0;
      retrieval = mergedRan(results, hits);
      for (const r of results) for (const f of r.fallbacks) addFallback(fallbacks, f);
      steps.multiQuery = {
        call,
        queries: parsed.queries,
        problems: parsed.problems,
        searches: plan.map((query, i) => ({
          query,
          hits: results[i].hits.slice(0, QUERY_HITS_SHOWN).map((h) => ({ chunkId: h.chunkId, docName: h.docName, rank: h.rank, text: h.text.slice(0, QUERY_HIT_CHARS) })),
        })),
        rrfK: RRF_K,
      };
      hooks.onStep?.(steps);
    } else {
      const t0 = performance.now();
      const search = await deps.retrieval(base);
      const res = await search.search(question, signal);
      retrievalMs = performance.now() - t0;
      hits = res.hits;
      retrieval = res.ran;
      fallbacks.push(...res.fallbacks);
    }
  }
  const examples = info.needsExamples ? await pickExamples(question, cfg, deps, signal) : [];
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
  let gen = await deps.generate(prompt.messages, cfg.params, hooks.onToken ?? (() => undefined), signal);
  if (gen.model.fallbackReason) addFallback(fallbacks, { part: 'llm', code: 'llm-engine', reason: gen.model.fallbackReason });
  if (info.step === 'verify') {
    // The check reads the passages exactly as the answer's prompt numbered them, so its [n] match the answer's.
    const passages = context.map((c) => `${sourceLabel(c, cfg.lang)} ${c.text}`);
    const call = await extraCall(verifyMessages({ question, answer: gen.text, passages, lang: cfg.lang }), VERIFY_MAX_NEW_TOKENS);
    const verification = parseVerification(call.reply, passages.length);
    // A check cut off at its token limit may end inside its revision: the draft stands, and says why.
    const truncated = call.stopped === 'length';
    const answer = truncated ? gen.text : finalAnswer(gen.text, verification);
    if (truncated) fallbacks.push({ part: 'verify', code: 'verify-truncated', reason: `The check's reply reached its limit of ${VERIFY_MAX_NEW_TOKENS} tokens, so its revision was not used.`, detail: { limit: String(VERIFY_MAX_NEW_TOKENS) } });
    else if (!verification.ok) fallbacks.push({ part: 'verify', code: 'verify-unread', reason: "The check's reply could not be read, so the answer was not checked." });
    steps.verify = { call, draft: gen.text, verification, summary: summarizeVerification(verification), revised: answer !== gen.text };
    gen = { ...gen, text: answer };
    hooks.onStep?.(steps);
  }
  const ran: LaneRan = { retrieval, llm: gen.model, fallbacks, ...(info.step ? { steps } : {}) };
  return { method: cfg.method, prompt, partTokens: accountParts(prompt.parts), hits, context, examplesUsed: examples.map((e) => e.id), retrievalMs, gen, ran };
}
