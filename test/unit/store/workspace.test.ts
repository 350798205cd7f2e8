import { describe, expect, it } from 'vitest';
import { freshDb, makeChunks, makeDoc, vec } from './helpers';
import { STORE_NAMES, type LabDb } from '../../../src/store/db';
import { getDocument, getChunks, saveDocumentWithChunks } from '../../../src/store/documents';
import { putVectors } from '../../../src/store/vectors';
import { setSetting } from '../../../src/store/settings';
import { putExample } from '../../../src/store/examples';
import { putTestSet } from '../../../src/store/testsets';
import { putEvalItem, putEvalRun, putRun } from '../../../src/store/runs';
import {
  base64ToFloat32, exportWorkspace, float32ToBase64, importWorkspace, type WorkspaceBundle,
} from '../../../src/store/workspace';

async function populate(db: LabDb): Promise<void> {
  await saveDocumentWithChunks(db, makeDoc('a', { title: '手册', pages: 2, embedModel: 'e5' }), makeChunks('a', 3));
  await saveDocumentWithChunks(db, makeDoc('b', { sample: true }), makeChunks('b', 2));
  await putVectors(db, 'e5', 3, makeChunks('a', 3).map((c, i) => ({ id: c.id, docId: 'a', vector: vec(3, i) })));
  await setSetting(db, 'host', 'http://mirror.local');
  await setSetting(db, 'fusion', { k: 60, weights: [0.5, 0.5] });
  await putExample(db, { id: 'x1', question: 'Q', answer: 'A', createdAt: 1 });
  await putTestSet(db, { id: 't1', name: 'T', createdAt: 2, items: [{ id: 'i1', question: 'Q', answer: 'A', goldPassages: ['a:0'], tags: [] }] });
  await putRun(db, { id: 'r1', createdAt: 3, question: 'Q', settings: { topK: 4 }, model: 'qwen', engine: 'webllm', lanes: [{ method: 'rag', answer: 'A' }] });
  await putEvalRun(db, { id: 'e1', testSetId: 't1', createdAt: 4, status: 'done', config: { methods: ['rag'] } });
  await putEvalItem(db, { evalRunId: 'e1', itemId: 'i1', method: 'rag', result: { f1: 1 } });
}

/** Every record of every store, keyed records with their keys (settings have out-of-line keys). */
async function dump(db: LabDb): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of STORE_NAMES) {
    const tx = db.transaction(name, 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(), tx.done]);
    out[name] = keys.map((k, i) => [k, values[i]]);
  }
  return out;
}

const viaJson = (b: WorkspaceBundle): unknown => JSON.parse(JSON.stringify(b));

describe('float32 base64', () => {
  it('round-trips exactly, including views into larger buffers', () => {
    const big = Float32Array.from([9, 1.5, -0.25, 3e-39, 7]);
    const view = big.subarray(1, 4);
    const back = base64ToFloat32(float32ToBase64(view));
    expect(back).toEqual(Float32Array.from([1.5, -0.25, 3e-39]));
    expect(float32ToBase64(new Float32Array(0))).toBe('');
    expect(base64ToFloat32(float32ToBase64(vec(5000, 3)))).toEqual(vec(5000, 3));
  });
});

describe('exportWorkspace', () => {
  it('produces a JSON-serializable bundle with format, version and base64 vectors', async () => {
    const db = await freshDb();
    await populate(db);
    const bundle = await exportWorkspace(db, { includeVectors: true });
    expect(bundle.format).toBe('method-lab-workspace');
    expect(bundle.version).toBe(1);
    expect(bundle.documents.map((d) => d.id)).toEqual(['a', 'b']);
    expect(bundle.documents[0].text).toBe(makeDoc('a').text);
    expect(bundle.chunks).toHaveLength(5);
    expect(bundle.vectors).toHaveLength(3);
    expect(typeof bundle.vectors[0].vector).toBe('string');
    expect(base64ToFloat32(bundle.vectors[0].vector)).toEqual(vec(3, 0));
    expect(bundle.settings).toEqual([
      { key: 'fusion', value: { k: 60, weights: [0.5, 0.5] } },
      { key: 'host', value: 'http://mirror.local' },
    ]);
    expect(viaJson(bundle)).toEqual(bundle);

    expect((await exportWorkspace(db, { includeVectors: false })).vectors).toEqual([]);
  });
});

describe('importWorkspace', () => {
  it('into a fresh database reproduces deep-equal records in every store', async () => {
    const source = await freshDb();
    await populate(source);
    const bundle = viaJson(await exportWorkspace(source, { includeVectors: true }));

    const target = await freshDb();
    const report = await importWorkspace(target, bundle, { mode: 'merge' });
    expect(report).toEqual({
      imported: { documents: 2, chunks: 5, vectors: 3, settings: 2, examples: 1, testsets: 1, runs: 1, evalRuns: 1, evalItems: 1 },
      skippedDuplicates: [],
    });
    expect(await dump(target)).toEqual(await dump(source));
    const stored = await target.get('vectors', 'a:1');
    expect(stored?.vector).toBeInstanceOf(Float32Array);
    expect(stored?.vector).toEqual(vec(3, 1));
  });

  it('a bundle from before results were keyed by arm imports (arm = method); a malformed held-out split is refused', async () => {
    const source = await freshDb();
    await populate(source);
    const bundle = viaJson(await exportWorkspace(source, { includeVectors: false })) as Record<string, unknown> & { evalItems: Record<string, unknown>[]; testsets: Record<string, unknown>[] };
    for (const r of bundle.evalItems) delete r.arm;
    const target = await freshDb();
    await importWorkspace(target, bundle, { mode: 'merge' });
    expect((await target.getAll('evalItems')).map((r) => r.arm)).toEqual(['rag']);
    bundle.testsets[0].split = { seed: 1, heldOutShare: 0.3, heldOut: [7], train: [] };
    await expect(importWorkspace(await freshDb(), bundle, { mode: 'merge' })).rejects.toThrow('testsets[0].split.heldOut must list item ids.');
  });

  it('replace mode clears what was there first', async () => {
    const source = await freshDb();
    await populate(source);
    const bundle = await exportWorkspace(source, { includeVectors: false });

    const target = await freshDb();
    await saveDocumentWithChunks(target, makeDoc('local'), makeChunks('local', 2));
    await setSetting(target, 'local-only', 1);
    await importWorkspace(target, bundle, { mode: 'replace' });

    expect(await getDocument(target, 'local')).toBeUndefined();
    expect(await target.get('settings', 'local-only')).toBeUndefined();
    expect(await target.count('vectors')).toBe(0);
    const { vectors: _v, ...rest } = await dump(target);
    const { vectors: _w, ...expected } = await dump(source);
    expect(rest).toEqual(expected);
  });

  it('merge mode keeps local data and skips documents whose file is already stored', async () => {
    const source = await freshDb();
    await populate(source);
    const bundle = await exportWorkspace(source, { includeVectors: true });

    const target = await freshDb();
    // The same file as bundle document "a", stored locally under another id.
    await saveDocumentWithChunks(target, makeDoc('mine', { hash: 'hash-a', name: 'mine.txt' }), makeChunks('mine', 1));
    // A different file that happens to reuse bundle document "b"'s id: its old chunks must go.
    await saveDocumentWithChunks(target, makeDoc('b', { hash: 'other' }), makeChunks('b', 6));

    const report = await importWorkspace(target, bundle, { mode: 'merge' });
    expect(report.skippedDuplicates).toEqual(['a.txt']);
    expect(report.imported).toMatchObject({ documents: 1, chunks: 2, vectors: 0 });
    expect(await getDocument(target, 'a')).toBeUndefined();
    expect((await getDocument(target, 'mine'))?.name).toBe('mine.txt');
    expect((await getDocument(target, 'b'))?.hash).toBe('hash-b');
    expect(await getChunks(target, 'b')).toEqual(makeChunks('b', 2));
  });

  it('rejects files that are not workspace bundles with clear bad-request errors, changing nothing', async () => {
    const source = await freshDb();
    await populate(source);
    const good = viaJson(await exportWorkspace(source, { includeVectors: true })) as Record<string, unknown>;
    const target = await freshDb();
    await setSetting(target, 'keep', true);

    const cases: [unknown, RegExp][] = [
      [null, /not a Method Lab workspace/],
      [{ ...good, format: 'something-else' }, /not a Method Lab workspace/],
      [{ ...good, version: 2 }, /newer Method Lab.*version 2/],
      [{ ...good, version: '1' }, /unsupported format version/],
      [{ ...good, chunks: 'nope' }, /"chunks" must be a list/],
      [{ ...good, documents: [{ ...(good.documents as object[])[0], hash: 5 }] }, /documents\[0\]\.hash must be a string/],
      [{ ...good, documents: (good.documents as object[]).slice(1) }, /belongs to document a, which is not in the file/],
      [{ ...good, vectors: [{ ...(good.vectors as object[])[0], dim: 4 }] }, /has 3 values but dim 4/],
      [{ ...good, vectors: [{ ...(good.vectors as object[])[0], vector: '@@@' }] }, /not base64/],
      [{ ...good, evalRuns: [{ ...(good.evalRuns as object[])[0], status: 'weird' }] }, /evalRuns\[0\]\.status/],
      [{ ...good, documents: [...(good.documents as object[]), (good.documents as object[])[0]] }, /repeats id a/],
    ];
    for (const [bundle, message] of cases) {
      const e = await importWorkspace(target, bundle, { mode: 'replace' }).catch((err: unknown) => err);
      expect(e).toMatchObject({ code: 'bad-request' });
      expect((e as Error).message).toMatch(message);
    }
    expect(await target.get('settings', 'keep')).toBe(true);
    expect(await target.count('documents')).toBe(0);
  });
});
