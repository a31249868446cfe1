import assert from 'node:assert/strict';

// The HTTP scenario every runtime must pass. It grows with every service; it speaks only
// HTTP to a running gateway, so Node, Bun, Deno and workerd are judged alike.

export interface ScenarioContext {
  url: string;
  region: string;
}

type Check = [name: string, run: (ctx: ScenarioContext) => Promise<void>];

async function get(ctx: ScenarioContext, path: string, init?: RequestInit) {
  const res = await fetch(`${ctx.url}${path}`, { redirect: 'manual', ...init });
  const text = await res.text();
  return { res, body: text ? JSON.parse(text) : undefined };
}

const selfHref = (entry: { links: { rel: string; href: string }[] }) => entry.links.find((l) => l.rel === 'self')?.href;

export const scenario: Check[] = [
  [
    'identity discovery: GET /identity is 300 with Location and versions.values',
    async (ctx) => {
      const { res, body } = await get(ctx, '/identity');
      assert.equal(res.status, 300);
      assert.equal(res.headers.get('location'), `${ctx.url}/identity/v3/`);
      const [v3] = body.versions.values;
      for (const k of ['id', 'links', 'media-types', 'status', 'updated']) assert.ok(k in v3, k);
      assert.equal(selfHref(v3), `${ctx.url}/identity/v3/`);
      assert.ok(res.headers.get('x-openstack-request-id')?.startsWith('req-'));
    },
  ],
  [
    'identity discovery: GET /identity/v3 is 200 {version}',
    async (ctx) => {
      const { res, body } = await get(ctx, '/identity/v3');
      assert.equal(res.status, 200);
      assert.deepEqual(body.version['media-types'], [
        { base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' },
      ]);
    },
  ],
  [
    'compute discovery: 200 list with v2.0 first; each self link answers',
    async (ctx) => {
      const { res, body } = await get(ctx, `/${ctx.region}/compute`);
      assert.equal(res.status, 200);
      assert.deepEqual(
        body.versions.map((v: { id: string }) => v.id),
        ['v2.0', 'v2.1'],
      );
      const v21 = body.versions[1];
      assert.equal(v21.min_version, '2.1');
      assert.match(v21.version, /^2\.\d+$/);
      assert.ok(res.headers.get('x-compute-request-id'));
      for (const v of body.versions) {
        const doc = await get(ctx, new URL(selfHref(v) as string).pathname);
        assert.equal(doc.res.status, 200);
        assert.equal(doc.body.version.id, v.id);
        const allowed = new Set(['id', 'links', 'status', 'updated', 'version', 'min_version', 'media-types']);
        for (const k of Object.keys(doc.body.version)) assert.ok(allowed.has(k), `unexpected key ${k}`);
      }
    },
  ],
  [
    'compute microversions: echo, latest, 406 out of range',
    async (ctx) => {
      const path = `/${ctx.region}/compute/v2.1/`;
      const plain = await get(ctx, path);
      assert.equal(plain.res.headers.get('openstack-api-version'), 'compute 2.1');
      assert.equal(plain.res.headers.get('x-openstack-nova-api-version'), '2.1');
      assert.match(plain.res.headers.get('vary') ?? '', /OpenStack-API-Version/);
      const latest = await get(ctx, path, { headers: { 'OpenStack-API-Version': 'compute latest' } });
      assert.equal(latest.res.headers.get('openstack-api-version'), `compute ${plain.body.version.version}`);
      const legacy = await get(ctx, path, { headers: { 'X-OpenStack-Nova-API-Version': '2.10' } });
      assert.equal(legacy.res.headers.get('x-openstack-nova-api-version'), '2.10');
      const tooNew = await get(ctx, path, { headers: { 'OpenStack-API-Version': 'compute 2.999' } });
      assert.equal(tooNew.res.status, 406);
      assert.equal(tooNew.body.computeFault.code, 406);
      assert.match(tooNew.res.headers.get('vary') ?? '', /OpenStack-API-Version/);
    },
  ],
  [
    'image discovery: GET / is 300, GET /versions is 200',
    async (ctx) => {
      const root = await get(ctx, `/${ctx.region}/image`);
      assert.equal(root.res.status, 300);
      assert.equal(selfHref(root.body.versions[0]), `${ctx.url}/${ctx.region}/image/v2/`);
      const versions = await get(ctx, `/${ctx.region}/image/versions`);
      assert.equal(versions.res.status, 200);
      assert.deepEqual(versions.body, root.body);
    },
  ],
  [
    'network discovery: GET / is 200, GET /v2.0/ lists network, subnet, port',
    async (ctx) => {
      const root = await get(ctx, `/${ctx.region}/network`);
      assert.equal(root.res.status, 200);
      assert.equal(root.body.versions[0].id, 'v2.0');
      const v2 = await get(ctx, `/${ctx.region}/network/v2.0/`);
      assert.equal(v2.res.status, 200);
      const names = v2.body.resources.map((r: { name: string }) => r.name);
      for (const n of ['network', 'subnet', 'port']) assert.ok(names.includes(n), n);
    },
  ],
  [
    'volume discovery: GET / is 300, GET /v3/ is 200 with the same shape',
    async (ctx) => {
      const root = await get(ctx, `/${ctx.region}/volume`);
      assert.equal(root.res.status, 300);
      const v3 = await get(ctx, `/${ctx.region}/volume/v3/`);
      assert.equal(v3.res.status, 200);
      assert.equal(v3.body.versions[0].id, 'v3.0');
      for (const k of ['status', 'updated', 'id', 'links', 'min_version', 'version', 'media-types']) {
        assert.ok(k in v3.body.versions[0], k);
      }
      assert.equal(v3.res.headers.get('openstack-api-version'), 'volume 3.0');
    },
  ],
  [
    "faults: unknown paths and wrong methods answer in each service's format",
    async (ctx) => {
      // Behind the version documents every service wants a token first, as keystonemiddleware does.
      const nova = await get(ctx, `/${ctx.region}/compute/v2.1/servers`);
      assert.equal(nova.res.status, 401);
      assert.equal(nova.body.unauthorized.code, 401);
      assert.ok(nova.res.headers.get('x-compute-request-id'));
      const neutron = await get(ctx, `/${ctx.region}/network/v2.0/networks`);
      assert.equal(neutron.res.status, 401);
      assert.equal(neutron.body.NeutronError.type, 'HTTPUnauthorized');
      const glance = await get(ctx, `/${ctx.region}/image/v2/images`);
      assert.equal(glance.res.status, 401);
      assert.equal(glance.body.title, 'Unauthorized');
      const keystone = await get(ctx, '/identity/v3', { method: 'DELETE' });
      assert.equal(keystone.res.status, 405);
      assert.equal(keystone.body.error.code, 405);
      assert.match(keystone.res.headers.get('allow') ?? '', /GET/);
      const region = await get(ctx, '/NoSuchRegion/volume');
      assert.equal(region.res.status, 404);
      assert.equal(region.body.itemNotFound.code, 404);
    },
  ],
  [
    'HEAD of a version document has no body',
    async (ctx) => {
      const res = await fetch(`${ctx.url}/${ctx.region}/network`, { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '');
    },
  ],
  [
    'a Kubernetes round trip through src/kube: /readyz names the region ready',
    async (ctx) => {
      const { res, body } = await get(ctx, `/readyz?region=${ctx.region}`);
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.regions, [{ region: ctx.region, ready: true }]);
    },
  ],
  [
    'OpenAPI document lists the routes',
    async (ctx) => {
      const { res, body } = await get(ctx, '/openapi.json');
      assert.equal(res.status, 200);
      assert.ok(body.paths['/identity/v3']);
      assert.ok(body.paths['/{region}/compute/v2.1']);
    },
  ],
];
