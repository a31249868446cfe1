import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api, memberToken } from './helpers.ts';
import { computeGateway, IMAGE, waitActive } from './servers-helpers.ts';
import type { Flavor } from '../../src/compute/flavors.ts';
import { DEFAULT_QUOTAS, admitResize } from '../../src/compute/quotas.ts';

test('a resize is admitted when the flavors\' difference fits cores and ram; shrinking always is', () => {
  const q = { ...DEFAULT_QUOTAS, cores: 4, ram: 4096 };
  const f = (vcpus: number, ram: number) => ({ vcpus, ram }) as Flavor;
  admitResize(q, { instances: 1, cores: 2, ram: 2048 }, f(2, 2048), f(4, 4096));
  admitResize(q, { instances: 1, cores: 8, ram: 8192 }, f(4, 4096), f(1, 512));
  assert.throws(() => admitResize(q, { instances: 1, cores: 4, ram: 2048 }, f(2, 2048), f(3, 1024)), /Quota exceeded for cores: Requested 1, but already used 4 of 4 cores/);
  assert.throws(() => admitResize(q, { instances: 1, cores: 0, ram: 0 }, undefined, f(1, 5000)), /Quota exceeded for ram/);
  admitResize({ ...q, ram: -1 }, { instances: 1, cores: 0, ram: 0 }, undefined, f(1, 5000));
});

describe('limits, quotas, zones, hypervisors, services, server groups, extensions', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let demoProject: string;
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    demoProject = (await api(gw, demo, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': demo })).body.token.project.id;
  });
  after(async () => {
    await gw.close();
  });

  test('quota sets: show, defaults, admin update enforced at create, limits with usage', async () => {
    const q = await api(gw, demo, 'GET', `${C}/os-quota-sets/${demoProject}`);
    assert.equal(q.status, 200);
    assert.equal(q.body.quota_set.instances, 10);
    assert.equal(q.body.quota_set.id, demoProject);
    assert.ok('floating_ips' in q.body.quota_set);
    assert.equal('floating_ips' in (await api(gw, demo, 'GET', `${C}/os-quota-sets/${demoProject}`, undefined, CV('2.36'))).body.quota_set, false);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-quota-sets/${demoProject}/defaults`)).body.quota_set.cores, 20);
    assert.equal((await api(gw, demo, 'PUT', `${C}/os-quota-sets/${demoProject}`, { quota_set: { instances: 1 } })).status, 403);
    const put = await api(gw, admin, 'PUT', `${C}/os-quota-sets/${demoProject}`, { quota_set: { instances: 1 } });
    assert.equal(put.status, 200);
    assert.equal(put.body.quota_set.instances, 1);
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'q1', imageRef: IMAGE, flavorRef: 'u1.small' } });
    assert.equal(r.status, 202);
    await waitActive(gw, demo, r.body.server.id);
    const over = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'q2', imageRef: IMAGE, flavorRef: 'u1.small' } });
    assert.equal(over.status, 403);
    assert.match(over.body.forbidden.message, /Quota exceeded for instances/);
    const limits = await api(gw, demo, 'GET', `${C}/limits`);
    assert.equal(limits.body.limits.absolute.maxTotalInstances, 1);
    assert.equal(limits.body.limits.absolute.totalInstancesUsed, 1);
    assert.equal(limits.body.limits.absolute.totalRAMUsed, 2048);
    const detail = await api(gw, demo, 'GET', `${C}/os-quota-sets/${demoProject}/detail`);
    assert.deepEqual(detail.body.quota_set.instances, { in_use: 1, limit: 1, reserved: 0 });
    // A resize grows the server by the flavors' difference: over the ram quota it is Nova's 403, and nothing changes.
    assert.equal((await api(gw, admin, 'PUT', `${C}/os-quota-sets/${demoProject}`, { quota_set: { ram: 3000 } })).status, 200);
    const grow = await api(gw, demo, 'POST', `${C}/servers/${r.body.server.id}/action`, { resize: { flavorRef: 'u1.medium' } });
    assert.equal(grow.status, 403);
    assert.equal(grow.body.forbidden.message, 'Quota exceeded for ram: Requested 2048, but already used 2048 of 3000 ram');
    assert.equal((await api(gw, demo, 'GET', `${C}/servers/${r.body.server.id}`)).body.server.status, 'ACTIVE');
    assert.equal((await api(gw, admin, 'DELETE', `${C}/os-quota-sets/${demoProject}`)).status, 202);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-quota-sets/${demoProject}`)).body.quota_set.instances, 10);
  });

  test('availability zones from node labels; detail for admins', async () => {
    const z = await api(gw, demo, 'GET', `${C}/os-availability-zone`);
    assert.deepEqual(z.body.availabilityZoneInfo.map((x: { zoneName: string }) => x.zoneName), ['zone-a', 'zone-b']);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-availability-zone/detail`)).status, 403);
    const d = await api(gw, admin, 'GET', `${C}/os-availability-zone/detail`);
    assert.deepEqual(Object.keys(d.body.availabilityZoneInfo[0].hosts).sort(), ['sandbox-node-1', 'sandbox-node-2']);
  });

  test('hypervisors and services (admins): nodes, 2.53 uuids', async () => {
    assert.equal((await api(gw, demo, 'GET', `${C}/os-hypervisors`)).status, 403);
    const list = await api(gw, admin, 'GET', `${C}/os-hypervisors/detail`);
    assert.equal(list.body.hypervisors.length, 3);
    assert.equal(list.body.hypervisors[0].id, 1);
    assert.equal(typeof list.body.hypervisors[0].cpu_info, 'string');
    assert.equal(list.body.hypervisors.reduce((n: number, h: { running_vms: number }) => n + h.running_vms, 0), 1);
    const v253 = await api(gw, admin, 'GET', `${C}/os-hypervisors`, undefined, CV('2.53'));
    assert.match(v253.body.hypervisors[0].id, /^[0-9a-f-]{36}$/);
    const one = await api(gw, admin, 'GET', `${C}/os-hypervisors/${v253.body.hypervisors[0].id}`, undefined, CV('2.53'));
    assert.equal(one.body.hypervisor.hypervisor_hostname, 'sandbox-node-1');
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hypervisors/statistics`)).body.hypervisor_statistics.count, 3);
    const svc = await api(gw, admin, 'GET', `${C}/os-services`);
    assert.equal(svc.body.services.length, 3);
    assert.equal(svc.body.services[0].binary, 'nova-compute');
  });

  test('server groups: policies below 2.64, policy/rules from 2.64, members from the hint', async () => {
    const g = await api(gw, demo, 'POST', `${C}/os-server-groups`, { server_group: { name: 'g1', policies: ['anti-affinity'] } });
    assert.equal(g.status, 200);
    assert.deepEqual(Object.keys(g.body.server_group).sort(), ['id', 'members', 'metadata', 'name', 'policies']);
    const g64 = await api(gw, demo, 'POST', `${C}/os-server-groups`, { server_group: { name: 'g2', policy: 'anti-affinity', rules: { max_server_per_host: 1 } } }, CV('2.64'));
    assert.equal(g64.status, 200);
    assert.equal(g64.body.server_group.policy, 'anti-affinity');
    assert.equal((await api(gw, demo, 'POST', `${C}/os-server-groups`, { server_group: { name: 'g3', policies: ['soft-affinity'] } })).status, 400);
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'member', imageRef: IMAGE, flavorRef: 'u1.nano' }, 'OS-SCH-HNT:scheduler_hints': { group: g.body.server_group.id } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await waitActive(gw, demo, r.body.server.id);
    const shown = await api(gw, demo, 'GET', `${C}/os-server-groups/${g.body.server_group.id}`);
    assert.deepEqual(shown.body.server_group.members, [r.body.server.id]);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-server-groups`)).body.server_groups.length, 2);
    assert.equal((await api(gw, demo, 'DELETE', `${C}/os-server-groups/${g64.body.server_group.id}`)).status, 204);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-server-groups/${g64.body.server_group.id}`)).status, 404);
  });

  test('extensions', async () => {
    const e = await api(gw, demo, 'GET', `${C}/extensions`);
    assert.ok(e.body.extensions.some((x: { alias: string }) => x.alias === 'os-keypairs'));
    assert.ok(e.body.extensions.some((x: { name: string }) => x.name === 'Hosts'));
    const one = await api(gw, demo, 'GET', `${C}/extensions/os-aggregates`);
    assert.equal(one.body.extension.name, 'Aggregates');
    assert.deepEqual(one.body.extension, e.body.extensions.find((x: { alias: string }) => x.alias === 'os-aggregates'));
    assert.equal((await api(gw, demo, 'GET', `${C}/extensions/os-nothing`)).status, 404);
    assert.equal((await api(gw, demo, 'GET', `${C}/extensions/os-consoles`)).body.extension.name, 'Consoles');
  });

  test('the default quota class: per-version keys, admin update, the quotas of projects without their own', async () => {
    const QC = `${C}/os-quota-class-sets/default`;
    assert.equal((await api(gw, demo, 'GET', QC)).status, 403);
    const old = (await api(gw, admin, 'GET', QC)).body.quota_class_set;
    assert.deepEqual(Object.keys(old).sort(), ['cores', 'fixed_ips', 'floating_ips', 'id', 'injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files', 'instances', 'key_pairs', 'metadata_items', 'ram', 'security_group_rules', 'security_groups']);
    const v257 = (await api(gw, admin, 'GET', QC, undefined, CV('2.57'))).body.quota_class_set;
    assert.deepEqual(Object.keys(v257).sort(), ['cores', 'id', 'instances', 'key_pairs', 'metadata_items', 'ram', 'server_group_members', 'server_groups']);
    assert.equal((await api(gw, demo, 'PUT', QC, { quota_class_set: { instances: 2 } })).status, 403);
    assert.equal((await api(gw, admin, 'PUT', QC, { quota_class_set: { server_groups: 3 } })).status, 400, 'not a 2.1 class key');
    assert.equal((await api(gw, admin, 'PUT', QC, { quota_class_set: { instances: -2 } })).status, 400);
    assert.equal((await api(gw, admin, 'PUT', `${C}/os-quota-class-sets/gold`, { quota_class_set: { instances: 2 } })).status, 400);
    const put = await api(gw, admin, 'PUT', QC, { quota_class_set: { instances: 2, cores: 30 } }, CV('2.57'));
    assert.equal(put.status, 200);
    assert.deepEqual([put.body.quota_class_set.instances, put.body.quota_class_set.cores, 'id' in put.body.quota_class_set], [2, 30, false]);
    const created: [string, string][] = [];
    try {
      // A project with no quotas of its own follows the class: shown, its defaults, and enforced.
      const p = await memberToken(gw, admin, 'qclass');
      const pid = (await api(gw, p, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': p })).body.token.project.id;
      assert.equal((await api(gw, p, 'GET', `${C}/os-quota-sets/${pid}`)).body.quota_set.instances, 2);
      assert.equal((await api(gw, p, 'GET', `${C}/os-quota-sets/${pid}/defaults`)).body.quota_set.cores, 30);
      for (const name of ['c1', 'c2']) {
        const made = await api(gw, p, 'POST', `${C}/servers`, { server: { name, imageRef: IMAGE, flavorRef: 'u1.small' } });
        assert.equal(made.status, 202);
        created.push([p, made.body.server.id]);
      }
      const third = await api(gw, p, 'POST', `${C}/servers`, { server: { name: 'c3', imageRef: IMAGE, flavorRef: 'u1.small' } });
      assert.equal(third.status, 403);
      assert.match(third.body.forbidden.message, /Quota exceeded for instances/);
    } finally {
      for (const [token, sid] of created) await api(gw, token, 'DELETE', `${C}/servers/${sid}`);
      assert.equal((await api(gw, admin, 'PUT', QC, { quota_class_set: { instances: old.instances, cores: old.cores } })).status, 200);
    }
  });
});
