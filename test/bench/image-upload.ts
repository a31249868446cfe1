// Streams a generated 1 GiB image through the gateway (HTTP → gateway → CDI upload proxy of
// the embedded sandbox) and reports throughput and the process's peak RSS. The sandbox keeps
// sizes only (no bytes), so the RSS above the baseline is what the streaming path holds.
// Prints, asserts nothing: `npx tsx test/bench/image-upload.ts [MiB]`

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startNode } from '../../platform/node.ts';
import { parseConfig } from '../../src/config/index.ts';
import { BlobStore } from '../../src/sandbox/cluster/blobs.ts';

const MiB = 1024 * 1024;
const total = Number(process.argv[2] ?? 1024) * MiB;
BlobStore.keepBytesByDefault = false;

const dir = mkdtempSync(join(tmpdir(), 'dicot-bench-image-'));
const node = await startNode(parseConfig({ listen: { hostname: '127.0.0.1', port: 0 } }), { stateDir: dir, timing: 'instant', log: () => {} });
const clouds = parse(readFileSync(node.clouds as string, 'utf8'));
const demo = clouds.clouds['dicot-demo'].auth;
const login = await fetch(`${node.url}/identity/v3/auth/tokens?nocatalog`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { name: demo.username, domain: { name: 'Default' }, password: demo.password } } },
      scope: { project: { name: demo.project_name, domain: { name: 'Default' } } },
    },
  }),
});
const token = login.headers.get('x-subject-token') as string;
const headers = { 'x-auth-token': token, 'content-type': 'application/json' };
const G = `${node.url}/RegionOne/image/v2`;
const img = await (await fetch(`${G}/images`, { method: 'POST', headers, body: JSON.stringify({ name: 'bench', disk_format: 'raw', container_format: 'bare' }) })).json();

// 1 MiB of pseudo-random bytes, sent over and over (the hash of the whole is computed here too).
const chunk = new Uint8Array(MiB);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
const md5 = createHash('md5');
let sent = 0;
const body = new ReadableStream<Uint8Array>({
  pull(c) {
    if (sent >= total) return c.close();
    const n = Math.min(MiB, total - sent);
    const part = n === MiB ? chunk : chunk.subarray(0, n);
    md5.update(part);
    sent += n;
    c.enqueue(part);
  },
});

global.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const t0 = performance.now();
const res = await fetch(`${G}/images/${img.id}/file`, {
  method: 'PUT',
  headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
  body,
  duplex: 'half',
} as RequestInit);
const ms = performance.now() - t0;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const shown = await (await fetch(`${G}/images/${img.id}`, { headers })).json();

const mb = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
console.log(`upload of ${mb(total)}: HTTP ${res.status} in ${(ms / 1000).toFixed(1)} s (${(total / MiB / (ms / 1000)).toFixed(0)} MiB/s)`);
console.log(`image: status ${shown.status}, size ${shown.size}, checksum ${shown.checksum === md5.digest('hex') ? 'matches' : 'DIFFERS'}`);
console.log(`process RSS (client + gateway + sandbox in one process): baseline ${mb(baseline)}, peak ${mb(peak)}, growth ${mb(peak - baseline)}`);
await node.close();
rmSync(dir, { recursive: true, force: true });
