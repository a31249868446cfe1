import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { serveSandbox } from '../../platform/sandbox-http.ts';
import { bootstrap } from '../../src/identity/bootstrap.ts';
import { createKubeClient } from '../../src/kube/index.ts';
import { type Sandbox, createSandbox } from '../../src/sandbox/index.ts';
import { ADMIN, TEST_SCRYPT } from '../helpers/gateway.ts';
import { type Launched, launch } from './launch.ts';

// The production Worker bundle in workerd (Miniflare) in front of two clusters, one region
// each, configured from bindings (DICOT_CONFIG + one token secret per region): a token from
// the identity region works in both, and a stopped cluster is named by /readyz alone.

const REGIONS = ['RegionOne', 'RegionTwo'];
const sandboxes: Sandbox[] = [];
const served: { url: string; close(): Promise<void> }[] = [];
let gw: Launched;

before(async () => {
  for (const _ of REGIONS) {
    const s = createSandbox();
    await s.ready;
    sandboxes.push(s);
    served.push(await serveSandbox(s, { hostname: '127.0.0.1', port: 0 }));
  }
  const identity = sandboxes[0] as Sandbox;
  const kube = createKubeClient({ server: 'http://sandbox', fetch: ((i: string, init?: RequestInit) => identity.fetch(new Request(i, init))) as typeof fetch, token: () => identity.gatewayToken });
  await bootstrap(kube, [{ ...ADMIN, role: 'admin' }], { scrypt: TEST_SCRYPT });
  gw = await launch(
    'workerd',
    REGIONS.map((region, i) => ({ region, server: (served[i] as { url: string }).url, token: (sandboxes[i] as Sandbox).gatewayToken })),
  );
});
after(async () => {
  await gw?.close();
  for (const s of served) await s.close();
  for (const s of sandboxes) await s.close();
});

test('one token from the identity region is honoured in both regions', async () => {
  const auth = await fetch(`${gw.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: ADMIN.name, domain: { id: 'default' }, password: ADMIN.password } } },
        scope: { project: { name: ADMIN.project, domain: { id: 'default' } } },
      },
    }),
  });
  assert.equal(auth.status, 201, await auth.clone().text());
  const token = auth.headers.get('x-subject-token') as string;
  const catalog = (await auth.json()).token.catalog as { type: string; endpoints: { region: string }[] }[];
  const compute = catalog.find((s) => s.type === 'compute');
  assert.deepEqual(compute?.endpoints.map((e) => e.region).sort(), ['RegionOne', 'RegionOne', 'RegionOne', 'RegionTwo', 'RegionTwo', 'RegionTwo']);
  for (const region of REGIONS) {
    const res = await fetch(`${gw.url}/${region}/compute/v2.1/flavors`, { headers: { 'x-auth-token': token } });
    assert.equal(res.status, 200, `${region}: ${await res.clone().text()}`);
    assert.ok((await res.json()).flavors.length > 0);
  }
  assert.equal((await fetch(`${gw.url}/RegionTwo/compute/v2.1/flavors`, { headers: { 'x-auth-token': 'bogus' } })).status, 401);
});

test('/readyz names a stopped cluster; the other region keeps serving; it recovers', async () => {
  const two = served[1] as { url: string; close(): Promise<void> };
  const port = Number(new URL(two.url).port);
  await two.close();
  try {
    const down = await fetch(`${gw.url}/readyz`);
    assert.equal(down.status, 503);
    const body = (await down.json()) as { regions: { region: string; ready: boolean }[] };
    assert.deepEqual(
      body.regions.map((r) => [r.region, r.ready]),
      [
        ['RegionOne', true],
        ['RegionTwo', false],
      ],
    );
    assert.equal((await fetch(`${gw.url}/readyz?region=RegionOne`)).status, 200);
  } finally {
    served[1] = await serveSandbox(sandboxes[1] as Sandbox, { hostname: '127.0.0.1', port });
  }
  assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
});
