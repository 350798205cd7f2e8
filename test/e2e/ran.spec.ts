// What ran is what you set: after a reload the RAG lane still runs BM25 + dense (it loads the
// embedder itself) and retrieves the same chunks; with the embedder unreachable it fails naming the
// embedder, and only when the user chooses to go on does it run BM25 only, saying why. Both languages.

import { test, expect, openApp, snap, ECHO_FIXTURE, EMBED_FIXTURE } from './fixtures';
import { HANDBOOK_BRIEF as HANDBOOK, QUESTION } from './handbook';
import type { Page } from '@playwright/test';


async function addHandbook(page: Page, lang: 'en' | 'zh' = 'en') {
  await openApp(page, { screen: 'documents', lang, params: { llm: ECHO_FIXTURE } });
  await page.getByLabel(lang === 'en' ? 'Add documents' : '添加文档').setInputFiles([{ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) }]);
  // Every chunk stored and embedded before anything else happens.
  await expect(page.getByTestId('index-stats')).toHaveText(lang === 'en' ? /(\d+) chunks from 1 documents; \1 with vectors/ : /来自 1 个文档的 (\d+) 个分块，其中 \1 个已有向量/);
}

async function runRag(page: Page, lang: 'en' | 'zh' = 'en') {
  await page.getByRole('navigation').getByRole('link', { name: lang === 'en' ? 'Lab' : '实验' }).click();
  await page.getByRole('textbox', { name: lang === 'en' ? 'Question' : '问题', exact: true }).fill(QUESTION);
  const rag = page.getByRole('region', { name: 'RAG', exact: true });
  await rag.getByRole('button', { name: lang === 'en' ? 'Run this lane' : '运行此方法' }).click();
  return rag;
}

const sources = async (page: Page) => {
  const rag = page.getByRole('region', { name: 'RAG', exact: true });
  await rag.locator('details.sources summary').click();
  return rag.locator('details.sources li a').allTextContents();
};

/** Makes the embedder's files unreachable: requests fail, and the copy the runtime cached is gone. */
async function blockEmbedder(page: Page) {
  await page.route(`**/models/${EMBED_FIXTURE}/**`, (route) => route.abort('connectionrefused'));
  await page.evaluate(async () => {
    for (const k of await caches.keys()) if (!k.startsWith('workbox')) await caches.delete(k);
  });
}

test('after a reload the RAG lane still runs BM25 + dense and retrieves the same chunks', async ({ page }) => {
  await addHandbook(page);
  const rag = await runRag(page);
  await expect(rag.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(rag.getByTestId('ran-retrieval')).toHaveText('Retrieval: BM25 + dense');
  await expect(rag.getByTestId('ran-model')).toContainText(`Model: ${ECHO_FIXTURE} · transformers.js · WASM`);
  const before = await sources(page);
  expect(before.length).toBeGreaterThan(0);

  await page.reload();
  const again = await runRag(page);
  await expect(again.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(again.getByTestId('ran-retrieval')).toHaveText('Retrieval: BM25 + dense');
  expect(await sources(page)).toEqual(before);
});

test('an unreachable embedder fails the RAG lane by name; going on runs BM25 only and says why', async ({ page }) => {
  await addHandbook(page);
  await blockEmbedder(page);
  await page.reload();
  const rag = await runRag(page);
  await expect(rag.getByTestId('lane-status')).toHaveText('failed', { timeout: 60_000 });
  await expect(rag.getByRole('alert')).toContainText(`The embedding model "${EMBED_FIXTURE}" could not be loaded`);
  await expect(rag.getByTestId('ran-retrieval')).toHaveCount(0);
  await page.setViewportSize({ width: 390, height: 900 });
  await snap(page, 'ran-embedder-missing-en-narrow');

  await rag.getByRole('button', { name: 'Continue with BM25 only' }).click();
  await expect(rag.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(rag.getByTestId('ran-retrieval')).toHaveText(`Retrieval: BM25 only — the embedding model ${EMBED_FIXTURE} could not be loaded`);
  await expect(rag.getByTestId('lane-answer')).toContainText('fifteen days');
  await snap(page, 'ran-bm25-only-en-narrow');
});

test('中文：嵌入模型不可用时通道报错并点名模型；选择继续后写明“仅 BM25”及原因', async ({ page }) => {
  await addHandbook(page, 'zh');
  await blockEmbedder(page);
  await page.reload();
  const rag = await runRag(page, 'zh');
  await expect(rag.getByTestId('lane-status')).toHaveText('失败', { timeout: 60_000 });
  await expect(rag.getByRole('alert')).toContainText(`嵌入模型“${EMBED_FIXTURE}”加载失败`);
  await rag.getByRole('button', { name: '仅用 BM25 继续' }).click();
  await expect(rag.getByTestId('ran-retrieval')).toHaveText(`检索：仅 BM25 — 嵌入模型 ${EMBED_FIXTURE} 加载失败`, { timeout: 60_000 });
  await page.setViewportSize({ width: 390, height: 900 });
  await snap(page, 'ran-bm25-only-zh-narrow');
  await page.unroute(`**/models/${EMBED_FIXTURE}/**`);
  await rag.getByRole('button', { name: '运行此方法' }).click();
  await expect(rag.getByTestId('ran-retrieval')).toHaveText('检索：BM25 + 向量', { timeout: 60_000 });
  await snap(page, 'ran-both-zh-narrow');
});
