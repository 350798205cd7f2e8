// Length-sorted batching: the model sees texts grouped by length, the caller gets row i for text i.
// Checked with the fixture embedder, whose vectors do not depend on the batch (each token maps to a
// fixed vector and pooling follows the attention mask), so a text embedded alone must give its row.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EMBED_BATCH, embedTexts, lengthSortedBatches, loadEmbedder, paddingOf } from '../../../workers/embedder';
import { DEFAULT_HOST_SETTING, resolveHosts } from '../../../src/models/hosts';
import { estimateTokens } from '../../../src/text/tokens';

const MODELS = resolve(__dirname, '../../../../shared/models');
if (!existsSync(`${MODELS}/lab-fixtures`)) throw new Error(`fixture models missing: expected ${MODELS}/lab-fixtures`);
const hosts = { ...resolveHosts(DEFAULT_HOST_SETTING, 'http://x/'), localPath: `${MODELS}/` };

describe('lengthSortedBatches', () => {
  it('orders longest first, keeps ties in input order, and cuts batches of the given size', () => {
    expect(lengthSortedBatches([3, 9, 1, 9, 5], 2)).toEqual([[1, 3], [4, 0], [2]]);
    expect(lengthSortedBatches([], 4)).toEqual([]);
    expect(() => lengthSortedBatches([1], 0)).toThrow(RangeError);
  });

  it('pads less than batching in input order', () => {
    const lengths = [200, 40, 200, 35, 198, 60, 200, 12];
    const inOrder = [[0, 1], [2, 3], [4, 5], [6, 7]];
    // in order: max 200,200,198,200 × 2 = 1596 padded slots − 945 real = 651 padding tokens
    expect(paddingOf(lengths, inOrder)).toEqual({ padded: 651, real: 945 });
    // sorted: [200,200] [200,198] [60,40] [35,12] → 400+400+120+70 = 990 − 945 = 45
    expect(paddingOf(lengths, lengthSortedBatches(lengths, 2))).toEqual({ padded: 45, real: 945 });
  });
});

describe('embedTexts batching', () => {
  it('returns every vector at its text’s position whatever order the batches ran in', async () => {
    const e = await loadEmbedder({ model: { id: 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow', dtype: 'q8' }, hosts, device: 'wasm', pooling: 'mean', normalize: true, queryPrefix: '', passagePrefix: 'passage: ' }, () => undefined);
    const words = ['年假', 'annual leave', '报销', 'expense report', '密码', 'password policy', '加班', 'overtime'];
    // 2.5 batches of texts whose lengths rise and fall, so sorting really moves them.
    const texts = Array.from({ length: EMBED_BATCH * 2 + 8 }, (_, i) => Array.from({ length: 1 + ((i * 7) % 11) }, (_, j) => words[(i + j) % words.length]).join(' '));
    const lengths = texts.map((t) => estimateTokens(`passage: ${t}`));
    expect(lengthSortedBatches(lengths, EMBED_BATCH).flat()).not.toEqual(texts.map((_, i) => i));
    const progress: number[] = [];
    const tokenProgress: number[] = [];
    const all = await embedTexts(e, texts, 'passage', new AbortController().signal, (done, total, tokens) => {
      expect(total).toBe(texts.length);
      expect(tokens.total).toBe(lengths.reduce((a, b) => a + b, 0));
      progress.push(done);
      tokenProgress.push(tokens.done);
    });
    expect(progress).toEqual([EMBED_BATCH, EMBED_BATCH * 2, texts.length]);
    // Longest first: the first batch carries more than its share of the tokens; the last reaches the total.
    expect(tokenProgress[0] / tokenProgress[2]).toBeGreaterThan(EMBED_BATCH / texts.length);
    expect(tokenProgress[2]).toBe(lengths.reduce((a, b) => a + b, 0));
    const dim = e.info.dim;
    for (let i = 0; i < texts.length; i++) {
      const alone = await embedTexts(e, [texts[i]], 'passage', new AbortController().signal);
      const row = all.subarray(i * dim, (i + 1) * dim);
      for (let j = 0; j < dim; j++) expect(row[j]).toBeCloseTo(alone[j], 6);
    }
  });

  it('stops before the next batch once aborted', async () => {
    const e = await loadEmbedder({ model: { id: 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow', dtype: 'q8' }, hosts, device: 'wasm', pooling: 'mean', normalize: true, queryPrefix: '', passagePrefix: '' }, () => undefined);
    const ctl = new AbortController();
    const texts = Array.from({ length: EMBED_BATCH * 3 }, (_, i) => `text ${i}`);
    let batches = 0;
    const run = embedTexts(e, texts, 'raw', ctl.signal, () => {
      batches++;
      ctl.abort(new Error('cancelled by test'));
    });
    await expect(run).rejects.toThrow('cancelled by test');
    expect(batches).toBe(1);
  });
});
