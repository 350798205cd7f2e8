// planEngine from literal capability objects: every branch of the engine/device/dtype choice.
// (chooseDevice is covered in test/unit/foundation/capabilities.test.ts.)

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planEngine, type EnginePlan } from '../../../src/models/engine-select';
import { LLMS, findLlm } from '../../../src/models/catalog';
import type { DevicePref } from '../../../src/protocol/messages';

const GPU_F16 = { available: true, f16: true, maxBufferSize: 2 ** 31 };
const GPU_F32 = { available: true, f16: false, maxBufferSize: 2 ** 30 };
const NO_GPU = { available: false, f16: false };

const TJS = 'onnx-community/Qwen2.5-0.5B-Instruct';
const MLC = 'Qwen2.5-0.5B-Instruct-MLC';

function tjs(p: EnginePlan) {
  if (p.engine !== 'transformers.js') throw new Error(`expected a transformers.js plan, got ${p.engine}`);
  return p;
}
function webllm(p: EnginePlan) {
  if (p.engine !== 'web-llm') throw new Error(`expected a web-llm plan, got ${p.engine}`);
  return p;
}

describe('planEngine: a transformers.js catalog model', () => {
  const cases: [string, typeof GPU_F16 | typeof NO_GPU, DevicePref, 'webgpu' | 'wasm', string, boolean][] = [
    ['GPU, auto', GPU_F16, 'auto', 'webgpu', 'q4f16', false],
    ['GPU, webgpu', GPU_F16, 'webgpu', 'webgpu', 'q4f16', false],
    ['GPU, wasm', GPU_F16, 'wasm', 'wasm', 'q8', false],
    ['no GPU, auto', NO_GPU, 'auto', 'wasm', 'q8', false],
    ['no GPU, webgpu (requested but missing)', NO_GPU, 'webgpu', 'wasm', 'q8', true],
    ['no GPU, wasm', NO_GPU, 'wasm', 'wasm', 'q8', false],
  ];
  it.each(cases)('%s → %s %s', (_name, gpu, pref, device, dtype, hasReason) => {
    // The pref 'web-llm' does not matter for a transformers.js model.
    for (const enginePref of ['auto', 'web-llm', 'transformers.js'] as const) {
      const p = tjs(planEngine(TJS, gpu, enginePref, pref));
      expect(p.entry.id).toBe(TJS);
      expect(p.device).toBe(device);
      expect(p.dtype).toBe(dtype);
      expect(p.dtype).toBe(findLlm(TJS).dtype?.[device]);
      if (hasReason) expect(p.reason).toMatch(/WebGPU was requested/);
      else expect(p.reason).toBeUndefined();
    }
  });

  it('dtype comes from the catalog entry', () => {
    const entry = findLlm('HuggingFaceTB/SmolLM2-360M-Instruct');
    expect(tjs(planEngine(entry.id, GPU_F16, 'auto', 'auto')).dtype).toBe(entry.dtype?.webgpu);
    expect(tjs(planEngine(entry.id, NO_GPU, 'auto', 'auto')).dtype).toBe(entry.dtype?.wasm);
  });

  it('a custom model id → transformers.js with the default dtypes', () => {
    const gpu = tjs(planEngine('someone/my-model-ONNX', GPU_F16, 'auto', 'auto'));
    expect(gpu.entry).toMatchObject({ id: 'someone/my-model-ONNX', custom: true, engine: 'transformers.js' });
    expect([gpu.device, gpu.dtype]).toEqual(['webgpu', 'q4f16']);
    const cpu = tjs(planEngine('someone/my-model-ONNX', NO_GPU, 'web-llm', 'auto'));
    expect([cpu.device, cpu.dtype]).toEqual(['wasm', 'q8']);
  });
});

describe('planEngine: a web-llm catalog model', () => {
  it('shader-f16 → the q4f16_1 build and library, with the transformers.js fallback on WebGPU', () => {
    const p = webllm(planEngine(MLC, GPU_F16, 'auto', 'auto'));
    expect(p.variant).toBe('f16');
    expect(p.modelId).toBe('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    expect(p.lib).toBe('Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm');
    expect(p.entry.id).toBe(MLC);
    expect(p.fallback).toEqual({ id: TJS, device: 'webgpu' });
  });

  it('no shader-f16 → the q4f32_1 build and library', () => {
    const p = webllm(planEngine(MLC, GPU_F32, 'auto', 'webgpu'));
    expect(p.variant).toBe('f32');
    expect(p.modelId).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(p.lib).toBe('Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm');
  });

  it("engine pref 'web-llm' behaves as auto when WebGPU is there", () => {
    expect(webllm(planEngine(MLC, GPU_F16, 'web-llm', 'auto')).modelId).toBe('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
  });

  it.each(['auto', 'web-llm'] as const)('no GPU (engine pref %s) → the transformers.js fallback on WASM, saying why', (enginePref) => {
    const p = tjs(planEngine(MLC, NO_GPU, enginePref, 'auto'));
    expect(p.entry.id).toBe(TJS);
    expect(p.device).toBe('wasm');
    expect(p.dtype).toBe('q8');
    expect(p.reason).toMatch(/WebGPU/);
    expect(p.reason).toMatch(/transformers\.js/);
  });

  it("engine pref 'transformers.js' → the fallback model (on WebGPU when there is one)", () => {
    const p = tjs(planEngine(MLC, GPU_F16, 'transformers.js', 'auto'));
    expect(p.entry.id).toBe(TJS);
    expect([p.device, p.dtype]).toEqual(['webgpu', 'q4f16']);
    expect(p.reason).toMatch(/transformers\.js/);
  });

  it("device pref 'wasm' → the fallback model on WASM", () => {
    const p = tjs(planEngine(MLC, GPU_F16, 'auto', 'wasm'));
    expect(p.entry.id).toBe(TJS);
    expect([p.device, p.dtype]).toEqual(['wasm', 'q8']);
    expect(p.reason).toMatch(/WASM/);
  });

  it('each web-llm entry falls back to a transformers.js catalog model', () => {
    for (const e of LLMS.filter((l) => l.engine === 'web-llm')) {
      const p = tjs(planEngine(e.id, NO_GPU, 'auto', 'auto'));
      expect(p.entry.id, e.id).toBe(e.fallback);
      expect(p.entry.custom, e.id).toBeUndefined();
      expect(p.entry.engine, e.id).toBe('transformers.js');
    }
  });

  it("the catalog's web-llm ids and libraries are those of the installed web-llm's prebuilt list", () => {
    const src = fs.readFileSync(path.resolve(__dirname, '../../../node_modules/@mlc-ai/web-llm/lib/index.js'), 'utf8');
    for (const e of LLMS.filter((l) => l.engine === 'web-llm')) {
      for (const v of [e.webllm!.f16, e.webllm!.f32]) {
        const re = new RegExp(`model_id: "${v.id.replace(/[.]/g, '\\.')}",\\s*model_lib: modelLibURLPrefix \\+\\s*modelVersion \\+\\s*"/([^"]+)"`);
        expect(re.exec(src)?.[1], `${v.id} in web-llm's prebuiltAppConfig`).toBe(v.lib);
      }
    }
  });
});
