// The optional cross-encoder: scores (query, chunk) pairs to reorder the fused top-N. Off by
// default because it costs one forward pass per candidate; the search result reports its time.

import * as transformers from '@huggingface/transformers';
import type { Device, ModelSpec, Progress } from '../src/protocol/messages';
import type { ResolvedHosts } from '../src/models/hosts';
import { applyHosts } from './tjs-env';
import { modelLoadError } from './model-errors';
import { tjsProgress } from './engines/progress';

export interface Reranker {
  model: string;
  score(query: string, texts: string[]): Promise<number[]>;
}

export async function loadReranker(spec: ModelSpec, hosts: ResolvedHosts, device: Device, onProgress: (p: Progress) => void): Promise<Reranker> {
  applyHosts(transformers.env as never, hosts);
  const progress_callback = tjsProgress(onProgress);
  try {
    const tokenizer = await transformers.AutoTokenizer.from_pretrained(spec.id, { progress_callback });
    const model = await transformers.AutoModelForSequenceClassification.from_pretrained(spec.id, {
      dtype: (spec.dtype ?? (device === 'webgpu' ? 'fp32' : 'q8')) as never,
      device: hosts.localPath ? undefined : device,
      progress_callback,
    });
    return {
      model: spec.id,
      async score(query, texts) {
        const inputs = tokenizer(new Array(texts.length).fill(query), { text_pair: texts, padding: true, truncation: true });
        const { logits } = (await model(inputs)) as { logits: { data: Float32Array; dims: number[] } };
        const width = logits.dims.at(-1) ?? 1;
        // One logit = relevance; two = [irrelevant, relevant].
        return texts.map((_, i) => (width === 1 ? logits.data[i] : logits.data[i * width + width - 1]));
      },
    };
  } catch (e) {
    throw modelLoadError(e, spec.id);
  }
}
