// Grouping cached files into models from literal URL lists: both host layouts, a mirror, an app on a
// sub-path, web-llm's three caches, ONNX Runtime's own files, files left from another host; then
// listing, deleting and clearing through an in-memory Cache Storage.

import { describe, expect, it } from 'vitest';
import { clearModelCaches, deleteCachedModel, groupEntries, isComplete, listCachedModels, parseCacheUrl, TJS_CACHE, type CacheEntry } from '../../../src/models/model-cache';
import { resolveHosts } from '../../../src/models/hosts';

const HF = resolveHosts({ mode: 'default', mirrorUrl: '' }, 'https://example.org/');
const MIRROR = resolveHosts({ mode: 'mirror', mirrorUrl: 'https://intranet.example/ai/hf' }, 'https://example.org/');
const LOCAL = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, 'http://127.0.0.1:4193/method-lab/');

const tjs = (url: string, bytes = 100): CacheEntry => ({ cache: TJS_CACHE, url, bytes });

describe('parseCacheUrl', () => {
  it('Hugging Face layout: org/name before /resolve/<rev>/, nested file paths kept', () => {
    expect(parseCacheUrl(TJS_CACHE, 'https://huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/resolve/main/onnx/model_q4f16.onnx', HF)).toEqual({
      runtime: 'transformers.js',
      id: 'onnx-community/Qwen2.5-0.5B-Instruct',
      host: 'https://huggingface.co/',
      file: 'onnx/model_q4f16.onnx',
    });
    expect(parseCacheUrl(TJS_CACHE, 'https://huggingface.co/Xenova/bge-small-zh-v1.5/resolve/v1.0/config.json', HF)?.id).toBe('Xenova/bge-small-zh-v1.5');
  });

  it('a mirror on a sub-path: the id is relative to the mirror base', () => {
    expect(MIRROR.hfHost).toBe('https://intranet.example/ai/hf/');
    expect(parseCacheUrl(TJS_CACHE, 'https://intranet.example/ai/hf/Xenova/all-MiniLM-L6-v2/resolve/main/tokenizer.json', MIRROR)).toEqual({
      runtime: 'transformers.js',
      id: 'Xenova/all-MiniLM-L6-v2',
      host: 'https://intranet.example/ai/hf/',
      file: 'tokenizer.json',
    });
  });

  it('folder layout under an app sub-path: ids with any depth, onnx/ files', () => {
    expect(LOCAL.hfHost).toBe('http://127.0.0.1:4193/method-lab/models/');
    const base = 'http://127.0.0.1:4193/method-lab/models/lab-fixtures/qwen2-tokenizer-echo';
    expect(parseCacheUrl(TJS_CACHE, `${base}/config.json`, LOCAL)).toEqual({ runtime: 'transformers.js', id: 'lab-fixtures/qwen2-tokenizer-echo', host: LOCAL.hfHost, file: 'config.json' });
    expect(parseCacheUrl(TJS_CACHE, `${base}/onnx/model_quantized.onnx`, LOCAL)?.file).toBe('onnx/model_quantized.onnx');
    expect(parseCacheUrl(TJS_CACHE, `${base}/onnx/model_quantized.onnx`, LOCAL)?.id).toBe('lab-fixtures/qwen2-tokenizer-echo');
    // A file directly under the host belongs to no model.
    expect(parseCacheUrl(TJS_CACHE, 'http://127.0.0.1:4193/method-lab/models/config.json', LOCAL)?.id).not.toBe('');
  });

  it('ONNX Runtime files from the app itself form their own group', () => {
    expect(parseCacheUrl(TJS_CACHE, 'http://127.0.0.1:4193/method-lab/assets/ort-wasm-simd-threaded.asyncify-Bx1.wasm', LOCAL)).toEqual({
      runtime: 'onnxruntime',
      id: 'onnxruntime-web',
      host: 'http://127.0.0.1:4193/method-lab/assets/',
      file: 'ort-wasm-simd-threaded.asyncify-Bx1.wasm',
    });
  });

  it('files left from another host: org/name before /resolve/, host kept', () => {
    expect(parseCacheUrl(TJS_CACHE, 'https://huggingface.co/Xenova/bge-small-zh-v1.5/resolve/main/onnx/model_quantized.onnx', LOCAL)).toEqual({
      runtime: 'transformers.js',
      id: 'Xenova/bge-small-zh-v1.5',
      host: 'https://huggingface.co/',
      file: 'onnx/model_quantized.onnx',
    });
    expect(parseCacheUrl(TJS_CACHE, 'https://m.example/sub/dir/Xenova/e5/resolve/main/config.json', HF)?.host).toBe('https://m.example/sub/dir/');
  });

  it('web-llm: weights and config by build id, the library mapped through the catalog', () => {
    const w = 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f16_1-MLC/resolve/main/';
    expect(parseCacheUrl('webllm/model', `${w}params_shard_3.bin`, HF)).toEqual({ runtime: 'web-llm', id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', host: 'https://huggingface.co/', file: 'params_shard_3.bin' });
    expect(parseCacheUrl('webllm/config', `${w}mlc-chat-config.json`, HF)?.id).toBe('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    expect(parseCacheUrl('webllm/wasm', `${HF.mlcLibBase}Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm`, HF)).toMatchObject({ runtime: 'web-llm', id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', file: 'Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm' });
    // A library the catalog does not know is named after its file.
    expect(parseCacheUrl('webllm/wasm', 'https://x.example/libs/Foo-q4f32_1-webgpu.wasm', HF)?.id).toBe('Foo-q4f32_1');
    // web-llm weights on a mirror sub-path.
    expect(parseCacheUrl('webllm/model', 'https://intranet.example/ai/hf/mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC/resolve/main/tokenizer.json', MIRROR)?.host).toBe('https://intranet.example/ai/hf/');
  });

  it('other caches are not model files', () => {
    expect(parseCacheUrl('workbox-precache-v2', 'https://example.org/index.html', HF)).toBeNull();
  });
});

describe('groupEntries', () => {
  it('sums sizes per model and marks a model without its onnx file incomplete', () => {
    const base = 'http://127.0.0.1:4193/method-lab/models/lab-fixtures';
    const groups = groupEntries(
      [
        tjs(`${base}/echo/config.json`, 700),
        tjs(`${base}/echo/tokenizer.json`, 7000),
        tjs(`${base}/echo/onnx/model_quantized.onnx`, 50_000),
        tjs(`${base}/cut/config.json`, 600),
        tjs(`${base}/cut/tokenizer.json`, 6000),
        tjs('http://127.0.0.1:4193/method-lab/assets/ort-wasm-simd-threaded.asyncify-A.wasm', 20_000),
        tjs('http://127.0.0.1:4193/method-lab/assets/ort-wasm-simd-threaded.asyncify-A.mjs', 30),
      ],
      LOCAL,
    );
    expect(groups.map((g) => [g.id, g.bytes, g.complete, g.files.length])).toEqual([
      ['lab-fixtures/echo', 57_700, true, 3],
      ['onnxruntime-web', 20_030, true, 2],
      ['lab-fixtures/cut', 6600, false, 2],
    ]);
    expect(groups.every((g) => !g.otherHost)).toBe(true);
  });

  it('the same id from two hosts stays two groups; the foreign one is flagged', () => {
    const groups = groupEntries(
      [
        tjs('https://huggingface.co/Xenova/bge-small-zh-v1.5/resolve/main/config.json'),
        tjs('https://intranet.example/ai/hf/Xenova/bge-small-zh-v1.5/resolve/main/config.json'),
      ],
      MIRROR,
    );
    expect(groups).toHaveLength(2);
    expect(groups.find((g) => g.host === 'https://huggingface.co/')?.otherHost).toBe(true);
    expect(groups.find((g) => g.host === MIRROR.hfHost)?.otherHost).toBe(false);
  });

  it('a web-llm build spans three caches and two hosts; complete only with config, library, index and shards', () => {
    const w = 'https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f16_1-MLC/resolve/main/';
    const lib = `${HF.mlcLibBase}SmolLM2-360M-Instruct-q4f16_1_cs1k-webgpu.wasm`;
    const entries: CacheEntry[] = [
      { cache: 'webllm/config', url: `${w}mlc-chat-config.json`, bytes: 2 },
      { cache: 'webllm/wasm', url: lib, bytes: 3 },
      { cache: 'webllm/model', url: `${w}ndarray-cache.json`, bytes: 5 },
      { cache: 'webllm/model', url: `${w}params_shard_0.bin`, bytes: 7 },
    ];
    const [g] = groupEntries(entries, HF);
    expect(g).toMatchObject({ runtime: 'web-llm', id: 'SmolLM2-360M-Instruct-q4f16_1-MLC', host: 'https://huggingface.co/', bytes: 17, complete: true, otherHost: false });
    expect(isComplete('web-llm', g.files, ['params_shard_0.bin', 'params_shard_1.bin'])).toBe(false);
    expect(isComplete('web-llm', g.files, ['params_shard_0.bin'])).toBe(true);
    expect(groupEntries(entries.filter((e) => e.cache !== 'webllm/wasm'), HF)[0].complete).toBe(false);
  });
});

/** A Cache Storage in memory, enough for the functions under test. */
function fakeCaches(init: Record<string, Record<string, Response>>): CacheStorage {
  const stores = new Map(Object.entries(init).map(([name, files]) => [name, new Map(Object.entries(files))]));
  const cacheOf = (m: Map<string, Response>) =>
    ({
      keys: async () => [...m.keys()].map((u) => new Request(u)),
      match: async (r: RequestInfo | URL) => m.get(typeof r === 'string' ? r : r instanceof URL ? r.href : r.url)?.clone(),
      delete: async (r: RequestInfo | URL) => m.delete(typeof r === 'string' ? r : r instanceof URL ? r.href : r.url),
    }) as unknown as Cache;
  return {
    keys: async () => [...stores.keys()],
    has: async (n: string) => stores.has(n),
    open: async (n: string) => {
      if (!stores.has(n)) stores.set(n, new Map());
      return cacheOf(stores.get(n)!);
    },
    delete: async (n: string) => stores.delete(n),
    match: async () => undefined,
  } as unknown as CacheStorage;
}

describe('listCachedModels / deleteCachedModel / clearModelCaches', () => {
  const w = 'https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f16_1-MLC/resolve/main/';
  const withLength = (n: number) => new Response(new Uint8Array(n), { headers: { 'content-length': String(n) } });
  const make = () =>
    fakeCaches({
      [TJS_CACHE]: {
        'https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/config.json': withLength(10),
        // No Content-Length: the body is measured.
        'https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model_quantized.onnx': new Response(new Uint8Array(1234)),
      },
      'webllm/config': { [`${w}mlc-chat-config.json`]: withLength(3) },
      'webllm/wasm': { [`${HF.mlcLibBase}SmolLM2-360M-Instruct-q4f16_1_cs1k-webgpu.wasm`]: withLength(4) },
      'webllm/model': {
        [`${w}ndarray-cache.json`]: new Response(JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin' }, { dataPath: 'params_shard_1.bin' }] })),
        [`${w}params_shard_0.bin`]: withLength(100),
      },
      'workbox-precache-v2-https://example.org/': { 'https://example.org/index.html': withLength(1) },
    });

  it('sizes from Content-Length or the body; a web-llm build missing a listed shard is incomplete', async () => {
    const list = await listCachedModels(HF, make());
    const mini = list.find((g) => g.id === 'Xenova/all-MiniLM-L6-v2');
    expect(mini).toMatchObject({ bytes: 1244, complete: true });
    const smol = list.find((g) => g.runtime === 'web-llm');
    expect(smol?.complete).toBe(false);
    expect(smol?.files.map((f) => f.file)).toEqual(['mlc-chat-config.json', 'ndarray-cache.json', 'params_shard_0.bin', 'SmolLM2-360M-Instruct-q4f16_1_cs1k-webgpu.wasm']);
    expect(list).toHaveLength(2);
  });

  it('deletes one model and leaves the others; clearing removes only the runtime caches', async () => {
    const storage = make();
    const [first] = (await listCachedModels(HF, storage)).filter((g) => g.runtime === 'transformers.js');
    await deleteCachedModel(first, storage);
    expect((await listCachedModels(HF, storage)).map((g) => g.runtime)).toEqual(['web-llm']);
    expect(await clearModelCaches(storage)).toBe(4);
    expect(await storage.keys()).toEqual(['workbox-precache-v2-https://example.org/']);
    expect(await listCachedModels(HF, storage)).toEqual([]);
  });
});
