// Stored evaluation runs and the one on screen: its summary, per-question results, the user's thumbs,
// whether it ran on held-out questions only, result/bundle exports, and importing someone else's bundle.

import { summarize, loadRunSummary, type RunSummary } from '../../eval/summary';
import type { EvalConfig, EvalItemResult } from '../../eval/runner';
import { bundleToJson, importBundle, makeBundle, parseBundle, type BundleImport } from '../../export/bundle';
import { resultRows, resultsToCsv, resultsToJson } from '../../export/results';
import type { EvalRunRecord, LabDb } from '../../store/db';
import { deleteEvalRun, getEvalRun, listEvalRuns, putEvalItem } from '../../store/runs';
import { getTestSet } from '../../store/testsets';
import type { MethodId } from '../../strategies/types';
import { safeName, type OutFile } from './files';

export interface RunView {
  run: EvalRunRecord;
  config: EvalConfig;
  summary: RunSummary;
  results: EvalItemResult[];
  /**
   * Every question of the run is held out in its test set's split: the results were computed on
   * questions never exported for training (false when the set or its split is gone).
   */
  heldOutOnly: boolean;
}

export class EvalResultsState {
  runs = $state.raw<EvalRunRecord[]>([]);
  view = $state.raw<RunView | null>(null);
  bundleNote = $state<({ ok: true } & BundleImport) | { ok: false; error: unknown } | null>(null);

  constructor(
    private readonly db: () => Promise<LabDb>,
    /** Called after a bundle import stored a test set and a run (the sets list and resumable runs reread). */
    private readonly onImported: () => Promise<void>,
  ) {}

  /** Re-reads the list; opens the newest run when none is on screen. */
  async refresh(): Promise<void> {
    this.runs = await listEvalRuns(await this.db());
    if (!this.view && this.runs.length) await this.openRun(this.runs[0].id);
  }

  async openRun(id: string): Promise<void> {
    const db = await this.db();
    const run = await getEvalRun(db, id);
    const loaded = run ? await loadRunSummary(db, run) : null;
    const split = run ? (await getTestSet(db, run.testSetId))?.split : undefined;
    const held = new Set(split?.heldOut ?? []);
    const heldOutOnly = Boolean(loaded && loaded.config.items.length && loaded.config.items.every((it) => held.has(it.id)));
    this.view = run && loaded ? { run, ...loaded, heldOutOnly } : null;
    this.runs = await listEvalRuns(db);
  }

  async deleteRun(id: string): Promise<void> {
    await deleteEvalRun(await this.db(), id);
    if (this.view?.run.id === id) this.view = null;
    await this.refresh();
  }

  /** Records the user's verdict on one answer (click again to clear it); `model` picks the arm in a grid run. */
  async setThumb(itemId: string, method: MethodId, thumb: 'up' | 'down', model?: string): Promise<void> {
    const v = this.view;
    if (!v) return;
    const i = v.results.findIndex((r) => r.itemId === itemId && r.method === method && r.model === model);
    if (i < 0) return;
    const updated = { ...v.results[i], thumb: v.results[i].thumb === thumb ? null : thumb };
    await putEvalItem(await this.db(), { evalRunId: v.run.id, itemId, method, ...(model !== undefined ? { model } : {}), result: updated });
    const results = v.results.with(i, updated);
    this.view = { ...v, results, summary: summarize(v.run.id, v.config, results) };
  }

  #base(v: RunView): string {
    return `${safeName(v.config.testSetName)}-${new Date(v.run.createdAt).toISOString().slice(0, 10)}`;
  }

  resultsFile(format: 'csv' | 'json'): OutFile | null {
    const v = this.view;
    if (!v) return null;
    const rows = resultRows(v.run.id, v.config, v.results);
    return format === 'csv'
      ? { name: `${this.#base(v)}-results.csv`, mime: 'text/csv', text: resultsToCsv(rows) }
      : { name: `${this.#base(v)}-results.json`, mime: 'application/json', text: resultsToJson(v.run.id, v.config, v.summary, rows) };
  }

  bundleFile(): OutFile | null {
    const v = this.view;
    if (!v) return null;
    return { name: `${this.#base(v)}-bundle.json`, mime: 'application/json', text: bundleToJson(makeBundle(v.run, v.config, v.results, v.summary)) };
  }

  async importBundleFile(file: File): Promise<void> {
    this.bundleNote = null;
    try {
      const note = await importBundle(await this.db(), parseBundle(await file.text()));
      await this.onImported();
      await this.openRun(note.runId);
      this.bundleNote = { ok: true, ...note };
    } catch (e) {
      this.bundleNote = { ok: false, error: e };
    }
  }
}
