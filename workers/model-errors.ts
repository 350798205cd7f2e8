// Maps what the runtimes throw while fetching or loading a model to errors a user can act on.
// Offline (navigator.onLine is false, in workers too), any failed download means the model is simply
// not on this device yet: say "needs a connection" instead of "missing file" or "host unreachable".

import { AppError, ModelError } from '../src/protocol/errors';

const NETWORK = /Failed to fetch|NetworkError|network error|fetch failed|Load failed|ERR_/i;
const NOT_FOUND = /Could not locate file|not found locally|status: 404|\b404\b/;

/** `online` defaults to the browser's (or worker's) navigator.onLine; Node has no navigator: online. */
export function modelLoadError(e: unknown, modelId: string, online: boolean = globalThis.navigator?.onLine ?? true): AppError {
  const msg = e instanceof Error ? e.message : String(e);
  const connectivity = e instanceof AppError ? e.code === 'model-download-failed' || e.code === 'model-download-timeout' : NETWORK.test(msg) || NOT_FOUND.test(msg);
  if (!online && connectivity) {
    return new ModelError('needs-connection', `"${modelId}" is not downloaded yet and needs a connection. Connect to the internet (or to your model host) and try again; models already downloaded keep working offline.`, { model: modelId });
  }
  if (e instanceof AppError) return e;
  const url = /"([^"]+)"/.exec(msg)?.[1];
  if (NOT_FOUND.test(msg)) {
    return new ModelError('model-not-found', `The model "${modelId}" is missing a file on the model host${url ? ` (${url})` : ''}. Check the model id and the model host setting.`, { model: modelId, url: url ?? '' });
  }
  if (NETWORK.test(msg)) {
    return new ModelError('model-download-failed', `Could not download "${modelId}": the model host could not be reached. Check your connection or the model host setting, then retry.`, { model: modelId });
  }
  return new ModelError('model-load-failed', `Loading "${modelId}" failed: ${msg}`, { model: modelId, reason: msg });
}
