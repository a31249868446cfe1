import { readFile } from 'node:fs/promises';
import { type Plugin, build } from 'esbuild';

/** wrangler.toml's Text rule: the console pages' library files load as strings. */
export const CONSOLE_TEXT = /[\\/]@(novnc[\\/]novnc[\\/](core|vendor)[\\/].*\.js|xterm[\\/]xterm[\\/](lib[\\/]xterm\.mjs|css[\\/]xterm\.css)|xterm[\\/]addon-attach[\\/]lib[\\/]addon-attach\.mjs)$/;
const textRule: Plugin = {
  name: 'wrangler-text-rule',
  setup(b) {
    b.onLoad({ filter: CONSOLE_TEXT }, async (a) => ({ contents: await readFile(a.path, 'utf8'), loader: 'text' }));
  },
};

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
    plugins: [textRule],
    logLevel: 'error',
  });
  const out = Object.values(result.metafile.outputs)[0];
  return { bytes: out?.bytes ?? 0 };
}
