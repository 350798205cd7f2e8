// Whether a catalog model fits this device, and why: the engine plan (web-llm, else transformers.js
// on WebGPU, else WASM) checked against memory, GPU buffer limits and free storage. Pure: decided
// from a capability object so each branch is unit-tested. Sizes in the catalog are MiB.

import type { GpuInfo } from './capabilities';
import { chooseDevice } from './capabilities';
import { planEngine, type EnginePref } from './engine-select';
import { findEmbedder, findLlm } from '../models/catalog';
import type { Device, DevicePref } from '../protocol/messages';

export type FitLevel = 'fits' | 'may-not-fit' | 'needs-webgpu' | 'unknown';

export type FitReasonCode =
  | 'custom'
  | 'runs-webgpu'
  | 'runs-wasm'
  | 'needs-webgpu'
  | 'fallback'
  | 'no-f16'
  | 'software-gpu'
  | 'memory'
  | 'buffer'
  | 'wasm-limit'
  | 'storage';

/** `need`/`have` are bytes; `model` a label; `engine` a runtime name. */
export interface FitReason {
  code: FitReasonCode;
  model?: string;
  engine?: string;
  need?: number;
  have?: number;
}

export interface ModelFit {
  level: FitLevel;
  reasons: FitReason[];
  engine: 'web-llm' | 'transformers.js' | 'wllama';
  device: Device;
  dtype: string;
  /** The catalog id that actually runs (a web-llm entry's fallback when web-llm cannot run here). */
  runs: string;
}

export interface FitContext {
  gpu: Pick<GpuInfo, 'available' | 'f16' | 'maxBufferSize' | 'isFallbackAdapter'>;
  /** `navigator.deviceMemory`, GB (browsers cap it at 8); null when unknown. */
  deviceMemoryGB: number | null;
  /** Storage quota minus usage, bytes; null when unknown. */
  freeBytes: number | null;
  engine: EnginePref;
  device: DevicePref;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** Below this per-buffer limit the larger weight matrices may not fit on the GPU. */
export const MIN_GPU_BUFFER = 256 * MiB;
/** wasm32 memory ends at 4 GiB; weights plus activations must stay well below it. */
export const WASM_LIMIT = 3 * GiB;

function checks(ctx: FitContext, device: Device, memBytes: number, downloadBytes: number, cachedComplete: boolean): FitReason[] {
  const out: FitReason[] = [];
  if (device === 'webgpu' && ctx.gpu.maxBufferSize !== undefined && ctx.gpu.maxBufferSize < MIN_GPU_BUFFER && memBytes > ctx.gpu.maxBufferSize) {
    out.push({ code: 'buffer', have: ctx.gpu.maxBufferSize });
  }
  if (device === 'wasm' && memBytes > WASM_LIMIT) out.push({ code: 'wasm-limit', need: memBytes });
  // Keep half of the device's memory for the browser and the OS.
  if (ctx.deviceMemoryGB !== null && memBytes > (ctx.deviceMemoryGB * GiB) / 2) out.push({ code: 'memory', need: memBytes, have: ctx.deviceMemoryGB * GiB });
  if (!cachedComplete && ctx.freeBytes !== null && downloadBytes > ctx.freeBytes) out.push({ code: 'storage', need: downloadBytes, have: ctx.freeBytes });
  return out;
}

function level(base: FitLevel, warnings: FitReason[]): FitLevel {
  return base === 'fits' && warnings.length ? 'may-not-fit' : base;
}

/** Fit of a language model (catalog or custom id) under the current engine and backend choice. */
export function llmFit(id: string, ctx: FitContext, cachedComplete = false): ModelFit {
  const entry = findLlm(id);
  const plan = planEngine(id, ctx.gpu, ctx.engine, ctx.device);
  const reasons: FitReason[] = [];
  let base: FitLevel = entry.custom ? 'unknown' : 'fits';
  if (entry.custom) reasons.push({ code: 'custom' });
  const runs = plan.entry;
  let device: Device;
  let dtype: string;
  let memMB: number;
  if (plan.engine === 'wllama') {
    device = 'wasm';
    dtype = plan.dtype;
    reasons.push({ code: 'runs-wasm' });
    memMB = entry.vramMB;
  } else if (plan.engine === 'web-llm') {
    device = 'webgpu';
    dtype = plan.variant === 'f16' ? 'q4f16_1' : 'q4f32_1';
    memMB = entry.vramMB;
    reasons.push({ code: 'runs-webgpu', engine: 'web-llm' });
    if (plan.variant === 'f32') reasons.push({ code: 'no-f16' });
  } else {
    device = plan.device;
    dtype = plan.dtype;
    if (entry.engine === 'web-llm') {
      if (!ctx.gpu.available) base = 'needs-webgpu';
      reasons.push({ code: ctx.gpu.available ? 'fallback' : 'needs-webgpu', model: runs.label });
    }
    reasons.push(device === 'webgpu' ? { code: 'runs-webgpu', engine: 'transformers.js' } : { code: 'runs-wasm' });
    // On WASM the weights sit in CPU memory with some working space on top.
    memMB = device === 'webgpu' ? runs.vramMB : Math.round(runs.sizeMB * 1.5);
  }
  if (device === 'webgpu' && ctx.gpu.isFallbackAdapter) reasons.push({ code: 'software-gpu' });
  const warnings = entry.custom ? [] : checks(ctx, device, memMB * MiB, runs.sizeMB * MiB, cachedComplete);
  return { level: level(base, warnings), reasons: [...reasons, ...warnings], engine: plan.engine, device, dtype, runs: runs.id };
}

/** Fit of an embedding model: always transformers.js, on WebGPU when an adapter exists. */
export function embedderFit(id: string, ctx: FitContext, cachedComplete = false): ModelFit {
  const entry = findEmbedder(id);
  const { device } = chooseDevice(ctx.gpu, ctx.device);
  const reasons: FitReason[] = entry.custom ? [{ code: 'custom' }] : [];
  reasons.push(device === 'webgpu' ? { code: 'runs-webgpu', engine: 'transformers.js' } : { code: 'runs-wasm' });
  if (device === 'webgpu' && ctx.gpu.isFallbackAdapter) reasons.push({ code: 'software-gpu' });
  const warnings = entry.custom ? [] : checks(ctx, device, entry.sizeMB * 2 * MiB, entry.sizeMB * MiB, cachedComplete);
  return { level: level(entry.custom ? 'unknown' : 'fits', warnings), reasons: [...reasons, ...warnings], engine: 'transformers.js', device, dtype: entry.dtype[device], runs: id };
}
