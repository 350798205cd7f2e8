// Models on OpenAI-compatible servers the user added (Ollama, vLLM, llama-server, LM Studio, SGLang):
// add a base URL (with an optional API key), Connect lists `GET /models`, remove. Every listed model is
// a choice in every Model list, loaded as an `openai-compatible` plan. Before a server's first prompt
// leaves, the user is asked once (remembered per server). The list lives in localStorage, the API keys
// under their own key there (never in IndexedDB, so never in exports or workspace bundles). A server on
// an origin the page's Content-Security-Policy does not allow yet is saved, then the page reloads with
// a policy that names it and connects on load (see src/policy/connect-src.ts). A server model can also be
// the embedding model (`embedPlan`): before the first document chunk or question is sent to be embedded,
// the user is asked separately (remembered per server under its own localStorage key).

import { modelKey, parseModelKey } from '../models/model-key';
import { AppError } from '../protocol/errors';
import type { LoadPlan } from '../protocol/messages';
import { hostOf, mixedContentProblem, serverError } from '../server/errors';
import { defaultPageOrigin } from '../server/http';
import { listModels, normaliseBaseUrl, unknownModelProblem } from '../server/models';
import type { ServerKind } from '../server/server-kind';
import { guessKindFromModels, guessKindFromUrl } from '../server/server-kind';
import { activeSources, publishNow } from '../policy/connect-src';
import type { ModelChoice, ModelSource } from './model-choices.svelte';
import { loadKeys, loadServers, saveKeys, saveServers, SERVER_KEYS_KEY, SERVERS_KEY, type StoredServer } from './server-list';

export type ServerPhase = 'idle' | 'connecting' | 'ready' | 'error';

export interface ServerStatus {
  phase: ServerPhase;
  error: unknown;
}

/** A server waiting for the user's yes or no before its first prompt (or text to embed) is sent. */
export interface ConsentRequest {
  id: string;
  host: string;
  baseUrl: string;
  /** 'embeddings': the question is about document chunks and questions sent to be embedded; absent: prompts. */
  purpose?: 'embeddings';
}

/** What is asked for: prompts to a server LLM, or texts to a server embedding model. */
type ConsentPurpose = 'prompts' | 'embeddings';

/** Where the permissions to send texts to be embedded are kept: server id → epoch ms. Apart from the list, whose fields are fixed. */
export const SERVER_EMBED_CONSENT_KEY = 'method-lab:server-embed-consent';
/** The localStorage entries this state keeps (another tab's change to one is taken in). */
const STORED_KEYS: readonly string[] = [SERVERS_KEY, SERVER_KEYS_KEY, SERVER_EMBED_CONSENT_KEY];

/** A server embedding model the user allowed texts to go to, as the knowledge worker loads it. */
export interface EmbedPlan {
  /** The model key, `server:<serverId>|<model>`. */
  key: string;
  baseUrl: string;
  apiKey?: string;
  kind: ServerKind;
  model: string;
  host: string;
}

/** The page's connect policy as ServersState needs it. */
export interface ServerPolicy {
  /** Whether the policy in force lets this page connect to `origin`. */
  allows(origin: string): boolean;
  /** Publishes the stored list's policy and reloads the page, so the browser applies it. */
  reload(): Promise<void>;
}

type Storage3 = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface ServersDeps {
  /** Where the list and the keys are kept; localStorage by default. */
  storage?: Storage3;
  fetch?: typeof fetch;
  /** The page's origin (mixed-content and CORS advice); null outside a browser. */
  pageOrigin?: string | null;
  policy?: ServerPolicy;
  /** Model keys whose loaded engines are stale (key changed, server removed, consent withdrawn): unload them. */
  forget?: (keys: string[]) => void;
  /** The error text when the user declines sending to `host`, in the UI's language. */
  declined?: (host: string) => string;
  /** The error text when the user declines sending texts to be embedded to `host`, in the UI's language. */
  declinedEmbed?: (host: string) => string;
  /** The error text when an embedding model's server is no longer in the list, in the UI's language. */
  embedServerGone?: (model: string) => string;
  /** A server address CSP cannot name (an IPv6 literal), in the UI's language. */
  ipv6?: (url: string) => string;
  /** The browser refused to store the list (private mode, full storage), in the UI's language. */
  storageFailed?: () => string;
  now?: () => number;
  newId?: () => string;
}

function browserStorage(): Storage3 | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** The browser's policy: what boot.ts wrote, and publish + reload to widen it. */
export const browserPolicy: ServerPolicy = {
  allows(origin) {
    const active = activeSources();
    return active === null || active.includes(origin);
  },
  async reload() {
    const appBase = new URL(import.meta.env.BASE_URL, location.href).href;
    await publishNow({ storage: browserStorage(), search: location.search, appBase }).catch(() => undefined);
    location.reload();
  },
};

export class ServersState implements ModelSource {
  servers = $state.raw<StoredServer[]>([]);
  status = $state<Record<string, ServerStatus>>({});
  /** Why the last Add did not add (bad URL, mixed content); server errors show on the server itself. */
  addError = $state<unknown>(null);
  /** The page is reloading so that its policy allows a server just added. */
  reloading = $state(false);
  consentRequest = $state<ConsentRequest | null>(null);
  #keys = $state<Record<string, string>>({});
  /** When the user allowed texts to be sent to be embedded, by server id (epoch ms). */
  #embedConsent = $state<Record<string, number>>({});
  readonly #storage: Storage3 | undefined;
  readonly #fetch: typeof fetch;
  readonly #pageOrigin: string | null;
  readonly #policy: ServerPolicy;
  readonly #deps: ServersDeps;
  #answer: ((ok: boolean) => void) | null = null;
  #asking = new Map<string, Promise<void>>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: ServersDeps = {}) {
    this.#deps = deps;
    this.#storage = 'storage' in deps ? deps.storage : browserStorage();
    this.#fetch = deps.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#pageOrigin = deps.pageOrigin === undefined ? defaultPageOrigin() : deps.pageOrigin;
    this.#policy = deps.policy ?? browserPolicy;
    this.servers = loadServers(this.#storage);
    this.#keys = loadKeys(this.#storage);
    this.#embedConsent = loadEmbedConsent(this.#storage);
  }

  /**
   * Connects the servers saved just before a reload (their origin was not allowed until then), and
   * follows changes another tab makes to the stored list, keys and permissions.
   */
  start(): void {
    for (const s of this.servers) if (s.connectOnLoad) void this.connect(s.id);
    globalThis.addEventListener?.('storage', (e: StorageEvent) => {
      if (e.key === null || STORED_KEYS.includes(e.key)) this.reloadFromStorage();
    });
  }

  /**
   * Takes the stored list, keys and permissions as they are now (another tab changed them). Without
   * this, the next write here would put back a server another tab removed, or a permission it withdrew.
   * Models of servers that went away, or whose key or permissions changed, are forgotten (loaded
   * again, so asked again, on their next use).
   */
  reloadFromStorage(): void {
    const before = { servers: this.servers, keys: this.#keys, embed: this.#embedConsent };
    const keysBefore = new Map(before.servers.map((s) => [s.id, this.keysOf(s.id)]));
    this.servers = loadServers(this.#storage);
    this.#keys = loadKeys(this.#storage);
    this.#embedConsent = loadEmbedConsent(this.#storage);
    const gone: string[] = [];
    for (const old of before.servers) {
      const now = this.servers.find((s) => s.id === old.id);
      const changed = !now || (old.consentedAt && !now.consentedAt) || before.keys[old.id] !== this.#keys[old.id] || (old.id in before.embed && !(old.id in this.#embedConsent));
      if (changed) gone.push(...(keysBefore.get(old.id) ?? []));
      if (!now) delete this.status[old.id];
    }
    if (gone.length) this.#deps.forget?.(gone);
  }

  choices = $derived<ModelChoice[]>(
    this.servers.flatMap((s) => {
      const host = hostOf(s.baseUrl);
      return s.models.map((m): ModelChoice => ({ key: modelKey({ kind: 'server', server: s.id, model: m.id }), label: `${m.id} @ ${host}`, kind: 'server', memoryMB: 0, host }));
    }),
  );

  statusOf(id: string): ServerStatus {
    return this.status[id] ?? { phase: 'idle', error: null };
  }

  hasKey(id: string): boolean {
    return Boolean(this.#keys[id]);
  }

  /** The model keys a server offers now. */
  keysOf(id: string): string[] {
    return this.choices.filter((c) => parseModelKey(c.key).kind === 'server' && c.key.startsWith(`server:${id}|`)).map((c) => c.key);
  }

  /**
   * Adds a server (or updates the key of one already added with the same base URL) and lists its
   * models. When the page's policy does not allow its origin yet, the page reloads and connects then.
   * Returns the server's id, or null when the address was refused (`addError` says why).
   */
  async add(input: string, apiKey = ''): Promise<string | null> {
    this.addError = null;
    const norm = normaliseBaseUrl(input);
    if (!norm.ok) {
      this.addError = serverError(norm.problem);
      return null;
    }
    const url = new URL(norm.baseUrl);
    if (url.hostname.startsWith('[')) {
      // A Content-Security-Policy source cannot name an IPv6 literal, so the browser would block it.
      const message = this.#deps.ipv6?.(norm.baseUrl) ?? `"${norm.baseUrl}" uses an IPv6 address, which the page's security policy cannot name. Use a host name instead, for example http://localhost:${url.port || '80'}${url.pathname}.`;
      this.addError = new AppError('server-url-invalid', message, { url: norm.baseUrl, reason: 'IPv6 address' });
      return null;
    }
    const mixed = mixedContentProblem(norm.baseUrl, this.#pageOrigin);
    if (mixed) {
      this.addError = serverError(mixed);
      return null;
    }
    let entry = this.servers.find((s) => s.baseUrl === norm.baseUrl);
    if (!entry) {
      entry = { id: this.#deps.newId?.() ?? crypto.randomUUID(), baseUrl: norm.baseUrl, kind: guessKindFromUrl(norm.baseUrl), models: [], addedAt: this.#now(), listedAt: null, consentedAt: null };
      this.servers = [...this.servers, entry];
    }
    if (apiKey.trim()) this.setApiKey(entry.id, apiKey);
    if (!this.#policy.allows(url.origin)) {
      this.#update(entry.id, { connectOnLoad: true });
      if (!this.#persist()) {
        // Reloading now would lose the server: say why instead.
        this.addError = new AppError('quota-exceeded', this.#deps.storageFailed?.() ?? 'This browser did not let the page store the server (private mode or full storage), so it cannot be kept across the reload it needs.');
        return null;
      }
      this.reloading = true;
      await this.#policy.reload();
      return entry.id;
    }
    this.#persist();
    await this.connect(entry.id);
    return entry.id;
  }

  /** Lists the server's models (`GET /models`); they replace the ones listed before. */
  async connect(id: string): Promise<void> {
    const s = this.servers.find((x) => x.id === id);
    if (!s) return;
    this.status[id] = { phase: 'connecting', error: null };
    try {
      const models = await listModels({ baseUrl: s.baseUrl, apiKey: this.#keys[id], kind: s.kind }, { fetch: this.#fetch, pageOrigin: this.#pageOrigin });
      const before = this.keysOf(id);
      this.#update(id, {
        models: models.map((m) => (m.contextLength ? { id: m.id, contextLength: m.contextLength } : { id: m.id })),
        kind: guessKindFromModels(models) ?? s.kind,
        listedAt: this.#now(),
        connectOnLoad: undefined,
      });
      this.#persist();
      const gone = before.filter((k) => !this.keysOf(id).includes(k));
      if (gone.length) this.#deps.forget?.(gone);
      this.status[id] = { phase: 'ready', error: null };
    } catch (e) {
      // Tried once after the reload; from now on the user presses Connect.
      if (s.connectOnLoad) {
        this.#update(id, { connectOnLoad: undefined });
        this.#persist();
      }
      this.status[id] = { phase: 'error', error: e };
    }
  }

  /** Removes a server, its key and its models from every list. */
  remove(id: string): void {
    const keys = this.keysOf(id);
    this.servers = this.servers.filter((s) => s.id !== id);
    const { [id]: _gone, ...rest } = this.#keys;
    this.#keys = rest;
    delete this.status[id];
    this.#setEmbedConsent(id, null);
    this.#persist();
    if (keys.length) this.#deps.forget?.(keys);
  }

  /** Sets (or, with a blank key, clears) a server's API key; models loaded with the old one load again. */
  setApiKey(id: string, key: string): void {
    if (!this.servers.some((s) => s.id === id)) return; // removed (perhaps in another tab): no key to keep
    const k = key.trim();
    if (k) this.#keys = { ...this.#keys, [id]: k };
    else {
      const { [id]: _gone, ...rest } = this.#keys;
      this.#keys = rest;
    }
    saveKeys(this.#storage, this.#keys);
    const keys = this.keysOf(id);
    if (keys.length) this.#deps.forget?.(keys);
  }

  /** Withdraws the permissions to send prompts and texts to embed: the next use asks again. */
  revokeConsent(id: string): void {
    this.#update(id, { consentedAt: null });
    this.#setEmbedConsent(id, null);
    this.#persist();
    const keys = this.keysOf(id);
    if (keys.length) this.#deps.forget?.(keys);
  }

  /** The user's answer to `consentRequest`. */
  answerConsent(ok: boolean): void {
    this.#answer?.(ok);
  }

  /** The load plan of a server model; waits for the user's permission on the server's first use. */
  async plan(key: string): Promise<LoadPlan | null> {
    const ref = parseModelKey(key);
    if (ref.kind !== 'server') return null;
    const s = this.servers.find((x) => x.id === ref.server);
    if (!s) return null;
    await this.#consent(s.id);
    const cur = this.servers.find((x) => x.id === ref.server) ?? s;
    const apiKey = this.#keys[cur.id];
    return { engine: 'openai-compatible', server: { baseUrl: cur.baseUrl, ...(apiKey ? { apiKey } : {}), kind: cur.kind }, model: ref.model };
  }

  /** When the user allowed texts to be sent to this server to be embedded (epoch ms); null: not yet asked, declined or withdrawn. */
  embedConsentedAt(id: string): number | null {
    return this.#embedConsent[id] ?? null;
  }

  /**
   * The server embedding model a key names, once the user has allowed document chunks and questions to
   * be sent there to be embedded (asked on the server's first such use, remembered). Rejects with an
   * AppError: `bad-request` when the key is not a server key, the server was removed or the user
   * declined; `server-model-unknown` when the server's list (as last connected) no longer has the model.
   */
  async embedPlan(key: string): Promise<EmbedPlan> {
    const ref = parseModelKey(key);
    if (ref.kind !== 'server') throw new AppError('bad-request', `"${key}" does not name a model on a server.`, { model: key });
    const s = this.servers.find((x) => x.id === ref.server);
    if (!s) throw new AppError('bad-request', this.#deps.embedServerGone?.(ref.model) ?? `The server of the embedding model "${ref.model}" is no longer in Settings → Server models. Add it again, or choose another embedding model on the Documents screen.`, { model: ref.model, reason: 'server removed' });
    const target = { baseUrl: s.baseUrl, kind: s.kind };
    if (!s.models.some((m) => m.id === ref.model)) throw serverError(unknownModelProblem(target, ref.model, s.models));
    await this.#consent(s.id, 'embeddings');
    const cur = this.servers.find((x) => x.id === ref.server) ?? s;
    const apiKey = this.#keys[cur.id];
    return { key, baseUrl: cur.baseUrl, ...(apiKey ? { apiKey } : {}), kind: cur.kind, model: ref.model, host: hostOf(cur.baseUrl) };
  }

  #consented(id: string, purpose: ConsentPurpose): boolean {
    if (purpose === 'embeddings') return this.#embedConsent[id] !== undefined;
    return this.servers.find((s) => s.id === id)?.consentedAt != null;
  }

  /** Resolves once texts for `purpose` may go to the server; one question at a time, one per server and purpose. */
  #consent(id: string, purpose: ConsentPurpose = 'prompts'): Promise<void> {
    if (this.#consented(id, purpose)) return Promise.resolve();
    const slot = `${purpose}:${id}`;
    let p = this.#asking.get(slot);
    if (!p) {
      p = this.#queue.then(() => this.#ask(id, purpose));
      this.#queue = p.catch(() => undefined);
      this.#asking.set(slot, p);
      const done = () => void this.#asking.delete(slot);
      p.then(done, done);
    }
    return p;
  }

  #ask(id: string, purpose: ConsentPurpose): Promise<void> {
    const s = this.servers.find((x) => x.id === id);
    if (!s) return Promise.reject(new AppError('bad-request', 'This server was removed.'));
    if (this.#consented(id, purpose)) return Promise.resolve();
    const host = hostOf(s.baseUrl);
    const embed = purpose === 'embeddings';
    return new Promise<void>((resolve, reject) => {
      this.#answer = (ok) => {
        this.#answer = null;
        this.consentRequest = null;
        if (!ok) {
          const text = embed
            ? (this.#deps.declinedEmbed?.(host) ?? `Nothing was sent: you did not allow document chunks and questions to go to ${host} to be embedded. Try again to be asked again, or choose an embedding model that runs in this browser.`)
            : (this.#deps.declined?.(host) ?? `Nothing was sent: you did not allow prompts to go to ${host}. Run again to be asked again.`);
          reject(new AppError('bad-request', text, embed ? { host, reason: 'declined' } : { host }));
          return;
        }
        if (embed) this.#setEmbedConsent(id, this.#now());
        else this.#update(id, { consentedAt: this.#now() });
        this.#persist();
        resolve();
      };
      this.consentRequest = embed ? { id, host, baseUrl: s.baseUrl, purpose: 'embeddings' } : { id, host, baseUrl: s.baseUrl };
    });
  }

  #setEmbedConsent(id: string, at: number | null): void {
    if (at === null) {
      if (!(id in this.#embedConsent)) return;
      const { [id]: _gone, ...rest } = this.#embedConsent;
      this.#embedConsent = rest;
    } else this.#embedConsent = { ...this.#embedConsent, [id]: at };
  }

  #now(): number {
    return this.#deps.now?.() ?? Date.now();
  }

  #update(id: string, patch: Partial<StoredServer>): void {
    this.servers = this.servers.map((s) => {
      if (s.id !== id) return s;
      const next: StoredServer = { ...s, ...patch };
      if (next.connectOnLoad === undefined) delete next.connectOnLoad;
      return next;
    });
  }

  /** False when the browser refused the write. */
  #persist(): boolean {
    const list = saveServers(this.#storage, this.servers);
    const keys = saveKeys(this.#storage, this.#keys);
    const embed = saveEmbedConsent(this.#storage, this.#embedConsent);
    return list && keys && embed;
  }
}

/** Server id → epoch ms of the permission to send texts to be embedded; unreadable entries are dropped. */
function loadEmbedConsent(storage: Pick<Storage, 'getItem'> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const raw = storage?.getItem(SERVER_EMBED_CONSENT_KEY);
    const j: unknown = raw ? JSON.parse(raw) : null;
    if (typeof j === 'object' && j !== null && !Array.isArray(j)) for (const [id, at] of Object.entries(j)) if (typeof at === 'number' && Number.isFinite(at)) out[id] = at;
  } catch {
    // An unreadable entry means "not asked yet": the next use asks again.
  }
  return out;
}

function saveEmbedConsent(storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined, consent: Readonly<Record<string, number>>): boolean {
  try {
    if (Object.keys(consent).length) storage?.setItem(SERVER_EMBED_CONSENT_KEY, JSON.stringify(consent));
    else storage?.removeItem(SERVER_EMBED_CONSENT_KEY);
    return true;
  } catch {
    return false;
  }
}
