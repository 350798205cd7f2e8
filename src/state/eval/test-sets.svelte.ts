// Test sets on the Evaluate screen: the stored sets, the one being edited, its questions (add, edit,
// delete), import from a file (bad rows reported, good rows kept) and export; the held-out split
// (chosen once, extended as questions are added, never moving one) and the log of fine-tuning exports.

import { DEFAULT_SEED } from '../../eval/summary';
import { exportedOverlap, extendSplit, makeSplit, type ExportLogEntry, type HeldOutSplit } from '../../eval/split';
import { parseTestSetBytes, toCsv, toJson, toJsonl, type ImportError } from '../../eval/testset';
import type { LabDb, TestItem, TestSetRecord } from '../../store/db';
import { appendExportLog, deleteTestSet, listTestSets, putTestSet } from '../../store/testsets';
import { safeName, type OutFile } from './files';

export interface ImportReport {
  fileName: string;
  imported: number;
  errors: ImportError[];
}

export class TestSetsState {
  sets = $state.raw<TestSetRecord[]>([]);
  setId = $state<string | null>(null);
  importReport = $state<ImportReport | null>(null);
  /** A file that could not be imported at all (binary, unreadable); nothing was changed. */
  importError = $state<unknown>(null);

  constructor(
    private readonly db: () => Promise<LabDb>,
    /** The name of a set created without one, in the UI language. */
    private readonly untitled: () => string,
  ) {}

  set = $derived(this.sets.find((s) => s.id === this.setId) ?? null);

  async refresh(): Promise<void> {
    this.sets = await listTestSets(await this.db());
    if (!this.set) this.setId = this.sets.at(-1)?.id ?? null;
  }

  async #save(set: TestSetRecord): Promise<void> {
    const db = await this.db();
    // Questions added since the split was chosen join it here; the ones it already has never move.
    const record = $state.snapshot(set) as TestSetRecord;
    if (record.split) record.split = extendSplit(record.split, record.items);
    await putTestSet(db, record);
    this.sets = await listTestSets(db);
    this.setId = set.id;
  }

  async create(name: string, items: TestItem[] = []): Promise<void> {
    await this.#save({ id: crypto.randomUUID(), name: name.trim() || this.untitled(), createdAt: Date.now(), items });
  }

  async rename(name: string): Promise<void> {
    if (this.set && name.trim()) await this.#save({ ...this.set, name: name.trim() });
  }

  async remove(): Promise<void> {
    if (!this.set) return;
    const db = await this.db();
    await deleteTestSet(db, this.set.id);
    this.sets = await listTestSets(db);
    this.setId = this.sets.at(-1)?.id ?? null;
  }

  /** Adds or replaces (by `replaceId`, else by id) one question of the current set. */
  async saveItem(item: TestItem, replaceId?: string): Promise<void> {
    const set = this.set;
    if (!set) return;
    const at = set.items.findIndex((i) => i.id === (replaceId ?? item.id));
    const items = [...set.items];
    if (at >= 0) items[at] = item;
    else items.push(item);
    await this.#save({ ...set, items });
  }

  async deleteItem(id: string): Promise<void> {
    if (this.set) await this.#save({ ...this.set, items: this.set.items.filter((i) => i.id !== id) });
  }

  /** An id not yet used in the current set: q1, q2, … */
  nextItemId(prefix = 'q'): string {
    const used = new Set(this.set?.items.map((i) => i.id));
    let n = (this.set?.items.length ?? 0) + 1;
    while (used.has(`${prefix}${n}`)) n++;
    return `${prefix}${n}`;
  }

  /**
   * Imports a file as a new test set named after it; bad rows are reported, good rows kept. Bytes,
   * not text: GBK, Big5 and UTF-16 sets are decoded by what they are (a binary file is refused).
   */
  async importFile(file: File): Promise<void> {
    this.importError = null;
    this.importReport = null;
    try {
      const { items, errors } = parseTestSetBytes(file.name, new Uint8Array(await file.arrayBuffer()));
      this.importReport = { fileName: file.name, imported: items.length, errors };
      if (items.length) await this.create(file.name.replace(/\.[^.]+$/u, ''), items);
    } catch (e) {
      this.importError = e;
    }
  }

  exportSet(format: 'json' | 'jsonl' | 'csv'): OutFile | null {
    const set = this.set;
    if (!set) return null;
    const base = safeName(set.name);
    if (format === 'csv') return { name: `${base}.csv`, mime: 'text/csv', text: toCsv(set.items, { bom: true }) };
    if (format === 'jsonl') return { name: `${base}.jsonl`, mime: 'application/jsonl', text: toJsonl(set.items) };
    return { name: `${base}.json`, mime: 'application/json', text: toJson(set.items) };
  }

  // ---------- held-out split and export log ----------

  /** Train / held-out counts of the current set's questions (null without a split). */
  get splitCounts(): { train: number; heldOut: number } | null {
    const set = this.set;
    if (!set?.split) return null;
    const held = new Set(set.split.heldOut);
    const heldOut = set.items.filter((it) => held.has(it.id)).length;
    return { train: set.items.length - heldOut, heldOut };
  }

  /** The current set's held-out question ids, in the set's order (empty without a split). */
  get heldOutIds(): string[] {
    const set = this.set;
    if (!set?.split) return [];
    const held = new Set(set.split.heldOut);
    return set.items.filter((it) => held.has(it.id)).map((it) => it.id);
  }

  /**
   * A split can be changed until training data was exported from it: after that, moving a question
   * from training to held-out would put a question a model was trained on among the evaluation ones.
   */
  get splitLocked(): boolean {
    return Boolean(this.set?.split && this.set.exports?.length);
  }

  /** Questions of the current set that its export log says were exported for training, and in which exports. */
  get trained(): { itemIds: string[]; entries: ExportLogEntry[] } {
    const set = this.set;
    if (!set) return { itemIds: [], entries: [] };
    return exportedOverlap(set.exports ?? [], set.id, set.items.map((it) => it.id));
  }

  /**
   * Holds out `share` (0..1) of the current set's questions for evaluation, seeded and stratified by
   * answerable / unanswerable (`makeSplit`), and stores the split with the set. Refused once locked.
   */
  async holdOut(share: number, seed: number = DEFAULT_SEED): Promise<void> {
    const set = this.set;
    if (!set || this.splitLocked) return;
    const split = makeSplit(set.items, { seed: Math.trunc(seed) >>> 0, heldOutShare: share, now: Date.now() });
    await this.#save({ ...set, split });
  }

  /**
   * The stored split of a set, first extended to questions it does not know yet (a set imported or
   * edited elsewhere) and saved, so an export never decides a question's side on its own. Null: no split.
   */
  async coveredSplit(setId: string): Promise<HeldOutSplit | null> {
    const set = this.sets.find((s) => s.id === setId);
    if (!set?.split) return null;
    const split = extendSplit(set.split, set.items);
    if (split !== set.split) {
      const keep = this.setId;
      await this.#save({ ...set, split });
      this.setId = keep;
    }
    return split;
  }

  /** Appends an export to a set's log (one transaction) and rereads the list; false when the set is gone. */
  async logExport(setId: string, entry: ExportLogEntry): Promise<boolean> {
    const db = await this.db();
    const updated = await appendExportLog(db, setId, entry);
    this.sets = await listTestSets(db);
    return updated !== null;
  }
}
