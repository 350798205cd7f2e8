import { describe, expect, it } from 'vitest';
import { freshDb, makeChunks, makeDoc } from './helpers';
import { AppError } from '../../../src/protocol/errors';
import { inTransaction } from '../../../src/store/db';
import { saveDocumentWithChunks } from '../../../src/store/documents';
import { estimateBytes, formatMB, isQuotaError, withQuota } from '../../../src/store/quota';
import { approxBytes } from '../../../src/store/sizes';

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

async function caught(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('withQuota', () => {
  it('maps QuotaExceededError to AppError quota-exceeded with the space needed in MB', async () => {
    const e = await caught(withQuota(async () => { throw quota(); }, 12_345_678));
    expect(e.code).toBe('quota-exceeded');
    expect(e.detail).toEqual({ needed: 12_345_678 });
    expect(e.message).toContain('12.3 MB');
    expect(e.message).toContain('Models & Storage');
  });

  it('still maps it when the amount needed is unknown', async () => {
    const e = await caught(withQuota(async () => { throw quota(); }));
    expect(e.code).toBe('quota-exceeded');
    expect(e.detail).toEqual({});
    expect(e.message).toContain('Models & Storage');
  });

  it('finds the quota error inside a transaction, an abort event or a cause', async () => {
    const txLike = { name: 'AbortError', error: quota() };
    const abortEvent = { type: 'abort', target: { error: quota() } };
    const wrapped = new Error('write failed', { cause: quota() });
    for (const thrown of [txLike, abortEvent, wrapped]) {
      expect((await caught(withQuota(async () => { throw thrown; }, 1))).code).toBe('quota-exceeded');
    }
  });

  it('maps a transaction that aborts at commit with a quota error', async () => {
    const error = quota();
    const tx = { done: Promise.reject(error), error, abort: () => undefined };
    const e = await caught(withQuota(() => inTransaction(tx, async () => 'written'), 2_000_000));
    expect(e.code).toBe('quota-exceeded');
    expect(e.message).toContain('2.0 MB');
  });

  it('passes other errors and results through unchanged', async () => {
    const other = new DOMException('nope', 'AbortError');
    await expect(withQuota(async () => { throw other; })).rejects.toBe(other);
    expect(await withQuota(async () => 7)).toBe(7);
  });
});

describe('isQuotaError / formatMB', () => {
  it('recognises the legacy Firefox name and ignores unrelated values', () => {
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaError(new DOMException('x', 'ConstraintError'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
  });

  it('formats decimal megabytes, never showing 0.0 for a non-zero amount', () => {
    expect(formatMB(1_500_000)).toBe('1.5 MB');
    expect(formatMB(10)).toBe('0.1 MB');
    expect(formatMB(0)).toBe('0.0 MB');
  });
});

describe('estimateBytes', () => {
  it('counts text as UTF-16 and grows with chunks and vector dimensions', () => {
    const doc = makeDoc('d', { text: 'x'.repeat(1_000_000) });
    const chunks = makeChunks('d', 100);
    const base = estimateBytes(doc, []);
    expect(base).toBeGreaterThan(2_000_000);
    expect(base).toBeLessThan(2_001_000);
    const withChunks = estimateBytes(doc, chunks);
    expect(withChunks).toBe(base + chunks.reduce((n, c) => n + approxBytes(c), 0));
    expect(estimateBytes(doc, chunks, 384)).toBeGreaterThanOrEqual(withChunks + 100 * 384 * 4);
  });

  it('is what saveDocumentWithChunks reports when storage runs out, with nothing stored', async () => {
    const db = await freshDb();
    const doc = makeDoc('d');
    const chunks = makeChunks('d', 3);
    // fake-indexeddb has no quota: make the third chunk write fail the way a full disk does.
    const proto = IDBObjectStore.prototype;
    const realAdd = proto.add;
    let calls = 0;
    proto.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      if (this.name === 'chunks' && ++calls === 3) throw quota();
      return realAdd.apply(this, args);
    };
    try {
      const e = await caught(saveDocumentWithChunks(db, doc, chunks));
      expect(e.code).toBe('quota-exceeded');
      expect(e.detail).toEqual({ needed: estimateBytes(doc, chunks) });
    } finally {
      proto.add = realAdd;
    }
    expect(await db.count('documents')).toBe(0);
    expect(await db.count('chunks')).toBe(0);
  });
});
