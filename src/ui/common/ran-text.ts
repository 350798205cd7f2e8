// Words for what ran (the retrieval line, the model line, fallback reasons, the extra steps' parser
// problems) in the UI language.

import type { MessageKey } from '../../i18n/en';
import type { Fallback, LoadedModel, RetrievalRan, SearchHit } from '../../protocol/messages';
import { ranParts, ranShaping } from '../../lab/ran';
import { parseModelKey } from '../../models/model-key';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

/** An embedder as a person knows it: a server model by its name and "on a server", a local one by its id. */
export function embedderLabel(key: string, t: T): string {
  const ref = parseModelKey(key);
  return ref.kind === 'server' ? t('ran.embedderOnServer', { model: ref.model }) : key;
}

export function fallbackText(f: Fallback, t: T): string {
  // The HyDE reply's problem is stored as a code word ('empty' | 'refusal'): worded per language here.
  const params: Record<string, string> = { ...f.detail, reason: f.reason };
  if (params.model) params.model = embedderLabel(params.model, t);
  const p = f.detail?.problem;
  if (f.code === 'hyde-unusable' && (p === 'empty' || p === 'refusal')) params.problem = t(`steps.hyde.problem.${p}`);
  return t(`ran.why.${f.code}`, params);
}

/** Fallbacks of retrieval parts (dense, rerank): they make a search "only" what ran. */
const RETRIEVAL_PARTS: ReadonlySet<Fallback['part']> = new Set(['dense', 'rerank']);
/** Fallbacks of the steps that choose what is searched (HyDE passage, query rewrites). */
const QUERY_STEP_PARTS: ReadonlySet<Fallback['part']> = new Set(['hyde', 'rewrite']);

/** True when the search did not run as set: a retrieval part, or a step that shapes the query, fell back. */
export function retrievalDegraded(fallbacks: readonly Fallback[]): boolean {
  return fallbacks.some((f) => RETRIEVAL_PARTS.has(f.part) || QUERY_STEP_PARTS.has(f.part));
}

/**
 * `Retrieval: BM25 + dense`, or `Retrieval: BM25 only — <reasons>` when a requested part did not run;
 * `+ small-to-big` when hits were expanded to their sections, `· n near-duplicates merged` when the
 * search collapsed any, `· dense searched the hypothetical passage` (HyDE), and `— <reasons>` when a
 * step that chooses what is searched (HyDE passage, query rewrites) did not run as set.
 */
export function retrievalLine(ran: RetrievalRan, fallbacks: readonly Fallback[], t: T): string {
  const shaping = ranShaping(ran);
  const parts = [...ranParts(ran).map((p) => t(`ran.part.${p}`)), ...(shaping.smallToBig ? [t('retrieval.ran.smallToBig')] : [])].join(' + ') || t('ran.none');
  const missing = fallbacks.filter((f) => RETRIEVAL_PARTS.has(f.part));
  const steered = fallbacks.filter((f) => QUERY_STEP_PARTS.has(f.part));
  let line = missing.length ? t('ran.retrievalOnly', { parts, reasons: missing.map((f) => fallbackText(f, t)).join('; ') }) : t('ran.retrieval', { parts });
  if (shaping.collapsed > 0) line += ` · ${t('retrieval.ran.collapsed', { n: shaping.collapsed })}`;
  // Chunks and the question went to a server to be embedded: the line says so.
  const embedder = ran.dense && ran.embedder ? parseModelKey(ran.embedder) : null;
  if (embedder?.kind === 'server') line += ` · ${t('ran.denseOnServer', { model: embedder.model })}`;
  if (ran.dense && ran.denseText?.kind === 'passage') line += ` · ${t('steps.ran.densePassage')}`;
  return steered.length ? `${line} — ${steered.map((f) => fallbackText(f, t)).join('; ')}` : line;
}

// The parsers' problem sentences (src/strategies/multi-query.ts, verify.ts), matched to their words per language.
const PROBLEMS: [RegExp, (m: RegExpExecArray, t: T) => string][] = [
  [/^dropped an over-long line \((\d+) characters\)$/, (m, t) => t('steps.problem.overLong', { n: m[1] })],
  [/^dropped a copy of the question$/, (_m, t) => t('steps.problem.copy')],
  [/^dropped a repeated query$/, (_m, t) => t('steps.problem.repeat')],
  [/^the model gave (\d+) usable quer(?:y|ies) of (\d+)$/, (m, t) => t('steps.problem.count', { n: m[1], of: m[2] })],
  [/^unreadable verdict for "(.*)"$/, (m, t) => t('steps.problem.verdict', { claim: m[1] })],
  [/^unreadable verdict "(.*)"$/, (m, t) => t('steps.problem.verdict', { claim: m[1] })],
  [/^no verdict for "(.*)"$/, (m, t) => t('steps.problem.noVerdict', { claim: m[1] })],
  [/^passage number (\d+) does not exist \(there are (\d+)\)$/, (m, t) => t('steps.problem.passage', { n: m[1], of: m[2] })],
  [/^the reply has no claims in a readable form$/, (_m, t) => t('steps.problem.unreadable')],
];

/** One problem a step's parser reported, in the UI language (as recorded when it is not one the parsers write). */
export function problemText(problem: string, t: T): string {
  for (const [re, word] of PROBLEMS) {
    const m = re.exec(problem);
    if (m) return word(m, t);
  }
  return problem;
}

/** Where a model ran: "WebGPU · q4f16", "WASM · q8", or "server · host" (a server's dtype is unknown). */
export function runsOn(m: Pick<LoadedModel, 'device' | 'dtype' | 'server'>, t: T): string {
  if (m.device === 'server') return t('ran.onServer', { host: m.server?.host ?? '?' });
  return `${m.device === 'webgpu' ? 'WebGPU' : 'WASM'} · ${m.dtype}`;
}

export function modelLine(m: LoadedModel, t: T): string {
  const p = { model: m.model, engine: m.engine, where: runsOn(m, t) };
  return m.fallbackReason ? t('ran.modelFallback', { ...p, reason: m.fallbackReason }) : t('ran.model', p);
}

/** "also in: manual.pdf, copy.txt" for a hit that near-duplicates were collapsed into; '' when none. */
export function alsoInText(hit: Pick<SearchHit, 'alsoIn'> | undefined, t: T): string {
  const docs = hit?.alsoIn?.map((d) => d.docName) ?? [];
  return docs.length ? t('retrieval.alsoIn', { docs: [...new Set(docs)].join(', ') }) : '';
}
