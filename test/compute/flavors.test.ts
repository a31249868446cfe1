import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toFlavor } from '../../src/compute/flavors.ts';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { CV, api as call, demoToken } from './helpers.ts';

describe('flavor mapping (pure)', () => {
  test('instancetype → flavor: vcpus, MiB, disk from annotation, id = name', () => {
    const f = toFlavor({
      metadata: { name: 'u1.small', annotations: { 'compute.openstack.dicot.io/disk': '20' } },
      spec: { cpu: { guest: 1 }, memory: { guest: '2Gi' } },
    });
    assert.equal(f.id, 'u1.small');
    assert.equal(f.vcpus, 1);
    assert.equal(f.ram, 2048);
    assert.equal(f.disk, 20);
    assert.equal(f.isPublic, true);
  });
});

describe('flavors API', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  const F = '/RegionOne/compute/v2.1/flavors';
  before(async () => {
    gw = await startTestGateway();
    admin = await gw.adminToken();
    demo = await demoToken(gw, admin);
  });
  after(() => gw.close());

  test('the common instancetypes are flavors, exactly the 2.1 keys', async () => {
    const r = await call(gw, demo, 'GET', `${F}/detail`);
    assert.equal(r.status, 200);
    const small = r.body.flavors.find((f: { id: string }) => f.id === 'u1.small');
    assert.deepEqual(Object.keys(small).sort(), [
      'OS-FLV-DISABLED:disabled',
      'OS-FLV-EXT-DATA:ephemeral',
      'disk',
      'id',
      'links',
      'name',
      'os-flavor-access:is_public',
      'ram',
      'rxtx_factor',
      'swap',
      'vcpus',
    ]);
    assert.equal(small.ram, 2048);
    assert.equal(small.vcpus, 1);
    assert.equal(small.swap, '');
    assert.ok(r.body.flavors.length >= 60);
    const brief = await call(gw, demo, 'GET', F);
    assert.deepEqual(Object.keys(brief.body.flavors[0]).sort(), ['id', 'links', 'name']);
    assert.match(brief.body.flavors[0].links[0].href, /\/RegionOne\/compute\/v2\.1\/flavors\//);
  });

  test('microversion layers: 2.55 description, 2.61 extra_specs; 2.80 is beyond the maximum', async () => {
    const at = (v: string) => call(gw, demo, 'GET', `${F}/u1.small`, undefined, CV(v));
    assert.equal('description' in (await at('2.54')).body.flavor, false);
    assert.equal((await at('2.55')).body.flavor.description, null);
    assert.deepEqual((await at('2.61')).body.flavor.extra_specs, {});
    assert.equal((await at('2.61')).body.flavor.swap, '');
    assert.equal((await at('2.80')).status, 406, 'the gateway honours up to 2.79');
    const brief = await call(gw, demo, 'GET', F, undefined, CV('2.55'));
    assert.ok('description' in brief.body.flavors[0]);
  });

  test('filters, sort, limit/marker and flavors_links', async () => {
    const big = await call(gw, demo, 'GET', `${F}/detail?minRam=65536&sort_key=memory_mb&sort_dir=desc`);
    assert.ok(big.body.flavors.every((f: { ram: number }) => f.ram >= 65536));
    const rams = big.body.flavors.map((f: { ram: number }) => f.ram);
    assert.deepEqual(rams, [...rams].sort((a: number, b: number) => b - a));
    const p1 = await call(gw, demo, 'GET', `${F}?limit=2`);
    assert.equal(p1.body.flavors.length, 2);
    assert.match(p1.body.flavors_links[0].href, /marker=/);
    const p2 = await call(gw, demo, 'GET', `${F}?limit=2&marker=${p1.body.flavors[1].id}`);
    assert.notEqual(p2.body.flavors[0].id, p1.body.flavors[0].id);
    assert.equal((await call(gw, demo, 'GET', `${F}?marker=nope`)).status, 400);
    assert.equal((await call(gw, demo, 'GET', `${F}?minRam=abc`)).status, 400);
    assert.equal((await call(gw, demo, 'GET', `${F}?sort_key=bogus`)).status, 400);
    assert.equal((await call(gw, demo, 'GET', `${F}/nope`)).status, 404);
    assert.deepEqual(Object.keys((await call(gw, demo, 'GET', `${F}/nope`)).body), ['itemNotFound']);
  });

  test('admin create / extra specs / access / delete; members may not', async () => {
    const body = { flavor: { name: 'm1.tiny', ram: 512, vcpus: 1, disk: 1, id: '1' } };
    assert.equal((await call(gw, demo, 'POST', F, body)).status, 403);
    const created = await call(gw, admin, 'POST', F, body);
    assert.equal(created.status, 200);
    assert.equal(created.body.flavor.id, '1');
    assert.equal(created.body.flavor.disk, 1);
    assert.equal((await call(gw, admin, 'POST', F, body)).status, 409);
    assert.equal((await call(gw, admin, 'POST', F, { flavor: { name: 'x', ram: -1, vcpus: 1, disk: 1 } })).status, 400);
    const shown = await call(gw, demo, 'GET', `${F}/1`);
    assert.equal(shown.body.flavor.ram, 512);
    // A generated id (the name, when it is a valid object name).
    const gen = await call(gw, admin, 'POST', F, { flavor: { name: 'Big Flavor', ram: '1024', vcpus: '2', disk: '10' } });
    assert.equal(gen.status, 200);
    assert.match(gen.body.flavor.id, /^[0-9a-f-]{36}$/);

    const specs = `${F}/1/os-extra_specs`;
    assert.equal((await call(gw, admin, 'POST', specs, { extra_specs: { 'hw:cpu_policy': 'shared', a: 'b' } })).status, 200);
    assert.deepEqual((await call(gw, demo, 'GET', specs)).body.extra_specs, { 'hw:cpu_policy': 'shared', a: 'b' });
    assert.deepEqual((await call(gw, demo, 'GET', `${specs}/a`)).body, { a: 'b' });
    assert.equal((await call(gw, admin, 'PUT', `${specs}/a`, { b: 'c' })).status, 400);
    assert.deepEqual((await call(gw, admin, 'PUT', `${specs}/a`, { a: 'c' })).body, { a: 'c' });
    assert.equal((await call(gw, admin, 'DELETE', `${specs}/a`)).status, 200);
    assert.equal((await call(gw, demo, 'GET', `${specs}/a`)).status, 404);
    const v261 = await call(gw, demo, 'GET', `${F}/1`, undefined, CV('2.61'));
    assert.deepEqual(v261.body.flavor.extra_specs, { 'hw:cpu_policy': 'shared' });

    // Private flavors: hidden from projects without access.
    const priv = await call(gw, admin, 'POST', F, { flavor: { name: 'private-1', ram: 256, vcpus: 1, disk: 0, id: 'private-1', 'os-flavor-access:is_public': false } });
    assert.equal(priv.status, 200);
    assert.equal((await call(gw, demo, 'GET', `${F}/private-1`)).status, 404);
    // Nova's spellings: a numeric id, a boolean as a string.
    const numeric = await call(gw, admin, 'POST', F, { flavor: { name: 'numeric', ram: 256, vcpus: 1, disk: 0, id: 4242, 'os-flavor-access:is_public': 'False' } });
    assert.equal(numeric.status, 200, JSON.stringify(numeric.body));
    assert.deepEqual([numeric.body.flavor.id, numeric.body.flavor['os-flavor-access:is_public']], ['4242', false]);
    assert.equal((await call(gw, admin, 'POST', F, { flavor: { name: 'bad', ram: 256, vcpus: 1, disk: 0, 'os-flavor-access:is_public': 'maybe' } })).status, 400);
    assert.equal((await call(gw, admin, 'DELETE', `${F}/4242`)).status, 202);
    assert.equal((await call(gw, admin, 'GET', `${F}/u1.small/os-flavor-access`)).status, 404);
    const demoProject = (await call(gw, demo, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': demo })).body.token.project.id;
    const added = await call(gw, admin, 'POST', `${F}/private-1/action`, { addTenantAccess: { tenant: demoProject } });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.flavor_access, [{ flavor_id: 'private-1', tenant_id: demoProject }]);
    assert.equal((await call(gw, demo, 'GET', `${F}/private-1`)).status, 200);
    const list = await call(gw, demo, 'GET', F);
    assert.ok(list.body.flavors.some((f: { id: string }) => f.id === 'private-1'));
    const all = await call(gw, admin, 'GET', `${F}?is_public=false`);
    assert.deepEqual(all.body.flavors.map((f: { id: string }) => f.id), ['private-1']);

    assert.equal((await call(gw, demo, 'DELETE', `${F}/1`)).status, 403);
    assert.equal((await call(gw, admin, 'DELETE', `${F}/1`)).status, 202);
    assert.equal((await call(gw, admin, 'GET', `${F}/1`)).status, 404);
  });
});
