// The installable, offline app: manifest and service worker, an offline reload with the server
// stopped (documents, runs, the lab with a cached fixture model, the guide, "needs a connection" for
// a model never downloaded), the polite update prompt after a rebuild, and SW-added isolation headers.

import type { BrowserContext, Page } from '@playwright/test';
import { test, expect, openApp, snap, CANNED_FIXTURE, CANNED_REPLY, ECHO_FIXTURE } from './fixtures';
import { OWN_PORT, buildApp, startPreview, type Preview } from './preview-server';

const OUT_DIR = process.env.OUT_DIR ?? 'dist';
const HANDBOOK = '# Lanting handbook\n\n## Annual leave\n\nNew employees get fifteen days of paid annual leave in their first year.\n\n## Expenses\n\nTaxi receipts above 200 yuan need the approval of your manager.';
const SAMPLE_REGION = 'Sample data';
const QUESTION = 'How many days of annual leave do new employees get?';

const offlineReady = (page: Page) => page.getByRole('status', { name: 'Offline ready' });

/**
 * Chromium's offline emulation is not re-applied to a document loaded while offline (navigator.onLine
 * reads true again after a reload, although every request still fails), so say it again after each
 * navigation. A real loss of network keeps navigator.onLine false.
 */
async function stillOffline(context: BrowserContext) {
  await context.setOffline(false);
  await context.setOffline(true);
}

async function waitControlled(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 60_000 });
  await expect(offlineReady(page)).toBeVisible();
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

/** URLs in the Workbox precache (pathnames). */
const precached = (page: Page) =>
  page.evaluate(async () => {
    const name = (await caches.keys()).find((k) => k.startsWith('workbox-precache'));
    if (!name) return [];
    return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
  });

test('installable: a valid manifest with icons, a service worker that controls the page, a precache without models', async ({ page, request, baseURL }) => {
  await openApp(page, { screen: 'lab' });
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifestUrl = new URL(href!, page.url()).href;
  const manifest = await (await request.get(manifestUrl)).json();
  expect(manifest).toMatchObject({ name: 'Method Lab', short_name: 'Method Lab', display: 'standalone', theme_color: '#0b5cad' });
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(new URL(manifest.start_url, manifestUrl).href).toBe(baseURL);
  expect(new URL(manifest.scope, manifestUrl).href).toBe(baseURL);
  const icons = manifest.icons as { src: string; sizes: string; type: string; purpose: string }[];
  for (const want of ['192x192', '512x512']) expect(icons.some((i) => i.sizes === want && i.purpose === 'any')).toBe(true);
  expect(icons.some((i) => i.purpose === 'maskable' && i.sizes === '512x512')).toBe(true);
  for (const icon of icons.filter((i) => i.type === 'image/png')) {
    const res = await request.get(new URL(icon.src, manifestUrl).href);
    expect(res.status(), icon.src).toBe(200);
    const [w, h] = pngSize(await res.body());
    expect(`${w}x${h}`, icon.src).toBe(icon.sizes);
  }
  const touch = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
  expect(pngSize(await (await request.get(new URL(touch!, page.url()).href)).body())).toEqual([180, 180]);

  // Scripts only from the app itself (WASM compilation allowed; no inline or eval'd script, no other host).
  const csp = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
  const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1].trim().split(/\s+/) ?? [];
  expect(scriptSrc).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(/worker-src ([^;]*)/.exec(csp)?.[1].trim().split(/\s+/)).toEqual(["'self'", 'blob:']);

  await waitControlled(page);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope);
  expect(scope).toBe(baseURL);
  const urls = await precached(page);
  expect(urls.some((u) => /\/assets\/ort-wasm-simd-threaded[^/]*\.wasm$/.test(u)), 'ORT wasm precached').toBe(true);
  expect(urls.some((u) => /\/assets\/ort-wasm-simd-threaded[^/]*\.mjs$/.test(u)), 'ORT mjs precached').toBe(true);
  for (const part of ['knowledge.worker', 'llm.worker', 'pdf.worker', '/index.html']) expect(urls.some((u) => u.includes(part)), part).toBe(true);
  expect(urls.filter((u) => u.includes('/models/') || /\.(onnx|onnx_data|bcmap)$/.test(u))).toEqual([]);

  await snap(page, 'pwa-offline-ready-en');
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.getByRole('status', { name: '可离线使用' })).toBeVisible();
  await snap(page, 'pwa-offline-ready-zh');
});

test.describe('offline', () => {
  const port = OWN_PORT + 1;
  test.use({ baseURL: `http://127.0.0.1:${port}/` });

  test('after one online visit the app opens offline with the server stopped: documents, runs, the lab with a cached model, the guide', async ({ page, context }) => {
    test.setTimeout(180_000);
    const server: Preview = await startPreview({ outDir: OUT_DIR, port });
    let docs = 0;
    try {
      // Online: add a document (loads the embedder), run a lane (loads the LLM): both get cached.
      // Online: load the sample (documents, examples, a test set; embeds with the fixture embedder),
      // then run a lane (loads the fixture LLM). Both models land in transformers-cache.
      await openApp(page, { screen: 'documents' });
      await waitControlled(page);
      await page.getByRole('button', { name: 'Try the sample' }).click();
      const sample = page.getByRole('region', { name: SAMPLE_REGION });
      await expect(sample).toContainText('the 20-question test set', { timeout: 60_000 });
      await expect(page.getByTestId('index-stats')).toContainText(/\b[1-9]\d* with vectors/, { timeout: 60_000 });
      await expect(sample.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
      docs = await page.getByRole('list', { name: 'Library' }).getByRole('listitem').count();
      expect(docs).toBeGreaterThan(1);
      await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
      await page.getByLabel('Question').fill(QUESTION);
      const plain = page.getByRole('region', { name: 'Plain', exact: true });
      await plain.getByRole('button', { name: 'Run this lane' }).click();
      await expect(plain.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
      await expect(plain.getByTestId('lane-answer')).toHaveText(CANNED_REPLY);
      const cached = await page.evaluate(async () => (await (await caches.open('transformers-cache')).keys()).map((r) => r.url));
      expect(cached.some((u) => u.includes(`/models/${CANNED_FIXTURE}/`) && u.endsWith('config.json')), 'the LLM fixture is in transformers-cache').toBe(true);
    } finally {
      // Offline, and nothing to fall back on: the server is gone too.
      await context.setOffline(true);
      await server.stop();
    }
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));

    const nav = await page.reload();
    expect(nav?.fromServiceWorker(), 'the reload was answered by the service worker').toBe(true);
    await stillOffline(context);
    await expect(offlineReady(page)).toBeVisible();
    await expect(page.getByRole('status', { name: 'Offline', exact: true })).toBeVisible();
    await expect(page.evaluate(() => navigator.onLine)).resolves.toBe(false);

    // Documents are there (IndexedDB), and search still embeds the query with the cached model.
    // Documents and the sample's test set are there (IndexedDB).
    await page.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
    await expect(page.getByRole('list', { name: 'Library' }).getByRole('listitem')).toHaveCount(docs);
    await expect(page.getByRole('region', { name: SAMPLE_REGION })).toContainText('the 20-question test set');
    await expect(page.getByTestId('index-stats')).toContainText(/\b[1-9]\d* with vectors/);

    // The earlier run is listed; the cached fixture LLM answers again.
    await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
    await page.getByText(/Earlier runs \(\d+\)/).click();
    await expect(page.getByRole('list', { name: 'Earlier runs' }).getByRole('button', { name: QUESTION }).first()).toBeVisible();
    await page.getByLabel('Question').fill(QUESTION);
    const plain = page.getByRole('region', { name: 'Plain', exact: true });
    await plain.getByRole('button', { name: 'Run this lane' }).click();
    await expect(plain.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
    await expect(plain.getByTestId('lane-answer')).toHaveText(CANNED_REPLY);
    await snap(page, 'pwa-offline-lab');

    // The guide opens.
    await page.getByRole('navigation').getByRole('link', { name: 'Guide' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await snap(page, 'pwa-offline-guide');
    // Nothing from the app itself failed to load; only model files may be missing.
    expect(failed.filter((u) => !u.includes('/models/'))).toEqual([]);

    // A model never downloaded: a clear "needs a connection", not an obscure failure.
    await openApp(page, { screen: 'lab', params: { llm: ECHO_FIXTURE } });
    await stillOffline(context);
    await page.getByLabel('Question').fill(QUESTION);
    await page.getByRole('region', { name: 'Plain', exact: true }).getByRole('button', { name: 'Run this lane' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'needs a connection' }).first()).toContainText(ECHO_FIXTURE);
    await snap(page, 'pwa-offline-needs-connection');
    await page.getByLabel('Language').selectOption('zh');
    await expect(page.getByRole('alert').filter({ hasText: '需要联网' }).first()).toContainText(ECHO_FIXTURE);
    await expect(page.getByRole('status', { name: '离线', exact: true })).toBeVisible();
  });
});

test.describe('update', () => {
  const port = OWN_PORT + 2;
  const outDir = `${OUT_DIR}-update`;
  test.use({ baseURL: `http://127.0.0.1:${port}/` });

  test('a new deployment shows a polite "new version" prompt; Reload switches to it', async ({ page }) => {
    test.setTimeout(300_000);
    await buildApp(outDir, '/', { VITE_BUILD_ID: 'build-1' });
    const server = await startPreview({ outDir, port });
    try {
      await openApp(page, { screen: 'lab' });
      await waitControlled(page);
      await expect(page.getByTestId('offline-status')).toHaveAttribute('data-build', 'build-1');
      const banner = page.getByRole('status', { name: 'Update available' });
      await expect(banner).toHaveCount(0);

      // Deploy a new version into the same folder while the page stays open, then check for updates.
      await buildApp(outDir, '/', { VITE_BUILD_ID: 'build-2' });
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      await expect(banner).toBeVisible({ timeout: 60_000 });
      await expect(banner).toContainText('A new version of Method Lab is available.');
      // Polite: nothing was reloaded behind the user's back.
      await expect(page.getByTestId('offline-status')).toHaveAttribute('data-build', 'build-1');
      await snap(page, 'pwa-update-prompt');

      await banner.getByRole('button', { name: 'Reload' }).click();
      await expect(page.getByTestId('offline-status')).toHaveAttribute('data-build', 'build-2', { timeout: 30_000 });
      await expect(banner).toHaveCount(0);
      await expect(offlineReady(page)).toBeVisible();
    } finally {
      await server.stop();
    }
  });
});

test.describe('isolation on a host without headers', () => {
  const port = OWN_PORT + 3;
  const outDir = `${OUT_DIR}-isolation`;
  test.use({ baseURL: `http://127.0.0.1:${port}/` });

  test('VITE_SW_ISOLATION=1: the service worker adds COOP/COEP, so the page becomes cross-origin isolated', async ({ page }) => {
    test.setTimeout(240_000);
    await buildApp(outDir, '/', { VITE_SW_ISOLATION: '1' });
    // ISOLATION_HEADERS=0: the host sends no COOP/COEP, like a plain static host.
    const server = await startPreview({ outDir, port, env: { ISOLATION_HEADERS: '0' } });
    try {
      await page.addInitScript(() => {
        if (location.protocol.startsWith('http')) sessionStorage.setItem('iso-log', `${sessionStorage.getItem('iso-log') ?? ''}${crossOriginIsolated ? 1 : 0}`);
      });
      const documents: { coep?: string; fromSW: boolean }[] = [];
      page.on('response', (r) => {
        if (r.request().resourceType() === 'document') documents.push({ coep: r.headers()['cross-origin-embedder-policy'], fromSW: r.fromServiceWorker() });
      });
      await openApp(page, { screen: 'documents' });
      await page.waitForFunction(() => crossOriginIsolated, null, { timeout: 90_000 });
      // Not isolated on the visit that installed the worker (the host sent no COEP); isolated after
      // the single automatic reload, whose page came from the service worker with the headers added.
      expect(await page.evaluate(() => sessionStorage.getItem('iso-log'))).toBe('01');
      expect(documents[0]).toEqual({ coep: undefined, fromSW: false });
      expect(documents.at(-1)).toEqual({ coep: 'credentialless', fromSW: true });
      await expect(offlineReady(page)).toBeVisible();
      // Worker scripts get the headers too, so the workers start and run ONNX Runtime under COEP.
      await page.getByLabel('Add documents').setInputFiles([{ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) }]);
      await expect(page.getByTestId('index-stats')).toContainText('with vectors');
      await snap(page, 'pwa-isolation');
    } finally {
      await server.stop();
    }
  });
});
