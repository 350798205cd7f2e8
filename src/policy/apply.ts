// Applies a changed model host or server list to the browser: the page's connect-src can only be
// narrowed while it lives, so when the stored settings need a source the policy in force lacks, the
// new directive is published (for the service worker) and the page reloads. Browser only.

import { activeSources, missingSources, publishNow, sourcesNow, type PolicyInputs } from './connect-src';

function inputs(search = location.search): PolicyInputs {
  let storage: Storage | undefined;
  try {
    storage = globalThis.localStorage;
  } catch {
    storage = undefined;
  }
  return { storage, search, appBase: new URL(import.meta.env.BASE_URL, location.href).href };
}

/** Whether the stored settings need a source the page's policy lacks (after publishing the new policy for workers). */
export async function policyNeedsReload(): Promise<boolean> {
  const next = inputs();
  await publishNow(next).catch(() => undefined);
  const active = activeSources();
  return Boolean(active && missingSources(sourcesNow(next), active).length);
}

/**
 * Publishes the policy the stored settings need and reloads when the one in force does not allow it
 * all. `dropParams`: URL parameters to remove first (e.g. `modelHost`, which would otherwise override
 * the saved host on the next load). Resolves true when the page is about to reload.
 */
export async function applyConnectPolicy({ dropParams = [] }: { dropParams?: readonly string[] } = {}): Promise<boolean> {
  const url = new URL(location.href);
  const dropped = dropParams.filter((p) => url.searchParams.has(p));
  for (const p of dropped) url.searchParams.delete(p);
  const next = inputs(url.search);
  await publishNow(next).catch(() => undefined);
  const active = activeSources();
  if (dropped.length) {
    location.replace(url.href);
    return true;
  }
  if (active && missingSources(sourcesNow(next), active).length) {
    location.reload();
    return true;
  }
  return false;
}
