// What the runtimes cached in Cache Storage: transformers.js keeps one file per URL in
// `transformers-cache` (ONNX Runtime's own wasm too), web-llm uses `webllm/config|wasm|model`.
// Files are grouped by model id, read from the URL relative to the configured host; a group
// missing a file the runtime needs is marked incomplete so a cut-off download never looks ready.

import { LLMS } from '../models/catalog';
import type { ResolvedHosts } from '../models/hosts';

export const TJS_CACHE = 'transformers-cache';
export const WEBLLM_CACHES = ['webllm/config', 'webllm/wasm', 'webllm/model'] as const;
/** Every cache a runtime may create (with web-llm's hash metadata); "clear everything" deletes these. */
export const MODEL_CACHES: readonly string[] = [TJS_CACHE, ...WEBLLM_CACHES, 'tvmjs-cos-hash-meta'];

/** `onnxruntime` groups the ONNX Runtime wasm/mjs that transformers.js caches next to the models. */
export type CacheRuntime = 'transformers.js' | 'web-llm' | 'onnxruntime';

export interface CacheEntry {
  cache: string;
  url: string;
  /** Size of the cached body, bytes. */
  bytes: number;
}

export interface CachedFile extends CacheEntry {
  /** Path inside the model, e.g. `onnx/model_quantized.onnx`. */
  file: string;
}

export interface CachedModel {
  key: string;
  runtime: CacheRuntime;
  /** transformers.js model id, web-llm build id (e.g. `Qwen2.5-0.5B-Instruct-q4f16_1-MLC`), or `onnxruntime-web`. */
  id: string;
  /** Base URL the files came from. */
  host: string;
  /** The files came from another host than the configured one (the setting changed since). */
  otherHost: boolean;
  files: CachedFile[];
  /** Bytes. */
  bytes: number;
  /** Every file the runtime needs to load it offline is here. */
  complete: boolean;
}

export interface ParsedUrl {
  runtime: CacheRuntime;
  id: string;
  host: string;
  file: string;
}

/** web-llm model library file name → build id, from the catalog. */
export function catalogLibIds(): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of LLMS) if (e.webllm) for (const v of [e.webllm.f16, e.webllm.f32]) m.set(v.lib, v.id);
  return m;
}

const RESOLVE = /^(.*?)\/resolve\/[^/]+\/(.+)$/;
const dirOf = (url: string) => url.slice(0, url.lastIndexOf('/') + 1);
const baseName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/** `org/name/resolve/main/x` or `org/name/onnx/x` or `org/name/x` (folder layout) → id and file. */
function splitRel(rel: string): { id: string; file: string } | null {
  const r = RESOLVE.exec(rel);
  if (r) return r[1] ? { id: r[1], file: r[2] } : null;
  const onnx = rel.indexOf('/onnx/');
  const cut = onnx >= 0 ? onnx : rel.lastIndexOf('/');
  if (cut <= 0) return null;
  return { id: rel.slice(0, cut), file: rel.slice(cut + 1) };
}

/** A URL on a host we cannot place: with `/resolve/`, the one or two path segments before it are the id. */
function splitForeign(url: string): { id: string; host: string; file: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const r = RESOLVE.exec(u.pathname);
  if (!r) {
    const dir = dirOf(url);
    return { id: dir.slice(u.origin.length + 1, -1) || u.host, host: u.origin + '/', file: baseName(url) };
  }
  const segs = r[1].split('/').filter(Boolean);
  if (!segs.length) return null;
  const idSegs = segs.slice(-2);
  const prefix = segs.slice(0, -idSegs.length);
  return { id: idSegs.join('/'), host: `${u.origin}/${prefix.map((s) => `${s}/`).join('')}`, file: r[2] };
}

/** Which runtime and model a cached URL belongs to; null for entries that are no model file. */
export function parseCacheUrl(cache: string, url: string, hosts: Pick<ResolvedHosts, 'hfHost' | 'mlcModelBase'>, libIds: Map<string, string> = catalogLibIds()): ParsedUrl | null {
  const clean = url.split(/[?#]/)[0];
  if (cache === TJS_CACHE) {
    if (clean.startsWith(hosts.hfHost)) {
      const s = splitRel(clean.slice(hosts.hfHost.length));
      if (s) return { runtime: 'transformers.js', id: s.id, host: hosts.hfHost, file: s.file };
    }
    // ONNX Runtime's wasm and its loader are cached here too (from the app's own origin).
    if (/\.(wasm|mjs)$/.test(clean)) return { runtime: 'onnxruntime', id: 'onnxruntime-web', host: dirOf(clean), file: baseName(clean) };
    const f = splitForeign(clean);
    return f ? { runtime: 'transformers.js', ...f } : null;
  }
  if (cache === 'webllm/wasm') {
    const lib = baseName(clean);
    return { runtime: 'web-llm', id: libIds.get(lib) ?? lib.replace(/-webgpu\.wasm$|\.wasm$/, ''), host: dirOf(clean), file: lib };
  }
  if (cache === 'webllm/model' || cache === 'webllm/config') {
    const r = RESOLVE.exec(clean);
    const before = r ? r[1] : dirOf(clean).slice(0, -1);
    const cut = before.lastIndexOf('/');
    if (cut < 0) return null;
    const host = before.slice(0, cut + 1);
    // web-llm weights live at `<base>mlc-ai/<build id>/resolve/main/`: the host is `<base>`.
    const base = host.endsWith('/mlc-ai/') ? host.slice(0, -'mlc-ai/'.length) : host;
    return { runtime: 'web-llm', id: before.slice(cut + 1), host: base, file: r ? r[2] : baseName(clean) };
  }
  return null;
}

/**
 * Whether a runtime could load the group without the network. transformers.js: `config.json` and
 * an `.onnx` file (files are cached only once complete). web-llm: its config, library, tensor
 * index and every shard the index lists (`shards`, when it could be read), else at least one shard.
 */
export function isComplete(runtime: CacheRuntime, files: readonly { file: string }[], shards?: readonly string[] | null): boolean {
  const names = new Set(files.map((f) => f.file));
  switch (runtime) {
    case 'transformers.js':
      return names.has('config.json') && files.some((f) => f.file.endsWith('.onnx'));
    case 'onnxruntime':
      return files.some((f) => f.file.endsWith('.wasm'));
    case 'web-llm': {
      const base = names.has('mlc-chat-config.json') && names.has('ndarray-cache.json') && files.some((f) => f.file.endsWith('.wasm'));
      if (!base) return false;
      return shards ? shards.every((s) => names.has(s)) : files.some((f) => /^params_shard_\d+\.bin$/.test(f.file));
    }
    default: {
      const never: never = runtime;
      throw new Error(`unknown runtime ${String(never)}`);
    }
  }
}

/** Groups cache entries into models, largest first. */
export function groupEntries(entries: readonly CacheEntry[], hosts: Pick<ResolvedHosts, 'hfHost' | 'mlcModelBase'>, libIds: Map<string, string> = catalogLibIds()): CachedModel[] {
  const groups = new Map<string, CachedModel>();
  for (const e of entries) {
    const p = parseCacheUrl(e.cache, e.url, hosts, libIds);
    if (!p) continue;
    // A web-llm build spans two hosts (weights and library), so it is keyed by its id alone.
    const key = p.runtime === 'transformers.js' ? `${p.runtime}|${p.host}|${p.id}` : `${p.runtime}|${p.id}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, runtime: p.runtime, id: p.id, host: p.host, otherHost: false, files: [], bytes: 0, complete: false };
      groups.set(key, g);
    }
    // The weights' host names a web-llm group, not the library's.
    if (p.runtime === 'web-llm' && e.cache !== 'webllm/wasm') g.host = p.host;
    g.files.push({ ...e, file: p.file });
    g.bytes += e.bytes;
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.files.sort((a, b) => a.file.localeCompare(b.file));
    g.complete = isComplete(g.runtime, g.files);
    g.otherHost = g.runtime === 'transformers.js' ? g.host !== hosts.hfHost : g.runtime === 'web-llm' && g.files.some((f) => f.cache !== 'webllm/wasm') && g.host !== hosts.mlcModelBase;
  }
  return out.sort((a, b) => b.bytes - a.bytes || a.id.localeCompare(b.id));
}

/** Bytes of a cached body: Content-Length when present, else the body's size. */
export async function responseBytes(res: Response): Promise<number> {
  const len = Number(res.headers.get('content-length'));
  if (Number.isFinite(len) && len > 0) return len;
  return (await res.blob()).size;
}

/** Lists every cached model file (only the runtimes' caches; opening a missing cache would create it). */
export async function listCacheEntries(storage: CacheStorage = caches): Promise<CacheEntry[]> {
  const names = new Set(await storage.keys());
  const entries: CacheEntry[] = [];
  for (const name of [TJS_CACHE, ...WEBLLM_CACHES]) {
    if (!names.has(name)) continue;
    const cache = await storage.open(name);
    for (const req of await cache.keys()) {
      const res = await cache.match(req);
      if (res) entries.push({ cache: name, url: req.url, bytes: await responseBytes(res) });
    }
  }
  return entries;
}

/** The shard files a web-llm build's `ndarray-cache.json` lists, or null when it cannot be read. */
async function webllmShards(storage: CacheStorage, g: CachedModel): Promise<string[] | null> {
  const index = g.files.find((f) => f.file === 'ndarray-cache.json');
  if (!index) return null;
  try {
    const res = await (await storage.open(index.cache)).match(index.url);
    const json: unknown = res ? await res.json() : null;
    const records = (json as { records?: { dataPath?: unknown }[] } | null)?.records;
    if (!Array.isArray(records)) return null;
    return records.map((r) => r.dataPath).filter((p): p is string => typeof p === 'string');
  } catch (e) {
    // A damaged index means the build cannot load: count it as incomplete.
    if (e instanceof SyntaxError) return ['ndarray-cache.json (unreadable)'];
    throw e;
  }
}

/** Cached models grouped and sized; web-llm builds are checked against their shard index. */
export async function listCachedModels(hosts: Pick<ResolvedHosts, 'hfHost' | 'mlcModelBase'>, storage: CacheStorage = caches): Promise<CachedModel[]> {
  const groups = groupEntries(await listCacheEntries(storage), hosts);
  for (const g of groups) {
    if (g.runtime === 'web-llm' && g.complete) g.complete = isComplete(g.runtime, g.files, await webllmShards(storage, g));
  }
  return groups;
}

/** Deletes one model's files from the caches they are in. */
export async function deleteCachedModel(model: Pick<CachedModel, 'files'>, storage: CacheStorage = caches): Promise<void> {
  const names = new Set(await storage.keys());
  for (const f of model.files) {
    if (names.has(f.cache)) await (await storage.open(f.cache)).delete(f.url);
  }
}

/** Deletes every runtime cache (all models, web-llm libraries, ONNX Runtime's wasm); returns how many. */
export async function clearModelCaches(storage: CacheStorage = caches): Promise<number> {
  let n = 0;
  for (const name of await storage.keys()) {
    if (MODEL_CACHES.includes(name) && (await storage.delete(name))) n++;
  }
  return n;
}
