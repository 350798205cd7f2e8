// How much memory a GGUF model needs in wllama before it is loaded, and whether that fits this
// device: weights + KV cache for n_ctx + llama.cpp's compute and output buffers + a fixed runtime
// overhead, against a budget from the wasm memory limit and what the browser says about the device.

import type { GgufSummary } from './gguf';
import { modelFileError } from './model-file-errors';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/**
 * wllama's wasm memory is created with a 4096 MiB maximum (its CMake `-sMAXIMUM_MEMORY=4096MB`
 * and getWasmMemory() in its worker), in both the memory64 and the compat build: weights, KV cache
 * and buffers must all live inside it.
 */
export const WLLAMA_WASM_MAX_BYTES = 4096 * MiB;
/** Kept free inside the wasm heap: fragmentation, thread stacks (5 MiB each), tokenizer tables. */
export const WASM_HEADROOM_BYTES = 256 * MiB;

export type KvCacheType = 'f32' | 'f16' | 'q8_0';
const KV_BYTES: Record<KvCacheType, number> = { f32: 4, f16: 2, q8_0: 34 / 32 };

export interface MemoryEstimateOptions {
  /** Context length the model is loaded with, tokens. */
  nCtx: number;
  /** Micro-batch size (llama.cpp n_ubatch; wllama's default 512), tokens. */
  nUbatch?: number;
  /** Sequences sharing the KV cache (wllama's n_parallel, default 4): sizes the logits buffer. */
  nParallel?: number;
  kvType?: KvCacheType;
  /** Flash attention (wllama's default: auto, on for the CPU); without it the K·Q scores are kept per micro-batch. */
  flashAttention?: boolean;
}

export interface MemoryEstimate {
  /** Tensor data of all parts, bytes. */
  weightsBytes: number;
  /** K and V for n_ctx tokens over all layers, bytes. */
  kvBytes: number;
  /** Compute graph and logits buffers, bytes. */
  computeBytes: number;
  /** Runtime, tokenizer and header copies, bytes. */
  overheadBytes: number;
  totalBytes: number;
}

/**
 * Estimated bytes wllama needs for this model:
 * - weights: the tensor sizes from the header (llama.cpp's "CPU model buffer size");
 * - KV cache: n_layer × n_ctx × n_head_kv × (key_length + value_length) × bytes per element
 *   (llama.cpp's "KV buffer size": 12.00 MiB for Qwen2.5-0.5B at n_ctx 1024, f16);
 * - compute: n_ubatch × 4 B × (3·n_ff + 5·n_embd), plus n_ubatch × n_ctx × n_head × 4 B without
 *   flash attention, plus the logits buffer n_vocab × 4 B × n_parallel. Calibrated against the
 *   buffer sizes llama.cpp reported in wllama for Qwen2.5-0.5B (38.28 MiB at n_ubatch 512, 10.38 MiB
 *   at 128; output buffer 2.32 MiB);
 * - overhead: 64 MiB for the runtime plus twice the header (vocabulary and merges tables).
 */
export function estimateGgufMemory(s: GgufSummary, headerBytes: number, opts: MemoryEstimateOptions): MemoryEstimate {
  const nUbatch = Math.min(opts.nUbatch ?? 512, opts.nCtx);
  const nParallel = opts.nParallel ?? 4;
  const layers = s.blockCount ?? 0;
  const kvHeads = s.headCountKv ?? s.headCount ?? 0;
  const perToken = kvHeads * ((s.keyLength ?? 0) + (s.valueLength ?? 0));
  const kvBytes = Math.ceil(layers * opts.nCtx * perToken * KV_BYTES[opts.kvType ?? 'f16']);
  const embd = s.embeddingLength ?? 0;
  const ff = s.feedForwardLength ?? 4 * embd;
  const scores = opts.flashAttention === false ? nUbatch * opts.nCtx * (s.headCount ?? 0) * 4 : 0;
  const computeBytes = nUbatch * 4 * (3 * ff + 5 * embd) + scores + (s.vocabSize ?? 0) * 4 * nParallel;
  const overheadBytes = 64 * MiB + 2 * headerBytes;
  const weightsBytes = s.tensorBytes ?? 0;
  return { weightsBytes, kvBytes, computeBytes, overheadBytes, totalBytes: weightsBytes + kvBytes + computeBytes + overheadBytes };
}

export interface MemoryBudget {
  /** Bytes the model may use. */
  bytes: number;
  /** What limited it: the wasm heap, or the device's memory. */
  limitedBy: 'wasm' | 'device';
}

/**
 * The budget for a wllama model: the wasm heap (4 GiB less headroom), and when the browser reports
 * `navigator.deviceMemory` (GB, capped at 8 by browsers), half of it, leaving the rest to the
 * browser, the page and the OS (the same rule the catalog's fit check uses). Pass null when unknown.
 */
export function wllamaMemoryBudget(deviceMemoryGB: number | null): MemoryBudget {
  const wasm = WLLAMA_WASM_MAX_BYTES - WASM_HEADROOM_BYTES;
  if (deviceMemoryGB === null || !(deviceMemoryGB > 0)) return { bytes: wasm, limitedBy: 'wasm' };
  const device = (deviceMemoryGB * GiB) / 2;
  return device < wasm ? { bytes: device, limitedBy: 'device' } : { bytes: wasm, limitedBy: 'wasm' };
}

/** Throws `model-too-large` when the estimate exceeds the budget, naming the parts and what to try. */
export function assertFits(model: string, est: MemoryEstimate, budget: MemoryBudget, nCtx: number): void {
  if (est.totalBytes <= budget.bytes) return;
  const gib = (b: number) => (b / GiB).toFixed(2);
  const where = budget.limitedBy === 'wasm' ? 'the 4 GiB a WebAssembly model can use' : 'the memory this device reports';
  throw modelFileError(
    'model-too-large',
    `"${model}" needs about ${gib(est.totalBytes)} GiB (weights ${gib(est.weightsBytes)}, context cache ${gib(est.kvBytes)} for ${nCtx} tokens, buffers ${gib(est.computeBytes + est.overheadBytes)}), more than ${where} allows here (${gib(budget.bytes)} GiB). Use a smaller quantization (Q4_K_M), a smaller model or a shorter context.`,
    { file: model, need: est.totalBytes, have: budget.bytes, limit: budget.limitedBy, nCtx },
  );
}
