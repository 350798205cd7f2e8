// "Try the sample": the built-in Lanting Tech handbook lands in the library marked as sample, with its
// example bank and test set; on the echo fixture RAG answers the sample question from the handbook and
// Plain cannot; "Remove sample" takes all of it away again.
import { test, expect, openApp, snap, ECHO_FIXTURE } from './fixtures';
import type { Page } from '@playwright/test';
import { SAMPLE_FILES, SAMPLE_QUESTION, SAMPLE_QUESTION_GOLD, SAMPLE_TESTSET_ID, SAMPLE_TESTSET_NAME } from '../../src/sample/content';

/** The stored sample test set (no screen lists test sets yet), read straight from IndexedDB. */
function storedTestSet(page: Page) {
  return page.evaluate(
    (id) =>
      new Promise<{ name: string; items: number; sample: boolean } | null>((resolve, reject) => {
        const open = indexedDB.open('method-lab');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('testsets').objectStore('testsets').get(id);
          get.onsuccess = () => {
            const r = get.result as { name: string; items: unknown[]; sample?: boolean } | undefined;
            open.result.close();
            resolve(r ? { name: r.name, items: r.items.length, sample: r.sample === true } : null);
          };
          get.onerror = () => reject(get.error);
        };
      }),
    SAMPLE_TESTSET_ID,
  );
}

test('Try the sample, run the Lab: RAG answers from the handbook, Plain cannot; Remove sample empties it', async ({ page }) => {
  await openApp(page, { screen: 'documents', params: { llm: ECHO_FIXTURE } });
  const library = page.getByRole('list', { name: 'Library' });
  await expect(library.getByRole('listitem')).toHaveCount(0);
  await snap(page, 'sample-offer-en');
  await page.getByRole('button', { name: 'Try the sample' }).click();

  const banner = page.getByRole('region', { name: 'Sample data' });
  await expect(banner).toContainText('Sample data loaded');
  await expect(page.getByText(`${SAMPLE_FILES.length} of ${SAMPLE_FILES.length} files finished`)).toBeVisible({ timeout: 60_000 });
  for (const f of SAMPLE_FILES) {
    const item = library.getByRole('listitem').filter({ hasText: f.name });
    await expect(item).toContainText('sample');
    await expect(item).toContainText(/\d+ chunks/);
  }
  await expect(library.getByRole('listitem').filter({ hasText: 'lanting-it-security-en.pdf' })).toContainText('3 pages');
  await expect(page.getByTestId('index-stats')).toContainText('with vectors');
  await expect(banner).toContainText(`${SAMPLE_FILES.length} documents, 4 few-shot examples, the 20-question test set`);
  expect(await storedTestSet(page)).toEqual({ name: SAMPLE_TESTSET_NAME, items: 20, sample: true });
  await page.getByRole('button', { name: 'Open lanting-handbook-zh.md' }).click();
  await expect(page.locator('.doc-view')).toContainText(SAMPLE_QUESTION_GOLD.zh);
  await snap(page, 'sample-documents-en');

  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await expect(page.getByText('Example bank (4)')).toBeVisible();
  await expect(page.getByLabel('Question')).toHaveValue(SAMPLE_QUESTION.en);
  await page.getByRole('button', { name: 'Run all' }).click();
  for (const lane of ['Plain', 'Few-shot', 'RAG']) {
    await expect(page.getByRole('region', { name: lane, exact: true }).getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  }
  // The echo model repeats its last user message: Plain has only the question, RAG the handbook passage.
  await expect(page.getByRole('region', { name: 'Plain', exact: true }).getByTestId('lane-answer')).not.toContainText(SAMPLE_QUESTION_GOLD.en);
  await expect(page.getByRole('region', { name: 'Few-shot', exact: true }).getByTestId('lane-answer')).not.toContainText(SAMPLE_QUESTION_GOLD.en);
  await expect(page.getByRole('region', { name: 'RAG', exact: true }).getByTestId('lane-answer')).toContainText(SAMPLE_QUESTION_GOLD.en);
  await snap(page, 'sample-lab-en');

  // After a reload the question is gone, but the banner offers it again.
  await page.reload();
  await expect(page.getByLabel('Question')).toHaveValue('');
  await page.getByRole('button', { name: 'Ask the sample question' }).click();
  await expect(page.getByLabel('Question')).toHaveValue(SAMPLE_QUESTION.en);
  await expect(page.getByRole('button', { name: 'Ask the sample question' })).toHaveCount(0);

  // Remove sample: documents, examples and test set go; the offer comes back.
  await page.getByRole('button', { name: 'Remove sample' }).click();
  await expect(page.getByRole('button', { name: 'Try the sample' })).toBeVisible();
  await expect(page.getByText('Example bank (0)')).toBeVisible();
  await expect(page.getByLabel('Question')).toHaveValue('');
  expect(await storedTestSet(page)).toBeNull();
  await page.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
  await expect(library.getByRole('listitem')).toHaveCount(0);
  await expect(page.getByTestId('index-stats')).toContainText(/\b0 chunks/);
  // A reload finds nothing left over.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Try the sample' })).toBeVisible();
  await expect(library.getByRole('listitem')).toHaveCount(0);
});

test('试用示例 in Chinese: the Chinese sample question is set and RAG finds the Chinese passage; narrow layout', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, { screen: 'lab', lang: 'zh', params: { llm: ECHO_FIXTURE } });
  await snap(page, 'sample-offer-zh-narrow');
  await page.getByRole('button', { name: '试用示例' }).click();
  await expect(page.getByRole('region', { name: '示例数据' })).toContainText('已加载示例数据');
  await expect(page.getByLabel('问题', { exact: true })).toHaveValue(SAMPLE_QUESTION.zh);
  await expect(page.getByRole('region', { name: '示例数据' })).toContainText(`${SAMPLE_FILES.length} 个文档`, { timeout: 60_000 });
  await expect(page.getByRole('region', { name: '示例数据' }).getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
  const rag = page.getByRole('region', { name: 'RAG', exact: true });
  await rag.getByRole('button', { name: '运行此方法' }).click();
  await expect(rag.getByTestId('lane-status')).toHaveText('完成', { timeout: 60_000 });
  await expect(rag.getByTestId('lane-answer')).toContainText(SAMPLE_QUESTION_GOLD.zh);
  await snap(page, 'sample-lab-zh-narrow');
});

test('the sample test set runs end to end on the Evaluate screen over the three methods', async ({ page }) => {
  test.setTimeout(240_000);
  await openApp(page, { screen: 'lab', params: { llm: ECHO_FIXTURE } });
  await page.getByRole('button', { name: 'Try the sample' }).click();
  const banner = page.getByRole('region', { name: 'Sample data' });
  await expect(banner).toContainText(`${SAMPLE_FILES.length} documents`, { timeout: 60_000 });
  await expect(banner.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
  // Short answers keep 60 generations quick; the evaluation takes its settings from the Lab.
  await page.getByText('Shared settings').click();
  await page.getByLabel('Max new tokens').fill('16');
  await page.getByLabel('Max new tokens').blur();

  await page.getByRole('navigation').getByRole('link', { name: 'Evaluate' }).click();
  await page.getByRole('combobox', { name: 'Test set', exact: true }).selectOption({ label: `${SAMPLE_TESTSET_NAME} (20)` });
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  const table = page.getByRole('table', { name: 'Results by method' });
  await expect(table.locator('tbody tr')).toHaveCount(3, { timeout: 180_000 });
  await expect(page.getByTestId('eval-progress')).toHaveCount(0, { timeout: 180_000 });
  // Retrieval finds the gold passage for most answerable sample questions.
  const hit = Number(await table.locator('tr[data-method="rag"] td[data-metric="hit"]').getAttribute('data-value'));
  expect(hit).toBeGreaterThanOrEqual(0.75);
  await snap(page, 'sample-evaluate-en');
});
