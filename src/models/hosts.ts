// Where model files come from. The default is the real public hosts (Hugging Face for weights,
// GitHub raw for web-llm model libraries); a mirror or a folder next to the app can replace both.
// transformers.js gets `remoteHost` + `remotePathTemplate`; web-llm gets per-model `model`/`model_lib` URLs.

export type HostMode = 'default' | 'mirror' | 'same-origin';
/** `hf`: `<host>/<id>/resolve/main/<file>` (Hugging Face and its mirrors); `folder`: `<host>/<id>/<file>`. */
export type HostLayout = 'hf' | 'folder';

export interface ModelHostSetting {
  mode: HostMode;
  /** Base URL of the mirror (absolute, or relative to the app) when mode is `mirror`. */
  mirrorUrl: string;
  /** Overrides the layout implied by the mode. */
  layout?: HostLayout;
  /** Overrides where web-llm model libraries (`*.wasm`) are fetched from. */
  libUrl?: string;
}

export interface ResolvedHosts {
  mode: HostMode;
  layout: HostLayout;
  /** transformers.js `env.remoteHost`, always ending in `/`. */
  hfHost: string;
  /** transformers.js `env.remotePathTemplate`. */
  hfPathTemplate: string;
  /** web-llm weights for `<repo>` live at `${mlcModelBase}<repo>/resolve/main/`. */
  mlcModelBase: string;
  /** web-llm model libraries: `${mlcLibBase}<file>.wasm`. */
  mlcLibBase: string;
  /** Node only (tests, benchmarks): load models from this folder instead of fetching. */
  localPath?: string;
}

export const DEFAULT_HF_HOST = 'https://huggingface.co/';
export const WEBLLM_LIB_VERSION = 'v0_2_86/base/';
export const DEFAULT_MLC_LIB_BASE = `https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/${WEBLLM_LIB_VERSION}`;
export const SAME_ORIGIN_FOLDER = 'models/';

export const DEFAULT_HOST_SETTING: ModelHostSetting = Object.freeze({ mode: 'default', mirrorUrl: '' });

const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

/** Turns the setting into concrete URLs; `appBase` is the absolute URL of the app's base path. */
export function resolveHosts(s: ModelHostSetting, appBase: string): ResolvedHosts {
  let base: string;
  let layout: HostLayout;
  let libBase: string;
  switch (s.mode) {
    case 'default':
      base = DEFAULT_HF_HOST;
      layout = 'hf';
      libBase = DEFAULT_MLC_LIB_BASE;
      break;
    case 'mirror': {
      if (!s.mirrorUrl.trim()) throw new Error('A mirror needs a base URL.');
      base = withSlash(new URL(s.mirrorUrl.trim(), appBase).href);
      layout = 'hf';
      libBase = `${base}mlc-libs/`;
      break;
    }
    case 'same-origin':
      base = new URL(SAME_ORIGIN_FOLDER, appBase).href;
      layout = 'folder';
      libBase = `${base}mlc-libs/`;
      break;
    default: {
      const never: never = s.mode;
      throw new Error(`unknown host mode ${String(never)}`);
    }
  }
  layout = s.layout ?? layout;
  return {
    mode: s.mode,
    layout,
    hfHost: base,
    hfPathTemplate: layout === 'hf' ? '{model}/resolve/{revision}/' : '{model}/',
    mlcModelBase: base,
    mlcLibBase: s.libUrl ? withSlash(new URL(s.libUrl, appBase).href) : libBase,
  };
}

/** Reads `?modelHost=default|same-origin|<url>` and `?modelLayout=hf|folder`; null when absent. */
export function hostFromParams(params: URLSearchParams): ModelHostSetting | null {
  const v = params.get('modelHost');
  if (!v) return null;
  const layoutParam = params.get('modelLayout');
  const layout: HostLayout | undefined = layoutParam === 'hf' || layoutParam === 'folder' ? layoutParam : undefined;
  if (v === 'default') return { mode: 'default', mirrorUrl: '', layout };
  if (v === 'same-origin') return { mode: 'same-origin', mirrorUrl: '', layout };
  return { mode: 'mirror', mirrorUrl: v, layout };
}

/** The URL of one file of a transformers.js model on the resolved host. */
export function modelFileUrl(h: ResolvedHosts, modelId: string, file: string, revision = 'main'): string {
  const path = h.hfPathTemplate.replaceAll('{model}', modelId).replaceAll('{revision}', encodeURIComponent(revision));
  return `${h.hfHost}${path}${file}`;
}

/** The origins a model may be fetched from (shown in Settings, used by the tests' network guard). */
export function hostOrigins(h: ResolvedHosts): string[] {
  return [...new Set([new URL(h.hfHost).origin, new URL(h.mlcLibBase).origin])];
}

/** A public mirror in the Hugging Face layout, offered when the default host cannot be reached. */
export const DEFAULT_MIRROR_URL = 'https://hf-mirror.com/';

/** The setting that points both runtimes at a mirror in the Hugging Face layout. */
export function mirrorHostSetting(url: string): ModelHostSetting {
  return { mode: 'mirror', mirrorUrl: url.trim() };
}

/** A DNS name (not an IP literal, not localhost): only those get a `*.` wildcard for their CDN hosts. */
function isDnsName(hostname: string): boolean {
  return /[a-z]/i.test(hostname) && hostname.includes('.') && !hostname.startsWith('[') && !/\.?localhost$/i.test(hostname);
}

/**
 * CSP source expressions for every place model files may be fetched from, redirects included:
 * Hugging Face answers `resolve/` URLs with redirects to its CDN and Xet storage (`*.hf.co`,
 * `cdn-lfs.huggingface.co`), and mirrors do the same on their own subdomains (e.g. cdn-lfs.hf-mirror.com),
 * so a mirror that is a DNS name also gets `*.<host>`. A same-origin folder needs nothing beyond 'self'.
 */
export function hostConnectSources(h: ResolvedHosts): string[] {
  const out: string[] = [];
  for (const base of [h.hfHost, h.mlcLibBase]) {
    const u = new URL(base);
    out.push(u.origin);
    if (u.origin === new URL(DEFAULT_HF_HOST).origin) out.push('https://*.huggingface.co', 'https://*.hf.co');
    else if (h.mode === 'mirror' && isDnsName(u.hostname) && u.hostname !== 'raw.githubusercontent.com') out.push(`${u.protocol}//*.${u.host}`);
  }
  return [...new Set(out)];
}
