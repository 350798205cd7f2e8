import { describe, expect, it } from 'vitest';
import { detectLang, errorMessage, format } from '../../../src/i18n';
import { en } from '../../../src/i18n/en';
import { zh } from '../../../src/i18n/zh';
import { AbortError, AppError, ModelError, WorkerCrashedError } from '../../../src/protocol/errors';
import { timeoutError } from '../../../src/models/fetch-timeout';
import { DEFAULT_PREFS, loadPrefs, savePrefs, type Prefs } from '../../../src/state/prefs';
import { DEFAULT_HOST_SETTING } from '../../../src/models/hosts';

describe('detectLang', () => {
  it('URL parameter wins over saved choice and browser', () => {
    expect(detectLang('en', 'zh', ['zh-CN'])).toBe('en');
    expect(detectLang('zh', 'en', ['en-US'])).toBe('zh');
  });
  it('saved choice wins over the browser list; invalid values are skipped', () => {
    expect(detectLang(null, 'zh', ['en-US'])).toBe('zh');
    expect(detectLang('de', 'zh', ['en-US'])).toBe('zh');
    expect(detectLang('', 'en', ['zh-CN'])).toBe('en');
  });
  it('browser list in order: first supported language', () => {
    expect(detectLang(null, null, ['zh-TW', 'en'])).toBe('zh');
    expect(detectLang(null, null, ['ZH-hk'])).toBe('zh');
    expect(detectLang(null, null, ['fr-FR', 'zh-CN', 'en'])).toBe('zh');
    expect(detectLang(null, null, ['en-GB', 'zh-CN'])).toBe('en');
    expect(detectLang(null, 'fr', ['fr'])).toBe('en');
    expect(detectLang(null, null, [])).toBe('en');
  });
});

describe('format', () => {
  it('fills placeholders, in both languages', () => {
    const params = { device: 'wasm', dtype: 'q8', engine: 'transformers.js', ms: 42 };
    expect(format('en', 'models.ranOn', params)).toBe('Ran on wasm (q8) with transformers.js in 42 ms');
    const z = format('zh', 'models.ranOn', params);
    for (const v of ['wasm', 'q8', 'transformers.js', '42']) expect(z).toContain(v);
    expect(z).not.toMatch(/\{\w+\}/);
  });
  it('leaves unknown placeholders as they are and works without params', () => {
    expect(format('en', 'models.ranOn', { device: 'webgpu' })).toBe('Ran on webgpu ({dtype}) with {engine} in {ms} ms');
    expect(format('en', 'app.title')).toBe('Method Lab');
  });
  it('fills a placeholder used twice and numbers as strings', () => {
    expect(format('en', 'models.download', { loaded: '1 MB', total: '2 MB', pct: 50 })).toBe('Downloading 1 MB of 2 MB (50%)');
  });
});

describe('errorMessage', () => {
  it('localizes an AppError by code with its detail', () => {
    const e = timeoutError('https://hf-mirror.com/x/config.json', 'connect', 30_000);
    // English keeps the message written where the error was raised.
    expect(errorMessage('en', e)).toBe(e.message);
    expect(e.message).toContain('hf-mirror.com did not answer within 30 s');
    expect(errorMessage('zh', e)).toBe('模型源 hf-mirror.com 未在 30 秒内响应。请检查网络或模型源设置后重试。');
    const nf = new ModelError('model-not-found', 'english fallback', { model: 'a/b', url: '' });
    expect(errorMessage('zh', nf)).toBe('模型“a/b”在模型源上缺少文件。请检查模型 ID 和模型源设置。');
    expect(errorMessage('zh', new AbortError())).toBe('已取消。');
    expect(errorMessage('en', new WorkerCrashedError('llm', 'out of memory'))).toBe('The llm worker stopped unexpectedly (out of memory). It will be restarted on the next request.');
    expect(errorMessage('zh', new WorkerCrashedError('llm', 'out of memory'))).toBe('llm 后台线程意外停止（out of memory），下次请求时会自动重启。');
  });
  it('falls back to the message when there is no key or a placeholder is unfilled', () => {
    expect(errorMessage('zh', new AppError('internal', 'Something odd.'))).toBe('Something odd.');
    expect(errorMessage('zh', new ModelError('model-not-found', 'Raw English.'))).toBe('Raw English.');
    expect(errorMessage('en', new Error('plain'))).toBe('plain');
    expect(errorMessage('en', 'a string')).toBe('a string');
  });
});

describe('message tables', () => {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  it('en and zh have identical key sets', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });
  it('no empty strings', () => {
    for (const [k, v] of [...Object.entries(en), ...Object.entries(zh)]) expect(v.trim(), k).not.toBe('');
  });
  it('each key uses the same placeholders in both languages', () => {
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(placeholders(zh[k]), k).toEqual(placeholders(en[k]));
  });
});

describe('prefs', () => {
  const fakeStorage = () => {
    const m = new Map<string, string>();
    return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, String(v)) };
  };
  it('nothing saved (or no storage) → defaults', () => {
    expect(loadPrefs(undefined)).toEqual(DEFAULT_PREFS);
    expect(loadPrefs(fakeStorage())).toEqual(DEFAULT_PREFS);
  });
  it('round-trips through storage', () => {
    const s = fakeStorage();
    const p: Prefs = {
      ...DEFAULT_PREFS,
      lang: 'zh',
      theme: 'dark',
      host: { mode: 'mirror', mirrorUrl: 'https://hf-mirror.com/', layout: 'folder', libUrl: 'https://libs.example/' },
      device: 'wasm',
      llm: 'onnx-community/x',
      embedder: 'Xenova/y',
    };
    savePrefs(s, p);
    expect(s.m.size).toBe(1);
    expect(loadPrefs(s)).toEqual(p);
  });
  it('partial saved data is merged with the defaults (host too)', () => {
    const s = fakeStorage();
    s.setItem('method-lab:prefs', JSON.stringify({ theme: 'light', host: { mode: 'same-origin' } }));
    const p = loadPrefs(s);
    expect(p.theme).toBe('light');
    expect(p.device).toBe(DEFAULT_PREFS.device);
    expect(p.host).toEqual({ ...DEFAULT_HOST_SETTING, mode: 'same-origin' });
  });
  it('corrupted JSON → defaults', () => {
    for (const raw of ['{not json', 'null']) {
      const s = fakeStorage();
      s.setItem('method-lab:prefs', raw);
      expect(loadPrefs(s), raw).toEqual(DEFAULT_PREFS);
    }
  });
  it('a failing storage neither throws on save nor on load', () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(() => savePrefs(broken, DEFAULT_PREFS)).not.toThrow();
    expect(loadPrefs(broken)).toEqual(DEFAULT_PREFS);
  });
  it('loaded prefs are a copy: changing them does not change the defaults', () => {
    const p = loadPrefs(undefined);
    p.theme = 'dark';
    expect(DEFAULT_PREFS.theme).toBe('system');
  });
});
