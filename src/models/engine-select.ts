// Which engine, backend and weights run a chosen model here: web-llm when WebGPU can run it
// (q4f16_1 with shader-f16, q4f32_1 without), else its transformers.js fallback on WebGPU, else WASM.
// Pure: decided from a capability object, so every branch is unit-tested.

import type { GpuInfo } from './capabilities';
import { findLlm, type LlmEntry } from '../models/catalog';
import type { Device, DevicePref } from '../protocol/messages';

export type EnginePref = 'auto' | 'web-llm' | 'transformers.js';

export type EnginePlan =
  | { engine: 'wllama'; entry: LlmEntry; device: 'wasm'; dtype: string }
  | { engine: 'web-llm'; entry: LlmEntry; variant: 'f16' | 'f32'; modelId: string; lib: string; fallback: { id: string; device: Device } | null }
  | { engine: 'transformers.js'; entry: LlmEntry; device: Device; dtype: string; reason?: string };

function tjsPlan(entry: LlmEntry, gpu: Pick<GpuInfo, 'available'>, devicePref: DevicePref, reason?: string): EnginePlan {
  const device: Device = devicePref !== 'wasm' && gpu.available ? 'webgpu' : 'wasm';
  const dtype = entry.dtype?.[device] ?? (device === 'webgpu' ? 'q4f16' : 'q8');
  const why = devicePref === 'webgpu' && device === 'wasm' ? 'WebGPU was requested but no adapter is available; using WASM.' : undefined;
  return { engine: 'transformers.js', entry, device, dtype, reason: reason ?? why };
}

export function planEngine(modelId: string, gpu: Pick<GpuInfo, 'available' | 'f16' | 'maxBufferSize'>, pref: EnginePref, devicePref: DevicePref): EnginePlan {
  const entry = findLlm(modelId);
  if (entry.engine === 'transformers.js') return tjsPlan(entry, gpu, devicePref);
  // GGUF runs on llama.cpp in WebAssembly whatever the engine preference: no other engine reads it.
  if (entry.engine === 'wllama') return { engine: 'wllama', entry, device: 'wasm', dtype: (entry.gguf?.file.match(/(q\d_k_m|q\d_\d|f16|f32)\.gguf$/iu)?.[1] ?? 'gguf').toUpperCase() };
  const fallbackEntry = findLlm(entry.fallback ?? modelId);
  const fallback = (reason: string) => tjsPlan(fallbackEntry, gpu, devicePref, reason);
  if (pref === 'transformers.js') return fallback(`The transformers.js engine was chosen; using ${fallbackEntry.label} instead of ${entry.label}.`);
  if (!gpu.available) return fallback(`WebGPU is not available in this browser, so web-llm cannot run ${entry.label}; switched to the transformers.js engine (${fallbackEntry.label}).`);
  if (devicePref === 'wasm') return fallback(`The WASM backend was chosen; web-llm needs WebGPU, so ${fallbackEntry.label} runs on transformers.js.`);
  if (!entry.webllm) return fallback(`${entry.label} has no web-llm build; using transformers.js.`);
  const variant = gpu.f16 ? 'f16' : 'f32';
  const v = entry.webllm[variant];
  const fb = tjsPlan(fallbackEntry, gpu, devicePref);
  return { engine: 'web-llm', entry, variant, modelId: v.id, lib: v.lib, fallback: fb.engine === 'transformers.js' ? { id: fallbackEntry.id, device: fb.device } : null };
}
