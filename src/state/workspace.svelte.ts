// Workspace export/import as one JSON file. Export reads IndexedDB (store/workspace.ts); import goes
// through the knowledge worker, the only writer of documents, chunks and vectors, which rebuilds its
// index from the imported records. The library and Lab state are reread; chunks that came without
// vectors are embedded again.

import { exportWorkspace, type ImportReport } from '../store/workspace';
import { pageDb } from '../store/page-db';
import type { KnowledgeState } from './knowledge.svelte';
import type { LabState } from './lab.svelte';
import type { LibraryState } from './library.svelte';

export type WorkspacePhase = 'idle' | 'exporting' | 'importing' | 'rebuilding';

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
    private readonly knowledge: KnowledgeState,
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
      this.phase = 'importing';
      const report = await this.knowledge.importWorkspace(file, this.mode);
      this.phase = 'rebuilding';
      await this.library.init();
      await this.lab.init();
      const missing = this.knowledge.index?.missing ?? 0;
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
