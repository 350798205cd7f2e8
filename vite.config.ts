/// <reference types="vitest/config" />
// Build config. `BASE` sets the sub-path the site is served from (e.g. /method-lab/ on a project page).
// The PWA part (manifest + service worker from src/sw.ts) is documented in docs/DEPLOY.md.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { serveModels } from './tools/serve-models.ts';

const base = process.env.BASE ?? '/';

// COOP/COEP make the page cross-origin isolated, which lets ONNX Runtime use threads.
// ISOLATION_HEADERS=0 leaves them out of dev/preview, to try a static host that cannot send headers.
// COEP `credentialless` rather than `require-corp`: both isolate, but under require-corp an opaque
// (no-cors) reply without a CORP header is refused like a dead host, so the check that tells "the
// server blocked this page (CORS)" from "nothing answered" (src/server/errors.ts) could never see it.
const isolationHeaders =
  process.env.ISOLATION_HEADERS === '0'
    ? {}
    : {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'credentialless',
      };

// The service worker precaches the app shell, the workers, ONNX Runtime's WASM and the pdf.js worker.
// Never model weights (the runtimes cache those themselves) and never pdf.js CMaps (~170 files,
// fetched on demand and cached at run time by src/sw.ts).
const pwa = VitePWA({
  strategies: 'injectManifest',
  srcDir: 'src',
  filename: 'sw.ts',
  registerType: 'prompt', // an update waits for the user's "Reload" (src/state/pwa.svelte.ts)
  injectRegister: false, // registered by src/state/pwa.svelte.ts through virtual:pwa-register
  includeManifestIcons: false, // the globs below already list them (no duplicate entries)
  manifest: {
    name: 'Method Lab',
    short_name: 'Method Lab',
    description: 'Compare plain prompting, few-shot and RAG on your own documents with a local LLM, in your browser.',
    lang: 'en',
    start_url: './',
    scope: './',
    display: 'standalone',
    theme_color: '#0b5cad',
    background_color: '#f7f8fa',
    categories: ['education', 'productivity', 'utilities'],
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
  },
  injectManifest: {
    globPatterns: ['**/*.{html,js,mjs,css,wasm,svg,png,ico,webmanifest,json,txt,md,csv,jsonl,pdf,docx}'],
    globIgnores: ['manifest.webmanifest', '**/*.bcmap', 'models/**', '**/*.onnx', '**/*.onnx_data', '**/*.safetensors', '**/*.bin'],
    // ORT's WASM is ~27 MB and web-llm's chunk ~6 MB; the 2 MiB default would silently drop them.
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    rollupFormat: 'iife', // a classic worker script: registers everywhere, no module-SW support needed
  },
  devOptions: { enabled: false },
});

export default defineConfig({
  base,
  appType: 'mpa', // a missing model file must be a 404, not index.html
  plugins: [svelte(), serveModels(process.env.MODELS_DIR, base, process.env.MODEL_ALIASES), pwa],
  worker: { format: 'es' },
  // OUT_DIR lets parallel builds (tests, benchmarks) use their own folder; preview serves the same one.
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 8000, outDir: process.env.OUT_DIR ?? 'dist' },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  optimizeDeps: { exclude: ['@huggingface/transformers', '@mlc-ai/web-llm', 'onnxruntime-web'] },
  test: {
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['test/unit/setup-i18n.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
