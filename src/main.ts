// Entry: mounts the app and starts the service worker (offline use, update prompt; see docs/DEPLOY.md).
import { mount } from 'svelte';
import App from './App.svelte';
import { pwa } from './state/pwa.svelte';
import './ui/global.css';

mount(App, { target: document.getElementById('app')! });
pwa.start();
