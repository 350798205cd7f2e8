// The one chunk-id format, `${docId}:${index}`: built when chunks are stored, parsed where a chunk
// id must lead back to its document (citation links, removal by document).

export function chunkId(docId: string, index: number): string {
  return `${docId}:${index}`;
}

/** The document id and chunk index of an id made by `chunkId`; null for anything else. */
export function parseChunkId(id: string): { docId: string; index: number } | null {
  const colon = id.lastIndexOf(':');
  if (colon <= 0) return null;
  const tail = id.slice(colon + 1);
  if (!/^\d+$/u.test(tail)) return null;
  return { docId: id.slice(0, colon), index: Number(tail) };
}
