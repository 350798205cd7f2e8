// The retrieval line under each lane, evaluation item and inspector result: parts that ran, small-to-big
// and merged near-duplicates when they happened (older records without those fields read as before),
// and the "also in" line for a hit, in both languages.
import { describe, expect, it } from 'vitest';
import { format } from '../../../src/i18n';
import type { MessageKey } from '../../../src/i18n/en';
import type { RetrievalRan } from '../../../src/protocol/messages';
import { alsoInText, retrievalLine } from '../../../src/ui/common/ran-text';
import { hitPlaces } from '../../../src/retrieval/search-hits';

const en = (key: MessageKey, p?: Record<string, string | number>) => format('en', key, p);
const zh = (key: MessageKey, p?: Record<string, string | number>) => format('zh', key, p);
const ran: RetrievalRan = { bm25: true, dense: true, rerank: false, embedder: 'e', reranker: null, vectors: 3, chunks: 3 };

describe('retrievalLine', () => {
  it('reads older records exactly as before', () => {
    expect(retrievalLine(ran, [], en)).toBe('Retrieval: BM25 + dense');
    expect(retrievalLine({ ...ran, collapsed: 0 }, [], en)).toBe('Retrieval: BM25 + dense');
  });

  it('names small-to-big as a part and counts merged near-duplicates', () => {
    expect(retrievalLine({ ...ran, smallToBig: true, collapsed: 2 }, [], en)).toBe('Retrieval: BM25 + dense + small-to-big · near-duplicates merged: 2');
    expect(retrievalLine({ ...ran, smallToBig: true, collapsed: 2 }, [], zh)).toBe('检索：BM25 + 向量 + 小块检索、大块入提示 · 合并的近似重复：2');
    expect(retrievalLine({ ...ran, dense: false, collapsed: 1 }, [{ part: 'dense', code: 'no-embedder', reason: 'x' }], en)).toBe('Retrieval: BM25 only — no embedding model is loaded · near-duplicates merged: 1');
  });
});

describe('alsoInText and hitPlaces', () => {
  const hit = {
    chunkId: 'md:1', docId: 'md', start: 10, end: 90,
    alsoIn: [
      { chunkId: 'pdf:0', docId: 'pdf', docName: 'manual.pdf', start: 0, end: 85, page: 2, similarity: 0.9 },
      { chunkId: 'pdf:1', docId: 'pdf', docName: 'manual.pdf', start: 80, end: 160, page: 2, similarity: 0.6 },
    ],
  };
  it('lists each other document once', () => {
    expect(alsoInText(hit, en)).toBe('also in: manual.pdf');
    expect(alsoInText(hit, zh)).toBe('也见于：manual.pdf');
    expect(alsoInText({}, en)).toBe('');
  });
  it('gives every place of the passage, the kept chunk first', () => {
    expect(hitPlaces(hit)).toEqual([
      { chunkId: 'md:1', docId: 'md', start: 10, end: 90 },
      { chunkId: 'pdf:0', docId: 'pdf', start: 0, end: 85 },
      { chunkId: 'pdf:1', docId: 'pdf', start: 80, end: 160 },
    ]);
  });
});
