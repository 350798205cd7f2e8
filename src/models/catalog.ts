// The models Method Lab knows: embedders and small instruct LLMs for both engines, with what a user
// needs to choose (size, memory, languages, licence). Any other transformers.js model id can be used
// as a custom entry with conservative defaults.

import type { Device } from '../protocol/messages';

/** Languages a model handles well ('multi': many, Chinese and English among them). */
export type ModelLanguage = 'en' | 'zh' | 'multi';

export interface EmbedderEntry {
  id: string;
  label: string;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  /** Prepended to queries and passages (e5 models need `query: ` / `passage: `). */
  queryPrefix: string;
  passagePrefix: string;
  dim: number;
  /** Download size of the dtype used on WASM, MB. */
  sizeMB: number;
  languages: ModelLanguage[];
  license: string;
  dtype: Record<Device, string>;
  custom?: boolean;
}

export const EMBEDDERS: readonly EmbedderEntry[] = Object.freeze([
  {
    id: 'Xenova/multilingual-e5-small',
    label: 'multilingual-e5-small',
    pooling: 'mean',
    normalize: true,
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    dim: 384,
    sizeMB: 118,
    languages: ['multi', 'zh', 'en'],
    license: 'MIT',
    dtype: { webgpu: 'fp32', wasm: 'q8' },
  },
  {
    id: 'Xenova/bge-small-zh-v1.5',
    label: 'bge-small-zh-v1.5',
    pooling: 'cls',
    normalize: true,
    queryPrefix: '为这个句子生成表示以用于检索相关文章：',
    passagePrefix: '',
    dim: 512,
    sizeMB: 24,
    languages: ['zh'],
    license: 'MIT',
    dtype: { webgpu: 'fp32', wasm: 'q8' },
  },
  {
    id: 'Xenova/all-MiniLM-L6-v2',
    label: 'all-MiniLM-L6-v2',
    pooling: 'mean',
    normalize: true,
    queryPrefix: '',
    passagePrefix: '',
    dim: 384,
    sizeMB: 23,
    languages: ['en'],
    license: 'Apache-2.0',
    dtype: { webgpu: 'fp32', wasm: 'q8' },
  },
]);

/** A model id the catalog does not list (a user's own model, a test fixture): mean pooling, no prefixes. */
export function customEmbedder(id: string): EmbedderEntry {
  return {
    id,
    label: id.split('/').pop() ?? id,
    pooling: 'mean',
    normalize: true,
    queryPrefix: '',
    passagePrefix: '',
    dim: 0,
    sizeMB: 0,
    languages: [],
    license: 'unknown',
    dtype: { webgpu: 'fp32', wasm: 'q8' },
    custom: true,
  };
}

export function findEmbedder(id: string): EmbedderEntry {
  return EMBEDDERS.find((e) => e.id === id) ?? customEmbedder(id);
}

export interface LlmEntry {
  id: string;
  label: string;
  engine: 'transformers.js' | 'web-llm' | 'wllama';
  /** Parameters, billions. */
  params: number;
  sizeMB: number;
  /** web-llm's vram_required_MB, or an estimate for transformers.js on WebGPU. */
  vramMB: number;
  languages: ModelLanguage[];
  /** Handles Chinese well (trained on substantial Chinese data). */
  goodChinese: boolean;
  license: string;
  /** transformers.js dtype per device; web-llm picks q4f16_1/q4f32_1 ids instead. */
  dtype?: Record<Device, string>;
  /** web-llm: the f32 variant used when the adapter lacks shader-f16, and both libraries. */
  webllm?: { f16: { id: string; lib: string }; f32: { id: string; lib: string } };
  /** wllama entries: the GGUF file on the model host (a Hugging Face repo and file name). */
  gguf?: { repo: string; file: string };
  /** For web-llm entries: the transformers.js model that answers when web-llm cannot run here. */
  fallback?: string;
  custom?: boolean;
}

const mlc = (id16: string, lib16: string, id32: string, lib32: string) => ({
  f16: { id: id16, lib: lib16 },
  f32: { id: id32, lib: lib32 },
});

export const LLMS: readonly LlmEntry[] = Object.freeze([
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    label: 'Qwen2.5 0.5B Instruct (ONNX)',
    engine: 'transformers.js',
    params: 0.49,
    sizeMB: 483,
    vramMB: 1000,
    languages: ['multi', 'zh', 'en'],
    goodChinese: true,
    license: 'Apache-2.0',
    dtype: { webgpu: 'q4f16', wasm: 'q8' },
  },
  {
    // llama.cpp in WebAssembly reads GGUF, the format fine-tuning tools export; on a CPU-only machine
    // Q8_0 is its fastest quantization (Q4_K_M and Q4_0 have slower or no SIMD kernels in this build).
    id: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF:q8_0',
    label: 'Qwen2.5 0.5B Instruct (GGUF Q8_0, llama.cpp)',
    engine: 'wllama',
    params: 0.49,
    sizeMB: 676,
    vramMB: 900,
    languages: ['multi', 'zh', 'en'],
    goodChinese: true,
    license: 'Apache-2.0',
    gguf: { repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF', file: 'qwen2.5-0.5b-instruct-q8_0.gguf' },
  },
  {
    id: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF:q4_k_m',
    label: 'Qwen2.5 0.5B Instruct (GGUF Q4_K_M, llama.cpp)',
    engine: 'wllama',
    params: 0.49,
    sizeMB: 491,
    vramMB: 700,
    languages: ['multi', 'zh', 'en'],
    goodChinese: true,
    license: 'Apache-2.0',
    gguf: { repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF', file: 'qwen2.5-0.5b-instruct-q4_k_m.gguf' },
  },
  {
    id: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    label: 'SmolLM2 360M Instruct (ONNX)',
    engine: 'transformers.js',
    params: 0.36,
    sizeMB: 386,
    vramMB: 700,
    languages: ['en'],
    goodChinese: false,
    license: 'Apache-2.0',
    dtype: { webgpu: 'q4f16', wasm: 'q8' },
  },
  {
    id: 'Qwen2.5-0.5B-Instruct-MLC',
    label: 'Qwen2.5 0.5B Instruct (MLC)',
    engine: 'web-llm',
    params: 0.49,
    sizeMB: 280,
    vramMB: 945,
    languages: ['multi', 'zh', 'en'],
    goodChinese: true,
    license: 'Apache-2.0',
    fallback: 'onnx-community/Qwen2.5-0.5B-Instruct',
    webllm: mlc('Qwen2.5-0.5B-Instruct-q4f16_1-MLC', 'Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm', 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', 'Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm'),
  },
  {
    id: 'Qwen2.5-1.5B-Instruct-MLC',
    label: 'Qwen2.5 1.5B Instruct (MLC)',
    engine: 'web-llm',
    params: 1.54,
    sizeMB: 870,
    vramMB: 1630,
    languages: ['multi', 'zh', 'en'],
    goodChinese: true,
    license: 'Apache-2.0',
    fallback: 'onnx-community/Qwen2.5-0.5B-Instruct',
    webllm: mlc('Qwen2.5-1.5B-Instruct-q4f16_1-MLC', 'Qwen2-1.5B-Instruct-q4f16_1_cs1k-webgpu.wasm', 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', 'Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm'),
  },
  {
    id: 'SmolLM2-360M-Instruct-MLC',
    label: 'SmolLM2 360M Instruct (MLC)',
    engine: 'web-llm',
    params: 0.36,
    sizeMB: 210,
    vramMB: 376,
    languages: ['en'],
    goodChinese: false,
    license: 'Apache-2.0',
    fallback: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    webllm: mlc('SmolLM2-360M-Instruct-q4f16_1-MLC', 'SmolLM2-360M-Instruct-q4f16_1_cs1k-webgpu.wasm', 'SmolLM2-360M-Instruct-q4f32_1-MLC', 'SmolLM2-360M-Instruct-q4f32_1_cs1k-webgpu.wasm'),
  },
  {
    id: 'Llama-3.2-1B-Instruct-MLC',
    label: 'Llama 3.2 1B Instruct (MLC)',
    engine: 'web-llm',
    params: 1.24,
    sizeMB: 710,
    vramMB: 879,
    languages: ['en', 'multi'],
    goodChinese: false,
    license: 'Llama 3.2 Community',
    fallback: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    webllm: mlc('Llama-3.2-1B-Instruct-q4f16_1-MLC', 'Llama-3.2-1B-Instruct-q4f16_1_cs1k-webgpu.wasm', 'Llama-3.2-1B-Instruct-q4f32_1-MLC', 'Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm'),
  },
]);

export function customLlm(id: string): LlmEntry {
  return {
    id,
    label: id.split('/').pop() ?? id,
    engine: 'transformers.js',
    params: 0,
    sizeMB: 0,
    vramMB: 0,
    languages: [],
    goodChinese: false,
    license: 'unknown',
    dtype: { webgpu: 'q4f16', wasm: 'q8' },
    custom: true,
  };
}

export function findLlm(id: string): LlmEntry {
  return LLMS.find((e) => e.id === id) ?? customLlm(id);
}
