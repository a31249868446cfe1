import { build } from 'esbuild';

/** Bundles platform/workers.ts the way wrangler would (ESM, browser/worker conditions). */
export async function bundleWorker(outfile: string): Promise<{ bytes: number }> {
  const result = await build({
    entryPoints: ['platform/workers.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser', 'import'],
    target: 'es2022',
    outfile,
    minify: true,
    metafile: true,
    logLevel: 'error',
  });
  const out = Object.values(result.metafile.outputs)[0];
  return { bytes: out?.bytes ?? 0 };
}
