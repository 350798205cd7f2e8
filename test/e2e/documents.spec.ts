import { test, expect, openApp, snap } from './fixtures';
import { dropFiles } from './drop';
import { encodeGbk, makeDocx, makeEncryptedPdf, makeEpub, makePdf, makeTruncatedPdf, makeZipBombDocx } from '../fixtures/make-files';

const utf8 = (s: string) => new TextEncoder().encode(s);
const GBK_TEXT = '员工手册\n\n新员工入职第一年享有十五天带薪年假。年假须提前一周申请。\n\n病假每年十天，需要医生证明。';

test('drop a PDF, a DOCX, a GBK text and Markdown; open chunks; reload keeps the library', async ({ page }) => {
  await openApp(page, { screen: 'documents' });
  const zone = page.getByRole('group', { name: 'Drop files or folders here' });
  await dropFiles(zone, [
    { name: 'policy.pdf', bytes: await makePdf([['Travel policy', 'Economy class for flights under six hours.'], ['Hotels', 'Hotel rooms up to 600 yuan per night.']]), type: 'application/pdf' },
    { name: 'benefits.docx', bytes: makeDocx([{ style: 'Heading1', text: 'Benefits' }, { text: 'Every employee gets a yearly health check.' }, { style: 'Heading2', text: 'Gym' }, { text: 'The gym card is paid up to 300 yuan a month.' }]) },
    { name: '手册-gbk.txt', bytes: encodeGbk(GBK_TEXT), type: 'text/plain' },
    { name: 'security.md', bytes: utf8('# IT security\n\n## Passwords\n\nPasswords must be changed every ninety days.\n\n## Laptops\n\nLaptops must use disk encryption.') },
  ]);
  const library = page.getByRole('list', { name: 'Library' });
  for (const name of ['policy.pdf', 'benefits.docx', '手册-gbk.txt', 'security.md']) await expect(library.getByRole('listitem').filter({ hasText: name })).toBeVisible();
  await expect(page.getByText('4 of 4 files finished')).toBeVisible();
  await expect(library.getByRole('listitem').filter({ hasText: 'policy.pdf' })).toContainText('2 pages');

  // The GBK file decodes without mojibake, and its chunks are visible.
  await page.getByRole('button', { name: 'Open 手册-gbk.txt' }).click();
  const view = page.getByRole('region', { name: '手册-gbk.txt' }).or(page.locator('.doc-view'));
  await expect(view.getByRole('list', { name: 'Chunks' })).toContainText('新员工入职第一年享有十五天带薪年假。');
  await expect(view).toContainText('gb18030');
  // PDF chunks carry their page, DOCX chunks their heading path.
  await page.getByRole('button', { name: 'Open policy.pdf' }).click();
  await expect(page.locator('.doc-view').getByRole('list', { name: 'Chunks' })).toContainText('p. 2');
  await page.getByRole('button', { name: 'Open benefits.docx' }).click();
  await expect(page.locator('.doc-view').getByRole('list', { name: 'Chunks' })).toContainText('Benefits › Gym');
  await snap(page, 'documents-en');

  await page.reload();
  for (const name of ['policy.pdf', 'benefits.docx', '手册-gbk.txt', 'security.md']) await expect(library.getByRole('listitem').filter({ hasText: name })).toBeVisible();
  // Dropping the same file again is recognised as a duplicate and not stored twice.
  await dropFiles(zone, [{ name: 'security-copy.md', bytes: utf8('# IT security\n\n## Passwords\n\nPasswords must be changed every ninety days.\n\n## Laptops\n\nLaptops must use disk encryption.') }]);
  await expect(page.getByRole('alert').filter({ hasText: 'security-copy.md' })).toContainText('security.md');
  await expect(library.getByRole('listitem')).toHaveCount(4);
});

test('bad files are refused one by one with specific messages; good files still land', async ({ page }) => {
  await openApp(page, { screen: 'documents' });
  // A small size limit so "too large" can be shown with a small file.
  await page.getByLabel('Largest file (MB)').fill('1');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const zone = page.getByRole('group', { name: 'Drop files or folders here' });
  const binary = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
  await dropFiles(zone, [
    { name: 'good.md', bytes: utf8('# Good\n\nThis file is fine.') },
    { name: 'empty.txt', bytes: new Uint8Array(0) },
    { name: 'binary.txt', bytes: binary },
    { name: 'cut.pdf', bytes: await makeTruncatedPdf() },
    { name: 'locked.pdf', bytes: makeEncryptedPdf() },
    { name: 'notes.pdf', bytes: utf8('These are plain text notes, not a PDF at all.') },
    { name: 'broken.docx', bytes: utf8('PK\u0003\u0004 this is not really a zip archive') },
    { name: 'bomb.docx', bytes: makeZipBombDocx() },
    { name: 'broken.epub', bytes: makeEpub([{ title: 'One', html: '<h1>One</h1><p>Text</p>' }]).slice(0, 200) },
    { name: 'huge.txt', bytes: utf8('word '.repeat(300_000)) },
    { name: 'also-good.txt', bytes: utf8('Another good file that should be stored.') },
  ]);
  const alert = (name: string) => page.getByRole('alert').filter({ hasText: name });
  await expect(page.getByText('11 of 11 files finished')).toBeVisible({ timeout: 60_000 });
  await expect(alert('empty.txt')).toContainText('empty');
  await expect(alert('binary.txt')).toContainText(/binary/i);
  await expect(alert('cut.pdf')).toContainText(/damaged|corrupt|truncated/i);
  await expect(alert('locked.pdf')).toContainText(/password/i);
  await expect(alert('notes.pdf')).toContainText(/plain text/i);
  await expect(alert('broken.docx')).toContainText(/DOCX|Word/);
  await expect(alert('bomb.docx')).toContainText(/unpack|too large|zip bomb|MB/i);
  await expect(alert('broken.epub')).toContainText(/EPUB/);
  await expect(alert('huge.txt')).toContainText('1 MB');
  const library = page.getByRole('list', { name: 'Library' });
  await expect(library.getByRole('listitem')).toHaveCount(2);
  await expect(library).toContainText('good.md');
  await expect(library).toContainText('also-good.txt');
  await snap(page, 'documents-refused');
});

test('a document with scripts and event handlers runs nothing', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await openApp(page, { screen: 'documents' });
  const html = '<html><head><title>Evil</title><script>window.__pwned = 1; alert(1)</script></head><body><h1>Visible heading</h1><p>Safe text <img src=x onerror="window.__pwned = 2; alert(2)"> and <a href="javascript:window.__pwned=3">a link</a>.</p></body></html>';
  await page.getByLabel('Add documents').setInputFiles([{ name: 'evil.html', mimeType: 'text/html', buffer: Buffer.from(html) }]);
  await expect(page.getByRole('list', { name: 'Library' })).toContainText('evil.html');
  await page.getByRole('button', { name: 'Open evil.html' }).click();
  await expect(page.locator('.doc-view')).toContainText('Safe text');
  await page.getByLabel('Full text with boundaries').check();
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toBe(0);
  expect(await page.locator('.doc-view img, .doc-view script').count()).toBe(0);
});

test('Chinese UI on a narrow screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, { screen: 'documents', lang: 'zh' });
  await page.getByLabel('添加文档').setInputFiles([{ name: '年假.md', mimeType: 'text/markdown', buffer: Buffer.from('# 年假\n\n新员工每年有十五天年假。') }]);
  await expect(page.getByRole('list', { name: '文档库' })).toContainText('年假.md');
  await snap(page, 'documents-zh-narrow');
});
