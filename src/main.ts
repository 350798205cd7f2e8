// Entry: creates the page's states, mounts the app and starts the service worker (offline use,
// update prompt; see docs/DEPLOY.md).
import { mount } from 'svelte';
import App from './App.svelte';
import { States } from './state/context.svelte';
import './ui/global.css';

const states = new States();
// A page in Chinese loads its strings first, so it never paints in English.
await states.app.ensureLang().catch((e: unknown) => console.error('The Chinese strings could not be loaded:', e));
mount(App, { target: document.getElementById('app')!, props: { states } });
states.start();
states.pwa.start();
// A hook for diagnostics and the end-to-end tests (e.g. to crash a worker on purpose).
(globalThis as { __methodLab?: unknown }).__methodLab = states;
