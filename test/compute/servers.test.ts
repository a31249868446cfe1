import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api, eventually, memberToken } from './helpers.ts';
import { computeGateway, IMAGE, QUEUED_IMAGE, waitActive } from './servers-helpers.ts';

const KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== k';

// Tempest's 2.1 detail schema keys (v2_1/servers.py server_detail), for a member and an admin.
const DETAIL_21 = [
  'OS-DCF:diskConfig', 'OS-EXT-AZ:availability_zone', 'OS-EXT-STS:power_state', 'OS-EXT-STS:task_state', 'OS-EXT-STS:vm_state',
  'OS-SRV-USG:launched_at', 'OS-SRV-USG:terminated_at', 'accessIPv4', 'accessIPv6', 'addresses', 'config_drive', 'created', 'flavor',
  'hostId', 'id', 'image', 'key_name', 'links', 'metadata', 'name', 'os-extended-volumes:volumes_attached', 'progress', 'security_groups',
  'status', 'tenant_id', 'updated', 'user_id',
];
const ADMIN_21 = [...DETAIL_21, 'OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:hypervisor_hostname', 'OS-EXT-SRV-ATTR:instance_name'].sort();

describe('servers API', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let other: string;
  const S = `${C}/servers`;
  let id: string;
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    other = await memberToken(gw, admin, 'other');
    await api(gw, demo, 'POST', `${C}/os-keypairs`, { keypair: { name: 'k', public_key: KEY } });
  });
  after(() => gw.close());

  test('create: 202 with exactly the create keys, Location, then ACTIVE with task_state null', async () => {
    const r = await api(gw, demo, 'POST', S, {
      server: {
        name: 'web 1',
        imageRef: IMAGE,
        flavorRef: 'u1.small',
        key_name: 'k',
        metadata: { role: 'web' },
        user_data: btoa('#!/bin/sh\necho hi\n'),
        networks: 'auto',
        accessIPv4: '1.2.3.4',
        accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2',
      },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body.server).sort(), ['OS-DCF:diskConfig', 'adminPass', 'id', 'links', 'security_groups']);
    assert.match(r.body.server.id, /^[0-9a-f-]{36}$/);
    assert.match(r.headers.get('location') ?? '', new RegExp(`/servers/${r.body.server.id}$`));
    id = r.body.server.id;
    const s = await waitActive(gw, demo, id);
    assert.deepEqual(Object.keys(s).sort(), [...DETAIL_21].sort());
    assert.equal(s.name, 'web 1');
    assert.equal(s.key_name, 'k');
    assert.deepEqual([s.accessIPv4, s.accessIPv6], ['1.2.3.4', '::babe:dc0c:1602'], 'access IPs in canonical form');
    assert.deepEqual(s.metadata, { role: 'web' });
    assert.deepEqual(s.flavor.id, 'u1.small');
    assert.equal(s.image.id, IMAGE);
    assert.equal(s['OS-EXT-STS:power_state'], 1);
    assert.equal(s['OS-EXT-STS:vm_state'], 'active');
    assert.match(s.hostId, /^[0-9a-f]{56}$/);
    assert.match(s['OS-EXT-AZ:availability_zone'], /^zone-[ab]$/);
    const [addr] = s.addresses['pod-network'];
    assert.equal(addr.version, 4);
    assert.equal(addr['OS-EXT-IPS:type'], 'fixed');
    assert.match(addr['OS-EXT-IPS-MAC:mac_addr'], /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const adminView = await api(gw, admin, 'GET', `${S}/${id}`);
    assert.deepEqual(Object.keys(adminView.body.server).sort(), ADMIN_21);
    assert.match(adminView.body.server['OS-EXT-SRV-ATTR:instance_name'], /^web-1-[0-9a-f]{5}$/);
  });

  test('microversioned views: 2.9 locked, 2.19 description, 2.26 tags, 2.47 flavor dict, 2.73 locked_reason', async () => {
    const at = async (v: string) => (await api(gw, demo, 'GET', `${S}/${id}`, undefined, CV(v))).body.server;
    assert.equal((await at('2.9')).locked, false);
    assert.equal('description' in (await at('2.18')), false);
    assert.equal((await at('2.19')).description, null);
    assert.deepEqual((await at('2.26')).tags, []);
    const f = (await at('2.47')).flavor;
    assert.deepEqual(Object.keys(f).sort(), ['disk', 'ephemeral', 'extra_specs', 'original_name', 'ram', 'swap', 'vcpus']);
    assert.equal(f.ram, 2048);
    const s73 = await at('2.73');
    assert.equal(s73.locked_reason, null);
    assert.deepEqual(s73.server_groups, []);
    assert.ok(!('OS-EXT-SRV-ATTR:hostname' in s73), 'admin-only attributes stay hidden');
    const list73 = (await api(gw, demo, 'GET', `${S}/detail`, undefined, CV('2.73'))).body.servers[0];
    assert.equal('server_groups' in list73, false);
  });

  test('bad requests are 400 with Nova wording and leave nothing behind', async () => {
    const before = (await api(gw, demo, 'GET', S)).body.servers.length;
    const bad = async (server: Record<string, unknown>, message: RegExp) => {
      const r = await api(gw, demo, 'POST', S, { server: { name: 'x', imageRef: IMAGE, flavorRef: 'u1.small', ...server } });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(r.body.badRequest.message, message);
    };
    await bad({ imageRef: 'not-a-uuid' }, /^Invalid imageRef provided\.$/);
    await bad({ imageRef: '11111111-2222-3333-4444-555555555555' }, /^Image 11111111-2222-3333-4444-555555555555 could not be found\.$/);
    await bad({ imageRef: QUEUED_IMAGE }, /is not active/);
    await bad({ flavorRef: 'nope' }, /^Invalid flavorRef provided\.$/);
    await bad({ key_name: 'missing' }, /^Invalid key_name provided\.$/);
    await bad({ name: ' padded' }, /whitespace/);
    await bad({ user_data: '%%%' }, /base 64/);
    await bad({ availability_zone: 'zone-z' }, /availability zone/);
    await bad({ description: 'too early' }, /description/);
    await bad({ accessIPv6: 'notvalid' }, /accessIPv6/);
    await bad({ accessIPv4: '::1' }, /accessIPv4/);
    const noName = await api(gw, demo, 'POST', S, { server: { imageRef: IMAGE, flavorRef: 'u1.small' } });
    assert.equal(noName.status, 400);
    const v237 = await api(gw, demo, 'POST', S, { server: { name: 'x', imageRef: IMAGE, flavorRef: 'u1.small' } }, CV('2.37'));
    assert.equal(v237.status, 400);
    assert.equal((await api(gw, demo, 'GET', S)).body.servers.length, before);
  });

  test('list: brief keys, filters, sort, paging; other projects see nothing', async () => {
    for (const name of ['db-1', 'db-2']) {
      const r = await api(gw, demo, 'POST', S, { server: { name, imageRef: IMAGE, flavorRef: 'u1.nano', tags: ['db'], networks: 'auto' } }, CV('2.52'));
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    const all = await api(gw, demo, 'GET', S);
    assert.equal(all.body.servers.length, 3);
    assert.deepEqual(Object.keys(all.body.servers[0]).sort(), ['id', 'links', 'name']);
    const byName = await api(gw, demo, 'GET', `${S}?name=^db`);
    assert.deepEqual(byName.body.servers.map((s: { name: string }) => s.name).sort(), ['db-1', 'db-2']);
    assert.equal((await api(gw, demo, 'GET', `${S}/detail?flavor=u1.nano`)).body.servers.length, 2);
    assert.equal((await api(gw, demo, 'GET', `${S}/detail?tags=db`)).body.servers.length, 2);
    assert.equal((await api(gw, demo, 'GET', `${S}/detail?not-tags=db`)).body.servers.length, 1);
    const sorted = await api(gw, demo, 'GET', `${S}?sort_key=display_name&sort_dir=asc`);
    assert.deepEqual(sorted.body.servers.map((s: { name: string }) => s.name), ['db-1', 'db-2', 'web 1']);
    const p1 = await api(gw, demo, 'GET', `${S}?sort_key=display_name&sort_dir=asc&limit=2`);
    assert.equal(p1.body.servers.length, 2);
    const next = new URL(p1.body.servers_links[0].href);
    const p2 = await api(gw, demo, 'GET', `${next.pathname}${next.search}`);
    assert.deepEqual(p2.body.servers.map((s: { name: string }) => s.name), ['web 1']);
    assert.equal(p2.body.servers_links, undefined);
    assert.equal((await api(gw, demo, 'GET', `${S}?marker=00000000-0000-0000-0000-000000000000`)).status, 400);
    assert.equal((await api(gw, demo, 'GET', `${S}?status=BOGUS`, undefined, CV('2.38'))).status, 400);
    assert.equal((await api(gw, demo, 'GET', `${S}?changes-since=2011/01/01`)).status, 400);
    assert.equal((await api(gw, demo, 'GET', `${S}/detail?changes-since=2011-01-01T00:00:00Z`)).body.servers.length, 3);
    assert.equal((await api(gw, demo, 'GET', `${S}/detail?changes-since=2999-01-01`)).body.servers.length, 0);
    assert.deepEqual((await api(gw, other, 'GET', S)).body.servers, []);
    assert.equal((await api(gw, other, 'GET', `${S}/${id}`)).status, 404);
    assert.equal((await api(gw, demo, 'GET', `${S}?all_tenants=1`)).status, 403);
    const adminAll = await api(gw, admin, 'GET', `${S}?all_tenants=1`);
    assert.equal(adminAll.body.servers.length, 3);
    assert.equal((await api(gw, admin, 'GET', S)).body.servers.length, 0);
    assert.equal((await api(gw, demo, 'GET', `${S}/nonexistent`)).status, 404);
    const wrongMethod = await api(gw, demo, 'DELETE', S);
    assert.equal(wrongMethod.status, 405);
    assert.match(wrongMethod.headers.get('allow') ?? '', /GET/);
    assert.equal((await api(gw, demo, 'DELETE', `${S}/`)).status, 404, 'an empty id is a missing server');
  });

  test('update name and description; delete 204 then 404', async () => {
    const u = await api(gw, demo, 'PUT', `${S}/${id}`, { server: { name: 'web-renamed' } });
    assert.equal(u.status, 200);
    assert.equal(u.body.server.name, 'web-renamed');
    assert.equal('OS-EXT-STS:vm_state' in u.body.server, false, 'below 2.75 the update answers the basic view');
    const u74 = await api(gw, demo, 'PUT', `${S}/${id}`, { server: { description: 'front' } }, CV('2.74'));
    assert.equal(u74.body.server.description, 'front');
    assert.equal(u74.body.server.locked_reason, null);
    const d = await api(gw, demo, 'DELETE', `${S}/${id}`);
    assert.equal(d.status, 204);
    assert.equal(d.headers.get('content-length') ?? '0', '0');
    await eventually(async () => ((await api(gw, demo, 'GET', `${S}/${id}`)).status === 404 ? true : undefined), 'deletion');
  });
});
