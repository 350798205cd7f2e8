// The Models & Storage screen as a person uses it: download the fixture models from the list (with
// progress), see them cached with sizes, delete one; a cut-off download stays visibly incomplete
// and Retry finishes it from the files already cached; storage figures after adding a document;
// "Clear everything" empties the library and the caches.

import { test, expect, openApp, snap, CANNED_FIXTURE, EMBED_FIXTURE } from './fixtures';
import { dropFiles } from './drop';
import type { Page } from '@playwright/test';

const LLM_NAME = CANNED_FIXTURE.split('/').pop()!;
const EMB_NAME = EMBED_FIXTURE.split('/').pop()!;

const card = (page: Page, name: string) => page.getByRole('article', { name, exact: true });
const cachedList = (page: Page) => page.getByRole('list', { name: 'Cached models' });
const cachedItem = (page: Page, id: string) => cachedList(page).getByRole('listitem').filter({ hasText: id });

/** Bytes shown as "12.3 KB" → a number, so tests can say "more than zero". */
function bytesOf(text: string | null): number {
  const m = /([\d.,]+)\s*(B|KB|MB|GB)/.exec(text ?? '');
  if (!m) throw new Error(`no size in "${text}"`);
  return Number(m[1].replace(/,/g, '')) * 1024 ** ['B', 'KB', 'MB', 'GB'].indexOf(m[2]);
}

test('download both fixture models from the list, see them cached with sizes, delete one', async ({ page }) => {
  await openApp(page, { screen: 'models' });
  // Hold the weights back a moment so the progress bar can be seen.
  await page.route(`**/models/${CANNED_FIXTURE}/**/*.onnx`, async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  const llm = card(page, LLM_NAME);
  await expect(llm.getByTestId('fit')).toHaveText('Not in the catalog');
  await expect(llm.getByTestId('model-cache')).toHaveText('Not downloaded');
  await llm.getByRole('button', { name: 'Download' }).click();
  await expect(llm.getByRole('progressbar')).toBeVisible();
  await expect(llm.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await expect(llm.getByText('Loaded', { exact: true })).toBeVisible();
  await expect(llm.getByTestId('model-cache')).toContainText('cached, loads offline');

  // The embedder starts loading with the app; Load from the list if it has not yet.
  const emb = card(page, EMB_NAME);
  const start = emb.getByRole('button', { name: /^(Download|Load)$/ });
  if (await start.isVisible()) await start.click();
  await expect(emb.getByText('Loaded', { exact: true })).toBeVisible();

  for (const id of [CANNED_FIXTURE, EMBED_FIXTURE]) {
    const item = cachedItem(page, id);
    await expect(item).toContainText('Complete');
    expect(bytesOf(await item.getByTestId('cached-size').textContent())).toBeGreaterThan(1000);
  }
  expect(bytesOf(await page.getByTestId('size-models').textContent())).toBeGreaterThan(1000);
  // Catalog rows say what they need and whether they fit (no WebGPU in this project).
  await expect(card(page, 'Qwen2.5 1.5B Instruct (MLC)').getByTestId('fit')).toHaveText('Needs WebGPU');
  await expect(card(page, 'Qwen2.5 0.5B Instruct (ONNX)')).toContainText('Good at Chinese');
  await snap(page, 'models-list-en');

  // Offline: models that are not downloaded say they need a connection; cached ones do not.
  await page.context().setOffline(true);
  await expect(card(page, 'Qwen2.5 0.5B Instruct (ONNX)')).toContainText('Needs a connection');
  await expect(llm).not.toContainText('Needs a connection');
  await page.context().setOffline(false);
  await expect(card(page, 'Qwen2.5 0.5B Instruct (ONNX)')).not.toContainText('Needs a connection');

  page.once('dialog', (d) => void d.accept());
  await cachedItem(page, CANNED_FIXTURE).getByRole('button', { name: /^Delete/ }).click();
  await expect(cachedItem(page, CANNED_FIXTURE)).toHaveCount(0);
  await expect(cachedItem(page, EMBED_FIXTURE)).toHaveCount(1);
  await expect(llm.getByTestId('model-cache')).toHaveText('Not downloaded');

  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, 'models-list-narrow-en');
});

test('Cancel stops a download; the files so far do not make it look ready', async ({ page }) => {
  await openApp(page, { screen: 'models' });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // Cancel only once the weights are being fetched, i.e. after config and tokenizer are in the cache.
  let reached!: () => void;
  const weightsRequested = new Promise<void>((r) => (reached = r));
  await page.route(`**/models/${CANNED_FIXTURE}/**/*.onnx`, async (route) => {
    reached();
    await gate;
    await route.continue().catch(() => undefined);
  });
  const llm = card(page, LLM_NAME);
  await llm.getByRole('button', { name: 'Download' }).click();
  await expect(llm.getByRole('progressbar')).toBeVisible();
  await weightsRequested;
  await llm.getByRole('button', { name: 'Cancel' }).click();
  await expect(llm.getByRole('button', { name: 'Download' })).toBeVisible();
  await expect(llm.getByRole('progressbar')).toHaveCount(0);
  await expect(llm.getByRole('alert')).toHaveCount(0);
  await expect(llm.getByText('Loaded', { exact: true })).toHaveCount(0);
  await expect(llm.getByTestId('model-cache')).toContainText('partly downloaded, not usable yet');
  await expect(cachedItem(page, CANNED_FIXTURE)).toContainText('Incomplete: not usable');
  release();
});

test('an MLC model without WebGPU runs its transformers.js fallback, which the list shows as cached', async ({ page }) => {
  await openApp(page, { screen: 'models' });
  const mlc = card(page, 'Qwen2.5 0.5B Instruct (MLC)');
  await expect(mlc.getByTestId('fit')).toHaveText('Needs WebGPU');
  await expect(mlc).toContainText('Qwen2.5 0.5B Instruct (ONNX) runs instead');
  await expect(mlc).toContainText('transformers.js on WASM · q8');
  await mlc.getByRole('button', { name: 'Download' }).click();
  await expect(mlc.getByText('Loaded', { exact: true })).toBeVisible();
  await expect(mlc.getByTestId('model-cache')).toContainText('cached, loads offline');
  await expect(cachedItem(page, 'onnx-community/Qwen2.5-0.5B-Instruct')).toContainText('Complete');
  // Nothing of web-llm was downloaded here.
  expect((await page.evaluate(() => caches.keys())).filter((n) => n.startsWith('webllm/'))).toEqual([]);
});

test('a cut-off download stays incomplete and unusable; Retry finishes it from the cached files', async ({ page }) => {
  await openApp(page, { screen: 'models' });
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.route(`**/models/${CANNED_FIXTURE}/**/*.onnx`, (route) => route.abort('connectionreset'));
  const llm = card(page, LLM_NAME);
  await llm.getByRole('button', { name: 'Download' }).click();
  await expect(llm.getByRole('alert')).toContainText(`Could not download "${CANNED_FIXTURE}"`);
  await expect(llm.getByRole('button', { name: 'Retry' })).toBeVisible();
  await expect(llm.getByText('Loaded', { exact: true })).toHaveCount(0);
  await expect(llm.getByTestId('model-cache')).toContainText('partly downloaded, not usable yet');
  await expect(cachedItem(page, CANNED_FIXTURE)).toContainText('Incomplete: not usable');
  await snap(page, 'models-incomplete-en');

  await page.unroute(`**/models/${CANNED_FIXTURE}/**/*.onnx`);
  requested.length = 0;
  await llm.getByRole('button', { name: 'Retry' }).click();
  await expect(llm.getByText('Loaded', { exact: true })).toBeVisible();
  await expect(cachedItem(page, CANNED_FIXTURE)).toContainText('Complete');
  // Files finished before the cut were not fetched again.
  expect(requested.filter((u) => u.includes(CANNED_FIXTURE) && u.endsWith('/config.json'))).toEqual([]);
  expect(requested.filter((u) => u.includes(CANNED_FIXTURE) && u.endsWith('.onnx')).length).toBeGreaterThan(0);
});

test('a model missing from the host says so, offers Retry, and is never listed as cached', async ({ page }) => {
  await openApp(page, { screen: 'models', params: { llm: 'lab-fixtures/does-not-exist' } });
  const llm = card(page, 'does-not-exist');
  await llm.getByRole('button', { name: 'Download' }).click();
  await expect(llm.getByRole('alert')).toContainText('is missing a file on the model host');
  await expect(llm.getByRole('button', { name: 'Retry' })).toBeVisible();
  await expect(llm.getByText('Loaded', { exact: true })).toHaveCount(0);
  await expect(llm.getByTestId('model-cache')).toHaveText('Not downloaded');
  await expect(cachedItem(page, 'does-not-exist')).toHaveCount(0);
  // Retry fails the same way, not with a spinner.
  await llm.getByRole('button', { name: 'Retry' }).click();
  await expect(llm.getByRole('alert')).toContainText('is missing a file on the model host');
});

test('storage shows usage, quota and document sizes; "Clear everything" empties the library and caches', async ({ page }) => {
  await openApp(page, { screen: 'documents' });
  const zone = page.getByRole('group', { name: 'Drop files or folders here' });
  const text = '# Leave policy\n\nNew employees get fifteen days of annual leave.\n\n## Sick leave\n\nTen days of sick leave a year need a doctor\'s note.';
  await dropFiles(zone, [{ name: 'leave.md', bytes: new TextEncoder().encode(text) }]);
  await expect(page.getByText('1 of 1 files finished')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Library (1)' })).toBeVisible();
  // A saved setting, so the settings store has something to clear too.
  await page.getByLabel('Largest file (MB)').fill('7');
  await page.getByRole('button', { name: 'Save settings' }).click();

  await page.getByRole('link', { name: 'Models & Storage' }).click();
  await expect(page.getByTestId('storage-usage')).toContainText(/used of .+ available to this site/);
  for (const id of ['size-documents', 'size-chunks', 'size-vectors', 'size-other']) {
    await expect.poll(async () => bytesOf(await page.getByTestId(id).textContent()), { message: id }).toBeGreaterThan(0);
  }
  await expect(cachedItem(page, EMBED_FIXTURE)).toContainText('Complete');
  await snap(page, 'models-storage-en');

  // Dismissing the confirmation keeps everything.
  page.once('dialog', (d) => void d.dismiss());
  await page.getByRole('button', { name: 'Clear everything…' }).click();
  await expect(cachedItem(page, EMBED_FIXTURE)).toHaveCount(1);
  expect(bytesOf(await page.getByTestId('size-documents').textContent())).toBeGreaterThan(0);

  let message = '';
  page.once('dialog', (d) => {
    message = d.message();
    void d.accept();
  });
  await page.getByRole('button', { name: 'Clear everything…' }).click();
  await expect(page.getByText('Everything was deleted.')).toBeVisible();
  expect(message).toContain('cannot be undone');
  for (const id of ['size-documents', 'size-chunks', 'size-vectors', 'size-other', 'size-models']) await expect(page.getByTestId(id)).toHaveText('0 B');
  await expect(page.getByText('No model is downloaded yet.')).toBeVisible();
  const cacheNames = await page.evaluate(() => caches.keys());
  expect(cacheNames.filter((n) => n === 'transformers-cache' || n.startsWith('webllm/'))).toEqual([]);

  await page.getByRole('link', { name: 'Documents' }).click();
  await expect(page.getByRole('heading', { name: 'Library (0)' })).toBeVisible();
  await expect(page.getByTestId('index-stats')).toContainText('0 chunks from 0 documents');
  // Gone from the database too, not just from the page.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Library (0)' })).toBeVisible();
  await expect(page.getByLabel('Largest file (MB)')).not.toHaveValue('7');
});

test('the screen in Chinese, wide and narrow', async ({ page }) => {
  await openApp(page, { screen: 'models', lang: 'zh' });
  await expect(page.getByRole('heading', { name: '模型与存储' })).toBeVisible();
  await expect(card(page, 'Qwen2.5 1.5B Instruct (MLC)').getByTestId('fit')).toHaveText('需要 WebGPU');
  await expect(page.getByRole('heading', { name: '存储', exact: true })).toBeVisible();
  await snap(page, 'models-zh');
  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, 'models-zh-narrow');
});
