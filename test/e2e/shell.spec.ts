import { test, expect, openApp, snap } from './fixtures';

const SCREENS_EN = ['Lab', 'Documents', 'Evaluate', 'Guide', 'Models & Storage', 'Settings'];
const SCREENS_ZH = ['实验', '文档', '评测', '指南', '模型与存储', '设置'];

test('the shell renders in English with named navigation, reachable by keyboard', async ({ page }) => {
  await openApp(page, { lang: 'en' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of SCREENS_EN) await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Lab' })).toBeVisible();
  await expect(page.getByLabel('Question')).toBeVisible();
  // Keyboard: tab to the Documents link and press Enter.
  await nav.getByRole('link', { name: 'Lab', exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(nav.getByRole('link', { name: 'Documents' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Documents' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Documents' })).toHaveAttribute('aria-current', 'page');
  await snap(page, 'shell-en');
});

test('the shell renders in Chinese and the language choice is remembered', async ({ page }) => {
  await openApp(page, { lang: 'zh' });
  const nav = page.getByRole('navigation');
  for (const name of SCREENS_ZH) await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
  await snap(page, 'shell-zh');
  // Switch to English with the Language control, reload without ?lang: English stays.
  await page.getByLabel('语言').selectOption('en');
  await expect(nav.getByRole('link', { name: 'Settings', exact: true })).toBeVisible();
  await page.goto('./#/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await page.getByLabel('Language').selectOption('zh');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: '设置' })).toBeVisible();
});

test('the language follows the browser when nothing was chosen', async ({ browser, baseURL }) => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(`${baseURL}#/guide`);
  await expect(page.getByRole('navigation').getByRole('link', { name: '指南' })).toBeVisible();
  await ctx.close();
});

test('dark theme and a narrow viewport', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, { screen: 'models' });
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await snap(page, 'models-dark-narrow');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('model host setting: URL parameter, mirror and same origin', async ({ page }) => {
  await openApp(page, { screen: 'settings', params: { modelHost: 'https://hf-mirror.example/' } });
  await expect(page.getByText('Set by the page address')).toBeVisible();
  await page.goto('./?lang=en#/settings');
  await expect(page.getByTestId('resolved-host')).toHaveText('https://huggingface.co/{model}/resolve/{revision}/');
  await page.getByLabel('A mirror').check();
  await page.getByLabel('Mirror base URL').fill('https://hf-mirror.example/base');
  await expect(page.getByTestId('resolved-host')).toHaveText('https://hf-mirror.example/base/{model}/resolve/{revision}/');
  await page.getByRole('button', { name: 'OK' }).click();
  await page.reload();
  await expect(page.getByLabel('A mirror')).toBeChecked();
  await page.getByLabel('Same origin').check();
  await expect(page.getByTestId('resolved-host')).toContainText('/models/{model}/');
  await snap(page, 'settings-en');
});
