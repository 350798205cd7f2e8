// A minimal GGUF v3 writer for tests: metadata of any type and tensor infos, with zero-filled data of
// the declared sizes (or none), so the reader's checks can be driven with exact, small files. The
// reader is also checked against real files (the fixture and synth-gguf.mjs output), which this
// writer does not produce.

import { GGML_TYPES } from '../../../src/models/gguf-tables';

export type TestValue =
  | { t: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'u64' | 'i64' | 'f64'; v: number | boolean }
  | { t: 'str'; v: string }
  | { t: 'arr'; item: 'str'; v: string[] }
  | { t: 'arr'; item: 'i32' | 'f32'; v: number[] };

export interface TestTensor {
  name: string;
  dims: number[];
  type: number;
}

const TYPE_ID = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, str: 8, arr: 9, u64: 10, i64: 11, f64: 12 } as const;

class Out {
  private parts: number[] = [];
  u8(x: number) { this.parts.push(x & 0xff); }
  bytes(b: Uint8Array) { for (const x of b) this.parts.push(x); }
  num(x: number | bigint, n: number, kind: 'u' | 'i' | 'f') {
    const dv = new DataView(new ArrayBuffer(n));
    if (kind === 'f') n === 4 ? dv.setFloat32(0, Number(x), true) : dv.setFloat64(0, Number(x), true);
    else if (n === 1) kind === 'u' ? dv.setUint8(0, Number(x)) : dv.setInt8(0, Number(x));
    else if (n === 2) kind === 'u' ? dv.setUint16(0, Number(x), true) : dv.setInt16(0, Number(x), true);
    else if (n === 4) kind === 'u' ? dv.setUint32(0, Number(x), true) : dv.setInt32(0, Number(x), true);
    else kind === 'u' ? dv.setBigUint64(0, BigInt(x), true) : dv.setBigInt64(0, BigInt(x), true);
    this.bytes(new Uint8Array(dv.buffer));
  }
  str(s: string) {
    const b = new TextEncoder().encode(s);
    this.num(b.length, 8, 'u');
    this.bytes(b);
  }
  get length() { return this.parts.length; }
  pad(to: number) { while (this.parts.length % to) this.parts.push(0); }
  done(): Uint8Array<ArrayBuffer> { return Uint8Array.from(this.parts); }
}

function scalar(o: Out, t: string, v: number | boolean | string) {
  switch (t) {
    case 'u8': return o.num(Number(v), 1, 'u');
    case 'i8': return o.num(Number(v), 1, 'i');
    case 'u16': return o.num(Number(v), 2, 'u');
    case 'i16': return o.num(Number(v), 2, 'i');
    case 'u32': return o.num(Number(v), 4, 'u');
    case 'i32': return o.num(Number(v), 4, 'i');
    case 'f32': return o.num(Number(v), 4, 'f');
    case 'bool': return o.u8(v ? 1 : 0);
    case 'u64': return o.num(Number(v), 8, 'u');
    case 'i64': return o.num(Number(v), 8, 'i');
    case 'f64': return o.num(Number(v), 8, 'f');
    case 'str': return o.str(String(v));
  }
}

/** GGUF bytes; `data: false` stops after the aligned header (a "truncated" file). */
export function writeGguf(meta: Record<string, TestValue>, tensors: TestTensor[], opts: { data?: boolean; version?: number; alignment?: number } = {}): Uint8Array<ArrayBuffer> {
  const o = new Out();
  o.bytes(new TextEncoder().encode('GGUF'));
  o.num(opts.version ?? 3, 4, 'u');
  o.num(tensors.length, 8, 'u');
  o.num(Object.keys(meta).length, 8, 'u');
  for (const [k, val] of Object.entries(meta)) {
    o.str(k);
    o.num(TYPE_ID[val.t], 4, 'u');
    if (val.t === 'arr') {
      o.num(TYPE_ID[val.item], 4, 'u');
      o.num(val.v.length, 8, 'u');
      for (const x of val.v) scalar(o, val.item, x);
    } else scalar(o, val.t, val.v);
  }
  const alignment = opts.alignment ?? 32;
  let offset = 0;
  const sizes: number[] = [];
  for (const t of tensors) {
    o.str(t.name);
    o.num(t.dims.length, 4, 'u');
    for (const d of t.dims) o.num(d, 8, 'u');
    o.num(t.type, 4, 'u');
    o.num(offset, 8, 'u');
    const tt = GGML_TYPES[t.type];
    const size = tt ? ((t.dims[0] / tt.block) * tt.size * t.dims.slice(1).reduce((a, b) => a * b, 1)) : 64;
    sizes.push(size);
    offset += Math.ceil(size / alignment) * alignment;
  }
  o.pad(alignment);
  const head = o.done();
  if (opts.data === false) return head;
  const out = new Uint8Array(head.length + offset);
  out.set(head);
  return out;
}

/** Metadata of a tiny llama-style chat model (architecture `arch`). */
export function chatMeta(arch = 'qwen2', extra: Record<string, TestValue> = {}): Record<string, TestValue> {
  return {
    'general.architecture': { t: 'str', v: arch },
    'general.name': { t: 'str', v: 'Tiny test model' },
    'general.file_type': { t: 'u32', v: 7 },
    [`${arch}.context_length`]: { t: 'u32', v: 4096 },
    [`${arch}.embedding_length`]: { t: 'u32', v: 64 },
    [`${arch}.block_count`]: { t: 'u32', v: 2 },
    [`${arch}.feed_forward_length`]: { t: 'u32', v: 128 },
    [`${arch}.attention.head_count`]: { t: 'u32', v: 4 },
    [`${arch}.attention.head_count_kv`]: { t: 'u32', v: 2 },
    'tokenizer.ggml.model': { t: 'str', v: 'gpt2' },
    'tokenizer.ggml.tokens': { t: 'arr', item: 'str', v: Array.from({ length: 100 }, (_, i) => `t${i}`) },
    'tokenizer.chat_template': { t: 'str', v: "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}" },
    ...extra,
  };
}

export const TINY_TENSORS: TestTensor[] = [
  { name: 'token_embd.weight', dims: [64, 100], type: 8 },
  { name: 'blk.0.attn_norm.weight', dims: [64], type: 0 },
  { name: 'blk.0.ffn_up.weight', dims: [64, 128], type: 8 },
  { name: 'output_norm.weight', dims: [64], type: 0 },
];
