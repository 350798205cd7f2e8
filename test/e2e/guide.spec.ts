// The Guide screen as a person uses it: answer the questionnaire (English and Chinese) and read the
// recommendation, export it as Markdown, see a finished evaluation change the evidence section, and
// use the two-axes chart by mouse and keyboard. Screenshots in both languages, themes and widths.

import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, openApp, snap, ECHO_FIXTURE } from './fixtures';
import { questions, type Answers } from '../../src/guide/questions';

type Lang = 'en' | 'zh';

/** Internal HR policy Q&A: private documents that change monthly, answers must cite them. */
const HR: Answers = {
  'private-knowledge': 'yes',
  'knowledge-change': 'monthly',
  citations: 'required',
  format: 'free',
  examples: 'none',
  'ml-capacity': 'none',
  'latency-cost': 'moderate',
  tools: 'no',
  accuracy: 'medium',
  domain: 'specific',
  'new-domain': 'no',
};

/** Book a trip through flight and hotel APIs: several tool calls in a row. */
const TRIP: Answers = {
  'private-knowledge': 'no',
  'knowledge-change': 'daily',
  citations: 'no',
  format: 'some',
  examples: 'few',
  'ml-capacity': 'none',
  'latency-cost': 'relaxed',
  tools: 'multi-step',
  accuracy: 'high',
  domain: 'mixed',
  'new-domain': 'no',
};

const FORM = { en: 'Which method fits?', zh: '哪种方法适合？' };
const REGION = { en: 'Recommendation', zh: '推荐' };

const form = (page: Page, lang: Lang) => page.getByRole('form', { name: FORM[lang] });
const region = (page: Page, lang: Lang) => page.getByRole('region', { name: REGION[lang], exact: true });

/** Checks each answer by the visible texts: the fieldset's legend and the option's label. */
async function answer(page: Page, lang: Lang, answers: Answers) {
  for (const q of questions) {
    const value = answers[q.id];
    if (value === undefined) continue;
    const option = q.options.find((o) => o.value === value);
    if (!option) throw new Error(`no option ${value} for ${q.id}`);
    await form(page, lang).getByRole('group', { name: q.label[lang] }).getByRole('radio', { name: option.label[lang], exact: true }).check();
  }
}

test('English: HR policy Q&A → RAG, live, remembered after a reload', async ({ page }) => {
  await openApp(page, { screen: 'guide', lang: 'en' });
  await expect(page.getByRole('heading', { level: 1, name: 'Decision guide' })).toBeVisible();
  const f = form(page, 'en');
  await expect(f).toBeVisible();
  await expect(f.getByRole('group')).toHaveCount(questions.length);
  // With nothing answered the guide starts where every project starts.
  await expect(region(page, 'en').getByRole('heading').first()).toHaveText('Prompt engineering');
  await expect(f.getByText('0 of 11 answered')).toBeVisible();

  await answer(page, 'en', HR);
  const r = region(page, 'en');
  await expect(r.getByRole('heading').first()).toHaveText('RAG (retrieval-augmented generation)');
  await expect(f.locator('output')).toHaveText('Current recommendation: RAG (retrieval-augmented generation)');
  await expect(f.getByText('11 of 11 answered')).toBeVisible();
  const why = r.getByRole('list', { name: 'Why' });
  await expect(why.getByText('Answers must cite sources: retrieval hands every answer the passages it is based on.')).toBeVisible();
  const risks = r.getByRole('list', { name: 'Risks and the runner-up' });
  await expect(risks.getByText(/try Prompt engineering next/)).toBeVisible();
  await expect(risks.getByRole('listitem').filter({ hasText: /recall@k/ })).toBeVisible();
  await expect(r.getByRole('list', { name: 'Full ranking' }).getByRole('listitem').first()).toContainText('RAG (retrieval-augmented generation)');
  // The rest of the page follows the pick.
  await expect(page.getByRole('article', { name: /RAG \(retrieval-augmented generation\)/ }).getByText('Recommended')).toBeVisible();

  // Live: one answer changes the pick (tools needed in several steps → agent climbs) without a submit.
  const tools = f.getByRole('group', { name: 'Does the task require tools, APIs or multi-step actions?' });
  await tools.getByRole('radio', { name: 'Several steps across tools' }).check();
  await expect(r.getByRole('heading').first()).not.toHaveText('RAG (retrieval-augmented generation)');
  // Keyboard: arrow keys move within the radio group, as in any form.
  await tools.getByRole('radio', { name: 'Several steps across tools' }).focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(tools.getByRole('radio', { name: 'No, answering is enough' })).toBeChecked();
  await expect(r.getByRole('heading').first()).toHaveText('RAG (retrieval-augmented generation)');

  await snap(page, 'guide-en-wide-light');
  await page.reload();
  await expect(form(page, 'en').getByRole('radio', { name: 'Required', exact: true })).toBeChecked();
  await expect(region(page, 'en').getByRole('heading').first()).toHaveText('RAG (retrieval-augmented generation)');

  await form(page, 'en').getByRole('button', { name: 'Clear answers' }).click();
  await expect(region(page, 'en').getByRole('heading').first()).toHaveText('Prompt engineering');
  await expect(form(page, 'en').getByRole('radio', { checked: true })).toHaveCount(0);
});

test('English: booking a trip through APIs → Agent, at 390 px in the dark theme', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, { screen: 'guide', lang: 'en' });
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  await answer(page, 'en', TRIP);
  const r = region(page, 'en');
  await expect(r.getByRole('heading').first()).toHaveText('Agent (tools and multi-step actions)');
  await expect(r.getByRole('list', { name: 'Risks and the runner-up' }).getByText(/Every step can fail and errors compound/)).toBeVisible();
  // Nothing on the narrow screen scrolls the page sideways (the wide table scrolls in its own box).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await snap(page, 'guide-en-narrow-dark');
});

test('Chinese: HR policy Q&A → RAG, and the Markdown export in Chinese', async ({ page }) => {
  await openApp(page, { screen: 'guide', lang: 'zh' });
  await expect(page.getByRole('heading', { level: 1, name: '决策指南' })).toBeVisible();
  await answer(page, 'zh', HR);
  const r = region(page, 'zh');
  await expect(r.getByRole('heading').first()).toHaveText('RAG（检索增强生成）');
  await expect(r.getByRole('list', { name: '理由' }).getByText(/回答必须注明出处/)).toBeVisible();
  await expect(form(page, 'zh').locator('output')).toHaveText('当前推荐：RAG（检索增强生成）');

  const [download] = await Promise.all([page.waitForEvent('download'), r.getByRole('button', { name: '导出为 Markdown' }).click()]);
  expect(download.suggestedFilename()).toBe('method-lab-recommendation-zh.md');
  const md = await readFile((await download.path())!, 'utf8');
  expect(md).toMatch(/^# 推荐方案：RAG（检索增强生成）/);
  expect(md).toContain('## 理由');
  expect(md).toContain('尚未纳入任何评估结果。');
  await snap(page, 'guide-zh-wide-light');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('combobox', { name: '主题' }).selectOption('dark');
  await snap(page, 'guide-zh-narrow-dark');
});

test('the Markdown export downloads the method, its reasons and the answers', async ({ page }) => {
  await openApp(page, { screen: 'guide', lang: 'en' });
  await answer(page, 'en', HR);
  const r = region(page, 'en');
  await expect(r.getByRole('heading').first()).toHaveText('RAG (retrieval-augmented generation)');
  const [download] = await Promise.all([page.waitForEvent('download'), r.getByRole('button', { name: 'Export as Markdown' }).click()]);
  expect(download.suggestedFilename()).toBe('method-lab-recommendation-en.md');
  const md = await readFile((await download.path())!, 'utf8');
  expect(md).toMatch(/^# Recommendation: RAG \(retrieval-augmented generation\)\n/);
  expect(md).toContain('## Why\n\n- ');
  expect(md).toContain('- Answers must cite sources: retrieval hands every answer the passages it is based on.');
  expect(md).toContain('| 1 | RAG (retrieval-augmented generation) |');
  expect(md).toContain('- Must answers cite their sources? **Required**');
  expect(md).toContain('No evaluation runs were taken into account.');
});

const HANDBOOK = [
  '# Lanting handbook',
  '## Annual leave',
  'New employees get fifteen days of paid annual leave in their first year. Unused days carry over until the end of March.',
  '## Expenses',
  'Taxi receipts above 200 yuan need the approval of your manager before they are reimbursed.',
].join('\n\n');

const CSV = [
  'question,answer,gold_passage,gold_document',
  'How many days of annual leave do new employees get?,fifteen days,New employees get fifteen days of paid annual leave in their first year.,',
  'Until when can unused days be carried over?,until the end of March,Unused days carry over until the end of March.,',
  'Which taxi receipts need approval?,receipts above 200 yuan,Taxi receipts above 200 yuan need the approval of your manager before they are reimbursed.,',
].join('\n');

test('an evaluation run on the Evaluate screen fills the evidence section', async ({ page }) => {
  test.setTimeout(120_000);
  // The echo fixture answers with the prompt it was given: RAG answers carry the passages, plain ones only the question.
  await openApp(page, { screen: 'documents', lang: 'en', params: { llm: ECHO_FIXTURE } });
  await page.getByLabel('Add documents').setInputFiles([{ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) }]);
  await expect(page.getByTestId('index-stats')).toContainText(/([1-9]\d*) chunks from 1 documents; \1 with vectors/);

  const nav = page.getByRole('navigation');
  await nav.getByRole('link', { name: 'Guide' }).click();
  const evidence = page.getByRole('region', { name: 'Evidence from your evaluation' });
  await expect(evidence.getByText('No finished evaluation yet.')).toBeVisible();
  await expect(evidence.getByRole('listitem')).toHaveCount(0);

  await nav.getByRole('link', { name: 'Evaluate' }).click();
  await page.getByLabel('Import test set').setInputFiles({ name: 'guide-questions.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(page.getByTestId('import-report')).toContainText('3 questions imported');
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  await expect(page.getByTestId('eval-progress')).toBeVisible();
  await expect(page.getByTestId('eval-progress')).toBeHidden({ timeout: 90_000 });
  await expect(page.getByRole('table', { name: 'Results by method' }).locator('tbody tr')).toHaveCount(3);

  await nav.getByRole('link', { name: 'Guide' }).click();
  await expect(evidence.getByText('No finished evaluation yet.')).toHaveCount(0);
  await expect(evidence.getByText(/^From the latest finished evaluation: test set “guide-questions”, model /)).toBeVisible();
  // At least the price of each method next to plain prompting, with its uncertainty and its run.
  const cost = evidence.getByRole('listitem').filter({ hasText: /RAG costs [\d.]+× the prompt tokens of plain/ });
  await expect(cost).toBeVisible();
  await expect(cost.getByText(/^Uncertainty:.*3 paired questions/)).toBeVisible();
  // Three questions call no method better: every comparison says so, with its n.
  await expect(evidence.getByRole('listitem').filter({ hasText: /Not enough evidence: plain vs RAG on token F1: .*n = 3/ })).toBeVisible();
  await expect(evidence.getByRole('listitem').filter({ hasText: /better than/ })).toHaveCount(0);
  const link = cost.getByRole('link', { name: /^run [0-9a-f]{8}$/ });
  const href = await link.getAttribute('href');
  expect(href).toMatch(/^#\/evaluate\?run=[0-9a-f-]{36}$/);
  await evidence.getByText('Measured numbers').click();
  await expect(evidence.getByRole('table').locator('tbody tr')).toHaveCount(3);
  // The numbers table scrolls inside its box; it must not widen the page.
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await snap(page, 'guide-evidence-from-eval');
  await link.click();
  await expect(page).toHaveURL(new RegExp(`${href!.replace(/[?]/g, '\\?')}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Evaluate' })).toBeVisible();
});

/** A finished evaluation of 10 questions where RAG clearly beats plain prompting, stored as the runner stores one. */
async function seedEvaluation(page: Page, runId: string) {
  await page.evaluate(async (runId) => {
    const items = Array.from({ length: 10 }, (_, i) => ({ id: `q${i}`, question: `Question ${i}?`, answer: `Answer ${i}`, goldPassages: [], tags: [] }));
    const scores = (f1: number, rag: boolean) => ({
      answerable: true,
      em: f1 > 0.9 ? 1 : 0,
      f1,
      rougeL: f1,
      recall: f1,
      containment: null,
      refused: false,
      groundedness: rag ? 0.9 : 0,
      retrieval: rag ? { k: 4, hit: 1, recall: 1, precision: 0.25, rr: 1, goldChunkIds: ['c1'] } : null,
      promptTokens: rag ? 900 : 60,
      outputTokens: 20,
      ttftMs: 100,
      totalMs: rag ? 700 : 400,
      tps: 30,
      retrievalMs: rag ? 40 : 0,
    });
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('method-lab');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction(['evalRuns', 'evalItems'], 'readwrite');
    tx.objectStore('evalRuns').put({
      id: runId,
      testSetId: 'seeded-set',
      createdAt: Date.now(),
      status: 'done',
      config: { testSetName: 'HR policies (seeded)', items, methods: ['plain', 'rag'], llm: 'fixture-llm', model: null, seed: 7 },
    });
    items.forEach((it, i) => {
      for (const method of ['plain', 'rag']) {
        const rag = method === 'rag';
        const f1 = rag ? 0.8 + (i % 3) * 0.05 : 0.1 + (i % 2) * 0.05;
        tx.objectStore('evalItems').put({
          evalRunId: runId,
          itemId: it.id,
          method,
          // Results are keyed by arm; in a run of one model the arm is the method.
          arm: method,
          result: {
            answer: 'x',
            hits: [],
            usage: { promptTokens: rag ? 900 : 60, outputTokens: 20, ttftMs: 100, totalMs: 400, decodeTps: 30 },
            scores: scores(f1, rag),
            judge: null,
            thumb: null,
          },
        });
      }
    });
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, runId);
}

test('a finished evaluation changes the evidence section and the ranking', async ({ page }) => {
  await openApp(page, { screen: 'guide', lang: 'en' });
  await answer(page, 'en', HR);
  const evidence = page.getByRole('region', { name: 'Evidence from your evaluation' });
  await expect(evidence.getByText('No finished evaluation yet.')).toBeVisible();
  await expect(evidence.getByRole('link', { name: 'Open the Evaluate screen' })).toHaveAttribute('href', '#/evaluate');
  const r = region(page, 'en');
  const ragScore = r.getByRole('listitem').filter({ hasText: 'RAG (retrieval-augmented generation)' }).locator('.pts');
  const before = await ragScore.textContent();

  await seedEvaluation(page, 'eval-run-0001-seeded');
  // Leave the guide and come back: a new visit reads the latest finished evaluation.
  await page.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
  await page.getByRole('navigation').getByRole('link', { name: 'Guide' }).click();

  await expect(evidence.getByText('No finished evaluation yet.')).toHaveCount(0);
  await expect(evidence.getByText('From the latest finished evaluation: test set “HR policies (seeded)”, model fixture-llm.')).toBeVisible();
  const gap = evidence.getByRole('listitem').filter({ hasText: /RAG better than plain on token F1: \+0\.\d\d \[0\.\d\d, 0\.\d\d\], p = 0\.00\d+, n = 10 \(Wilcoxon, Holm-corrected\)/ });
  await expect(gap).toBeVisible();
  await expect(gap.getByText('Supports')).toBeVisible();
  await expect(gap.getByText(/^Uncertainty:.*10 paired questions/)).toBeVisible();
  await expect(gap.getByRole('link', { name: 'run eval-run' })).toHaveAttribute('href', '#/evaluate?run=eval-run-0001-seeded');
  // The measured finding adds its points to RAG and appears among the reasons.
  await expect(ragScore).not.toHaveText(before ?? '');
  await expect(r.getByRole('list', { name: 'Why' }).getByText(/^Measured: RAG better than plain on token F1/)).toBeVisible();
  await snap(page, 'guide-evidence-en');
  // Chinese shows the same statement in Chinese.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
  await expect(page.getByRole('region', { name: '来自你的评测的证据' }).getByText(/RAG 在词元 F1 上优于直接提问/)).toBeVisible();

  // Following a run link opens the Evaluate screen with that run in the address.
  await page.getByRole('region', { name: '来自你的评测的证据' }).getByRole('link', { name: '打开这次运行' }).click();
  await expect(page).toHaveURL(/#\/evaluate\?run=eval-run-0001-seeded$/);
});

test('the two-axes chart: captions on hover and keyboard focus, the recommended method highlighted', async ({ page }) => {
  await openApp(page, { screen: 'guide', lang: 'en' });
  await answer(page, 'en', TRIP);
  const chart = page.getByRole('region', { name: 'Two axes: context or behaviour?' });
  const rag = chart.getByRole('button', { name: /^RAG \(retrieval-augmented generation\): Mostly context/ });
  await rag.hover();
  await expect(chart.getByText('Mostly context: gives the model the facts it lacks.')).toBeVisible();
  await page.mouse.move(0, 0);
  await expect(chart.getByText('Mostly context: gives the model the facts it lacks.')).toHaveCount(0);

  const agent = chart.getByRole('button', { name: /^Agent \(tools and multi-step actions\) \(Recommended\):/ });
  await agent.focus();
  await expect(chart.getByText('Both: tools fetch context, the loop structures behaviour.')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(agent).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Tab');
  // Focus moved on to the next point: its caption shows instead.
  await expect(chart.getByText('Both: tools fetch context, the loop structures behaviour.')).toHaveCount(0);
  await page.keyboard.press('Shift+Tab');
  await expect(chart.getByText('Pinned')).toBeVisible();

  await chart.getByLabel('Show combinations').uncheck();
  await expect(chart.getByRole('button', { name: /^RAG \+ fine-tuning/ })).toHaveCount(0);
  await chart.scrollIntoViewIfNeeded();
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  await agent.focus();
  await snap(page, 'guide-chart-dark');
});

test('no accessibility violations on the guide, in both themes', async ({ page }) => {
  await openApp(page, { screen: 'guide', lang: 'en' });
  await answer(page, 'en', HR);
  await expect(region(page, 'en').getByRole('heading').first()).toHaveText('RAG (retrieval-augmented generation)');
  for (const theme of ['light', 'dark']) {
    await page.getByRole('combobox', { name: 'Theme' }).selectOption(theme);
    const result = await new AxeBuilder({ page }).include('main').analyze();
    expect(result.violations.map((v) => `${theme}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
});
