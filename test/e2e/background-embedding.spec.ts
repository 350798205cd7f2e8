// Background embedding as a person meets it: a large file is searchable with BM25 as soon as it is
// stored, while its vectors are made in the background with progress, time left and Cancel; a cancel
// keeps the batches done and offers "Embed the rest"; a reload during a run resumes it until every
// chunk has its vector.
import { test, expect, openApp, snap } from './fixtures';
import { dropFiles } from './drop';
import type { Page } from '@playwright/test';

type Lab = { __methodLab: { knowledge: { index: { vectors: number; chunks: number } | null } } };
const indexStats = (page: Page) => page.evaluate(() => (globalThis as unknown as Lab).__methodLab.knowledge.index);

/** A long handbook: many sections, one rare word in the last one, so BM25 must find it among thousands of chunks. */
function bigHandbook(sections: number): { name: string; bytes: Uint8Array } {
  const parts: string[] = [];
  for (let i = 0; i < sections; i++) {
    const rare = i === sections - 1 ? ' The quartermaster signs every zephyrine request.' : '';
    parts.push(
      `## Section ${i + 1}\n\n` +
        `Policy ${i + 1} covers travel, leave and equipment for team ${i % 17}. Requests go to the office ${i % 5} before day ${i % 28}.${rare} ` +
        `第${i + 1}节：员工每年有十天带薪年假，报销需在${(i % 9) + 1}个工作日内提交，设备借用需要部门经理批准。`.repeat(3),
    );
  }
  return { name: 'big-handbook.md', bytes: new TextEncoder().encode(parts.join('\n\n')) };
}

test('a large file is searchable at once; vectors follow in the background, Cancel keeps them, a reload resumes', async ({ page }) => {
  test.setTimeout(240_000);
  await openApp(page, { screen: 'documents' });
  await dropFiles(page.getByRole('group', { name: 'Drop files or folders here' }), [bigHandbook(2500)]);
  await expect(page.getByText('1 of 1 files finished')).toBeVisible({ timeout: 90_000 });

  // Stored means searchable by BM25, whatever the embedding run has done so far.
  const progress = page.getByTestId('embedding-progress');
  await expect(progress).toBeVisible({ timeout: 30_000 });
  await expect(progress.getByRole('status')).toHaveText(/^Embedding [\d,]+ of [\d,]+ chunks · (estimating time left…|about .+ left)$/);
  await expect(page.getByTestId('queue-embedding')).toContainText('searchable with BM25 now');
  await page.getByRole('checkbox', { name: 'Dense (embeddings)' }).uncheck();
  await page.getByRole('searchbox', { name: 'Search documents' }).fill('zephyrine quartermaster');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Search results' }).getByRole('listitem').first()).toContainText('zephyrine');
  await expect(progress.getByRole('status')).toHaveText(/about .+ left/, { timeout: 30_000 });
  await snap(page, 'background-embedding-en');

  // Cancel: the run stops, what was stored stays, and the rest is offered.
  await expect.poll(async () => (await indexStats(page))?.vectors ?? 0, { timeout: 60_000 }).toBeGreaterThan(0);
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toBeHidden();
  const afterCancel = (await indexStats(page))!;
  expect(afterCancel.vectors).toBeGreaterThan(0);
  expect(afterCancel.vectors).toBeLessThan(afterCancel.chunks);
  await expect(page.getByText(`${afterCancel.chunks - afterCancel.vectors} chunks have no vector yet.`)).toBeVisible();
  await expect(page.getByTestId('index-stats')).toContainText(`${afterCancel.vectors} with vectors`);

  // A cancel is final: a reload keeps the vectors and offers the rest instead of resuming.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Embed the rest' })).toBeVisible({ timeout: 30_000 });
  await expect(progress).toBeHidden();
  expect((await indexStats(page))!.vectors).toBe(afterCancel.vectors);

  // Embed the rest, reload mid-run: the run comes back by itself and finishes.
  await page.getByRole('button', { name: 'Embed the rest' }).click();
  await expect(progress).toBeVisible();
  await expect.poll(async () => (await indexStats(page))?.vectors ?? 0, { timeout: 60_000 }).toBeGreaterThan(afterCancel.vectors);
  await page.reload();
  await expect(progress).toBeVisible({ timeout: 30_000 });
  await expect(progress).toBeHidden({ timeout: 180_000 });
  const done = (await indexStats(page))!;
  expect(done.vectors).toBe(done.chunks);
  await expect(page.getByRole('button', { name: 'Embed the rest' })).toHaveCount(0);
  await expect(page.getByTestId('index-precision')).toContainText('Vectors: int8 with exact re-scoring');
});

test('Chinese, narrow: the background run reads in Chinese and the page does not widen', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, { screen: 'documents', lang: 'zh' });
  await dropFiles(page.getByRole('group', { name: '把文件或文件夹拖到这里' }), [bigHandbook(1500)]);
  const progress = page.getByTestId('embedding-progress');
  await expect(progress).toBeVisible({ timeout: 90_000 });
  await expect(progress.getByRole('status')).not.toContainText('Embedding');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await snap(page, 'background-embedding-zh-narrow');
  await progress.getByRole('button', { name: '取消' }).click();
  await expect(progress).toBeHidden();
});

test('a second tab does not embed the same chunks again while the first one runs', async ({ page, context }) => {
  test.setTimeout(180_000);
  await openApp(page, { screen: 'documents' });
  await dropFiles(page.getByRole('group', { name: 'Drop files or folders here' }), [bigHandbook(1500)]);
  const progress = page.getByTestId('embedding-progress');
  await expect(progress).toBeVisible({ timeout: 90_000 });

  // The same app in a second tab: it would resume the stored run, but the first tab holds it.
  const second = await context.newPage();
  await openApp(second, { screen: 'documents' });
  await expect(second.getByTestId('embedding-elsewhere')).toContainText('Another tab of Method Lab is embedding this library');
  await expect(second.getByTestId('embedding-progress')).toBeHidden();
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toBeHidden();
  // With the first tab's run cancelled, the second one can embed the rest itself.
  await second.getByRole('button', { name: 'Embed the rest' }).click();
  await expect(second.getByTestId('embedding-progress')).toBeVisible();
  await expect(second.getByTestId('embedding-elsewhere')).toBeHidden();
  await second.getByTestId('embedding-progress').getByRole('button', { name: 'Cancel' }).click();
});
