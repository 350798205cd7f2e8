// One frozen AppConfig: defaults and limits in one place, so every module reads the same numbers.

export const AppConfig = Object.freeze({
  /** Largest file accepted for ingestion, bytes (a setting overrides it). */
  maxFileBytes: 100_000_000,
  /** Largest total unpacked size of a DOCX/EPUB before we refuse it as a zip bomb, bytes. */
  maxUnpackedBytes: 400_000_000,
  /** A model host that sends no response headers within this time is reported, ms. */
  fetchConnectTimeoutMs: 30_000,
  /** A download that receives no bytes for this long is reported as stalled, ms. */
  fetchStallTimeoutMs: 30_000,
  defaultEmbedder: 'Xenova/multilingual-e5-small',
  defaultLlm: 'onnx-community/Qwen2.5-0.5B-Instruct',
  defaultReranker: 'Xenova/ms-marco-MiniLM-L-6-v2',
  generation: Object.freeze({ maxNewTokens: 256, temperature: 0, topP: 1 }),
});
