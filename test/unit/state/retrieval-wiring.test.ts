// Contextual headers, one passage once, small-to-big and context sentences, end to end through the
// REAL knowledge handler (fixture embedder, fake-indexeddb) as the page drives it (KnowledgeState):
// what is indexed and embedded, how old-format vectors are treated, what a search returns and records.

import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../../src/chunking/chunk';
import { chunkHeader, indexedText } from '../../../src/retrieval/contextual';
import { getChunks, listDocuments } from '../../../src/store/documents';
import { countVectors, putVectors, vectorTag, vectorsForModel } from '../../../src/store/vectors';
import { openDb } from '../../../src/store/db';
import { runLane } from '../../../src/lab/run-lane';
import { makePdf } from '../../fixtures/make-files';
import { EMBED, checkFixtures, freshDbName, knowledgeState, llmState, prefs, utf8 } from './harness';

beforeAll(checkFixtures);

const both = { k: 4, bm25: true, dense: true, rerank: false };
const CHUNKING = { unit: 'chars' as const, size: 400, overlap: 0 };

// The same allkeys-lru sentence shape in two documents: only the header says which one is Redis's.
const REDIS = '# Eviction\n\nThe allkeys-lru policy evicts the least recently used keys first when memory is full.';
const CACHE = '# Eviction\n\nThe allkeys-lru option removes the least recently used items first when the cache is full.';

// One manual, once as Markdown and once as a PDF printed from the same paragraphs.
const PARAGRAPHS = [
  'Backups run every night at two o\u2019clock and are kept for thirty days on the storage cluster in the second data centre.',
  'Restoring a backup needs a ticket approved by the data owner; the restore itself takes about four hours for a full volume.',
  'Encryption keys for the backups are rotated every ninety days and stored in the hardware security module, never on disk.',
];

async function library(dbName: string) {
  const { state, workers } = knowledgeState(dbName, prefs());
  await state.openIndex();
  await state.loadEmbedder();
  return Object.assign(state, { workers });
}

async function docId(dbName: string, name: string): Promise<string> {
  const db = await openDb(dbName);
  return (await listDocuments(db)).find((d) => d.name === name)!.id;
}

describe('contextual headers', () => {
  it('index and embed each chunk with its document and section; a question naming the document finds it', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    await k.ingest({ name: 'redis.md', bytes: utf8(REDIS), maxBytes: 1e6, chunking: CHUNKING });
    await k.ingest({ name: 'memcached-notes.md', bytes: utf8(CACHE), maxBytes: 1e6, chunking: CHUNKING });
    const r = await (await k.laneDeps({ ...both, dense: false })).search('What does allkeys-lru mean in redis?');
    expect(r.hits[0].docName).toBe('redis.md');
    // A Markdown document's first heading is its title: the label is "file name (title)".
    expect(r.hits[0].indexed).toEqual({ header: 'redis (Eviction)' });
    // Without the header the two chunks would tie on every query term but "redis", which only the header holds.
    expect(r.hits[0].text).not.toMatch(/redis/i);

    // The stored vector is the embedding of the indexed text (header + chunk), tagged with that format.
    const db = await openDb(name);
    const [chunk] = await getChunks(db, await docId(name, 'redis.md'));
    const stored: Float32Array[] = [];
    for await (const batch of vectorsForModel(db, vectorTag(EMBED))) for (const v of batch) if (v.id === chunk.id) stored.push(v.vector);
    const doc = (await listDocuments(db)).find((d) => d.name === 'redis.md')!;
    expect(doc.title).toBe('Eviction');
    const { vectors } = await k.embed([indexedText(chunkHeader({ name: doc.name, title: doc.title, headingPath: chunk.headingPath }), chunk.text)], 'passage');
    expect(Array.from(stored[0])).toEqual(Array.from(vectors));
    expect(await countVectors(db, EMBED)).toBe(0);
    expect(k.index).toMatchObject({ embedModel: EMBED, missing: 0, vectors: 2 });
  });

  it('vectors stored from bare chunk text count as missing and are embedded again', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    await k.ingest({ name: 'redis.md', bytes: utf8(REDIS), maxBytes: 1e6, chunking: CHUNKING });
    await k.ingest({ name: 'memcached-notes.md', bytes: utf8(CACHE), maxBytes: 1e6, chunking: CHUNKING });
    // What an earlier version stored: the bare embedder id, vectors of the chunk text alone (overwriting by chunk id).
    const db = await openDb(name);
    for (const d of await listDocuments(db)) {
      const chunks = await getChunks(db, d.id);
      const { vectors, dim } = await k.embed(chunks.map((c) => c.text), 'passage');
      await putVectors(db, EMBED, dim, chunks.map((c, i) => ({ id: c.id, docId: c.docId, vector: vectors.subarray(i * dim, (i + 1) * dim) })));
    }
    const { state: reloaded } = knowledgeState(name, prefs());
    expect(await reloaded.openIndex()).toMatchObject({ chunks: 2, vectors: 0, missing: 2, embedModel: EMBED });
    await reloaded.embedMissing();
    expect(reloaded.index).toMatchObject({ vectors: 2, missing: 0, embedModel: EMBED });
    expect(await countVectors(db, vectorTag(EMBED))).toBe(2);
    expect(await countVectors(db, EMBED)).toBe(0);
  });
});

describe('one passage, once', () => {
  it('the PDF copy of a Markdown file is collapsed into one hit that lists the other source', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    await k.ingest({ name: 'backup-manual.md', bytes: utf8(`# Backups\n\n${PARAGRAPHS.join('\n\n')}`), maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
    const pdf = await makePdf([PARAGRAPHS.flatMap((p) => p.match(/.{1,70}(\s|$)/g)!.map((l) => l.trim()))]);
    await k.ingest({ name: 'backup-manual.pdf', bytes: pdf.buffer.slice(pdf.byteOffset, pdf.byteOffset + pdf.byteLength) as ArrayBuffer, maxBytes: 1e6, chunking: DEFAULT_CHUNKING });
    expect(k.index?.docs).toBe(2);
    const r = await (await k.laneDeps(both)).search('How long are backups kept?');
    expect(r.ran.collapsed).toBeGreaterThanOrEqual(1);
    expect(r.hits.map((h) => h.rank)).toEqual(r.hits.map((_, i) => i + 1));
    const first = r.hits[0];
    expect(first.text).toContain('thirty days');
    expect(first.alsoIn?.map((d) => d.docName)).toEqual([first.docName === 'backup-manual.md' ? 'backup-manual.pdf' : 'backup-manual.md']);
    expect(first.alsoIn![0].similarity).toBeGreaterThanOrEqual(0.5);
    // Never the same passage twice in the list.
    expect(r.hits.filter((h) => h.text.includes('thirty days'))).toHaveLength(1);
    expect(r.ran.collapsed).toBe(r.hits.reduce((n, h) => n + (h.alsoIn?.length ?? 0), 0));
  });
});

describe('small-to-big', () => {
  const MANUAL = [
    '# Travel',
    '## Flights',
    'Economy class is booked for flights under six hours. Business class needs the approval of a director. Tickets are booked through the travel desk at least two weeks ahead.',
    '## Hotels',
    'Hotel rooms cost at most 600 yuan per night. Breakfast is included in the room rate.',
  ].join('\n\n');

  it('hits carry their enclosing section within the budget; the run record says small-to-big ran; the prompt shows the section', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    await k.ingest({ name: 'travel.md', bytes: utf8(MANUAL), maxBytes: 1e6, chunking: { unit: 'chars', size: 80, overlap: 0 } });
    const plain = await (await k.laneDeps({ ...both, dense: false })).search('Which class for flights under six hours?');
    expect(plain.ran.smallToBig).toBeUndefined();
    expect(plain.hits[0].passage).toBeUndefined();

    const r = await (await k.laneDeps({ ...both, dense: false, smallToBig: { budget: 400 } })).search('Which class for flights under six hours?');
    expect(r.ran.smallToBig).toBe(true);
    const top = r.hits[0];
    expect(top.text.length).toBeLessThan(100);
    expect(top.passage?.expanded).toBe('section');
    expect(top.passage?.text).toContain('Economy class is booked');
    expect(top.passage?.text).toContain('two weeks ahead');
    expect(top.passage?.headingPath).toEqual(['Travel', 'Flights']);
    // Other chunks of the same section are inside the top hit's passage, not repeated.
    const inside = r.hits.filter((h) => h.inPassageOf === top.chunkId);
    expect(inside.length).toBeGreaterThan(0);
    expect(top.passage?.holds).toEqual(inside.map((h) => h.chunkId));
    const total = r.hits.reduce((n, h) => n + (h.passage?.tokens ?? 0), 0);
    expect(total).toBeLessThanOrEqual(400);

    // The RAG lane puts the section into its prompt (the echo model repeats the prompt's last message).
    const { state: llm } = llmState(prefs());
    const lane = await runLane(
      'Which class for flights under six hours?',
      { method: 'rag', systemPrompt: '', lang: 'en', params: { maxNewTokens: 400, temperature: 0, topP: 1 }, retrieval: { ...both, dense: false, budget: 400, smallToBig: true }, fewShot: { k: 0, similar: false }, examples: [] },
      { retrieval: (o) => k.laneDeps(o), embed: (t, kind, s) => k.embed(t, kind, s), generate: (m, p, onToken, s) => llm.generate(m, p, onToken, s) },
    );
    expect(lane.ran.retrieval?.smallToBig).toBe(true);
    expect(lane.context[0].text).toBe(top.passage?.text);
    expect(lane.context.map((c) => c.id)).not.toContain(inside[0].chunkId);
    expect(lane.gen.text).toContain('Tickets are booked through the travel desk at least two weeks ahead.');
  }, 60_000);
});

describe('context sentences', () => {
  it('a stored sentence is indexed and embedded with its chunk, says who wrote it, and can be removed', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    await k.ingest({ name: 'redis.md', bytes: utf8(REDIS), maxBytes: 1e6, chunking: CHUNKING });
    const db = await openDb(name);
    const [chunk] = await getChunks(db, await docId(name, 'redis.md'));
    const search = async (q: string) => (await (await k.laneDeps({ ...both, dense: false })).search(q)).hits;
    expect(await search('eviction mechanism overview')).toHaveLength(1);
    expect(await search('maxmemory')).toHaveLength(0);

    await k.setContexts([{ id: chunk.id, context: 'Explains the maxmemory eviction policies of the Redis configuration.', model: 'test/writer-model' }]);
    expect(k.index).toMatchObject({ vectors: 1, missing: 0 });
    const hits = await search('maxmemory');
    expect(hits.map((h) => h.chunkId)).toEqual([chunk.id]);
    expect(hits[0].indexed).toEqual({ header: 'redis (Eviction)', context: 'Explains the maxmemory eviction policies of the Redis configuration.', contextModel: 'test/writer-model' });
    const [stored] = await getChunks(db, chunk.docId);
    expect(stored).toMatchObject({ context: 'Explains the maxmemory eviction policies of the Redis configuration.', contextModel: 'test/writer-model' });
    // The new vector is the embedding of header + sentence + chunk.
    const want = (await k.embed([indexedText('redis (Eviction)', chunk.text, stored.context)], 'passage')).vectors;
    const got: Float32Array[] = [];
    for await (const b of vectorsForModel(db, vectorTag(EMBED))) got.push(...b.map((v) => v.vector));
    expect(Array.from(got[0])).toEqual(Array.from(want));

    // A reload rebuilds the same index from the store.
    const { state: reloaded } = knowledgeState(name, prefs());
    await reloaded.openIndex();
    expect((await (await reloaded.laneDeps({ ...both, dense: false })).search('maxmemory')).hits).toHaveLength(1);

    await k.setContexts([{ id: chunk.id, context: null }]);
    expect(await search('maxmemory')).toHaveLength(0);
    expect((await getChunks(db, chunk.docId))[0].context).toBeUndefined();
  });

  it('refuses a sentence that does not say which model wrote it, and stores nothing', async () => {
    const { name } = freshDbName();
    const k = await library(name);
    await k.ingest({ name: 'redis.md', bytes: utf8(REDIS), maxBytes: 1e6, chunking: CHUNKING });
    const db = await openDb(name);
    const [chunk] = await getChunks(db, await docId(name, 'redis.md'));
    await expect(k.setContexts([{ id: chunk.id, context: 'Unsigned.' }])).rejects.toMatchObject({ code: 'bad-request' });
    expect((await getChunks(db, chunk.docId))[0].context).toBeUndefined();
    expect(k.index).toMatchObject({ vectors: 1, missing: 0 });
  });
});
