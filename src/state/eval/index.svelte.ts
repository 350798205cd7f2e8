// The Evaluate screen's states, created once per page (so a run keeps going while the user visits
// other screens) and wired to each other: drafting adds to the test sets, a stopped run opens in the
// results, a bundle import refreshes sets and resumable runs, exports log themselves with their set.

import { pageDb } from '../../store/page-db';
import { useStates, type States } from '../context.svelte';
import { DraftsState } from './drafts.svelte';
import { FinetuneState } from './finetune.svelte';
import { EvalResultsState } from './results.svelte';
import { EvalRunsState } from './runs.svelte';
import { TestSetsState } from './test-sets.svelte';

export interface EvalStates {
  sets: TestSetsState;
  drafts: DraftsState;
  runs: EvalRunsState;
  results: EvalResultsState;
  finetune: FinetuneState;
  /** Reads everything the screen shows; errors land in `error`. */
  init(): Promise<void>;
  readonly error: unknown;
}

export function createEvalStates({ app, llm, models, knowledge, lab }: Pick<States, 'app' | 'llm' | 'models' | 'knowledge' | 'lab'>): EvalStates {
  const db = pageDb;
  const sets = new TestSetsState(db, () => app.t('eval.set.untitled'));
  const drafts = new DraftsState({ db, llm, sets, prefs: app, setName: () => app.t('eval.draft.setName') });
  const results: EvalResultsState = new EvalResultsState(db, async () => {
    await sets.refresh();
    await runs.refresh();
  });
  const runs: EvalRunsState = new EvalRunsState({
    db,
    llm,
    models,
    knowledge,
    sets,
    lab,
    prefs: app,
    err: app.err,
    otherModel: (model) => app.t('eval.run.otherModel', { model }),
    onStopped: (id) => results.openRun(id),
  });
  const finetune = new FinetuneState({ sets, results, knowledge, lab, prefs: app });
  let error = $state<unknown>(null);
  return {
    sets,
    drafts,
    runs,
    results,
    finetune,
    get error() {
      return error;
    },
    async init() {
      try {
        await sets.refresh();
        await drafts.refreshDocs();
        await runs.refresh();
        await results.refresh();
      } catch (e) {
        error = e;
      }
    },
  };
}

/** The key the Evaluate screen's states are kept under (see `States.once`). */
export const EVAL_STATES = Symbol.for('method-lab.evaluate');

/** The Evaluate screen's states from inside a component (made on first use, then the same ones). */
export const useEvalStates = (): EvalStates => useStates().once(EVAL_STATES, createEvalStates);
