// Runs first, before the app's own module (index.html lists it first): narrows the page's
// Content-Security-Policy to the connections this load needs (see connect-src.ts) and publishes the
// same directive for the service worker, which puts it on the worker scripts it serves. index.html's
// static policy keeps connect-src wide only so that this one, which the browser intersects with it,
// can name plain-http servers on this machine or the LAN. The static element is then removed (its
// policy stays in force, the browser never drops one), so the DOM shows the one that really applies.

import { connectDirective, POLICY_ATTR, publishDirective, sourcesNow, withDirective } from './connect-src';

function storageOrUndefined(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled: no saved servers, default host
  }
}

const appBase = new URL(import.meta.env.BASE_URL, location.href).href;
const directive = connectDirective(sourcesNow({ storage: storageOrUndefined(), search: location.search, appBase }));
const fixed = document.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy"]');
const meta = document.createElement('meta');
meta.httpEquiv = 'Content-Security-Policy';
meta.content = withDirective(fixed?.content ?? '', directive);
meta.setAttribute(POLICY_ATTR, '');
document.head.appendChild(meta);
fixed?.remove();
publishDirective(directive, appBase).catch(() => {
  // No Cache Storage write (storage full or disabled): workers keep the policy published last, or none.
});
