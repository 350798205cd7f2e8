// The user's own models, from files on their disk: GGUF files (split sets too) run by llama.cpp in
// WebAssembly, and ONNX folders in the transformers.js layout. Each is checked before anything is
// stored (format, completeness, architecture and quantization, chat template, memory on this device),
// kept in the origin's private storage, listed with its size and a delete button, and offered in every
// Model list under its file name. Nothing is uploaded.

import { checkGgufModel, ggufDtype, readGgufHeader, type GgufSummary } from '../models/gguf';
import { assertFits, estimateGgufMemory, wllamaMemoryBudget } from '../models/gguf-memory';
import { modelKey, parseModelKey } from '../models/model-key';
import { assertGroupComplete, checkExternalData, groupGgufFiles, inspectOnnxFolder, readOnnxConfig } from '../models/model-files';
import { modelFileError } from '../models/model-file-errors';
import type { LoadPlan } from '../protocol/messages';
import { isAbort } from '../protocol/errors';
import type { LabDb } from '../store/db';
import { deleteUserModel, listUserModels, saveUserModel, userModelFiles, type UserModel } from '../store/model-files';
import { GGUF_N_CTX, type GpuCaps, type ModelChoice, type ModelSource } from './model-choices.svelte';

const MiB = 2 ** 20;

const deviceMemoryGB = (): number | null => (globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined)?.deviceMemory ?? null;

export interface PickedModelFile {
  /** The file's name, or its path inside a picked folder (`webkitRelativePath`). */
  path: string;
  file: File;
}

export class UserModelsState implements ModelSource {
  list = $state.raw<UserModel[]>([]);
  /** The model being checked and stored, with bytes written. */
  adding = $state<{ name: string; written: number; total: number } | null>(null);
  error = $state<unknown>(null);
  #ctrl: AbortController | null = null;

  constructor(private readonly db: () => Promise<LabDb>) {}

  async refresh(): Promise<void> {
    this.list = await listUserModels(await this.db());
  }

  choices = $derived<ModelChoice[]>(this.list.map((m) => ({ key: modelKey({ kind: 'file', id: m.id }), label: m.name, kind: 'file', memoryMB: typeof m.facts.memoryMB === 'number' ? m.facts.memoryMB : Math.round(m.bytes / MiB) })));

  /** Adds GGUF files: one model per file, or per split set (its parts together, in any order). */
  async addFiles(picked: readonly File[]): Promise<void> {
    const { groups, other } = groupGgufFiles(picked);
    await this.#guard(async (signal) => {
      // A file without the .gguf name may still be one: the magic bytes decide, with a specific error.
      for (const f of other) groups.push({ name: f.name, files: [f], count: 1, missing: [] });
      for (const g of groups) {
        assertGroupComplete(g);
        const parts = [];
        for (const f of g.files) parts.push({ name: f.name, header: await readGgufHeader(f, f.name) });
        const summary = checkGgufModel(parts);
        const est = estimateGgufMemory(summary, parts[0].header.dataOffset, { nCtx: GGUF_N_CTX });
        assertFits(g.name, est, wllamaMemoryBudget(deviceMemoryGB()), GGUF_N_CTX);
        const files = g.files.map((f) => ({ path: f.name, size: f.size }));
        const model: UserModel = {
          id: crypto.randomUUID(),
          name: g.name,
          kind: 'gguf',
          files,
          bytes: files.reduce((t, f) => t + f.size, 0),
          addedAt: Date.now(),
          facts: ggufFacts(summary, est.totalBytes),
        };
        await this.#save(model, new Map(g.files.map((f) => [f.name, f])), signal);
      }
    });
  }

  /** Adds an ONNX folder (what `optimum-cli export onnx` writes, or the transformers.js layout). */
  async addFolder(picked: readonly PickedModelFile[]): Promise<void> {
    await this.#guard(async (signal) => {
      const folder = inspectOnnxFolder(picked.map((p) => ({ path: p.path, size: p.file.size })));
      const byPath = new Map(picked.map((p) => [p.path, p.file]));
      const configFile = byPath.get(folder.files['config.json'].path);
      const config = readOnnxConfig(configFile ? await configFile.text() : '', folder.name);
      if (!config.generates) throw modelFileError('gguf-not-text-generation', `"${folder.name}" is a ${config.modelType} model, which does not generate text: it cannot answer questions.`, { file: folder.name, kind: config.modelType });
      checkExternalData(folder, config.externalData);
      // Stored under the paths transformers.js asks for, whatever the picked folder's layout.
      const files = Object.entries(folder.files).map(([path, f]) => ({ path, size: f.size }));
      const blobs = new Map(Object.entries(folder.files).map(([path, f]) => [path, byPath.get(f.path)!]));
      const model: UserModel = {
        id: crypto.randomUUID(),
        name: folder.name,
        kind: 'onnx',
        files,
        bytes: folder.bytes,
        addedAt: Date.now(),
        facts: { architecture: config.architecture ?? config.modelType },
        dtypes: folder.dtypes.map((d) => d.dtype),
      };
      await this.#save(model, blobs, signal);
    });
  }

  cancel(): void {
    this.#ctrl?.abort();
  }

  async remove(id: string): Promise<void> {
    this.error = null;
    try {
      await deleteUserModel(await this.db(), id);
    } catch (e) {
      this.error = e;
    }
    await this.refresh();
  }

  async #guard(fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
    this.error = null;
    const ctrl = (this.#ctrl = new AbortController());
    try {
      await fn(ctrl.signal);
    } catch (e) {
      if (!isAbort(e)) this.error = e;
    } finally {
      this.adding = null;
      this.#ctrl = null;
      await this.refresh();
    }
  }

  async #save(model: UserModel, blobs: ReadonlyMap<string, Blob>, signal: AbortSignal): Promise<void> {
    this.adding = { name: model.name, written: 0, total: model.bytes };
    await saveUserModel(await this.db(), model, blobs, (written, total) => (this.adding = { name: model.name, written, total }), signal);
  }

  /** The load plan of one of the user's models: the stored files, read from disk by the engine. */
  async plan(key: string, gpu: GpuCaps): Promise<LoadPlan | null> {
    const ref = parseModelKey(key);
    if (ref.kind !== 'file') return null;
    const model = this.list.find((m) => m.id === ref.id) ?? (await listUserModels(await this.db())).find((m) => m.id === ref.id);
    if (!model) return null;
    const files = await userModelFiles(model);
    if (model.kind === 'gguf') return { engine: 'wllama', source: { kind: 'files', name: model.name, files: model.files.map((f) => files.get(f.path)!) }, nCtx: GGUF_N_CTX };
    const device = gpu.available ? 'webgpu' : 'wasm';
    const dtypes = model.dtypes ?? [];
    // The same choice as for catalog models: q4f16/q4 on WebGPU, q8 (else fp32) on WASM, where q4 decodes ~11x slower.
    const prefer = device === 'webgpu' ? ['q4f16', 'fp16', 'q4', 'q8', 'fp32'] : ['q8', 'fp32', 'int8', 'uint8', 'q4'];
    const dtype = prefer.find((d) => dtypes.includes(d)) ?? dtypes[0];
    return { engine: 'transformers.js', model: { id: `user-models/${model.id}`, dtype }, device, files: Object.fromEntries(files) };
  }
}

function ggufFacts(s: GgufSummary, memoryBytes: number): Record<string, string | number | boolean> {
  const facts: Record<string, string | number | boolean> = { dtype: ggufDtype(s), params: s.params, memoryMB: Math.round(memoryBytes / MiB), chatTemplate: s.chatTemplate !== null };
  if (s.architecture) facts.architecture = s.architecture;
  if (s.contextLength) facts.contextLength = s.contextLength;
  return facts;
}
