// The page's one database connection, opened on first use and reopened after a failed open. Workers
// open their own (a connection cannot cross threads).

import { openDb, type LabDb } from './db';

let dbPromise: Promise<LabDb> | null = null;

export function pageDb(): Promise<LabDb> {
  dbPromise ??= openDb();
  dbPromise.catch(() => (dbPromise = null));
  return dbPromise;
}
