/// <reference types="vitest/config" />
// Build config. `BASE` sets the sub-path the site is served from (e.g. /method-lab/ on a project page).
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { serveModels } from './tools/serve-models.ts';

const base = process.env.BASE ?? '/';

// COOP/COEP make the page cross-origin isolated, which lets ONNX Runtime use threads.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base,
  appType: 'mpa', // a missing model file must be a 404, not index.html
  plugins: [svelte(), serveModels(process.env.MODELS_DIR, base, process.env.MODEL_ALIASES)],
  worker: { format: 'es' },
  // OUT_DIR lets parallel builds (tests, benchmarks) use their own folder; preview serves the same one.
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 8000, outDir: process.env.OUT_DIR ?? 'dist' },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  optimizeDeps: { exclude: ['@huggingface/transformers', '@mlc-ai/web-llm', 'onnxruntime-web'] },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
