import { describe, expect, it } from 'vitest';
import { freshDb } from './helpers';
import { openDB } from 'idb';
import { DB_VERSION, STORE_NAMES, inTransaction, openDb, requestAll } from '../../../src/store/db';
import { evalItemsFor, finishedKeys, putEvalItem } from '../../../src/store/runs';

describe('openDb', () => {
  it('creates every store and index when upgrading from an empty database', async () => {
    const db = await freshDb();
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([...STORE_NAMES].sort());

    const tx = db.transaction([...STORE_NAMES], 'readonly');
    const documents = tx.objectStore('documents');
    expect(documents.keyPath).toBe('id');
    expect(documents.index('by-hash').unique).toBe(true);
    expect(documents.index('by-hash').keyPath).toBe('hash');
    expect(documents.index('by-added').keyPath).toBe('addedAt');
    expect(tx.objectStore('texts').keyPath).toBe('id');
    expect(tx.objectStore('chunks').index('by-doc').keyPath).toBe('docId');
    expect(tx.objectStore('vectors').index('by-doc').keyPath).toBe('docId');
    expect(tx.objectStore('vectors').index('by-model').keyPath).toBe('model');
    expect(tx.objectStore('settings').keyPath).toBeNull();
    expect(tx.objectStore('runs').index('by-created').keyPath).toBe('createdAt');
    expect(tx.objectStore('evalRuns').keyPath).toBe('id');
    expect(tx.objectStore('evalItems').keyPath).toEqual(['evalRunId', 'itemId', 'arm']);
    expect(tx.objectStore('evalItems').index('by-run').keyPath).toBe('evalRunId');
    await tx.done;
  });

  it('reopening an existing database keeps its data (no second upgrade)', async () => {
    const name = `reopen-${Date.now()}`;
    const first = await openDb(name);
    await first.put('settings', 42, 'answer');
    first.close();
    const second = await openDb(name);
    expect(await second.get('settings', 'answer')).toBe(42);
    second.close();
  });

  it('closes itself when another connection wants to upgrade, and says so', async () => {
    const name = `blocking-${Date.now()}`;
    let closed = 0;
    const db = await openDb(name, { closed: () => closed++ });
    const upgraded = await new Promise<number>((resolve, reject) => {
      const req = indexedDB.open(name, DB_VERSION + 1);
      req.onsuccess = () => {
        req.result.close();
        resolve(req.result.version);
      };
      req.onerror = () => reject(req.error);
    });
    expect(upgraded).toBe(DB_VERSION + 1);
    expect(closed).toBe(1);
    expect(() => db.transaction('settings')).toThrow();
  });
});

describe('inTransaction', () => {
  it('aborts requests already queued when the work throws synchronously', async () => {
    const db = await freshDb();
    const tx = db.transaction('settings', 'readwrite');
    const run = inTransaction(tx, () => requestAll([
      () => tx.store.put('kept?', 'a'),
      () => {
        throw new Error('boom');
      },
    ]));
    await expect(run).rejects.toThrow('boom');
    expect(await db.count('settings')).toBe(0);
  });

  it('rethrows the transaction error rather than the AbortError of its requests', async () => {
    const quota = new DOMException('full', 'QuotaExceededError');
    const done = Promise.reject(quota);
    const fakeTx = { done, error: quota, abort: () => undefined };
    await expect(inTransaction(fakeTx, async () => 1)).rejects.toBe(quota);
  });
});

describe('upgrade to version 2: evaluation results keyed by arm', () => {
  it('moves results stored by method over (arm = method), and then holds one answer per model', async () => {
    const name = `v1-${process.pid}-${Date.now()}`;
    // A version-1 database as the first release created it, with one stored result.
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        for (const s of ['documents', 'texts', 'chunks', 'vectors', 'examples', 'testsets', 'runs', 'evalRuns']) db.createObjectStore(s, s === 'settings' ? {} : { keyPath: 'id' });
        db.createObjectStore('settings');
        db.createObjectStore('evalItems', { keyPath: ['evalRunId', 'itemId', 'method'] }).createIndex('by-run', 'evalRunId');
      },
    });
    await v1.put('evalItems', { evalRunId: 'r', itemId: 'q1', method: 'rag', result: { answer: 'kept' } });
    v1.close();

    const db = await openDb(name);
    expect(db.version).toBe(2);
    expect(await evalItemsFor(db, 'r')).toEqual([{ evalRunId: 'r', itemId: 'q1', method: 'rag', arm: 'rag', result: { answer: 'kept' } }]);
    await putEvalItem(db, { evalRunId: 'g', itemId: 'q1', method: 'rag', model: 'catalog:a', result: 1 });
    await putEvalItem(db, { evalRunId: 'g', itemId: 'q1', method: 'rag', model: 'file:b', result: 2 });
    expect((await evalItemsFor(db, 'g')).map((r) => r.result).sort()).toEqual([1, 2]);
    expect((await finishedKeys(db, 'g')).size).toBe(2);
    db.close();
  });
});
