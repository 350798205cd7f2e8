// The sweep's embedding cache: a text is embedded once per embedder and kind, across settings and runs,
// and the cached rows are exactly what the embedder gives for those texts.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { embedTexts, loadEmbedder } from '../../../workers/embedder';
import { SweepEmbeddings } from '../../../workers/knowledge-sweep';
import { DEFAULT_HOST_SETTING, resolveHosts } from '../../../src/models/hosts';

const MODELS = resolve(__dirname, '../../../../shared/models');
if (!existsSync(`${MODELS}/lab-fixtures`)) throw new Error(`fixture models missing: expected ${MODELS}/lab-fixtures`);
const hosts = { ...resolveHosts(DEFAULT_HOST_SETTING, 'http://x/'), localPath: `${MODELS}/` };

describe('SweepEmbeddings', () => {
  it('embeds each text once per kind and returns the embedder\u2019s own rows, in the order asked', async () => {
    const e = await loadEmbedder({ model: { id: 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow', dtype: 'q8' }, hosts, device: 'wasm', pooling: 'mean', normalize: true, queryPrefix: 'query: ', passagePrefix: 'passage: ' }, () => undefined);
    const signal = new AbortController().signal;
    const cache = new SweepEmbeddings();
    const embed = cache.embedFn(e, signal);
    const texts = ['员工年假', 'annual leave', '员工年假'];
    const first = await embed(texts, 'passage');
    expect(cache.size).toBe(2);
    const own = await embedTexts(e, texts, 'passage', signal);
    expect(Array.from(first.data)).toEqual(Array.from(own));
    const again = await embed(['annual leave', '员工年假'], 'passage');
    expect(cache.size).toBe(2);
    expect(Array.from(again.data)).toEqual([...own.subarray(e.info.dim, 2 * e.info.dim), ...own.subarray(0, e.info.dim)]);
    // The query prefix makes another text: cached apart.
    await embed(['annual leave'], 'query');
    expect(cache.size).toBe(3);
    // A cancelled call embeds nothing.
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(cache.embedFn(e, ctrl.signal)(['something new'], 'passage')).rejects.toBeTruthy();
    expect(cache.size).toBe(3);
  });
});
