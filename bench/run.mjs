// `npm run bench [-- --only ingest,bundle] [--runs N]`: runs the benchmarks, writes bench/results.json.
// Node benchmarks: bench/node/<group>.mjs exporting `run({ runs }): Promise<Result[]>`.
// Browser benchmarks: bench/pages/<group>.html whose script sets `window.runBench(): Promise<Result[]>`
// (optional <meta name="bench:args" content="--chromium-flag"> and <meta name="bench:timeout"
// content="seconds">); built with bench/vite.bench.config.ts, served with COOP/COEP on 127.0.0.1 and
// run in Debian's Chromium, one fresh on-disk profile per page. Pages reach Node through
// bench/lib/native.mjs (native baselines, generated models). Progress goes to stderr; stdout
// gets the table, then the results array as JSON (the last block). See docs/BENCHMARKS.md.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, buildPages } from './lib/build.mjs';
import { startServer } from './lib/server.mjs';
import { checkResult, formatTable } from './lib/results.mjs';
import { CHROMIUM, launchChromium } from './lib/chromium.mjs';
import { MODELS_CACHE } from './lib/models.mjs';
import { MODELS_DIR } from './lib/paths.mjs';
import { calls as nodeCalls, release as releaseNative } from './lib/native.mjs';

const BENCH = join(REPO, 'bench');
const DEFAULT_PAGE_TIMEOUT_S = 600;

const err = (s) => process.stderr.write(`${s}\n`);
const usage = (msg) => Object.assign(new Error(msg), { usage: true });

function parseArgs(argv) {
  const only = [];
  let list = false;
  let runs;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') only.push(...(argv[++i] ?? '').split(','));
    else if (a.startsWith('--only=')) only.push(...a.slice(7).split(','));
    else if (a === '--list') list = true;
    else if (a === '--runs' || a.startsWith('--runs=')) {
      runs = Number(a === '--runs' ? argv[++i] : a.slice(7));
      if (!Number.isInteger(runs) || runs < 1) throw usage('--runs needs a positive integer');
    }
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench [-- --only GROUP[,GROUP|ID-PREFIX...]] [--runs N] [--list]');
      process.exit(0);
    } else throw usage(`unknown argument ${a} (try --help)`);
  }
  return { only: only.map((s) => s.trim()).filter(Boolean), list, runs };
}

/** A page's options from <meta name="bench:args|bench:timeout" content="…"> in its HTML. */
function pageMeta(html, name) {
  const m = new RegExp(`<meta\\s+name=["']bench:${name}["']\\s+content=["']([^"']*)["']`, 'i').exec(html);
  return m ? m[1] : undefined;
}

function discover() {
  const node = readdirSync(join(BENCH, 'node'))
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => ({ kind: 'node', group: f.slice(0, -4), file: join(BENCH, 'node', f) }));
  const pages = readdirSync(join(BENCH, 'pages'))
    .filter((f) => f.endsWith('.html'))
    .map((f) => {
      const html = readFileSync(join(BENCH, 'pages', f), 'utf8');
      return {
        kind: 'browser',
        group: f.slice(0, -5),
        file: f,
        args: (pageMeta(html, 'args') ?? '').split(/\s+/).filter(Boolean),
        // <meta name="bench:also" content="index">: other first parts its ids use (index.bytes_per_chunk from search).
        also: (pageMeta(html, 'also') ?? '').split(/[\s,]+/).filter(Boolean),
        timeoutS: Number(pageMeta(html, 'timeout') ?? DEFAULT_PAGE_TIMEOUT_S),
      };
    });
  return [...node, ...pages].sort((a, b) => a.group.localeCompare(b.group));
}

/**
 * `--only x` selects group x, or the group whose ids x is a prefix within (e.g. ingest.pdf → group
 * ingest). A group's ids start with its name or with one of the names in its `also` list.
 */
function selects(only, b) {
  const roots = [b.group, ...(b.also ?? [])];
  return !only.length || only.some((o) => roots.some((r) => o === r || o.startsWith(`${r}.`)));
}
function keepsId(only, b, id) {
  if (!only.length) return true;
  if (only.includes(b.group)) return true;
  const roots = [b.group, ...(b.also ?? [])];
  const mine = only.filter((o) => roots.some((r) => o === r || o.startsWith(`${r}.`)));
  return mine.some((o) => id === o || id.startsWith(`${o}.`) || id.startsWith(`${o}_`) || id.startsWith(`${o}@`));
}

async function runNode(b, opts) {
  const mod = await import(pathToFileURL(b.file).href);
  if (typeof mod.run !== 'function') throw new Error(`${b.file} does not export run()`);
  return mod.run(opts);
}

async function runPage(b, serverUrl, opts) {
  const { context, page, close } = await launchChromium(b.args);
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
    await page.goto(`${serverUrl}/${b.file}${opts.runs ? `?runs=${opts.runs}` : ''}`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.runBench === 'function', null, { timeout: 30_000 });
    const isolated = await page.evaluate(() => crossOriginIsolated);
    if (!isolated) throw new Error('the page is not cross-origin isolated (COOP/COEP missing?)');
    let timer;
    const timeout = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`timed out after ${b.timeoutS} s`)), b.timeoutS * 1000)));
    try {
      // Errors are returned as text: a thrown AppError/DOMException loses its message across CDP.
      const run = page.evaluate(() =>
        window.runBench().then(
          (results) => ({ results }),
          (e) => ({ error: e instanceof Error ? `${e.name}${'code' in e ? ` [${e.code}]` : ''}: ${e.message}\n${e.stack ?? ''}` : String(e) }),
        ),
      );
      const out = await Promise.race([run, timeout]);
      if (out.error) throw new Error(`runBench() threw ${out.error}`);
      return out.results;
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    if (problems.length) e.message += `\n    ${problems.slice(-5).join('\n    ')}`;
    throw e;
  } finally {
    await close();
    await releaseNative(); // native models a page loaded through nodeCall
  }
}

async function main() {
  const { only, list, runs } = parseArgs(process.argv.slice(2));
  const opts = { runs };
  const all = discover();
  if (list) {
    for (const b of all) console.log(`${b.group}\t${b.kind}`);
    return 0;
  }
  const chosen = all.filter((b) => selects(only, b));
  const unknown = only.filter((o) => !all.some((b) => selects([o], b)));
  if (unknown.length) throw usage(`--only ${unknown.join(',')}: no such benchmark group (have: ${all.map((b) => b.group).join(', ')})`);
  const started = performance.now();
  const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
  err(`[bench] ${cpus().length} CPU(s), load average ${load()} (timings are noisy under load; compare ratios)`);
  const results = [];
  const failures = [];
  const collect = (b, rs) => {
    if (!Array.isArray(rs)) throw new Error('did not return an array of results');
    for (const r of rs) {
      const ok = checkResult(r, `${b.kind}:${b.group}`);
      if (keepsId(only, b, ok.id)) results.push(ok);
    }
  };

  // Node first, one at a time: benchmarks never share the two cores with each other.
  for (const b of chosen.filter((x) => x.kind === 'node')) {
    err(`[bench] node: ${b.group}`);
    const t = performance.now();
    try {
      collect(b, await runNode(b, opts));
      err(`[bench] node: ${b.group} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } catch (e) {
      failures.push({ group: b.group, error: e });
      err(`[bench] node: ${b.group} FAILED: ${e?.stack ?? e}`);
    }
  }

  const pages = chosen.filter((x) => x.kind === 'browser');
  if (pages.length) {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    await buildPages();
    const server = await startServer({
      pagesDir: join(BENCH, '.dist/pages'),
      // Generated benchmark models first, then the shared fixtures.
      modelsDirs: [MODELS_CACHE, existsSync(MODELS_DIR) ? MODELS_DIR : undefined],
      calls: nodeCalls,
      onMiss: (url) => err(`[bench] server: 404 ${url}`),
    });
    try {
      for (const b of pages) {
        err(`[bench] browser: ${b.group}`);
        const t = performance.now();
        try {
          collect(b, await runPage(b, server.url, opts));
          err(`[bench] browser: ${b.group} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
        } catch (e) {
          failures.push({ group: b.group, error: e });
          err(`[bench] browser: ${b.group} FAILED: ${e?.stack ?? e}`);
        }
      }
    } finally {
      await server.close();
    }
  }

  writeFileSync(join(BENCH, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  err(`[bench] load average at the end ${load()}`);
  err(`[bench] ${results.length} result(s) in ${((performance.now() - started) / 1000).toFixed(0)} s → bench/results.json${failures.length ? `; FAILED: ${failures.map((f) => f.group).join(', ')}` : ''}`);
  console.log(formatTable(results));
  console.log('');
  console.log(JSON.stringify(results, null, 2));
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    err(`[bench] ${e?.usage ? e.message : (e?.stack ?? e)}`);
    process.exit(2);
  },
);
