// The GGUF header reader and its checks, against real files (the canned-reply fixture, and random
// models written by ../shared/tools/synth-gguf.mjs, whose own printed counts are the reference),
// damaged copies of them, and small files written by gguf-writer.ts for each refusal.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openAsBlob, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGgufModel, ggufDtype, parseGgufHeader, readGgufHeader, summarizeGguf, tensorBytes, type BlobLike, type GgufPart } from '../../../src/models/gguf';
import { GGML_TYPES } from '../../../src/models/gguf-tables';
import { assertFits, estimateGgufMemory, wllamaMemoryBudget, WLLAMA_WASM_MAX_BYTES } from '../../../src/models/gguf-memory';
import { AppError } from '../../../src/protocol/errors';
import { TINY_TENSORS, chatMeta, writeGguf, type TestValue } from './gguf-writer';

const SHARED = resolve(__dirname, '../../../../shared');
const FIXTURE = join(SHARED, 'models/lab-fixtures/qwen2-canned-reply.gguf');
const TOOL = join(SHARED, 'tools/synth-gguf.mjs');
const DIR = join(tmpdir(), 'method-lab-gguf-test');
const TINY = join(DIR, 'qwen2-tiny-random-q8_0.gguf');
let tinyReport = '';

beforeAll(() => {
  if (!existsSync(FIXTURE)) throw new Error(`missing fixture ${FIXTURE} (../shared/models/lab-fixtures)`);
  mkdirSync(DIR, { recursive: true });
  // The tool prints its own accounting (tensors, parameters, metadata keys, header bytes) to stderr.
  tinyReport = execFileSync(process.execPath, [TOOL, '--mode', 'random', '--preset', 'qwen2-tiny', '--dtype', 'q8_0', '--out', TINY], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) + '';
}, 60_000);

/** The error a call throws (fails if it does not throw an AppError). */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an error');
}
async function rejected(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}
const part = (name: string, bytes: Uint8Array, fileBytes = bytes.length): GgufPart => ({ name, header: parseGgufHeader(bytes, fileBytes, name) });

describe('reading real GGUF files', () => {
  it('the canned-reply fixture: counts match what synth-gguf.mjs wrote (15 tensors, 25 keys, 9,733,280 params, header 5,930,272 B)', async () => {
    const h = await readGgufHeader(await openAsBlob(FIXTURE), 'qwen2-canned-reply.gguf');
    expect(h.version).toBe(3);
    expect(Object.keys(h.metadata)).toHaveLength(25);
    expect(h.tensors).toHaveLength(15);
    expect(h.dataOffset).toBe(5_930_272);
    expect(h.dataEnd).toBe(25_397_152);
    expect(h.fileBytes).toBe(25_397_152);
    const s = summarizeGguf(h);
    expect(s).toMatchObject({ architecture: 'qwen2', fileType: 1, fileTypeName: 'F16', blockCount: 1, embeddingLength: 32, feedForwardLength: 64, headCount: 2, headCountKv: 1, keyLength: 16, valueLength: 16, contextLength: 32768, vocabSize: 151936, split: null, params: 9_733_280 });
    expect(s.chatTemplate).toContain('<|im_start|>');
    // 9 matrices (token_embd, attn_q/k/v, attn_output, ffn_gate/up/down, output) in f16; norms and biases f32.
    expect(s.tensorTypes).toEqual({ F16: 9, F32: 6 });
    expect(s.tensorBytes).toBe(25_397_152 - 5_930_272);
    expect(ggufDtype(s)).toBe('F16');
    // Big arrays keep their length only; small ones keep their items.
    expect(h.metadata['tokenizer.ggml.tokens']).toEqual({ kind: 'array', itemType: 8, length: 151936, items: null });
    expect(h.metadata['tokenizer.ggml.eos_token_id']).toBe(151645);
    expect(h.metadata['tokenizer.ggml.add_bos_token']).toBe(false);
    expect(checkGgufModel([{ name: 'qwen2-canned-reply.gguf', header: h }])).toMatchObject({ architecture: 'qwen2', tensorCount: 15 });
  });

  it('a random qwen2-tiny Q8_0 from synth-gguf.mjs: counts match the tool; only the header is read (8 MiB of 27 MB)', async () => {
    const report = /(\d+) tensors, ([\d,]+) parameters, (\d+) metadata keys, vocab (\d+), header ([\d,]+) B/u.exec(tinyReport);
    expect(report, tinyReport).not.toBeNull();
    const [, tensors, params, keys, vocab, header] = report!;
    const blob = await openAsBlob(TINY);
    let requested = 0;
    const counting: BlobLike = { size: blob.size, name: 'qwen2-tiny.gguf', slice: (a, b) => ((requested += (b ?? blob.size) - (a ?? 0)), blob.slice(a, b)) };
    const h = await readGgufHeader(counting);
    expect(requested).toBe(8 * 2 ** 20);
    const s = summarizeGguf(h);
    expect(s.tensorCount).toBe(Number(tensors));
    expect(s.params).toBe(Number(params.replace(/,/gu, '')));
    expect(Object.keys(h.metadata)).toHaveLength(Number(keys));
    expect(s.vocabSize).toBe(Number(vocab));
    expect(h.dataOffset).toBe(Number(header.replace(/,/gu, '')));
    expect(h.dataEnd).toBe(statSync(TINY).size);
    expect(s).toMatchObject({ fileTypeName: 'Q8_0', blockCount: 2, embeddingLength: 128, headCount: 4, headCountKv: 2, keyLength: 32 });
    expect(ggufDtype(s)).toBe('Q8_0');
    expect(s.tensorTypes.Q8_0).toBeGreaterThan(0);
  });

  it('a header larger than the first slice is read by growing the slice (header of 9 MiB)', async () => {
    const big = writeGguf(chatMeta('llama', { 'tokenizer.ggml.merges': { t: 'arr', item: 'str', v: Array.from({ length: 300_000 }, (_, i) => `merge ${i} ${'x'.repeat(20)}`) } }), TINY_TENSORS);
    expect(big.length).toBeGreaterThan(8 * 2 ** 20);
    const h = await readGgufHeader(new Blob([big]));
    expect(h.tensors.map((t) => t.name)).toEqual(TINY_TENSORS.map((t) => t.name));
    expect(h.metadata['tokenizer.ggml.merges']).toMatchObject({ length: 300_000, items: null });
  });
});

describe('damaged and wrong files', () => {
  const fixture = () => new Uint8Array(readFileSync(FIXTURE));

  it('not a GGUF (magic bytes): a PNG, an ONNX file, an empty file', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    expect(thrown(() => parseGgufHeader(png, png.length, 'photo.png.gguf')).code).toBe('gguf-not-gguf');
    const onnx = readFileSync(join(SHARED, 'models/lab-fixtures/qwen2-tokenizer-echo/onnx/model.onnx'));
    expect(thrown(() => parseGgufHeader(new Uint8Array(onnx), onnx.length, 'model.onnx')).code).toBe('gguf-not-gguf');
    const e = await rejected(readGgufHeader(new Blob([])));
    expect(e.code).toBe('gguf-not-gguf');
  });

  it('cut short inside the header: truncated, with the byte counts', async () => {
    const cut = fixture().slice(0, 1_000_000);
    const e = await rejected(readGgufHeader(new Blob([cut]), 'cut.gguf'));
    expect(e.code).toBe('gguf-truncated');
    expect(e.detail).toMatchObject({ file: 'cut.gguf', have: 1_000_000 });
    expect(Number(e.detail.need)).toBeGreaterThan(1_000_000);
  });

  it('cut short inside the tensor data: the header reads, the check refuses it', async () => {
    const bytes = fixture().slice(0, 25_397_152 - 4096);
    const h = await readGgufHeader(new Blob([bytes]), 'partial.gguf');
    expect(h.dataEnd).toBe(25_397_152);
    const e = thrown(() => checkGgufModel([{ name: 'partial.gguf', header: h }]));
    expect(e.code).toBe('gguf-truncated');
    expect(e.detail).toEqual({ file: 'partial.gguf', need: 25_397_152, have: 25_397_152 - 4096 });
  });

  it('GGUF v1 and big-endian files are named as such', () => {
    const v1 = fixture().slice(0, 64);
    new DataView(v1.buffer).setUint32(4, 1, true);
    expect(thrown(() => parseGgufHeader(v1, 25_397_152, 'old.gguf')).message).toContain('version 1');
    const be = fixture().slice(0, 64);
    new DataView(be.buffer).setUint32(4, 3, false);
    const e = thrown(() => parseGgufHeader(be, 25_397_152, 'be.gguf'));
    expect(e.code).toBe('gguf-unsupported-version');
    expect(e.message).toContain('big-endian');
  });

  it('a corrupt length or type inside the header is refused as corrupt, not read past', () => {
    const bad = fixture().slice(0, 6_000_000);
    // The first key's length (bytes 24..31) made absurd.
    new DataView(bad.buffer).setBigUint64(24, 2n ** 40n, true);
    expect(thrown(() => parseGgufHeader(bad, 25_397_152, 'bad.gguf')).code).toBe('gguf-corrupt');
    const badType = writeGguf({ 'general.architecture': { t: 'str', v: 'qwen2' } }, []);
    // Value type of the only key → 99.
    new DataView(badType.buffer).setUint32(24 + 8 + 'general.architecture'.length, 99, true);
    expect(thrown(() => parseGgufHeader(badType)).message).toContain('unknown metadata value type 99');
  });
});

describe('checks for this runtime', () => {
  it('a chat model of a known architecture passes and is summarized', () => {
    const s = checkGgufModel([part('tiny.gguf', writeGguf(chatMeta('llama'), TINY_TENSORS))]);
    expect(s).toMatchObject({ architecture: 'llama', fileTypeName: 'Q8_0', tensorCount: 4, headCountKv: 2, keyLength: 16 });
    expect(s.tensorBytes).toBe(tensorBytes(8, [64, 100])! + 64 * 4 + tensorBytes(8, [64, 128])! + 64 * 4);
  });

  it('unknown architecture, embedding model, projector, no chat template: each its own code', () => {
    expect(thrown(() => checkGgufModel([part('x.gguf', writeGguf(chatMeta('frobnicator'), TINY_TENSORS))])).code).toBe('gguf-unsupported-arch');
    const bert = thrown(() => checkGgufModel([part('bge.gguf', writeGguf(chatMeta('bert'), TINY_TENSORS))]));
    expect(bert.code).toBe('gguf-not-text-generation');
    expect(bert.detail).toMatchObject({ arch: 'bert', kind: 'encoder' });
    expect(thrown(() => checkGgufModel([part('mmproj.gguf', writeGguf(chatMeta('clip'), TINY_TENSORS))])).detail.kind).toBe('projector');
    const meta = chatMeta('qwen2');
    delete meta['tokenizer.chat_template'];
    const base = part('base.gguf', writeGguf(meta, TINY_TENSORS));
    expect(thrown(() => checkGgufModel([base])).code).toBe('gguf-no-chat-template');
    expect(checkGgufModel([base], { requireChatTemplate: false }).architecture).toBe('qwen2');
  });

  it('a tensor type this llama.cpp does not have (removed Q4_0_4_4 = 31, or 99) is refused by name', () => {
    for (const type of [31, 99]) {
      const e = thrown(() => checkGgufModel([part('odd.gguf', writeGguf(chatMeta(), [...TINY_TENSORS, { name: 'blk.1.odd', dims: [64, 64], type }]))]));
      expect(e.code).toBe('gguf-unsupported-type');
      expect(e.detail).toMatchObject({ tensor: 'blk.1.odd', type });
    }
  });

  it('a row that is not whole blocks is corrupt', () => {
    const e = thrown(() => checkGgufModel([part('rag.gguf', writeGguf(chatMeta(), [{ name: 'w', dims: [40, 4], type: 8 }], { data: false }), 10_000)]));
    expect(e.code).toBe('gguf-corrupt');
  });

  it('one file over 2 GiB must be split (the wasm file system limit)', () => {
    const head = writeGguf(chatMeta(), TINY_TENSORS, { data: false });
    const e = thrown(() => checkGgufModel([part('huge.gguf', head, 3 * 2 ** 30)]));
    expect(e.code).toBe('gguf-file-too-large');
  });

  it('every ggml type size agrees with bits per weight published for it (Q8_0 8.5, Q4_K 4.5, Q6_K 6.5625, IQ4_XS 4.25)', () => {
    const bpw = (id: number) => (GGML_TYPES[id].size * 8) / GGML_TYPES[id].block;
    expect([bpw(8), bpw(12), bpw(14), bpw(23), bpw(2), bpw(39)]).toEqual([8.5, 4.5, 6.5625, 4.25, 4.5, 4.25]);
  });
});

describe('split sets (llama-gguf-split)', () => {
  const splitPart = (no: number, count: number, tensors: typeof TINY_TENSORS, total = 4, first = no === 0) => {
    const split: Record<string, TestValue> = { 'split.no': { t: 'u16', v: no }, 'split.count': { t: 'u16', v: count }, 'split.tensors.count': { t: 'i32', v: total } };
    const meta = first ? chatMeta('qwen2', split) : split;
    return part(`m-${String(no + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.gguf`, writeGguf(meta, tensors));
  };
  const p1 = () => splitPart(0, 3, TINY_TENSORS.slice(0, 2));
  const p2 = () => splitPart(1, 3, TINY_TENSORS.slice(2, 3));
  const p3 = () => splitPart(2, 3, TINY_TENSORS.slice(3));

  it('all parts in order: architecture from part 1, weights and tensors summed', () => {
    const s = checkGgufModel([p1(), p2(), p3()]);
    expect(s).toMatchObject({ architecture: 'qwen2', tensorCount: 4, split: { count: 3, no: 0, tensorsTotal: 4 } });
    expect(s.tensorBytes).toBe(checkGgufModel([part('whole.gguf', writeGguf(chatMeta(), TINY_TENSORS))]).tensorBytes);
  });

  it('a missing part, parts out of order, parts of another set: refused with what to add', () => {
    const missing = thrown(() => checkGgufModel([p1(), p3()]));
    expect(missing.code).toBe('gguf-split-incomplete');
    expect(missing.detail.missing).toBe('2');
    expect(thrown(() => checkGgufModel([p1(), p3(), p2()])).code).toBe('gguf-split-mismatch');
    const other = splitPart(1, 4, TINY_TENSORS.slice(2, 3));
    expect(thrown(() => checkGgufModel([p1(), other, p3()])).code).toBe('gguf-split-mismatch');
    const wrongTotal = [splitPart(0, 3, TINY_TENSORS.slice(0, 2), 9), p2(), p3()];
    expect(thrown(() => checkGgufModel(wrongTotal)).message).toContain('declares 9');
    expect(thrown(() => checkGgufModel([part('whole.gguf', writeGguf(chatMeta(), TINY_TENSORS)), p2()])).code).toBe('gguf-split-mismatch');
  });
});

describe('memory estimate', () => {
  // Qwen2.5-0.5B as llama.cpp reported it in wllama 3.13 (random Q8_0 from synth-gguf.mjs):
  // "CPU model buffer size = 500.79 MiB", "KV buffer size = 12.00 MiB" (n_ctx 1024, f16) and 48.00 MiB
  // (4096), "compute buffer size = 38.28 MiB" (n_ubatch 512) + "output buffer size = 2.32 MiB".
  const qwen05 = { ...summarizeGguf(parseGgufHeader(writeGguf(chatMeta('qwen2'), TINY_TENSORS))), blockCount: 24, embeddingLength: 896, feedForwardLength: 4864, headCount: 14, headCountKv: 2, keyLength: 64, valueLength: 64, vocabSize: 151936, tensorBytes: 525_120_000 };
  const MiB = 2 ** 20;

  it('KV cache exactly as llama.cpp sizes it; compute within 10% of its buffers', () => {
    const e1 = estimateGgufMemory(qwen05, 5_945_856, { nCtx: 1024 });
    expect(e1.kvBytes).toBe(12 * MiB);
    expect(estimateGgufMemory(qwen05, 5_945_856, { nCtx: 4096 }).kvBytes).toBe(48 * MiB);
    expect(e1.weightsBytes / MiB).toBeCloseTo(500.79, 2);
    expect(Math.abs(e1.computeBytes / MiB - (38.28 + 2.32)) / (38.28 + 2.32)).toBeLessThan(0.1);
    expect(e1.totalBytes).toBe(e1.weightsBytes + e1.kvBytes + e1.computeBytes + e1.overheadBytes);
    expect(estimateGgufMemory(qwen05, 0, { nCtx: 1024, kvType: 'q8_0' }).kvBytes).toBe(Math.ceil((12 * MiB * 34) / 64));
  });

  it('budget: the 4 GiB wasm heap, or half the device memory when smaller; too large names the parts', () => {
    expect(wllamaMemoryBudget(null)).toEqual({ bytes: WLLAMA_WASM_MAX_BYTES - 256 * MiB, limitedBy: 'wasm' });
    expect(wllamaMemoryBudget(8).limitedBy).toBe('wasm');
    expect(wllamaMemoryBudget(2)).toEqual({ bytes: 2 ** 30, limitedBy: 'device' });
    const e = estimateGgufMemory(qwen05, 5_945_856, { nCtx: 32768 });
    expect(() => assertFits('q.gguf', e, wllamaMemoryBudget(8), 32768)).not.toThrow();
    const big = { ...qwen05, tensorBytes: 3.9 * 2 ** 30 };
    const err = thrown(() => assertFits('7b.gguf', estimateGgufMemory(big, 0, { nCtx: 4096 }), wllamaMemoryBudget(null), 4096));
    expect(err.code).toBe('model-too-large');
    expect(err.detail).toMatchObject({ file: '7b.gguf', limit: 'wasm', nCtx: 4096 });
    expect(thrown(() => assertFits('q.gguf', e, wllamaMemoryBudget(1), 32768)).detail.limit).toBe('device');
  });
});
