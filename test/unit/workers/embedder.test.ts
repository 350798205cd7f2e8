// The embedder refuses to hand out invalid vectors: the fixture maps [CLS] to zero, so CLS pooling
// normalizes a zero vector into NaN — the same failure a real model gets with the wrong pooling.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { embedTexts, loadEmbedder } from '../../../workers/embedder';
import { DEFAULT_HOST_SETTING, resolveHosts } from '../../../src/models/hosts';
import { ModelError } from '../../../src/protocol/errors';

const MODELS = resolve(__dirname, '../../../../shared/models');
if (!existsSync(`${MODELS}/lab-fixtures`)) throw new Error(`fixture models missing: expected ${MODELS}/lab-fixtures`);
const hosts = { ...resolveHosts(DEFAULT_HOST_SETTING, 'http://x/'), localPath: `${MODELS}/` };
const req = (pooling: 'mean' | 'cls') => ({ model: { id: 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow', dtype: 'q8' }, hosts, device: 'wasm' as const, pooling, normalize: true, queryPrefix: 'query: ', passagePrefix: 'passage: ' });

describe('embedder', () => {
  it('a pooling that yields NaN is a clear model error, not a stored vector', async () => {
    const e = await loadEmbedder(req('cls'), () => undefined).catch((err: unknown) => err);
    // The dimension probe already meets the NaN, or embedding does; either way the error is clear.
    const err = e instanceof ModelError ? e : await embedTexts(e as Awaited<ReturnType<typeof loadEmbedder>>, ['员工年假'], 'passage', new AbortController().signal).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).message).toContain('pooling');
  });
  it('mean pooling gives unit vectors, and the passage/query prefixes are applied', async () => {
    const e = await loadEmbedder(req('mean'), () => undefined);
    const v = await embedTexts(e, ['员工年假', 'annual leave'], 'passage', new AbortController().signal);
    expect(v.length).toBe(2 * e.info.dim);
    for (let r = 0; r < 2; r++) expect(Math.hypot(...v.subarray(r * e.info.dim, (r + 1) * e.info.dim))).toBeCloseTo(1, 5);
    const raw = await embedTexts(e, ['annual leave'], 'raw', new AbortController().signal);
    const q = await embedTexts(e, ['annual leave'], 'query', new AbortController().signal);
    expect([...raw]).not.toEqual([...q]);
  });
});
