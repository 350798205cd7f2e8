// Shared e2e fixtures: a network guard (any request to another origin fails the test) and helpers
// to open the app pointed at the fixture models served from the same origin. A test that adds a model
// server pushes exactly that server's origin to `allowedOrigins`; a test that plays "this host is
// down" pushes the origin to `unreachable` (its requests fail like a dead network, without failing the test).

import { test as base, expect, type Page } from '@playwright/test';

export const EMBED_FIXTURE = 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow';
export const CANNED_FIXTURE = 'lab-fixtures/qwen2-tokenizer-canned-reply';
export const ECHO_FIXTURE = 'lab-fixtures/qwen2-tokenizer-echo';
export const CANNED_REPLY = '[offline test fixture] 这是离线测试模型的固定回答 (canned reply).';

export const test = base.extend<{ foreign: string[]; allowedOrigins: string[]; unreachable: string[] }>({
  allowedOrigins: async ({}, use) => use([]),
  unreachable: async ({}, use) => use([]),
  foreign: [
    async ({ page, baseURL, allowedOrigins, unreachable }, use) => {
      const origin = new URL(baseURL!).origin;
      const foreign: string[] = [];
      await page.context().route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
        const to = new URL(url).origin;
        if (to === origin || allowedOrigins.includes(to)) return route.continue();
        if (unreachable.includes(to)) return route.abort('internetdisconnected');
        foreign.push(url);
        return route.abort('blockedbyclient');
      });
      await use(foreign);
      expect(foreign, `requests left the app's origin: ${foreign.join(', ')}`).toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Opens a screen with the model host pointed at the same-origin fixture folder. */
export async function openApp(page: Page, opts: { screen?: string; lang?: 'en' | 'zh'; params?: Record<string, string> } = {}) {
  const q = new URLSearchParams({ modelHost: 'same-origin', lang: opts.lang ?? 'en', embedder: EMBED_FIXTURE, llm: CANNED_FIXTURE, ...opts.params });
  await page.goto(`./?${q}#/${opts.screen ?? 'lab'}`);
  await expect(page.getByRole('navigation')).toBeVisible();
}

/** Screenshots go to test/.screens (git-ignored) for a person to look at. */
export async function snap(page: Page, name: string) {
  await page.screenshot({ path: `test/.screens/${name}.png`, fullPage: true });
}
