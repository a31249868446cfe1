import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Aggregate, ORIGINAL_ZONE_ANNOTATION, aggregateObject, checkZoneName, conflictingZones, nextId, nodePatch, toAggregate } from '../../src/compute/aggregates.ts';
import type { KubeNode } from '../../src/compute/model.ts';
import { ApiVersion } from '../../src/core/microversion.ts';
import { R } from '../../src/kube/index.ts';
import { aggregateCreated, aggregateView } from '../../routes/compute/views/aggregates.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api } from './helpers.ts';
import { computeGateway, IMAGE, waitActive } from './servers-helpers.ts';

const agg = (id: number, hosts: string[], az?: string): Aggregate => ({
  id,
  uuid: `u${id}`,
  name: `a${id}`,
  metadata: az ? { availability_zone: az } : {},
  hosts,
  createdAt: '2026-01-01T00:00:00.000000',
  updatedAt: null,
  object: `aggregate-${id}`,
  resourceVersion: '1',
});
const node = (labels: Record<string, string>, annotations?: Record<string, string>): KubeNode => ({ metadata: { name: 'n1', labels, ...(annotations ? { annotations } : {}) } }) as KubeNode;
const Z = 'topology.kubernetes.io/zone';

describe('aggregates: mapping', () => {
  test('an object round-trips; ids grow; a hand-edited spec is skipped', () => {
    const o = aggregateObject({ id: 4, name: 'x', metadata: { availability_zone: 'az1', k: 'v' }, hosts: ['n1'], updatedAt: null });
    assert.equal(o.metadata.name, 'aggregate-4');
    const a = toAggregate({ ...o, metadata: { ...o.metadata, uid: 'uid-4', creationTimestamp: '2026-01-02T03:04:05Z' } });
    assert.deepEqual(a && { id: a.id, uuid: a.uuid, name: a.name, hosts: a.hosts, metadata: a.metadata, createdAt: a.createdAt, updatedAt: a.updatedAt }, {
      id: 4,
      uuid: 'uid-4',
      name: 'x',
      hosts: ['n1'],
      metadata: { availability_zone: 'az1', k: 'v' },
      createdAt: '2026-01-02T03:04:05.000000',
      updatedAt: null,
    });
    assert.equal(toAggregate({ metadata: { name: 'bad' }, spec: { id: 'x' } } as never), undefined);
    assert.equal(nextId([agg(2, []), agg(7, [])]), 8);
    assert.equal(nextId([]), 1);
  });

  test('views: create has no hosts/metadata; uuid from 2.41', () => {
    const a = agg(3, ['n1'], 'az1');
    const v21 = ApiVersion.parse('2.1') as ApiVersion;
    const v241 = ApiVersion.parse('2.41') as ApiVersion;
    assert.deepEqual(Object.keys(aggregateCreated(a, v21)).sort(), ['availability_zone', 'created_at', 'deleted', 'deleted_at', 'id', 'name', 'updated_at']);
    assert.equal(aggregateCreated(a, v21).availability_zone, 'az1');
    assert.deepEqual(Object.keys(aggregateView(a, v241)).sort(), ['availability_zone', 'created_at', 'deleted', 'deleted_at', 'hosts', 'id', 'metadata', 'name', 'updated_at', 'uuid']);
    assert.equal(aggregateView(agg(1, []), v21).availability_zone, null);
  });

  test('zone names must be label values; a host is in one zone', () => {
    assert.throws(() => checkZoneName('a:b'), /cannot contain ':'/);
    assert.throws(() => checkZoneName('has space'), /topology.kubernetes.io\/zone/);
    assert.throws(() => checkZoneName('x'.repeat(64)), /at most 63/);
    checkZoneName('tempest-test_az-123');
    const all = [agg(1, ['n1'], 'az1'), agg(2, ['n1']), agg(3, ['n2'], 'az2')];
    assert.deepEqual(conflictingZones('n1', 'az2', all, 9), ['az1']);
    assert.deepEqual(conflictingZones('n1', 'az1', all, 9), []);
    assert.deepEqual(conflictingZones('n1', null, all, 9), []);
    assert.deepEqual(conflictingZones('n1', 'az2', all, 1), []);
  });

  test('node patch: membership labels, zone set with its earlier value kept, restored on leaving', () => {
    const joined = nodePatch(node({ [Z]: 'zone-a' }), [agg(1, ['n1'], 'az1'), agg(2, ['n1'])]);
    assert.deepEqual(joined, {
      metadata: { labels: { 'aggregate.openstack.dicot.io/1': 'true', 'aggregate.openstack.dicot.io/2': 'true', [Z]: 'az1' }, annotations: { [ORIGINAL_ZONE_ANNOTATION]: 'zone-a' } },
    });
    const inAz = node({ [Z]: 'az1', 'aggregate.openstack.dicot.io/1': 'true', 'aggregate.openstack.dicot.io/2': 'true' }, { [ORIGINAL_ZONE_ANNOTATION]: 'zone-a' });
    assert.equal(nodePatch(inAz, [agg(1, ['n1'], 'az1'), agg(2, ['n1'])]), null);
    assert.deepEqual(nodePatch(inAz, [agg(2, ['n1'])]), {
      metadata: { labels: { 'aggregate.openstack.dicot.io/1': null, [Z]: 'zone-a' }, annotations: { [ORIGINAL_ZONE_ANNOTATION]: null } },
    });
    // A node without a zone label gets it removed again.
    const bare = node({ [Z]: 'az1', 'aggregate.openstack.dicot.io/1': 'true' }, { [ORIGINAL_ZONE_ANNOTATION]: '' });
    assert.deepEqual(nodePatch(bare, []), { metadata: { labels: { 'aggregate.openstack.dicot.io/1': null, [Z]: null }, annotations: { [ORIGINAL_ZONE_ANNOTATION]: null } } });
  });
});

describe('aggregates: /os-aggregates over the sandbox', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
  });
  after(async () => {
    await gw.close();
  });

  test('admins only; create, list, show, update, metadata, delete; Nova faults', async () => {
    assert.equal((await api(gw, demo, 'GET', `${C}/os-aggregates`)).status, 403);
    assert.equal((await api(gw, demo, 'POST', `${C}/os-aggregates`, { aggregate: { name: 'x' } })).status, 403);
    const created = await api(gw, admin, 'POST', `${C}/os-aggregates`, { aggregate: { name: 'agg1' } });
    assert.equal(created.status, 200);
    assert.deepEqual(Object.keys(created.body.aggregate).sort(), ['availability_zone', 'created_at', 'deleted', 'deleted_at', 'id', 'name', 'updated_at']);
    const id = created.body.aggregate.id;
    assert.equal(typeof id, 'number');
    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates`, { aggregate: { name: 'agg1' } })).status, 409);
    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates`, { aggregate: { name: '' } })).status, 400);
    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates`, { aggregate: { name: 'x'.repeat(256) } })).status, 400);
    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates`, { aggregate: { name: 'y', foo: 1 } })).status, 400);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-aggregates/-1`)).status, 404);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-aggregates/abc`)).status, 400);
    const shown = await api(gw, admin, 'GET', `${C}/os-aggregates/${id}`, undefined, CV('2.41'));
    assert.match(shown.body.aggregate.uuid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(shown.body.aggregate.hosts, []);
    const upd = await api(gw, admin, 'PUT', `${C}/os-aggregates/${id}`, { aggregate: { name: 'agg1b', availability_zone: 'az-new' } });
    assert.equal(upd.status, 200);
    assert.equal(upd.body.aggregate.availability_zone, 'az-new');
    assert.deepEqual(upd.body.aggregate.metadata, { availability_zone: 'az-new' });
    assert.ok(upd.body.aggregate.updated_at);
    assert.equal((await api(gw, admin, 'PUT', `${C}/os-aggregates/${id}`, { aggregate: {} })).status, 400);
    const meta = await api(gw, admin, 'POST', `${C}/os-aggregates/${id}/action`, { set_metadata: { metadata: { k1: 'v1', availability_zone: null } } });
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.body.aggregate.metadata, { k1: 'v1' });
    assert.equal(meta.body.aggregate.availability_zone, null);
    const list = await api(gw, admin, 'GET', `${C}/os-aggregates`);
    assert.deepEqual(
      list.body.aggregates.map((a: { id: number; name: string }) => [a.id, a.name]),
      [[id, 'agg1b']],
    );
    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates/${id}/action`, { bogus: {} })).status, 400);
    assert.equal((await api(gw, admin, 'DELETE', `${C}/os-aggregates/${id}`)).status, 200);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-aggregates/${id}`)).status, 404);
    assert.equal((await api(gw, admin, 'DELETE', `${C}/os-aggregates/${id}`)).status, 404);
  });

  test('hosts: node labels, the zone moves onto the host and back; servers land there', async () => {
    const kube = (await gw.gateway()).regions.get('RegionOne')!.kube;
    const a = (await api(gw, admin, 'POST', `${C}/os-aggregates`, { aggregate: { name: 'zoned', availability_zone: 'az-x' } })).body.aggregate;
    const b = (await api(gw, admin, 'POST', `${C}/os-aggregates`, { aggregate: { name: 'other', availability_zone: 'az-y' } })).body.aggregate;
    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates/${a.id}/action`, { add_host: { host: 'no-such-node' } })).status, 404);
    assert.equal((await api(gw, demo, 'POST', `${C}/os-aggregates/${a.id}/action`, { add_host: { host: 'sandbox-node-3' } })).status, 403);
    const added = await api(gw, admin, 'POST', `${C}/os-aggregates/${a.id}/action`, { add_host: { host: 'sandbox-node-3' } });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.aggregate.hosts, ['sandbox-node-3']);
    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates/${a.id}/action`, { add_host: { host: 'sandbox-node-3' } })).status, 409);
    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates/${b.id}/action`, { add_host: { host: 'sandbox-node-3' } })).status, 409, 'a host is in one zone');
    assert.equal((await api(gw, admin, 'DELETE', `${C}/os-aggregates/${a.id}`)).status, 400, 'not empty');
    const n = await kube.get<KubeNode>(R.nodes, 'sandbox-node-3');
    assert.equal(n.metadata.labels?.[`aggregate.openstack.dicot.io/${a.id}`], 'true');
    assert.equal(n.metadata.labels?.[Z], 'az-x');
    const zones = await api(gw, demo, 'GET', `${C}/os-availability-zone`);
    assert.ok(zones.body.availabilityZoneInfo.some((z: { zoneName: string }) => z.zoneName === 'az-x'));

    const s = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'in-az', imageRef: IMAGE, flavorRef: 'u1.small', availability_zone: 'az-x' } });
    assert.equal(s.status, 202);
    await waitActive(gw, demo, s.body.server.id);
    const shown = await api(gw, admin, 'GET', `${C}/servers/${s.body.server.id}`);
    assert.equal(shown.body.server['OS-EXT-SRV-ATTR:host'], 'sandbox-node-3');
    assert.equal(shown.body.server['OS-EXT-AZ:availability_zone'], 'az-x');
    assert.equal((await api(gw, admin, 'DELETE', `${C}/servers/${s.body.server.id}`)).status, 204);

    assert.equal((await api(gw, admin, 'POST', `${C}/os-aggregates/${b.id}/action`, { remove_host: { host: 'sandbox-node-3' } })).status, 404);
    const removed = await api(gw, admin, 'POST', `${C}/os-aggregates/${a.id}/action`, { remove_host: { host: 'sandbox-node-3' } });
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body.aggregate.hosts, []);
    const back = await kube.get<KubeNode>(R.nodes, 'sandbox-node-3');
    assert.equal(back.metadata.labels?.[Z], 'zone-b');
    assert.equal(back.metadata.labels?.[`aggregate.openstack.dicot.io/${a.id}`], undefined);
    assert.equal(back.metadata.annotations?.[ORIGINAL_ZONE_ANNOTATION], undefined);
  });
});
