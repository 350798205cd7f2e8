// The app's preferences and routing: language, theme, model host and model choices (saved prefs +
// URL overrides), the current screen, and formatting in the chosen language. Nothing else: each
// worker's client belongs to the state that uses it (see context.ts).

import { detectLang, errorMessage, format, formatBytes, formatDate, formatNumber, langLoaded, loadLang, type Lang } from '../i18n';
import type { MessageKey } from '../i18n/en';
import { hostFromParams, resolveHosts, type ModelHostSetting, type ResolvedHosts } from '../models/hosts';
import type { DevicePref } from '../protocol/messages';
import type { EnginePref } from '../models/engine-select';
import { loadPrefs, savePrefs, type Prefs, type Theme } from './prefs';

export const SCREENS = ['lab', 'documents', 'evaluate', 'guide', 'models', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

function screenFromHash(hash: string): Screen {
  const s = hash.replace(/^#\/?/, '').split('?')[0];
  return (SCREENS as readonly string[]).includes(s) ? (s as Screen) : 'lab';
}

function paramsFromHash(hash: string): Record<string, string> {
  const q = hash.split('?')[1];
  return q ? Object.fromEntries(new URLSearchParams(q)) : {};
}

/** The hash link to a screen with parameters. */
export function screenHref(screen: Screen, params: Record<string, string | number> = {}): string {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  return `#/${screen}${q ? `?${q}` : ''}`;
}

export class AppState {
  #prefs = $state<Prefs>(loadPrefs(globalThis.localStorage));
  /** Values set by URL parameters: they win over prefs and are never saved. */
  overrides = $state<{ lang?: Lang; host?: ModelHostSetting; device?: DevicePref; engine?: EnginePref; llm?: string; embedder?: string }>({});
  screen = $state<Screen>(screenFromHash(location.hash));
  /** Parameters after `?` in the hash, e.g. `#/documents?doc=…&chunk=3` (citations jump there). */
  hashParams = $state<Record<string, string>>(paramsFromHash(location.hash));

  constructor() {
    const params = new URLSearchParams(location.search);
    const lang = params.get('lang');
    const device = params.get('device');
    const engine = params.get('engine');
    this.overrides = {
      lang: lang === 'en' || lang === 'zh' ? lang : undefined,
      host: hostFromParams(params) ?? undefined,
      device: device === 'webgpu' || device === 'wasm' ? device : undefined,
      engine: engine === 'web-llm' || engine === 'transformers.js' || engine === 'auto' ? engine : undefined,
      llm: params.get('llm') ?? undefined,
      embedder: params.get('embedder') ?? undefined,
    };
    addEventListener('hashchange', () => {
      this.screen = screenFromHash(location.hash);
      this.hashParams = paramsFromHash(location.hash);
    });
  }

  /** The language asked for (URL, saved choice, browser). */
  wantedLang = $derived<Lang>(this.overrides.lang ?? detectLang(null, this.#prefs.lang, navigator.languages ?? [navigator.language]));
  /** Languages whose strings are here; Chinese loads on demand (`ensureLang`). */
  #loaded = $state<Record<Lang, boolean>>({ en: true, zh: langLoaded('zh') });
  /** The language the UI speaks: the wanted one once its strings have loaded (milliseconds; before the first paint at start-up). */
  lang = $derived<Lang>(this.#loaded[this.wantedLang] ? this.wantedLang : 'en');
  theme = $derived<Theme>(this.#prefs.theme);
  hostSetting = $derived<ModelHostSetting>(this.overrides.host ?? this.#prefs.host);
  hostFromUrl = $derived(this.overrides.host !== undefined);
  device = $derived<DevicePref>(this.overrides.device ?? this.#prefs.device);
  engine = $derived<EnginePref>(this.overrides.engine ?? this.#prefs.engine);
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
    void this.ensureLang().catch((e: unknown) => console.error(e));
  }

  /** Loads the wanted language's strings; the UI switches to it when they are in. */
  async ensureLang(): Promise<void> {
    const lang = this.wantedLang;
    await loadLang(lang);
    this.#loaded[lang] = true;
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
  setEngine(engine: EnginePref): void {
    this.overrides.engine = undefined;
    this.#update({ engine });
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
  date = (ms: number): string => formatDate(this.lang, ms);
}
