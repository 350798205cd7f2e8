// The fine-tuning loop's first half in the browser: import a test set with gold passages, hold out 30%,
// export LLaMA-Factory Alpaca with RAFT (the ZIP read back: examples, gold among retrieved distractors,
// no held-out question anywhere, the dataset_info.json entry), then the warning before a run and the
// "Held-out questions only" run. Screenshots in English and Chinese, narrow and wide.

import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import type { Locator, Page } from '@playwright/test';
import { test, expect, openApp, ECHO_FIXTURE } from './fixtures';

/** One policy per document, so each is its own chunk: the others are its distractors. */
const POLICIES: [string, string][] = [
  ['leave.md', 'New employees get fifteen days of paid annual leave in their first year.'],
  ['carryover.md', 'Unused leave days carry over until the end of March of the next year.'],
  ['taxi.md', 'Taxi receipts above 200 yuan need the approval of your manager before reimbursement.'],
  ['vpn.md', 'VPN passwords must be changed every ninety days and have at least twelve characters.'],
  ['laptop.md', 'Company laptops must be encrypted and locked whenever they are left unattended.'],
  ['office.md', 'The office opens at eight in the morning and closes at seven in the evening.'],
  ['visitors.md', 'Visitors sign in at the reception desk and wear a visitor badge at all times.'],
  ['sick.md', 'Sick leave longer than three days needs a note from a doctor.'],
  ['parental.md', 'Parental leave is sixteen weeks and may be split into two blocks.'],
  ['travel.md', 'Business travel is booked through the travel portal at least two weeks ahead.'],
];
const QUESTIONS: [string, string][] = [
  ['How many days of annual leave do new employees get?', 'fifteen days'],
  ['Until when do unused leave days carry over?', 'until the end of March'],
  ['Which taxi receipts need approval?', 'receipts above 200 yuan'],
  ['How often must VPN passwords be changed?', 'every ninety days'],
  ['What must be done with unattended laptops?', 'encrypt and lock them'],
  ['When does the office open?', 'at eight in the morning'],
  ['Where do visitors sign in?', 'at the reception desk'],
  ['When is a doctor note needed for sick leave?', 'after three days'],
  ['How long is parental leave?', 'sixteen weeks'],
  ['How early must business travel be booked?', 'two weeks ahead'],
];
const csvCell = (s: string) => (/[",\n]/u.test(s) ? `"${s.replace(/"/gu, '""')}"` : s);
const CSV = [
  'question,answer,gold_passage,gold_document',
  ...QUESTIONS.map(([q, a], i) => [q, a, POLICIES[i][1], POLICIES[i][0]].map(csvCell).join(',')),
  "What is the CEO's salary?,,,",
  'Which floor is the gym on?,,,',
].join('\n');

interface AlpacaRow {
  instruction: string;
  input: string;
  output: string;
  system: string;
}

async function shot(target: Locator, name: string) {
  await target.screenshot({ path: `test/.screens/${name}.png` });
}

async function setLang(page: Page, lang: 'en' | 'zh') {
  await page.locator('header select').first().selectOption(lang);
}

test('fine-tuning: hold out 30%, export LLaMA-Factory Alpaca with RAFT, then the warning and a held-out-only run', async ({ page }) => {
  test.setTimeout(150_000);
  await openApp(page, { screen: 'documents', params: { llm: ECHO_FIXTURE } });
  await page.getByLabel('Add documents').setInputFiles(POLICIES.map(([name, text]) => ({ name, mimeType: 'text/markdown', buffer: Buffer.from(`# ${name}\n\n${text}`) })));
  await expect(page.getByTestId('index-stats')).toContainText(/([1-9]\d*) chunks from 10 documents; \1 with vectors/, { timeout: 60_000 });
  await page.getByRole('navigation').getByRole('link', { name: 'Evaluate' }).click();

  await page.getByLabel('Import test set').setInputFiles({ name: 'hr-handbook.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(page.getByTestId('import-report')).toContainText('12 questions imported, 0 rows with errors');

  // Hold out 30%: per group, round(0.3 × 10) = 3 answerable and round(0.3 × 2) = 1 unanswerable.
  const splitPanel = page.locator('[role="group"][aria-labelledby="split-title"]');
  const ftPanel = page.locator('details.ft');
  await expect(page.getByLabel('Held out (%)')).toHaveValue('30');
  await page.getByRole('button', { name: 'Hold out 30% for evaluation' }).click();
  await expect(page.getByTestId('split-counts')).toHaveText('8 questions for training · 4 held out for evaluation');
  const list = page.getByRole('list', { name: 'Questions of this test set' });
  await expect(list.locator('[data-split="held-out"]')).toHaveCount(4);
  await expect(list.locator('[data-split="train"]')).toHaveCount(8);
  const heldOut = await list.locator('li', { has: page.locator('[data-split="held-out"]') }).locator('.q').evaluateAll((qs) => qs.map((q) => (q.textContent ?? '').replace(/^\s*q\d+\s*held out\s*/u, '').trim()));
  expect(heldOut).toHaveLength(4);
  for (const q of heldOut) expect([...QUESTIONS.map(([x]) => x), "What is the CEO's salary?", 'Which floor is the gym on?']).toContain(q);

  // The export: LLaMA-Factory Alpaca with RAFT at the reference code's defaults.
  await page.getByText('Fine-tuning data', { exact: true }).click();
  await page.getByRole('combobox', { name: 'Format', exact: true }).selectOption({ label: 'LLaMA-Factory Alpaca' });
  await page.getByRole('checkbox', { name: 'Include retrieved context (RAFT)' }).check();
  await expect(page.getByLabel('Distractor passages (k)')).toHaveValue('3');
  await expect(page.getByLabel('Examples with the gold passage (%)')).toHaveValue('80');
  await expect(page.getByTestId('raft-defaults')).toContainText("3 distractors and the gold passage in 80% of examples, as in RAFT's reference code");
  await expect(page.getByTestId('ft-preview')).toContainText('8 examples will be written; 4 held-out questions are left out.');
  await shot(splitPanel, 'finetune-split-en-wide');
  await shot(ftPanel, 'finetune-export-en-wide');

  const wait = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export fine-tuning data' }).click();
  const download = await wait;
  expect(download.suggestedFilename()).toBe('hr_handbook_llama_factory_alpaca.zip');
  const files = Object.fromEntries(Object.entries(unzipSync(new Uint8Array(await readFile((await download.path())!)))).map(([k, v]) => [k, strFromU8(v)]));
  expect(Object.keys(files).sort()).toEqual(['dataset_info.json', 'hr_handbook_alpaca.json']);
  expect(JSON.parse(files['dataset_info.json'])).toEqual({
    hr_handbook: { file_name: 'hr_handbook_alpaca.json', formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system' } },
  });
  const rows: AlpacaRow[] = JSON.parse(files['hr_handbook_alpaca.json']);
  expect(rows).toHaveLength(8);
  for (const q of heldOut) expect(files['hr_handbook_alpaca.json']).not.toContain(q);
  let withGold = 0;
  let answerable = 0;
  for (const row of rows) {
    expect(row.input).toBe('');
    expect(row.instruction).toMatch(/^Context:\n\[1\] \(/u);
    // Four passages: gold + 3 distractors, or 4 distractors; each one a chunk of the library.
    const passages = row.instruction.slice(0, row.instruction.lastIndexOf('\n\nQuestion: ')).split(/\n\n(?=\[\d\] \()/u);
    expect(passages).toHaveLength(4);
    for (const ps of passages) expect(POLICIES.filter(([, t]) => ps.includes(t))).toHaveLength(1);
    const i = QUESTIONS.findIndex(([q]) => row.instruction.endsWith(`Question: ${q}`));
    if (i < 0) {
      expect(row.output).toBe('The context does not contain the answer.');
      continue;
    }
    answerable++;
    const at = passages.findIndex((ps) => ps.includes(POLICIES[i][1]));
    if (at >= 0) {
      withGold++;
      expect(row.output).toBe(`${QUESTIONS[i][1]} [${at + 1}]`);
    } else expect(row.output).toBe(QUESTIONS[i][1]);
  }
  expect(answerable).toBe(7);
  expect(withGold).toBeGreaterThan(answerable / 2);
  const outcome = page.getByTestId('ft-outcome');
  await expect(outcome).toContainText('8 examples exported to hr_handbook_llama_factory_alpaca.zip. 4 held-out questions were left out.');
  await expect(outcome).toContainText(`${withGold} examples carry the gold passage, ${8 - withGold} carry distractors only; 4 passages per example on average.`);
  await expect(outcome).toContainText('Retrieval: BM25 + dense');
  await expect(outcome).toContainText('Logged with the test set');
  await expect(page.getByTestId('split-locked')).toBeVisible();
  await shot(ftPanel, 'finetune-exported-en-wide');

  // Before the run: the warning, and the run restricted to the held-out questions.
  const runPanel = page.locator('section[aria-labelledby="run-title"]');
  const warning = page.getByTestId('trained-warning');
  await expect(warning).toContainText(/^8 of these questions were exported for training on .+ \(LLaMA-Factory Alpaca\); a model fine-tuned on that export has seen their answers\. Evaluate on the held-out questions only\?/u);
  await expect(warning).toContainText('runs the 4 held-out questions that no export contains');
  await shot(runPanel, 'finetune-warning-en-wide');

  await page.setViewportSize({ width: 390, height: 900 });
  await shot(splitPanel, 'finetune-split-en-narrow');
  await shot(ftPanel, 'finetune-exported-en-narrow');
  await shot(runPanel, 'finetune-warning-en-narrow');
  await setLang(page, 'zh');
  await expect(page.getByTestId('split-counts')).toHaveText('8 个问题用于训练 · 4 个留出用于评测');
  await expect(warning).toContainText('其中 8 个问题已于');
  await shot(splitPanel, 'finetune-split-zh-narrow');
  await shot(ftPanel, 'finetune-exported-zh-narrow');
  await shot(runPanel, 'finetune-warning-zh-narrow');
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(splitPanel, 'finetune-split-zh-wide');
  await shot(ftPanel, 'finetune-exported-zh-wide');
  await shot(runPanel, 'finetune-warning-zh-wide');
  await setLang(page, 'en');

  await warning.getByRole('button', { name: 'Held-out questions only' }).click();
  const table = page.getByRole('table', { name: 'Results by method' });
  await expect(table.locator('tbody tr')).toHaveCount(3, { timeout: 60_000 });
  for (const m of ['plain', 'few-shot', 'rag']) await expect(table.locator(`tr[data-method="${m}"] td[data-metric="n"]`)).toHaveText('4', { timeout: 60_000 });
  await expect(page.getByTestId('eval-progress')).toBeHidden();
  const asked = await page.locator('tr[data-item]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-item')));
  expect(asked).toHaveLength(4);
});
