// Which evaluation answers ran a different retrieval than their run's settings (flagged and counted).
import { describe, expect, it } from 'vitest';
import { retrievalDiffers } from '../../../src/lab/ran';
import type { RetrievalRan } from '../../../src/protocol/messages';

const asked = { bm25: true, dense: true, rerank: false };
const ran: RetrievalRan = { bm25: true, dense: true, rerank: false, embedder: 'e5', reranker: null, vectors: 40, chunks: 40 };

describe('retrievalDiffers', () => {
  it('is false when everything asked ran, over every chunk, with the embedder asked for', () => {
    expect(retrievalDiffers(asked, 'e5', ran)).toBe(false);
    expect(retrievalDiffers(asked, 'e5', null)).toBe(false);
  });
  it('flags a part that did not run, or another embedder', () => {
    expect(retrievalDiffers(asked, 'e5', { ...ran, dense: false, embedder: null })).toBe(true);
    expect(retrievalDiffers(asked, 'e5', { ...ran, rerank: true })).toBe(true);
    expect(retrievalDiffers(asked, 'bge', ran)).toBe(true);
  });
  it('flags dense search over part of the library (vectors still being made)', () => {
    expect(retrievalDiffers(asked, 'e5', { ...ran, vectors: 2 })).toBe(true);
    // BM25 alone does not need vectors.
    expect(retrievalDiffers({ ...asked, dense: false }, 'e5', { ...ran, dense: false, embedder: null, vectors: 2 })).toBe(false);
  });
});
