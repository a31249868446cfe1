import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serveSandbox } from '../../platform/sandbox-http.ts';
import { type Sandbox, createSandbox } from '../../src/sandbox/index.ts';
import { type Launched, type Runtime, launch } from './launch.ts';

// SIGTERM during a burst: the gateway stops accepting, answers every request it had
// accepted, then exits 0. The cluster is made slow so the burst is still in flight.

const RUNTIMES: Runtime[] = ['node', 'bun', 'deno'];
const BURST = 20;
const CLUSTER_LATENCY_MS = 800;

let sandbox: Sandbox;
let kube: { url: string; close(): Promise<void> };
/** Cluster calls received so far: the burst is in flight once the gateway has made them all. */
let clusterCalls = 0;

before(async () => {
  sandbox = createSandbox();
  await sandbox.ready;
  kube = await serveSandbox(
    {
      fetch: (req) => {
        clusterCalls++;
        return sandbox.fetch(req);
      },
    },
    { hostname: '127.0.0.1', port: 0 },
  );
});
after(async () => {
  await kube?.close();
  await sandbox?.close();
});

for (const runtime of RUNTIMES) {
  describe(`runtime ${runtime}`, () => {
    let gw: Launched;
    before(async () => {
      gw = await launch(runtime, [{ region: 'RegionOne', server: kube.url, token: sandbox.gatewayToken }]);
    });
    after(() => gw?.close());

    test('SIGTERM during a burst: every accepted request completes, then the process exits 0', async () => {
      const undo = sandbox.faults.latency(CLUSTER_LATENCY_MS);
      try {
        const started = Date.now();
        const before = clusterCalls;
        const burst = Array.from({ length: BURST }, () => fetch(`${gw.url}/readyz`).then(async (r) => ({ status: r.status, body: await r.text() })));
        // SIGTERM once the gateway has accepted every request (each /readyz is one cluster call).
        const deadline = Date.now() + 30_000;
        while (clusterCalls - before < BURST) {
          assert.ok(Date.now() < deadline, `the gateway made ${clusterCalls - before} of ${BURST} cluster calls in 30 s`);
          await new Promise((r) => setTimeout(r, 5));
        }
        const closed = gw.close();
        const results = await Promise.all(burst);
        assert.deepEqual(
          results.map((r) => r.status),
          Array(BURST).fill(200),
          JSON.stringify(results.find((r) => r.status !== 200)),
        );
        assert.ok(Date.now() - started >= CLUSTER_LATENCY_MS, 'the burst was in flight when SIGTERM came');
        await closed;
        assert.equal(gw.exitCode?.(), 0);
        await assert.rejects(fetch(`${gw.url}/healthz`), 'no longer accepting');
      } finally {
        undo();
      }
    });
  });
}
