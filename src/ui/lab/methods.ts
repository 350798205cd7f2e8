// Display names of the methods (lanes are regions named after them).
import type { MessageKey } from '../../i18n/en';
import type { MethodId } from '../../strategies/types';
import { parseChunkId } from '../../store/chunk-id';

export const METHOD_LABEL: Record<MethodId, MessageKey> = {
  plain: 'method.plain',
  'few-shot': 'method.few-shot',
  rag: 'method.rag',
  'rag+few-shot': 'method.rag+few-shot',
  'rag-hyde': 'method.rag-hyde',
  'rag-multi': 'method.rag-multi',
  'rag-verified': 'method.rag-verified',
};

/** `#/documents?doc=…&chunk=…` for a stored chunk's id. */
export function chunkHref(id: string): string {
  const c = parseChunkId(id);
  return c ? `#/documents?doc=${encodeURIComponent(c.docId)}&chunk=${c.index}` : '#/documents';
}
