/// <reference lib="webworker" />
// The service worker (built by vite-plugin-pwa, strategy injectManifest): precaches the app shell,
// workers, ONNX Runtime's WASM and the pdf.js worker; answers navigations with the cached index.html;
// caches pdf.js CMaps on first use. Never touches model files: the runtimes cache those themselves.
// With VITE_SW_ISOLATION=1 it also adds COOP/COEP to what it serves when the host sent none, so a
// static host that cannot set headers still gets cross-origin isolation (multi-threaded WASM).
// Worker scripts get the page's connect-src as a header (workers do not inherit the document's
// <meta> policy): the model host and the servers the user added, published by src/policy/boot.ts.

import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { clientsClaim } from 'workbox-core';
import { POLICY_CACHE, POLICY_PATH } from './policy/connect-src';

declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

const ISOLATE = import.meta.env.VITE_SW_ISOLATION === '1';

/** The response with COOP/COEP/CORP added, unless the host already sent a COEP header. */
function withIsolation(res: Response): Response {
  if (res.status === 0 || res.type === 'opaque' || res.headers.has('Cross-Origin-Embedder-Policy')) return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  // credentialless, as vite.config.ts explains: the CORS-vs-unreachable check needs opaque replies.
  headers.set('Cross-Origin-Embedder-Policy', 'credentialless');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

if (ISOLATE) addPlugins([{ handlerWillRespond: async ({ response }) => withIsolation(response) }]);

/** A worker script with the published connect-src as its CSP header; unchanged when none was published yet. */
async function withConnectPolicy(request: Request, res: Response): Promise<Response> {
  if (request.destination !== 'worker' || res.type === 'opaque') return res;
  const entry = await (await caches.open(POLICY_CACHE)).match(new URL(POLICY_PATH, self.registration.scope).href);
  const directive = (await entry?.text())?.trim() ?? '';
  if (!/^connect-src\s/.test(directive)) return res;
  const headers = new Headers(res.headers);
  headers.set('Content-Security-Policy', directive);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

addPlugins([{ handlerWillRespond: async ({ request, response }) => withConnectPolicy(request, response) }]);

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Any navigation inside the scope gets the app (hash routes carry the screen); model paths never do.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/\/models\//] }));

// CMaps are only needed for some CJK PDFs: fetched when used, then kept (their names are hashed).
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname.endsWith('.bcmap'),
  new CacheFirst({ cacheName: 'method-lab-pdf-cmaps' }),
);

// A first install takes control at once (so the first visit is already offline-ready); an update
// waits until the page asks for it ("new version available — Reload").
clientsClaim();
self.addEventListener('message', (e) => {
  if ((e.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
