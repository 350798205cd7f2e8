import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HF_HOST,
  DEFAULT_HOST_SETTING,
  DEFAULT_MLC_LIB_BASE,
  hostFromParams,
  hostOrigins,
  modelFileUrl,
  resolveHosts,
  type ModelHostSetting,
} from '../../../src/models/hosts';

const APP = 'https://example.org/method-lab/';

describe('resolveHosts', () => {
  it('default mode points at Hugging Face and the MLC libs, whatever the app base', () => {
    const h = resolveHosts(DEFAULT_HOST_SETTING, APP);
    expect(h).toEqual({
      mode: 'default',
      layout: 'hf',
      hfHost: 'https://huggingface.co/',
      hfPathTemplate: '{model}/resolve/{revision}/',
      mlcModelBase: 'https://huggingface.co/',
      mlcLibBase: DEFAULT_MLC_LIB_BASE,
    });
    expect(h.hfHost).toBe(DEFAULT_HF_HOST);
    expect(DEFAULT_MLC_LIB_BASE).toMatch(/^https:\/\/raw\.githubusercontent\.com\/.+\/$/);
    expect(resolveHosts(DEFAULT_HOST_SETTING, 'http://localhost:5173/')).toEqual(h);
  });

  it('mirror with an absolute URL, with or without a trailing slash', () => {
    for (const url of ['https://hf-mirror.com', 'https://hf-mirror.com/', '  https://hf-mirror.com  ']) {
      const h = resolveHosts({ mode: 'mirror', mirrorUrl: url }, APP);
      expect(h.mode).toBe('mirror');
      expect(h.layout).toBe('hf');
      expect(h.hfHost).toBe('https://hf-mirror.com/');
      expect(h.hfPathTemplate).toBe('{model}/resolve/{revision}/');
      expect(h.mlcModelBase).toBe('https://hf-mirror.com/');
      expect(h.mlcLibBase).toBe('https://hf-mirror.com/mlc-libs/');
    }
    const sub = resolveHosts({ mode: 'mirror', mirrorUrl: 'https://cdn.example.net/hf' }, APP);
    expect(sub.hfHost).toBe('https://cdn.example.net/hf/');
    expect(sub.mlcLibBase).toBe('https://cdn.example.net/hf/mlc-libs/');
  });

  it('mirror with a relative URL resolves against the app base', () => {
    expect(resolveHosts({ mode: 'mirror', mirrorUrl: 'mirror' }, APP).hfHost).toBe('https://example.org/method-lab/mirror/');
    expect(resolveHosts({ mode: 'mirror', mirrorUrl: './mirror/' }, APP).hfHost).toBe('https://example.org/method-lab/mirror/');
    expect(resolveHosts({ mode: 'mirror', mirrorUrl: '/hf' }, APP).hfHost).toBe('https://example.org/hf/');
    expect(resolveHosts({ mode: 'mirror', mirrorUrl: '../models-cache' }, APP).hfHost).toBe('https://example.org/models-cache/');
  });

  it('layout override switches the path template', () => {
    const h = resolveHosts({ mode: 'mirror', mirrorUrl: 'https://files.example.net/m', layout: 'folder' }, APP);
    expect(h.layout).toBe('folder');
    expect(h.hfPathTemplate).toBe('{model}/');
    const so = resolveHosts({ mode: 'same-origin', mirrorUrl: '', layout: 'hf' }, APP);
    expect(so.layout).toBe('hf');
    expect(so.hfPathTemplate).toBe('{model}/resolve/{revision}/');
    const d = resolveHosts({ mode: 'default', mirrorUrl: '', layout: 'folder' }, APP);
    expect(d.hfPathTemplate).toBe('{model}/');
  });

  it('libUrl overrides where web-llm libraries come from (absolute or relative, slash added)', () => {
    const abs = resolveHosts({ mode: 'mirror', mirrorUrl: 'https://hf-mirror.com', libUrl: 'https://libs.example.net/wasm' }, APP);
    expect(abs.mlcLibBase).toBe('https://libs.example.net/wasm/');
    expect(abs.hfHost).toBe('https://hf-mirror.com/');
    const rel = resolveHosts({ mode: 'default', mirrorUrl: '', libUrl: 'libs/' }, APP);
    expect(rel.mlcLibBase).toBe('https://example.org/method-lab/libs/');
    expect(rel.hfHost).toBe(DEFAULT_HF_HOST);
  });

  it('same-origin uses the models/ folder under a sub-path app base', () => {
    const h = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, APP);
    expect(h).toEqual({
      mode: 'same-origin',
      layout: 'folder',
      hfHost: 'https://example.org/method-lab/models/',
      hfPathTemplate: '{model}/',
      mlcModelBase: 'https://example.org/method-lab/models/',
      mlcLibBase: 'https://example.org/method-lab/models/mlc-libs/',
    });
    expect(resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, 'http://localhost:4173/').hfHost).toBe('http://localhost:4173/models/');
  });

  it('an empty mirror URL throws', () => {
    expect(() => resolveHosts({ mode: 'mirror', mirrorUrl: '' }, APP)).toThrow(/mirror needs a base URL/);
    expect(() => resolveHosts({ mode: 'mirror', mirrorUrl: '   ' }, APP)).toThrow(/mirror needs a base URL/);
  });

  it('rejects an unknown mode', () => {
    expect(() => resolveHosts({ mode: 'ftp' } as unknown as ModelHostSetting, APP)).toThrow(/unknown host mode/);
  });
});

describe('hostFromParams', () => {
  const p = (q: string) => hostFromParams(new URLSearchParams(q));
  it('returns null without modelHost (or with an empty one)', () => {
    expect(p('')).toBeNull();
    expect(p('modelLayout=folder')).toBeNull();
    expect(p('modelHost=')).toBeNull();
  });
  it('reads default, same-origin and a mirror URL', () => {
    expect(p('modelHost=default')).toEqual({ mode: 'default', mirrorUrl: '', layout: undefined });
    expect(p('modelHost=same-origin')).toEqual({ mode: 'same-origin', mirrorUrl: '', layout: undefined });
    expect(p('modelHost=https%3A%2F%2Fhf-mirror.com%2F')).toEqual({ mode: 'mirror', mirrorUrl: 'https://hf-mirror.com/', layout: undefined });
    expect(p('modelHost=/local-hf')).toEqual({ mode: 'mirror', mirrorUrl: '/local-hf', layout: undefined });
  });
  it('reads a valid modelLayout and ignores an invalid one', () => {
    expect(p('modelHost=same-origin&modelLayout=hf')?.layout).toBe('hf');
    expect(p('modelHost=default&modelLayout=folder')?.layout).toBe('folder');
    expect(p('modelHost=https://m.example/&modelLayout=folder')).toEqual({ mode: 'mirror', mirrorUrl: 'https://m.example/', layout: 'folder' });
    expect(p('modelHost=default&modelLayout=weird')?.layout).toBeUndefined();
  });
  it('round-trips into resolveHosts', () => {
    const s = p('modelHost=same-origin')!;
    expect(resolveHosts(s, APP).hfHost).toBe('https://example.org/method-lab/models/');
  });
});

describe('modelFileUrl', () => {
  it('hf layout: <host><id>/resolve/<revision>/<file>', () => {
    const h = resolveHosts(DEFAULT_HOST_SETTING, APP);
    expect(modelFileUrl(h, 'onnx-community/Qwen2.5-0.5B-Instruct', 'config.json')).toBe(
      'https://huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/resolve/main/config.json',
    );
    expect(modelFileUrl(h, 'Xenova/x', 'onnx/model_q4.onnx', 'refs/pr/1')).toBe('https://huggingface.co/Xenova/x/resolve/refs%2Fpr%2F1/onnx/model_q4.onnx');
  });
  it('folder layout: <host><id>/<file> (revision ignored)', () => {
    const h = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, APP);
    expect(modelFileUrl(h, 'Xenova/bge-small-zh-v1.5', 'onnx/model_quantized.onnx', 'v2')).toBe(
      'https://example.org/method-lab/models/Xenova/bge-small-zh-v1.5/onnx/model_quantized.onnx',
    );
  });
});

describe('hostOrigins', () => {
  it('lists the distinct origins files may come from', () => {
    expect(hostOrigins(resolveHosts(DEFAULT_HOST_SETTING, APP))).toEqual(['https://huggingface.co', 'https://raw.githubusercontent.com']);
    expect(hostOrigins(resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, APP))).toEqual(['https://example.org']);
    expect(hostOrigins(resolveHosts({ mode: 'mirror', mirrorUrl: 'https://hf-mirror.com', libUrl: 'https://libs.example.net/' }, APP))).toEqual([
      'https://hf-mirror.com',
      'https://libs.example.net',
    ]);
  });
});
