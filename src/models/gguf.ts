// Reads and checks the header of a GGUF file (v2/v3: metadata and tensor table) without touching the
// weights: a Blob is read in growing slices until the tensor table ends, so a 5 GB model costs a few
// MB. The checks say, before anything is loaded, why a file cannot run here, in words a user can act on.

import { modelFileError, type ModelFileErrorCode } from './model-file-errors';
import { ARCH_KIND, GGML_TYPES, LLAMA_FTYPE_NAMES } from './gguf-tables';

/** "GGUF" read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;
/** GGUF metadata value types (ggml/include/gguf.h, `enum gguf_type`). */
export const GGUF_VALUE_TYPE = { UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12 } as const;
/** Default data alignment when `general.alignment` is absent (GGUF_DEFAULT_ALIGNMENT). */
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** Arrays longer than this keep only their length (token lists have 150k+ strings we never need). */
export const KEEP_ARRAY_ITEMS = 64;

const MAX_STRING_BYTES = 64 * 2 ** 20;
const MAX_DIMS = 4;
/** The slice read first; doubled until the tensor table fits (a Qwen2 header is 5.7 MiB). */
const FIRST_SLICE = 8 * 2 ** 20;
/** Headers beyond this are treated as corrupt rather than read into memory. */
export const MAX_HEADER_BYTES = 512 * 2 ** 20;

export type GgufScalar = number | boolean | string;
export interface GgufArray {
  kind: 'array';
  itemType: number;
  length: number;
  /** The items when `length <= KEEP_ARRAY_ITEMS`, else null. */
  items: GgufScalar[] | null;
}
export type GgufValue = GgufScalar | GgufArray;

export interface GgufTensorInfo {
  name: string;
  /** ne0 (the row length) first, as in ggml. */
  dims: number[];
  /** ggml_type id. */
  type: number;
  /** ggml type name (Q8_0, Q4_K, F16…), or `type N` when this runtime does not know it. */
  typeName: string;
  /** Offset of its data, relative to the start of the data section, bytes. */
  offset: number;
  /** Data size in bytes; null for an unknown type or a row that is not a whole number of blocks. */
  bytes: number | null;
}

export interface GgufHeader {
  version: number;
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute offset where tensor data begins (after the aligned header), bytes. */
  dataOffset: number;
  /** Absolute offset where the last tensor's data ends; null when a tensor size is unknown. */
  dataEnd: number | null;
  /** Size of the file the header came from, bytes. */
  fileBytes: number;
}

/** Thrown inside the parser when the slice ends before the header does and the file has more. */
class NeedMore {
  constructor(readonly atLeast: number) {}
}

class Cursor {
  pos = 0;
  private readonly view: DataView;
  private readonly dec = new TextDecoder('utf-8', { fatal: false });
  constructor(
    private readonly buf: Uint8Array,
    private readonly fileBytes: number,
    private readonly file: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    const end = this.pos + n;
    if (end <= this.buf.length) return;
    if (this.buf.length < this.fileBytes && end <= this.fileBytes) throw new NeedMore(end);
    throw modelFileError('gguf-truncated', `"${this.file}" is cut short: its GGUF header needs ${end} bytes but the file has ${this.fileBytes}. Download or copy it again.`, { file: this.file, need: end, have: this.fileBytes });
  }
  u8() { this.need(1); return this.view.getUint8(this.pos++); }
  i8() { this.need(1); return this.view.getInt8(this.pos++); }
  u16() { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  i16() { this.need(2); const v = this.view.getInt16(this.pos, true); this.pos += 2; return v; }
  u32() { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32() { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  f32() { this.need(4); const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  f64() { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  /** A u64 as a number; counts and sizes beyond 2^53 mean a corrupt file. */
  u64(what: string): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(this.file, `${what} is ${v}`);
    return Number(v);
  }
  i64(): number {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(v);
  }
  str(what: string): string {
    const n = this.u64(`the length of ${what}`);
    if (n > MAX_STRING_BYTES) throw corrupt(this.file, `${what} claims ${n} bytes`);
    this.need(n);
    const s = this.dec.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  skip(n: number) {
    this.need(n);
    this.pos += n;
  }
}

function corrupt(file: string, what: string) {
  return modelFileError('gguf-corrupt', `"${file}" is not a valid GGUF file (${what}). It may be damaged; export or download it again.`, { file, reason: what });
}

const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

function readScalar(c: Cursor, type: number, file: string): GgufScalar {
  switch (type) {
    case 0: return c.u8();
    case 1: return c.i8();
    case 2: return c.u16();
    case 3: return c.i16();
    case 4: return c.u32();
    case 5: return c.i32();
    case 6: return c.f32();
    case 7: return c.u8() !== 0;
    case 8: return c.str('a string value');
    case 10: return c.u64('a u64 value');
    case 11: return c.i64();
    case 12: return c.f64();
    default: throw corrupt(file, `unknown metadata value type ${type}`);
  }
}

function readValue(c: Cursor, type: number, file: string): GgufValue {
  if (type !== GGUF_VALUE_TYPE.ARRAY) return readScalar(c, type, file);
  const itemType = c.u32();
  const length = c.u64('an array length');
  if (itemType === GGUF_VALUE_TYPE.ARRAY) throw corrupt(file, 'nested arrays');
  const keep = length <= KEEP_ARRAY_ITEMS;
  const items: GgufScalar[] = [];
  const size = SCALAR_SIZE[itemType];
  if (size !== undefined && !keep) {
    c.skip(size * length); // fixed-size items: jump over them (token types, scores)
  } else {
    for (let i = 0; i < length; i++) {
      const v = readScalar(c, itemType, file);
      if (keep) items.push(v);
    }
  }
  return { kind: 'array', itemType, length, items: keep ? items : null };
}

const align = (x: number, a: number) => Math.ceil(x / a) * a;

/** Tensor data size: (ne0 / block) × type size × ne1 × ne2 × ne3, or null when it cannot be computed. */
export function tensorBytes(type: number, dims: readonly number[]): number | null {
  const t = GGML_TYPES[type];
  if (!t) return null;
  const ne0 = dims[0] ?? 1;
  if (ne0 % t.block !== 0) return null;
  let n = (ne0 / t.block) * t.size;
  for (let i = 1; i < dims.length; i++) n *= dims[i];
  return n;
}

function parse(buf: Uint8Array, fileBytes: number, file: string): GgufHeader {
  const c = new Cursor(buf, fileBytes, file);
  if (fileBytes < 4 || buf.length < 4) throw notGguf(file);
  const magic = c.u32();
  if (magic !== GGUF_MAGIC) throw notGguf(file);
  const version = c.u32();
  if (version !== 2 && version !== 3) {
    // A big-endian GGUF shows its version byte-swapped (3 → 0x03000000).
    const swapped = ((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24);
    const why = swapped === 2 || swapped === 3 ? 'it is a big-endian GGUF' : version === 1 ? 'it is GGUF version 1, which llama.cpp no longer reads' : `it declares GGUF version ${version}`;
    throw modelFileError('gguf-unsupported-version', `"${file}" cannot be read: ${why}. Convert it again with a current llama.cpp (convert_hf_to_gguf.py).`, { file, version });
  }
  const tensorCount = c.u64('the tensor count');
  const kvCount = c.u64('the metadata count');
  const metadata: Record<string, GgufValue> = Object.create(null);
  for (let i = 0; i < kvCount; i++) {
    const key = c.str('a metadata key');
    const type = c.u32();
    metadata[key] = readValue(c, type, file);
  }
  const alignment = typeof metadata['general.alignment'] === 'number' ? metadata['general.alignment'] : GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) throw corrupt(file, `alignment ${alignment}`);
  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.str('a tensor name');
    const nDims = c.u32();
    if (nDims > MAX_DIMS) throw corrupt(file, `tensor "${name}" has ${nDims} dimensions`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.u64(`a dimension of "${name}"`));
    const type = c.u32();
    const offset = c.u64(`the offset of "${name}"`);
    if (offset % alignment !== 0) throw corrupt(file, `tensor "${name}" is not aligned to ${alignment} bytes`);
    tensors.push({ name, dims, type, typeName: GGML_TYPES[type]?.name ?? `type ${type}`, offset, bytes: tensorBytes(type, dims) });
  }
  const dataOffset = align(c.pos, alignment);
  let dataEnd: number | null = dataOffset;
  for (const t of tensors) {
    if (t.bytes === null) {
      dataEnd = null;
      break;
    }
    dataEnd = Math.max(dataEnd, dataOffset + t.offset + t.bytes);
  }
  return { version, metadata, tensors, alignment, dataOffset, dataEnd, fileBytes };
}

function notGguf(file: string) {
  return modelFileError('gguf-not-gguf', `"${file}" is not a GGUF model (it does not start with the GGUF signature). Pick the .gguf file that llama.cpp, Ollama or your fine-tuning tool exported.`, { file });
}

/** Parses a header from bytes already in memory (the whole file, or its first part when `fileBytes` says more exists). */
export function parseGgufHeader(bytes: Uint8Array, fileBytes: number = bytes.length, file = 'model.gguf'): GgufHeader {
  const h = (() => {
    try {
      return parse(bytes, fileBytes, file);
    } catch (e) {
      if (e instanceof NeedMore) throw modelFileError('gguf-truncated', `"${file}": only part of the header was given (${bytes.length} of ${fileBytes} bytes).`, { file, need: e.atLeast, have: bytes.length });
      throw e;
    }
  })();
  return h;
}

/** What the reader needs of a Blob or File: its size and byte slices (a File also has a name). */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
  readonly name?: string;
}

/** A File's name, else a neutral label (a plain Blob has none). */
function blobName(blob: BlobLike): string {
  return typeof blob.name === 'string' && blob.name ? blob.name : 'model.gguf';
}

/** Reads the header of a GGUF Blob/File, fetching only the bytes the header spans (slices doubling from 8 MiB). */
export async function readGgufHeader(blob: BlobLike, file = blobName(blob)): Promise<GgufHeader> {
  let size = Math.min(FIRST_SLICE, blob.size);
  for (;;) {
    const bytes = new Uint8Array(await blob.slice(0, size).arrayBuffer());
    try {
      return parse(bytes, blob.size, file);
    } catch (e) {
      if (!(e instanceof NeedMore)) throw e;
      if (e.atLeast > MAX_HEADER_BYTES) throw corrupt(file, `its header claims more than ${MAX_HEADER_BYTES / 2 ** 20} MiB`);
      size = Math.min(blob.size, Math.max(size * 2, e.atLeast));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Summary and checks

export interface GgufSummary {
  architecture: string | null;
  name: string | null;
  /** `general.file_type` (llama_ftype) and its llama.cpp name (Q8_0, Q4_K_M…); null when absent. */
  fileType: number | null;
  fileTypeName: string | null;
  contextLength: number | null;
  blockCount: number | null;
  embeddingLength: number | null;
  feedForwardLength: number | null;
  headCount: number | null;
  headCountKv: number | null;
  /** Per-head K and V widths (`attention.key_length`/`value_length`, else embedding ÷ heads). */
  keyLength: number | null;
  valueLength: number | null;
  vocabSize: number | null;
  chatTemplate: string | null;
  /** `split.count`/`split.no` (0-based) of a llama-gguf-split part, else null. */
  split: { count: number; no: number; tensorsTotal: number | null } | null;
  tensorCount: number;
  /** Tensor count per ggml type name. */
  tensorTypes: Record<string, number>;
  /** Sum of the tensors' data sizes (the weights), bytes; null when a type is unknown. */
  tensorBytes: number | null;
  /** Parameters (elements of all tensors). */
  params: number;
}

const num = (v: GgufValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: GgufValue | undefined): string | null => (typeof v === 'string' ? v : null);

/** The fields a user and the memory estimate need, read from a header's metadata and tensor table. */
export function summarizeGguf(h: GgufHeader): GgufSummary {
  const m = h.metadata;
  const arch = str(m['general.architecture']);
  const a = (k: string) => (arch ? m[`${arch}.${k}`] : undefined);
  const embd = num(a('embedding_length'));
  const heads = num(a('attention.head_count'));
  const headDim = embd !== null && heads ? embd / heads : null;
  const fileType = num(m['general.file_type']);
  const tokens = m['tokenizer.ggml.tokens'];
  const tensorTypes: Record<string, number> = {};
  let tensorBytesSum: number | null = 0;
  let params = 0;
  for (const t of h.tensors) {
    tensorTypes[t.typeName] = (tensorTypes[t.typeName] ?? 0) + 1;
    tensorBytesSum = tensorBytesSum === null || t.bytes === null ? null : tensorBytesSum + t.bytes;
    params += t.dims.reduce((x, y) => x * y, 1);
  }
  const splitCount = num(m['split.count']);
  return {
    architecture: arch,
    name: str(m['general.name']),
    fileType,
    fileTypeName: fileType === null ? null : (LLAMA_FTYPE_NAMES[fileType & ~1024] ?? `ftype ${fileType}`) + (fileType & 1024 ? ' (guessed)' : ''),
    contextLength: num(a('context_length')),
    blockCount: num(a('block_count')),
    embeddingLength: embd,
    feedForwardLength: num(a('feed_forward_length')),
    headCount: heads,
    headCountKv: num(a('attention.head_count_kv')) ?? heads,
    keyLength: num(a('attention.key_length')) ?? headDim,
    valueLength: num(a('attention.value_length')) ?? headDim,
    vocabSize: num(a('vocab_size')) ?? (typeof tokens === 'object' ? tokens.length : null),
    chatTemplate: str(m['tokenizer.chat_template']),
    split: splitCount !== null && splitCount > 1 ? { count: splitCount, no: num(m['split.no']) ?? -1, tensorsTotal: num(m['split.tensors.count']) } : null,
    tensorCount: h.tensors.length,
    tensorTypes,
    tensorBytes: tensorBytesSum,
    params,
  };
}

/** The dtype label shown for a GGUF model: the file type's name (Q8_0, Q4_K_M, F16…), else the most common weight type. */
export function ggufDtype(s: GgufSummary): string {
  if (s.fileTypeName && !s.fileTypeName.startsWith('ftype ')) return s.fileTypeName;
  const [top] = Object.entries(s.tensorTypes).filter(([k]) => k !== 'F32').sort((x, y) => y[1] - x[1]);
  return top?.[0] ?? s.fileTypeName ?? 'unknown';
}

/** Largest single file wllama can open: emscripten's ftell() is a 32-bit long (see wllama's heap FS notes). */
export const WLLAMA_MAX_FILE_BYTES = 2 ** 31 - 1;

export interface GgufPart {
  /** The file name as the user sees it. */
  name: string;
  header: GgufHeader;
}

export interface GgufCheckOptions {
  /** Refuse a model without `tokenizer.chat_template` (the lanes send chat messages). Default true. */
  requireChatTemplate?: boolean;
}

/**
 * Checks one GGUF model (a single file, or every part of a llama-gguf-split set in order) for this
 * runtime, and returns its summary (weights summed over the parts). Throws the first problem as an
 * actionable error: truncated data, part-set problems, an unknown tensor type, an architecture
 * llama.cpp (as built into wllama) does not have or that cannot generate text, no chat template.
 */
export function checkGgufModel(parts: readonly GgufPart[], opts: GgufCheckOptions = {}): GgufSummary {
  if (parts.length === 0) throw modelFileError('gguf-split-incomplete', 'No GGUF file was given.', {});
  for (const p of parts) {
    const h = p.header;
    if (h.fileBytes > WLLAMA_MAX_FILE_BYTES) {
      throw modelFileError('gguf-file-too-large', `"${p.name}" is ${h.fileBytes} bytes; one file can be at most 2 GiB here. Split it with llama-gguf-split --split-max-size 1G and add all the parts.`, { file: p.name, bytes: h.fileBytes, limit: WLLAMA_MAX_FILE_BYTES });
    }
    if (h.dataEnd !== null && h.dataEnd > h.fileBytes) {
      throw modelFileError('gguf-truncated', `"${p.name}" is cut short: its tensors need ${h.dataEnd} bytes but the file has ${h.fileBytes}. The download or copy did not finish; get the file again.`, { file: p.name, need: h.dataEnd, have: h.fileBytes });
    }
    const unknown = h.tensors.find((t) => !GGML_TYPES[t.type]);
    if (unknown) {
      throw modelFileError('gguf-unsupported-type', `"${p.name}" stores tensor "${unknown.name}" as ggml type ${unknown.type}, which this version of llama.cpp cannot read. Quantize it to Q8_0 or Q4_K_M with llama-quantize.`, { file: p.name, tensor: unknown.name, type: unknown.type });
    }
    const ragged = h.tensors.find((t) => t.bytes === null);
    if (ragged) throw corrupt(p.name, `tensor "${ragged.name}" has rows of ${ragged.dims[0]} values, not whole ${ragged.typeName} blocks`);
  }
  checkSplitSet(parts);
  const first = summarizeGguf(parts[0].header);
  const arch = first.architecture;
  if (arch === null) throw corrupt(parts[0].name, 'no general.architecture');
  const kind = ARCH_KIND[arch];
  if (kind === undefined) {
    throw modelFileError('gguf-unsupported-arch', `"${parts[0].name}" is a "${arch}" model, an architecture the llama.cpp inside this app does not know. Use a model of a supported family (Qwen, Llama, Gemma, Phi, Mistral, SmolLM…) or a newer app version.`, { file: parts[0].name, arch });
  }
  if (kind !== 'text') {
    throw modelFileError('gguf-not-text-generation', `"${parts[0].name}" is a "${arch}" model (${kind === 'encoder' ? 'an embedding or encoder model' : kind === 'projector' ? 'a vision/audio projector, not a language model' : 'a draft or helper model'}); it cannot answer questions. Pick a chat model's GGUF.`, { file: parts[0].name, arch, kind });
  }
  if ((opts.requireChatTemplate ?? true) && !first.chatTemplate?.trim()) {
    throw modelFileError('gguf-no-chat-template', `"${parts[0].name}" has no chat template (tokenizer.chat_template), so chat messages cannot be formatted for it. Export the GGUF from the instruct model with its tokenizer_config.json, or use llama.cpp's gguf_new_metadata.py --chat-template.`, { file: parts[0].name });
  }
  let tensorBytesAll = 0;
  let params = 0;
  const tensorTypes: Record<string, number> = {};
  let tensorCount = 0;
  for (const p of parts) {
    const s = p === parts[0] ? first : summarizeGguf(p.header);
    tensorBytesAll += s.tensorBytes ?? 0;
    params += s.params;
    tensorCount += s.tensorCount;
    for (const [k, v] of Object.entries(s.tensorTypes)) tensorTypes[k] = (tensorTypes[k] ?? 0) + v;
  }
  return { ...first, tensorBytes: tensorBytesAll, params, tensorTypes, tensorCount };
}

/** Split metadata must agree: every part of one set, in order (split.no 0…count-1), tensor counts adding up. */
function checkSplitSet(parts: readonly GgufPart[]): void {
  const splits = parts.map((p) => summarizeGguf(p.header).split);
  const first = splits[0];
  if (!first) {
    if (parts.length > 1) {
      throw modelFileError('gguf-split-mismatch', `"${parts[0].name}" is a complete model, not part of a split set; add it on its own.`, { file: parts[0].name });
    }
    return;
  }
  const missing: number[] = [];
  for (let no = 0; no < first.count; no++) if (!splits.some((s) => s?.no === no)) missing.push(no + 1);
  if (parts.length < first.count || missing.length) {
    throw modelFileError('gguf-split-incomplete', `This model is split into ${first.count} files but ${missing.length ? `part(s) ${missing.join(', ')} are` : 'some parts are'} missing. Add all ${first.count} files (…-00001-of-${String(first.count).padStart(5, '0')}.gguf and the rest) together.`, { file: parts[0].name, count: first.count, missing: missing.join(',') });
  }
  for (let i = 0; i < parts.length; i++) {
    const s = splits[i];
    if (!s || s.count !== first.count || s.no !== i) {
      throw modelFileError('gguf-split-mismatch', `"${parts[i].name}" does not belong at position ${i + 1} of this ${first.count}-part set${s ? ` (it says part ${s.no + 1} of ${s.count})` : ''}. Add the parts of one model, named …-0000N-of-0000M.gguf.`, { file: parts[i].name, position: i + 1, count: first.count });
    }
  }
  if (first.tensorsTotal !== null) {
    const total = parts.reduce((n, p) => n + p.header.tensors.length, 0);
    if (total !== first.tensorsTotal) throw modelFileError('gguf-split-mismatch', `The parts hold ${total} tensors but the set declares ${first.tensorsTotal}: they come from different exports. Add the parts of one model.`, { file: parts[0].name, have: total, need: first.tensorsTotal });
  }
}

export type { ModelFileErrorCode };
