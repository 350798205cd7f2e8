// The stored documents' texts, prepared once for locating gold passages by position (a run's scoring
// and the test-set screen's check before a run read the same).

import { prepareDocument, type PreparedDoc } from '../../eval/gold';
import type { LabDb } from '../../store/db';
import { getDocument, listDocuments } from '../../store/documents';

export async function preparedLibrary(db: LabDb): Promise<PreparedDoc[]> {
  const out: PreparedDoc[] = [];
  for (const d of await listDocuments(db)) {
    const doc = await getDocument(db, d.id);
    if (doc) out.push(prepareDocument({ docId: doc.id, name: doc.name, text: doc.text }));
  }
  return out;
}
