import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Flavor } from '../../src/compute/flavors.ts';
import { hostResources, nodeCapacity } from '../../src/compute/hosts.ts';
import type { KubeNode } from '../../src/compute/model.ts';
import { nodeUptime } from '../../src/compute/zones.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { R } from '../../src/kube/index.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api } from './helpers.ts';
import { computeGateway, IMAGE, waitActive } from './servers-helpers.ts';

describe('hosts: mapping', () => {
  test("a node's uptime counts from its Ready transition, in uptime(1)'s form; none when it is not Ready", () => {
    const at = (status: string, lastTransitionTime?: string) => ({ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status, lastTransitionTime }] } }) as KubeNode;
    const now = Date.parse('2026-11-22T12:34:56Z');
    assert.equal(nodeUptime(at('True', '2026-11-22T12:00:00Z'), now), ' 12:34:56 up 0:34');
    assert.equal(nodeUptime(at('True', '2026-11-21T10:30:00Z'), now), ' 12:34:56 up 1 day, 2:04');
    assert.equal(nodeUptime(at('True', '2026-08-01T00:00:00Z'), now), ' 12:34:56 up 113 days, 12:34');
    assert.equal(nodeUptime(at('False', '2026-11-22T12:00:00Z'), now), null);
    assert.equal(nodeUptime(at('True'), now), null);
  });

  test('capacity from the node; used and per-project rows from the flavors of the servers on it', () => {
    const node = { metadata: { name: 'n1' }, status: { capacity: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' } } } as KubeNode;
    assert.deepEqual(nodeCapacity(node), { vcpus: 4, memoryMb: 8192, diskGb: 100 });
    const f = { id: 'f', vcpus: 2, ram: 512, disk: 10, ephemeral: 1 } as Flavor;
    const s = (project: string, host: string | null) => ({ projectId: project, node: host, flavorId: 'f' }) as ServerRecord;
    const rows = hostResources(node, [s('p2', 'n1'), s('p1', 'n1'), s('p1', 'n1'), s('p1', 'n2'), s('p3', null)], new Map([['f', f]]));
    assert.deepEqual(
      rows.map((r) => [r.resource.project, r.resource.cpu, r.resource.memory_mb, r.resource.disk_gb, r.resource.host]),
      [
        ['(total)', 4, 8192, 100, 'n1'],
        ['(used_now)', 6, 1536, 33, 'n1'],
        ['(used_max)', 6, 1536, 33, 'n1'],
        ['p1', 4, 1024, 22, 'n1'],
        ['p2', 2, 512, 11, 'n1'],
      ],
    );
  });
});

describe('hosts: /os-hosts', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
  });
  after(() => gw.close());

  test('list by zone, show, enable/disable (cordon), 501 power actions, Nova faults', async () => {
    assert.equal((await api(gw, demo, 'GET', `${C}/os-hosts`)).status, 403);
    const all = (await api(gw, admin, 'GET', `${C}/os-hosts`)).body.hosts;
    assert.deepEqual(all[0], { host_name: 'sandbox-node-1', service: 'compute', zone: 'zone-a' });
    assert.equal(all.length, 3);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hosts?zone=zone-b`)).body.hosts.length, 1);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hosts?zone=`)).body.hosts.length, 3);
    assert.deepEqual((await api(gw, admin, 'GET', `${C}/os-hosts?zone=xxx`)).body.hosts, []);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hosts`, undefined, CV('2.43'))).status, 404);

    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'h1', imageRef: IMAGE, flavorRef: 'u1.small' } });
    const on = (await waitActive(gw, admin, r.body.server.id))['OS-EXT-SRV-ATTR:host'] as string;
    const detail = await api(gw, admin, 'GET', `${C}/os-hosts/${on}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(
      detail.body.host.map((x: { resource: { project: string } }) => x.resource.project).slice(0, 3),
      ['(total)', '(used_now)', '(used_max)'],
    );
    assert.equal(detail.body.host[1].resource.cpu, 1);
    assert.equal(detail.body.host.length, 4, 'one project row');
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hosts/nonexistent_hostname`)).status, 404);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-hosts/${on}`)).status, 403);

    assert.equal((await api(gw, admin, 'PUT', `${C}/os-hosts/sandbox-node-3`, { status: 'bogus' })).status, 400);
    assert.equal((await api(gw, admin, 'PUT', `${C}/os-hosts/sandbox-node-3`, {})).status, 400);
    assert.equal((await api(gw, admin, 'PUT', `${C}/os-hosts/nope`, { status: 'enable' })).status, 404);
    assert.equal((await api(gw, demo, 'PUT', `${C}/os-hosts/sandbox-node-3`, { status: 'enable' })).status, 403);
    assert.equal((await api(gw, admin, 'PUT', `${C}/os-hosts/sandbox-node-3`, { maintenance_mode: 'enable' })).status, 501);
    const kube = (await gw.gateway()).regions.get('RegionOne')?.kube;
    assert.deepEqual((await api(gw, admin, 'PUT', `${C}/os-hosts/sandbox-node-3`, { status: 'disable' })).body, { host: 'sandbox-node-3', status: 'disabled' });
    assert.equal((await kube?.get<KubeNode>(R.nodes, 'sandbox-node-3'))?.spec?.unschedulable, true);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-services?host=sandbox-node-3`)).body.services[0].status, 'disabled');
    assert.deepEqual((await api(gw, admin, 'PUT', `${C}/os-hosts/sandbox-node-3`, { status: 'enable' })).body, { host: 'sandbox-node-3', status: 'enabled' });
    assert.equal((await kube?.get<KubeNode>(R.nodes, 'sandbox-node-3'))?.spec?.unschedulable, undefined);

    assert.equal((await api(gw, admin, 'GET', `${C}/os-hosts/sandbox-node-1/reboot`)).status, 501);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hosts/nope/shutdown`)).status, 404);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-hosts/sandbox-node-1/startup`)).status, 403);
  });

  test('hypervisors before 2.53: search and servers by hostname substring; uptime since the node became Ready', async () => {
    assert.equal((await api(gw, demo, 'GET', `${C}/os-hypervisors/node/search`)).status, 403);
    const found = await api(gw, admin, 'GET', `${C}/os-hypervisors/node-3/search`);
    assert.deepEqual(found.body, { hypervisors: [{ id: 3, hypervisor_hostname: 'sandbox-node-3', state: 'up', status: 'enabled' }] });
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hypervisors/zzz/search`)).status, 404);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hypervisors/node/search`, undefined, CV('2.53'))).status, 404);
    const withServers = (await api(gw, admin, 'GET', `${C}/os-hypervisors/sandbox/servers`)).body.hypervisors;
    assert.equal(withServers.length, 3);
    const busy = withServers.filter((h: { servers?: unknown[] }) => h.servers);
    assert.equal(busy.length, 1, 'servers only where some run (the h1 server)');
    assert.equal(busy[0].servers[0].uuid.length, 36);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-hypervisors/1/uptime`)).status, 403);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hypervisors/99/uptime`)).status, 404);
    const up = await api(gw, admin, 'GET', `${C}/os-hypervisors/1/uptime`);
    assert.equal(up.status, 200);
    assert.deepEqual(Object.keys(up.body.hypervisor).sort(), ['hypervisor_hostname', 'id', 'state', 'status', 'uptime']);
    assert.match(up.body.hypervisor.uptime, /^ \d\d:\d\d:\d\d up 0:\d\d$/);
  });
});
