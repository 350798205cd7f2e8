// Maps the browser's storage-quota failures to an AppError telling the user how much space is
// needed and where to free it. Quota errors often surface at commit time, as the transaction's
// error, or wrapped in an abort, so the check looks inside those too.

import { AppError } from '../protocol/errors';
import type { ChunkRecord, StoredDocument } from './db';
import { approxBytes } from './sizes';

/** True for a QuotaExceededError, bare or carried by a transaction, request, event or `cause`. */
export function isQuotaError(e: unknown, depth = 0): boolean {
  if (typeof e !== 'object' || e === null || depth > 4) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  // Firefox used its own name, and legacy engines only set the numeric code 22.
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  if (code === 22 && e instanceof DOMException) return true;
  return ['error', 'cause', 'target'].some((key) => isQuotaError(read(e, key), depth + 1));
}

function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    // IDBRequest.error throws while the request is pending: then it carries no error yet.
    return undefined;
  }
}

/** Bytes as decimal megabytes with one decimal, never "0.0 MB" for a non-zero amount. */
export function formatMB(bytes: number): string {
  const mb = bytes / 1_000_000;
  return `${bytes > 0 && mb < 0.1 ? '0.1' : mb.toFixed(1)} MB`;
}

export function quotaError(neededBytes?: number): AppError {
  const free = 'Free space on the Models & Storage screen (delete unused models or documents) and try again.';
  if (neededBytes === undefined || !(neededBytes > 0)) {
    return new AppError('quota-exceeded', `The browser storage quota is exhausted. ${free}`);
  }
  const needed = Math.ceil(neededBytes);
  return new AppError('quota-exceeded', `Not enough browser storage: this needs about ${formatMB(needed)}. ${free}`, { needed });
}

/** Runs a write; a quota failure becomes AppError('quota-exceeded'), other errors pass unchanged. */
export async function withQuota<T>(fn: () => Promise<T>, neededBytes?: number): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isQuotaError(e)) throw quotaError(neededBytes);
    throw e;
  }
}

/** Estimated bytes to store a document, its chunks and (when `dim` > 0) one float32 vector per chunk. */
export function estimateBytes(doc: StoredDocument, chunks: readonly ChunkRecord[], dim = 0): number {
  let total = approxBytes(doc);
  for (const chunk of chunks) total += approxBytes(chunk);
  if (dim > 0) total += chunks.length * (4 * dim + 96);
  return total;
}
