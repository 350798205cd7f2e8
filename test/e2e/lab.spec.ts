import { test, expect, openApp, snap, ECHO_FIXTURE } from './fixtures';
import { GOLD, HANDBOOK, QUESTION } from './handbook';
import type { Page } from '@playwright/test';


async function setup(page: Page) {
  await openApp(page, { screen: 'documents', params: { llm: ECHO_FIXTURE } });
  await page.getByLabel('Add documents').setInputFiles([{ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) }]);
  await expect(page.getByTestId('index-stats')).toHaveText(/(\d+) chunks from 1 documents; \1 with vectors/);
  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  // Two worked examples for the few-shot lane.
  await page.getByText('Example bank (0)').click();
  for (const [q, a] of [['How many sick days are there?', 'Ten days per year.'], ['Who approves travel?', 'Your manager.']]) {
    await page.getByRole('button', { name: 'Add an example' }).click();
    await page.getByLabel('Example question').fill(q);
    await page.getByLabel('Example answer').fill(a);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
  }
  await expect(page.getByText('Example bank (2)')).toBeVisible();
}

const promptTokens = async (page: Page, lane: string) => Number(/Prompt tokens: (\d+)/.exec((await page.getByRole('region', { name: lane, exact: true }).getByTestId('lane-metrics').textContent()) ?? '')?.[1]);

test.describe('@gpu the Lab', () => {
  test('three lanes stream different prompts; RAG answers from the document with citations', async ({ page }, info) => {
    await setup(page);
    const longTasks = page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let n = 0;
          const po = new PerformanceObserver((l) => (n += l.getEntries().filter((e) => e.duration > 50).length));
          po.observe({ type: 'longtask' });
          (window as unknown as { __stopLongTasks: () => void }).__stopLongTasks = () => {
            po.disconnect();
            resolve(n);
          };
        }),
    );
    await page.getByLabel('Question').fill(QUESTION);
    await page.getByRole('button', { name: 'Run all' }).click();
    for (const lane of ['Plain', 'Few-shot', 'RAG']) {
      await expect(page.getByRole('region', { name: lane, exact: true }).getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
    }
    await page.evaluate(() => (window as unknown as { __stopLongTasks: () => void }).__stopLongTasks());
    test.info().annotations.push({ type: 'long tasks over 50 ms during generation', description: String(await longTasks) });

    const plain = page.getByRole('region', { name: 'Plain', exact: true });
    const rag = page.getByRole('region', { name: 'RAG', exact: true });
    // The echo model repeats the last user message: plain answers with the question, RAG with its context.
    await expect(plain.getByTestId('lane-answer')).toHaveText(QUESTION);
    await expect(plain.getByTestId('lane-answer')).not.toContainText(GOLD);
    await expect(rag.getByTestId('lane-answer')).toContainText(GOLD);
    // The RAG prompt holds the gold chunk; prompt sizes grow plain < few-shot < RAG.
    await rag.getByText(/Messages sent/).click();
    await expect(rag.locator('.messages')).toContainText(GOLD);
    await expect(rag.getByTestId('part-tokens')).toContainText('Context:');
    const [p, f, r] = [await promptTokens(page, 'Plain'), await promptTokens(page, 'Few-shot'), await promptTokens(page, 'RAG')];
    expect(p).toBeGreaterThan(0);
    expect(f).toBeGreaterThan(p);
    expect(r).toBeGreaterThan(f);
    await expect(rag.getByTestId('lane-metrics')).toContainText(/Output tokens: \d+ · Time to first token: [\d,]+ ms · Decode: [\d.,]+ tokens\/s/);
    await expect(rag).toContainText(info.project.name === 'webgpu' ? 'WebGPU' : 'WASM');
    await snap(page, `lab-${info.project.name}`);

    // The citation [1] opens the chunk placed first in the context.
    const firstContext = (await rag.locator('.messages li').last().textContent()) ?? '';
    const cited = /\[1\] \([^)]*\) ([^\n[]+)/.exec(firstContext)?.[1]?.trim().slice(0, 40) ?? '';
    expect(cited.length).toBeGreaterThan(10);
    await rag.getByTestId('lane-answer').getByRole('link', { name: 'source 1' }).first().click();
    await expect(page.locator('.doc-view li.focus')).toContainText(cited);
  });
});

test('Stop halts a lane mid-stream, and a run survives reload', async ({ page }) => {
  await setup(page);
  // A long context makes the RAG echo long enough to stop halfway.
  await page.getByText('Shared settings').click();
  await page.getByLabel('Max new tokens').fill('2000');
  await page.getByLabel('Context token budget').fill('4000');
  await page.getByLabel('Top-k chunks').fill('8');
  await page.getByLabel('Question').fill(QUESTION);
  const rag = page.getByRole('region', { name: 'RAG', exact: true });
  await rag.getByRole('button', { name: 'Run this lane' }).click();
  await expect(rag.getByTestId('lane-answer')).toContainText('Context');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(rag.getByTestId('lane-status')).toHaveText('stopped');
  const partial = (await rag.getByTestId('lane-answer').textContent()) ?? '';
  await page.waitForTimeout(800);
  expect((await rag.getByTestId('lane-answer').textContent()) ?? '').toBe(partial);
  expect(partial).not.toContain('Question:');

  // Run all, then reload: the run is listed and reopens with its answers.
  await page.getByRole('button', { name: 'Run all' }).click();
  await expect(rag.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await page.reload();
  await page.getByText(/Earlier runs \(\d+\)/).click();
  await page.getByRole('list', { name: 'Earlier runs' }).getByRole('button', { name: QUESTION }).first().click();
  await expect(page.getByLabel('Question')).toHaveValue(QUESTION);
  await expect(page.getByRole('region', { name: 'RAG', exact: true }).getByTestId('lane-answer')).toContainText(GOLD);
  await expect(page.getByRole('region', { name: 'Plain', exact: true }).getByTestId('lane-metrics')).toContainText('Prompt tokens');
});
