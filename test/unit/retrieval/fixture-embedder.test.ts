// End-to-end retrieval with the real transformers.js pipeline and the lexical fixture embedder
// from ../shared/models: every gold chunk must be in the top 3 for dense, BM25 and hybrid search.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { SearchIndex } from '../../../src/retrieval/search-index';
import { RETRIEVAL_CORPUS, RETRIEVAL_QUESTIONS } from '../../fixtures/retrieval-corpus';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/models/');
const MODEL_ID = 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow';

describe('retrieval with the fixture embedder', () => {
  let embed: (texts: string[]) => Promise<{ data: Float32Array; dim: number }>;
  const index = new SearchIndex();

  beforeAll(async () => {
    if (!existsSync(path.join(MODELS, MODEL_ID))) {
      throw new Error(`Embedding fixture missing: expected the folder ${path.join(MODELS, MODEL_ID)} (../shared/models).`);
    }
    env.allowRemoteModels = false;
    env.localModelPath = MODELS;
    const extractor: FeatureExtractionPipeline = await pipeline('feature-extraction', MODEL_ID, { dtype: 'q8' });
    embed = async (texts) => {
      const out = await extractor(texts, { pooling: 'mean', normalize: true });
      return { data: out.data as Float32Array, dim: out.dims[1] };
    };
    const { data, dim } = await embed(RETRIEVAL_CORPUS.map((c) => c.text));
    index.addChunks(RETRIEVAL_CORPUS, data, dim);
  });

  it('indexes every chunk with a vector', () => {
    expect(index.stats()).toMatchObject({ documents: 4, chunks: RETRIEVAL_CORPUS.length, vectors: RETRIEVAL_CORPUS.length, dim: 128 });
  });

  const modes = {
    dense: { dense: true, bm25: false },
    bm25: { dense: false, bm25: true },
    hybrid: { dense: true, bm25: true },
  };
  for (const [name, mode] of Object.entries(modes)) {
    it(`${name}: hit@3 = 100% on ${RETRIEVAL_QUESTIONS.length} questions`, async () => {
      const misses: string[] = [];
      let hitsAt1 = 0;
      for (const { question, goldId } of RETRIEVAL_QUESTIONS) {
        const { data } = await embed([question]);
        const top = index.search(question, data, { k: 3, ...mode }).map((h) => h.id);
        if (!top.includes(goldId)) misses.push(`${question} → ${top.join(', ')} (gold ${goldId})`);
        if (top[0] === goldId) hitsAt1++;
      }
      console.log(`${name}: hit@1 ${hitsAt1}/${RETRIEVAL_QUESTIONS.length}`);
      expect(misses).toEqual([]);
    });
  }
});
