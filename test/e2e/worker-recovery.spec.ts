import { test, expect, openApp, ECHO_FIXTURE } from './fixtures';

// A long prompt: the echo fixture repeats it token by token, so generation lasts long enough to stop.
const LONG = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} of the annual leave policy.`).join(' ');

test('Stop halts a streaming generation in the worker', async ({ page }) => {
  await openApp(page, { screen: 'models', params: { llm: ECHO_FIXTURE } });
  const llm = page.getByRole('region', { name: 'Language model' });
  await llm.getByRole('button', { name: 'Load' }).click();
  await expect(llm.getByText(/Ran on WASM/)).toBeVisible();
  await llm.getByLabel('Prompt').fill(LONG);
  await llm.getByRole('button', { name: 'Generate' }).click();
  const out = llm.getByTestId('llm-output');
  await expect(out).toContainText('Sentence number 1');
  await llm.getByRole('button', { name: 'Stop' }).click();
  await expect(llm.getByText('Stopped.')).toBeVisible();
  const atStop = (await out.textContent()) ?? '';
  expect(atStop.length).toBeGreaterThan(0);
  expect(atStop.length).toBeLessThan(LONG.length);
  // Nothing more arrives after Stop.
  await page.waitForTimeout(1000);
  expect(await out.textContent()).toBe(atStop);
  // The worker is still usable: a new generation completes with the full echo.
  await llm.getByLabel('Prompt').fill('Hello again');
  await llm.getByRole('button', { name: 'Generate' }).click();
  await expect(out).toHaveText('Hello again');
});

test('a worker that dies mid-request rejects its calls clearly and a restarted worker works', async ({ page }) => {
  await openApp(page, { screen: 'models', params: { llm: ECHO_FIXTURE } });
  const llm = page.getByRole('region', { name: 'Language model' });
  await llm.getByRole('button', { name: 'Load' }).click();
  await expect(llm.getByText(/Ran on WASM/)).toBeVisible();
  await llm.getByLabel('Prompt').fill(LONG);
  await llm.getByRole('button', { name: 'Generate' }).click();
  await expect(llm.getByTestId('llm-output')).toContainText('Sentence number 1');
  // Kill the worker while the generation is pending.
  await page.evaluate(() => (globalThis as unknown as { __methodLab: { llm: { crashWorker(): void } } }).__methodLab.llm.crashWorker());
  await expect(llm.getByRole('alert').first()).toContainText('The LLM worker stopped unexpectedly');
  // Retry restarts the worker and reloads the model; generation works again.
  await llm.getByRole('button', { name: 'Retry' }).click();
  await expect(llm.getByText(/Ran on WASM/)).toBeVisible();
  await llm.getByLabel('Prompt').fill('Still alive?');
  await llm.getByRole('button', { name: 'Generate' }).click();
  await expect(llm.getByTestId('llm-output')).toHaveText('Still alive?');
});

test('a missing model gives a clear message and a retry, not a spinner', async ({ page }) => {
  await openApp(page, { screen: 'models', params: { llm: 'lab-fixtures/does-not-exist' } });
  const llm = page.getByRole('region', { name: 'Language model' });
  await llm.getByRole('button', { name: 'Load' }).click();
  await expect(llm.getByRole('alert')).toContainText('is missing a file on the model host');
  await expect(llm.getByRole('button', { name: 'Retry' })).toBeVisible();
});
