// The RAG lanes with an extra model call, end to end with the echo fixture (it repeats the last user
// message): in the Lab, RAG · HyDE searches densely with its "passage" (the HyDE prompt's question line
// echoed), RAG · multi-query cannot read a rewrite from the echo and says it searched with the question
// alone, and RAG · verified cannot read the check and says the answer was not checked — each showing its
// intermediate text and its extra tokens and time. In Evaluate, RAG and RAG · HyDE run side by side,
// with both rows, the per-question steps and their paired comparison.

import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, openApp, snap, ECHO_FIXTURE } from './fixtures';
import { GOLD, HANDBOOK, QUESTION } from './handbook';


async function library(page: Page) {
  await openApp(page, { screen: 'documents', params: { llm: ECHO_FIXTURE } });
  await page.getByLabel('Add documents').setInputFiles([{ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) }]);
  await expect(page.getByTestId('index-stats')).toHaveText(/(\d+) chunks from 1 documents; \1 with vectors/);
}

/** The integers of a line, thousands separators removed. */
const ints = (s: string | null): number[] => [...(s ?? '').replace(/(\d),(\d{3})/g, '$1$2').matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));

test('Lab: HyDE, multi-query and verified lanes show their steps, extra cost and fallbacks', async ({ page }) => {
  test.setTimeout(150_000);
  await library(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  for (const name of ['Plain', 'Few-shot']) await page.getByRole('region', { name, exact: true }).getByRole('button', { name: `Remove ${name}` }).click();
  const add = page.getByRole('combobox', { name: 'Add a lane' });
  for (const name of ['RAG · HyDE', 'RAG · multi-query', 'RAG · verified']) {
    await expect(add.getByRole('option', { name, exact: true })).toHaveCount(1);
    await add.selectOption({ label: name });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.getByRole('region', { name, exact: true })).toBeVisible();
  }
  await page.getByLabel('Question').fill(QUESTION);
  await page.getByRole('button', { name: 'Run all' }).click();
  for (const name of ['RAG', 'RAG · HyDE', 'RAG · multi-query', 'RAG · verified']) {
    await expect(page.getByRole('region', { name, exact: true }).getByTestId('lane-status')).toHaveText('done', { timeout: 90_000 });
  }

  // HyDE: the echoed passage, embedded for dense search (the retrieval line says so), with its cost.
  const hyde = page.getByRole('region', { name: 'RAG · HyDE', exact: true });
  await expect(hyde.getByTestId('hyde-passage')).toHaveText(`Question: ${QUESTION}`);
  await expect(hyde.getByTestId('step-hyde')).toContainText('Dense search embedded this passage; BM25 searched the question.');
  await expect(hyde.getByTestId('ran-retrieval')).toHaveText('Retrieval: BM25 + dense · dense searched the hypothetical passage');
  await expect(hyde.getByTestId('lane-answer')).toContainText(GOLD);
  // Extra tokens and time, and the lane's total: the answer's numbers plus the extra call's.
  const [stepPrompt, stepOutput, stepS] = ints(await hyde.getByTestId('step-cost').textContent());
  expect(stepPrompt).toBeGreaterThan(0);
  expect(stepOutput).toBeGreaterThan(0);
  expect(stepS).toBeGreaterThan(0);
  const metrics = await hyde.getByTestId('lane-metrics').textContent();
  const answerPrompt = Number(/Prompt tokens: (\d+)/.exec(metrics ?? '')?.[1]);
  const answerOutput = Number(/Output tokens: (\d+)/.exec(metrics ?? '')?.[1]);
  const [totalPrompt, totalOutput] = ints(await hyde.getByTestId('steps-total').textContent());
  expect([totalPrompt, totalOutput]).toEqual([answerPrompt + stepPrompt, answerOutput + stepOutput]);
  await hyde.getByText("The model's reply as written").click();
  await expect(hyde.getByTestId('step-hyde').locator('pre')).toHaveText(`Question: ${QUESTION}`);

  // Multi-query: the echo is the question again, not a rewrite: searched with the question alone, and said so.
  const multi = page.getByRole('region', { name: 'RAG · multi-query', exact: true });
  await expect(multi.getByTestId('ran-retrieval')).toHaveText('Retrieval: BM25 + dense — no rewrite could be read: searched with the question alone');
  const queries = multi.getByTestId('step-queries');
  await expect(queries).toContainText('No rewrite could be read: the question was searched alone.');
  await expect(queries).toContainText('Reading the rewrites:');
  await expect(queries).toContainText('dropped a copy of the question');
  await expect(queries).toContainText('the model gave 0 usable of 3 queries');
  await expect(queries.getByTestId('step-query')).toHaveCount(1);
  await expect(queries.getByTestId('step-query')).toContainText(`${QUESTION} (the question)`);
  await expect(queries.getByTestId('step-query').getByRole('link', { name: 'handbook.md' }).first()).toBeVisible();
  await expect(multi.getByTestId('step-cost')).toHaveText(/^Extra call: \d+ prompt \+ \d+ output tokens · [\d.]+ s$/);
  await expect(multi.getByTestId('lane-answer')).toContainText(GOLD);

  // Verified: the echoed check is no verdict: "not checked", never "all supported"; the answer stands.
  const verified = page.getByRole('region', { name: 'RAG · verified', exact: true });
  await expect(verified.getByTestId('verify-status')).toHaveText("Not checked: the check's reply could not be read, so the answer stands unchecked.");
  await expect(verified.getByTestId('step-verify')).toContainText('the reply has no claims in a readable form');
  await expect(verified.getByTestId('lane-answer')).toContainText(GOLD);
  await expect(verified.getByTestId('steps-total')).toHaveText(/^Lane total with the extra call: \d+ prompt \+ \d+ output tokens · [\d.]+ s of generation$/);
  await expect(verified.getByTestId('ran-retrieval')).toHaveText('Retrieval: BM25 + dense');

  // Plain RAG has no extra step.
  await expect(page.getByRole('region', { name: 'RAG', exact: true }).getByTestId('lane-steps')).toHaveCount(0);
  // Accessibility of the lanes with every step's details open.
  const closed = page.locator('.lanes details:not([open]) > summary:visible');
  while (await closed.count()) await closed.first().click();
  const { violations } = await new AxeBuilder({ page }).include('.lanes').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 900 });
  await snap(page, 'rag-steps-lab-en-wide');
  await page.setViewportSize({ width: 390, height: 900 });
  await snap(page, 'rag-steps-lab-en-narrow');

  // 中文: the lanes are named in Chinese, the steps and fallbacks worded in Chinese.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
  await expect(page.getByRole('region', { name: 'RAG · 多查询', exact: true }).getByTestId('ran-retrieval')).toHaveText('检索：BM25 + 向量 — 无法读出任何改写：只用问题本身检索');
  await expect(page.getByRole('region', { name: 'RAG · 核查', exact: true }).getByTestId('verify-status')).toHaveText('未核查：无法读出核查的回复，回答未经核查。');
  await expect(page.getByRole('region', { name: 'RAG · HyDE', exact: true }).getByTestId('step-hyde')).toContainText('向量检索嵌入了这段文字；BM25 检索的是问题本身。');
  await expect(page.getByRole('combobox', { name: '添加方法' }).getByRole('option', { name: 'RAG · 多查询', exact: true })).toHaveCount(1);
  await snap(page, 'rag-steps-lab-zh-narrow');
  await page.setViewportSize({ width: 1280, height: 900 });
  await snap(page, 'rag-steps-lab-zh-wide');
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');

  // A reopened run shows the same steps.
  await page.reload();
  await page.getByText(/Earlier runs \(\d+\)/).click();
  await page.getByRole('list', { name: 'Earlier runs' }).getByRole('button', { name: QUESTION }).first().click();
  await expect(page.getByRole('region', { name: 'RAG · HyDE', exact: true }).getByTestId('hyde-passage')).toHaveText(`Question: ${QUESTION}`);
  await expect(page.getByRole('region', { name: 'RAG · verified', exact: true }).getByTestId('verify-status')).toContainText('Not checked');
});

const CSV = [
  'question,answer,gold_passage',
  `${QUESTION},fifteen days,${GOLD}`,
  'Until when can unused days be carried over?,until the end of March,Unused days carry over until the end of March.',
  'Which taxi receipts need approval?,receipts above 200 yuan,Taxi receipts above 200 yuan need the approval of your manager before they are reimbursed.',
].join('\n');

test('Evaluate: RAG and RAG · HyDE side by side, with the extra step per question and their comparison', async ({ page }) => {
  test.setTimeout(150_000);
  await library(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Evaluate' }).click();
  await page.getByLabel('Import test set').setInputFiles({ name: 'leave.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(page.getByText('Questions (3)', { exact: true })).toBeVisible();
  for (const m of ['Plain', 'Few-shot']) await page.getByRole('checkbox', { name: m, exact: true }).uncheck();
  for (const m of ['RAG · multi-query', 'RAG · verified']) await expect(page.getByRole('checkbox', { name: m, exact: true })).not.toBeChecked();
  await page.getByRole('checkbox', { name: 'RAG · HyDE', exact: true }).check();
  await expect(page.getByRole('checkbox', { name: 'RAG', exact: true })).toBeChecked();
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  await expect(page.getByTestId('eval-progress')).toBeHidden({ timeout: 120_000 });

  const table = page.getByRole('table', { name: 'Results by method' });
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tr[data-method="rag-hyde"] th')).toHaveText('RAG · HyDE');
  for (const m of ['rag', 'rag-hyde']) await expect(table.locator(`tr[data-method="${m}"] td[data-metric="n"]`)).toHaveText('3');
  // Retrieval metrics apply to the HyDE arm; its cost columns carry the extra call.
  await expect(table.locator('tr[data-method="rag-hyde"] td[data-metric="hit"]')).not.toHaveText('—');
  const cell = page.locator('tr[data-item="q1"] td[data-method="rag-hyde"]');
  await expect(cell).toContainText(GOLD);
  await expect(cell.getByTestId('lane-steps')).toContainText(/Hypothetical passage \(HyDE\) · Extra call: \d+ prompt \+ \d+ output tokens/);
  await expect(cell.getByTestId('ran-retrieval')).toContainText('dense searched the hypothetical passage');
  await cell.getByTestId('lane-steps').locator('summary').first().click();
  await expect(cell.getByTestId('hyde-passage')).toHaveText(`Question: ${QUESTION}`);
  const prompt = async (m: string) => Number(await table.locator(`tr[data-method="${m}"] td[data-metric="promptTokens"]`).getAttribute('data-value'));
  const stepPrompt = ints(await cell.getByTestId('step-cost').textContent())[0];
  expect(await prompt('rag-hyde')).toBeGreaterThan(await prompt('rag'));
  expect(stepPrompt).toBeGreaterThan(0);
  await expect(page.locator('tr[data-item="q1"] td[data-method="rag"]').getByTestId('lane-steps')).toHaveCount(0);

  // The paired comparison names both arms, with its number of paired questions.
  const comparisons = page.getByTestId('comparisons');
  await expect(comparisons).toContainText('RAG · HyDE');
  await expect(comparisons).toContainText(/RAG · HyDE vs RAG|RAG vs RAG · HyDE/);
  await expect(comparisons).toContainText(/n = 3/);
  await page.setViewportSize({ width: 1280, height: 900 });
  await snap(page, 'rag-steps-eval-en-wide');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
  await expect(page.getByRole('table', { name: '各方法结果' })).toBeVisible();
  await snap(page, 'rag-steps-eval-zh-wide');
  await page.setViewportSize({ width: 390, height: 900 });
  await snap(page, 'rag-steps-eval-zh-narrow');
});
