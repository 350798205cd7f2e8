// The built-in sample workspace ("Try the sample"): fetches the handbook files from public/sample/
// and ingests them through the library marked `sample`, adds the sample few-shot examples and test
// set, and sets the Lab question; "Remove sample" deletes exactly what is marked sample.

import { AppError } from '../protocol/errors';
import { SAMPLE_QUESTION, SAMPLE_TESTSET_ID, SAMPLE_TESTSET_NAME } from '../sample/ids';
import { deleteTestSet, getTestSet, putTestSet } from '../store/testsets';
import type { AppState } from './app.svelte';
import type { LabState } from './lab.svelte';
import { jobFraction, type LibraryState } from './library.svelte';
import { pageDb } from '../store/page-db';
import type { PickedFile } from './files';

export class SampleState {
  /** Job keys of the sample files being ingested. */
  #keys = $state<number[]>([]);
  phase = $state<'idle' | 'fetching' | 'removing'>('idle');
  error = $state<unknown>(null);
  /** Whether the sample test set is stored (it is not part of any other state the page holds). */
  hasTestSet = $state(false);

  constructor(
    private readonly app: AppState,
    private readonly library: LibraryState,
    private readonly lab: LabState,
  ) {}

  // Getters rather than $derived fields: they read constructor parameters, which fields cannot.
  get docs() {
    return this.library.docs.filter((d) => d.sample);
  }
  get examples() {
    return this.lab.examples.filter((e) => e.sample);
  }
  get present(): boolean {
    return this.docs.length > 0 || this.examples.length > 0 || this.hasTestSet;
  }
  get jobs() {
    return this.library.jobs.filter((j) => this.#keys.includes(j.key));
  }
  /**
   * The sample is still being made ready: its files stored, then their vectors made (in the
   * background run), so RAG with dense search works on it once this is false.
   */
  get ingesting(): boolean {
    return this.jobs.some((j) => j.status === 'queued' || j.status === 'working') || (this.jobs.length > 0 && this.library.embedding !== null);
  }
  /** 0..1 over the sample files being stored, then over the chunks being embedded. */
  get fraction(): number {
    const jobs = this.jobs;
    const stored = jobs.length ? jobs.reduce((s, j) => s + (j.status === 'error' ? 1 : jobFraction(j)), 0) / jobs.length : 0;
    const run = this.library.embedding;
    return stored >= 1 && run ? run.done / Math.max(1, run.total) : stored;
  }
  get finished(): number {
    return this.jobs.filter((j) => j.status !== 'queued' && j.status !== 'working').length;
  }
  get failed() {
    return this.jobs.filter((j) => j.status === 'error');
  }

  /** Re-reads what the page does not hold in other state (the test set). */
  async refresh(): Promise<void> {
    this.hasTestSet = (await getTestSet(await pageDb(), SAMPLE_TESTSET_ID)) !== undefined;
  }

  async load(): Promise<void> {
    if (this.phase !== 'idle') return;
    this.phase = 'fetching';
    this.error = null;
    try {
      // The handbook, examples and test set load on demand, not with the app.
      const { SAMPLE_EXAMPLES, SAMPLE_FILES, SAMPLE_TESTSET } = await import('../sample/content');
      const have = new Set(this.docs.map((d) => d.name));
      const files = await Promise.all(SAMPLE_FILES.filter((f) => !have.has(f.name)).map((f) => this.#fetch(f.name, f.mime)));
      this.#keys = this.library.add(files, { sample: true });
      const now = Date.now();
      await this.lab.putExamples(SAMPLE_EXAMPLES.map((e, i) => ({ ...e, createdAt: now + i, sample: true })));
      await putTestSet(await pageDb(), {
        id: SAMPLE_TESTSET_ID,
        name: SAMPLE_TESTSET_NAME,
        createdAt: now,
        items: SAMPLE_TESTSET.map((i) => ({ ...i, goldPassages: [...i.goldPassages], tags: [...i.tags] })),
        sample: true,
      });
      this.hasTestSet = true;
      this.useQuestion();
    } catch (e) {
      this.error = e;
    } finally {
      this.phase = 'idle';
    }
  }

  /** Whether the Lab question is one of the sample questions. */
  get questionSet(): boolean {
    return Object.values(SAMPLE_QUESTION).includes(this.lab.question);
  }

  /** Puts the sample question (in the current language) into the Lab. */
  useQuestion(): void {
    this.lab.question = SAMPLE_QUESTION[this.app.lang];
  }

  /** Deletes every sample document, example and the sample test set; returns the removed document ids. */
  async remove(): Promise<string[]> {
    if (this.phase !== 'idle') return [];
    this.phase = 'removing';
    this.error = null;
    const removed: string[] = [];
    try {
      for (const k of this.#keys) this.library.cancel(k);
      this.#keys = [];
      for (const d of this.docs) {
        await this.library.remove(d.id);
        removed.push(d.id);
      }
      for (const e of this.examples) await this.lab.deleteExample(e.id);
      await deleteTestSet(await pageDb(), SAMPLE_TESTSET_ID);
      this.hasTestSet = false;
      if (this.questionSet) this.lab.question = '';
    } catch (e) {
      this.error = e;
    } finally {
      this.phase = 'idle';
    }
    return removed;
  }

  async #fetch(name: string, mime: string): Promise<PickedFile> {
    // BASE_URL keeps this working when the site is served from a sub-path.
    const res = await fetch(new URL(`${import.meta.env.BASE_URL}sample/${name}`, location.href));
    if (!res.ok) throw new AppError('internal', this.app.t('sample.fetchFailed', { name, status: res.status }), { name, status: res.status });
    return { name, file: new File([await res.blob()], name, { type: mime }) };
  }
}
