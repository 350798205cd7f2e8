// End-to-end tests: Debian's Chromium drives the BUILT site served by `vite preview`, with the
// fixture models from ../shared/models mounted at /models/. Two projects: `wasm` (no WebGPU
// adapter) and `webgpu` (SwiftShader adapter via --enable-unsafe-webgpu); only specs tagged
// @gpu run in both.

import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const PORT = Number(process.env.E2E_PORT ?? 4179);
const BASE = process.env.BASE ?? '/';
const MODELS_DIR = resolve(process.env.MODELS_DIR ?? '../shared/models');
if (!existsSync(resolve(MODELS_DIR, 'lab-fixtures'))) {
  throw new Error(`The fixture models are missing: expected ${MODELS_DIR}/lab-fixtures (set MODELS_DIR).`);
}
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const baseArgs = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: true,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}${BASE}`,
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'wasm',
      use: { launchOptions: { executablePath: CHROMIUM, args: baseArgs } },
    },
    {
      name: 'webgpu',
      grep: /@gpu/,
      use: { launchOptions: { executablePath: CHROMIUM, args: [...baseArgs, '--enable-unsafe-webgpu'] } },
    },
  ],
  webServer: {
    // Started directly (not through npx) so stopping it stops vite itself.
    command: `node node_modules/vite/bin/vite.js preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}${BASE}`,
    reuseExistingServer: false,
    // The catalog's real transformers.js ids answer with fixtures, so failover paths load real entries.
    env: { MODELS_DIR, BASE, MODEL_ALIASES: 'onnx-community/Qwen2.5-0.5B-Instruct=lab-fixtures/qwen2-tokenizer-echo,Xenova/all-MiniLM-L6-v2=lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow' },
    timeout: 60_000,
  },
});
