// The web-llm generator (MLC models on WebGPU): the fast path. Before any download it checks the
// adapter (shader-f16 for q4f16_1) and that the model's config and library are reachable, because
// web-llm itself checks only after downloading. Its engine is reached through `WebLlmModule` so the
// option mapping, streaming, usage, abort and error mapping around it can be tested without a GPU.

import { ModelError } from '../../src/protocol/errors';
import type { ChatMessage, GenParams, LoadedModel, Progress } from '../../src/protocol/messages';
import type { ResolvedHosts } from '../../src/models/hosts';
import { makeUsage, type Generated, type LlmEngine } from './llm-engine';

/** The slice of web-llm we use; see @mlc-ai/web-llm's MLCEngine. */
export interface WebLlmModule {
  MLCEngine: new (cfg: { appConfig: unknown; initProgressCallback?: (r: { progress: number; text: string; timeElapsed: number }) => void }) => MlcEngineLike;
}

export interface MlcEngineLike {
  reload(modelId: string): Promise<void>;
  unload(): Promise<void>;
  interruptGenerate(): void | Promise<void>;
  chat: { completions: { create(req: Record<string, unknown>): Promise<AsyncIterable<MlcChunk>> } };
}

export interface MlcChunk {
  choices: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; extra?: { time_to_first_token_s?: number; decode_tokens_per_s?: number; prefill_tokens_per_s?: number; e2e_latency_s?: number } };
}

export interface WebLlmTarget {
  modelId: string;
  lib: string;
  vramMB: number;
}

/** The appConfig web-llm needs to fetch this one model from the configured host. */
export function webllmAppConfig(t: WebLlmTarget, hosts: ResolvedHosts) {
  return {
    model_list: [
      {
        model: `${hosts.mlcModelBase}mlc-ai/${t.modelId}/resolve/main/`,
        model_id: t.modelId,
        model_lib: `${hosts.mlcLibBase}${t.lib}`,
        vram_required_MB: t.vramMB,
        low_resource_required: true,
        overrides: { context_window_size: 4096 },
      },
    ],
    useIndexedDBCache: false,
  };
}

/** Maps web-llm's errors (by class name, since they come from its bundle) to actionable ones. */
export function mapWebLlmError(e: unknown, modelId: string): ModelError {
  if (e instanceof ModelError) return e;
  // web-llm sets `name` on each error class; a minified bundle renames the classes themselves.
  const name = e instanceof Error ? (e.name !== 'Error' ? e.name : e.constructor.name) : '';
  const msg = e instanceof Error ? e.message : String(e);
  if (name === 'WebGPUNotAvailableError' || /WebGPU is not (available|supported)|navigator\.gpu/i.test(msg)) return new ModelError('webgpu-unavailable', `WebGPU is not available, so web-llm cannot run ${modelId}.`, { model: modelId });
  if (name === 'ShaderF16SupportError' || /shader-f16/i.test(msg)) return new ModelError('webgpu-no-f16', `This GPU lacks shader-f16, which ${modelId} needs; choose its q4f32 variant.`, { model: modelId });
  if (name === 'DeviceLostError' || /device (was )?lost/i.test(msg)) return new ModelError('webgpu-lost', 'The GPU device was lost (driver reset or memory pressure). Reload the model to continue.', { model: modelId });
  if (name === 'ModelNotFoundError' || /\b404\b|not found/i.test(msg)) return new ModelError('model-not-found', `The model "${modelId}" is missing a file on the model host.`, { model: modelId });
  if (/Failed to fetch|NetworkError|network/i.test(msg)) return new ModelError('model-download-failed', `Could not download "${modelId}": the model host could not be reached.`, { model: modelId });
  return new ModelError('model-load-failed', `web-llm could not load ${modelId}: ${msg}`, { model: modelId, reason: msg });
}

/** HEADs the config and the model library: an unreachable library must fail before weights download. */
export async function preflight(t: WebLlmTarget, hosts: ResolvedHosts, fetchFn: typeof fetch): Promise<void> {
  const cfg = webllmAppConfig(t, hosts).model_list[0];
  for (const url of [`${cfg.model}mlc-chat-config.json`, cfg.model_lib]) {
    let res: Response;
    try {
      res = await fetchFn(url, { method: 'HEAD' });
    } catch (e) {
      if (e instanceof ModelError) throw e;
      throw new ModelError('model-download-failed', `The web-llm files for ${t.modelId} could not be reached (${url}).`, { model: t.modelId, url });
    }
    if (!res.ok) throw new ModelError('model-not-found', `The web-llm files for ${t.modelId} are not on the model host (${url}: HTTP ${res.status}).`, { model: t.modelId, url });
  }
}

export async function loadWebLlm(
  t: WebLlmTarget,
  hosts: ResolvedHosts,
  onProgress: (p: Progress) => void,
  deps: { module: () => Promise<WebLlmModule>; fetch: typeof fetch; hasF16: () => Promise<boolean | null> },
): Promise<LlmEngine> {
  const started = performance.now();
  const f16 = await deps.hasF16();
  if (f16 === null) throw new ModelError('webgpu-unavailable', `WebGPU is not available, so web-llm cannot run ${t.modelId}.`, { model: t.modelId });
  if (!f16 && /q4f16|q0f16/.test(t.modelId)) throw new ModelError('webgpu-no-f16', `This GPU lacks shader-f16, which ${t.modelId} needs.`, { model: t.modelId });
  // Offline, the files can only come from web-llm's cache: skip the network check and let it try.
  const offline = globalThis.navigator?.onLine === false;
  if (!offline) await preflight(t, hosts, deps.fetch);
  const webllm = await deps.module();
  const engine = new webllm.MLCEngine({
    appConfig: webllmAppConfig(t, hosts),
    initProgressCallback: (r) => onProgress({ kind: 'fraction', value: r.progress, message: r.text }),
  });
  try {
    await engine.reload(t.modelId);
  } catch (e) {
    if (offline) throw new ModelError('needs-connection', `"${t.modelId}" is not downloaded yet and needs a connection.`, { model: t.modelId });
    throw mapWebLlmError(e, t.modelId);
  }
  const info: LoadedModel = { model: t.modelId, engine: 'web-llm', device: 'webgpu', dtype: t.modelId.includes('q4f16') ? 'q4f16_1' : 'q4f32_1', loadMs: performance.now() - started };

  async function complete(messages: ChatMessage[], params: GenParams, onToken: (t: string) => void, signal: AbortSignal): Promise<Generated> {
    const startAt = performance.now();
    const onAbort = () => void engine.interruptGenerate();
    signal.addEventListener('abort', onAbort, { once: true });
    let text = '';
    let firstAt: number | null = null;
    let finish: string | null = null;
    let usage: MlcChunk['usage'] | undefined;
    let pieces = 0;
    try {
      const stream = await engine.chat.completions.create({
        messages,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: params.maxNewTokens,
        temperature: params.temperature,
        top_p: params.topP,
        ...(params.seed !== undefined ? { seed: params.seed } : {}),
        ...(params.responseFormat ? { response_format: params.responseFormat } : {}),
      });
      for await (const chunk of stream) {
        // web-llm clears its interrupt flag when a generation starts, so an earlier abort must be checked here.
        if (signal.aborted) break;
        const c = chunk.choices[0];
        const piece = c?.delta?.content ?? '';
        if (piece) {
          if (firstAt === null) firstAt = performance.now();
          pieces++;
          text += piece;
          onToken(piece);
        }
        if (c?.finish_reason) finish = c.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
    } catch (e) {
      throw mapWebLlmError(e, t.modelId);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const endAt = performance.now();
    const base = makeUsage(usage?.prompt_tokens ?? 0, usage?.completion_tokens ?? pieces, startAt, firstAt, endAt);
    // Prefer web-llm's own timings: they are measured on the GPU side without our message hops.
    const x = usage?.extra;
    const result = {
      ...base,
      ttftMs: x?.time_to_first_token_s !== undefined ? x.time_to_first_token_s * 1000 : base.ttftMs,
      decodeTps: x?.decode_tokens_per_s ?? base.decodeTps,
    };
    const stopped = signal.aborted || finish === 'abort' ? 'aborted' : finish === 'length' ? 'length' : 'eos';
    return { text, usage: result, stopped, ...(params.responseFormat ? { constrained: true } : {}) };
  }

  return {
    info,
    generate: complete,
    async dispose() {
      await engine.unload();
    },
  };
}
