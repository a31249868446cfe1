import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, memberToken } from '../compute/helpers.ts';
import { type Json, type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// The Cinder API over the sandbox: volumes (blank, clone, from snapshot), metadata, lists,
// actions, snapshots, types, quotas and project isolation.

let gw: TestGateway;
let admin: string;
let demo: string;
let other: string;
let demoProject: string;
let otherProject: string;

const V = (p: string) => `/RegionOne/volume/v3/${p}`;
const MV = (v: string) => ({ 'OpenStack-API-Version': `volume ${v}` });

async function projectOf(token: string): Promise<string> {
  const r = await call(gw, token, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': token });
  return r.body.token.project.id;
}

async function waitStatus(token: string, p: string, kind: 'volumes' | 'snapshots', id: string, status: string): Promise<Json> {
  return eventually(async () => {
    const r = await call(gw, token, 'GET', `${V(p)}/${kind}/${id}`);
    const obj = r.body?.volume ?? r.body?.snapshot;
    return obj?.status === status ? obj : undefined;
  }, `${kind} ${id} ${status}`);
}

async function gone(token: string, p: string, kind: 'volumes' | 'snapshots', id: string): Promise<void> {
  await eventually(async () => ((await call(gw, token, 'GET', `${V(p)}/${kind}/${id}`)).status === 404 ? true : undefined), `${kind} ${id} gone`);
}

before(async () => {
  gw = await startTestGateway();
  admin = await gw.adminToken();
  demo = await memberToken(gw, admin, 'vdemo');
  other = await memberToken(gw, admin, 'vother');
  demoProject = await projectOf(demo);
  otherProject = await projectOf(other);
});
after(() => gw.close());

test('create, show, update, list, delete a blank volume', async () => {
  const c = await call(gw, demo, 'POST', `${V(demoProject)}/volumes`, { volume: { size: 1, name: 'v1', metadata: { a: 'b' } } });
  assert.equal(c.status, 202, JSON.stringify(c.body));
  const v = c.body.volume;
  assert.equal(v.status, 'creating');
  assert.equal(v.bootable, 'false');
  assert.equal(v.volume_type, 'standard');
  assert.ok(!('os-vol-tenant-attr:tenant_id' in v), 'create shows the base view');
  assert.equal(c.headers.get('openstack-api-version'), 'volume 3.0');
  const shown = await waitStatus(demo, demoProject, 'volumes', v.id, 'available');
  assert.equal(shown['os-vol-tenant-attr:tenant_id'], demoProject);
  assert.ok(!('os-vol-host-attr:host' in shown), 'host is admin-only');
  assert.deepEqual(shown.metadata, { a: 'b' });

  const u = await call(gw, demo, 'PUT', `${V(demoProject)}/volumes/${v.id}`, { volume: { name: 'v1-renamed', description: 'd' } });
  assert.equal(u.status, 200);
  assert.equal(u.body.volume.name, 'v1-renamed');

  const list = await call(gw, demo, 'GET', `${V(demoProject)}/volumes`);
  assert.deepEqual(Object.keys(list.body.volumes[0]).sort(), ['id', 'links', 'name']);
  const byName = await call(gw, demo, 'GET', `${V(demoProject)}/volumes/detail?name=v1-renamed&status=available`);
  assert.deepEqual(byName.body.volumes.map((x: Json) => x.id), [v.id]);
  const meta = await call(gw, demo, 'GET', `${V(demoProject)}/volumes/detail?metadata=${encodeURIComponent("{'a': 'b'}")}`);
  assert.equal(meta.body.volumes.length, 1);
  assert.equal((await call(gw, demo, 'GET', `${V(demoProject)}/volumes?status=nonsense`)).body.volumes.length, 0);

  const adminView = await call(gw, admin, 'GET', `${V(await projectOf(admin))}/volumes/${v.id}`, undefined, MV('3.69'));
  assert.equal(adminView.status, 200);
  assert.match(adminView.body.volume['os-vol-host-attr:host'], /.+@.+#.+/);
  assert.equal(adminView.body.volume.consumes_quota, true);
  assert.equal(typeof adminView.body.volume.volume_type_id, 'string');

  assert.equal((await call(gw, demo, 'DELETE', `${V(demoProject)}/volumes/${v.id}`)).status, 202);
  await gone(demo, demoProject, 'volumes', v.id);
});

test('bad input answers Cinder faults and writes nothing', async () => {
  const p = V(demoProject);
  for (const size of [0, -1, '#$%']) {
    const r = await call(gw, demo, 'POST', `${p}/volumes`, { volume: { size } });
    assert.equal(r.status, 400, `size ${size}`);
    assert.ok(r.body.badRequest.message);
  }
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes`, { volume: { name: 'x' } })).status, 400);
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes`, { volume: { size: 1, volume_type: 'nope' } })).status, 404);
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes`, { volume: { size: 1, snapshot_id: crypto.randomUUID() } })).status, 404);
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes`, { volume: { size: 1, source_volid: crypto.randomUUID() } })).status, 404);
  assert.equal((await call(gw, demo, 'GET', `${p}/volumes/${crypto.randomUUID()}`)).status, 404);
  assert.equal((await call(gw, demo, 'GET', `${p}/volumes/not-a-uuid`)).status, 404);
  assert.equal((await call(gw, demo, 'DELETE', `${p}/volumes/`)).status, 404);
  assert.equal((await call(gw, demo, 'PUT', `${p}/volumes/`, { volume: { name: 'x' } })).status, 404);
  assert.equal((await call(gw, demo, 'GET', `${p}/volumes/`)).status, 404);
  assert.equal((await call(gw, demo, 'GET', `${V(otherProject)}/volumes`)).status, 400, 'another project in the URL');
  assert.equal((await call(gw, demo, 'GET', `${p}/volumes`)).body.volumes.length, 0);
});

test('snapshots, volumes from snapshots and clones, metadata, actions', async () => {
  const p = V(demoProject);
  const v = (await call(gw, demo, 'POST', `${p}/volumes`, { volume: { size: 1, name: 'src' } })).body.volume;
  await waitStatus(demo, demoProject, 'volumes', v.id, 'available');

  const m = await call(gw, demo, 'POST', `${p}/volumes/${v.id}/metadata`, { metadata: { k1: 'v1', k2: 'v2' } });
  assert.deepEqual(m.body.metadata, { k1: 'v1', k2: 'v2' });
  assert.deepEqual((await call(gw, demo, 'PUT', `${p}/volumes/${v.id}/metadata/k1`, { meta: { k1: 'x' } })).body, { meta: { k1: 'x' } });
  assert.equal((await call(gw, demo, 'DELETE', `${p}/volumes/${v.id}/metadata/k2`)).status, 200);
  assert.deepEqual((await call(gw, demo, 'GET', `${p}/volumes/${v.id}/metadata`)).body.metadata, { k1: 'x' });

  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${v.id}/action`, { 'os-set_bootable': { bootable: true } })).status, 200);
  assert.equal((await call(gw, demo, 'GET', `${p}/volumes/${v.id}`)).body.volume.bootable, 'true');
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${v.id}/action`, { 'os-update_readonly_flag': { readonly: true } })).status, 202);
  assert.equal((await call(gw, demo, 'GET', `${p}/volumes/${v.id}`)).body.volume.metadata.readonly, 'True');
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${v.id}/action`, { 'os-reset_status': { status: 'error' } })).status, 403);
  const im = await call(gw, demo, 'POST', `${p}/volumes/${v.id}/action`, { 'os-set_image_metadata': { metadata: { os_distro: 'cirros', x: 'y' } } });
  assert.deepEqual(im.body, { metadata: { os_distro: 'cirros', x: 'y' } });
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${v.id}/action`, { 'os-unset_image_metadata': { key: 'x' } })).status, 200);
  assert.deepEqual((await call(gw, demo, 'GET', `${p}/volumes/${v.id}`)).body.volume.volume_image_metadata, { os_distro: 'cirros' });

  const s = await call(gw, demo, 'POST', `${p}/snapshots`, { snapshot: { volume_id: v.id, name: 'snap', metadata: { s: '1' } } });
  assert.equal(s.status, 202, JSON.stringify(s.body));
  const snap = await waitStatus(demo, demoProject, 'snapshots', s.body.snapshot.id, 'available');
  assert.equal(snap['os-extended-snapshot-attributes:progress'], '100%');
  assert.equal((await call(gw, demo, 'POST', `${p}/snapshots/${snap.id}/action`, { 'os-update_snapshot_status': { status: 'error' } })).status, 400, 'not from available');
  assert.equal(snap.size, 1);
  const snaps = await call(gw, demo, 'GET', `${p}/snapshots?limit=1`);
  assert.equal(snaps.body.snapshots.length, 1);
  assert.ok(snaps.body.snapshots_links, 'a full page has a next link');
  assert.equal((await call(gw, demo, 'GET', `${p}/snapshots?limit=0`)).body.snapshots.length, 0);
  assert.equal((await call(gw, demo, 'GET', `${p}/snapshots?limit=0&with_count=true`, undefined, MV('3.45'))).body.count, 1);
  assert.ok(!('count' in (await call(gw, demo, 'GET', `${p}/snapshots?with_count=true`)).body), 'count is 3.45+');

  assert.equal((await call(gw, demo, 'DELETE', `${p}/volumes/${v.id}`)).status, 400, 'a volume with snapshots stays');

  const fromSnap = (await call(gw, demo, 'POST', `${p}/volumes`, { volume: { snapshot_id: snap.id } })).body.volume;
  assert.equal(fromSnap.size, 1);
  assert.equal(fromSnap.snapshot_id, snap.id);
  const clone = (await call(gw, demo, 'POST', `${p}/volumes`, { volume: { source_volid: v.id, size: 2 } })).body.volume;
  assert.equal(clone.source_volid, v.id);
  await waitStatus(demo, demoProject, 'volumes', fromSnap.id, 'available');
  await waitStatus(demo, demoProject, 'volumes', clone.id, 'available');

  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${clone.id}/action`, { 'os-extend': { new_size: 1 } })).status, 400);
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${clone.id}/action`, { 'os-extend': { new_size: 3 } })).status, 202);
  const extended = await waitStatus(demo, demoProject, 'volumes', clone.id, 'available');
  assert.equal(extended.size, 3);

  // Another project sees none of it.
  assert.equal((await call(gw, other, 'GET', `${V(otherProject)}/volumes/${v.id}`)).status, 404);
  assert.equal((await call(gw, other, 'DELETE', `${V(otherProject)}/volumes/${v.id}`)).status, 404);
  assert.equal((await call(gw, other, 'GET', `${V(otherProject)}/snapshots/${snap.id}`)).status, 404);
  assert.equal((await call(gw, other, 'GET', `${V(otherProject)}/snapshots`)).body.snapshots.length, 0);

  assert.equal((await call(gw, demo, 'DELETE', `${p}/snapshots/${snap.id}`)).status, 202);
  await gone(demo, demoProject, 'snapshots', snap.id);
  for (const id of [v.id, fromSnap.id, clone.id]) assert.equal((await call(gw, demo, 'DELETE', `${p}/volumes/${id}`)).status, 202);
});

test('types, zones, limits, quotas, extensions', async () => {
  const p = V(demoProject);
  const types = (await call(gw, demo, 'GET', `${p}/types`)).body.volume_types;
  assert.deepEqual(types.map((t: Json) => t.name).sort(), ['fast', 'standard']);
  assert.equal((await call(gw, demo, 'GET', `${p}/types/default`)).body.volume_type.name, 'standard');
  assert.equal((await call(gw, demo, 'POST', `${p}/types`, { volume_type: { name: 'gold' } })).status, 403);
  const ap = await projectOf(admin);
  const gold = await call(gw, admin, 'POST', `${V(ap)}/types`, { volume_type: { name: 'Gold Tier', extra_specs: { storage_class: 'fast' } } });
  assert.equal(gold.status, 200, JSON.stringify(gold.body));
  assert.equal(gold.body.volume_type.name, 'Gold Tier');
  const vol = await call(gw, demo, 'POST', `${p}/volumes`, { volume: { size: 1, volume_type: 'Gold Tier' } });
  assert.equal(vol.body.volume.volume_type, 'Gold Tier');
  await waitStatus(demo, demoProject, 'volumes', vol.body.volume.id, 'available');
  assert.equal((await call(gw, admin, 'DELETE', `${V(ap)}/types/${gold.body.volume_type.id}`)).status, 400, 'in use');

  // Tempest sends a JSON content type on every GET, with no body.
  const zones = (await call(gw, demo, 'GET', `${p}/os-availability-zone`, undefined, { 'content-type': 'application/json' })).body.availabilityZoneInfo;
  assert.ok(zones.length > 0 && zones.every((z: Json) => z.zoneState.available));
  const limits = (await call(gw, demo, 'GET', `${p}/limits`)).body.limits.absolute;
  assert.equal(limits.totalVolumesUsed, 1);
  assert.equal(limits.maxTotalVolumes, 10);
  assert.ok((await call(gw, demo, 'GET', `${p}/extensions`)).body.extensions.length > 0);

  // Over quota: 413 and nothing written.
  assert.equal((await call(gw, demo, 'PUT', `${p}/os-quota-sets/${demoProject}`, { quota_set: { volumes: 1 } })).status, 403);
  const q = await call(gw, admin, 'PUT', `${V(ap)}/os-quota-sets/${demoProject}`, { quota_set: { volumes: 1 } });
  assert.equal(q.status, 200, JSON.stringify(q.body));
  const over = await call(gw, demo, 'POST', `${p}/volumes`, { volume: { size: 1 } });
  assert.equal(over.status, 413);
  assert.ok(over.body.overLimit);
  assert.equal((await call(gw, demo, 'GET', `${p}/volumes`)).body.volumes.length, 1);
  const usage = await call(gw, demo, 'GET', `${p}/os-quota-sets/${demoProject}?usage=true`);
  assert.deepEqual(usage.body.quota_set.volumes, { limit: 1, in_use: 1, reserved: 0, allocated: 0 });
  // Snapshots count against gigabytes, as in Cinder.
  await call(gw, admin, 'PUT', `${V(ap)}/os-quota-sets/${demoProject}`, { quota_set: { volumes: 10, gigabytes: 1 } });
  const snapOver = await call(gw, demo, 'POST', `${p}/snapshots`, { snapshot: { volume_id: vol.body.volume.id } });
  assert.equal(snapOver.status, 413);
  assert.equal((await call(gw, demo, 'GET', `${p}/snapshots`)).body.snapshots.length, 0);
  assert.equal((await call(gw, admin, 'DELETE', `${V(ap)}/os-quota-sets/${demoProject}`)).status, 200);
  assert.equal((await call(gw, demo, 'GET', `${p}/os-quota-sets/${demoProject}`)).body.quota_set.volumes, 10);

  // Per-type keys carry the type's name (its StorageClass is named otherwise).
  const byType = (await call(gw, demo, 'GET', `${p}/os-quota-sets/${demoProject}?usage=true`)).body.quota_set;
  assert.deepEqual(byType['volumes_Gold Tier'], { limit: -1, in_use: 1, reserved: 0, allocated: 0 });
  assert.equal((await call(gw, admin, 'PUT', `${V(ap)}/os-quota-sets/${demoProject}`, { quota_set: { 'volumes_Gold Tier': 1 } })).status, 200);
  const typeOver = await call(gw, demo, 'POST', `${p}/volumes`, { volume: { size: 1, volume_type: 'Gold Tier' } });
  assert.equal(typeOver.status, 413);
  assert.match(typeOver.body.overLimit.message, /exceeded for quota 'volumes_Gold Tier'/);
  assert.equal((await call(gw, admin, 'PUT', `${V(ap)}/os-quota-sets/${demoProject}`, { quota_set: { volumes_nosuchtype: 1 } })).status, 400);
  assert.equal((await call(gw, admin, 'DELETE', `${V(ap)}/os-quota-sets/${demoProject}`)).status, 200);

  // The default quota class: the quotas of every project without its own.
  const QC = `${V(ap)}/os-quota-class-sets/default`;
  assert.equal((await call(gw, demo, 'GET', `${p}/os-quota-class-sets/default`)).status, 403);
  const cls = (await call(gw, admin, 'GET', QC)).body.quota_class_set;
  assert.deepEqual([cls.id, cls.volumes, cls['volumes_Gold Tier']], ['default', 10, -1]);
  assert.equal((await call(gw, admin, 'PUT', `${V(ap)}/os-quota-class-sets/gold`, { quota_class_set: { volumes: 1 } })).status, 400);
  assert.equal((await call(gw, admin, 'PUT', QC, { quota_class_set: { volumes: -5 } })).status, 400);
  const upd = await call(gw, admin, 'PUT', QC, { quota_class_set: { volumes: 12, 'gigabytes_Gold Tier': 7 } });
  assert.equal(upd.status, 200, JSON.stringify(upd.body));
  assert.deepEqual([upd.body.quota_class_set.volumes, upd.body.quota_class_set['gigabytes_Gold Tier'], 'id' in upd.body.quota_class_set], [12, 7, false]);
  try {
    const d = (await call(gw, demo, 'GET', `${p}/os-quota-sets/${demoProject}/defaults`)).body.quota_set;
    assert.deepEqual([d.volumes, d['gigabytes_Gold Tier']], [12, 7]);
    assert.equal((await call(gw, demo, 'GET', `${p}/os-quota-sets/${demoProject}`)).body.quota_set.volumes, 12);
  } finally {
    assert.equal((await call(gw, admin, 'PUT', QC, { quota_class_set: { volumes: 10, 'gigabytes_Gold Tier': -1 } })).status, 200);
  }
  assert.equal((await call(gw, demo, 'DELETE', `${p}/volumes/${vol.body.volume.id}`)).status, 202);
});
