// Where the app may connect: its own origin, the model host in use (with the CDN hosts it redirects
// to) and the OpenAI-compatible servers the user added — nothing else. The page gets this as a
// `<meta>` Content-Security-Policy written before the app runs (see boot.ts); workers do not inherit a
// document's policy, so the service worker adds the same directive as a header to the worker scripts
// it serves, read from Cache Storage where the page publishes it. A policy can only be narrowed
// while a page lives, so a new server or host takes effect after a reload.

import { hostConnectSources, hostFromParams, resolveHosts, type ResolvedHosts } from '../models/hosts';
import { loadPrefs } from '../state/prefs';
import { loadServers, serverOrigins } from '../state/server-list';

/** Cache Storage name and entry (relative to the app's base URL) the service worker reads the directive from. */
export const POLICY_CACHE = 'method-lab-policy';
export const POLICY_PATH = '__method-lab/connect-src';
/** Marks the meta element boot.ts writes, so the page can read back the policy in force. */
export const POLICY_ATTR = 'data-connect-policy';

/** Always allowed: the app itself, and blob:/data: URLs it makes (model files picked from disk, samples). */
export const FIXED_SOURCES: readonly string[] = ["'self'", 'blob:', 'data:'];

/** Source expressions for the model host (null: an invalid host setting, which loads nothing) and server origins. */
export function connectSources(hosts: ResolvedHosts | null, servers: readonly string[]): string[] {
  return [...new Set([...FIXED_SOURCES, ...(hosts ? hostConnectSources(hosts) : []), ...servers])];
}

/** The `connect-src` directive for a list of sources. */
export function connectDirective(sources: readonly string[]): string {
  return `connect-src ${sources.join(' ')}`;
}

/** The sources of a `connect-src` directive (other directives in the text are ignored). */
export function parseDirective(policy: string): string[] {
  const d = policy.split(';').map((p) => p.trim()).find((p) => /^connect-src\s/i.test(p));
  return d ? d.split(/\s+/).slice(1) : [];
}

/** `policy` with its connect-src replaced by `directive` (appended when it had none). */
export function withDirective(policy: string, directive: string): string {
  const parts = policy.split(';').map((p) => p.trim()).filter(Boolean);
  const i = parts.findIndex((p) => /^connect-src\s/i.test(p));
  if (i >= 0) parts[i] = directive;
  else parts.push(directive);
  return parts.join('; ');
}

/** Sources in `needed` that `active` lacks (exact expressions: the policy is always built by connectSources). */
export function missingSources(needed: readonly string[], active: readonly string[]): string[] {
  const have = new Set(active);
  return needed.filter((s) => !have.has(s));
}

export interface PolicyInputs {
  storage: Pick<Storage, 'getItem'> | undefined;
  /** `location.search`: `?modelHost=` overrides the saved host for one visit, as AppState does. */
  search: string;
  /** Absolute URL of the app's base path. */
  appBase: string;
}

/** The sources this page load needs, from what is stored now (the same inputs AppState and ServersState read). */
export function sourcesNow({ storage, search, appBase }: PolicyInputs): string[] {
  const setting = hostFromParams(new URLSearchParams(search)) ?? loadPrefs(storage).host;
  let hosts: ResolvedHosts | null;
  try {
    hosts = resolveHosts(setting, appBase);
  } catch {
    hosts = null;
  }
  let servers: string[] = [];
  try {
    servers = serverOrigins(loadServers(storage));
  } catch {
    servers = [];
  }
  return connectSources(hosts, servers);
}

/** The connect-src sources in force on this page (written by boot.ts); null when none was written. */
export function activeSources(doc: Pick<Document, 'querySelector'> | undefined = globalThis.document): string[] | null {
  const meta = doc?.querySelector(`meta[${POLICY_ATTR}]`);
  const content = meta?.getAttribute('content');
  return content ? parseDirective(content) : null;
}

/** Stores the directive where the service worker reads it (no-op where Cache Storage is missing, e.g. plain http on a LAN). */
export async function publishDirective(directive: string, appBase: string): Promise<void> {
  if (typeof caches === 'undefined') return;
  const cache = await caches.open(POLICY_CACHE);
  await cache.put(new URL(POLICY_PATH, appBase).href, new Response(directive, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } }));
}

/** What the page and the service worker must agree on: the current directive, published. */
export async function publishNow(inputs: PolicyInputs): Promise<void> {
  await publishDirective(connectDirective(sourcesNow(inputs)), inputs.appBase);
}
