// Accessibility: axe-core on every screen (with the sample loaded, a Lab run done and a document
// open) in both languages and both themes must find no serious or critical violation; every screen
// is reachable with Tab from the navigation and its main controls take a visible focus outline.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, openApp, snap, ECHO_FIXTURE } from './fixtures';

const SCREENS = ['lab', 'documents', 'evaluate', 'guide', 'models', 'settings'] as const;
type ScreenId = (typeof SCREENS)[number];
const NAV: Record<'en' | 'zh', Record<ScreenId, string>> = {
  en: { lab: 'Lab', documents: 'Documents', evaluate: 'Evaluate', guide: 'Guide', models: 'Models & Storage', settings: 'Settings' },
  zh: { lab: '实验', documents: '文档', evaluate: '评测', guide: '指南', models: '模型与存储', settings: '设置' },
};
const T = {
  en: { try: 'Try the sample', region: 'Sample data', runAll: 'Run all', theme: 'Theme', light: 'Light', dark: 'Dark', docs: 'documents' },
  zh: { try: '试用示例', region: '示例数据', runAll: '全部运行', theme: '主题', light: '浅色', dark: '深色', docs: '个文档' },
};

/** Loads the sample and runs the Lab once, so the screens have content to check. */
async function prepare(page: Page, lang: 'en' | 'zh') {
  await openApp(page, { screen: 'lab', lang, params: { llm: ECHO_FIXTURE } });
  await page.getByRole('button', { name: T[lang].try }).click();
  const banner = page.getByRole('region', { name: T[lang].region });
  await expect(banner).toContainText(`4 ${T[lang].docs}`, { timeout: 60_000 });
  await expect(banner.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
  await page.getByRole('button', { name: T[lang].runAll }).click();
  await expect(page.getByRole('region', { name: 'RAG', exact: true }).getByTestId('lane-status')).toHaveClass(/done/, { timeout: 60_000 });
}

async function show(page: Page, lang: 'en' | 'zh', screen: ScreenId) {
  await page.getByRole('navigation').getByRole('link', { name: NAV[lang][screen], exact: true }).click();
  await expect(page.getByRole('navigation').getByRole('link', { name: NAV[lang][screen], exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('main h1')).toBeVisible();
  if (screen === 'documents') {
    await page.getByRole('list').getByRole('button', { name: /^(Open|打开) lanting-handbook-en\.md$/ }).click();
    await expect(page.locator('.doc-view')).toBeVisible();
  }
  // Open every collapsed section so its content is checked too.
  for (let i = 0; i < 40; i++) {
    const closed = page.locator('main details:not([open]) > summary:visible').first();
    if (!(await closed.count())) break;
    await closed.click();
  }
}

for (const lang of ['en', 'zh'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`axe: no serious or critical violations on any screen (${lang}, ${theme})`, async ({ page }) => {
      test.setTimeout(240_000);
      await prepare(page, lang);
      await page.getByLabel(T[lang].theme).selectOption({ label: T[lang][theme] });
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      const found: string[] = [];
      for (const screen of SCREENS) {
        await show(page, lang, screen);
        if (screen === 'lab' || screen === 'settings') await snap(page, `a11y-${screen}-${lang}-${theme}`);
        const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
        for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
          found.push(`${screen}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join(' ')}`).join('\n    ')}`);
        }
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  }
}

interface Stop {
  name: string;
  inMain: boolean;
  outlined: boolean;
}

/** Presses Tab and describes where focus went: its name and whether a focus outline shows. */
async function tab(page: Page): Promise<Stop> {
  await page.keyboard.press('Tab');
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { name: '', inMain: false, outlined: false };
    const probe = document.createElement('span');
    probe.style.color = getComputedStyle(document.documentElement).getPropertyValue('--focus');
    document.body.append(probe);
    const focusColour = getComputedStyle(probe).color;
    probe.remove();
    const shows = (e: Element) => {
      const s = getComputedStyle(e);
      return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && !/rgba\(.*, 0\)$/.test(s.outlineColor);
    };
    // The outline may sit on the element, an ancestor (summary, label) or a sibling it styles (file
    // pickers); SVG marks show focus with a stroke in the focus colour instead.
    const near = [el, el.parentElement, el.parentElement?.parentElement, ...(el.parentElement ? [...el.parentElement.children] : [])].filter((x): x is Element => !!x);
    const svgMark = el instanceof SVGElement && [el, ...el.querySelectorAll('*')].some((x) => getComputedStyle(x).stroke === focusColour && parseFloat(getComputedStyle(x).strokeWidth) >= 2);
    const label = (el as HTMLInputElement).labels?.[0]?.textContent ?? '';
    const name = (el.getAttribute('aria-label') || label || el.textContent || el.getAttribute('placeholder') || el.tagName).trim().replace(/\s+/g, ' ').slice(0, 60);
    return { name, inMain: !!el.closest('main'), outlined: near.some(shows) || svgMark };
  });
}

/** Main controls each screen must offer to the keyboard (by visible name). */
const MAIN_CONTROLS: Record<ScreenId, RegExp[]> = {
  lab: [/^Remove sample$/, /^Question/, /^Run all$/, /^Run this lane$/, /^Example bank/],
  documents: [/^Add documents$/, /^Open lanting-handbook-en\.md$/, /^Search documents$/, /^Save settings$/],
  evaluate: [/^Test set/, /^Run evaluation$/],
  guide: [/^Export as Markdown$/, /^Open the Evaluate screen$/, /^Comparison table/],
  models: [/^Download$/, /^Load$/, /^Model id/],
  settings: [/^OK$/, /^Export workspace$/, /^Import workspace$/],
};

test('keyboard: every screen is reached with Tab and its main controls show a focus outline', async ({ page }) => {
  test.setTimeout(180_000);
  await prepare(page, 'en');
  // The first Tab on a fresh page reaches the skip link, which moves focus to the screen.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const skip = await tab(page);
  expect(skip).toEqual({ name: 'Skip to content', inMain: false, outlined: true });
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
  await page.keyboard.type('How many days of sick leave are paid?');
  await expect(page.getByLabel('Question')).toHaveValue('');
  await page.getByLabel('Question').fill('How many days of sick leave are paid?');
  for (const screen of SCREENS) {
    // From the top of the page (a click on the title sets where Tab starts): Tab to the screen's link and press Enter.
    await page.locator('.brand .title').click();
    let stop: Stop | null = null;
    for (let i = 0; i < 30; i++) {
      stop = await tab(page);
      if (stop.name === NAV.en[screen]) break;
      expect(stop.outlined, `no focus outline on "${stop.name}"`).toBe(true);
    }
    expect(stop?.name, `could not Tab to ${screen}`).toBe(NAV.en[screen]);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('navigation').getByRole('link', { name: NAV.en[screen], exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('main')).toBeFocused();
    // Screens other than Lab and Documents load on first visit: wait until this one is there.
    await expect(page.locator('main h1').first()).toBeVisible();
    // Through the screen: every stop inside main is outlined; the main controls are among them.
    const stops: Stop[] = [];
    for (let i = 0; i < 150; i++) {
      const s = await tab(page);
      if (!s.inMain) break;
      stops.push(s);
    }
    for (const s of stops) expect(s.outlined, `${screen}: no focus outline on "${s.name}"`).toBe(true);
    for (const want of MAIN_CONTROLS[screen]) {
      expect(stops.some((s) => want.test(s.name)), `${screen}: Tab never reached ${want} (stops: ${stops.map((s) => s.name).join(' | ')})`).toBe(true);
    }
  }
});
