// Loads a model folder the user added from its stored files instead of a host: transformers.js is
// pointed at a local path that only exists inside this fetch, which answers from the files given
// (Blobs backed by the origin's private storage). The host setting is untouched for other models.

import type { ResolvedHosts } from '../../src/models/hosts';

const PREFIX = '/__user-models__/';

/** The hosts transformers.js loads a user's folder with (its files are served by `withUserFiles`). */
export function userFolderHosts(hosts: ResolvedHosts): ResolvedHosts {
  return { ...hosts, localPath: PREFIX };
}

/** Runs `load` with `env.fetch` answering requests for `modelId`'s files from `files` (404 for others of it). */
type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export async function withUserFiles<T>(env: { fetch: Fetch }, modelId: string, files: Readonly<Record<string, Blob>>, load: () => Promise<T>): Promise<T> {
  const base = env.fetch;
  const prefix = `${PREFIX}${modelId}/`;
  env.fetch = async (input: string | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input.href;
    const path = decodeURIComponent(new URL(url, 'http://local.invalid/').pathname);
    if (!path.startsWith(prefix)) return base(input, init);
    const file = files[path.slice(prefix.length)];
    return file ? new Response(file, { headers: { 'content-length': String(file.size) } }) : new Response(null, { status: 404, statusText: 'Not Found' });
  };
  try {
    return await load();
  } finally {
    env.fetch = base;
  }
}
