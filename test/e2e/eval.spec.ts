// The Evaluate screen end to end with the echo fixture (it answers with the last user message, so RAG
// answers carry the retrieved passages and plain answers only the question): import a test set with a
// bad row, run three lanes, reload mid-run and resume, read the summary, table and charts, export every
// format, and re-import the bundle in a fresh browser to the same numbers.

import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Download, Page } from '@playwright/test';
import { test, expect, openApp, snap, ECHO_FIXTURE } from './fixtures';
import { HANDBOOK } from './handbook';


// The echo fixture repeats a chunk asked to draft from: this FAQ's "Q:/A:" lines then parse as proposals.
const FAQ = '# FAQ\n\nQ: How long is the probation period?\nA: Three months.\nQ: Where is the canteen?\nA: On the second floor.';

// Row 7 has no question: it must be reported and the five good rows imported.
const CSV = [
  'question,answer,gold_passage,gold_document',
  'How many days of annual leave do new employees get?,fifteen days,New employees get fifteen days of paid annual leave in their first year.,',
  'Until when can unused days be carried over?,until the end of March,Unused days carry over until the end of March.,',
  'Which taxi receipts need approval?,receipts above 200 yuan,"Taxi receipts above 200 yuan need the approval of your manager before they are reimbursed.",',
  'How often must VPN passwords be changed?,every ninety days,,handbook.md',
  "What is the CEO's salary?,,,",
  ',an answer without a question,,',
].join('\n');

async function text(d: Download): Promise<string> {
  return readFile((await d.path())!, 'utf8');
}

async function downloadOf(page: Page, click: () => Promise<void>): Promise<Download> {
  const wait = page.waitForEvent('download');
  await click();
  return wait;
}

/** Every metric cell of a method's row in "Results by method": metric id → numeric value. */
async function rowValues(page: Page, method: string): Promise<Record<string, number>> {
  const row = page.getByRole('table', { name: 'Results by method' }).locator(`tr[data-method="${method}"]`);
  return row.locator('td[data-value]').evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.getAttribute('data-metric'), Number(td.getAttribute('data-value'))])));
}

test('evaluate: import, run three lanes, resume after reload, results, exports, bundle round trip', async ({ page, browser, baseURL }) => {
  // About 50 s on an idle machine; a parallel worker embedding thousands of chunks can more than double it.
  test.setTimeout(240_000);
  await openApp(page, { screen: 'documents', params: { llm: ECHO_FIXTURE } });
  await page.getByLabel('Add documents').setInputFiles([
    { name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) },
    { name: 'faq.md', mimeType: 'text/markdown', buffer: Buffer.from(FAQ) },
  ]);
  await expect(page.getByTestId('index-stats')).toContainText(/([1-9]\d*) chunks from 2 documents; \1 with vectors/);
  await page.getByRole('navigation').getByRole('link', { name: 'Evaluate' }).click();

  // Drafting: the FAQ chunk's echo parses into two proposals; the handbook chunk's echo is no Q/A list,
  // which gets a clear message instead of a crash. Edit and accept one proposal, reject the other.
  await page.getByText('Draft questions from documents').click();
  await page.getByRole('checkbox', { name: /handbook\.md/ }).check();
  await page.getByRole('checkbox', { name: /faq\.md/ }).check();
  await page.getByLabel('Chunks per document').fill('1');
  await page.getByRole('button', { name: 'Draft questions' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'could not be read as question/answer pairs' })).toContainText('for 1 of 2 chunks');
  const proposals = page.getByRole('article', { name: 'Proposed question' });
  await expect(proposals).toHaveCount(2);
  await expect(proposals.first().getByLabel('Question')).toHaveValue('How long is the probation period?');
  await proposals.first().getByLabel('Reference answer').fill('three months');
  await page.locator('details', { hasText: 'Draft questions from documents' }).screenshot({ path: 'test/.screens/eval-draft-en.png' });
  await proposals.first().getByRole('button', { name: 'Accept' }).click();
  await proposals.first().getByRole('button', { name: 'Reject' }).click();
  await expect(proposals).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: 'Test set', exact: true })).toContainText('Drafted questions (1)');
  await expect(page.getByRole('list', { name: 'Questions of this test set' })).toContainText('Reference: three months');
  await expect(page.getByRole('list', { name: 'Questions of this test set' })).toContainText('Gold passages: 1 · gold document: faq.md');

  // Import: the input accepts JSON, JSONL and CSV; the bad row is reported by line, the rest kept.
  const input = page.getByLabel('Import test set');
  expect(await input.getAttribute('accept')).toMatch(/\.json\b.*\.jsonl.*\.csv/);
  await input.setInputFiles({ name: 'handbook-questions.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(page.getByTestId('import-report')).toContainText('5 questions imported, 1 rows with errors');
  await expect(page.getByTestId('import-report')).toContainText('Row 7: the question is empty.');
  await expect(page.getByText('Questions (5)', { exact: true })).toBeVisible();

  // Run plain, few-shot and RAG; reload once a few answers are stored.
  for (const m of ['Plain', 'Few-shot', 'RAG']) await expect(page.getByRole('checkbox', { name: m, exact: true })).toBeChecked();
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  const progress = page.getByTestId('eval-progress');
  await expect(progress.getByRole('progressbar')).toBeVisible();
  await expect(progress).toContainText(/of 15 answers · (about .* left|estimating)/);
  await expect.poll(async () => Number(/(\d+) of 15/.exec((await progress.textContent()) ?? '')?.[1] ?? 0), { timeout: 30_000, intervals: [100] }).toBeGreaterThanOrEqual(3);
  await expect(progress).toContainText(/about .* left/);
  const reloadedAt = Date.now();
  await page.reload();

  const unfinished = page.getByTestId('eval-unfinished');
  await expect(unfinished).toContainText('was interrupted');
  const before = Number(/: (\d+) of 15 answers are stored/.exec((await unfinished.textContent()) ?? '')?.[1]);
  expect(before).toBeGreaterThanOrEqual(3);
  expect(before).toBeLessThan(15);
  await unfinished.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('eval-resumed')).toHaveText(`${before} answers were already done and are not run again.`);
  const table = page.getByRole('table', { name: 'Results by method' });
  await expect(page.getByTestId('eval-progress')).toBeHidden({ timeout: 60_000 });
  await expect(page.getByTestId('eval-unfinished')).toHaveCount(0);

  // One row per method, five answers each; RAG answers hold the gold passages, plain ones do not.
  await expect(table.locator('tbody tr')).toHaveCount(3);
  for (const m of ['plain', 'few-shot', 'rag']) await expect(table.locator(`tr[data-method="${m}"] td[data-metric="n"]`)).toHaveText('5');
  const plain = await rowValues(page, 'plain');
  const rag = await rowValues(page, 'rag');
  expect(rag.recall).toBeGreaterThan(plain.recall);
  expect(rag.containment).toBeGreaterThan(plain.containment);
  expect(rag.containment).toBeGreaterThan(0.9);
  // Word overlap with the context, under its honest name (it cannot see contradictions).
  expect(rag.lexicalSupport).toBeGreaterThan(plain.lexicalSupport);
  expect(plain.lexicalSupport).toBe(0);
  expect(rag.hit).toBe(1);
  expect(rag.promptTokens).toBeGreaterThan(plain.promptTokens);
  await expect(table.locator('tr[data-method="plain"] td[data-metric="hit"]')).toHaveText('—');

  // Charts: three SVGs with accessible names; the per-question table with diff highlights.
  for (const id of ['quality', 'tokens', 'latency']) await expect(page.getByTestId(`chart-${id}`).locator('svg')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Quality per method' })).toBeVisible();
  const q1 = page.locator('tr[data-item="q1"]');
  await expect(q1.locator('td[data-method="rag"]')).toContainText('New employees get fifteen days of paid annual leave');
  // The diff: the reference's "fifteen" is struck as missing from the plain echo, highlighted as found in RAG's.
  await expect(q1.locator('td[data-method="plain"] del')).toHaveText(['fifteen']);
  await expect(q1.locator('td[data-method="rag"] mark', { hasText: 'fifteen' }).first()).toBeVisible();
  await expect(q1.locator('td[data-method="rag"] del')).toHaveCount(0);
  await page.getByRole('button', { name: 'Good answer: q1, RAG' }).click();
  await page.getByRole('button', { name: 'Good answer: q2, RAG' }).click();
  await expect(table.locator('tr[data-method="rag"] td[data-metric="thumbs"]')).toHaveText('2 / 0');
  const tableText = await table.textContent();
  await snap(page, 'eval-en-wide');

  // Accessibility of the results, with every section open.
  const closed = page.locator('main details:not([open]) > summary:visible');
  while (await closed.count()) await closed.first().click();
  const { violations } = await new AxeBuilder({ page }).include('main').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);

  // Exports.
  const csv = await text(await downloadOf(page, () => page.getByRole('button', { name: 'Results (CSV)' }).click()));
  expect(csv.charCodeAt(0)).toBe(0xfeff); // BOM: Excel then reads UTF-8
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toMatch(/^run_id,item_id,method,question,reference,answer/);
  expect(lines).toHaveLength(16);
  const json = JSON.parse(await text(await downloadOf(page, () => page.getByRole('button', { name: 'Results (JSON)' }).click())));
  expect(json.rows).toHaveLength(15);
  expect(json.summary.arms.map((m: { method: string }) => m.method)).toEqual(['plain', 'few-shot', 'rag']);
  await page.getByLabel('Include the retrieved context in the examples').check();
  const ft = (await text(await downloadOf(page, () => page.getByRole('button', { name: 'Fine-tuning dataset (JSONL)' }).click()))).trim().split('\n').map((l) => JSON.parse(l));
  expect(ft).toHaveLength(2);
  expect(ft[0].messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant']);
  expect(ft[0].messages[1].content).toContain('Context:\n[1]');
  const svg = await text(await downloadOf(page, () => page.getByRole('button', { name: 'Download SVG: Quality per method' }).click()));
  expect(svg).toMatch(/^<\?xml[^>]*>\n<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const png = await readFile((await (await downloadOf(page, () => page.getByRole('button', { name: 'Download PNG: Token F1 against prompt tokens' }).click())).path())!);
  expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  const setCsv = await text(await downloadOf(page, () => page.getByRole('button', { name: 'CSV', exact: true }).click()));
  expect(setCsv).toContain('question,answer,gold_passage');
  const bundleDl = await downloadOf(page, () => page.getByRole('button', { name: 'Reproducible bundle' }).click());
  const bundle = JSON.parse(await text(bundleDl));
  expect(bundle.format).toBe('method-lab-eval-bundle');
  expect(bundle.results).toHaveLength(15);
  expect(bundle.run.config.model.model).toBe(ECHO_FIXTURE);
  // The answers stored before the reload were not run again after it.
  expect(bundle.results.filter((r: { finishedAt: number }) => r.finishedAt < reloadedAt)).toHaveLength(before);
  const ragQ1 = bundle.results.find((r: { itemId: string; method: string }) => r.itemId === 'q1' && r.method === 'rag');
  expect(ragQ1.hits[0]).toHaveProperty('fused');
  expect(ragQ1.messages.at(-1).content).toContain('Context:');

  // Screenshots: Chinese, dark theme, narrow.
  await page.locator('header select').first().selectOption('zh');
  await expect(page.getByRole('table', { name: '各方法结果' })).toBeVisible();
  await snap(page, 'eval-zh-wide');
  await page.locator('header select').nth(1).selectOption('dark');
  await page.setViewportSize({ width: 390, height: 900 });
  await expect(page.getByTestId('chart-quality').locator('svg')).toBeVisible();
  // Nothing on the screen (a long model name in the judge list included) widens the page.
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await snap(page, 'eval-zh-narrow-dark');
  await page.locator('header select').first().selectOption('en');
  await page.locator('header select').nth(1).selectOption('light');
  await snap(page, 'eval-en-narrow');

  // A model-graded run: the echo's reply is no grade, so it is shown as unreadable and never scored as 0.
  await page.getByRole('checkbox', { name: 'Few-shot', exact: true }).uncheck();
  await page.getByRole('checkbox', { name: 'RAG', exact: true }).uncheck();
  await page.getByLabel('Also let the model grade each answer (model-graded, slower)').check();
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  await expect(page.getByTestId('eval-progress')).toBeHidden({ timeout: 30_000 });
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.locator('td[data-metric="judgeFaithfulness"]')).toHaveText('—');
  // The run says which model graded it (here the run's own model, the echo fixture).
  await expect(page.getByTestId('run-judge')).toHaveText(/^judged by .*echo/);
  await expect(page.locator('tr[data-item="q1"] td[data-method="plain"]')).toContainText('model-graded faithfulness/relevance reply not readable');

  // Someone else imports the bundle in a fresh browser profile: the same numbers, verified.
  const other = await browser.newContext({ baseURL });
  const page2 = await other.newPage();
  await openApp(page2, { screen: 'evaluate', params: { llm: ECHO_FIXTURE } });
  await page2.getByLabel('Import results bundle').setInputFiles((await bundleDl.path())!);
  await expect(page2.getByTestId('bundle-note')).toHaveText(/match the exporter's exactly/);
  const table2 = page2.getByRole('table', { name: 'Results by method' });
  await expect(table2.locator('tbody tr')).toHaveCount(3);
  expect(await table2.textContent()).toBe(tableText);
  await expect(page2.getByTestId('run-meta')).toContainText('imported from a bundle');
  await other.close();
});
