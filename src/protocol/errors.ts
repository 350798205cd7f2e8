// Errors the user can act on. Each carries a stable `code` (for tests, i18n and branching) and a
// message that says what to do. They cross the worker boundary as plain {name, code, message, detail}
// objects and are rebuilt on the other side by `fromWire`.

export type ErrorCode =
  // runtime / models
  | 'webgpu-unavailable'
  | 'webgpu-no-f16'
  | 'webgpu-lost'
  | 'model-not-found'
  | 'model-download-failed'
  | 'model-download-timeout'
  | 'model-load-failed'
  | 'needs-connection'
  | 'worker-crashed'
  | 'aborted'
  | 'bad-request'
  // OpenAI-compatible servers
  | 'server-url-invalid'
  | 'server-mixed-content'
  | 'server-cors-blocked'
  | 'server-unreachable'
  | 'server-timeout'
  | 'server-auth-failed'
  | 'server-endpoint-missing'
  | 'server-model-unknown'
  | 'server-busy'
  | 'server-error'
  | 'server-bad-reply'
  | 'server-stream-cut'
  // model files the user adds (GGUF, ONNX folders) and the GGUF engine
  | 'gguf-not-gguf'
  | 'gguf-unsupported-version'
  | 'gguf-truncated'
  | 'gguf-corrupt'
  | 'gguf-unsupported-type'
  | 'gguf-unsupported-arch'
  | 'gguf-not-text-generation'
  | 'gguf-no-chat-template'
  | 'gguf-split-incomplete'
  | 'gguf-split-mismatch'
  | 'gguf-file-too-large'
  | 'model-too-large'
  | 'onnx-folder-incomplete'
  | 'onnx-folder-no-model'
  | 'browser-unsupported'
  | 'prompt-too-long'
  // retrieval: a requested part cannot run (never dropped silently)
  | 'embedder-unavailable'
  | 'dense-unavailable'
  | 'rerank-unavailable'
  // documents
  | 'file-empty'
  | 'file-binary'
  | 'file-too-large'
  | 'file-mislabelled'
  | 'file-unsupported'
  | 'pdf-corrupt'
  | 'pdf-encrypted'
  | 'docx-corrupt'
  | 'epub-corrupt'
  | 'zip-bomb'
  | 'json-invalid'
  | 'quota-exceeded'
  | 'duplicate'
  // anything else
  | 'internal';

export interface WireError {
  name: string;
  code: ErrorCode;
  message: string;
  /** Values interpolated into the localized message (file names, sizes in bytes, limits). */
  detail?: Record<string, string | number>;
}

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail: Record<string, string | number> = {},
  ) {
    super(message);
  }
  toWire(): WireError {
    return { name: this.name, code: this.code, message: this.message, detail: this.detail };
  }
}

/** Raised when the user (or a superseding request) cancelled the work. */
export class AbortError extends AppError {
  override name = 'AbortError';
  constructor(message = 'Cancelled.') {
    super('aborted', message);
  }
}

/** The worker died (script error, out of memory, crash); every pending request gets this. */
export class WorkerCrashedError extends AppError {
  override name = 'WorkerCrashedError';
  constructor(worker: string, reason: string) {
    super('worker-crashed', `The ${worker} worker stopped unexpectedly (${reason}). It will be restarted on the next request.`, { worker, reason });
  }
}

/** Problems with a file the user gave us: the file is refused, nothing stored is touched. */
export class FileError extends AppError {
  override name = 'FileError';
}

/** Problems fetching or running a model. */
export class ModelError extends AppError {
  override name = 'ModelError';
}

const CLASSES: Record<string, new (code: ErrorCode, message: string, detail?: Record<string, string | number>) => AppError> = {
  AppError,
  FileError,
  ModelError,
};

/** Rebuilds an error that crossed a worker boundary; unknown names become AppError. */
export function fromWire(w: WireError): AppError {
  if (w.name === 'AbortError') return new AbortError(w.message);
  if (w.name === 'WorkerCrashedError') {
    const e = new WorkerCrashedError(String(w.detail?.worker ?? 'a'), String(w.detail?.reason ?? 'unknown'));
    return e;
  }
  const Cls = CLASSES[w.name] ?? AppError;
  return new Cls(w.code, w.message, w.detail ?? {});
}

/** Turns anything thrown into an AppError, keeping AppErrors as they are. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof DOMException && e.name === 'AbortError') return new AbortError();
  if (e instanceof DOMException && e.name === 'QuotaExceededError') {
    return new AppError('quota-exceeded', 'The browser storage quota is exhausted. Free space on the Models & Storage screen and try again.');
  }
  const message = e instanceof Error ? e.message : String(e);
  return new AppError('internal', message || 'Unexpected error.');
}

export function isAbort(e: unknown): boolean {
  return e instanceof AbortError || (e instanceof AppError && e.code === 'aborted') || (e instanceof DOMException && e.name === 'AbortError');
}
