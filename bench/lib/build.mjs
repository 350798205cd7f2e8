// Builds for the benchmarks, through Vite's API (no npx): the app itself into bench/.dist/app/
// (not dist/, so a bench run never races the e2e tests' build) and the bench pages into
// bench/.dist/pages/. Each build runs at most once per `npm run bench`.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(REPO, 'bench/.dist');

let app;
let pages;

async function viteBuild(options) {
  const { build } = await import('vite');
  const started = performance.now();
  await build({ logLevel: 'error', ...options }); // warnings (plugin timings) would drown the figures
  return performance.now() - started;
}

/**
 * Production build of the app with the repo's vite.config.ts. Resolves to { outDir, ms, chunks },
 * where chunks maps each emitted JS file of the main graph to the source modules inside it
 * (workers are built separately by Vite and are not listed).
 */
export function buildApp() {
  app ??= (async () => {
    const outDir = join(DIST, 'app');
    const chunks = {};
    const record = {
      name: 'bench:record-chunks',
      generateBundle(_opts, bundle) {
        for (const [fileName, out] of Object.entries(bundle)) {
          if (out.type === 'chunk') chunks[fileName] = { moduleIds: [...(out.moduleIds ?? Object.keys(out.modules ?? {}))], imports: [...(out.imports ?? [])] };
        }
      },
    };
    process.stderr.write('[bench] building the app (vite build → bench/.dist/app)…\n');
    const ms = await viteBuild({ root: REPO, configFile: join(REPO, 'vite.config.ts'), plugins: [record], build: { outDir, emptyOutDir: true } });
    return { outDir, ms, chunks };
  })();
  return app;
}

/** Build of bench/pages/*.html with bench/vite.bench.config.ts; resolves to { outDir, ms }. */
export function buildPages() {
  pages ??= (async () => {
    process.stderr.write('[bench] building the bench pages (→ bench/.dist/pages)…\n');
    const ms = await viteBuild({ configFile: join(REPO, 'bench/vite.bench.config.ts') });
    return { outDir: join(DIST, 'pages'), ms };
  })();
  return pages;
}
