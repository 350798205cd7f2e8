// Models in lanes: a GGUF from this computer is checked (bad files get specific messages and nothing
// is kept), kept across a reload, offered in every lane's Model list under its file name, and a lane on
// it answers differently from a lane on the echo ONNX model to the same question. Load time is shown
// apart from the lane's timings. Both languages, wide and narrow.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, openApp, snap, ECHO_FIXTURE } from './fixtures';
import type { Page } from '@playwright/test';

const MODELS_DIR = resolve(process.env.MODELS_DIR ?? '../shared/models');
const GGUF = readFileSync(resolve(MODELS_DIR, 'lab-fixtures/qwen2-canned-reply.gguf'));
const GGUF_REPLY = '[GGUF test fixture] 这是离线测试模型的固定回答 (canned reply).';
const QUESTION = 'How many days of annual leave do new employees get?';

async function addGguf(page: Page, name: string, buffer: Buffer) {
  await page.getByLabel('Add a model file').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
}

test('a GGUF from disk: bad files refused by name, kept across a reload, and a lane on it answers unlike the echo model', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page, { screen: 'models', params: { llm: ECHO_FIXTURE } });
  const yours = page.getByRole('region', { name: 'Your models' });
  await expect(yours.getByText('No model added yet.')).toBeVisible();

  // Not a GGUF: the magic bytes decide, whatever the name says. Truncated: cut in the header. Nothing is kept.
  await addGguf(page, 'photo.gguf', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array(64).fill(0)]));
  await expect(yours.getByRole('alert')).toContainText('photo.gguf');
  await expect(yours.getByRole('alert')).toContainText(/not a GGUF/i);
  await addGguf(page, 'cut.gguf', GGUF.subarray(0, 4096));
  await expect(yours.getByRole('alert')).toContainText('cut.gguf');
  await expect(yours.getByRole('alert')).toContainText('is cut short');
  await expect(yours.getByText('No model added yet.')).toBeVisible();

  await addGguf(page, 'my-finetune.gguf', GGUF);
  const list = yours.getByRole('list', { name: 'Your models' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('listitem').first()).toContainText('my-finetune.gguf');
  await expect(list.getByRole('listitem').first()).toContainText(/GGUF F16 · qwen2/);
  await expect(yours.getByRole('alert')).toHaveCount(0);
  await page.setViewportSize({ width: 390, height: 900 });
  await yours.screenshot({ path: 'test/.screens/user-models-en-narrow.png' });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Kept in this browser: still there after a reload.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Your models' }).getByRole('list', { name: 'Your models' }).getByRole('listitem')).toHaveCount(1);

  // The Lab: Plain on the chosen (echo) model and Plain on the GGUF give different answers.
  await page.getByRole('navigation').getByRole('link', { name: 'Lab' }).click();
  await page.getByRole('textbox', { name: 'Question', exact: true }).fill(QUESTION);
  await page.getByRole('combobox', { name: 'Add a lane' }).selectOption('plain');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const lanes = page.locator('section.lane');
  const added = lanes.last();
  await added.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'my-finetune.gguf (your file)' });
  const onGguf = page.getByRole('region', { name: 'Plain · my-finetune.gguf' });
  await expect(onGguf).toBeVisible();
  await page.getByRole('button', { name: 'Run all' }).click();
  const plain = page.getByRole('region', { name: 'Plain', exact: true });
  await expect(plain.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(onGguf.getByTestId('lane-status')).toHaveText('done', { timeout: 60_000 });
  await expect(plain.getByTestId('lane-answer')).toHaveText(QUESTION);
  await expect(onGguf.getByTestId('lane-answer')).toHaveText(GGUF_REPLY);
  await expect(onGguf.getByTestId('ran-model')).toContainText('my-finetune.gguf');
  await expect(onGguf.getByTestId('ran-model')).toContainText('wllama · WASM · F16');
  // The wait for the model to load is reported apart from the lane's own time to first token.
  await expect(onGguf.getByTestId('lane-metrics')).toContainText(/^Model load: [\d.]+ s \(before this lane\) · Prompt tokens: \d+/);
  await expect(page.getByTestId('loaded-models')).toContainText('my-finetune.gguf (wllama · WASM)');
  await snap(page, 'lab-models-in-lanes-en');
  await page.setViewportSize({ width: 390, height: 900 });
  await snap(page, 'lab-models-in-lanes-en-narrow');

  // 中文：同样的列表与通道。
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
  await expect(page.getByRole('region', { name: '普通提示 · my-finetune.gguf' }).getByRole('combobox', { name: '模型' })).toBeVisible();
  await snap(page, 'lab-models-in-lanes-zh-narrow');

  // Deleting the model removes it from the lists.
  await page.getByRole('navigation').getByRole('link', { name: '模型与存储' }).click();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: '删除 my-finetune.gguf' }).click();
  await expect(page.getByText('还没有添加模型。')).toBeVisible();
});
