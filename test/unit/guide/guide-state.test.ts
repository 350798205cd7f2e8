// GuideState against a real (fake-indexeddb) database: answers persist and are cleaned, answers made
// before the saved ones arrive win, evidence is interpreted and moves the ranking, failures are shown.

import { describe, expect, it } from 'vitest';
import { freshDb } from '../store/helpers';
import { ANSWERS_KEY, GuideState } from '../../../src/state/guide.svelte';
import { getSetting, setSetting } from '../../../src/store/settings';
import type { EvalSummary } from '../../../src/guide/evidence';
import { ragVsPlain } from './evidence-fixtures';
import type { LabDb } from '../../../src/store/db';

const HR = {
  'private-knowledge': 'yes',
  'knowledge-change': 'monthly',
  citations: 'required',
  format: 'free',
  examples: 'none',
  'ml-capacity': 'none',
  'latency-cost': 'moderate',
  tools: 'no',
  accuracy: 'medium',
  domain: 'specific',
  'new-domain': 'no',
} as const;

const ragWins: EvalSummary = ragVsPlain(50, 'run-1');

const none = async () => null;

function state(db: LabDb, loadSummary: (db: LabDb) => Promise<{ summary: EvalSummary; runId: string } | null> = none) {
  return new GuideState({ db: async () => db, loadSummary });
}

describe('GuideState', () => {
  it('saves answers and reads them back in a new instance', async () => {
    const db = await freshDb();
    const a = state(db);
    await a.init();
    expect(a.answeredCount).toBe(0);
    expect(a.recommendation.top).toBe('prompt');
    for (const [id, value] of Object.entries(HR)) a.answer(id as keyof typeof HR, value);
    await a.flush();
    expect(a.recommendation.top).toBe('rag');
    expect(await getSetting(db, ANSWERS_KEY, {})).toEqual(HR);

    const b = state(db);
    expect(b.loaded).toBe(false);
    await b.init();
    expect(b.loaded).toBe(true);
    expect(b.answers).toEqual(HR);
    expect(b.answeredCount).toBe(11);
    expect(b.recommendation.top).toBe('rag');
  });

  it('ignores values that are not options and cleans junk read from storage', async () => {
    const db = await freshDb();
    await setSetting(db, ANSWERS_KEY, { tools: 'multi-step', domain: 'martian', bogus: 'yes' });
    const g = state(db);
    await g.init();
    expect(g.answers).toEqual({ tools: 'multi-step' });
    g.answer('accuracy', 'extreme');
    expect(g.answers).toEqual({ tools: 'multi-step' });
  });

  it('keeps answers given before the saved ones arrived, and clear() forgets everything', async () => {
    const db = await freshDb();
    await setSetting(db, ANSWERS_KEY, { tools: 'no', domain: 'general' });
    const g = state(db);
    const loading = g.init();
    g.answer('tools', 'multi-step');
    await loading;
    expect(g.answers).toEqual({ tools: 'multi-step', domain: 'general' });
    g.clear();
    await g.flush();
    expect(g.answers).toEqual({});
    expect(await getSetting(db, ANSWERS_KEY, null)).toEqual({});
  });

  it('interprets the latest evaluation and lets it move the scores', async () => {
    const db = await freshDb();
    const without = state(db);
    const withEv = state(db, async () => ({ summary: ragWins, runId: 'run-1' }));
    await Promise.all([without.init(), withEv.init()]);
    expect(without.evidence).toBeNull();
    expect(without.evidenceStatus).toBe('ready');
    expect(withEv.evidence?.runId).toBe('run-1');
    const rules = withEv.statements.map((s) => s.rule);
    expect(rules).toContain('rag-knowledge-gap');
    const score = (g: GuideState) => g.recommendation.ranked.find((r) => r.method === 'rag')!.score;
    expect(score(withEv) - score(without)).toBe(3);
    expect(withEv.markdown('en')).toContain('`run-1`');
    expect(without.markdown('en')).toContain('No evaluation runs were taken into account.');
  });

  it('reports a failure to read the evaluation, and recovers on reload', async () => {
    const db = await freshDb();
    let fail = true;
    const g = state(db, async () => {
      if (fail) throw new Error('store broke');
      return { summary: ragWins, runId: 'run-1' };
    });
    await g.init();
    expect(g.evidenceStatus).toBe('error');
    expect(String(g.evidenceError)).toContain('store broke');
    expect(g.recommendation.ranked).toHaveLength(6);
    fail = false;
    await g.loadEvidence();
    expect(g.evidenceStatus).toBe('ready');
    expect(g.evidenceError).toBeNull();
    expect(g.statements.length).toBeGreaterThan(0);
  });

  it('exports Markdown in the chosen language with the method and its reasons', async () => {
    const db = await freshDb();
    const g = state(db);
    await g.init();
    g.setAll(HR);
    const en = g.markdown('en');
    expect(en).toMatch(/^# Recommendation: RAG \(retrieval-augmented generation\)/);
    expect(en).toContain('## Why');
    expect(en).toContain('Answers must cite sources');
    const zh = g.markdown('zh');
    expect(zh).toMatch(/^# 推荐方案：RAG（检索增强生成）/);
  });
});

describe('GuideState kept across visits', () => {
  it('a recommendation read before the evaluation existed moves once the evaluation is read', async () => {
    const db = await freshDb();
    let summary: { summary: EvalSummary; runId: string } | null = null;
    const g = state(db, async () => summary);
    await g.init();
    const score = () => g.recommendation.ranked.find((r) => r.method === 'rag')!.score;
    const before = score();
    summary = { summary: ragWins, runId: 'run-1' };
    await g.init();
    expect(g.statements.map((s) => s.rule)).toContain('rag-knowledge-gap');
    expect(score() - before).toBe(3);
  });
});
