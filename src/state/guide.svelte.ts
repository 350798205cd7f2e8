// The decision guide's state: questionnaire answers (persisted in settings), the evidence read from the
// latest finished evaluation, and the recommendation derived from both. IndexedDB and the evaluation
// summary are injectable so unit tests can drive the class without a browser.

import { toMarkdown } from '../guide/content';
import { decide, type Recommendation } from '../guide/decide';
import { interpretEvidence, type EvalSummary, type EvidenceStatement } from '../guide/evidence';
import { cleanAnswers, isValidAnswer, QUESTION_IDS, type Answers, type QuestionId } from '../guide/questions';
import type { Lang } from '../guide/types';
import { latestEvalSummary } from '../eval/summary';
import type { LabDb } from '../store/db';
import { getSetting, setSetting } from '../store/settings';
import { pageDb } from '../store/page-db';

/** Settings key of the saved answers. */
export const ANSWERS_KEY = 'guide.answers';

export interface GuideEvidence {
  summary: EvalSummary;
  /** The evaluation run the summary was taken from. */
  runId: string;
  statements: EvidenceStatement[];
}

export interface GuideDeps {
  db?: () => Promise<LabDb>;
  loadSummary?: (db: LabDb) => Promise<{ summary: EvalSummary; runId: string } | null>;
}

export type EvidenceStatus = 'loading' | 'ready' | 'error';

export class GuideState {
  answers = $state<Answers>({});
  /** True once saved answers were read (or reading failed). */
  loaded = $state(false);
  evidence = $state.raw<GuideEvidence | null>(null);
  evidenceStatus = $state<EvidenceStatus>('loading');
  evidenceError = $state<unknown>(null);
  /** The last failure to save answers; cleared by the next successful save. */
  saveError = $state<unknown>(null);

  readonly #db: () => Promise<LabDb>;
  readonly #loadSummary: NonNullable<GuideDeps['loadSummary']>;
  /** Questions answered before the saved answers arrived: these win over the saved ones. */
  #touched = new Set<QuestionId>();
  /** Saves are chained so an older write can never land after a newer one. */
  #saving: Promise<void> = Promise.resolve();

  constructor(deps: GuideDeps = {}) {
    this.#db = deps.db ?? pageDb;
    this.#loadSummary = deps.loadSummary ?? latestEvalSummary;
  }

  statements = $derived<EvidenceStatement[]>(this.evidence?.statements ?? []);
  recommendation = $derived<Recommendation>(decide(this.answers, this.statements));
  answeredCount = $derived(QUESTION_IDS.filter((id) => this.answers[id] !== undefined).length);
  readonly total = QUESTION_IDS.length;

  /** Reads saved answers and the latest evaluation; both failures are shown, neither blocks the other. */
  async init(): Promise<void> {
    await Promise.all([this.#loadAnswers(), this.loadEvidence()]);
  }

  async #loadAnswers(): Promise<void> {
    try {
      const saved = cleanAnswers(await getSetting<unknown>(await this.#db(), ANSWERS_KEY, {}));
      const merged: Answers = { ...saved };
      for (const id of this.#touched) {
        const v = this.answers[id];
        if (v === undefined) delete merged[id];
        else merged[id] = v;
      }
      this.answers = merged;
    } catch (e) {
      this.saveError = e;
    } finally {
      this.loaded = true;
    }
  }

  /** (Re)reads the latest finished evaluation and interprets it. */
  async loadEvidence(): Promise<void> {
    this.evidenceStatus = 'loading';
    try {
      const latest = await this.#loadSummary(await this.#db());
      this.evidence = latest ? { ...latest, statements: interpretEvidence(latest.summary) } : null;
      this.evidenceError = null;
      this.evidenceStatus = 'ready';
    } catch (e) {
      this.evidence = null;
      this.evidenceError = e;
      this.evidenceStatus = 'error';
    }
  }

  /** Sets one answer (ignored when the value is not an option of that question) and saves. */
  answer(id: QuestionId, value: string): void {
    if (!isValidAnswer(id, value)) return;
    this.#touched.add(id);
    this.answers = { ...this.answers, [id]: value };
    this.#save();
  }

  /** Forgets every answer, saved ones included. */
  clear(): void {
    for (const id of QUESTION_IDS) this.#touched.add(id);
    this.answers = {};
    this.#save();
  }

  /** Replaces all answers at once, e.g. from a worked example. */
  setAll(answers: Answers): void {
    for (const id of QUESTION_IDS) this.#touched.add(id);
    this.answers = cleanAnswers(answers);
    this.#save();
  }

  /** The recommendation with its reasons and evidence as a Markdown document. */
  markdown(lang: Lang): string {
    return toMarkdown(this.recommendation, this.statements, this.answers, lang);
  }

  /** Resolves when every save requested so far has finished (for tests and page unload). */
  flush(): Promise<void> {
    return this.#saving;
  }

  #save(): void {
    const snapshot = $state.snapshot(this.answers);
    this.#saving = this.#saving.then(async () => {
      try {
        await setSetting(await this.#db(), ANSWERS_KEY, snapshot);
        this.saveError = null;
      } catch (e) {
        this.saveError = e;
      }
    });
  }
}

