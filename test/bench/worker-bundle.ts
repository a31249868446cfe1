// The production Worker bundle as wrangler builds it (`wrangler deploy --dry-run --minify`),
// offline: its size raw and gzipped against the 1 MiB (gzipped) goal, and the largest inputs
// of the same bundle built with esbuild's metafile. Prints; asserts nothing.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const out = mkdtempSync(join(tmpdir(), 'dicot-worker-'));
const r = spawnSync('node_modules/.bin/wrangler', ['deploy', '--dry-run', '--minify', '--outdir', out], {
  encoding: 'utf8',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
});
if (r.status !== 0) throw new Error(`wrangler failed:\n${r.stdout}\n${r.stderr}`);
const code = readFileSync(join(out, 'workers.js'));
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`worker bundle (wrangler --minify): ${kib(code.length)} raw, ${kib(gzipSync(code).length)} gzipped (goal: < 1024 KiB gzipped)`);
rmSync(out, { recursive: true, force: true });

const meta = await build({
  entryPoints: ['platform/workers.ts'],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['workerd', 'worker', 'browser', 'import'],
  minify: true,
  metafile: true,
  logLevel: 'error',
});
const byPackage = new Map<string, number>();
for (const [path, input] of Object.entries(Object.values(meta.metafile.outputs)[0]?.inputs ?? {})) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  const key = m ? (m[1] as string) : path.split('/').slice(0, 2).join('/');
  byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
}
console.log('largest contributors (minified bytes in the output):');
for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${name.padEnd(40)} ${kib(bytes)}`);
console.log(`@kubernetes/client-node in the bundle: ${byPackage.has('@kubernetes/client-node') ? 'YES' : 'no'}`);
