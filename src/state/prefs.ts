// Small UI preferences kept in localStorage (read synchronously at start-up, before IndexedDB opens):
// language, theme, model host, backend and model choices. URL parameters override them for one visit.

import { DEFAULT_HOST_SETTING, type ModelHostSetting } from '../models/hosts';
import type { DevicePref } from '../protocol/messages';
import type { Lang } from '../i18n';
import { AppConfig } from '../config';
import type { EnginePref } from '../models/engine-select';

export type Theme = 'light' | 'dark' | 'system';

export interface Prefs {
  lang: Lang | null;
  theme: Theme;
  host: ModelHostSetting;
  device: DevicePref;
  engine: EnginePref;
  llm: string;
  embedder: string;
}

export const DEFAULT_PREFS: Prefs = {
  lang: null,
  theme: 'system',
  host: DEFAULT_HOST_SETTING,
  device: 'auto',
  engine: 'auto',
  llm: AppConfig.defaultLlm,
  embedder: AppConfig.defaultEmbedder,
};

const KEY = 'method-lab:prefs';

export function loadPrefs(storage: Pick<Storage, 'getItem'> | undefined): Prefs {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return { ...DEFAULT_PREFS };
    const p = JSON.parse(raw) as Partial<Prefs>;
    return { ...DEFAULT_PREFS, ...p, host: { ...DEFAULT_HOST_SETTING, ...(p.host ?? {}) } };
  } catch {
    return { ...DEFAULT_PREFS };
  }
}

export function savePrefs(storage: Pick<Storage, 'setItem'> | undefined, p: Prefs): void {
  try {
    storage?.setItem(KEY, JSON.stringify(p));
  } catch {
    // Private mode or a full disk: preferences then last for this visit only, which is acceptable.
  }
}
