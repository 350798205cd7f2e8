import { test, expect, openApp, snap } from './fixtures';
import { dropFiles } from './drop';
import { RETRIEVAL_CORPUS, RETRIEVAL_DOCUMENTS, RETRIEVAL_QUESTIONS } from '../fixtures/retrieval-corpus';

/** One Markdown file per document, a heading per passage so each passage is its own chunk. */
function corpusFiles() {
  return Object.entries(RETRIEVAL_DOCUMENTS).map(([docId, name]) => {
    const body = RETRIEVAL_CORPUS.filter((c) => c.docId === docId)
      .map((c, i) => `## ${docId} ${i + 1}\n\n${c.text}`)
      .join('\n\n');
    return { name, bytes: new TextEncoder().encode(body) };
  });
}
const goldText = (id: string) => RETRIEVAL_CORPUS.find((c) => c.id === id)!.text;

type Lab = { __methodLab: { knowledge: { index: { vectors: number; chunks: number; docs: number; embeddedSinceStart: number } | null } } };
const indexStats = (page: import('@playwright/test').Page) => page.evaluate(() => (globalThis as unknown as Lab).__methodLab.knowledge.index);

test.describe('@gpu retrieval', () => {
  test('embed, search from the inspector, reload without re-embedding', async ({ page }, info) => {
    await openApp(page, { screen: 'documents' });
    await dropFiles(page.getByRole('group', { name: 'Drop files or folders here' }), corpusFiles());
    await expect(page.getByRole('list', { name: 'Library' }).getByRole('listitem')).toHaveCount(4);
    await expect(page.getByTestId('embedder-info')).toContainText(info.project.name === 'webgpu' ? 'on WebGPU' : 'on WASM');
    await expect.poll(async () => (await indexStats(page))?.vectors).toBe(RETRIEVAL_CORPUS.length);

    const box = page.getByRole('searchbox', { name: 'Search documents' });
    const results = page.getByRole('list', { name: 'Search results' });
    const search = async (q: string) => {
      await box.fill(q);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'results' })).toBeVisible();
    };
    for (const { question, goldId } of RETRIEVAL_QUESTIONS) {
      await search(question);
      await expect(results.getByRole('listitem').first(), question).toContainText(goldText(goldId));
    }
    // Each method alone also puts the gold chunk first for a Chinese and an English question.
    for (const only of ['Dense (embeddings)', 'BM25 (keywords)']) {
      const other = only.startsWith('Dense') ? 'BM25 (keywords)' : 'Dense (embeddings)';
      await page.getByLabel(other).uncheck();
      for (const q of [RETRIEVAL_QUESTIONS[0], RETRIEVAL_QUESTIONS[4]]) {
        await search(q.question);
        await expect(results.getByRole('listitem').first()).toContainText(goldText(q.goldId));
      }
      await page.getByLabel(other).check();
    }
    await snap(page, `retrieval-${info.project.name}`);

    // Clicking a result opens the chunk in its document.
    await search(RETRIEVAL_QUESTIONS[4].question);
    await results.getByRole('listitem').first().getByRole('link').click();
    await expect(page.locator('.doc-view li.focus')).toContainText(goldText(RETRIEVAL_QUESTIONS[4].goldId));

    const before = await indexStats(page);
    expect(before?.embeddedSinceStart).toBe(RETRIEVAL_CORPUS.length);
    await page.reload();
    await expect.poll(async () => (await indexStats(page))?.vectors).toBe(RETRIEVAL_CORPUS.length);
    await search(RETRIEVAL_QUESTIONS[1].question);
    await expect(results.getByRole('listitem').first()).toContainText(goldText(RETRIEVAL_QUESTIONS[1].goldId));
    // Vectors came from IndexedDB: the fresh worker embedded no passage (only the query).
    expect((await indexStats(page))?.embeddedSinceStart).toBe(0);
  });
});

test('changing the embedding model asks first, then re-embeds every chunk for the new model', async ({ page }) => {
  await openApp(page, { screen: 'documents' });
  await dropFiles(page.getByRole('group', { name: 'Drop files or folders here' }), corpusFiles().slice(0, 2));
  await expect(page.getByText('2 of 2 files finished')).toBeVisible();
  await expect.poll(async () => { const s = await indexStats(page); return s && s.vectors === s.chunks && s.docs === 2; }).toBe(true);
  const chunks = (await indexStats(page))!.chunks;
  // Declining the prompt changes nothing.
  page.once('dialog', (d) => void d.dismiss());
  await page.getByLabel('Embedding model').fill('Xenova/all-MiniLM-L6-v2');
  await page.getByRole('button', { name: 'Use this model' }).click();
  await expect(page.getByLabel('Embedding model')).toHaveValue(/bge-small-zh-v1.5-tokenizer-hashed-bow/);
  expect((await indexStats(page))!.embeddedSinceStart).toBe(chunks);
  // Accepting it re-embeds all chunks with the new model (served here by the fixture files).
  let prompt = '';
  page.once('dialog', (d) => {
    prompt = d.message();
    void d.accept();
  });
  await page.getByLabel('Embedding model').fill('Xenova/all-MiniLM-L6-v2');
  await page.getByRole('button', { name: 'Use this model' }).click();
  await expect(page.getByTestId('embedder-info')).toContainText('Xenova/all-MiniLM-L6-v2 on WASM');
  await expect.poll(async () => (await indexStats(page))?.embeddedSinceStart).toBe(2 * chunks);
  expect(prompt).toContain(`${chunks} chunks`);
  await expect(page.getByTestId('index-stats')).toContainText(`${chunks} with vectors`);
});
