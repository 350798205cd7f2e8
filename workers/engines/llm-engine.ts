// The one interface every generator implements (web-llm, transformers.js, later a remote server),
// so the handler and the UI never know which one runs.

import type { ChatMessage, GenParams, GenResult, LoadedModel, Progress } from '../../src/protocol/messages';

/** What an engine returns; the handler stamps it with the engine's `info` to make a GenResult. */
export type Generated = Omit<GenResult, 'model'>;

export interface LlmEngine {
  readonly info: LoadedModel;
  /**
   * Streams text pieces through `onToken`; resolves when generation ends or `signal` aborts.
   * `onNotice` hears waits the user should see while nothing streams (a server's 429/503 retry);
   * local engines never call it.
   */
  generate(messages: ChatMessage[], params: GenParams, onToken: (text: string) => void, signal: AbortSignal, onNotice?: (n: Extract<Progress, { kind: 'retry' }>) => void): Promise<Generated>;
  dispose(): Promise<void>;
}

/** Turns timings into the usage record; `firstAt`/`endAt`/`startAt` are performance.now() ms. */
export function makeUsage(promptTokens: number, outputTokens: number, startAt: number, firstAt: number | null, endAt: number) {
  const ttftMs = firstAt === null ? endAt - startAt : firstAt - startAt;
  const decodeMs = firstAt === null ? 0 : endAt - firstAt;
  const decodeTps = outputTokens > 1 && decodeMs > 0 ? ((outputTokens - 1) * 1000) / decodeMs : 0;
  return { promptTokens, outputTokens, ttftMs, totalMs: endAt - startAt, decodeTps };
}
