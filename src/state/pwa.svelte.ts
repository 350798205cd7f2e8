/// <reference types="vite-plugin-pwa/vanillajs" />
// Service-worker state for the header: offline-ready once the worker controls the page, online/offline,
// and a waiting update the user applies with "Reload" (never forced). One instance, started by main.ts.

import { registerSW } from 'virtual:pwa-register';

/** `unsupported`: no service workers here (e.g. http on a LAN address); `pending`: installing. */
export type OfflineState = 'unsupported' | 'pending' | 'ready' | 'error';

const UPDATE_CHECK_MS = 60 * 60 * 1000;
const ISOLATION_RELOAD_KEY = 'method-lab:isolation-reload';

export class PwaState {
  #state = $state<OfflineState>('pending');
  #online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  #needRefresh = $state(false);
  #error = $state('');
  #updating = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | null = null;
  #registration: ServiceWorkerRegistration | null = null;
  /** Set at build time (e.g. `VITE_BUILD_ID=$(git rev-parse --short HEAD)`); shown as a tooltip. */
  readonly build: string = import.meta.env.VITE_BUILD_ID ?? '';

  get state(): OfflineState {
    return this.#state;
  }
  get online(): boolean {
    return this.#online;
  }
  get needRefresh(): boolean {
    return this.#needRefresh;
  }
  get updating(): boolean {
    return this.#updating;
  }
  /** The browser's reason when registering failed; empty when the install failed without one. */
  get error(): string {
    return this.#error;
  }

  start(): void {
    addEventListener('online', () => {
      this.#online = true;
      void this.checkForUpdate();
    });
    addEventListener('offline', () => (this.#online = false));
    if (!('serviceWorker' in navigator) || !window.isSecureContext) {
      this.#state = 'unsupported';
      return;
    }
    const sw = navigator.serviceWorker;
    const controlled = () => {
      if (!sw.controller) return;
      this.#state = 'ready';
      this.#isolateOnce();
    };
    sw.addEventListener('controllerchange', controlled);
    controlled();
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.#needRefresh = true),
      // A new version took control without our click (another tab said Reload): offer the reload, never force it.
      onNeedReload: () => (this.#needRefresh = true),
      onOfflineReady: controlled,
      onRegisteredSW: (_url, reg) => {
        this.#registration = reg ?? null;
        this.#watchFirstInstall(reg?.installing ?? null);
        setInterval(() => void this.checkForUpdate(), UPDATE_CHECK_MS);
      },
      onRegisterError: (e: unknown) => {
        this.#state = 'error';
        this.#error = e instanceof Error ? e.message : String(e);
      },
    });
  }

  /** Asks the server for a newer service worker (also done hourly and when the network returns). */
  async checkForUpdate(): Promise<void> {
    const reg = this.#registration;
    if (!reg || !navigator.onLine || reg.installing) return;
    try {
      await reg.update();
    } catch {
      // Offline or the host is down: the next check tries again; nothing the user must act on.
    }
  }

  /** Activates the waiting version, then reloads once it controls the page. */
  async reload(): Promise<void> {
    this.#updating = true;
    if (!this.#registration?.waiting || !this.#update) {
      location.reload(); // already active (another tab applied it): just load the new files
      return;
    }
    // Our own reload: workbox-window only reloads for pages that were controlled when they loaded,
    // so the very visit that installed the first version would otherwise stay on the old code.
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    await this.#update(true);
  }

  dismiss(): void {
    this.#needRefresh = false;
  }

  /** A first install that fails (e.g. no room for the ~36 MB precache) must not say "Preparing…" forever. */
  #watchFirstInstall(sw: ServiceWorker | null): void {
    if (!sw || navigator.serviceWorker.controller) return;
    sw.addEventListener('statechange', () => {
      if (sw.state !== 'redundant' || navigator.serviceWorker.controller) return;
      this.#state = 'error';
      this.#error = ''; // no reason from the browser: the UI says what usually causes it
    });
  }

  /**
   * Builds with VITE_SW_ISOLATION=1: the service worker adds COOP/COEP, but only to pages it serves,
   * so the visit that installed it is not isolated yet. Reload once (per tab session) to get threads.
   */
  #isolateOnce(): void {
    if (import.meta.env.VITE_SW_ISOLATION !== '1' || globalThis.crossOriginIsolated) return;
    if (sessionStorage.getItem(ISOLATION_RELOAD_KEY)) return; // the host or browser refuses: don't loop
    sessionStorage.setItem(ISOLATION_RELOAD_KEY, '1');
    location.reload();
  }
}

