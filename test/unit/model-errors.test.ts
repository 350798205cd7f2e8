// workers/model-errors.ts: offline, a failed download means "needs a connection"; online, the
// specific missing-file / unreachable-host errors stay as they were.
import { describe, expect, it } from 'vitest';
import { modelLoadError } from '../../workers/model-errors';
import { ModelError } from '../../src/protocol/errors';
import { timeoutError } from '../../src/models/fetch-timeout';

const ID = 'onnx-community/Qwen2.5-0.5B-Instruct';
const NOT_LOCAL = new Error('`local_files_only=true` or `env.allowRemoteModels=false` and file was not found locally at "/m/x/config.json".');

describe('modelLoadError', () => {
  it('offline: a network failure, a missing file or a timeout all become needs-connection', () => {
    for (const e of [new TypeError('Failed to fetch'), NOT_LOCAL, timeoutError('https://huggingface.co/x', 'connect', 15_000)]) {
      const out = modelLoadError(e, ID, false);
      expect(out).toBeInstanceOf(ModelError);
      expect(out.code).toBe('needs-connection');
      expect(out.detail).toEqual({ model: ID });
      expect(out.message).toContain('needs a connection');
    }
  });
  it('online: the same failures keep their specific codes', () => {
    expect(modelLoadError(new TypeError('Failed to fetch'), ID, true).code).toBe('model-download-failed');
    expect(modelLoadError(NOT_LOCAL, ID, true).code).toBe('model-not-found');
    expect(modelLoadError(timeoutError('https://huggingface.co/x', 'connect', 15_000), ID, true).code).toBe('model-download-timeout');
  });
  it('offline: errors that are not about fetching are left alone', () => {
    expect(modelLoadError(new Error('Unsupported model type: foo'), ID, false).code).toBe('model-load-failed');
    const gpu = new ModelError('webgpu-lost', 'lost');
    expect(modelLoadError(gpu, ID, false)).toBe(gpu);
  });
  it('defaults to online where there is no navigator (Node)', () => {
    expect(modelLoadError(new TypeError('fetch failed'), ID).code).toBe(typeof navigator === 'undefined' || navigator.onLine ? 'model-download-failed' : 'needs-connection');
  });
});
