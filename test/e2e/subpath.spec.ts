// The app built for a sub-path (BASE=/method-lab/, as on a project page of a static host) and served
// from it: every asset, worker, WASM file, CMap and model request stays under the base, the service
// worker's scope is the base, and an offline reload there still opens the app.

import { test, expect, openApp, snap, CANNED_REPLY, CANNED_FIXTURE, EMBED_FIXTURE } from './fixtures';
import { makeCjkPdf } from '../fixtures/make-files';
import { OWN_PORT, buildApp, startPreview, type Preview } from './preview-server';

const BASE = '/method-lab/';
const OUT_DIR = process.env.SUB_OUT_DIR ?? 'dist-sub';
const port = OWN_PORT + 5;
test.use({ baseURL: `http://127.0.0.1:${port}${BASE}` });

let server: Preview | null = null;
test.beforeAll(async () => {
  test.setTimeout(240_000);
  await buildApp(OUT_DIR, BASE);
  server = await startPreview({ outDir: OUT_DIR, port, base: BASE });
});
test.afterAll(async () => {
  await server?.stop();
});

test('served from /method-lab/: assets, workers, WASM, CMaps and models stay under the base; offline reload works', async ({ page, context, baseURL }) => {
  test.setTimeout(180_000);
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });

  await openApp(page, { screen: 'documents' });
  for (const sel of ['link[rel="manifest"]', 'link[rel="apple-touch-icon"]', 'link[rel="icon"]']) {
    expect(await page.locator(sel).first().getAttribute('href'), sel).toMatch(/^\/method-lab\//);
  }
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 60_000 });
  await expect(page.getByRole('status', { name: 'Offline ready' })).toBeVisible();
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope)).toBe(baseURL);

  // A Chinese PDF: pdf.js (in the knowledge worker) needs a CMap; the embedder loads through the base.
  await page.getByLabel('Add documents').setInputFiles([{ name: '年假.pdf', mimeType: 'application/pdf', buffer: Buffer.from(makeCjkPdf(['员工手册', '新员工第一年享有十五天年假。'])) }]);
  await expect(page.getByRole('list', { name: 'Library' }).getByRole('listitem').filter({ hasText: '年假.pdf' })).toBeVisible();
  await expect(page.getByTestId('index-stats')).toContainText(/\b[1-9]\d* with vectors/);

  // The fixture LLM through the same-origin host at /method-lab/models/.
  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await page.getByLabel('Question').fill('新员工有几天年假？');
  const plain = page.getByRole('region', { name: 'Plain', exact: true });
  await plain.getByRole('button', { name: 'Run this lane' }).click();
  await expect(plain.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(plain.getByTestId('lane-answer')).toHaveText(CANNED_REPLY);
  for (const name of ['Evaluate', 'Guide', 'Models & Storage', 'Settings']) {
    await page.getByRole('navigation').getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  }
  await snap(page, 'subpath-settings');

  const paths = requests.filter((u) => u.startsWith('http')).map((u) => new URL(u));
  expect(paths.filter((u) => u.origin !== new URL(baseURL!).origin || !u.pathname.startsWith(BASE)).map((u) => u.href), 'requests outside the base').toEqual([]);
  expect(paths.some((u) => u.pathname.startsWith(`${BASE}models/${CANNED_FIXTURE}/`)), 'LLM files under the base').toBe(true);
  expect(paths.some((u) => u.pathname.startsWith(`${BASE}assets/`) && u.pathname.endsWith('.wasm')), 'ORT wasm under the base').toBe(true);
  expect(paths.some((u) => u.pathname.endsWith('.bcmap')), 'a CMap was fetched').toBe(true);
  expect(cspViolations).toEqual([]);

  // Offline: the navigation fallback is the base's index.html; a second Chinese PDF uses the cached CMap.
  await context.setOffline(true);
  const nav = await page.goto(`${baseURL}?${new URLSearchParams({ lang: 'en', modelHost: 'same-origin', embedder: EMBED_FIXTURE, llm: CANNED_FIXTURE })}#/documents`);
  expect(nav?.fromServiceWorker()).toBe(true);
  await expect(page.getByRole('list', { name: 'Library' }).getByRole('listitem').filter({ hasText: '年假.pdf' })).toBeVisible();
  await page.getByLabel('Add documents').setInputFiles([{ name: '病假.pdf', mimeType: 'application/pdf', buffer: Buffer.from(makeCjkPdf(['员工手册', '病假每年十天。'])) }]);
  const sick = page.getByRole('list', { name: 'Library' }).getByRole('listitem').filter({ hasText: '病假.pdf' });
  await expect(sick).toBeVisible();
  await page.getByRole('button', { name: 'Open 病假.pdf' }).click();
  await expect(page.locator('.doc-view').getByRole('list', { name: 'Chunks' })).toContainText('病假每年十天');
  await snap(page, 'subpath-offline-documents');
  await context.setOffline(false);
  const after = requests.filter((u) => u.startsWith('http')).map((u) => new URL(u));
  expect(after.filter((u) => !u.pathname.startsWith(BASE)).map((u) => u.href)).toEqual([]);
});
