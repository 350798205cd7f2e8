// `node bench/lib/run-wllama.mjs [--runs N] [--threads N] [--no-tjs]`: runs bench/pages/wllama.html on
// its own, the way bench/run.mjs runs a page (Vite build, COOP/COEP server on 127.0.0.1, Debian's
// Chromium, a fresh profile), with the Node calls of native.mjs plus native-llama.mjs. Builds into
// bench/.dist/wllama-pages/ so it never races a full `npm run bench`. Prints the table, then the
// results as JSON (the last block); writes nothing else.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { DIST, REPO } from './build.mjs';
import { startServer } from './server.mjs';
import { CHROMIUM, launchChromium } from './chromium.mjs';
import { MODELS_CACHE } from './models.mjs';
import { MODELS_DIR } from './paths.mjs';
import { calls as nodeCalls, release as releaseNative } from './native.mjs';
import { llamaCalls, releaseNativeLlama } from './native-llama.mjs';
import { checkResult, formatTable } from './results.mjs';

const err = (s) => process.stderr.write(`${s}\n`);
const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const query = new URLSearchParams();
if (arg('--runs')) query.set('runs', arg('--runs'));
if (arg('--threads')) query.set('threads', arg('--threads'));
if (argv.includes('--no-tjs')) query.set('tjs', '0');

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  err(`[bench] ${cpus().length} CPU(s), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const outDir = join(DIST, 'wllama-pages');
  const { build } = await import('vite');
  err('[bench] building bench/pages/wllama.html → bench/.dist/wllama-pages…');
  await build({ logLevel: 'error', configFile: join(REPO, 'bench/vite.bench.config.ts'), build: { outDir, emptyOutDir: true, rollupOptions: { input: { wllama: join(REPO, 'bench/pages/wllama.html') } } } });
  const server = await startServer({ pagesDir: outDir, modelsDirs: [MODELS_CACHE, existsSync(MODELS_DIR) ? MODELS_DIR : undefined], calls: { ...nodeCalls, ...llamaCalls }, onMiss: (url) => err(`[bench] server: 404 ${url}`) });
  const { context, page, close } = await launchChromium([]);
  const problems = [];
  try {
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('[bench]')) err(`  ${text}`);
      else if (m.type() === 'error') problems.push(`console: ${text}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    context.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
    });
    await page.goto(`${server.url}/wllama.html${query.size ? `?${query}` : ''}`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.runBench === 'function', null, { timeout: 30_000 });
    if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the page is not cross-origin isolated');
    const out = await page.evaluate(() => window.runBench().then((results) => ({ results }), (e) => ({ error: e instanceof Error ? `${e.name}${'code' in e ? ` [${e.code}]` : ''}: ${e.message}\n${e.stack ?? ''}` : String(e) })));
    if (out.error) throw new Error(`runBench() threw ${out.error}${problems.length ? `\n    ${problems.slice(-5).join('\n    ')}` : ''}`);
    const results = out.results.map((r) => checkResult(r, 'browser:wllama'));
    console.log(formatTable(results));
    console.log('');
    console.log(JSON.stringify(results, null, 2));
  } finally {
    await close();
    await server.close();
    await releaseNative();
    await releaseNativeLlama();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    err(`[bench] ${e?.stack ?? e}`);
    process.exit(1);
  },
);
