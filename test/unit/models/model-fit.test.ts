// Fit of catalog models from literal capability objects: web-llm with and without shader-f16,
// no WebGPU (fallback named), a tiny GPU buffer limit, little memory, a full disk, custom ids.

import { describe, expect, it } from 'vitest';
import { embedderFit, llmFit, type FitContext } from '../../../src/models/model-fit';

const GPU_F16 = { available: true, f16: true, maxBufferSize: 2 ** 31 };
const GPU_F32_SOFT = { available: true, f16: false, maxBufferSize: 2 ** 30, isFallbackAdapter: true };
const NO_GPU = { available: false, f16: false };
const ctx = (over: Partial<FitContext> = {}): FitContext => ({ gpu: GPU_F16, deviceMemoryGB: 8, freeBytes: 10 * 2 ** 30, engine: 'auto', device: 'auto', ...over });
const codes = (f: { reasons: { code: string }[] }) => f.reasons.map((r) => r.code);

describe('llmFit', () => {
  it('an MLC model on a GPU with shader-f16 fits and runs on web-llm q4f16_1', () => {
    const f = llmFit('Qwen2.5-0.5B-Instruct-MLC', ctx());
    expect(f).toMatchObject({ level: 'fits', engine: 'web-llm', device: 'webgpu', dtype: 'q4f16_1', runs: 'Qwen2.5-0.5B-Instruct-MLC' });
    expect(codes(f)).toEqual(['runs-webgpu']);
  });

  it('without shader-f16 the q4f32 build is named; a software adapter is called slow', () => {
    const f = llmFit('Qwen2.5-0.5B-Instruct-MLC', ctx({ gpu: GPU_F32_SOFT }));
    expect(f).toMatchObject({ level: 'fits', dtype: 'q4f32_1' });
    expect(codes(f)).toEqual(['runs-webgpu', 'no-f16', 'software-gpu']);
  });

  it('without WebGPU an MLC model needs WebGPU and names the transformers.js model that runs instead', () => {
    const f = llmFit('Qwen2.5-1.5B-Instruct-MLC', ctx({ gpu: NO_GPU }));
    expect(f).toMatchObject({ level: 'needs-webgpu', engine: 'transformers.js', device: 'wasm', dtype: 'q8', runs: 'onnx-community/Qwen2.5-0.5B-Instruct' });
    expect(f.reasons[0]).toEqual({ code: 'needs-webgpu', model: 'Qwen2.5 0.5B Instruct (ONNX)' });
    expect(codes(f)).toEqual(['needs-webgpu', 'runs-wasm']);
  });

  it('choosing transformers.js on a GPU machine runs the fallback on WebGPU, and still fits', () => {
    const f = llmFit('SmolLM2-360M-Instruct-MLC', ctx({ engine: 'transformers.js' }));
    expect(f).toMatchObject({ level: 'fits', engine: 'transformers.js', device: 'webgpu', runs: 'HuggingFaceTB/SmolLM2-360M-Instruct' });
    expect(codes(f)).toEqual(['fallback', 'runs-webgpu']);
  });

  it('little device memory or storage makes it "may not fit", with the numbers', () => {
    const f = llmFit('Qwen2.5-1.5B-Instruct-MLC', ctx({ deviceMemoryGB: 2, freeBytes: 100 * 2 ** 20 }));
    expect(f.level).toBe('may-not-fit');
    expect(f.reasons.find((r) => r.code === 'memory')).toEqual({ code: 'memory', need: 1630 * 2 ** 20, have: 2 * 2 ** 30 });
    expect(f.reasons.find((r) => r.code === 'storage')).toEqual({ code: 'storage', need: 870 * 2 ** 20, have: 100 * 2 ** 20 });
    // Once it is cached, storage no longer matters.
    expect(codes(llmFit('Qwen2.5-1.5B-Instruct-MLC', ctx({ freeBytes: 0 }), true))).not.toContain('storage');
  });

  it('a GPU with a small buffer limit may not hold the weights', () => {
    const f = llmFit('Llama-3.2-1B-Instruct-MLC', ctx({ gpu: { available: true, f16: true, maxBufferSize: 128 * 2 ** 20 } }));
    expect(f.level).toBe('may-not-fit');
    expect(codes(f)).toContain('buffer');
  });

  it('a transformers.js model on WASM needs CPU memory; unknown device memory is no warning', () => {
    const f = llmFit('onnx-community/Qwen2.5-0.5B-Instruct', ctx({ gpu: NO_GPU, deviceMemoryGB: null, freeBytes: null }));
    expect(f).toMatchObject({ level: 'fits', device: 'wasm', dtype: 'q8' });
    expect(codes(f)).toEqual(['runs-wasm']);
    expect(llmFit('onnx-community/Qwen2.5-0.5B-Instruct', ctx({ gpu: NO_GPU, deviceMemoryGB: 1 })).level).toBe('may-not-fit');
  });

  it('a custom id is "unknown", never a false "fits"', () => {
    const f = llmFit('someone/my-finetune', ctx({ deviceMemoryGB: 0.5, freeBytes: 0 }));
    expect(f).toMatchObject({ level: 'unknown', engine: 'transformers.js', device: 'webgpu' });
    expect(codes(f)).toEqual(['custom', 'runs-webgpu']);
  });
});

describe('embedderFit', () => {
  it('catalog embedders fit; device follows the backend preference', () => {
    expect(embedderFit('Xenova/bge-small-zh-v1.5', ctx())).toMatchObject({ level: 'fits', device: 'webgpu', dtype: 'fp32' });
    expect(embedderFit('Xenova/bge-small-zh-v1.5', ctx({ device: 'wasm' }))).toMatchObject({ level: 'fits', device: 'wasm', dtype: 'q8' });
    expect(embedderFit('Xenova/multilingual-e5-small', ctx({ gpu: NO_GPU, freeBytes: 2 ** 20 })).level).toBe('may-not-fit');
    expect(embedderFit('lab-fixtures/x', ctx()).level).toBe('unknown');
  });
});
