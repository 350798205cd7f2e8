// Key-value settings (any structured-cloneable value, JSON in practice), e.g. chosen models and hosts.

import type { LabDb } from './db';
import { withQuota } from './quota';

/** The stored value for `key`, or `fallback` when none was stored. */
export async function getSetting<T>(db: LabDb, key: string, fallback: T): Promise<T> {
  const value = await db.get('settings', key);
  // The store holds `unknown`; the caller's fallback fixes the type, as settings are only written by this app.
  return value === undefined ? fallback : (value as T);
}

export async function setSetting(db: LabDb, key: string, value: unknown): Promise<void> {
  await withQuota(() => db.put('settings', value, key));
}

export async function deleteSetting(db: LabDb, key: string): Promise<void> {
  await db.delete('settings', key);
}
