// The typed wire protocol between the page and the workers. Every call is a request with an `id`;
// the worker answers with any number of `progress`/`token` events and exactly one `done` or `error`.
// `abort` cancels a call by id. Each worker declares its calls as a map: name → request, result, stream item.

import type { WireError } from './errors';
import type { ResolvedHosts } from '../models/hosts';
import type { ChunkSettings } from '../chunking/chunk';

export type Device = 'webgpu' | 'wasm';
export type DevicePref = Device | 'auto';

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
}

/** One progress report. Bytes for downloads, items (pages, chunks, texts) for the rest. */
export type IngestStage = 'reading' | 'extracting' | 'chunking' | 'embedding' | 'saving';

export type Progress =
  | { kind: 'download'; file: string; loaded: number; total: number }
  | { kind: 'stage'; stage: IngestStage }
  /** web-llm reports a fraction (0..1) and a sentence rather than bytes. */
  | { kind: 'fraction'; value: number; message: string }
  | { kind: 'load'; message: string }
  | { kind: 'items'; stage: string; done: number; total: number };

export interface ModelSpec {
  /** A model id on the configured host, e.g. `onnx-community/Qwen2.5-0.5B-Instruct`. */
  id: string;
  /** transformers.js dtype (`q4`, `q4f16`, `q8`, `fp32`…); chosen per device when absent. */
  dtype?: string;
}

/** What the page decided to run (see engines/engine-select.ts); the worker may still fall back. */
export type LoadPlan =
  | { engine: 'transformers.js'; model: ModelSpec; device: Device; note?: string }
  | { engine: 'web-llm'; modelId: string; lib: string; vramMB: number; fallback: { model: ModelSpec; device: Device } | null };

export interface LoadedModel {
  model: string;
  engine: 'transformers.js' | 'web-llm';
  device: Device;
  dtype: string;
  loadMs: number;
  /** Why the requested device was not used (e.g. WebGPU missing), if it was not. */
  fallbackReason?: string;
}

export interface GenParams {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed?: number;
}

export interface GenUsage {
  promptTokens: number;
  outputTokens: number;
  /** Time from the request to the first streamed token, ms. */
  ttftMs: number;
  totalMs: number;
  /** Output tokens after the first, per second of decoding. */
  decodeTps: number;
}

export interface GenResult {
  text: string;
  usage: GenUsage;
  stopped: 'eos' | 'length' | 'aborted';
}

export interface EmbedderInfo {
  model: string;
  device: Device;
  dtype: string;
  dim: number;
  loadMs: number;
  fallbackReason?: string;
}

/** A call: what goes in, what the single `done` carries, what each stream event carries. */
interface Call<Req, Res, Item = never> {
  req: Req;
  res: Res;
  item: Item;
}

export type LlmCalls = {
  load: Call<{ plan: LoadPlan; hosts: ResolvedHosts }, LoadedModel>;
  generate: Call<{ messages: ChatMessage[]; params: GenParams }, GenResult, string>;
  countTokens: Call<{ messages: ChatMessage[] }, { tokens: number }>;
  unload: Call<Record<string, never>, { unloaded: boolean }>;
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
}

export interface SearchHit {
  chunkId: string;
  docId: string;
  docName: string;
  /** Chunk index in its document. */
  index: number;
  text: string;
  page?: number;
  headingPath?: string[];
  /** 1-based final rank. */
  rank: number;
  fused: number;
  dense?: { score: number; rank: number };
  bm25?: { score: number; rank: number };
  rerank?: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** The query's BM25 terms, for highlighting. */
  terms: string[];
  /** Milliseconds spent embedding the query, searching, reranking. */
  ms: { embed: number; search: number; rerank: number };
  /** Why dense search was skipped, if it was (no embedder, no vectors yet). */
  denseSkipped?: string;
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
}

export type KnowledgeCalls = {
  /**
   * Builds the in-memory index from IndexedDB: BM25 over all chunks, plus the stored vectors of the
   * loaded embedder or, before one is loaded, of `model` (no model load needed for that).
   * `rebuild` forces a fresh build (after a workspace import).
   */
  openIndex: Call<{ model?: string; rebuild?: boolean }, IndexStats>;
  /** Embeds every chunk that has no vector for the loaded embedder; progress in chunks. */
  embedMissing: Call<Record<string, never>, IndexStats & { embedded: number; ms: number }>;
  search: Call<{ query: string; opts: SearchOptions }, SearchResult>;
  /** Loads (or unloads with null) the cross-encoder used when `rerank` is on. */
  loadReranker: Call<{ model: ModelSpec; hosts: ResolvedHosts; device: Device }, { model: string; loadMs: number }>;
  /** Extract, chunk and store one file (its bytes are transferred, not copied); `sample` marks built-in sample data. */
  ingest: Call<{ name: string; bytes: ArrayBuffer; maxBytes: number; chunking: ChunkSettings; sample?: boolean }, IngestSummary>;
  /** Re-chunk stored documents with new settings; their vectors are dropped (re-embedded later). */
  reindex: Call<{ ids: string[] | 'all'; chunking: ChunkSettings }, { docs: number; chunks: number }>;
  deleteDocs: Call<{ ids: string[] | 'all' }, { deleted: number }>;
  loadEmbedder: Call<{ model: ModelSpec; hosts: ResolvedHosts; device: Device; pooling: 'mean' | 'cls'; normalize: boolean; queryPrefix: string; passagePrefix: string }, EmbedderInfo>;
  embed: Call<{ texts: string[]; kind?: 'query' | 'passage' | 'raw' }, { vectors: Float32Array; dim: number; ms: number }, number>;
  crash: Call<Record<string, never>, never>;
};

export type Calls = Record<string, Call<unknown, unknown, unknown>>;

export type RequestOf<C extends Calls> = {
  [K in keyof C & string]: { id: number; type: K; payload: C[K]['req'] };
}[keyof C & string];

export type AbortMessage = { id: number; type: 'abort'; target: number };

export type Inbound<C extends Calls> = RequestOf<C> | AbortMessage;

export type Outbound =
  | { id: number; type: 'progress'; progress: Progress }
  | { id: number; type: 'item'; item: unknown }
  | { id: number; type: 'done'; result: unknown }
  | { id: number; type: 'error'; error: WireError };

/** How handlers send: `transfer` lists buffers to move instead of copy. */
export type Post = (msg: Outbound, transfer?: Transferable[]) => void;
