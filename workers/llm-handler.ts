// The LLM worker's logic: owns the one loaded generator, serves load/generate/countTokens/unload.
// Takes `post` as a parameter so Node tests drive it with plain objects.

import { AppError } from '../src/protocol/errors';
import type { Inbound, LlmCalls, Post } from '../src/protocol/messages';
import { CallRegistry, crashLater } from './handler-kit';
import type { LlmEngine } from './engines/llm-engine';
import { loadTransformersLlm } from './engines/transformers-engine';

export function createLlmHandler(post: Post) {
  const calls = new CallRegistry(post);
  let engine: LlmEngine | null = null;
  // Generations share one model: run them one after another, never interleaved.
  let queue: Promise<unknown> = Promise.resolve();

  const need = (): LlmEngine => {
    if (!engine) throw new AppError('bad-request', 'No model is loaded yet. Load a model on the Models & Storage screen first.');
    return engine;
  };

  return function handle(msg: Inbound<LlmCalls>): void {
    switch (msg.type) {
      case 'abort':
        calls.abort(msg.target);
        return;
      case 'load':
        void calls.run(msg.id, async (ctx) => {
          const prev = engine;
          engine = null;
          await prev?.dispose();
          const { model, hosts, device } = msg.payload;
          engine = await loadTransformersLlm(model, hosts, device, ctx.progress);
          return { result: engine.info };
        });
        return;
      case 'generate': {
        const job = () =>
          calls.run(msg.id, async (ctx) => {
            const e = need();
            const result = await e.generate(msg.payload.messages, msg.payload.params, (t) => ctx.item(t), ctx.signal);
            return { result };
          });
        queue = queue.then(job, job);
        return;
      }
      case 'countTokens':
        void calls.run(msg.id, async () => ({ result: { tokens: await need().countTokens(msg.payload.messages) } }));
        return;
      case 'unload':
        void calls.run(msg.id, async () => {
          const had = engine !== null;
          await engine?.dispose();
          engine = null;
          return { result: { unloaded: had } };
        });
        return;
      case 'crash':
        crashLater();
        return;
      default: {
        const never: never = msg;
        post({ id: (never as { id: number }).id, type: 'error', error: new AppError('bad-request', 'Unknown request.').toWire() });
      }
    }
  };
}
