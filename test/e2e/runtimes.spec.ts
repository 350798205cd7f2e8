import { test, expect, openApp, snap, CANNED_REPLY, EMBED_FIXTURE } from './fixtures';

test.describe('@gpu the runtimes load through the model host', () => {
  test('capability panel, embedder and LLM on this backend', async ({ page }, info) => {
    await openApp(page, { screen: 'models' });
    const webgpu = info.project.name === 'webgpu';
    await expect(page.getByTestId('cap-webgpu')).toContainText(webgpu ? 'Yes' : 'No');

    // Embedder: a Chinese and an English sentence each give a normalized 128-dim vector.
    const emb = page.getByRole('region', { name: 'Embedding model' });
    await emb.getByRole('button', { name: 'Load' }).click();
    await expect(emb.getByRole('status')).toContainText(webgpu ? 'Ran on WebGPU' : 'Ran on WASM');
    for (const sentence of ['新员工每年有十五天年假。', 'New employees get fifteen days of leave.']) {
      await emb.getByLabel('Text to embed').fill(sentence);
      await emb.getByRole('button', { name: 'Embed' }).click();
      await expect(emb.getByTestId('embed-result')).toContainText('128 dimensions, norm 1.000');
    }

    // LLM: the canned fixture streams its fixed reply, with usage.
    const llm = page.getByRole('region', { name: 'Language model' });
    await llm.getByRole('button', { name: 'Load' }).click();
    await expect(llm.getByRole('status').first()).toContainText(webgpu ? 'Ran on WebGPU' : 'Ran on WASM');
    await llm.getByRole('button', { name: 'Generate' }).click();
    await expect(llm.getByTestId('llm-output')).toHaveText(CANNED_REPLY);
    await expect(llm.getByTestId('llm-usage')).toContainText(/\d+ prompt tokens, \d+ output tokens/);
    await snap(page, `models-${info.project.name}`);
    expect(EMBED_FIXTURE).toBeTruthy();
  });
});

test.describe('@gpu web-llm fails over to transformers.js', () => {
  test('an MLC model that cannot run here says why and the fallback answers', async ({ page }, info) => {
    await openApp(page, { screen: 'models', params: { llm: 'Qwen2.5-0.5B-Instruct-MLC' } });
    const llm = page.getByRole('region', { name: 'Language model' });
    await llm.getByRole('button', { name: 'Load' }).click();
    const status = llm.getByRole('status').first();
    await expect(status).toContainText('with transformers.js');
    if (info.project.name === 'webgpu') {
      // SwiftShader has no shader-f16 → the q4f32_1 build is tried, and its files are not on the host.
      await expect(status).toContainText('Qwen2.5-0.5B-Instruct-q4f32_1-MLC are not on the model host');
    } else {
      await expect(status).toContainText('WebGPU is not available in this browser');
    }
    await expect(status).toContainText('transformers.js engine');
    await llm.getByLabel('Prompt').fill('Fallback works');
    await llm.getByRole('button', { name: 'Generate' }).click();
    await expect(llm.getByTestId('llm-output')).toHaveText('Fallback works');
  });
});
