// Retrieval that finds it, as a person uses it: one manual added as Markdown and as a PDF printed from
// the same text; the inspector shows what each result was indexed as and lists the other copy once
// ("also in"); a test set with gold passages is imported; the retrieval sweep runs in scratch indexes,
// its table and verdict are read, and one setting is applied to the library. English and Chinese,
// narrow and wide.

import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, openApp, snap } from './fixtures';
import { makePdf } from '../fixtures/make-files';

const SECTIONS: [string, string, string][] = [
  ['Schedule', 'Backups run every night at two o\u2019clock on all production servers.', 'A backup that fails is retried once at four o\u2019clock.'],
  ['Retention', 'Nightly backups are kept for thirty days on the storage cluster.', 'Monthly backups are kept for seven years in the archive.'],
  ['Restore', 'Restoring a backup needs a ticket approved by the data owner.', 'A full volume restore takes about four hours.'],
  ['Encryption', 'Backup encryption keys are rotated every ninety days.', 'The keys are stored in the hardware security module, never on disk.'],
  ['Monitoring', 'The backup dashboard turns red when a job is more than two hours late.', 'Alerts go to the on-call engineer by phone.'],
  ['Contacts', 'Questions about backups go to the storage team channel.', 'The storage team lead approves exceptions to the retention rules.'],
];
const MARKDOWN = `# Backup manual\n\n${SECTIONS.map(([h, a, b]) => `## ${h}\n\n${a} ${b}`).join('\n\n')}`;
const QUESTIONS = [
  'When do backups run?',
  'What happens when a backup fails?',
  'How long are nightly backups kept?',
  'How long are monthly backups kept?',
  'What do I need to restore a backup?',
  'How long does a full restore take?',
  'How often are backup keys rotated?',
  'Where are the backup keys stored?',
  'When does the backup dashboard turn red?',
  'Who gets backup alerts?',
  'Where do backup questions go?',
  'Who approves retention exceptions?',
];
const golds = SECTIONS.flatMap(([, a, b]) => [a, b]);
const CSV = ['question,answer,gold_passage,gold_document', ...QUESTIONS.map((q, i) => `"${q}",,"${golds[i]}",backup-manual.md`)].join('\n');

type Lab = { __methodLab: { knowledge: { index: { vectors: number; chunks: number; docs: number } | null } } };
const indexStats = (page: Page) => page.evaluate(() => (globalThis as unknown as Lab).__methodLab.knowledge.index);

test('one passage once with what it was indexed as; the retrieval sweep measures settings and applies one', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await openApp(page, { screen: 'documents' });
  // One page per section, as a printed manual would have it.
  const pdf = await makePdf(SECTIONS.map(([h, a, b]) => [h, a, b]), { title: 'Backup manual' });
  await page.getByLabel('Add documents').setInputFiles([
    { name: 'backup-manual.md', mimeType: 'text/markdown', buffer: Buffer.from(MARKDOWN) },
    { name: 'backup-manual.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) },
  ]);
  await expect(page.getByTestId('index-stats')).toContainText(/(\d+) chunks from 2 documents; \1 with vectors/);

  // The inspector: each result says what was indexed with it, and the PDF copy is listed, not repeated.
  await page.getByRole('searchbox', { name: 'Search documents' }).fill('How long are nightly backups kept?');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const results = page.getByRole('list', { name: 'Search results' });
  const first = results.getByRole('listitem').first();
  await expect(first).toContainText('kept for thirty days');
  // The two copies score alike; whichever ranks first, the other is listed under it. The Markdown
  // copy is indexed with its section (its title repeats the file name); the PDF has no headings.
  const fromPdf = (await first.locator('a.doc').textContent())!.startsWith('backup-manual.pdf');
  await expect(first.getByTestId('indexed-as')).toHaveText(fromPdf ? 'Indexed as: backup-manual' : 'Indexed as: backup-manual › Retention');
  await expect(first.getByTestId('also-in')).toHaveText(fromPdf ? 'also in: backup-manual.md' : 'also in: backup-manual.pdf · p. 2');
  await expect(results.getByRole('listitem').filter({ hasText: 'kept for thirty days' })).toHaveCount(1);
  await expect(page.getByTestId('ran-retrieval')).toHaveText(/^Retrieval: BM25 \+ dense · near-duplicates merged: [1-9]\d*$/);
  for (const item of await results.getByRole('listitem').all()) await expect(item.getByTestId('indexed-as')).toHaveText(/^Indexed as: \S/);

  // A test set with gold passages, imported on the Evaluate screen.
  await page.getByRole('navigation').getByRole('link', { name: 'Evaluate' }).click();
  await page.getByLabel('Import test set').setInputFiles({ name: 'backup-questions.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(page.getByTestId('import-report')).toContainText('12 questions imported');

  // The sweep, back on the Documents screen.
  await page.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
  const sweep = page.getByRole('region', { name: 'Retrieval sweep' });
  await expect(sweep.getByLabel('Test set with gold passages')).toHaveValue(/.+/);
  await expect(sweep.getByRole('option', { selected: true })).toHaveText('backup-questions (12 questions with gold passages)');
  await expect(sweep.getByTestId('sweep-current')).toHaveText('Current library setting: 200/40 tokens · hybrid · headers · 24 settings, including the current one');
  const chunksBefore = (await indexStats(page))!.chunks;
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  const table = sweep.getByRole('table', { name: 'Retrieval sweep results' });
  await expect(table).toBeVisible({ timeout: 90_000 });
  await expect(table.locator('tbody tr')).toHaveCount(24);
  await expect(sweep.getByTestId('sweep-meta')).toContainText('24 settings over 2 documents');
  await expect(sweep.getByTestId('sweep-meta')).toContainText('12 of 12 questions have gold passages found in the library (n = 12); 0 gold passages were found in no document.');
  // Twelve questions cannot clear a Holm-corrected bar over 23 comparisons: no winner is named.
  await expect(sweep.getByTestId('sweep-verdict')).toHaveText('Not enough evidence that any setting beats the current one on hit@5 (n = 12 questions; the bar is a Holm-adjusted p below 0.05 with at least 10 questions).');
  const current = table.locator('tr.current');
  await expect(current.locator('th')).toHaveText('200/40 tokens · hybrid · headers current');
  const hit = Number(await current.locator('td[data-metric="hit"]').getAttribute('data-value'));
  expect(hit).toBeGreaterThanOrEqual(0.75);
  await expect(current.locator('td[data-metric="hit"]')).toHaveText(/^\d\.\d{3}( \(\d\.\d{3}–\d\.\d{3}\))?$/);
  const bm25Row = table.locator('tr[data-key="tokens/100/0/bm25/h/d"]');
  await expect(bm25Row.locator('td[data-col="diff"]')).toHaveText(/^[+−±]\d\.\d{3} \(/);
  await expect(bm25Row.locator('td[data-col="p"]')).toHaveText(/^p [=<] \d/);
  // The sweep wrote nothing: the library still has its chunks.
  expect((await indexStats(page))!.chunks).toBe(chunksBefore);
  await snap(page, 'sweep-en-wide');
  // The sweep's controls and table, and the open context-sentence panel, pass axe like every screen.
  await page.getByText('Context sentences by the LLM').click();
  await expect(page.getByTestId('context-cost')).toContainText('Cost for the 12 chunks without one: about');
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // The other language, on a phone.
  await page.getByLabel('Language').selectOption('zh');
  const zh = page.getByRole('region', { name: '检索参数扫描' });
  await expect(zh.getByRole('button', { name: '开始扫描' })).toBeVisible();
  await expect(zh.getByRole('table', { name: '检索参数扫描结果' })).toBeVisible();
  await expect(zh.getByTestId('sweep-verdict')).toContainText('证据不足');
  await snap(page, 'sweep-zh-wide');
  await page.setViewportSize({ width: 390, height: 844 });
  // The wide table scrolls inside its card; the page itself never scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await snap(page, 'sweep-zh-narrow');
  await page.getByLabel('语言').selectOption('en');
  await snap(page, 'sweep-en-narrow');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Apply one setting: the library is re-chunked with it, and the Lab's retrieval follows its mode.
  page.once('dialog', (d) => {
    expect(d.message()).toBe("Re-chunk all 2 documents as 100/0 tokens and set the Lab's retrieval to BM25? Vectors are made again for the new chunks.");
    void d.accept();
  });
  await bm25Row.getByRole('button', { name: 'Apply this setting: 100/0 tokens · BM25 · headers' }).click();
  await expect(sweep.getByTestId('sweep-applied')).toHaveText("Applied 100/0 tokens · BM25 · headers: the library was re-chunked and the Lab's retrieval is BM25.");
  await expect(page.getByRole('spinbutton', { name: 'Chunk size' })).toHaveValue('100');
  await expect(page.getByRole('spinbutton', { name: 'Overlap', exact: true })).toHaveValue('0');
  await expect(sweep.getByTestId('sweep-current')).toContainText('Current library setting: 100/0 tokens · BM25 · headers');
  await expect.poll(async () => { const s = await indexStats(page); return s !== null && s.vectors === s.chunks; }).toBe(true);
  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await page.getByText('Shared settings (the same for every lane)').click();
  await expect(page.getByRole('checkbox', { name: 'BM25 (keywords)' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Dense (embeddings)' })).not.toBeChecked();
});
