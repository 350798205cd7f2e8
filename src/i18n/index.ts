// Picks the language (URL ?lang, then the saved choice, then the browser) and formats messages,
// numbers, bytes and dates per locale. Error messages are localized by code when a key exists.

import type { ErrorCode } from '../protocol/errors';
import { AppError } from '../protocol/errors';
import { en, type MessageKey } from './en';

import { LANGS, type Lang } from './lang';
export { LANGS, type Lang };

// English is built in; the Chinese tables (about a fifth of the start-up script) load on demand.
const TABLES: Partial<Record<Lang, Record<MessageKey, string>>> = { en };
let zhErrors: Record<ErrorCode, string | null> | null = null;
let loadingZh: Promise<void> | null = null;

/** Whether `lang`'s strings are here, so `format(lang, …)` can be called. */
export function langLoaded(lang: Lang): boolean {
  return TABLES[lang] !== undefined;
}

/** Loads `lang`'s strings (a no-op for English or once loaded); a failed load can be retried. */
export function loadLang(lang: Lang): Promise<void> {
  if (langLoaded(lang)) return Promise.resolve();
  loadingZh ??= import('./zh-tables').then(
    (m) => {
      TABLES.zh = m.zh;
      zhErrors = m.zhErrors;
    },
    (e: unknown) => {
      loadingZh = null;
      throw e;
    },
  );
  return loadingZh;
}

export function detectLang(param: string | null, saved: string | null, browser: readonly string[]): Lang {
  for (const v of [param, saved]) if (v === 'en' || v === 'zh') return v;
  for (const b of browser) {
    const l = b.toLowerCase();
    if (l.startsWith('zh')) return 'zh';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

export function format(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const table = TABLES[lang];
  // The app switches its language only once the strings are loaded (AppState), so this is a bug.
  if (!table) throw new Error(`The ${lang} strings are not loaded yet (call loadLang first).`);
  return table[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function locale(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

export function formatNumber(lang: Lang, n: number, digits = 0): string {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);
}

export function formatBytes(lang: Lang, bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${formatNumber(lang, v, i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDate(lang: Lang, ms: number): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/**
 * A user-facing message for any error. English: the message written where it was raised (the most
 * specific). Chinese: the code's wording filled from its detail, or the source message when the
 * code has no general wording or a value is missing.
 */
export function errorMessage(lang: Lang, e: unknown): string {
  if (e instanceof AppError) {
    const template = lang === 'zh' && zhErrors ? zhErrors[e.code] : null;
    if (template) {
      const text = template.replace(/\{(\w+)\}/g, (m, name: string) => (name in e.detail ? String(e.detail[name]) : m));
      if (!/\{\w+\}/.test(text)) return text;
    }
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
