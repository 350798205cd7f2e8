// "Clear everything": empties every object store of the database in one transaction, so either
// all records are gone or (on failure) none are. The schema stays; the app keeps working after.

import { STORE_NAMES, inTransaction, requestAll, type LabDb } from './db';

/** Deletes every record in every store (documents, texts, chunks, vectors, settings, runs…). */
export async function clearAll(db: LabDb): Promise<void> {
  const tx = db.transaction([...STORE_NAMES], 'readwrite');
  await inTransaction(tx, () => requestAll(STORE_NAMES.map((name) => () => tx.objectStore(name).clear())));
}
