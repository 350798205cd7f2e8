// What this browser can do, checked once before anything is downloaded: WebGPU (and why not),
// shader-f16, buffer limits, cross-origin isolation, storage. web-llm only checks after downloading,
// so the app asks first and picks engines and dtypes from this.

import type { Device, DevicePref } from '../protocol/messages';

export interface GpuInfo {
  available: boolean;
  /** Why WebGPU is not usable, in English; the UI maps `reasonCode`. */
  reasonCode?: 'no-api' | 'no-adapter' | 'error';
  reason?: string;
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  f16: boolean;
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
}

export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

export interface Capabilities {
  gpu: GpuInfo;
  crossOriginIsolated: boolean;
  /** Logical cores reported by the browser. */
  cores: number;
  storage: StorageInfo;
}

type GpuLike = {
  requestAdapter(): Promise<{
    features: { has(f: string): boolean };
    limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
    info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
    isFallbackAdapter?: boolean;
  } | null>;
};

export async function probeGpu(gpu: GpuLike | undefined): Promise<GpuInfo> {
  if (!gpu) return { available: false, reasonCode: 'no-api', reason: 'This browser has no WebGPU API (navigator.gpu is missing).', f16: false };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, reasonCode: 'no-adapter', reason: 'WebGPU is present but no GPU adapter was found (GPU blocked, disabled or unsupported).', f16: false };
    const info = adapter.info ?? {};
    return {
      available: true,
      vendor: info.vendor,
      architecture: info.architecture,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
      f16: adapter.features.has('shader-f16'),
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    };
  } catch (e) {
    return { available: false, reasonCode: 'error', reason: `Requesting a WebGPU adapter failed: ${e instanceof Error ? e.message : String(e)}`, f16: false };
  }
}

export async function probeStorage(storage: StorageManager | undefined): Promise<StorageInfo> {
  if (!storage) return { usage: null, quota: null, persisted: null };
  const [est, persisted] = await Promise.all([
    storage.estimate ? storage.estimate().catch(() => ({ usage: undefined, quota: undefined })) : Promise.resolve({ usage: undefined, quota: undefined }),
    storage.persisted ? storage.persisted().catch(() => null) : Promise.resolve(null),
  ]);
  return { usage: est.usage ?? null, quota: est.quota ?? null, persisted };
}

let cached: Promise<Capabilities> | null = null;

/** Probes once per page; `refresh` re-reads (e.g. after persist() or deleting a model). */
export function detectCapabilities(refresh = false): Promise<Capabilities> {
  if (!refresh && cached) return cached;
  const nav = navigator as Navigator & { gpu?: GpuLike };
  cached = Promise.all([probeGpu(nav.gpu), probeStorage(nav.storage)]).then(([gpu, storage]) => ({
    gpu,
    storage,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    cores: nav.hardwareConcurrency || 1,
  }));
  cached.catch(() => (cached = null));
  return cached;
}

/** The transformers.js backend for a preference: WebGPU only when an adapter exists. */
export function chooseDevice(gpu: Pick<GpuInfo, 'available'>, pref: DevicePref): { device: Device; fallbackReason?: string } {
  if (pref === 'wasm') return { device: 'wasm' };
  if (gpu.available) return { device: 'webgpu' };
  return { device: 'wasm', fallbackReason: pref === 'webgpu' ? 'WebGPU was requested but is not available; using WASM.' : undefined };
}
