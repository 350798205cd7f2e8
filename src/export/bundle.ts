// The reproducible evaluation bundle: settings, model ids, prompts, retrieved chunks with scores,
// outputs, metrics and the summary, in one JSON file. Importing it stores the run as it was, and the
// summary is recomputed from the rows with the run's seed, so it matches the exporter's numbers exactly.

import { JUDGE_RUBRIC, JUDGE_RUBRIC_VERSION } from '../eval/judge';
import { NORMALIZATION_RULES } from '../eval/metrics';
import type { EvalConfig, EvalItemResult } from '../eval/runner';
import { asConfig, summarize, type RunSummary } from '../eval/summary';
import type { EvalRunRecord, LabDb } from '../store/db';
import { getEvalRun, putEvalItem, putEvalRun } from '../store/runs';
import { getTestSet, putTestSet } from '../store/testsets';
import { isMethodId } from '../strategies';

export const BUNDLE_FORMAT = 'method-lab-eval-bundle';
export const BUNDLE_VERSION = 1;

export interface EvalBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  /** Epoch ms. */
  exportedAt: number;
  run: { id: string; testSetId: string; createdAt: number; status: EvalRunRecord['status']; config: EvalConfig };
  results: EvalItemResult[];
  /** As computed by the exporter; the importer recomputes it and compares. */
  summary: RunSummary;
  /** What the scores mean, for a reader without the app. */
  definitions: { normalization: readonly string[]; judgeRubric: { version: number; en: string; zh: string } };
}

export type BundleErrorCode = 'not-json' | 'not-a-bundle' | 'newer-version' | 'bad-run' | 'bad-result';

export class BundleError extends Error {
  override name = 'BundleError';
  constructor(
    readonly code: BundleErrorCode,
    message: string,
    readonly detail: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export function makeBundle(run: EvalRunRecord, config: EvalConfig, results: readonly EvalItemResult[], summary: RunSummary, now = Date.now()): EvalBundle {
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: now,
    run: { id: run.id, testSetId: run.testSetId, createdAt: run.createdAt, status: run.status, config },
    results: [...results],
    summary,
    definitions: { normalization: NORMALIZATION_RULES, judgeRubric: { version: JUDGE_RUBRIC_VERSION, ...JUDGE_RUBRIC } },
  };
}

export function bundleToJson(b: EvalBundle): string {
  return JSON.stringify(b, null, 1) + '\n';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkResult(v: unknown, i: number): EvalItemResult {
  const bad = (what: string) => new BundleError('bad-result', `Result ${i + 1}: ${what}.`, { row: i + 1, what });
  if (!isObj(v)) throw bad('not an object');
  if (typeof v.itemId !== 'string' || typeof v.method !== 'string' || !isMethodId(v.method)) throw bad('missing itemId or a known method');
  if (typeof v.answer !== 'string') throw bad('missing answer');
  const s = v.scores;
  if (!isObj(s) || typeof s.answerable !== 'boolean' || !(isNum(s.lexicalSupport) || isNum(s.groundedness)) || !isNum(s.promptTokens) || !isNum(s.totalMs)) throw bad('missing scores');
  if (!isObj(v.usage) || !Array.isArray(v.hits) || !Array.isArray(v.contextIds) || !Array.isArray(v.messages)) throw bad('missing prompt, hits or usage');
  return v as unknown as EvalItemResult;
}

/** Validates a bundle's text; throws BundleError saying what is wrong (and which result). */
export function parseBundle(text: string): EvalBundle {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/u, ''));
  } catch (e) {
    throw new BundleError('not-json', `This file is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!isObj(data) || data.format !== BUNDLE_FORMAT) throw new BundleError('not-a-bundle', 'This is not a Method Lab evaluation bundle (its "format" is not method-lab-eval-bundle).');
  if (!isNum(data.version) || data.version > BUNDLE_VERSION) throw new BundleError('newer-version', `This bundle has version ${String(data.version)}; this app reads version ${BUNDLE_VERSION}. Update the app.`, { version: String(data.version) });
  const run = data.run;
  if (!isObj(run) || typeof run.id !== 'string' || typeof run.testSetId !== 'string' || !isNum(run.createdAt)) throw new BundleError('bad-run', 'The bundle\'s run is missing its id, test set or date.');
  const config = asConfig({ id: run.id, testSetId: run.testSetId, createdAt: run.createdAt, status: 'done', config: run.config });
  if (!config) throw new BundleError('bad-run', 'The bundle\'s run settings are incomplete (questions, methods or seed missing).');
  if (!Array.isArray(data.results)) throw new BundleError('bad-result', 'The bundle has no results list.', { row: 0, what: 'no results' });
  const results = data.results.map(checkResult);
  const status = run.status === 'done' || run.status === 'cancelled' ? run.status : 'cancelled';
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: isNum(data.exportedAt) ? data.exportedAt : 0,
    run: { id: run.id, testSetId: run.testSetId, createdAt: run.createdAt, status, config },
    results,
    summary: data.summary as RunSummary,
    definitions: data.definitions as EvalBundle['definitions'],
  };
}

/** True when two summaries agree to 1e-9 on every number (JSON round trips keep doubles exact). */
export function sameSummary(a: RunSummary, b: RunSummary): boolean {
  const strip = (s: RunSummary) => JSON.stringify({ ...s, runId: '' }, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v));
  return strip(a) === strip(b);
}

export interface BundleImport {
  runId: string;
  /** The recomputed summary equals the one the exporter saw. */
  verified: boolean;
  testSetCreated: boolean;
}

/**
 * Stores the bundle's run (under its own id unless that id is taken here) and its results; adds its
 * test set when this workspace has none with that id. Results are written before the run record, so
 * an import that fails halfway leaves no half-visible run.
 */
export async function importBundle(db: LabDb, b: EvalBundle, newId: () => string = () => crypto.randomUUID()): Promise<BundleImport> {
  const runId = (await getEvalRun(db, b.run.id)) ? newId() : b.run.id;
  const config: EvalConfig = { ...b.run.config, imported: { at: Date.now(), exportedAt: b.exportedAt } };
  for (const r of b.results) await putEvalItem(db, { evalRunId: runId, itemId: r.itemId, method: r.method, ...(r.model !== undefined ? { model: r.model } : {}), result: r });
  let testSetCreated = false;
  if (!(await getTestSet(db, b.run.testSetId))) {
    await putTestSet(db, { id: b.run.testSetId, name: config.testSetName, createdAt: b.run.createdAt, items: config.items });
    testSetCreated = true;
  }
  await putEvalRun(db, { id: runId, testSetId: b.run.testSetId, createdAt: b.run.createdAt, status: b.run.status, config });
  const verified = b.summary ? sameSummary(summarize(runId, config, b.results), b.summary) : false;
  return { runId, verified, testSetCreated };
}
