// The app's shared state: language, theme, model host and model choices (saved prefs + URL
// overrides), the current screen, and the two worker clients. Components read it through context.

import { getContext, setContext } from 'svelte';
import { detectLang, errorMessage, format, formatBytes, formatNumber, type Lang } from '../i18n';
import type { MessageKey } from '../i18n/en';
import { hostFromParams, resolveHosts, type ModelHostSetting, type ResolvedHosts } from '../models/hosts';
import type { DevicePref } from '../protocol/messages';
import { loadPrefs, savePrefs, type Prefs, type Theme } from './prefs';
import { LlmClient } from '../engines/llm-client';
import { KnowledgeClient } from '../engines/knowledge-client';

export const SCREENS = ['lab', 'documents', 'evaluate', 'guide', 'models', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

function screenFromHash(hash: string): Screen {
  const s = hash.replace(/^#\/?/, '').split('?')[0];
  return (SCREENS as readonly string[]).includes(s) ? (s as Screen) : 'lab';
}

export class AppState {
  #prefs = $state<Prefs>(loadPrefs(globalThis.localStorage));
  /** Values set by URL parameters: they win over prefs and are never saved. */
  overrides = $state<{ lang?: Lang; host?: ModelHostSetting; device?: DevicePref; llm?: string; embedder?: string }>({});
  screen = $state<Screen>(screenFromHash(location.hash));
  readonly llm = new LlmClient();
  readonly knowledge = new KnowledgeClient();

  constructor() {
    const params = new URLSearchParams(location.search);
    const lang = params.get('lang');
    const device = params.get('device');
    this.overrides = {
      lang: lang === 'en' || lang === 'zh' ? lang : undefined,
      host: hostFromParams(params) ?? undefined,
      device: device === 'webgpu' || device === 'wasm' ? device : undefined,
      llm: params.get('llm') ?? undefined,
      embedder: params.get('embedder') ?? undefined,
    };
    addEventListener('hashchange', () => (this.screen = screenFromHash(location.hash)));
  }

  lang = $derived<Lang>(this.overrides.lang ?? detectLang(null, this.#prefs.lang, navigator.languages ?? [navigator.language]));
  theme = $derived<Theme>(this.#prefs.theme);
  hostSetting = $derived<ModelHostSetting>(this.overrides.host ?? this.#prefs.host);
  hostFromUrl = $derived(this.overrides.host !== undefined);
  device = $derived<DevicePref>(this.overrides.device ?? this.#prefs.device);
  llmId = $derived(this.overrides.llm ?? this.#prefs.llm);
  embedderId = $derived(this.overrides.embedder ?? this.#prefs.embedder);

  /** Concrete URLs for both runtimes; null while the mirror URL is not valid. */
  hosts = $derived.by<ResolvedHosts | null>(() => {
    try {
      return resolveHosts(this.hostSetting, new URL(import.meta.env.BASE_URL, location.href).href);
    } catch {
      return null;
    }
  });

  #update(patch: Partial<Prefs>): void {
    this.#prefs = { ...this.#prefs, ...patch };
    savePrefs(globalThis.localStorage, this.#prefs);
  }

  setLang(lang: Lang): void {
    this.overrides.lang = undefined;
    this.#update({ lang });
  }
  setTheme(theme: Theme): void {
    this.#update({ theme });
  }
  setHost(host: ModelHostSetting): void {
    this.overrides.host = undefined;
    this.#update({ host });
  }
  setDevice(device: DevicePref): void {
    this.overrides.device = undefined;
    this.#update({ device });
  }
  setLlm(llm: string): void {
    this.overrides.llm = undefined;
    this.#update({ llm });
  }
  setEmbedder(embedder: string): void {
    this.overrides.embedder = undefined;
    this.#update({ embedder });
  }

  t = (key: MessageKey, params?: Record<string, string | number>): string => format(this.lang, key, params);
  err = (e: unknown): string => errorMessage(this.lang, e);
  num = (n: number, digits = 0): string => formatNumber(this.lang, n, digits);
  bytes = (n: number): string => formatBytes(this.lang, n);
}

const KEY = Symbol('app');
export const setApp = (a: AppState) => setContext(KEY, a);
export const useApp = (): AppState => getContext<AppState>(KEY);
