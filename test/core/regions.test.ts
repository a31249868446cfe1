import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGateway } from '../../src/app.ts';
import { parseConfig } from '../../src/config/index.ts';
import type { KubeConnection } from '../../src/platform.ts';
import { type Sandbox, createSandbox } from '../../src/sandbox/index.ts';

// A region set of two sandboxes: each region's documents answer, a request to one region
// never touches the other's cluster, and a region that is down fails alone.

const sandboxes: Record<string, Sandbox> = {};
const calls: Record<string, string[]> = { RegionOne: [], RegionTwo: [] };
const down = new Set<string>();

function connection(region: string): KubeConnection {
  return {
    server: `http://${region.toLowerCase()}.invalid`,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const req = new Request(input, init);
      calls[region]?.push(new URL(req.url).pathname);
      if (down.has(region)) throw new TypeError('connection refused');
      return (sandboxes[region] as Sandbox).fetch(req);
    }) as typeof fetch,
    token: () => sandboxes[region]?.gatewayToken,
  };
}

const config = parseConfig({
  regions: [
    { name: 'RegionOne', identity: true, kubernetes: { server: 'http://regionone.invalid', token: 'x' } },
    { name: 'RegionTwo', kubernetes: { server: 'http://regiontwo.invalid', token: 'x' } },
  ],
});
const app = createGateway(config, {
  kube: { RegionOne: connection('RegionOne'), RegionTwo: connection('RegionTwo') },
  log: () => {},
  now: Date.now,
});

before(async () => {
  for (const r of ['RegionOne', 'RegionTwo']) {
    sandboxes[r] = createSandbox();
    await sandboxes[r].ready;
  }
});
after(async () => {
  for (const s of Object.values(sandboxes)) await s.close();
});

describe('a region set of two clusters', () => {
  test("both regions' discovery documents answer with their own links", async () => {
    for (const region of ['RegionOne', 'RegionTwo']) {
      const res = await app.request(`http://h/${region}/compute/v2.1/`);
      assert.equal(res.status, 200);
      assert.equal((await res.json()).version.links[0].href, `http://h/${region}/compute/v2.1/`);
    }
  });

  test("a request to one region never touches the other's cluster", async () => {
    calls.RegionOne = [];
    calls.RegionTwo = [];
    const res = await app.request('http://h/readyz?region=RegionTwo');
    assert.equal(res.status, 200);
    assert.ok((calls.RegionTwo?.length ?? 0) > 0);
    assert.deepEqual(calls.RegionOne, []);
  });

  test('a region that is down fails alone, and is named', async () => {
    down.add('RegionTwo');
    try {
      const one = await app.request('http://h/readyz?region=RegionOne');
      assert.equal(one.status, 200);
      const all = await app.request('http://h/readyz');
      assert.equal(all.status, 503);
      const body = await all.json();
      assert.deepEqual(
        body.regions.map((r: { region: string; ready: boolean }) => [r.region, r.ready]),
        [
          ['RegionOne', true],
          ['RegionTwo', false],
        ],
      );
    } finally {
      down.delete('RegionTwo');
    }
    // Back when the cluster is.
    assert.equal((await app.request('http://h/readyz')).status, 200);
  });
});
