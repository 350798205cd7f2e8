// Searchable at once, dense as soon as possible — on the real knowledge handler (fixture embedder,
// fake-indexeddb): a stored file is found by BM25 before it has vectors; the background run embeds and
// stores batch by batch, a cancel keeps every finished batch and leaves every chunk searchable by BM25,
// a reload during a run resumes it and embeds only what is missing; a failed or cancelled PDF leaves
// nothing stored; and int8 vectors with the exact re-score rank exactly as float32 ones do.

import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING, type ChunkSettings } from '../../../src/chunking/chunk';
import { KnowledgeClient } from '../../../src/clients/knowledge-client';
import { AppError, isAbort } from '../../../src/protocol/errors';
import type { Progress, SearchOptions } from '../../../src/protocol/messages';
import { MemoryRowStore } from '../../../src/retrieval/row-store';
import { KnowledgeState } from '../../../src/state/knowledge.svelte';
import { LibraryState } from '../../../src/state/library.svelte';
import { openDb, type LabDb } from '../../../src/store/db';
import { getChunks } from '../../../src/store/documents';
import { countVectors, vectorTag, vectorsForModel } from '../../../src/store/vectors';
import { createKnowledgeHandler, EMBED_BATCH_CHUNKS } from '../../../workers/knowledge-handler';
import { inProcess } from '../helpers/in-process-worker';
import { makePdf, makeTruncatedPdf } from '../../fixtures/make-files';
import { EMBED, checkFixtures, freshDbName, knowledgeState, prefs, utf8 } from './harness';

beforeAll(checkFixtures);

const SMALL: ChunkSettings = { unit: 'chars', size: 120, overlap: 0 };
const bm25Only: SearchOptions = { k: 3, bm25: true, dense: false, rerank: false };
const hybrid: SearchOptions = { k: 3, bm25: true, dense: true, rerank: false };

/** A made-up word per paragraph, so each chunk has one term no other chunk has. */
const codeWord = (i: number) => `zq${[...i.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('')}x`;

/** `n` paragraphs of about one chunk each (SMALL), paragraph i carrying codeWord(i). */
function manual(n: number): string {
  const filler = ['Backups run every night.', 'Restores need a ticket.', 'Keys rotate each quarter.', 'Logs are kept for a year.'];
  return Array.from({ length: n }, (_, i) => `Record ${codeWord(i)} says: ${filler[i % filler.length]}`).join('\n\n');
}

const abortError = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

async function counts(db: LabDb) {
  return { documents: await db.count('documents'), texts: await db.count('texts'), chunks: await db.count('chunks'), vectors: await db.count('vectors') };
}

describe('searchable at once', () => {
  it('BM25 finds a just-stored document before its vectors exist; dense then runs on the embedded part and says so', async () => {
    const { name } = freshDbName();
    const { state: k } = knowledgeState(name, prefs());
    await k.openIndex();
    await k.loadEmbedder();
    await k.ingest({ name: 'leave.md', bytes: utf8('# Leave\n\nNew employees get fifteen days of paid annual leave.'), maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
    expect(k.index).toMatchObject({ docs: 1, vectors: 1, missing: 0 });

    // Stored without embedding, as the Documents screen stores files.
    await k.ingest({ name: 'vpn.md', bytes: utf8('# VPN\n\nVPN passwords must be changed every ninety days.'), maxBytes: 1e6, chunking: DEFAULT_CHUNKING, embed: false });
    expect(k.index).toMatchObject({ docs: 2, chunks: 2, vectors: 1, missing: 1 });
    const db = await openDb(name);
    expect(await countVectors(db, vectorTag(EMBED))).toBe(1);

    const found = await (await k.laneDeps(bm25Only)).search('VPN passwords');
    expect(found.hits[0].text).toContain('VPN passwords');
    // Hybrid: dense ran over the chunks that have vectors (not a fallback) and the record says how many.
    const mixed = await (await k.laneDeps(hybrid)).search('VPN passwords');
    expect(mixed.ran).toMatchObject({ bm25: true, dense: true, vectors: 1, chunks: 2, embedder: EMBED });
    expect(mixed.fallbacks).toEqual([]);
    expect(mixed.hits.find((h) => h.text.includes('VPN'))?.dense).toBeUndefined();

    await k.embedMissing();
    expect(k.index).toMatchObject({ vectors: 2, missing: 0 });
    const full = await (await k.laneDeps(hybrid)).search('VPN passwords');
    expect(full.ran).toMatchObject({ vectors: 2, chunks: 2 });
    expect(full.hits.find((h) => h.text.includes('VPN'))?.dense).toBeDefined();
  });
});

describe('background embedding', () => {
  it('a cancel keeps every finished batch, stored and indexed, and every chunk stays searchable by BM25', async () => {
    const { name } = freshDbName();
    const { state: k } = knowledgeState(name, prefs());
    await k.openIndex();
    await k.loadEmbedder();
    const doc = await k.ingest({ name: 'manual.md', bytes: utf8(manual(800)), maxBytes: 1e6, chunking: SMALL, embed: false });
    expect(doc.chunks).toBeGreaterThan(3 * EMBED_BATCH_CHUNKS);

    const ctrl = new AbortController();
    const seen: Progress[] = [];
    const stopped = await abortError(
      k.embedMissing((p) => {
        seen.push(p);
        // Cancel in the middle of the second batch.
        if (p.kind === 'items' && p.done > EMBED_BATCH_CHUNKS) ctrl.abort();
      }, ctrl.signal),
    );
    expect(isAbort(stopped)).toBe(true);
    const items = seen.filter((p): p is Extract<Progress, { kind: 'items' }> => p.kind === 'items');
    expect(items[0]).toMatchObject({ stage: 'embedding', done: 0, total: doc.chunks });
    expect(items.every((p) => p.tokens !== undefined && p.tokens.done <= p.tokens.total)).toBe(true);

    // Let the worker finish the pass it was in; what it stored is whole batches, in the store and the index alike.
    const db = await openDb(name);
    await expect.poll(async () => (await k.openIndex()).vectors).toBe(await countVectors(db, vectorTag(EMBED)));
    const kept = await countVectors(db, vectorTag(EMBED));
    expect(kept).toBeGreaterThanOrEqual(EMBED_BATCH_CHUNKS);
    expect(kept).toBeLessThan(doc.chunks);
    expect(kept % EMBED_BATCH_CHUNKS).toBe(0);
    expect(k.index).toMatchObject({ chunks: doc.chunks, vectors: kept, missing: doc.chunks - kept });

    // Every stored chunk is found by BM25 through its own code word.
    const chunks = await getChunks(db, doc.id);
    const search = await k.laneDeps(bm25Only);
    for (const c of chunks) {
      const word = /zq[a-z]+x/.exec(c.text)?.[0];
      if (!word) continue;
      expect((await search.search(word)).hits[0]?.chunkId).toBe(c.id);
    }

    // The rest is embedded later without touching what was kept.
    const before = new Map<string, number[]>();
    for await (const b of vectorsForModel(db, vectorTag(EMBED))) for (const v of b) before.set(v.id, Array.from(v.vector));
    const sinceStart = k.index!.embeddedSinceStart;
    await k.embedMissing();
    expect(k.index).toMatchObject({ vectors: doc.chunks, missing: 0, embeddedSinceStart: sinceStart + doc.chunks - kept });
  });

  it('a document deleted during a run is not embedded any further, and the run says so in its total', async () => {
    const { name } = freshDbName();
    const { state: k } = knowledgeState(name, prefs());
    await k.openIndex();
    await k.loadEmbedder();
    const a = await k.ingest({ name: 'a.md', bytes: utf8(manual(300)), maxBytes: 1e6, chunking: SMALL, embed: false });
    const b = await k.ingest({ name: 'b.md', bytes: utf8(manual(300).replace(/Record/g, 'Entry')), maxBytes: 1e6, chunking: SMALL, embed: false });
    const all = a.chunks + b.chunks;
    let deleting: Promise<void> | null = null;
    const totals: number[] = [];
    await k.embedMissing((p) => {
      if (p.kind !== 'items') return;
      totals.push(p.total);
      // After the first batch, the user deletes b.md.
      if (!deleting && p.done >= EMBED_BATCH_CHUNKS) deleting = k.deleteDocs([b.id]);
    });
    await deleting;
    expect(totals[0]).toBe(all);
    const last = totals.at(-1)!;
    // b's chunks not embedded by then left the total: the run ended with what it really embedded.
    expect(last).toBeLessThan(all);
    expect(last).toBeGreaterThanOrEqual(a.chunks);
    const stats = await k.openIndex();
    expect(stats).toMatchObject({ docs: 1, chunks: a.chunks, vectors: a.chunks, missing: 0 });
  });

  it('files stored while a run goes on join it, behind what it holds', async () => {
    const { name, db } = freshDbName();
    const { state: k } = knowledgeState(name, prefs());
    const library = new LibraryState(k, db, () => undefined);
    await library.init();
    await k.loadEmbedder();
    const file = (n: string, text: string) => ({ name: n, file: new File([text], n, { type: 'text/markdown' }) });
    library.chunking = { ...SMALL };
    library.add([file('a.md', manual(150)), file('b.md', manual(150).replace(/Record/g, 'Entry'))]);
    await expect.poll(() => library.jobs.every((j) => j.status === 'done'), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => library.embedding === null && k.index?.missing === 0, { timeout: 30_000 }).toBe(true);
    expect(k.index?.vectors).toBe(k.index?.chunks);
    expect(library.docs.every((d) => d.embedModel === EMBED)).toBe(true);
  });

  it('a reload during a run resumes it and embeds only the chunks without a vector', async () => {
    const { name, db } = freshDbName();
    const first = knowledgeState(name, prefs());
    const library = new LibraryState(first.state, db, () => undefined);
    await library.init();
    library.chunking = { ...SMALL };
    library.add([{ name: 'manual.md', file: new File([manual(2000)], 'manual.md', { type: 'text/markdown' }) }]);
    await expect.poll(() => library.jobs[0]?.status, { timeout: 20_000 }).toBe('done');
    // Close the tab once a batch is stored: the worker stops where it is and the page never hears back.
    await expect.poll(() => (library.embedding?.done ?? 0) > EMBED_BATCH_CHUNKS, { timeout: 20_000, interval: 2 }).toBe(true);
    const worker = first.workers.at(-1)!;
    const run = worker.inbox.find((m): m is typeof m & { type: 'embedMissing'; id: number } => m.type === 'embedMissing');
    expect(run).toBeDefined();
    worker.postMessage({ id: 0, type: 'abort', target: run!.id });
    await Promise.resolve();
    await Promise.resolve();
    worker.terminate();
    const store = await openDb(name);
    const tag = vectorTag(EMBED);
    let kept = -1;
    await expect.poll(async () => {
      const now = await countVectors(store, tag);
      const same = now === kept;
      kept = now;
      await new Promise((r) => setTimeout(r, 50));
      return same && now === (await countVectors(store, tag));
    }, { timeout: 20_000 }).toBe(true);
    const total = await store.count('chunks');
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(total);
    const keptVectors = new Map<string, number[]>();
    for await (const b of vectorsForModel(store, tag)) for (const v of b) keptVectors.set(v.id, Array.from(v.vector));

    // The next page: the run resumes by itself, embedding exactly the missing chunks.
    const second = knowledgeState(name, prefs());
    const reloaded = new LibraryState(second.state, db, () => undefined);
    await reloaded.init();
    await expect.poll(() => second.state.index?.missing === 0 && reloaded.embedding === null, { timeout: 30_000 }).toBe(true);
    expect(second.state.index).toMatchObject({ chunks: total, vectors: total, embeddedSinceStart: total - kept });
    for await (const b of vectorsForModel(store, tag)) for (const v of b) if (keptVectors.has(v.id)) expect(Array.from(v.vector)).toEqual(keptVectors.get(v.id));

    // Finished: a third start has nothing to resume and loads no model.
    const third = knowledgeState(name, prefs());
    const idle = new LibraryState(third.state, db, () => undefined);
    await idle.init();
    await new Promise((r) => setTimeout(r, 100));
    expect(third.state.embedder.phase).toBe('idle');
  });

  it('a cancel is not resumed: the next start offers the rest instead', async () => {
    const { name, db } = freshDbName();
    const first = knowledgeState(name, prefs());
    const library = new LibraryState(first.state, db, () => undefined);
    await library.init();
    library.chunking = { ...SMALL };
    library.add([{ name: 'manual.md', file: new File([manual(2000)], 'manual.md', { type: 'text/markdown' }) }]);
    await expect.poll(() => (library.embedding?.done ?? 0) > 0, { timeout: 20_000, interval: 2 }).toBe(true);
    library.cancelEmbedding();
    await expect.poll(() => library.embedding, { timeout: 20_000 }).toBeNull();
    expect(library.embedError).toBeNull();
    const missing = first.state.index?.missing ?? 0;
    expect(missing).toBeGreaterThan(0);

    const second = knowledgeState(name, prefs());
    const reloaded = new LibraryState(second.state, db, () => undefined);
    await reloaded.init();
    expect((await second.state.openIndex()).missing).toBe(missing);
    await new Promise((r) => setTimeout(r, 100));
    expect(reloaded.embedding).toBeNull();
    expect(second.state.embedder.phase).toBe('idle');
  });
});

describe('a failed or cancelled file leaves nothing stored', () => {
  it('a damaged PDF fails with a specific error and stores nothing', async () => {
    const { name } = freshDbName();
    const { state: k } = knowledgeState(name, prefs());
    await k.openIndex();
    const pdf = await makeTruncatedPdf();
    const e = await abortError(k.ingest({ name: 'cut.pdf', bytes: pdf.buffer.slice(pdf.byteOffset, pdf.byteOffset + pdf.byteLength) as ArrayBuffer, maxBytes: 1e6, chunking: DEFAULT_CHUNKING, embed: false }));
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('pdf-corrupt');
    expect(await counts(await openDb(name))).toEqual({ documents: 0, texts: 0, chunks: 0, vectors: 0 });
    expect(k.index).toMatchObject({ docs: 0, chunks: 0 });
  });

  it('a PDF cancelled while its pages are read stores nothing, and the same file goes in afterwards', async () => {
    const { name } = freshDbName();
    const { state: k } = knowledgeState(name, prefs());
    await k.openIndex();
    const pdf = await makePdf(Array.from({ length: 12 }, (_, i) => [`Chapter ${i + 1}`, `Page ${i + 1} explains the ${codeWord(i)} procedure in detail.`]));
    const bytes = () => pdf.buffer.slice(pdf.byteOffset, pdf.byteOffset + pdf.byteLength) as ArrayBuffer;
    const ctrl = new AbortController();
    const e = await abortError(
      k.ingest({ name: 'guide.pdf', bytes: bytes(), maxBytes: 1e6, chunking: DEFAULT_CHUNKING, embed: false }, (p) => {
        if (p.kind === 'items' && p.stage === 'extracting' && p.done >= 2) ctrl.abort();
      }, ctrl.signal),
    );
    expect(isAbort(e)).toBe(true);
    // The worker's side ends on its own schedule: wait until it is idle, then look.
    await new Promise((r) => setTimeout(r, 300));
    expect(await counts(await openDb(name))).toEqual({ documents: 0, texts: 0, chunks: 0, vectors: 0 });
    const stored = await k.ingest({ name: 'guide.pdf', bytes: bytes(), maxBytes: 1e6, chunking: DEFAULT_CHUNKING, embed: false });
    expect(stored.pages).toBe(12);
    expect((await (await k.laneDeps(bm25Only)).search(codeWord(11))).hits[0]?.page).toBe(12);
  });
});

describe('compact vectors', () => {
  /** A knowledge state whose worker holds int8 vectors with their f32 rows in memory (Node has no OPFS). */
  function int8State(dbName: string) {
    const factory = inProcess((post) => createKnowledgeHandler(post, { db: () => openDb(dbName), rows: async (dim) => new MemoryRowStore(dim) }));
    return new KnowledgeState(prefs(), { client: new KnowledgeClient(factory), gpu: async () => ({ available: false, f16: false }) });
  }

  it('int8 with the exact re-score returns the same dense hits, in the same order and with the same scores, as float32', async () => {
    const { name } = freshDbName();
    // ~500 chunks from a small vocabulary, so many vectors are close and the int8 scan must really choose.
    const words = ['leave', 'annual', 'expense', 'taxi', 'receipt', 'manager', 'password', 'vpn', 'laptop', 'encryption', 'backup', 'restore', 'ticket', 'quarter', 'key', 'log', 'audit', 'policy', 'travel', 'hotel', '年假', '报销', '密码', '备份', '出差', '审批'];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const text = Array.from({ length: 500 }, (_, i) => `Note ${i}: ${Array.from({ length: 6 + Math.floor(next() * 10) }, () => words[Math.floor(next() * words.length)]).join(' ')}.`).join('\n\n');
    const f32 = knowledgeState(name, prefs()).state;
    await f32.openIndex();
    await f32.loadEmbedder();
    await f32.ingest({ name: 'notes.md', bytes: utf8(text), maxBytes: 1e6, chunking: { unit: 'chars', size: 80, overlap: 0 } });
    expect(f32.index).toMatchObject({ precision: 'f32', exactRows: null, missing: 0 });
    const n = f32.index!.chunks;
    expect(n).toBeGreaterThan(400);

    const int8 = int8State(name);
    await int8.openIndex();
    await int8.loadEmbedder();
    expect(int8.index).toMatchObject({ precision: 'int8', exactRows: 'memory', vectors: n, chunks: n });
    const dense: SearchOptions = { k: 10, bm25: false, dense: true, rerank: false };
    const a = await f32.laneDeps(dense);
    const b = await int8.laneDeps(dense);
    for (let q = 0; q < 20; q++) {
      const query = Array.from({ length: 3 }, () => words[Math.floor(next() * words.length)]).join(' ');
      const [x, y] = [await a.search(query), await b.search(query)];
      expect(y.hits.map((h) => h.chunkId), query).toEqual(x.hits.map((h) => h.chunkId));
      y.hits.forEach((h, i) => expect(h.dense!.score).toBeCloseTo(x.hits[i].dense!.score, 5));
    }
  });

  it('the int8 index is rebuilt for a new library (clear) and keeps its precision', async () => {
    const { name } = freshDbName();
    const k = int8State(name);
    await k.openIndex();
    await k.loadEmbedder();
    await k.ingest({ name: 'a.md', bytes: utf8('# A\n\nAlpha text about taxis.'), maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
    expect(k.index).toMatchObject({ precision: 'int8', exactRows: 'memory', vectors: 1 });
    await k.clearAll();
    expect(k.index).toMatchObject({ precision: 'int8', vectors: 0, chunks: 0 });
    await k.ingest({ name: 'b.md', bytes: utf8('# B\n\nBeta text about hotels.'), maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
    const r = await (await k.laneDeps({ k: 1, bm25: false, dense: true, rerank: false })).search('hotels');
    expect(r.hits[0].text).toContain('hotels');
    expect(k.index).toMatchObject({ precision: 'int8', vectors: 1, chunks: 1 });
  });
});
