// An embedding model on a server the user added, end to end without the browser: ServersState asks
// before the first chunk or question leaves (accepted, declined, remembered, withdrawn), refuses a
// removed server or a model it no longer lists; KnowledgeState loads the server embedder through the
// real knowledge handler against a real OpenAI-compatible server process, embeds and searches with it,
// stores its vectors under its own key (one vector per chunk: switching models re-embeds), and a declined
// question fails a dense search with a specific error instead of falling back to a local model.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../../src/chunking/chunk';
import { KnowledgeClient } from '../../../src/clients/knowledge-client';
import { AppError } from '../../../src/protocol/errors';
import type { SearchOptions } from '../../../src/protocol/messages';
import { KnowledgeState } from '../../../src/state/knowledge.svelte';
import { SERVER_EMBED_CONSENT_KEY, ServersState } from '../../../src/state/servers.svelte';
import { openDb } from '../../../src/store/db';
import { countVectors, vectorTag } from '../../../src/store/vectors';
import { createKnowledgeHandler } from '../../../workers/knowledge-handler';
import { inProcess } from '../helpers/in-process-worker';
import { eventually, startTestServer, type TestServer } from '../server/test-server';
import { EMBED, checkFixtures, freshDbName, prefs, utf8, type Prefs } from './harness';
import { memoryStorage } from '../memory-storage';

const SERVED = 'bge-small-zh-fixture';
const hybrid: SearchOptions = { k: 3, bm25: true, dense: true, rerank: false };

let srv: TestServer;
let host: string;
beforeAll(async () => {
  checkFixtures();
  srv = await startTestServer(['--model', 'none']);
  host = new URL(srv.url).host;
}, 60_000);
afterAll(() => srv?.stop());
beforeEach(async () => {
  await eventually(async () => (await srv.stats()).inFlight === 0);
  await srv.reset();
  sent = [];
});

/** A page's servers over `storage` (its localStorage), allowed to connect to the test server. */
function serversOn(storage: Storage, over: Partial<ConstructorParameters<typeof ServersState>[0]> = {}) {
  return new ServersState({ storage, fetch, pageOrigin: null, policy: { allows: () => true, reload: async () => undefined }, ...over });
}

/** The URLs the knowledge worker requested (real requests, only observed). */
let sent: string[] = [];
const observed: typeof fetch = (input, init) => {
  sent.push(String(input instanceof Request ? input.url : input));
  return fetch(input, init);
};

/** The knowledge state over the real handler, with the servers as the source of server embedders. */
function knowledgeOn(dbName: string, p: Prefs, servers: ServersState) {
  const factory = inProcess((post) => createKnowledgeHandler(post, { db: () => openDb(dbName), fetch: observed }));
  const client = new KnowledgeClient(factory);
  return new KnowledgeState(p, { client, gpu: async () => ({ available: false, f16: false }), serverEmbedder: (key) => servers.embedPlan(key) });
}

describe('ServersState.embedPlan', () => {
  it('asks once before texts are sent to be embedded, says so, and remembers; prompts are asked about apart', async () => {
    const storage = memoryStorage();
    const servers = serversOn(storage);
    const id = (await servers.add(srv.url))!;
    const key = `server:${id}|${SERVED}`;
    const a = servers.embedPlan(key);
    const b = servers.embedPlan(key);
    await expect.poll(() => servers.consentRequest).toEqual({ id, host, baseUrl: srv.url, purpose: 'embeddings' });
    servers.answerConsent(true);
    const [pa, pb] = await Promise.all([a, b]);
    expect(pa).toEqual({ key, baseUrl: srv.url, kind: 'vllm', model: SERVED, host });
    expect(pb).toEqual(pa);
    expect(servers.consentRequest).toBeNull();
    expect(servers.embedConsentedAt(id)).toEqual(expect.any(Number));
    // Allowing embeddings does not allow prompts.
    expect(servers.servers[0].consentedAt).toBeNull();
    expect(JSON.parse(storage.getItem(SERVER_EMBED_CONSENT_KEY) ?? '{}')).toEqual({ [id]: servers.embedConsentedAt(id) });

    // Remembered across a reload: no question.
    const again = serversOn(storage);
    expect(await again.embedPlan(key)).toEqual(pa);
    expect(again.consentRequest).toBeNull();
    // Withdrawn: asked again; removing the server forgets it.
    again.revokeConsent(id);
    const c = again.embedPlan(key);
    await expect.poll(() => again.consentRequest?.purpose).toBe('embeddings');
    again.answerConsent(true);
    await c;
    again.remove(id);
    expect(storage.getItem(SERVER_EMBED_CONSENT_KEY)).toBeNull();
  });

  it('declined: a specific error naming the host; refuses a removed server and a model the server no longer lists', async () => {
    const servers = serversOn(memoryStorage(), { declinedEmbed: (h) => `chunks not sent to ${h}` });
    const id = (await servers.add(srv.url))!;
    const key = `server:${id}|${SERVED}`;
    const p = servers.embedPlan(key);
    await expect.poll(() => servers.consentRequest?.purpose).toBe('embeddings');
    servers.answerConsent(false);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'bad-request', message: `chunks not sent to ${host}`, detail: { host, reason: 'declined' } });
    expect(servers.embedConsentedAt(id)).toBeNull();

    await expect(servers.embedPlan(`server:${id}|not-listed`)).rejects.toMatchObject({ code: 'server-model-unknown', message: expect.stringContaining('not-listed') });
    await expect(servers.embedPlan(`server:gone|${SERVED}`)).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining(SERVED) });
    await expect(servers.embedPlan(EMBED)).rejects.toMatchObject({ code: 'bad-request' });
    // None of this asked.
    expect(servers.consentRequest).toBeNull();
  });
});

describe('KnowledgeState with a server embedder', () => {
  it('embeds and searches on the server, vectors under its own key; switching to a local model and back re-embeds without asking again', async () => {
    const { name } = freshDbName();
    const servers = serversOn(memoryStorage());
    const id = (await servers.add(srv.url))!;
    const key = `server:${id}|${SERVED}`;
    const p = prefs({ embedderId: key });
    const k = knowledgeOn(name, p, servers);
    await k.openIndex();
    await k.ingest({ name: 'leave.md', bytes: utf8('# Leave\n\nNew employees get fifteen days of paid annual leave.\n\n# VPN\n\nVPN passwords must be changed every ninety days.'), maxBytes: 1e6, chunking: { unit: 'chars', size: 60, overlap: 0 }, embed: false });
    expect(k.index).toMatchObject({ docs: 1, vectors: 0 });
    const chunks = k.index!.chunks;
    expect(chunks).toBeGreaterThan(1);

    const embedding = k.embedMissing();
    await expect.poll(() => servers.consentRequest?.purpose).toBe('embeddings');
    servers.answerConsent(true);
    await embedding;
    expect(k.embedder.info).toMatchObject({ model: key, device: 'server', server: { host, model: SERVED } });
    expect(k.index).toMatchObject({ vectors: chunks, missing: 0 });
    expect(new Set(sent)).toEqual(new Set([`${srv.url}/embeddings`]));
    const db = await openDb(name);
    expect(await countVectors(db, vectorTag(key))).toBe(chunks);

    const found = await (await k.laneDeps(hybrid)).search('VPN passwords');
    expect(found.ran).toMatchObject({ bm25: true, dense: true, embedder: key, vectors: chunks });
    expect(found.fallbacks).toEqual([]);
    expect(found.hits[0].text).toContain('VPN');

    // Back to the local fixture: vectors are tagged by the embedder that made them, one per chunk, so
    // the local model's replace the server's.
    p.embedderId = EMBED;
    await k.loadEmbedder();
    expect(k.index).toMatchObject({ vectors: 0, missing: chunks });
    await k.embedMissing();
    expect(await countVectors(db, vectorTag(EMBED))).toBe(chunks);
    expect(await countVectors(db, vectorTag(key))).toBe(0);
    // And to the server again: re-embedded there, without a second question (remembered).
    p.embedderId = key;
    sent = [];
    await k.loadEmbedder();
    expect(k.index).toMatchObject({ vectors: 0, missing: chunks });
    await k.embedMissing();
    expect(servers.consentRequest).toBeNull();
    expect(await countVectors(db, vectorTag(key))).toBe(chunks);
    expect(sent.length).toBeGreaterThan(1); // the probe, then the chunks
  });

  it('declined: a dense search fails with a specific error naming the host, nothing is sent and nothing local runs instead', async () => {
    const { name } = freshDbName();
    const servers = serversOn(memoryStorage(), { declinedEmbed: (h) => `chunks not sent to ${h}` });
    const id = (await servers.add(srv.url))!;
    const key = `server:${id}|${SERVED}`;
    const k = knowledgeOn(name, prefs({ embedderId: key }), servers);
    await k.openIndex();
    await k.ingest({ name: 'leave.md', bytes: utf8('# Leave\n\nNew employees get fifteen days of paid annual leave.'), maxBytes: 1e6, chunking: DEFAULT_CHUNKING, embed: false });
    const lane = k.laneDeps(hybrid);
    await expect.poll(() => servers.consentRequest?.purpose).toBe('embeddings');
    servers.answerConsent(false);
    const err = await lane.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'embedder-unavailable', message: expect.stringContaining(`chunks not sent to ${host}`) });
    expect((err as Error).message).toContain(`"${SERVED}"`);
    expect((err as Error).message).toContain('Settings → Server models');
    expect(k.embedder).toMatchObject({ phase: 'error', info: null });
    expect(sent).toEqual([]);
    // Going on with BM25 only (the user's explicit choice) records why dense did not run.
    const degraded = k.laneDeps(hybrid, { degrade: true });
    await expect.poll(() => servers.consentRequest?.purpose).toBe('embeddings');
    servers.answerConsent(false);
    const r = await (await degraded).search('annual leave');
    expect(r.ran).toMatchObject({ bm25: true, dense: false, embedder: null });
    expect(r.fallbacks).toEqual([expect.objectContaining({ part: 'dense', code: 'embedder-failed', detail: { model: key } })]);
  });
});
