// Words for what ran (the retrieval line, the model line, fallback reasons) in the UI language.

import type { MessageKey } from '../../i18n/en';
import type { Fallback, LoadedModel, RetrievalRan, SearchHit } from '../../protocol/messages';
import { ranParts, ranShaping } from '../../lab/ran';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

export function fallbackText(f: Fallback, t: T): string {
  return t(`ran.why.${f.code}`, { ...f.detail, reason: f.reason });
}

/**
 * `Retrieval: BM25 + dense`, or `Retrieval: BM25 only — <reasons>` when a requested part did not run;
 * `+ small-to-big` when hits were expanded to their sections, and `· n near-duplicates merged` when
 * the search collapsed any.
 */
export function retrievalLine(ran: RetrievalRan, fallbacks: readonly Fallback[], t: T): string {
  const shaping = ranShaping(ran);
  const parts = [...ranParts(ran).map((p) => t(`ran.part.${p}`)), ...(shaping.smallToBig ? [t('retrieval.ran.smallToBig')] : [])].join(' + ') || t('ran.none');
  const missing = fallbacks.filter((f) => f.part !== 'llm');
  const line = missing.length ? t('ran.retrievalOnly', { parts, reasons: missing.map((f) => fallbackText(f, t)).join('; ') }) : t('ran.retrieval', { parts });
  return shaping.collapsed > 0 ? `${line} · ${t('retrieval.ran.collapsed', { n: shaping.collapsed })}` : line;
}

export function modelLine(m: LoadedModel, t: T): string {
  const p = { model: m.model, engine: m.engine, device: m.device === 'webgpu' ? 'WebGPU' : 'WASM', dtype: m.dtype };
  return m.fallbackReason ? t('ran.modelFallback', { ...p, reason: m.fallbackReason }) : t('ran.model', p);
}

/** "also in: manual.pdf, copy.txt" for a hit that near-duplicates were collapsed into; '' when none. */
export function alsoInText(hit: Pick<SearchHit, 'alsoIn'> | undefined, t: T): string {
  const docs = hit?.alsoIn?.map((d) => d.docName) ?? [];
  return docs.length ? t('retrieval.alsoIn', { docs: [...new Set(docs)].join(', ') }) : '';
}
