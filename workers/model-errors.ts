// Maps what the runtimes throw while fetching or loading a model to errors a user can act on.

import { AppError, ModelError } from '../src/protocol/errors';

export function modelLoadError(e: unknown, modelId: string): AppError {
  if (e instanceof AppError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const url = /"([^"]+)"/.exec(msg)?.[1];
  if (/Could not locate file|not found locally|status: 404|\b404\b/.test(msg)) {
    return new ModelError('model-not-found', `The model "${modelId}" is missing a file on the model host${url ? ` (${url})` : ''}. Check the model id and the model host setting.`, { model: modelId, url: url ?? '' });
  }
  if (/Failed to fetch|NetworkError|network error|fetch failed|ERR_/i.test(msg)) {
    return new ModelError('model-download-failed', `Could not download "${modelId}": the model host could not be reached. Check your connection or the model host setting, then retry.`, { model: modelId });
  }
  return new ModelError('model-load-failed', `Loading "${modelId}" failed: ${msg}`, { model: modelId, reason: msg });
}
