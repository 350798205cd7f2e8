// Workspace export/import as one JSON file (store/workspace.ts does the IndexedDB work). After an
// import the knowledge worker's index is rebuilt from IndexedDB and the library and Lab state reread;
// chunks that came without vectors are embedded again.

import { AppError } from '../protocol/errors';
import { exportWorkspace, importWorkspace, type ImportReport } from '../store/workspace';
import type { AppState } from './app.svelte';
import type { LabState } from './lab.svelte';
import { pageDb, type LibraryState } from './library.svelte';

export type WorkspacePhase = 'idle' | 'exporting' | 'reading' | 'importing' | 'rebuilding';

export class WorkspaceState {
  phase = $state<WorkspacePhase>('idle');
  includeVectors = $state(false);
  mode = $state<'merge' | 'replace'>('merge');
  /** The file being read or the last file written. */
  fileName = $state('');
  exported = $state<{ file: string; bytes: number } | null>(null);
  imported = $state.raw<(ImportReport & { missing: number }) | null>(null);
  error = $state<{ during: 'export' | 'import'; error: unknown } | null>(null);

  constructor(
    private readonly app: AppState,
    private readonly library: LibraryState,
    private readonly lab: LabState,
  ) {}

  get busy(): boolean {
    return this.phase !== 'idle';
  }

  /** Reads the whole workspace into a JSON file; null if it failed (see `error`). */
  async export(): Promise<{ blob: Blob; name: string } | null> {
    if (this.busy) return null;
    this.phase = 'exporting';
    this.error = null;
    this.exported = null;
    this.imported = null;
    try {
      const bundle = await exportWorkspace(await pageDb(), { includeVectors: this.includeVectors });
      const blob = new Blob([JSON.stringify(bundle)], { type: 'application/json' });
      const name = `method-lab-workspace-${new Date(bundle.exportedAt).toISOString().slice(0, 10)}.json`;
      this.fileName = name;
      this.exported = { file: name, bytes: blob.size };
      return { blob, name };
    } catch (e) {
      this.error = { during: 'export', error: e };
      return null;
    } finally {
      this.phase = 'idle';
    }
  }

  /** Imports a file in the chosen mode: all of it or, on any problem, nothing. */
  async import(file: File): Promise<void> {
    if (this.busy) return;
    this.error = null;
    this.exported = null;
    this.imported = null;
    this.fileName = file.name;
    try {
      this.phase = 'reading';
      let bundle: unknown;
      try {
        bundle = JSON.parse(await file.text());
      } catch (e) {
        throw new AppError('bad-request', this.app.t('ws.notJson', { file: file.name, reason: e instanceof Error ? e.message : String(e) }));
      }
      this.phase = 'importing';
      const report = await importWorkspace(await pageDb(), bundle, { mode: this.mode });
      this.phase = 'rebuilding';
      await this.library.init();
      await this.library.openIndex({ rebuild: true });
      await this.lab.init();
      const missing = this.library.index?.missing ?? 0;
      this.imported = { ...report, missing };
      // Imported without vectors (or for another embedder): embed them now, with the usual progress.
      if (missing > 0) void this.library.embedMissing();
    } catch (e) {
      this.error = { during: 'import', error: e };
    } finally {
      this.phase = 'idle';
    }
  }
}

const instances = new WeakMap<LibraryState, WorkspaceState>();

/** One WorkspaceState per app, so an import in progress survives switching screens. */
export function workspaceState(app: AppState, library: LibraryState, lab: LabState): WorkspaceState {
  let s = instances.get(library);
  if (!s) instances.set(library, (s = new WorkspaceState(app, library, lab)));
  return s;
}
