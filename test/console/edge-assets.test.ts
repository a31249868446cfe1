import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assetOf } from '../../routes/console/pages.ts';
import { edgeAssetsModule } from './gen-edge-assets.ts';

// The Workers bundle embeds the console pages' files: the generated list must match the
// installed packages (an upgrade that adds a noVNC module must regenerate it), and every
// embedded path must be one the asset route serves.

test('platform/console-assets-edge.js lists exactly the installed packages\' files', () => {
  const file = readFileSync('platform/console-assets-edge.js', 'utf8');
  assert.equal(file, edgeAssetsModule(), 'regenerate: npx tsx test/console/gen-edge-assets.ts > platform/console-assets-edge.js');
  const names = [...file.matchAll(/^ {2}'([^']+)': a\d+,$/gm)].map((m) => m[1] as string);
  assert.ok(names.includes('novnc/core/rfb.js'));
  for (const n of names) assert.ok(assetOf(n), `${n} is not servable`);
});

test('the asset route refuses paths outside the allow-list', () => {
  for (const bad of ['novnc/../package.json', 'novnc/core/rfb.ts', 'xterm/xterm.js', 'other/x.js', 'novnc/docs/API.md']) assert.equal(assetOf(bad), undefined, bad);
  assert.deepEqual(assetOf('xterm/xterm.css'), { pkg: 'xterm', file: 'xterm.css', type: 'text/css; charset=utf-8' });
});
