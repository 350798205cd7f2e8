// The typed wire protocol between the page and the workers. Every call is a request with an `id`;
// the worker answers with any number of `progress`/`token` events and exactly one `done` or `error`.
// `abort` cancels a call by id. Each worker declares its calls as a map: name → request, result, stream item.

import type { WireError } from './errors';
import type { ResolvedHosts } from '../models/hosts';
import type { ServerKind } from '../server/server-kind';
import type { ChunkSettings } from '../chunking/chunk';
import type { ImportReport } from '../store/workspace';
import type { ChunkContextEntry } from '../store/documents';
import type { SweepResult, SweepSetting } from '../retrieval/sweep';

export type Device = 'webgpu' | 'wasm';
export type DevicePref = Device | 'auto';

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
}

/** The stages a file goes through, in order; `embedding` also reports embedding outside ingestion. */
export type IngestStage = 'reading' | 'extracting' | 'chunking' | 'saving' | 'embedding';

/** Stages counted in items: a file's stages, and `embed` (texts embedded on request, e.g. a query). */
export type ItemsStage = IngestStage | 'embed';

/** One progress report. Bytes for downloads, items (pages, chunks, texts) for the rest. */
export type Progress =
  | { kind: 'download'; file: string; loaded: number; total: number }
  | { kind: 'stage'; stage: IngestStage }
  /** web-llm reports a fraction (0..1) and a sentence rather than bytes. */
  | { kind: 'fraction'; value: number; message: string }
  | { kind: 'load'; message: string }
  /**
   * `tokens` (embedding only): estimated tokens embedded so far and in all, which a time-left
   * estimate extrapolates from (chunks vary in length; the longest are embedded first).
   */
  | { kind: 'items'; stage: ItemsStage; done: number; total: number; tokens?: { done: number; total: number } }
  /** A server answered 429/503: waiting `waitMs` before attempt `attempt + 1` of `maxAttempts`. */
  | { kind: 'retry'; host: string; status: number; attempt: number; maxAttempts: number; waitMs: number };

export interface ModelSpec {
  /** A model id on the configured host, e.g. `onnx-community/Qwen2.5-0.5B-Instruct`. */
  id: string;
  /** transformers.js dtype (`q4`, `q4f16`, `q8`, `fp32`…); chosen per device when absent. */
  dtype?: string;
}

/** A GGUF model: the user's file(s) (split parts in order), or a file on the model host. */
export type GgufSource = { kind: 'files'; name: string; files: Blob[] } | { kind: 'url'; name: string; url: string };

/** What the page decided to run (see src/models/engine-select.ts); the worker may still fall back. */
export type LoadPlan =
  | {
      engine: 'transformers.js';
      model: ModelSpec;
      device: Device;
      note?: string;
      /** A model folder the user added: its files by path (config.json, onnx/model_quantized.onnx…), read from here instead of a host. */
      files?: Record<string, Blob>;
    }
  | { engine: 'web-llm'; modelId: string; lib: string; vramMB: number; fallback: { model: ModelSpec; device: Device } | null }
  /** A GGUF through llama.cpp in WebAssembly (wllama): a file the user added, or one on the model host. */
  | { engine: 'wllama'; source: GgufSource; nCtx: number; threads?: number }
  /** A model on an OpenAI-compatible server the user added; never falls back to anything else. */
  | { engine: 'openai-compatible'; server: { baseUrl: string; apiKey?: string; kind?: ServerKind }; model: string };

export interface LoadedModel {
  /** The model key the page loaded it under (absent in runs stored before keys existed). */
  key?: string;
  model: string;
  engine: 'transformers.js' | 'web-llm' | 'wllama' | 'openai-compatible';
  /** 'server': the model runs on the server in `server`, not in this browser. */
  device: Device | 'server';
  dtype: string;
  loadMs: number;
  /** Why the requested device was not used (e.g. WebGPU missing), if it was not. */
  fallbackReason?: string;
  /** wllama: threads and context length it runs with. */
  threads?: number;
  nCtx?: number;
  /** Server models only: where prompts (with retrieved text) are sent, and the server's context window when it reports one. */
  server?: { baseUrl: string; host: string; kind: ServerKind; contextLength?: number };
}

export interface GenParams {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed?: number;
  /**
   * Constrain the output to JSON matching this schema (a JSON-schema string), where the engine can
   * (web-llm's `response_format`). Engines that cannot say so with `constrained: false`.
   */
  responseFormat?: { type: 'json_object'; schema: string };
}

export interface GenUsage {
  promptTokens: number;
  outputTokens: number;
  /** Time from the request to the first streamed token, ms. */
  ttftMs: number;
  totalMs: number;
  /** Output tokens after the first, per second of decoding. */
  decodeTps: number;
  /** The server did not report both token counts: the missing ones (and so decodeTps) are client-side estimates. */
  estimated?: true;
}

export interface GenResult {
  text: string;
  usage: GenUsage;
  /** 'incomplete': the stream ended before the server said the answer was done; `text` is what arrived. */
  stopped: 'eos' | 'length' | 'aborted' | 'incomplete';
  /** Why the answer is incomplete (only with 'incomplete'): code 'server-stream-cut', rendered like any error. */
  incomplete?: WireError;
  /** The model and engine that produced this text (stamped by the worker, so a run records what ran). */
  model: LoadedModel;
  /** Set when `responseFormat` was asked: whether the engine actually constrained the output. */
  constrained?: boolean;
}

export interface EmbedderInfo {
  /** The id vectors are stored under: a catalog/transformers.js id, or a server model key `server:<id>|<model>`. */
  model: string;
  /** 'server': the texts are embedded by the server in `server`, not in this browser. */
  device: Device | 'server';
  dtype: string;
  dim: number;
  loadMs: number;
  fallbackReason?: string;
  /** Server embedders only: where chunks and queries are sent, and the model the server names. */
  server?: { baseUrl: string; host: string; model: string };
}

/**
 * What `loadEmbedder` loads: a transformers.js model through the model host, or (with `server`) an
 * embedding model on a server the user added, which needs no model host, device or pooling setting.
 */
export type EmbedderLoadRequest =
  | { model: ModelSpec; hosts: ResolvedHosts; device: Device; pooling: 'mean' | 'cls'; normalize: boolean; queryPrefix: string; passagePrefix: string; server?: undefined }
  | { server: ServerEmbedderSpec; queryPrefix: string; passagePrefix: string };

/** An embedding model on an OpenAI-compatible server the user added and allowed to receive texts. */
export interface ServerEmbedderSpec {
  /** The model key, `server:<serverId>|<model>`: vectors are stored under it. */
  key: string;
  /** Normalised base URL, e.g. `http://localhost:11434/v1`. */
  baseUrl: string;
  apiKey?: string;
  kind: ServerKind;
  /** The model id the server lists. */
  model: string;
}

/** A call: what goes in, what the single `done` carries, what each stream event carries. */
interface Call<Req, Res, Item = never> {
  req: Req;
  res: Res;
  item: Item;
}

/**
 * The LLM worker holds several models at once, each under its model key (src/models/model-key.ts):
 * lanes on different models run in one page. The page decides what to unload when memory is short.
 */
export type LlmCalls = {
  load: Call<{ key: string; plan: LoadPlan; hosts: ResolvedHosts }, LoadedModel>;
  generate: Call<{ key: string; messages: ChatMessage[]; params: GenParams }, GenResult, string>;
  /** Frees one model's memory (`key`), or every model's. */
  unload: Call<{ key?: string }, { unloaded: number }>;
  /** Makes the worker throw outside any handler, as a real crash would (used to prove recovery). */
  crash: Call<Record<string, never>, never>;
};


export interface IngestSummary {
  id: string;
  name: string;
  kind: string;
  chunks: number;
  chars: number;
  pages?: number;
  ms: number;
}

export interface SearchOptions {
  /** Results returned, after fusion (and reranking). */
  k: number;
  dense: boolean;
  bm25: boolean;
  rerank: boolean;
  /**
   * The user chose to go on when dense search or reranking cannot run: run without it and record
   * why in `fallbacks`. Without it, a missing part fails the search with a specific error.
   */
  degrade?: boolean;
  /**
   * Small-to-big: besides the small chunks that matched, return each hit's enclosing section (or the
   * part of it around the hit that fits), all passages together within `budget` tokens — the
   * passages a RAG prompt then shows instead of the chunks. Absent: chunks only.
   */
  smallToBig?: { budget: number };
  /**
   * Dense search embeds this text instead of the query (HyDE: a hypothetical answer passage, embedded
   * as a passage); BM25, reranking and highlighting keep the query. Absent: dense embeds the query.
   */
  denseText?: { text: string; kind: 'query' | 'passage' };
}

/** What the index holds for a chunk besides its text (BM25 and the embedder see the same). */
export interface IndexedAs {
  /** The contextual header line: document label › headings (src/retrieval/contextual.ts). */
  header: string;
  /** The LLM-written context sentence, when one was written for this chunk. */
  context?: string;
  /** The model that wrote `context`. */
  contextModel?: string;
}

/** Another place a collapsed near-duplicate of a hit's passage was found (e.g. the PDF copy of a text). */
export interface DuplicateSource {
  chunkId: string;
  docId: string;
  docName: string;
  /** Offsets of that chunk in its document's text (UTF-16 code units, end exclusive): where the copy sits, for scoring by position. */
  start: number;
  end: number;
  page?: number;
  /** Shared-passage similarity with the kept hit, 0–1 (src/retrieval/dedupe.ts). */
  similarity: number;
}

/** Small-to-big: the passage a hit contributes to the prompt. */
export interface HitPassage {
  text: string;
  /** Its range in the document text, UTF-16 code units, end exclusive. */
  start: number;
  end: number;
  /** Estimated tokens of `text`. */
  tokens: number;
  /** 'section': the whole enclosing section; 'window': the part of it around the hits that fit; 'chunk': only the hit. */
  expanded: 'section' | 'window' | 'chunk';
  page?: number;
  headingPath?: string[];
  /** Chunk ids of the lower-ranked hits this passage also holds (they carry `inPassageOf`). */
  holds: string[];
}

export interface SearchHit {
  chunkId: string;
  docId: string;
  docName: string;
  /** Chunk index in its document. */
  index: number;
  text: string;
  /** Offsets of the chunk in its document's text (UTF-16 code units, end exclusive). */
  start: number;
  end: number;
  page?: number;
  headingPath?: string[];
  /** 1-based final rank. */
  rank: number;
  fused: number;
  dense?: { score: number; rank: number };
  bm25?: { score: number; rank: number };
  rerank?: number;
  /** What was indexed with the chunk's text (absent in records saved before headers were indexed). */
  indexed?: IndexedAs;
  /** Near-duplicates collapsed into this hit, best-ranked first (absent when none). */
  alsoIn?: DuplicateSource[];
  /** Small-to-big: the passage the prompt shows for this hit (absent when the budget ran out before it). */
  passage?: HitPassage;
  /** Small-to-big: this hit's chunk is already inside the passage of the hit with this chunk id. */
  inPassageOf?: string;
}

/**
 * Why a part did not run as configured: no embedder / no vectors / the embedder failed to load, no
 * reranker / it failed to load, another LLM engine or device ran (web-llm → transformers.js, WebGPU → WASM).
 */
export type FallbackCode =
  | 'no-embedder'
  | 'no-vectors'
  | 'embedder-failed'
  | 'no-reranker'
  | 'reranker-failed'
  | 'llm-engine'
  /** HyDE: the model's passage was empty or a refusal, so dense search embedded the question. */
  | 'hyde-unusable'
  /** HyDE: dense search did not run (off, or it fell back), so no passage searched anything. */
  | 'hyde-no-dense'
  /** HyDE: dense search ran on the question because the search did not take the passage. */
  | 'hyde-not-applied'
  /** Multi-query: no rewrite could be read from the model's reply; the question was searched alone. */
  | 'rewrite-unread'
  /** Multi-query: fewer rewrites than asked could be read; the question and those were searched. */
  | 'rewrite-partial'
  /** Verified: the check's reply could not be read, so the answer stands unchecked. */
  | 'verify-unread'
  /** Verified: the check's reply hit its token limit, so its revision (possibly cut) was not used. */
  | 'verify-truncated';

/** A part of the configured method that did not run as asked, and why (shown next to the result). */
export interface Fallback {
  /** A retrieval part, the model, or one of the extra steps (HyDE passage, query rewrites, verification). */
  part: 'dense' | 'rerank' | 'llm' | 'hyde' | 'rewrite' | 'verify';
  code: FallbackCode;
  /** The English sentence, kept with the record; the UI words it per language from `code` and `detail`. */
  reason: string;
  detail?: Record<string, string>;
}

/** What a search actually ran, whatever was asked. */
export interface RetrievalRan {
  bm25: boolean;
  dense: boolean;
  rerank: boolean;
  /** The embedder whose vectors dense search used (null when dense did not run). */
  embedder: string | null;
  reranker: string | null;
  /** Chunks with a vector for that embedder, and all chunks, when the search ran. */
  vectors: number;
  chunks: number;
  /** Small-to-big ran: hits carry their enclosing sections (`passage`). Absent in older records. */
  smallToBig?: boolean;
  /** Near-duplicate chunks collapsed into the returned hits (listed as their `alsoIn`). Absent in older records. */
  collapsed?: number;
  /** Dense search embedded this other text (as `kind`, `chars` long) instead of the query (HyDE). Absent: the query. */
  denseText?: { kind: 'query' | 'passage'; chars: number };
}

export interface SearchResult {
  hits: SearchHit[];
  /** The query's BM25 terms, for highlighting. */
  terms: string[];
  /** Milliseconds spent embedding the query, searching, reranking. */
  ms: { embed: number; search: number; rerank: number };
  ran: RetrievalRan;
  fallbacks: Fallback[];
}

export interface IndexStats {
  docs: number;
  chunks: number;
  vectors: number;
  embedModel: string | null;
  dim: number;
  bytes: number;
  /** Chunks still without a vector for the loaded embedder. */
  missing: number;
  /** Passages this worker has embedded since it started (0 after a reload that found stored vectors). */
  embeddedSinceStart: number;
  /** How vectors are held in memory: int8 codes with a scale per vector (re-scored exactly), or float32. */
  precision: 'int8' | 'f32';
  /** Where the exact re-score of int8 candidates reads full-precision rows (an OPFS file, or memory); null with f32. */
  exactRows: 'file' | 'memory' | null;
}

/** A test question for the retrieval sweep: gold passages as text, located by position in the worker. */
export interface SweepQuestion {
  id: string;
  question: string;
  goldPassages: string[];
  /** The document the passages should come from (searched first). */
  goldDocument?: string;
}

export interface SweepRequest {
  questions: SweepQuestion[];
  /** Every setting to measure (the page expands its grid and adds the library's current setting). */
  settings: SweepSetting[];
  /** Cut-offs for hit@k and recall@k. */
  ks: number[];
  /** MRR counts a first gold chunk only within this rank. */
  mrrAt: number;
}

export interface SweepReply extends SweepResult {
  /** Library documents the sweep chunked. */
  docs: number;
  /** Questions sent, questions with at least one located gold passage, and gold passages found in no document. */
  gold: { questions: number; withGold: number; passagesNotFound: number };
  embedder: string | null;
  reranker: string | null;
  ms: number;
}

/** Progress of a sweep: settings measured so far (a setting that builds a scratch index includes its embedding). */
export interface SweepProgress {
  done: number;
  total: number;
  setting: SweepSetting | null;
}

/** Every call that writes the library answers with the index as it stands afterwards. */
export interface Written {
  stats: IndexStats;
}

export type KnowledgeCalls = {
  /**
   * Builds the in-memory index from IndexedDB: BM25 over all chunks, plus the stored vectors of the
   * loaded embedder or, before one is loaded, of `model` (no model load needed for that).
   */
  openIndex: Call<{ model?: string }, IndexStats>;
  /**
   * The background embedding queue: embeds every chunk of a stored document that has no vector for the
   * loaded embedder, in batches each stored before the next (an abort keeps every finished batch), and
   * takes in chunks of files stored meanwhile until none is missing. Progress in chunks, with tokens.
   */
  embedMissing: Call<Record<string, never>, Written & { embedded: number; ms: number }>;
  search: Call<{ query: string; opts: SearchOptions }, SearchResult>;
  loadReranker: Call<{ model: ModelSpec; hosts: ResolvedHosts; device: Device }, { model: string; loadMs: number }>;
  /**
   * Extract, chunk, store and index one file for BM25 (its bytes are transferred, not copied); `sample`
   * marks built-in sample data. With an embedder loaded its chunks are embedded before the answer,
   * unless `embed: false`: then the answer comes as soon as the file is searchable by BM25 and its
   * chunks wait for `embedMissing` (the Documents screen embeds them in the background).
   */
  ingest: Call<{ name: string; bytes: ArrayBuffer; maxBytes: number; chunking: ChunkSettings; sample?: boolean; embed?: boolean }, Written & { doc: IngestSummary }>;
  /** Re-chunk stored documents with new settings; their vectors are dropped (re-embedded later). */
  reindex: Call<{ ids: string[] | 'all'; chunking: ChunkSettings }, Written & { docs: number; chunks: number }>;
  deleteDocs: Call<{ ids: string[] | 'all' }, Written & { deleted: number }>;
  /** Reads a workspace bundle (JSON file) and writes it in one transaction; the index is rebuilt from it. */
  importWorkspace: Call<{ file: Blob; mode: 'merge' | 'replace' }, Written & { report: ImportReport }>;
  /** Deletes every record in the database (documents, runs, settings…) and empties the index. */
  clearAll: Call<Record<string, never>, Written>;
  /**
   * Stores (or, with null, removes) LLM-written context sentences of chunks, re-indexes those chunks
   * and embeds them again when an embedder is loaded (otherwise they count as missing vectors).
   */
  setContexts: Call<{ entries: ChunkContextEntry[] }, Written & { updated: number; embedded: number }>;
  /**
   * The retrieval sweep: chunks every library document per setting into scratch indexes (the stored
   * library is not touched), runs the questions and scores them against their located gold passages.
   * Dense and rerank modes need the embedder / reranker loaded. Streams progress per setting.
   */
  sweep: Call<SweepRequest, SweepReply, SweepProgress>;
  loadEmbedder: Call<EmbedderLoadRequest, EmbedderInfo>;
  /** Forgets the loaded embedder when it is `model` (a server the user removed or stopped trusting): nothing is embedded with it again until it is loaded anew. */
  dropEmbedder: Call<{ model: string }, { dropped: boolean }>;
  embed: Call<{ texts: string[]; kind?: 'query' | 'passage' | 'raw' }, { vectors: Float32Array; dim: number; ms: number }>;
  crash: Call<Record<string, never>, never>;
};

export type Calls = Record<string, Call<unknown, unknown, unknown>>;

export type RequestOf<C extends Calls> = {
  [K in keyof C & string]: { id: number; type: K; payload: C[K]['req'] };
}[keyof C & string];

export type AbortMessage = { id: number; type: 'abort'; target: number };

export type Inbound<C extends Calls> = RequestOf<C> | AbortMessage;

/** What a worker sends: results and stream items are typed by the worker's call map. */
export type Outbound<C extends Calls = Calls> =
  | { id: number; type: 'progress'; progress: Progress }
  | { id: number; type: 'item'; item: C[keyof C]['item'] }
  | { id: number; type: 'done'; result: C[keyof C]['res'] }
  | { id: number; type: 'error'; error: WireError };

/** How handlers send: `transfer` lists buffers to move instead of copy. */
export type Post = (msg: Outbound, transfer?: Transferable[]) => void;
