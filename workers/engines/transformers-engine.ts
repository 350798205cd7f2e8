// The transformers.js generator: ONNX models on WebGPU or WASM. It works in every browser, so it is
// the fallback whenever web-llm cannot run. Token streaming via TextStreamer, Stop via
// InterruptableStoppingCriteria, prompt tokens counted with the model's own chat template.

import type { ChatMessage, Device, GenParams, LoadedModel, ModelSpec, Progress } from '../../src/protocol/messages';
import type { ResolvedHosts } from '../../src/models/hosts';
import * as transformers from '@huggingface/transformers';
import { applyHosts } from '../tjs-env';
import { modelLoadError } from '../model-errors';
import { makeUsage, type Generated, type LlmEngine } from './llm-engine';
import { tjsProgress } from './progress';
import { workerHasWebGpu } from './gpu';

type Tjs = typeof import('@huggingface/transformers');

export function defaultLlmDtype(device: Device): string {
  return device === 'webgpu' ? 'q4f16' : 'q8';
}

export async function loadTransformersLlm(
  spec: ModelSpec,
  hosts: ResolvedHosts,
  requested: Device,
  onProgress: (p: Progress) => void,
): Promise<LlmEngine> {
  const tjs: Tjs = transformers;
  applyHosts(tjs.env as never, hosts);
  const started = performance.now();
  let device = requested;
  let fallbackReason: string | undefined;
  if (device === 'webgpu' && !hosts.localPath && !(await workerHasWebGpu())) {
    device = 'wasm';
    fallbackReason = 'No WebGPU adapter in this browser; using WASM.';
  }
  const progress_callback = tjsProgress(onProgress);
  let tokenizer;
  try {
    // config.json first: its 404 is fatal and clear, whereas a missing tokenizer config fails obscurely.
    await tjs.AutoConfig.from_pretrained(spec.id, { progress_callback });
    tokenizer = await tjs.AutoTokenizer.from_pretrained(spec.id, { progress_callback });
  } catch (e) {
    throw modelLoadError(e, spec.id);
  }
  const load = async (d: Device) => {
    const dtype = spec.dtype ?? defaultLlmDtype(d);
    const model = await tjs.AutoModelForCausalLM.from_pretrained(spec.id, {
      dtype: dtype as never,
      device: hosts.localPath ? undefined : d,
      progress_callback,
    });
    return { model, dtype };
  };
  let loaded;
  try {
    loaded = await load(device);
  } catch (e) {
    if (device !== 'webgpu') throw modelLoadError(e, spec.id);
    // A WebGPU session can fail to build (missing ops, lost device): WASM still works.
    fallbackReason = `WebGPU could not run this model (${e instanceof Error ? e.message : String(e)}); using WASM.`;
    device = 'wasm';
    try {
      loaded = await load(device);
    } catch (e2) {
      throw modelLoadError(e2, spec.id);
    }
  }
  const { model, dtype } = loaded;
  const eosIds = (model as unknown as { generation_config?: { eos_token_id?: number | number[] } }).generation_config?.eos_token_id;
  const eos = new Set<number>(eosIds === undefined ? [] : Array.isArray(eosIds) ? eosIds : [eosIds]);
  const info: LoadedModel = { model: spec.id, engine: 'transformers.js', device, dtype, loadMs: performance.now() - started, fallbackReason };

  const encode = (messages: ChatMessage[]) =>
    tokenizer.apply_chat_template(messages as never, { add_generation_prompt: true, return_dict: true }) as unknown as {
      input_ids: { dims: number[] };
      attention_mask: unknown;
    };

  return {
    info,
    async generate(messages: ChatMessage[], params: GenParams, onToken, signal): Promise<Generated> {
      const startAt = performance.now();
      const inputs = encode(messages);
      const promptTokens = inputs.input_ids.dims.at(-1) ?? 0;
      const stopper = new tjs.InterruptableStoppingCriteria();
      const onAbort = () => stopper.interrupt();
      signal.addEventListener('abort', onAbort, { once: true });
      let firstAt: number | null = null;
      let outputTokens = 0;
      let lastWasEos = false;
      let text = '';
      const streamer = new tjs.TextStreamer(tokenizer, {
        skip_prompt: true,
        skip_special_tokens: true,
        callback_function: (piece: string) => {
          if (!piece) return;
          text += piece;
          onToken(piece);
        },
        token_callback_function: (ids: bigint[]) => {
          outputTokens++;
          const last = ids.at(-1);
          lastWasEos = last !== undefined && eos.has(Number(last));
          if (firstAt === null) firstAt = performance.now();
        },
      });
      const sample = params.temperature > 0;
      try {
        await model.generate({
          ...(inputs as object),
          max_new_tokens: params.maxNewTokens,
          do_sample: sample,
          ...(sample ? { temperature: params.temperature, top_p: params.topP } : {}),
          streamer,
          stopping_criteria: stopper,
        } as never);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      const endAt = performance.now();
      const stopped = signal.aborted ? 'aborted' : lastWasEos || outputTokens < params.maxNewTokens ? 'eos' : 'length';
      return { text, usage: makeUsage(promptTokens, outputTokens, startAt, firstAt, endAt), stopped };
    },
    async dispose() {
      await (model as unknown as { dispose?: () => Promise<void> }).dispose?.();
    },
  };
}
