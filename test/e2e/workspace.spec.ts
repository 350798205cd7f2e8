// Workspace export/import: a workspace exported from one browser profile and imported into a fresh
// one (empty storage) has the same library, the same Lab runs and a working search index; a bad file
// changes nothing and says why; "replace" asks first; a file without vectors is re-embedded.
import { test, expect, openApp, snap, ECHO_FIXTURE } from './fixtures';
import type { BrowserContext, Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { dropFiles } from './drop';
import { makeDocx } from '../fixtures/make-files';

const HANDBOOK = '# Lanting handbook\n\n## Annual leave\n\nNew employees get fifteen days of paid annual leave in their first year.\n\n## Expenses\n\nTaxi receipts above 200 yuan need the approval of your manager.\n\n## IT security\n\nVPN passwords must be changed every ninety days.';
const GOLD = 'New employees get fifteen days of paid annual leave in their first year.';
const QUESTION = 'How many days of annual leave do new employees get?';

type Lab = { __methodLab: { knowledge: { index: { vectors: number; chunks: number; embeddedSinceStart: number } | null } } };
const indexStats = (page: Page) => page.evaluate(() => (globalThis as unknown as Lab).__methodLab.knowledge.index);

/** Waits until every chunk has a vector; returns the chunk count. */
async function allEmbedded(page: Page): Promise<number> {
  await expect.poll(async () => {
    const s = await indexStats(page);
    return s && s.chunks > 0 && s.vectors === s.chunks;
  }, { timeout: 30_000 }).toBe(true);
  return (await indexStats(page))!.chunks;
}

/** Name → "N chunks" of every library entry, as shown. */
async function libraryRows(page: Page): Promise<Record<string, string>> {
  const items = page.getByRole('list', { name: 'Library' }).getByRole('listitem');
  const out: Record<string, string> = {};
  for (const li of await items.all()) {
    const name = (await li.getByRole('button').first().textContent())!.trim();
    out[name] = /\d+ chunks/.exec((await li.textContent()) ?? '')?.[0] ?? '';
  }
  return out;
}

/** The same guard as the `foreign` fixture, for a context the test opens itself. */
async function guard(ctx: BrowserContext, origin: string, foreign: string[]) {
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
}

async function exportFile(page: Page, vectors: boolean): Promise<{ path: string; name: string }> {
  await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
  const box = page.getByLabel(/Include vectors/);
  if (vectors) await box.check();
  else await box.uncheck();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export workspace' }).click();
  const d = await download;
  await expect(page.getByRole('status').filter({ hasText: 'Exported' })).toContainText(d.suggestedFilename());
  const path = test.info().outputPath(`${vectors ? 'with' : 'without'}-vectors.json`);
  await d.saveAs(path);
  return { path, name: d.suggestedFilename() };
}

async function importFile(page: Page, path: string) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import workspace' }).click();
  await (await chooser).setFiles(path);
}

test('export, then import into a fresh browser profile: same library, runs and a working index', async ({ page, browser, baseURL }) => {
  await openApp(page, { screen: 'documents', params: { llm: ECHO_FIXTURE } });
  await dropFiles(page.getByRole('group', { name: 'Drop files or folders here' }), [
    { name: 'handbook.md', bytes: new TextEncoder().encode(HANDBOOK) },
    { name: 'benefits.docx', bytes: makeDocx([{ style: 'Heading1', text: 'Benefits' }, { text: 'Every employee gets a yearly health check.' }, { style: 'Heading2', text: 'Gym' }, { text: 'The gym card is paid up to 300 yuan a month.' }]) },
  ]);
  await expect(page.getByText('2 of 2 files finished')).toBeVisible({ timeout: 60_000 });
  const chunks = await allEmbedded(page);
  const rows = await libraryRows(page);
  expect(Object.keys(rows).sort()).toEqual(['benefits.docx', 'handbook.md']);

  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await page.getByLabel('Question').fill(QUESTION);
  await page.getByRole('button', { name: 'Run all' }).click();
  await expect(page.getByRole('region', { name: 'RAG', exact: true }).getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(page.getByText('Earlier runs (1)')).toBeVisible();

  const file = await exportFile(page, true);
  expect(file.name).toMatch(/^method-lab-workspace-\d{4}-\d{2}-\d{2}\.json$/);
  const bundle = JSON.parse(await readFile(file.path, 'utf8'));
  expect(bundle.format).toBe('method-lab-workspace');
  expect(bundle.vectors).toHaveLength(chunks);
  await snap(page, 'workspace-en');

  // A fresh profile: nothing stored.
  const ctx = await browser.newContext({ baseURL });
  const foreign: string[] = [];
  await guard(ctx, new URL(baseURL!).origin, foreign);
  const fresh = await ctx.newPage();
  await openApp(fresh, { screen: 'settings', params: { llm: ECHO_FIXTURE } });
  await expect.poll(async () => (await indexStats(fresh))?.chunks).toBe(0);
  await importFile(fresh, file.path);
  await expect(fresh.getByTestId('ws-imported')).toHaveText(`Imported 2 documents, ${chunks} chunks, 1 runs, 0 examples and 0 test sets.`);
  // The worker's index was rebuilt from the imported records, vectors included (nothing re-embedded).
  await expect.poll(async () => (await indexStats(fresh))?.vectors).toBe(chunks);
  expect((await indexStats(fresh))?.embeddedSinceStart).toBe(0);

  await fresh.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
  await expect(fresh.getByRole('list', { name: 'Library' }).getByRole('listitem')).toHaveCount(2);
  expect(await libraryRows(fresh)).toEqual(rows);
  await fresh.getByRole('searchbox', { name: 'Search documents' }).fill('annual leave new employees');
  await fresh.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(fresh.getByRole('list', { name: 'Search results' }).getByRole('listitem').first()).toContainText(GOLD);

  await fresh.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await fresh.getByText('Earlier runs (1)').click();
  await fresh.getByRole('list', { name: 'Earlier runs' }).getByRole('button', { name: QUESTION }).click();
  await expect(fresh.getByLabel('Question')).toHaveValue(QUESTION);
  await expect(fresh.getByRole('region', { name: 'RAG', exact: true }).getByTestId('lane-answer')).toContainText(GOLD);
  await ctx.close();
  expect(foreign).toEqual([]);
});

test('a bad file changes nothing; replace asks first; a file without vectors is re-embedded', async ({ page }) => {
  await openApp(page, { screen: 'documents' });
  await page.getByLabel('Add documents').setInputFiles([{ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) }]);
  const chunks = await allEmbedded(page);
  const file = await exportFile(page, false);
  expect(JSON.parse(await readFile(file.path, 'utf8')).vectors).toEqual([]);

  // Not JSON, and JSON that is not a workspace: clear messages, nothing imported.
  const junk = test.info().outputPath('junk.json');
  const other = test.info().outputPath('other.json');
  await import('node:fs/promises').then(async (fs) => {
    await fs.writeFile(junk, 'this is { not json');
    await fs.writeFile(other, JSON.stringify({ format: 'something-else', documents: [] }));
  });
  await importFile(page, junk);
  await expect(page.getByText('This file cannot be imported; nothing was changed.')).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('"junk.json" is not a JSON file');
  await importFile(page, other);
  await expect(page.getByRole('alert')).toContainText('not a Method Lab workspace export');
  await snap(page, 'workspace-bad-file');

  // Replace: declining the question changes nothing.
  await page.getByLabel('Replace everything here').check();
  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    void d.dismiss();
  });
  await importFile(page, file.path);
  await expect.poll(() => asked).toContain('Replace the whole workspace');
  await expect(page.getByTestId('ws-imported')).toHaveCount(0);

  // Accepting replaces: the same document comes back under the same name, without vectors, and is re-embedded.
  page.once('dialog', (d) => void d.accept());
  await importFile(page, file.path);
  await expect(page.getByTestId('ws-imported')).toContainText(`Imported 1 documents, ${chunks} chunks`);
  await expect(page.getByText(`${chunks} chunks have no vectors yet`)).toBeVisible();
  expect(await allEmbedded(page)).toBe(chunks);
  await page.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
  expect(Object.keys(await libraryRows(page))).toEqual(['handbook.md']);
});

test('the workspace card in Chinese, narrow', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, { screen: 'settings', lang: 'zh' });
  await expect(page.getByRole('button', { name: '导出工作区' })).toBeVisible();
  await expect(page.getByRole('button', { name: '导入工作区' })).toBeVisible();
  await page.getByRole('heading', { name: '工作区' }).scrollIntoViewIfNeeded();
  await snap(page, 'workspace-zh-narrow');
});
