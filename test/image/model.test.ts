import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiFault } from '../../src/core/faults.ts';
import { qcow2VirtualSize, serviceProxyPath, volumeBytes } from '../../src/image/data.ts';
import { addMember, membersVisibleTo, removeMember, updateMember } from '../../src/image/members.ts';
import { type DataSource, type ImageRecord, canSee, effective, imageAnnotations, imageView, objectName, toImage } from '../../src/image/model.ts';
import { listable, pageOf, parseImageQuery, sortImages } from '../../src/image/query.ts';
import { applyPatch, fieldsForCreate } from '../../src/image/rules.ts';

const OWNER = { projectId: 'p1', isAdmin: false };
const OTHER = { projectId: 'p2', isAdmin: false };
const ADMIN = { projectId: 'pa', isAdmin: true };

function ds(overrides: Record<string, string> = {}, id = '11111111-2222-3333-4444-555555555555'): DataSource {
  return {
    metadata: {
      name: objectName('x', id),
      namespace: 'ns1',
      uid: 'uid-1',
      resourceVersion: '7',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { 'openstack.dicot.io/kind': 'image', 'openstack.dicot.io/image-id': id },
      annotations: { 'openstack.dicot.io/owner': 'p1', 'openstack.dicot.io/name': 'x', ...overrides },
    },
    spec: { source: {} },
  };
}

const fault = (status: number) => (e: unknown) => e instanceof ApiFault && e.status === status;

test('a DataSource maps to an image and back through annotations', () => {
  const { fields } = fieldsForCreate({ name: 'cirros', disk_format: 'qcow2', container_format: 'bare', tags: ['a', 'a', 'b'], os_distro: 'cirros', min_ram: 64 }, OWNER);
  assert.deepEqual(fields.tags, ['a', 'b']);
  const ann = imageAnnotations({ ...fields, status: 'queued', size: null, virtualSize: null, checksum: null, hashAlgo: null, hashValue: null, members: [], updatedAt: '2026-01-02T00:00:00Z', registryUrl: undefined, import: undefined });
  const r = toImage(ds(Object.fromEntries(Object.entries(ann).filter(([, v]) => v !== null)) as Record<string, string>));
  const view = imageView(r);
  assert.equal(view.name, 'cirros');
  assert.equal(view.os_distro, 'cirros');
  assert.equal(view.min_ram, 64);
  assert.equal(view.status, 'queued');
  assert.equal(view.visibility, 'shared');
  assert.equal(view.checksum, null);
  assert.equal(view.self, `/v2/images/${r.id}`);
  assert.equal(view.updated_at, '2026-01-02T00:00:00Z');
});

test('annotations edited by hand fall back to safe values', () => {
  const r = toImage(ds({ 'openstack.dicot.io/status': 'bogus', 'openstack.dicot.io/tags': '{not json', 'openstack.dicot.io/min-disk': '-3', 'openstack.dicot.io/visibility': 'x' }));
  assert.equal(r.status, 'queued');
  assert.deepEqual(r.tags, []);
  assert.equal(r.minDisk, 0);
  assert.equal(r.visibility, 'shared');
});

test('object names are readable DNS labels', () => {
  assert.equal(objectName('Ubuntu 24.04 LTS (Noble)', 'abcdef01-2222-3333-4444-555555555555'), 'ubuntu-24-04-lts-noble-abcdef01');
  assert.equal(objectName(null, 'abcdef01-2222'), 'image-abcdef01');
  assert.ok(objectName('x'.repeat(300), 'abcdef01').length <= 63);
});

test('create: read-only 403, reserved 403, bad formats 400, publicize needs admin, id must be a UUID', () => {
  assert.throws(() => fieldsForCreate({ status: 'active' }, OWNER), fault(403));
  assert.throws(() => fieldsForCreate({ checksum: 'x' }, OWNER), fault(403));
  assert.throws(() => fieldsForCreate({ location: 'x' }, OWNER), fault(403));
  assert.throws(() => fieldsForCreate({ os_glance_x: 'x' }, OWNER), fault(403));
  assert.throws(() => fieldsForCreate({ disk_format: 'floppy' }, OWNER), fault(400));
  assert.throws(() => fieldsForCreate({ container_format: 'zip' }, OWNER), fault(400));
  assert.throws(() => fieldsForCreate({ min_disk: -1 }, OWNER), fault(400));
  assert.throws(() => fieldsForCreate({ protected: 'yes' }, OWNER), fault(400));
  assert.throws(() => fieldsForCreate({ custom: 5 }, OWNER), fault(400));
  assert.throws(() => fieldsForCreate({ name: 'n'.repeat(256) }, OWNER), fault(400));
  assert.throws(() => fieldsForCreate({ visibility: 'public' }, OWNER), fault(403));
  assert.throws(() => fieldsForCreate({ id: 'not-a-uuid' }, OWNER), fault(400));
  assert.equal(fieldsForCreate({ visibility: 'public' }, ADMIN).fields.visibility, 'public');
  assert.equal(fieldsForCreate({ visibility: 'community' }, OWNER).fields.visibility, 'community');
  assert.equal(fieldsForCreate({ id: 'ABCDEF0122223333444455555555AAAA' }, OWNER).id, 'abcdef01-2222-3333-4444-55555555aaaa');
});

test('JSON patch follows Glance: add/replace/remove, read-only, core, missing properties', () => {
  const r = toImage(ds({ 'openstack.dicot.io/properties': '{"a":"1"}' }));
  const f = applyPatch(r, [
    { op: 'replace', path: '/name', value: 'new' },
    { op: 'add', path: '/b', value: '2' },
    { op: 'replace', path: '/a', value: '3' },
    { op: 'add', path: '/tags', value: ['t'] },
    { op: 'add', path: '/min_disk', value: 2 },
  ], OWNER, 'queued');
  assert.equal(f.name, 'new');
  assert.deepEqual(f.properties, { a: '3', b: '2' });
  assert.deepEqual(f.tags, ['t']);
  assert.equal(f.minDisk, 2);
  assert.deepEqual(applyPatch(r, [{ op: 'remove', path: '/a' }], OWNER, 'queued').properties, {});
  assert.throws(() => applyPatch(r, [{ op: 'replace', path: '/status', value: 'active' }], OWNER, 'queued'), fault(403));
  assert.throws(() => applyPatch(r, [{ op: 'replace', path: '/id', value: 'x' }], OWNER, 'queued'), fault(403));
  assert.throws(() => applyPatch(r, [{ op: 'remove', path: '/name' }], OWNER, 'queued'), fault(403));
  assert.throws(() => applyPatch(r, [{ op: 'remove', path: '/nope' }], OWNER, 'queued'), fault(409));
  assert.throws(() => applyPatch(r, [{ op: 'replace', path: '/nope', value: 'x' }], OWNER, 'queued'), fault(409));
  assert.throws(() => applyPatch(r, [{ op: 'move', path: '/a' }], OWNER, 'queued'), fault(400));
  assert.throws(() => applyPatch(r, [{ op: 'add', path: '/a' }], OWNER, 'queued'), fault(400));
  assert.throws(() => applyPatch(r, [{ op: 'replace', path: '/disk_format', value: 'raw' }], OWNER, 'active'), fault(403));
  assert.throws(() => applyPatch(r, [{ op: 'replace', path: '/owner', value: 'p9' }], OWNER, 'queued'), fault(403));
  assert.equal(applyPatch(r, [{ op: 'replace', path: '/owner', value: 'p9' }], ADMIN, 'queued').owner, 'p9');
  assert.throws(() => applyPatch(r, [{ op: 'add', path: '/locations/-', value: {} }], OWNER, 'queued'), fault(403));
});

function rec(over: Partial<ImageRecord>): ImageRecord {
  return { ...toImage(ds()), ...over };
}

test('visibility: who sees and who lists what', () => {
  const priv = rec({ visibility: 'private' });
  const shared = rec({ visibility: 'shared', members: [{ memberId: 'p2', status: 'pending', createdAt: 'x', updatedAt: 'x' }] });
  const community = rec({ visibility: 'community' });
  const pub = rec({ visibility: 'public' });
  assert.equal(canSee(priv, OTHER), false);
  assert.equal(canSee(priv, OWNER), true);
  assert.equal(canSee(priv, ADMIN), true);
  assert.equal(canSee(shared, OTHER), true);
  assert.equal(canSee(community, OTHER), true);
  const q = (s: string) => parseImageQuery(new URLSearchParams(s));
  assert.equal(listable(shared, OTHER, q('')), false, 'pending members do not list it');
  assert.equal(listable(shared, OTHER, q('member_status=pending')), true);
  assert.equal(listable(shared, OTHER, q('visibility=shared&member_status=all')), true);
  assert.equal(listable(community, OTHER, q('')), false, 'community images are listed only on request');
  assert.equal(listable(community, OTHER, q('visibility=community')), true);
  assert.equal(listable(pub, OTHER, q('')), true);
  assert.equal(listable(priv, ADMIN, q('')), true);
});

test('list query: filters, sort, pagination, and 400s', () => {
  const a = rec({ id: 'a', name: 'alpha', size: 10, createdAt: '2026-01-01T00:00:00Z', tags: ['x'] });
  const b = rec({ id: 'b', name: 'beta', size: 20, createdAt: '2026-01-02T00:00:00Z', tags: ['x', 'y'], properties: { os_distro: 'debian' } });
  const c = rec({ id: 'c', name: 'gamma', size: null, createdAt: '2026-01-03T00:00:00Z' });
  const all = [a, b, c];
  const run = (s: string) => {
    const q = parseImageQuery(new URLSearchParams(s));
    return sortImages(all.filter((r) => q.filters.every((f) => f(r))), q.sort).map((r) => r.id);
  };
  assert.deepEqual(run(''), ['c', 'b', 'a'], 'newest first by default');
  assert.deepEqual(run('sort_key=name&sort_dir=asc'), ['a', 'b', 'c']);
  assert.deepEqual(run('sort=size:desc'), ['b', 'a', 'c']);
  assert.deepEqual(run('tag=x&tag=y'), ['b']);
  assert.deepEqual(run('size_min=15'), ['b']);
  assert.deepEqual(run('size_max=15'), ['a']);
  assert.deepEqual(run('size=20'), ['b']);
  assert.deepEqual(run('name=in:alpha,"gamma"'), ['c', 'a']);
  assert.deepEqual(run('created_at=gt:2026-01-01T12:00:00Z'), ['c', 'b']);
  assert.deepEqual(run('os_distro=debian'), ['b']);
  const p1 = pageOf(sortImages(all, [{ key: 'name', dir: 'asc' }]), { limit: 2, marker: undefined });
  assert.deepEqual([p1.items.map((r) => r.id), p1.next], [['a', 'b'], 'b']);
  const p2 = pageOf(sortImages(all, [{ key: 'name', dir: 'asc' }]), { limit: 2, marker: 'b' });
  assert.deepEqual([p2.items.map((r) => r.id), p2.next], [['c'], undefined]);
  for (const bad of ['limit=-1', 'limit=x', 'sort_key=bogus', 'sort_dir=up', 'sort=name&sort_key=name', 'visibility=x', 'status=x', 'size_min=a', 'size=-1', 'created_at=gt:nope', 'member_status=x']) {
    assert.throws(() => parseImageQuery(new URLSearchParams(bad)), fault(400), bad);
  }
  assert.throws(() => pageOf(all, { limit: 1, marker: 'zzz' }), fault(400));
});

test('members: shared only, owner adds and removes, the member decides', () => {
  const r = rec({ visibility: 'shared' });
  const m1 = addMember(r, OWNER, 'p2', 'now');
  assert.deepEqual(m1.map((m) => [m.memberId, m.status]), [['p2', 'pending']]);
  const r2 = { ...r, members: m1 };
  assert.throws(() => addMember(r2, OWNER, 'p2', 'now'), fault(409));
  assert.throws(() => addMember(r, OTHER, 'p3', 'now'), fault(403));
  assert.throws(() => addMember({ ...r, visibility: 'private' }, OWNER, 'p2', 'now'), fault(403));
  assert.throws(() => updateMember(r2, OWNER, 'p2', 'accepted', 'now'), fault(403));
  assert.throws(() => updateMember(r2, OTHER, 'p2', 'maybe', 'now'), fault(400));
  assert.equal(updateMember(r2, OTHER, 'p2', 'accepted', 'later')[0]?.status, 'accepted');
  assert.deepEqual(membersVisibleTo(r2, { projectId: 'p3', isAdmin: false }), []);
  assert.throws(() => removeMember(r2, OTHER, 'p2'), fault(403));
  assert.deepEqual(removeMember(r2, OWNER, 'p2'), []);
});

test('an import takes its state from the DataVolume', () => {
  const r = rec({ status: 'importing', volume: { namespace: 'ns1', name: 'dv' }, import: { method: 'web-download', uri: 'http://x' } });
  assert.equal(effective(r, { metadata: {}, status: { phase: 'ImportInProgress', progress: '40.00%' } }).status, 'importing');
  assert.equal(effective(r, { metadata: {}, status: { phase: 'Succeeded' } }).status, 'active');
  const failed = effective(r, { metadata: {}, status: { phase: 'Failed', conditions: [{ type: 'Running', status: 'False', message: 'no such host' }] } });
  assert.equal(failed.status, 'queued');
  assert.equal(imageView(failed).os_glance_import_error, 'no such host');
  assert.equal(imageView(failed).os_glance_failed_import, 'local');
});

test('data helpers: qcow2 virtual size, volume size, service-proxy paths', () => {
  const head = new Uint8Array(64);
  head.set([0x51, 0x46, 0x49, 0xfb]);
  new DataView(head.buffer).setUint32(24, 1);
  new DataView(head.buffer).setUint32(28, 0x1000);
  assert.equal(qcow2VirtualSize(head), 2 ** 32 + 0x1000);
  assert.equal(qcow2VirtualSize(new Uint8Array(64)), undefined);
  assert.equal(volumeBytes(1, 0), 1024 ** 3);
  assert.equal(volumeBytes(1, 3), 3 * 1024 ** 3);
  assert.equal(volumeBytes(undefined, 0), 10 * 1024 ** 3);
  assert.equal(serviceProxyPath('https://virt-export-img.ns1.svc/volumes/v/disk.img'), '/api/v1/namespaces/ns1/services/https:virt-export-img:443/proxy/volumes/v/disk.img');
});
