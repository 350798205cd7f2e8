// Vite build of the browser benchmark pages: every bench/pages/*.html is an entry, built like the
// app (ES workers, es2022) into bench/.dist/pages/. Pages import the real code from ../../src and
// ../../workers, so a benchmark measures exactly what ships.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const pagesDir = fileURLToPath(new URL('./pages/', import.meta.url));
const input = Object.fromEntries(
  readdirSync(pagesDir)
    .filter((f) => f.endsWith('.html'))
    .map((f) => [f.replace(/\.html$/, ''), join(pagesDir, f)]),
);

export default defineConfig({
  root: pagesDir,
  base: '/',
  appType: 'mpa',
  publicDir: false,
  // Runes in *.svelte.ts modules need the Svelte compiler even without components.
  plugins: [svelte({ configFile: fileURLToPath(new URL('../svelte.config.js', import.meta.url)) })],
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('./.dist/pages/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 100_000,
    rollupOptions: { input },
  },
});
