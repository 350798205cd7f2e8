// The retrieval sweep on the Documents screen: the test sets with gold passages (read from IndexedDB),
// the grid form, the run in the knowledge worker (progress per setting, Cancel), the report with
// intervals and paired tests against the library's current setting, and "Apply this setting", which
// re-chunks the library and sets the Lab's retrieval mode — only when the user clicks it.

import { isAbort } from '../protocol/errors';
import type { SweepProgress, SweepReply } from '../protocol/messages';
import type { ChunkSettings } from '../chunking/chunk';
import type { LabDb } from '../store/db';
import { listTestSets } from '../store/testsets';
import { settingKey, type SweepMode, type SweepSetting } from '../retrieval/sweep';
import { currentSetting, defaultForm, modeOfSwitches, parseNumberList, planSettings, SWEEP_MODES, switchesOfMode, type RetrievalSwitches } from '../retrieval/sweep-plan';
import { sweepReport, type SweepMetric, type SweepReport } from '../retrieval/sweep-report';
import type { KnowledgeState } from './knowledge.svelte';
import type { LibraryState } from './library.svelte';

/** The context key of the one SweepState (made through `States.once` by the screen that shows it). */
export const SWEEP_STATE = Symbol('sweep');

/** Cut-offs every sweep measures; the report shows one of them. */
export const SWEEP_KS = [1, 3, 5, 10] as const;
export const SWEEP_MRR_AT = 10;

export interface SweepStateDeps {
  knowledge: Pick<KnowledgeState, 'sweep'>;
  library: Pick<LibraryState, 'chunking' | 'maxFileMB' | 'docs' | 'saveSettings' | 'reindexAll'>;
  /** The Lab's shared settings (RAG lanes and evaluation run its retrieval switches). */
  lab: { settings: { retrieval: RetrievalSwitches }; saveSettings(): Promise<void> };
  db: () => Promise<LabDb>;
}

export interface SweepTestSet {
  id: string;
  name: string;
  /** Questions with at least one gold passage (the only ones a sweep can score). */
  withGold: number;
}

export type SweepFormError = { key: 'sweep.badList'; value: string } | { key: 'sweep.noSettings' };

export class SweepState {
  testSets = $state.raw<SweepTestSet[]>([]);
  testSetId = $state('');
  sizes = $state('');
  overlaps = $state('');
  modes = $state<Record<SweepMode, boolean>>({ bm25: true, dense: true, hybrid: true, 'hybrid+rerank': false });
  headers = $state({ on: true, off: true });
  k = $state(5);
  metric = $state<SweepMetric>('hit');
  progress = $state<SweepProgress | null>(null);
  reply = $state.raw<SweepReply | null>(null);
  /** The current setting the shown reply was compared with (fixed when the run started). */
  baseline = $state.raw<SweepSetting | null>(null);
  error = $state<unknown>(null);
  applying = $state(false);
  applied = $state.raw<SweepSetting | null>(null);
  #ctrl: AbortController | null = null;
  #formFor: string | null = null;

  constructor(private readonly deps: SweepStateDeps) {}

  /** Reads the test sets (they change on the Evaluate screen) and fills the form from the current chunking once. */
  async init(): Promise<void> {
    const sets = await listTestSets(await this.deps.db());
    this.testSets = sets
      .map((t) => ({ id: t.id, name: t.name, withGold: t.items.filter((i) => i.goldPassages.some((g) => g.trim() !== '')).length }))
      .filter((t) => t.withGold > 0);
    if (!this.testSets.some((t) => t.id === this.testSetId)) this.testSetId = this.testSets.at(-1)?.id ?? '';
    const chunking = this.deps.library.chunking;
    const key = `${chunking.unit}/${chunking.size}/${chunking.overlap}`;
    if (this.#formFor !== key) {
      this.#formFor = key;
      const f = defaultForm(chunking);
      this.sizes = f.sizes.join(', ');
      this.overlaps = f.overlaps.join(', ');
    }
  }

  /** The library's current setting: its chunking and the Lab's retrieval mode, headers on. */
  get current(): SweepSetting {
    const r = this.deps.lab.settings.retrieval;
    const mode = modeOfSwitches(r) ?? modeOfSwitches({ ...r, rerank: false }) ?? 'hybrid';
    return currentSetting(this.deps.library.chunking, mode);
  }

  /** Every setting the form describes (current first), or why the form cannot run. */
  plan = $derived.by((): { settings: SweepSetting[] } | { error: SweepFormError } => {
    const sizes = parseNumberList(this.sizes, 1);
    if (!sizes) return { error: { key: 'sweep.badList', value: this.sizes } };
    const overlaps = parseNumberList(this.overlaps, 0);
    if (!overlaps) return { error: { key: 'sweep.badList', value: this.overlaps } };
    const modes = SWEEP_MODES.filter((m) => this.modes[m]);
    const headers = [...(this.headers.on ? [true] : []), ...(this.headers.off ? [false] : [])];
    if (!modes.length || !headers.length) return { error: { key: 'sweep.noSettings' } };
    return { settings: planSettings({ sizes, overlaps, modes, headers }, this.current) };
  });

  running = $derived(this.progress !== null);

  report = $derived.by((): SweepReport | null => {
    const r = this.reply;
    if (!r || !this.baseline || !r.results.length) return null;
    return sweepReport(r.results, settingKey(this.baseline), { k: this.k, metric: this.metric });
  });

  async run(): Promise<void> {
    const plan = this.plan;
    if ('error' in plan) return;
    this.#ctrl?.abort();
    const ctrl = (this.#ctrl = new AbortController());
    this.error = null;
    this.applied = null;
    try {
      const set = (await listTestSets(await this.deps.db())).find((t) => t.id === this.testSetId);
      const questions = (set?.items ?? [])
        .map((i) => ({ id: i.id, question: i.question, goldPassages: i.goldPassages.filter((g) => g.trim() !== ''), ...(i.goldDocument ? { goldDocument: i.goldDocument } : {}) }))
        .filter((q) => q.goldPassages.length > 0);
      const baseline = plan.settings[0];
      this.progress = { done: 0, total: plan.settings.length, setting: null };
      const reply = await this.deps.knowledge.sweep(
        { questions, settings: plan.settings, ks: [...SWEEP_KS], mrrAt: SWEEP_MRR_AT },
        (p) => {
          if (this.#ctrl === ctrl) this.progress = p;
        },
        ctrl.signal,
      );
      if (this.#ctrl !== ctrl) return;
      this.baseline = baseline;
      this.reply = reply;
    } catch (e) {
      if (this.#ctrl === ctrl && !isAbort(e)) this.error = e;
    } finally {
      if (this.#ctrl === ctrl) {
        this.progress = null;
        this.#ctrl = null;
      }
    }
  }

  cancel(): void {
    this.#ctrl?.abort();
  }

  /**
   * Makes `setting` the library's: saves its chunking and re-indexes every document (vectors are made
   * again), and sets the Lab's retrieval switches to its mode. Only settings with headers can be
   * applied (the library always indexes them).
   */
  async apply(setting: SweepSetting): Promise<void> {
    if (!setting.headers) return;
    this.error = null;
    this.applying = true;
    try {
      const chunking: ChunkSettings = { unit: setting.unit, size: setting.size, overlap: setting.overlap };
      await this.deps.library.saveSettings(chunking, this.deps.library.maxFileMB);
      Object.assign(this.deps.lab.settings.retrieval, switchesOfMode(setting.mode));
      await this.deps.lab.saveSettings();
      await this.deps.library.reindexAll();
      this.applied = setting;
    } catch (e) {
      this.error = e;
    } finally {
      this.applying = false;
    }
  }
}
