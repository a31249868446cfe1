import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CSI_DRIVER } from '../../src/sandbox/cluster/seed.ts';
import { type Backend, backendOfHost, backendsOf, hostResources, onHost, serviceRows } from '../../src/volume/backends.ts';
import type { SnapshotRecord, VolumeRecord, VolumeTypeRecord } from '../../src/volume/model.ts';
import { eventually, memberToken } from '../compute/helpers.ts';
import { type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// Cinder's services, hosts, pools and capabilities: one backend per StorageClass.

describe('backends: mapping', () => {
  const type = (object: string, provisioner: string) => ({ object, provisioner }) as VolumeTypeRecord;
  const bs = backendsOf([type('standard', 'csi.b'), type('fast', 'csi.b'), type('gold', 'csi.a')]);
  test('one backend per CSI driver (types sharing a driver share it), a scheduler on host dicot; host filters match the backends on a host', () => {
    assert.deepEqual(bs, [{ name: 'csi.a' }, { name: 'csi.b' }]);
    const rows = serviceRows(bs);
    assert.deepEqual(rows.map((r) => `${r.binary} ${r.host}`), ['cinder-scheduler dicot', 'cinder-volume dicot@csi.a', 'cinder-volume dicot@csi.b']);
    assert.deepEqual(rows.filter((r) => onHost(r.host, 'dicot')).length, 3);
    assert.deepEqual(rows.filter((r) => onHost(r.host, 'dicot@csi.a')).map((r) => r.host), ['dicot@csi.a']);
    assert.equal(rows.filter((r) => onHost(r.host, 'dico')).length, 0);
    assert.equal(backendOfHost(bs, 'dicot@csi.a#csi.a')?.name, 'csi.a');
    assert.equal(backendOfHost(bs, 'dicot@csi.b')?.name, 'csi.b');
    assert.equal(backendOfHost(bs, 'dicot'), undefined);
  });
  test('a host shows its volumes and their snapshots per project, then the total, in strings', () => {
    const v = (id: string, projectId: string, typeName: string, size: number) => ({ id, projectId, typeName, size }) as VolumeRecord;
    const s = (volumeId: string, projectId: string, size: number) => ({ volumeId, projectId, size }) as SnapshotRecord;
    const drivers = new Map([['standard', 'csi.b'], ['fast', 'csi.b'], ['gold', 'csi.a']]);
    const rows = hostResources(bs[1] as Backend, [v('a', 'p2', 'standard', 2), v('b', 'p1', 'fast', 3), v('c', 'p1', 'gold', 5)], [s('a', 'p2', 2), s('c', 'p1', 5)], (sc) => drivers.get(sc));
    assert.deepEqual(
      rows.map((r) => [r.resource.project, r.resource.volume_count, r.resource.total_volume_gb, r.resource.snapshot_count, r.resource.total_snapshot_gb]),
      [
        ['p1', '1', '3', '0', '0'],
        ['p2', '1', '2', '1', '2'],
        ['(total)', '2', '5', '1', '2'],
      ],
    );
  });
});

const HOST = `dicot@${CSI_DRIVER}`;

describe('backends: API', () => {
  let gw: TestGateway;
  let admin: string;
  let adminProject: string;
  let demo: string;
  const V = (p: string) => `/RegionOne/volume/v3/${adminProject}/${p}`;
  before(async () => {
    gw = await startTestGateway();
    admin = await gw.adminToken();
    demo = await memberToken(gw, admin, 'bdemo');
    adminProject = (await call(gw, admin, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': admin })).body.token.project.id;
  });
  after(() => gw.close());

  test('services: listed and filtered by host and binary, versioned fields; admins only', async () => {
    const all = await call(gw, admin, 'GET', V('os-services'));
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.services.map((s: { binary: string; host: string }) => `${s.binary} ${s.host}`).sort(), ['cinder-scheduler dicot', `cinder-volume ${HOST}`]);
    const vol = all.body.services.find((s: { host: string }) => s.host === HOST);
    assert.deepEqual(Object.keys(vol).sort(), ['active_backend_id', 'binary', 'disabled_reason', 'frozen', 'host', 'replication_status', 'state', 'status', 'updated_at', 'zone']);
    assert.deepEqual([vol.state, vol.status], ['up', 'enabled']);
    const v349 = await call(gw, admin, 'GET', V('os-services?binary=cinder-volume&host=dicot'), undefined, { 'OpenStack-API-Version': 'volume 3.49' });
    assert.equal(v349.body.services.length, 1);
    assert.ok(v349.body.services.every((s: { cluster?: unknown; backend_state?: string }) => s.cluster === null && s.backend_state === 'up'));
    assert.equal((await call(gw, admin, 'GET', V('os-services?host=nowhere'))).body.services.length, 0);
    const demoProject = (await call(gw, demo, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': demo })).body.token.project.id;
    assert.equal((await call(gw, demo, 'GET', `/RegionOne/volume/v3/${demoProject}/os-services`)).status, 403);
  });

  test('service actions: enabling is a no-op, unknown services 404, a missing reason 400, disabling and freezing 501', async () => {
    const put = (action: string, body: object) => call(gw, admin, 'PUT', V(`os-services/${action}`), body);
    const en = await put('enable', { host: HOST, binary: 'cinder-volume' });
    assert.equal(en.status, 200);
    assert.deepEqual(en.body, { host: HOST, binary: 'cinder-volume', service: 'cinder-volume', status: 'enabled', disabled: false, disabled_reason: null });
    assert.equal((await put('enable', { host: 'invalid_host', binary: 'cinder-volume' })).status, 404);
    assert.equal((await put('disable', { host: HOST, binary: 'invalid_binary' })).status, 404);
    assert.equal((await put('disable-log-reason', { host: HOST, binary: 'cinder-volume', disabled_reason: null })).status, 400);
    assert.equal((await put('freeze', { host: 'invalid_host' })).status, 400);
    assert.equal((await put('thaw', { host: 'invalid_host' })).status, 400);
    const disable = await put('disable', { host: HOST, binary: 'cinder-volume' });
    assert.equal(disable.status, 501);
    assert.ok(disable.body.notImplemented.message);
    assert.equal((await put('freeze', { host: HOST })).status, 501);
  });

  test('pools and capabilities agree on vendor, backend and protocol; the volume host is a pool', async () => {
    const plain = (await call(gw, admin, 'GET', V('scheduler-stats/get_pools'))).body.pools;
    assert.deepEqual(plain, [{ name: `${HOST}#${CSI_DRIVER}` }]);
    const detailed = (await call(gw, admin, 'GET', V('scheduler-stats/get_pools?detail=True'))).body.pools;
    const std = detailed[0];
    assert.equal(std.capabilities.vendor_name, CSI_DRIVER);
    assert.equal(std.capabilities.total_capacity_gb, 'unknown');
    const caps = await call(gw, admin, 'GET', V(`capabilities/${HOST}#${CSI_DRIVER}`));
    assert.equal(caps.status, 200);
    assert.deepEqual([caps.body.vendor_name, caps.body.volume_backend_name, caps.body.storage_protocol], [std.capabilities.vendor_name, std.capabilities.volume_backend_name, std.capabilities.storage_protocol]);
    assert.equal(caps.body.namespace, `OS::Storage::Capabilities::${HOST}`);
    // A new volume type is no new backend.
    const copy = await call(gw, admin, 'POST', V('types'), { volume_type: { name: 'another type' } });
    assert.equal(copy.status, 200);
    assert.equal((await call(gw, admin, 'GET', V('scheduler-stats/get_pools'))).body.pools.length, 1);
    assert.equal((await call(gw, admin, 'DELETE', V(`types/${copy.body.volume_type.id}`))).status, 202);
    assert.equal((await call(gw, admin, 'GET', V('capabilities/dicot@nope'))).status, 404);
  });

  test('hosts: every service listed; a backend host shows its volumes per project', async () => {
    const hosts = (await call(gw, admin, 'GET', V('os-hosts'))).body.hosts;
    assert.deepEqual(hosts.map((h: { host_name: string }) => h.host_name).sort(), ['dicot', HOST]);
    const created = await call(gw, admin, 'POST', V('volumes'), { volume: { size: 1, name: 'on-standard' } });
    assert.equal(created.status, 202);
    const vol = await eventually(async () => {
      const v = (await call(gw, admin, 'GET', V(`volumes/${created.body.volume.id}`))).body.volume;
      return v.status === 'available' ? v : undefined;
    }, 'volume available');
    const host = (vol['os-vol-host-attr:host'] as string).split('#')[0];
    const shown = await call(gw, admin, 'GET', V(`os-hosts/${host}`));
    assert.equal(shown.status, 200);
    const total = shown.body.host.find((r: { resource: { project: string } }) => r.resource.project === '(total)');
    assert.equal(total.resource.volume_count, '1');
    assert.equal(shown.body.host.find((r: { resource: { project: string } }) => r.resource.project === adminProject).resource.total_volume_gb, '1');
    assert.equal((await call(gw, admin, 'GET', V('os-hosts/dicot'))).status, 404, 'the scheduler host holds no volumes');
  });
});
