// Display names of the methods (lanes are regions named after them).
import type { MessageKey } from '../../i18n/en';
import type { MethodId } from '../../strategies/types';

export const METHOD_LABEL: Record<MethodId, MessageKey> = {
  plain: 'method.plain',
  'few-shot': 'method.few-shot',
  rag: 'method.rag',
  'rag+few-shot': 'method.rag+few-shot',
};

/** `#/documents?doc=…&chunk=…` for a chunk id of the form `${docId}:${index}`. */
export function chunkHref(chunkId: string): string {
  const i = chunkId.lastIndexOf(':');
  return `#/documents?doc=${encodeURIComponent(chunkId.slice(0, i))}&chunk=${chunkId.slice(i + 1)}`;
}
