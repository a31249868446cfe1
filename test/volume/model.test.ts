import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiVersion } from '../../src/core/microversion.ts';
import { nextDevice } from '../../src/compute/volume-attachments.ts';
import { type DataVolume, type Pvc, type VolumeSnapshot, VA, VL, attachmentIdOf, gibOf, snapshotStatus, toVolume, volumeStatus } from '../../src/volume/model.ts';
import { pageRecords, parseListQuery, parseMetadataFilter } from '../../src/volume/query.ts';
import { hardKeyOf, resourceQuotaFor, toQuotas } from '../../src/volume/quotas.ts';
import { snapshotView, volumeView } from '../../src/volume/views.ts';

// The pure parts of block storage: the status table, record mapping, views per
// microversion, list parameters and quota mapping.

const ID = '0b6ddd39-b948-471f-8038-4787978747c4';
const dv = (phase: string | undefined, extra: Partial<DataVolume['metadata']> = {}): DataVolume => ({
  metadata: { name: 'data-0b6ddd39', namespace: 'p1', uid: 'u', creationTimestamp: '2026-01-02T03:04:05Z', labels: { [VL.volumeId]: ID }, annotations: { [VA.name]: 'data', [VA.projectId]: 'p', [VA.userId]: 'u1', [VA.zone]: 'zone-a' }, ...extra },
  spec: { storage: { storageClassName: 'standard', resources: { requests: { storage: '2Gi' } } } },
  ...(phase ? { status: { phase } } : {}),
});
const pvc = (phase: string, request = '2Gi', capacity = '2Gi'): Pvc => ({
  metadata: { name: 'data-0b6ddd39', namespace: 'p1' },
  spec: { storageClassName: 'standard', resources: { requests: { storage: request } } },
  status: { phase, capacity: { storage: capacity } },
});

test('the status table, row by row', () => {
  assert.equal(volumeStatus(dv('Succeeded', { deletionTimestamp: '2026-01-01T00:00:00Z' }), pvc('Bound'), false).status, 'deleting');
  const reset = dv('Succeeded');
  reset.metadata.annotations = { ...reset.metadata.annotations, [VA.statusOverride]: 'error' };
  assert.equal(volumeStatus(reset, pvc('Bound'), true).status, 'error');
  assert.equal(volumeStatus(dv('Failed'), pvc('Bound'), false).status, 'error');
  assert.equal(volumeStatus(dv('ImportInProgress'), pvc('Bound'), false).status, 'creating');
  assert.equal(volumeStatus(dv('Succeeded'), pvc('Pending'), false).status, 'creating');
  assert.equal(volumeStatus(dv('Succeeded'), undefined, false).status, 'creating');
  assert.equal(volumeStatus(dv('Succeeded'), pvc('Bound', '3Gi', '2Gi'), false).status, 'extending');
  assert.equal(volumeStatus(dv('Succeeded'), pvc('Bound'), true).status, 'in-use');
  assert.equal(volumeStatus(dv('Succeeded'), pvc('Bound'), false).status, 'available');
});

test('snapshot status: deleting, reset, error, readyToUse', () => {
  const vs = (status: VolumeSnapshot['status'], meta: Partial<VolumeSnapshot['metadata']> = {}): VolumeSnapshot => ({ metadata: { name: 's', ...meta }, spec: {}, ...(status ? { status } : {}) });
  assert.equal(snapshotStatus(vs({ readyToUse: true }, { deletionTimestamp: 'x' })), 'deleting');
  assert.equal(snapshotStatus(vs({ readyToUse: true }, { annotations: { [VA.statusOverride]: 'error' } })), 'error');
  assert.equal(snapshotStatus(vs({ readyToUse: false, error: { message: 'no' } })), 'error');
  assert.equal(snapshotStatus(vs({ readyToUse: true })), 'available');
  assert.equal(snapshotStatus(vs(undefined)), 'creating');
});

test('sizes are whole GiB, rounded up', () => {
  assert.equal(gibOf('1Gi'), 1);
  assert.equal(gibOf('1536Mi'), 2);
  assert.equal(gibOf('2G'), 2);
  assert.equal(gibOf('nonsense'), undefined);
});

test('record and views: base at 3.0, extension keys on show, per-version keys', () => {
  const r = toVolume(dv('Succeeded'), pvc('Bound'), [{ serverId: 's1', attachmentId: attachmentIdOf(ID, 's1'), device: '/dev/sdb', attachedAt: '2026-01-02T03:04:05Z', hostName: null }]);
  assert.equal(r.id, ID);
  assert.equal(r.size, 2);
  assert.equal(r.status, 'in-use');
  const member = { version: new ApiVersion(3, 0), isAdmin: false, projectId: 'p', root: 'http://h/R/volume' };
  const created = volumeView(member, r, 'create', { id: 't', name: 'standard' });
  assert.deepEqual(Object.keys(created).sort(), ['attachments', 'availability_zone', 'bootable', 'consistencygroup_id', 'created_at', 'description', 'encrypted', 'id', 'links', 'metadata', 'multiattach', 'name', 'replication_status', 'size', 'snapshot_id', 'source_volid', 'status', 'updated_at', 'user_id', 'volume_type']);
  assert.equal(created.bootable, 'false');
  assert.equal(created.created_at, '2026-01-02T03:04:05.000000');
  assert.deepEqual((created.attachments as unknown[])[0], { id: ID, attachment_id: attachmentIdOf(ID, 's1'), volume_id: ID, server_id: 's1', host_name: null, device: '/dev/sdb', attached_at: '2026-01-02T03:04:05.000000' });
  assert.equal(volumeView(member, r, 'show', undefined)['os-vol-tenant-attr:tenant_id'], 'p');
  assert.ok(!('os-vol-host-attr:host' in volumeView(member, r, 'show', undefined)));
  const admin = { ...member, isAdmin: true, version: new ApiVersion(3, 70) };
  const latest = volumeView(admin, r, 'show', { id: 't', name: 'standard', backend: 'csi.example' });
  assert.equal(latest['os-vol-host-attr:host'], 'dicot@csi.example#csi.example');
  for (const k of ['group_id', 'provider_id', 'service_uuid', 'shared_targets', 'cluster_name', 'volume_type_id', 'consumes_quota', 'migration_status']) assert.ok(k in latest, k);
  assert.ok(!('cluster_name' in volumeView({ ...member, version: new ApiVersion(3, 70) }, r, 'show', undefined)), 'cluster_name is admin-only');
  assert.ok(!('group_id' in volumeView({ ...member, version: new ApiVersion(3, 12) }, r, 'show', undefined)));
  assert.ok('group_id' in volumeView({ ...member, version: new ApiVersion(3, 13) }, r, 'show', undefined));
  const snap = { id: 's', name: null, description: null, status: 'available', size: 1, volumeId: ID, metadata: {}, projectId: 'p', userId: 'u', createdAt: '2026-01-02T03:04:05Z', updatedAt: null, progress: '100%', namespace: 'p1', object: 's', resourceVersion: '1' };
  assert.ok(!('os-extended-snapshot-attributes:progress' in snapshotView(member, snap, 'create')));
  assert.equal(snapshotView(member, snap, 'show')['os-extended-snapshot-attributes:progress'], '100%');
  assert.ok('user_id' in snapshotView({ ...member, version: new ApiVersion(3, 41) }, snap, 'create'));
});

test('list parameters: sort, filters, offset, limit/marker and the full-page next link', () => {
  const q = parseListQuery(new URLSearchParams('sort=name:asc&display_name=x&offset=1&limit=2'));
  assert.deepEqual(q.sort.map((s) => `${s.key}:${s.dir}`), ['name:asc', 'created_at:desc', 'id:desc']);
  assert.deepEqual(q.filters, { name: 'x' });
  assert.throws(() => parseListQuery(new URLSearchParams('sort_key=bogus')), /Invalid sort key/);
  assert.throws(() => parseListQuery(new URLSearchParams('sort_dir=up')), /Invalid sort direction/);
  assert.throws(() => parseListQuery(new URLSearchParams('limit=-1')), /non-negative/);
  const items = ['a', 'b', 'c'].map((id, i) => ({ id, name: id, status: 'available', createdAt: `2026-01-0${i + 1}T00:00:00Z`, updatedAt: null, size: 1 }));
  const page = pageRecords(items, parseListQuery(new URLSearchParams('limit=1&sort_key=id&sort_dir=asc')), 'volumes');
  assert.deepEqual(page, { items: [items[0]], next: 'a' });
  const last = pageRecords(items, parseListQuery(new URLSearchParams('limit=1&sort_key=id&sort_dir=asc&marker=c')), 'volumes');
  assert.deepEqual(last, { items: [], next: undefined });
  assert.equal(pageRecords(items, parseListQuery(new URLSearchParams('offset=2&limit=3')), 'v').items.length, 1);
  assert.deepEqual(parseMetadataFilter("{'Type': 'work'}"), { Type: 'work' });
  assert.deepEqual(parseMetadataFilter('{"a":"b"}'), { a: 'b' });
});

test('quotas: Kubernetes-enforceable keys are hard limits, the rest annotations', () => {
  assert.equal(hardKeyOf('volumes'), 'persistentvolumeclaims');
  assert.equal(hardKeyOf('gigabytes_fast'), 'fast.storageclass.storage.k8s.io/requests.storage');
  assert.equal(hardKeyOf('backups'), undefined);
  const rq = resourceQuotaFor('ns', { ...toQuotas(undefined, ['fast']), volumes: 5, gigabytes: 50, backups: 3, volumes_fast: -1 });
  assert.deepEqual(rq.spec?.hard, { persistentvolumeclaims: '5', 'requests.storage': '50Gi', 'count/volumesnapshots.snapshot.storage.k8s.io': '10' });
  const back = toQuotas(rq, ['fast']);
  assert.equal(back.volumes, 5);
  assert.equal(back.gigabytes, 50);
  assert.equal(back.backups, 3);
  assert.equal(back.volumes_fast, -1);
  assert.equal(toQuotas(undefined, []).volumes, 10);
});

test('attachment ids are stable and distinct; devices fill the next free letter', () => {
  assert.equal(attachmentIdOf(ID, 's1'), attachmentIdOf(ID, 's1'));
  assert.notEqual(attachmentIdOf(ID, '7fa563fe-f0f7-43eb-9e22-a1ece036b513'), attachmentIdOf(ID, '52e9045a-e90d-4c0d-9087-79d657faffff'));
  assert.match(attachmentIdOf(ID, '52e9045a-e90d-4c0d-9087-79d657faffff'), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(nextDevice([]), '/dev/sdb');
  assert.equal(nextDevice(['/dev/sdb', '/dev/sdc']), '/dev/sdd');
  assert.equal(nextDevice(['/dev/sdc']), '/dev/sdb');
});
