// Two small WebAssembly SIMD kernels for the dense scan (~500 bytes together): f32 rows · f32 query,
// and int8 rows · int8 query (i16x8 widening + i32x4.dot_i16x8_s, exact i32 sums) times a per-row
// scale. Plain JS peaks at ~1 ns per multiply-add (30 ms for 100k × 384 floats); f32x4 makes the scan
// memory-bound, and int8 rows move 4x fewer bytes. Assembled here from named opcodes, not shipped as
// an opaque blob, so it can be read and reviewed.

/** The kernels bound to their memory; all offsets are byte offsets into `memory.buffer`. */
export interface DotKernel {
  memory: WebAssembly.Memory;
  /** Writes `n` f32 dot products of consecutive `dim`-float rows at `rows` with `query` to `out`. */
  scores(query: number, rows: number, out: number, n: number, dim: number): void;
  /**
   * Writes `n` scores of consecutive `dim`-byte int8 rows at `rows` with the query at `query`, held
   * as `dim` int16 values (int8 codes widened once per query): out[r] = f32(Σ row·query) · scales[r]
   * (f32 scales at `scales`). The sum is an exact i32, so the JS fallback gives identical results.
   * `dim` must be a multiple of 16.
   */
  scoresI8(query: number, rows: number, scales: number, out: number, n: number, dim: number): void;
}

/** Compiles the kernel over a fresh memory of `bytes` (rounded up to 64 KiB pages), or null where
 *  WebAssembly SIMD is unavailable or forbidden (a CSP without 'wasm-unsafe-eval'). */
export function createDotKernel(bytes: number): DotKernel | null {
  const module = compiled();
  if (module === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const instance = new WebAssembly.Instance(module, { e: { m: memory } });
  const scores = instance.exports.scores as DotKernel['scores'];
  const scoresI8 = instance.exports.scoresI8 as DotKernel['scoresI8'];
  return { memory, scores, scoresI8 };
}

let cached: WebAssembly.Module | null | undefined;

function compiled(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (typeof WebAssembly !== 'object') return cached;
  const bytes = assemble();
  if (!WebAssembly.validate(bytes)) return cached; // engine without SIMD: the JS loop is used
  try {
    cached = new WebAssembly.Module(bytes);
  } catch (e) {
    // A CSP without 'wasm-unsafe-eval' throws here; the JS loop gives the same results, slower.
    if (!(e instanceof Error)) throw e;
  }
  return cached;
}

// Opcodes (WebAssembly core spec 2.0, §5.4).
const I32 = 0x7f;
const V128 = 0x7b;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const GET = 0x20;
const SET = 0x21;
const I32_CONST = 0x41;
const I32_GE_U = 0x4f;
const I32_ADD = 0x6a;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const F32_LOAD = 0x2a;
const F32_STORE = 0x38;
const F32_ADD = 0x92;
const F32_MUL = 0x94;
const F32_CONVERT_I32_S = 0xb2;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const V128_CONST = [SIMD, 0x0c];
const I32X4_EXTRACT_LANE = [SIMD, 0x1b];
const F32X4_EXTRACT_LANE = [SIMD, 0x1f];
const I16X8_EXTEND_LOW_I8X16_S = [SIMD, 0x87, 0x01];
const I16X8_EXTEND_HIGH_I8X16_S = [SIMD, 0x88, 0x01];
const I32X4_ADD = [SIMD, 0xae, 0x01];
const I32X4_DOT_I16X8_S = [SIMD, 0xba, 0x01];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];

// Parameters, then locals, by index.
const Q = 0;
const ROWS = 1;
const OUT = 2;
const N = 3;
const DIM = 4;
const ROW = 5;
const J = 6; // byte offset within the row
const P = 7; // byte address of the row
const ROW_BYTES = 8;
const END16 = 9; // bytes covered by the 16-float loop
const ACC = [10, 11, 12, 13];

const zero = [...V128_CONST, ...new Array<number>(16).fill(0)];

/** scores(query, rows, out, n, dim): f32 rows · f32 query. */
function f32Body(): number[] {
  // acc[i] += load(p + j + 16i) * load(q + j + 16i); memarg = align 2^2, offset.
  const madd = (i: number) => [
    GET, ACC[i],
    GET, P, GET, J, I32_ADD, ...V128_LOAD, 2, ...uleb(16 * i),
    GET, Q, GET, J, I32_ADD, ...V128_LOAD, 2, ...uleb(16 * i),
    ...F32X4_MUL, ...F32X4_ADD, SET, ACC[i],
  ];
  const lane = (i: number) => [GET, ACC[0], ...F32X4_EXTRACT_LANE, i];
  const body = [
    // locals: 5 × i32, 4 × v128
    2, 5, I32, 4, V128,
    GET, DIM, I32_CONST, 2, I32_SHL, SET, ROW_BYTES,
    GET, DIM, I32_CONST, ...sleb(-16), I32_AND, I32_CONST, 2, I32_SHL, SET, END16,
    GET, ROWS, SET, P,
    I32_CONST, 0, SET, ROW,
    BLOCK, VOID, LOOP, VOID,
      GET, ROW, GET, N, I32_GE_U, BR_IF, 1,
      ...zero, SET, ACC[0], ...zero, SET, ACC[1], ...zero, SET, ACC[2], ...zero, SET, ACC[3],
      I32_CONST, 0, SET, J,
      // 16 floats a step in four independent accumulators, to hide the add latency.
      BLOCK, VOID, LOOP, VOID,
        GET, J, GET, END16, I32_GE_U, BR_IF, 1,
        ...madd(0), ...madd(1), ...madd(2), ...madd(3),
        GET, J, I32_CONST, ...sleb(64), I32_ADD, SET, J,
        BR, 0,
      END, END,
      // Then 4 floats a step (callers guarantee dim % 4 === 0).
      BLOCK, VOID, LOOP, VOID,
        GET, J, GET, ROW_BYTES, I32_GE_U, BR_IF, 1,
        ...madd(0),
        GET, J, I32_CONST, 16, I32_ADD, SET, J,
        BR, 0,
      END, END,
      GET, ACC[0], GET, ACC[1], ...F32X4_ADD, GET, ACC[2], GET, ACC[3], ...F32X4_ADD, ...F32X4_ADD, SET, ACC[0],
      GET, OUT, GET, ROW, I32_CONST, 2, I32_SHL, I32_ADD,
      ...lane(0), ...lane(1), F32_ADD, ...lane(2), ...lane(3), F32_ADD, F32_ADD,
      F32_STORE, 2, 0,
      GET, P, GET, ROW_BYTES, I32_ADD, SET, P,
      GET, ROW, I32_CONST, 1, I32_ADD, SET, ROW,
      BR, 0,
    END, END,
    END,
  ];
  return body;
}

// scoresI8's parameters, then locals, by index.
const I8 = { Q: 0, ROWS: 1, SCALES: 2, OUT: 3, N: 4, DIM: 5, ROW: 6, J: 7, P: 8, QP: 9, END64: 10, RV: 11, ACC: [12, 13, 14, 15] };

/** scoresI8(query, rows, scales, out, n, dim): int8 rows · int16-widened query, times scales[row]. */
function i8Body(): number[] {
  const { Q, ROWS, SCALES, OUT, N, DIM, ROW, J, P, QP, END64, RV, ACC } = I8;
  // acc[i] += dot(lo(row16), q[0..8)) + dot(hi(row16), q[8..16)) for the 16 row bytes at p + j + 16i,
  // whose query values sit at qp + 32i (int16, so twice the byte offset).
  const madd = (i: number) => [
    GET, P, GET, J, I32_ADD, ...V128_LOAD, 0, ...uleb(16 * i), SET, RV,
    GET, ACC[i],
    GET, RV, ...I16X8_EXTEND_LOW_I8X16_S, GET, QP, ...V128_LOAD, 0, ...uleb(32 * i), ...I32X4_DOT_I16X8_S, ...I32X4_ADD,
    GET, RV, ...I16X8_EXTEND_HIGH_I8X16_S, GET, QP, ...V128_LOAD, 0, ...uleb(32 * i + 16), ...I32X4_DOT_I16X8_S, ...I32X4_ADD,
    SET, ACC[i],
  ];
  const lane = (i: number) => [GET, ACC[0], ...I32X4_EXTRACT_LANE, i];
  return [
    // locals: 5 × i32, 5 × v128
    2, 5, I32, 5, V128,
    GET, DIM, I32_CONST, ...sleb(-64), I32_AND, SET, END64,
    GET, ROWS, SET, P,
    I32_CONST, 0, SET, ROW,
    BLOCK, VOID, LOOP, VOID,
      GET, ROW, GET, N, I32_GE_U, BR_IF, 1,
      ...zero, SET, ACC[0], ...zero, SET, ACC[1], ...zero, SET, ACC[2], ...zero, SET, ACC[3],
      I32_CONST, 0, SET, J,
      GET, Q, SET, QP,
      // 64 bytes a step in four independent accumulators.
      BLOCK, VOID, LOOP, VOID,
        GET, J, GET, END64, I32_GE_U, BR_IF, 1,
        ...madd(0), ...madd(1), ...madd(2), ...madd(3),
        GET, J, I32_CONST, ...sleb(64), I32_ADD, SET, J,
        GET, QP, I32_CONST, ...sleb(128), I32_ADD, SET, QP,
        BR, 0,
      END, END,
      // Then 16 bytes a step (callers guarantee dim % 16 === 0).
      BLOCK, VOID, LOOP, VOID,
        GET, J, GET, DIM, I32_GE_U, BR_IF, 1,
        ...madd(0),
        GET, J, I32_CONST, 16, I32_ADD, SET, J,
        GET, QP, I32_CONST, 32, I32_ADD, SET, QP,
        BR, 0,
      END, END,
      GET, ACC[0], GET, ACC[1], ...I32X4_ADD, GET, ACC[2], GET, ACC[3], ...I32X4_ADD, ...I32X4_ADD, SET, ACC[0],
      // out[row] = f32(sum of the four lanes) * scales[row]
      GET, OUT, GET, ROW, I32_CONST, 2, I32_SHL, I32_ADD,
      ...lane(0), ...lane(1), I32_ADD, ...lane(2), ...lane(3), I32_ADD, I32_ADD,
      F32_CONVERT_I32_S,
      GET, SCALES, GET, ROW, I32_CONST, 2, I32_SHL, I32_ADD, F32_LOAD, 2, 0,
      F32_MUL,
      F32_STORE, 2, 0,
      GET, P, GET, DIM, I32_ADD, SET, P,
      GET, ROW, I32_CONST, 1, I32_ADD, SET, ROW,
      BR, 0,
    END, END,
    END,
  ];
}

function assemble(): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const code = (body: number[]) => [...uleb(body.length), ...body];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // type 0: (i32 × 5) → (); type 1: (i32 × 6) → ()
    ...section(1, [2, 0x60, 5, I32, I32, I32, I32, I32, 0, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 1]), // import memory e.m, min 1 page
    ...section(3, [2, 0, 1]), // function 0 has type 0, function 1 type 1
    ...section(7, [2, ...name('scores'), 0x00, 0, ...name('scoresI8'), 0x00, 1]), // exports
    ...section(10, [2, ...code(f32Body()), ...code(i8Body())]),
  ]);
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
