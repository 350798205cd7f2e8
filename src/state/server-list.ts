// The OpenAI-compatible servers the user added, as kept in this browser's localStorage: the list (base
// URL, what it serves, whether the user allowed prompts to go there) under one key, the API keys under
// another, so nothing that reads or exports the list can carry a key. Read synchronously at start-up
// (the page's Content-Security-Policy is built from it before the app runs). Pure, no runes.

import { SERVER_KINDS, type ServerKind } from '../server/server-kind';

export const SERVERS_KEY = 'method-lab:servers';
export const SERVER_KEYS_KEY = 'method-lab:server-keys';

export interface StoredServerModel {
  id: string;
  /** Context window in tokens, when the server reports one. */
  contextLength?: number;
}

export interface StoredServer {
  /** Stable id: model keys name it (`server:<id>|<model>`), so runs keep their meaning. */
  id: string;
  /** Normalised base URL, e.g. `http://localhost:11434/v1`. */
  baseUrl: string;
  kind: ServerKind;
  /** What `GET /models` listed last (kept, so lanes still offer them after a reload). */
  models: StoredServerModel[];
  /** Epoch ms. */
  addedAt: number;
  /** When the models were last listed, epoch ms; null before the first successful Connect. */
  listedAt: number | null;
  /** When the user allowed prompts to be sent to this server, epoch ms; null: not yet asked or declined. */
  consentedAt: number | null;
  /** Connect right after the next page load (set when adding needed a reload for the page's policy). */
  connectOnLoad?: boolean;
}

type Store = Pick<Storage, 'getItem'> | undefined;
type WritableStore = Pick<Storage, 'setItem' | 'removeItem'> | undefined;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isKind = (x: unknown): x is ServerKind => typeof x === 'string' && (SERVER_KINDS as readonly string[]).includes(x);
const epochOrNull = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function readJson(storage: Store, key: string): unknown {
  try {
    const raw = storage?.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function asServer(x: unknown): StoredServer | null {
  if (!isRecord(x) || typeof x.id !== 'string' || !x.id || typeof x.baseUrl !== 'string') return null;
  try {
    const u = new URL(x.baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  } catch {
    return null;
  }
  const models: StoredServerModel[] = [];
  if (Array.isArray(x.models)) {
    for (const m of x.models) {
      if (!isRecord(m) || typeof m.id !== 'string' || !m.id) continue;
      const ctx = m.contextLength;
      models.push(typeof ctx === 'number' && Number.isInteger(ctx) && ctx > 0 ? { id: m.id, contextLength: ctx } : { id: m.id });
    }
  }
  return {
    id: x.id,
    baseUrl: x.baseUrl,
    kind: isKind(x.kind) ? x.kind : 'other',
    models,
    addedAt: epochOrNull(x.addedAt) ?? 0,
    listedAt: epochOrNull(x.listedAt),
    consentedAt: epochOrNull(x.consentedAt),
    ...(x.connectOnLoad === true ? { connectOnLoad: true } : {}),
  };
}

/** The stored servers; entries that cannot be read are dropped (never an exception at start-up). */
export function loadServers(storage: Store): StoredServer[] {
  const j = readJson(storage, SERVERS_KEY);
  const list = isRecord(j) && Array.isArray(j.servers) ? j.servers : [];
  const out: StoredServer[] = [];
  for (const x of list) {
    const s = asServer(x);
    if (s && !out.some((o) => o.id === s.id)) out.push(s);
  }
  return out;
}

/** Writes the list. Returns false when the browser refused (private mode, full storage). */
export function saveServers(storage: WritableStore, servers: readonly StoredServer[]): boolean {
  try {
    // Only the fields above: an API key can never slip into this entry.
    const clean = servers.map((s) => asServer(s)).filter((s): s is StoredServer => s !== null);
    storage?.setItem(SERVERS_KEY, JSON.stringify({ v: 1, servers: clean }));
    return true;
  } catch {
    return false;
  }
}

/** API keys by server id. */
export function loadKeys(storage: Store): Record<string, string> {
  const j = readJson(storage, SERVER_KEYS_KEY);
  const out: Record<string, string> = {};
  if (isRecord(j)) for (const [id, key] of Object.entries(j)) if (typeof key === 'string' && key) out[id] = key;
  return out;
}

export function saveKeys(storage: WritableStore, keys: Readonly<Record<string, string>>): boolean {
  try {
    const kept = Object.entries(keys).filter(([, k]) => k.trim() !== '');
    if (kept.length) storage?.setItem(SERVER_KEYS_KEY, JSON.stringify(Object.fromEntries(kept)));
    else storage?.removeItem(SERVER_KEYS_KEY);
    return true;
  } catch {
    return false;
  }
}

/** The origins prompts may be sent to: one per stored server. */
export function serverOrigins(servers: readonly Pick<StoredServer, 'baseUrl'>[]): string[] {
  return [...new Set(servers.map((s) => new URL(s.baseUrl).origin))];
}
