// Picked model folders (transformers.js and optimum-cli layouts) and GGUF split-part grouping, from
// literal file lists shaped like what a webkitdirectory input gives, plus the real fixture folder.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertGroupComplete, checkExternalData, externalChunks, groupGgufFiles, inspectOnnxFolder, readOnnxConfig, type PickedFile } from '../../../src/models/model-files';
import { AppError } from '../../../src/protocol/errors';

const FIXTURE = resolve(__dirname, '../../../../shared/models/lab-fixtures/qwen2-tokenizer-echo');

function walk(dir: string, root = dir): PickedFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p, root) : [{ path: `qwen2-tokenizer-echo/${relative(root, p)}`, size: statSync(p).size }];
  });
}

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an error');
}

const f = (path: string, size = 10): PickedFile => ({ path, size });
const TOKENIZER = [f('m/config.json'), f('m/tokenizer.json'), f('m/tokenizer_config.json')];

describe('ONNX model folders', () => {
  it('the echo fixture folder: four dtypes mapped to the paths transformers.js asks for', () => {
    const folder = inspectOnnxFolder(walk(FIXTURE));
    expect(folder.name).toBe('qwen2-tokenizer-echo');
    expect(folder.layout).toBe('transformers.js');
    expect(folder.dtypes.map((d) => d.dtype)).toEqual(['fp32', 'q8', 'q4', 'q4f16']);
    expect(folder.dtypes[2]).toMatchObject({ file: 'onnx/model_q4.onnx', source: 'qwen2-tokenizer-echo/onnx/model_q4.onnx', bytes: 4351, externalData: [] });
    expect(Object.keys(folder.files).sort()).toEqual(['config.json', 'generation_config.json', 'onnx/model.onnx', 'onnx/model_q4.onnx', 'onnx/model_q4f16.onnx', 'onnx/model_quantized.onnx', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json']);
    const cfg = readOnnxConfig(readFileSync(join(FIXTURE, 'config.json'), 'utf8'), folder.name);
    expect(cfg).toMatchObject({ modelType: 'qwen2', generates: true, externalData: 0 });
  });

  it('optimum-cli layout (model.onnx + model.onnx_data beside config.json) maps into onnx/', () => {
    const folder = inspectOnnxFolder([...TOKENIZER, f('m/model.onnx', 100), f('m/model.onnx_data', 5000), f('m/README.md')]);
    expect(folder.layout).toBe('optimum');
    expect(folder.dtypes).toEqual([{ dtype: 'fp32', file: 'onnx/model.onnx', source: 'm/model.onnx', bytes: 5100, externalData: ['onnx/model.onnx_data'] }]);
    expect(folder.files['onnx/model.onnx_data'].size).toBe(5000);
    expect(folder.files['README.md']).toBeUndefined();
  });

  it('external data chunks in transformers.js order (_data, _data_1, _data_2), checked against config.json', () => {
    const folder = inspectOnnxFolder([...TOKENIZER, f('m/onnx/model_q4f16.onnx'), f('m/onnx/model_q4f16.onnx_data_2'), f('m/onnx/model_q4f16.onnx_data'), f('m/onnx/model_q4f16.onnx_data_1')]);
    expect(folder.dtypes[0].externalData).toEqual(['onnx/model_q4f16.onnx_data', 'onnx/model_q4f16.onnx_data_1', 'onnx/model_q4f16.onnx_data_2']);
    expect(() => checkExternalData(folder, { 'model_q4f16.onnx': 3 })).not.toThrow();
    const e = thrown(() => checkExternalData(folder, { model_q4f16: 4 }));
    expect(e.code).toBe('onnx-folder-incomplete');
    expect(e.detail.missing).toBe('onnx/model_q4f16.onnx_data_3');
    expect(externalChunks(2, 'model.onnx')).toBe(2);
    const cfg = readOnnxConfig(JSON.stringify({ model_type: 'llama', architectures: ['LlamaForCausalLM'], 'transformers.js_config': { use_external_data_format: { 'model.onnx': true } } }), 'm');
    expect(cfg.externalData).toEqual({ 'model.onnx': 1 });
  });

  it('missing config or tokenizer files are named; no known model file is named with what was found', () => {
    const e = thrown(() => inspectOnnxFolder([f('m/config.json'), f('m/onnx/model_q4.onnx')]));
    expect(e.code).toBe('onnx-folder-incomplete');
    expect(e.detail.missing).toBe('tokenizer.json, tokenizer_config.json');
    const none = thrown(() => inspectOnnxFolder([...TOKENIZER, f('m/onnx/decoder_model_merged.onnx')]));
    expect(none.code).toBe('onnx-folder-no-model');
    expect(none.detail.found).toBe('onnx/decoder_model_merged.onnx');
  });

  it('config.json that is not a model config; an encoder model does not generate', () => {
    expect(thrown(() => readOnnxConfig('{"foo": 1}', 'm')).code).toBe('onnx-folder-incomplete');
    expect(thrown(() => readOnnxConfig('not json', 'm')).code).toBe('onnx-folder-incomplete');
    expect(readOnnxConfig('{"model_type":"bert","architectures":["BertModel"]}', 'm').generates).toBe(false);
  });
});

describe('GGUF files and split sets', () => {
  const g = (name: string) => ({ name });

  it('groups split parts by base name and count, in part order; unsplit files stand alone; others set aside', () => {
    const { groups, other } = groupGgufFiles([g('qwen-00002-of-00003.gguf'), g('notes.txt'), g('tiny.gguf'), g('qwen-00001-of-00003.gguf'), g('qwen-00003-of-00003.GGUF')]);
    expect(other).toEqual([g('notes.txt')]);
    expect(groups).toEqual([
      { name: 'tiny.gguf', files: [g('tiny.gguf')], count: 1, missing: [] },
      { name: 'qwen.gguf', files: [g('qwen-00001-of-00003.gguf'), g('qwen-00002-of-00003.gguf'), g('qwen-00003-of-00003.GGUF')], count: 3, missing: [] },
    ]);
  });

  it('a set with a missing part is reported before any header is read', () => {
    const { groups } = groupGgufFiles([g('m-00001-of-00004.gguf'), g('m-00003-of-00004.gguf')]);
    expect(groups[0].missing).toEqual([2, 4]);
    const e = thrown(() => assertGroupComplete(groups[0]));
    expect(e.code).toBe('gguf-split-incomplete');
    expect(e.detail).toEqual({ file: 'm.gguf', count: 4, missing: '2,4' });
  });

  it('parts of two different sets with the same base name (different counts) stay apart', () => {
    const { groups } = groupGgufFiles([g('m-00001-of-00002.gguf'), g('m-00001-of-00003.gguf'), g('m-00002-of-00002.gguf')]);
    expect(groups.map((x) => [x.name, x.count, x.files.length, x.missing])).toEqual([
      ['m.gguf', 2, 2, []],
      ['m.gguf', 3, 1, [2, 3]],
    ]);
  });
});
