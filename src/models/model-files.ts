// Pure helpers for model files a user picks: a folder in the transformers.js layout (what
// `optimum-cli export onnx` writes, config + tokenizer + onnx/model*.onnx) and GGUF files, where the
// parts of a llama-gguf-split set (…-00001-of-00003.gguf) are grouped and put in order.

import { modelFileError } from './model-file-errors';

/** A picked file: its path inside the picked folder (`webkitRelativePath`, first segment = folder) and size. */
export interface PickedFile {
  path: string;
  size: number;
}

/** transformers.js dtype → ONNX file name under onnx/ (@huggingface/transformers 4.3 utils/dtypes.js DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const ONNX_DTYPE_FILES: Readonly<Record<string, string>> = Object.freeze({
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
  q4f16: 'model_q4f16.onnx',
  bnb4: 'model_bnb4.onnx',
  q2: 'model_q2.onnx',
  q2f16: 'model_q2f16.onnx',
  q1: 'model_q1.onnx',
  q1f16: 'model_q1f16.onnx',
});

export interface OnnxDtypeFile {
  dtype: string;
  /** Path transformers.js asks for, relative to the model folder (`onnx/model_q4.onnx`). */
  file: string;
  /** Path in the picked folder. */
  source: string;
  /** Size of the .onnx plus its external data, bytes. */
  bytes: number;
  /** External data files next to it (`model.onnx_data`, `model.onnx_data_1`…), as transformers.js asks for them. */
  externalData: string[];
}

export interface OnnxFolder {
  /** The picked folder's name (the model's name in lists). */
  name: string;
  /** 'transformers.js': weights under onnx/; 'optimum': weights beside config.json (optimum-cli's output). */
  layout: 'transformers.js' | 'optimum';
  /** Every file transformers.js may request (config, tokenizer, weights), keyed by the path it asks for. */
  files: Record<string, PickedFile>;
  /** The dtypes present, in ONNX_DTYPE_FILES order. */
  dtypes: OnnxDtypeFile[];
  /** Total bytes of the files above. */
  bytes: number;
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;
const OPTIONAL = ['generation_config.json', 'special_tokens_map.json'] as const;

const norm = (p: string) => p.replace(/\\/gu, '/').replace(/^\.\//u, '');

/**
 * Checks a picked ONNX model folder and maps it to the paths transformers.js requests. Throws
 * `onnx-folder-incomplete` naming the missing files (config.json, tokenizer.json, tokenizer_config.json),
 * or `onnx-folder-no-model` when no model*.onnx of a known dtype is there.
 */
export function inspectOnnxFolder(picked: readonly PickedFile[]): OnnxFolder {
  const all = picked.map((f) => ({ ...f, path: norm(f.path) }));
  // webkitdirectory paths start with the picked folder's name; a plain list of files has no folder.
  const firsts = new Set(all.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  const root = firsts.size === 1 ? [...firsts][0] : '';
  const rel = (f: PickedFile) => (root ? f.path.slice(root.length + 1) : f.path);
  const byRel = new Map(all.map((f) => [rel(f), f]));
  const name = root || 'model';

  const missing = REQUIRED.filter((r) => !byRel.has(r));
  if (missing.length) {
    throw modelFileError('onnx-folder-incomplete', `The folder "${name}" is missing ${missing.join(', ')}. Pick the whole folder that optimum-cli export onnx (or the model's download) produced.`, { file: name, missing: missing.join(', ') });
  }
  const onnxUnder = [...byRel.keys()].some((p) => /^onnx\/[^/]+\.onnx$/u.test(p));
  const layout: OnnxFolder['layout'] = onnxUnder ? 'transformers.js' : 'optimum';
  const dir = onnxUnder ? 'onnx/' : '';
  const files: Record<string, PickedFile> = {};
  for (const r of [...REQUIRED, ...OPTIONAL]) {
    const f = byRel.get(r);
    if (f) files[r] = f;
  }
  const dtypes: OnnxDtypeFile[] = [];
  for (const [dtype, fileName] of Object.entries(ONNX_DTYPE_FILES)) {
    const f = byRel.get(dir + fileName);
    if (!f) continue;
    const data = [...byRel.keys()].filter((p) => p === `${dir}${fileName}_data` || new RegExp(`^${escape(dir + fileName)}_data_\\d+$`, 'u').test(p)).sort(byChunk);
    const target = `onnx/${fileName}`;
    files[target] = f;
    for (const d of data) {
      const df = byRel.get(d);
      if (df) files[`onnx/${d.slice(dir.length)}`] = df;
    }
    dtypes.push({ dtype, file: target, source: f.path, bytes: f.size + data.reduce((n, d) => n + (byRel.get(d)?.size ?? 0), 0), externalData: data.map((d) => `onnx/${d.slice(dir.length)}`) });
  }
  if (dtypes.length === 0) {
    const stray = [...byRel.keys()].filter((p) => p.endsWith('.onnx'));
    throw modelFileError(
      'onnx-folder-no-model',
      `The folder "${name}" has no ONNX model transformers.js can load (${Object.values(ONNX_DTYPE_FILES).join(', ')} under onnx/ or beside config.json)${stray.length ? `; found ${stray.slice(0, 3).join(', ')}` : ''}. Export with optimum-cli export onnx --task text-generation-with-past.`,
      { file: name, found: stray.slice(0, 3).join(', ') },
    );
  }
  const bytes = Object.values(files).reduce((n, f) => n + f.size, 0);
  return { name, layout, files, dtypes, bytes };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

function byChunk(a: string, b: string): number {
  const n = (s: string) => Number(/_(\d+)$/u.exec(s)?.[1] ?? 0);
  return n(a) - n(b);
}

/** `transformers.js_config.use_external_data_format`: one chunk count for every file, or per file ("model_q4.onnx" or "model"). */
export type ExternalDataFormat = number | Record<string, number>;

/**
 * What config.json says about an ONNX model: its model_type, architecture, whether it generates
 * text, and which weights need external data. Throws `onnx-folder-incomplete` when config.json is
 * not a JSON object with a model_type.
 */
export function readOnnxConfig(text: string, folder: string): { modelType: string; architecture: string | null; generates: boolean; externalData: ExternalDataFormat } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const obj = isRecord(json) ? json : null;
  const modelType = obj && typeof obj.model_type === 'string' ? obj.model_type : null;
  if (!obj || !modelType) {
    throw modelFileError('onnx-folder-incomplete', `config.json in "${folder}" is not a model configuration (no model_type). Pick the folder the export produced, unchanged.`, { file: folder, missing: 'config.json' });
  }
  const archs = Array.isArray(obj.architectures) ? obj.architectures.filter((a): a is string => typeof a === 'string') : [];
  const architecture = archs[0] ?? null;
  const tjs = isRecord(obj['transformers.js_config']) ? obj['transformers.js_config'] : {};
  const ext = tjs.use_external_data_format;
  let externalData: ExternalDataFormat = 0;
  if (typeof ext === 'number' || typeof ext === 'boolean') externalData = Number(ext);
  else if (isRecord(ext)) {
    const per: Record<string, number> = {};
    for (const [k, v] of Object.entries(ext)) if (typeof v === 'number' || typeof v === 'boolean') per[k] = Number(v);
    externalData = per;
  }
  // A chat lane needs a decoder that generates: *ForCausalLM / *LMHeadModel / *ForConditionalGeneration.
  const generates = architecture === null ? true : /ForCausalLM$|LMHeadModel$|ForConditionalGeneration$/u.test(architecture);
  return { modelType, architecture, generates, externalData };
}

/** Chunks of external data transformers.js will request for `fileName` (its resolveExternalDataFormat rule). */
export function externalChunks(ext: ExternalDataFormat, fileName: string): number {
  if (typeof ext === 'number') return ext;
  return ext[fileName] ?? ext[fileName.replace(/\.onnx$/u, '')] ?? 0;
}

/** Throws `onnx-folder-incomplete` when config.json asks for external data files the folder lacks. */
export function checkExternalData(folder: OnnxFolder, ext: ExternalDataFormat): void {
  for (const d of folder.dtypes) {
    const base = d.file.slice('onnx/'.length);
    const want = externalChunks(ext, base);
    const need = Array.from({ length: want }, (_, i) => `onnx/${base}_data${i === 0 ? '' : `_${i}`}`);
    const lacking = need.filter((n) => !(n in folder.files));
    if (lacking.length) {
      throw modelFileError('onnx-folder-incomplete', `The folder "${folder.name}" is missing ${lacking.join(', ')}, the weights of ${d.file}. Pick the whole folder, including the .onnx_data files.`, { file: folder.name, missing: lacking.join(', ') });
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// GGUF files and split sets

/** `name-00001-of-00003.gguf` (llama-gguf-split's naming), case-insensitive. */
export const GGUF_SPLIT_NAME = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/iu;

export interface GgufFileGroup<T> {
  /** Display name: the file name, or the split set's base name with `.gguf`. */
  name: string;
  /** The files in part order (one for an unsplit model). */
  files: T[];
  /** Parts the set declares (1 for an unsplit model). */
  count: number;
  /** 1-based part numbers the set declares but were not picked. */
  missing: number[];
}

/**
 * Groups picked .gguf files into models: unsplit files on their own, split parts by base name and
 * part count, each set sorted by part number. Files that are not .gguf are returned in `other`;
 * a part number given twice keeps the first. The headers are checked later (checkGgufModel).
 */
export function groupGgufFiles<T extends { name: string }>(picked: readonly T[]): { groups: GgufFileGroup<T>[]; other: T[] } {
  const groups: GgufFileGroup<T>[] = [];
  const sets = new Map<string, { base: string; count: number; parts: Map<number, T> }>();
  const other: T[] = [];
  for (const f of picked) {
    const m = GGUF_SPLIT_NAME.exec(f.name);
    if (m) {
      const count = Number(m[3]);
      const no = Number(m[2]);
      const key = `${m[1]}\u0000${count}`;
      const set = sets.get(key) ?? { base: m[1], count, parts: new Map<number, T>() };
      sets.set(key, set);
      if (!set.parts.has(no)) set.parts.set(no, f);
    } else if (/\.gguf$/iu.test(f.name)) {
      groups.push({ name: f.name, files: [f], count: 1, missing: [] });
    } else {
      other.push(f);
    }
  }
  for (const { base, count, parts } of sets.values()) {
    const missing: number[] = [];
    for (let no = 1; no <= count; no++) if (!parts.has(no)) missing.push(no);
    const files = [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
    groups.push({ name: `${base}.gguf`, files, count, missing });
  }
  return { groups, other };
}

/** Throws `gguf-split-incomplete` for a group with missing parts (before any header is read). */
export function assertGroupComplete<T>(g: GgufFileGroup<T>): void {
  if (!g.missing.length) return;
  throw modelFileError('gguf-split-incomplete', `"${g.name}" is split into ${g.count} files but part(s) ${g.missing.join(', ')} were not added. Add all ${g.count} files together.`, { file: g.name, count: g.count, missing: g.missing.join(',') });
}
