// The embedding model on a server the user runs, end to end, against a real OpenAI-compatible server
// process this spec starts on 127.0.0.1 on its own port (its /v1/embeddings runs the lexical fixture
// embedder through transformers.js). Settings → Server models adds it; the Documents screen offers its
// models as embedding models (`<model> @ <host>`); choosing one asks before any chunk leaves, naming the
// host; the panel then says where chunks are embedded; a dropped file's chunks all get vectors from the
// server; a RAG lane runs BM25 + dense with the question embedded on the server. The network guard
// allows exactly the test server's origin.

import type { Page, Request } from '@playwright/test';
import { test, expect, openApp, snap } from './fixtures';
import { HANDBOOK_BRIEF as HANDBOOK, QUESTION } from './handbook';
import { startTestServer, type TestServer } from '../unit/server/test-server';

const SERVED = 'bge-small-zh-fixture';

test.describe.configure({ mode: 'serial' });

let srv: TestServer;
let host: string;
test.beforeAll(async () => {
  // No chat model on the server: only its embedding model is used here.
  srv = await startTestServer(['--model', 'none']);
  host = new URL(srv.url).host;
});
test.afterAll(async () => srv?.stop());
test.beforeEach(async ({ allowedOrigins }) => {
  await srv.reset();
  allowedOrigins.push(srv.origin);
});

/** Settings → Server models: adds the test server; the page reloads so its policy names it, then lists the models. */
async function addServer(page: Page) {
  await openApp(page, { screen: 'settings' });
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 60_000 });
  const region = page.getByRole('region', { name: 'Server models' });
  await region.getByRole('textbox', { name: 'Base URL' }).fill(srv.url);
  const reloaded = page.waitForEvent('load');
  await region.getByRole('button', { name: 'Connect', exact: true }).click();
  await reloaded;
  await expect(page.getByRole('region', { name: 'Server models' }).getByRole('list', { name: 'Models' })).toContainText(SERVED);
}

/** The bodies of the requests the page and its workers sent to the server's embeddings route. */
function watchEmbeddings(page: Page): string[] {
  const bodies: string[] = [];
  page.context().on('request', (r: Request) => {
    if (r.method() === 'POST' && r.url() === `${srv.url}/embeddings`) bodies.push(r.postData() ?? '');
  });
  return bodies;
}

test('a server embedding model: chosen on the Documents screen, asked first, says where chunks go, embeds every chunk and the RAG lane’s question', async ({ page }) => {
  test.setTimeout(180_000);
  const sent = watchEmbeddings(page);
  await addServer(page);

  await page.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
  const panel = page.getByRole('region', { name: 'Search index' });
  const field = panel.getByRole('combobox', { name: 'Embedding model' });
  // Offered beside the catalog models, as `<model> @ <host>`.
  await expect(panel.locator(`datalist option[value="${SERVED} @ ${host}"]`)).toHaveCount(1);
  await field.fill(`${SERVED} @ ${host}`);
  await panel.getByRole('button', { name: 'Use this model' }).click();

  // Nothing leaves before the answer; the question names the host and what is sent.
  const dialog = page.getByRole('dialog', { name: `Send document chunks and questions to ${host}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`Your document chunks and your questions are sent to ${host} to be embedded`);
  await expect(dialog).toContainText(srv.url);
  expect(sent).toEqual([]);
  await snap(page, 'server-embeddings-consent-en');
  await dialog.getByRole('button', { name: 'Allow and send' }).click();
  await expect(dialog).toBeHidden();

  await expect(panel.getByTestId('embedder-where')).toHaveText(`Chunks are embedded on ${host} (sent over the network), and so are your questions when dense search is on.`);
  await expect(panel.getByTestId('embedder-info')).toHaveText(/^Embeddings: bge-small-zh-fixture on server 127\.0\.0\.1:\d+ \(\d+ dimensions\)$/, { timeout: 30_000 });
  expect(sent.length).toBe(1); // the dimension probe
  expect(JSON.parse(sent[0])).toMatchObject({ model: SERVED, input: ['dimension probe'] });

  // A file's chunks: every one gets a vector from the server.
  await page.getByLabel('Add documents').setInputFiles([{ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) }]);
  await expect(page.getByTestId('index-stats')).toHaveText(/(\d+) chunks from 1 documents; \1 with vectors/, { timeout: 60_000 });
  const embedded = sent.slice(1).flatMap((b) => (JSON.parse(b) as { input: string[] }).input);
  expect(embedded.some((t) => t.includes('fifteen days of paid annual leave'))).toBe(true);
  await page.setViewportSize({ width: 1280, height: 900 });
  await panel.screenshot({ path: 'test/.screens/server-embeddings-panel-en-wide.png' });
  await page.setViewportSize({ width: 390, height: 900 });
  await panel.screenshot({ path: 'test/.screens/server-embeddings-panel-en-narrow.png' });
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
  const zhPanel = page.getByRole('region', { name: '检索索引' });
  await expect(zhPanel.getByTestId('embedder-where')).toHaveText(`分块在 ${host} 上向量化（通过网络发送）；开启稠密检索时，你的问题也会发送到那里。`);
  await expect(zhPanel.getByTestId('embedder-info')).toContainText(`在服务器 ${host} 上计算`);
  await zhPanel.screenshot({ path: 'test/.screens/server-embeddings-panel-zh-narrow.png' });
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The RAG lane: BM25 + dense, its question embedded on the server (no second question).
  const before = sent.length;
  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await page.getByRole('textbox', { name: 'Question', exact: true }).fill(QUESTION);
  const rag = page.getByRole('region', { name: 'RAG', exact: true });
  await rag.getByRole('button', { name: 'Run this lane' }).click();
  await expect(rag.getByTestId('lane-status')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByRole('dialog')).toBeHidden();
  await expect(rag.getByTestId('ran-retrieval')).toHaveText(`Retrieval: BM25 + dense · embeddings from ${SERVED} on a server`);
  const asked = sent.slice(before).map((b) => JSON.parse(b) as { model: string; input: string[] });
  expect(asked).toContainEqual({ model: SERVED, input: [QUESTION], encoding_format: 'float' });
  await snap(page, 'server-embeddings-rag-en');
});

test('declining sends nothing and the Documents screen says why; no model in this browser is used instead', async ({ page }) => {
  test.setTimeout(120_000);
  const sent = watchEmbeddings(page);
  await addServer(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
  const panel = page.getByRole('region', { name: 'Search index' });
  await panel.getByRole('combobox', { name: 'Embedding model' }).fill(`${SERVED} @ ${host}`);
  await panel.getByRole('button', { name: 'Use this model' }).click();
  const dialog = page.getByRole('dialog', { name: `Send document chunks and questions to ${host}?` });
  await dialog.getByRole('button', { name: "Don't send" }).click();
  await expect(panel.getByRole('alert')).toContainText(`Nothing was sent: you did not allow document chunks and questions to go to ${host} to be embedded.`);
  await expect(panel.getByTestId('embedder-info')).toHaveCount(0);
  expect(sent).toEqual([]);
});
