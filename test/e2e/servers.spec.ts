// Server models end to end, against a real OpenAI-compatible server process this spec starts on
// 127.0.0.1 on its own port (another origin): llama.cpp through node-llama-cpp answering with the
// canned-reply GGUF. Settings → Server models adds and connects it (the page reloads once so that its
// Content-Security-Policy names the server); a lane on its model asks once before sending, says where
// prompts go, answers, and Stop closes the connection; the policy blocks any other origin, in the page
// and in the LLM worker; no CORS headers, a missing API key and a cut stream each get their message;
// an evaluation 4 answers at a time equals one answer at a time; an unreachable model host offers a
// mirror in one click. The network guard allows exactly the test server's origin.

import type { Download, Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { test, expect, openApp, snap, CANNED_FIXTURE, CANNED_REPLY } from './fixtures';
import { startTestServer, type TestServer } from '../unit/server/test-server';

const REPLY = '[GGUF test fixture] 这是离线测试模型的固定回答 (canned reply).';
const MODEL = 'qwen2-canned-reply';
const QUESTION = 'How many days of annual leave do new employees get?';
const HANDBOOK = '# Lanting handbook\n\n## Annual leave\n\nNew employees get fifteen days of paid annual leave in their first year.\n\n## Expenses\n\nTaxi receipts above 200 yuan need the approval of your manager.';
const CSV = [
  'question,answer,gold_passage',
  'How many days of annual leave do new employees get?,fifteen days,New employees get fifteen days of paid annual leave in their first year.',
  'Which taxi receipts need approval?,receipts above 200 yuan,Taxi receipts above 200 yuan need the approval of your manager.',
  'Who approves taxi receipts?,the manager,',
  "What is the CEO's salary?,,",
  'When do unused days expire?,at the end of March,',
].join('\n');

test.describe.configure({ mode: 'serial' });

let srv: TestServer;
let host: string;
test.beforeAll(async () => {
  test.setTimeout(90_000);
  srv = await startTestServer();
  await srv.ready(60_000);
  host = new URL(srv.url).host;
});
test.afterAll(async () => srv?.stop());
test.beforeEach(async ({ allowedOrigins }) => {
  await srv.reset();
  allowedOrigins.push(srv.origin);
});

async function waitControlled(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 60_000 });
}

/** Settings → Server models: adds the test server; the page reloads so its policy names it, then lists the models. */
async function addServer(page: Page, key = '') {
  await openApp(page, { screen: 'settings' });
  await waitControlled(page);
  const region = page.getByRole('region', { name: 'Server models' });
  await region.getByRole('textbox', { name: 'Base URL' }).fill(srv.url);
  if (key) await region.getByLabel('API key', { exact: true }).fill(key);
  const reloaded = page.waitForEvent('load');
  await region.getByRole('button', { name: 'Connect', exact: true }).click();
  await reloaded;
  return page.getByRole('region', { name: 'Server models' });
}

/** Run in the page or a worker: fetches `url` and reports whether it answered and what the CSP blocked meanwhile. */
async function blockedByCsp(url: string) {
  const violated = new Promise<string>((resolve) => {
    self.addEventListener('securitypolicyviolation', (e) => resolve((e as SecurityPolicyViolationEvent).blockedURI), { once: true });
    setTimeout(() => resolve(''), 1500);
  });
  const outcome = await fetch(url).then(() => 'answered', () => 'failed');
  return { outcome, violated: await violated };
}

function laneOnServer(page: Page) {
  return page.getByRole('region', { name: `Plain · ${MODEL} @ ${host}` });
}

async function addServerLane(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await page.getByRole('textbox', { name: 'Question', exact: true }).fill(QUESTION);
  await page.getByRole('combobox', { name: 'Add a lane' }).selectOption('plain');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('section.lane').last().getByRole('combobox', { name: 'Model' }).selectOption({ label: `${MODEL} @ ${host} (server)` });
  return laneOnServer(page);
}

async function allowFirstUse(page: Page) {
  const dialog = page.getByRole('dialog', { name: `Send prompts to ${host}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(srv.url);
  await dialog.getByRole('button', { name: 'Allow and send' }).click();
  await expect(dialog).toBeHidden();
}

test('a server model in a lane: added in Settings, asked once, says where prompts go, answers; Stop closes the connection; the policy names only it', async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  const region = await addServer(page);
  await expect(region.getByRole('list', { name: 'Models' })).toContainText(MODEL);
  await expect(region).toContainText('Looks like: vLLM');
  await expect(region).toContainText('You will be asked before the first prompt is sent.');
  await expect(page.getByRole('textbox', { name: 'Base URL' })).toHaveAttribute('placeholder', 'http://localhost:11434/v1');
  await expect(region).toContainText('llama-server http://localhost:8080/v1');

  // The page's connect-src: itself, the same-origin model folder and exactly the server.
  const csp = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
  expect(/connect-src ([^;]*)/.exec(csp)?.[1].trim().split(/\s+/)).toEqual(["'self'", 'blob:', 'data:', new URL(baseURL!).origin, srv.origin]);
  const other = `http://localhost:${new URL(srv.url).port}/v1/models`; // the same server under another origin
  expect(await page.evaluate(blockedByCsp, other)).toEqual({ outcome: 'failed', violated: other });
  expect(await page.evaluate(blockedByCsp, `${srv.url}/models`)).toEqual({ outcome: 'answered', violated: '' });

  await page.setViewportSize({ width: 1280, height: 900 });
  await region.screenshot({ path: 'test/.screens/settings-servers-en-wide.png' });
  await page.setViewportSize({ width: 390, height: 900 });
  await region.screenshot({ path: 'test/.screens/settings-servers-en-narrow.png' });
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
  const zhRegion = page.getByRole('region', { name: '服务器模型' });
  await expect(zhRegion.getByRole('textbox', { name: '基础 URL' })).toBeVisible();
  await zhRegion.screenshot({ path: 'test/.screens/settings-servers-zh-narrow.png' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await zhRegion.screenshot({ path: 'test/.screens/settings-servers-zh-wide.png' });
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');

  // A lane on the server model says where its prompts go; the first run asks, then answers.
  const lane = await addServerLane(page);
  await expect(lane.getByRole('note')).toHaveText(`Sends prompts, including retrieved document text, to ${host}.`);
  expect((await srv.stats()).chat).toBe(0);
  await lane.getByRole('button', { name: 'Run this lane' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await snap(page, 'servers-consent-en');
  expect((await srv.stats()).chat).toBe(0); // nothing sent before the answer
  await allowFirstUse(page);
  await expect(lane.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(lane.getByTestId('lane-answer')).toHaveText(REPLY);
  await expect(lane.getByTestId('ran-model')).toContainText(MODEL);
  expect((await srv.lastRequest())?.body.messages).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'user' })]));
  await snap(page, 'servers-lane-en-wide');
  await page.setViewportSize({ width: 390, height: 900 });
  await lane.screenshot({ path: 'test/.screens/servers-lane-en-narrow.png' });
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
  const zhLane = page.getByRole('region', { name: `普通提示 · ${MODEL} @ ${host}` });
  await expect(zhLane.getByRole('note')).toContainText(host);
  await zhLane.screenshot({ path: 'test/.screens/servers-lane-zh-narrow.png' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await snap(page, 'servers-lane-zh-wide');
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');

  // The LLM worker (where the requests are made) runs under the same connect-src, set by the service worker.
  const worker = page.workers().find((w) => w.url().includes('llm.worker'));
  expect(worker, 'the LLM worker is running').toBeTruthy();
  expect(await worker!.evaluate(blockedByCsp, other)).toEqual({ outcome: 'failed', violated: other });
  expect(await worker!.evaluate(blockedByCsp, `${srv.url}/models`)).toEqual({ outcome: 'answered', violated: '' });

  // Asked once per server: a second run does not ask. Stop on a slow stream closes the connection.
  await srv.behaviour({ delayMs: 400 });
  const completed = (await srv.stats()).completed;
  await lane.getByRole('button', { name: 'Run this lane' }).click();
  await expect(lane.getByTestId('lane-answer')).not.toBeEmpty({ timeout: 30_000 });
  await expect(page.getByRole('dialog')).toBeHidden();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(lane.getByTestId('lane-status')).toHaveText('stopped');
  await expect.poll(async () => (await srv.stats()).closedEarly, { timeout: 10_000 }).toBe(1);
  expect((await srv.stats()).completed).toBe(completed);
});

test('errors that say what to do: no CORS headers, a missing API key, a stream cut mid-answer', async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  const region = await addServer(page);
  await expect(region.getByRole('list', { name: 'Models' })).toContainText(MODEL);
  const reconnect = region.getByRole('button', { name: `Connect again to ${host}` });

  // The server answers without CORS headers: the page is told it is CORS, with the vLLM flag for this origin.
  await srv.behaviour({ cors: 'off' });
  await reconnect.click();
  const alert = region.getByRole('alert');
  await expect(alert).toContainText(`The server at ${host} answered, but the browser blocked the reply`);
  await expect(alert).toContainText(`(${new URL(baseURL!).origin}) — CORS`);
  await expect(alert.locator('code')).toHaveText(`vllm serve <model> --allowed-origins '["${new URL(baseURL!).origin}"]'`);
  await region.screenshot({ path: 'test/.screens/settings-servers-cors-en.png' });

  // It now wants an API key: 401 says so; the key, saved in this browser, fixes it.
  await srv.behaviour({ cors: 'reflect', apiKey: 'sk-e2e-key' });
  await reconnect.click();
  await expect(alert).toContainText(`The server at ${host} needs an API key (HTTP 401). Enter it in Settings → Server models.`);
  await region.getByLabel(`API key for ${host}`).fill('sk-e2e-key');
  await region.getByRole('button', { name: 'Save key' }).click();
  await expect(region.getByRole('alert')).toHaveCount(0);
  await expect(region).toContainText('An API key is saved for this server.');
  expect(await page.evaluate(() => localStorage.getItem('method-lab:servers'))).not.toContain('sk-e2e-key');

  // A stream cut mid-answer: the partial answer stays in the lane.
  await srv.behaviour({ cutAfter: 3 });
  const lane = await addServerLane(page);
  await lane.getByRole('button', { name: 'Run this lane' }).click();
  await allowFirstUse(page);
  await expect(lane.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  const partial = (await lane.getByTestId('lane-answer').textContent())?.trim() ?? '';
  expect(partial.length).toBeGreaterThan(0);
  expect(REPLY.startsWith(partial) && partial.length < REPLY.length).toBe(true);
  // …and says under it that the answer is incomplete.
  await expect(lane.getByRole('alert')).toContainText('is incomplete');
  expect((await srv.stats()).cut).toBe(1);
});

async function download(page: Page, name: string): Promise<string> {
  const wait = page.waitForEvent('download');
  await page.getByRole('button', { name }).click();
  const d: Download = await wait;
  return readFile((await d.path())!, 'utf8');
}

/** The results rows without what depends on timing (and the run id). */
function rowsOf(json: string) {
  const rows = JSON.parse(json).rows as Record<string, unknown>[];
  return rows.map(({ run_id: _id, ttft_ms: _t, total_ms: _m, tokens_per_s: _s, retrieval_ms: _r, ...rest }) => rest);
}

test('evaluation on the server: says where prompts go; 4 parallel requests give the results of 1; a cut answer is marked incomplete', async ({ page }) => {
  test.setTimeout(180_000);
  await addServer(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Documents' }).click();
  await page.getByLabel('Add documents').setInputFiles({ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) });
  await expect(page.getByTestId('index-stats')).toContainText(/([1-9]\d*) chunks from 1 documents?; \1 with vectors/);
  await page.getByRole('navigation').getByRole('link', { name: 'Evaluate' }).click();
  await page.getByLabel('Import test set').setInputFiles({ name: 'questions.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(page.getByTestId('import-report')).toContainText('5 questions imported');
  await page.getByRole('checkbox', { name: 'Few-shot', exact: true }).uncheck();

  const models = page.getByTestId('eval-models');
  await models.getByRole('checkbox', { name: `${MODEL} @ ${host} (server)` }).check();
  await models.getByRole('checkbox', { checked: true }).first().uncheck(); // the browser model ticked by default
  await expect(models.getByRole('checkbox', { checked: true })).toHaveCount(1);
  await expect(page.getByTestId('eval-sends-to')).toHaveText(`Sends prompts, including retrieved document text, to ${host}.`);
  const parallel = page.getByRole('spinbutton', { name: 'Parallel requests' });
  await expect(parallel).toHaveValue('4');
  await expect(page.getByRole('combobox', { name: 'Judge model' })).toBeVisible();
  await page.getByRole('region', { name: 'Batch run' }).screenshot({ path: 'test/.screens/eval-servers-run-en.png' });

  await parallel.fill('1');
  await parallel.blur();
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  await allowFirstUse(page);
  await expect(page.getByTestId('eval-progress')).toBeHidden({ timeout: 90_000 });
  expect((await srv.stats()).maxInFlight).toBe(1);
  const sequential = rowsOf(await download(page, 'Results (JSON)'));
  expect(sequential).toHaveLength(10);

  await srv.reset();
  await parallel.fill('4');
  await parallel.blur();
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  const progress = page.getByTestId('eval-progress');
  await expect(progress).toContainText(/answers\/min/, { timeout: 30_000 });
  await expect(progress).toBeHidden({ timeout: 90_000 });
  const stats = await srv.stats();
  expect(stats.maxInFlight).toBeGreaterThanOrEqual(2);
  expect(stats.maxInFlight).toBeLessThanOrEqual(4);
  const parallelRows = rowsOf(await download(page, 'Results (JSON)'));
  expect(parallelRows).toEqual(sequential);
  expect(parallelRows.map((r) => r.answer)).toEqual(Array(10).fill(REPLY));

  // A cut stream in an evaluation: stored, scored as it is, and listed as incomplete.
  await srv.behaviour({ cutAfter: 2 });
  await page.getByRole('checkbox', { name: 'RAG', exact: true }).uncheck();
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  await expect(progress).toBeHidden({ timeout: 90_000 });
  await expect(page.getByTestId('eval-incomplete')).toContainText('5 answers are incomplete');
  // The results screen counts them for as long as the run is shown (also after a reload).
  await expect(page.getByTestId('incomplete-count')).toHaveText(/^5 of 5 answers were cut off by the server mid-answer/);
  await page.reload();
  await expect(page.getByTestId('incomplete-count')).toHaveText(/^5 of 5 answers were cut off/);
});

test('the default model host cannot be reached: one click switches to a mirror in the Hugging Face layout', async ({ page, baseURL, unreachable }) => {
  test.setTimeout(120_000);
  unreachable.push('https://huggingface.co');
  await openApp(page, { screen: 'lab', params: { modelHost: 'default', llm: CANNED_FIXTURE } });
  await page.getByRole('textbox', { name: 'Question', exact: true }).fill(QUESTION);
  const plain = page.getByRole('region', { name: 'Plain', exact: true });
  await plain.getByRole('button', { name: 'Run this lane' }).click();
  const alert = plain.getByRole('alert');
  await expect(alert).toContainText('could not be reached', { timeout: 60_000 });
  await expect(alert.getByLabel('Mirror URL')).toHaveValue('https://hf-mirror.com/');
  await alert.screenshot({ path: 'test/.screens/mirror-offer-en.png' });
  // The test's "mirror": this server's model folder in the Hugging Face layout.
  await alert.getByLabel('Mirror URL').fill(`${baseURL}models/`);
  const reloaded = page.waitForEvent('load');
  await alert.getByRole('button', { name: 'Use this mirror' }).click();
  await reloaded;
  expect(new URL(page.url()).searchParams.has('modelHost')).toBe(false);
  await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByLabel('A mirror')).toBeChecked();
  await expect(page.getByTestId('resolved-host')).toHaveText(`${baseURL}models/{model}/resolve/{revision}/`);
  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await page.getByRole('textbox', { name: 'Question', exact: true }).fill(QUESTION);
  const again = page.getByRole('region', { name: 'Plain', exact: true });
  await again.getByRole('button', { name: 'Run this lane' }).click();
  await expect(again.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(again.getByTestId('lane-answer')).toHaveText(CANNED_REPLY);
});
