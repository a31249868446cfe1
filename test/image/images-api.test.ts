import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { serveBytes } from '../helpers/web-server.ts';
import { after, before, test } from 'node:test';
import { type KubeClient, R, createKubeClient } from '../../src/kube/index.ts';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { bytes, glance, member, patch, upload, waitImage } from './helpers.ts';

// Glance v2 over HTTP against the sandbox: images as DataSources, data through CDI's upload
// flow and KubeVirt's export, import, sharing, and what kubectl sees.

let gw: TestGateway;
let admin: string;
let alice: { token: string; projectId: string };
let bob: { token: string; projectId: string };
let kube: KubeClient;
let web: Awaited<ReturnType<typeof serveBytes>>;
let webUrl: string;
const WEB_DATA = bytes(3000, 9);

before(async () => {
  gw = await startTestGateway();
  admin = await gw.adminToken();
  alice = await member(gw, admin, 'alice');
  bob = await member(gw, admin, 'bob');
  kube = createKubeClient({ server: 'http://sandbox', fetch: ((i: string, init?: RequestInit) => gw.sandbox.fetch(new Request(i, init))) as typeof fetch, token: () => gw.sandbox.adminToken });
  web = await serveBytes(WEB_DATA, ['/missing.img']);
  webUrl = web.url;
});
after(async () => {
  web?.close();
  await gw?.close();
});

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha512 = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');
const create = async (token: string, body: Record<string, unknown>) => {
  const r = await glance(gw, token, 'POST', '/images', { disk_format: 'raw', container_format: 'bare', ...body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
};

test('create answers 201 with a queued image, Glance fields and the import-methods header', async () => {
  const r = await glance(gw, alice.token, 'POST', '/images', { name: 'cirros', disk_format: 'qcow2', container_format: 'bare', tags: ['t1'], min_disk: 1, os_distro: 'cirros', 'owner_specified.openstack.md5': 'abc' });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('openstack-image-import-methods'), 'glance-direct,web-download');
  const img = r.body;
  assert.match(img.id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(
    [img.name, img.status, img.visibility, img.protected, img.os_hidden, img.size, img.checksum, img.owner, img.min_disk, img.os_distro, img['owner_specified.openstack.md5']],
    ['cirros', 'queued', 'shared', false, false, null, null, alice.projectId, 1, 'cirros', 'abc'],
  );
  assert.deepEqual(img.tags, ['t1']);
  assert.equal(img.self, `/v2/images/${img.id}`);
  assert.equal(img.file, `/v2/images/${img.id}/file`);
  assert.equal(img.schema, '/v2/schemas/image');
  assert.match(img.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // kubectl get das: a DataSource in alice's namespace, labelled with the image id.
  const list = await kube.list(R.dataSources, { labelSelector: `openstack.dicot.io/image-id=${img.id}` });
  assert.equal(list.items.length, 1);
  assert.match(list.items[0]?.metadata.name ?? '', /^cirros-[0-9a-f]{8}$/);
  assert.equal(list.items[0]?.metadata.labels?.['app.kubernetes.io/managed-by'], 'dicot');
});

test('create rejects what Glance rejects, and writes nothing', async () => {
  const before = (await kube.list(R.dataSources, { labelSelector: 'openstack.dicot.io/kind=image' })).items.length;
  const cases: [Record<string, unknown>, number][] = [
    [{ status: 'active' }, 403],
    [{ size: 5 }, 403],
    [{ disk_format: 'floppy' }, 400],
    [{ container_format: 'tar' }, 400],
    [{ visibility: 'public' }, 403],
    [{ visibility: 'everyone' }, 400],
    [{ min_ram: 'lots' }, 400],
    [{ custom: { nested: true } }, 400],
    [{ id: 'nope' }, 400],
  ];
  for (const [body, status] of cases) assert.equal((await glance(gw, alice.token, 'POST', '/images', body)).status, status, JSON.stringify(body));
  assert.equal((await glance(gw, alice.token, 'POST', '/images', '{bad json')).status, 400);
  assert.equal((await glance(gw, alice.token, 'POST', '/images', '[]')).status, 400);
  assert.equal((await glance(gw, undefined, 'POST', '/images', {})).status, 401);
  const after = (await kube.list(R.dataSources, { labelSelector: 'openstack.dicot.io/kind=image' })).items.length;
  assert.equal(after, before);
});

test('a chosen id is honoured once; show 404s unknown and non-UUID ids in Glance format', async () => {
  const id = '0f3c1a2b-1111-4222-8333-944455556666';
  const img = await create(alice.token, { id, name: 'chosen' });
  assert.equal(img.id, id);
  assert.equal((await glance(gw, alice.token, 'POST', '/images', { id })).status, 409);
  assert.equal((await glance(gw, alice.token, 'GET', `/images/${id}`)).body.name, 'chosen');
  const missing = await glance(gw, alice.token, 'GET', '/images/9f3c1a2b-1111-4222-8333-944455556666');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, '404 Not Found');
  assert.equal(missing.body.title, 'Not Found');
  assert.equal((await glance(gw, alice.token, 'GET', '/images/chosen')).status, 404);
  // An empty id is an image that does not exist, not the collection.
  assert.equal((await glance(gw, alice.token, 'GET', '/images/')).status, 404);
  assert.equal((await glance(gw, alice.token, 'DELETE', '/images/')).status, 404);
});

test('upload streams into a DataVolume: queued → active with size, MD5 and SHA-512; download gives the bytes back', async () => {
  const img = await create(alice.token, { name: 'data' });
  const data = bytes(200_000);
  // A stream in small chunks, as a chunked upload arrives.
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < data.length; i += 7000) c.enqueue(data.slice(i, i + 7000));
      c.close();
    },
  });
  const res = await upload(gw, alice.token, img.id, stream);
  assert.equal(res.status, 204, await res.text());
  const shown = (await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body;
  assert.deepEqual([shown.status, shown.size, shown.checksum, shown.os_hash_algo, shown.os_hash_value, shown.virtual_size], ['active', data.length, md5(data), 'sha512', sha512(data), data.length]);
  const dvs = await kube.list(R.dataVolumes, { labelSelector: `openstack.dicot.io/image-id=${img.id}` });
  assert.equal(dvs.items.length, 1);
  assert.ok((dvs.items[0] as unknown as { spec: { source: { upload?: object } } }).spec.source.upload);
  // An export left by an older Dicot, with a random token in a Secret the gateway cannot read.
  const stale = `img-${img.id.replace(/-/g, '')}`;
  const ns = dvs.items[0]?.metadata.namespace as string;
  await kube.create(R.secrets, { metadata: { name: `${stale}-token`, namespace: ns }, stringData: { token: 'unknown' } } as never);
  const pvc = (dvs.items[0]?.metadata.name ?? '') as string;
  await kube.create(R.virtualMachineExports, {
    metadata: { name: stale, namespace: ns },
    spec: { source: { apiGroup: '', kind: 'PersistentVolumeClaim', name: pvc }, tokenSecretRef: `${stale}-token` },
  } as never);
  const dl = await gw.request(`/RegionOne/image/v2/images/${img.id}/file`, { headers: { 'x-auth-token': alice.token } });
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-md5'), md5(data));
  assert.deepEqual(new Uint8Array(await dl.arrayBuffer()), data);
  // Again: the export's token Secret exists and the gateway cannot read it; it derives the same token.
  const again = await gw.request(`/RegionOne/image/v2/images/${img.id}/file`, { headers: { 'x-auth-token': alice.token } });
  assert.equal(again.status, 200);
  assert.deepEqual(new Uint8Array(await again.arrayBuffer()), data);
  // A second upload to an active image conflicts.
  assert.equal((await upload(gw, alice.token, img.id, bytes(10))).status, 409);
  // The export of the PVC and its token are owned by the image.
  const ex = await kube.list(R.virtualMachineExports);
  assert.ok(ex.items.some((e) => e.metadata.ownerReferences?.some((o) => o.kind === 'DataSource')));
});

test('upload needs formats, an owner, and octet-stream; an interrupted upload leaves the image queued', async () => {
  const bare = (await glance(gw, alice.token, 'POST', '/images', { name: 'noformats' })).body;
  assert.equal((await upload(gw, alice.token, bare.id, bytes(10))).status, 400);
  const img = await create(alice.token, { name: 'interrupted' });
  assert.equal((await upload(gw, bob.token, img.id, bytes(10))).status, 404, 'a shared image without bob as member is invisible to him');
  const wrongType = await gw.request(`/RegionOne/image/v2/images/${img.id}/file`, { method: 'PUT', headers: { 'x-auth-token': alice.token, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(wrongType.status, 415);
  const broken = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes(1000));
    },
    pull(c) {
      c.error(new Error('client went away'));
    },
  });
  const res = await upload(gw, alice.token, img.id, broken);
  assert.ok(res.status >= 400, `status ${res.status}`);
  await gw.sandbox.idle();
  const after = (await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body;
  assert.equal(after.status, 'queued');
  assert.equal(after.checksum, null);
  // And a retry works.
  assert.equal((await upload(gw, alice.token, img.id, bytes(50))).status, 204);
  assert.equal((await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body.status, 'active');
  await gw.sandbox.idle();
  const dvs = await kube.list(R.dataVolumes, { labelSelector: `openstack.dicot.io/image-id=${img.id}` });
  assert.equal(dvs.items.filter((d) => !d.metadata.deletionTimestamp).length, 1, 'the failed attempt left no data volume behind');
});

test('download of an image without data is 204', async () => {
  const img = await create(alice.token, { name: 'empty' });
  const r = await gw.request(`/RegionOne/image/v2/images/${img.id}/file`, { headers: { 'x-auth-token': alice.token } });
  assert.equal(r.status, 204);
  assert.equal(await r.text(), '');
});

test('PATCH with the Glance JSON-patch media type; read-only and missing properties refused', async () => {
  const img = await create(alice.token, { name: 'patchme', foo: 'bar' });
  const r = await patch(gw, alice.token, img.id, [
    { op: 'replace', path: '/name', value: 'patched' },
    { op: 'add', path: '/os_distro', value: 'debian' },
    { op: 'remove', path: '/foo' },
    { op: 'replace', path: '/min_ram', value: 512 },
    { op: 'add', path: '/protected', value: true },
  ]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.name, r.body.os_distro, r.body.foo, r.body.min_ram, r.body.protected], ['patched', 'debian', undefined, 512, true]);
  assert.equal((await patch(gw, alice.token, img.id, [{ op: 'replace', path: '/status', value: 'active' }])).status, 403);
  assert.equal((await patch(gw, alice.token, img.id, [{ op: 'remove', path: '/nothere' }])).status, 409);
  assert.equal((await patch(gw, alice.token, img.id, [{ op: 'replace', path: '/visibility', value: 'public' }])).status, 403);
  assert.equal((await glance(gw, alice.token, 'PATCH', `/images/${img.id}`, [{ op: 'replace', path: '/name', value: 'x' }])).status, 415);
  // The older v2.0 media type names the operation as the member holding the path.
  const v20 = { 'content-type': 'application/openstack-images-v2.0-json-patch' };
  const old = await glance(gw, alice.token, 'PATCH', `/images/${img.id}`, JSON.stringify([{ replace: '/name', value: 'drafted' }]), v20);
  assert.equal(old.status, 200, JSON.stringify(old.body));
  assert.equal(old.body.name, 'drafted');
  assert.equal((await glance(gw, alice.token, 'PATCH', `/images/${img.id}`, JSON.stringify([{ replace: '/name', add: '/x', value: 1 }]), v20)).status, 400);
  assert.equal((await glance(gw, alice.token, 'PATCH', `/images/${img.id}`, JSON.stringify({ replace: '/name' }), v20)).status, 400);
  assert.equal((await patch(gw, bob.token, img.id, [{ op: 'replace', path: '/name', value: 'x' }])).status, 404);
  // Protected: delete refused until unprotected.
  assert.equal((await glance(gw, alice.token, 'DELETE', `/images/${img.id}`)).status, 403);
  assert.equal((await patch(gw, alice.token, img.id, [{ op: 'replace', path: '/protected', value: false }])).status, 200);
  assert.equal((await glance(gw, alice.token, 'DELETE', `/images/${img.id}`)).status, 204);
  assert.equal((await glance(gw, alice.token, 'GET', `/images/${img.id}`)).status, 404);
});

test('tags: add is idempotent, removing a missing tag is 404', async () => {
  const img = await create(alice.token, { name: 'tagged' });
  assert.equal((await glance(gw, alice.token, 'PUT', `/images/${img.id}/tags/blue`)).status, 204);
  assert.equal((await glance(gw, alice.token, 'PUT', `/images/${img.id}/tags/blue`)).status, 204);
  assert.deepEqual((await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body.tags, ['blue']);
  assert.equal((await glance(gw, alice.token, 'DELETE', `/images/${img.id}/tags/blue`)).status, 204);
  assert.equal((await glance(gw, alice.token, 'DELETE', `/images/${img.id}/tags/blue`)).status, 404);
});

test('list: filters, sorting, paging with a top-level next (absent on the last page)', async () => {
  for (const [i, name] of ['list-a', 'list-b', 'list-c'].entries()) await create(bob.token, { name, tags: ['listed'], min_ram: i });
  const all = await glance(gw, bob.token, 'GET', '/images?tag=listed&sort_key=name&sort_dir=asc');
  assert.deepEqual(all.body.images.map((i: { name: string }) => i.name), ['list-a', 'list-b', 'list-c']);
  assert.equal(all.body.schema, '/v2/schemas/images');
  assert.equal(all.body.next, undefined);
  const page1 = await glance(gw, bob.token, 'GET', '/images?tag=listed&sort=name:desc&limit=2');
  assert.deepEqual(page1.body.images.map((i: { name: string }) => i.name), ['list-c', 'list-b']);
  assert.match(page1.body.next, /^\/v2\/images\?.*marker=/);
  const page2 = await glance(gw, bob.token, 'GET', page1.body.next.replace('/v2', ''));
  assert.deepEqual(page2.body.images.map((i: { name: string }) => i.name), ['list-a']);
  assert.equal(page2.body.next, undefined);
  assert.deepEqual((await glance(gw, bob.token, 'GET', '/images?name=list-b')).body.images.length, 1);
  // Made within the same second, they still sort in the order they were made (not by name).
  const aged = ['age-z', 'age-y', 'age-x', 'age-w', 'age-v', 'age-u'];
  for (const name of aged) await create(bob.token, { name, tags: ['aged'] });
  const byAge = await glance(gw, bob.token, 'GET', '/images?tag=aged&sort_key=created_at&sort_dir=asc');
  assert.deepEqual(byAge.body.images.map((i: { name: string }) => i.name), aged);
  assert.match(byAge.body.images[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual((await glance(gw, bob.token, 'GET', '/images?tag=listed&status=active')).body.images.length, 0);
  assert.deepEqual((await glance(gw, bob.token, 'GET', `/images?tag=listed&owner=${bob.projectId}`)).body.images.length, 3);
  assert.deepEqual((await glance(gw, bob.token, 'GET', '/images?tag=listed&created_at=gte:2000-01-01T00:00:00Z')).body.images.length, 3);
  // Bob does not see alice's images.
  assert.ok((await glance(gw, bob.token, 'GET', '/images')).body.images.every((i: { owner: string }) => i.owner === bob.projectId));
  assert.equal((await glance(gw, bob.token, 'GET', '/images?sort_key=bogus')).status, 400);
  assert.equal((await glance(gw, bob.token, 'GET', '/images?marker=9f3c1a2b-1111-4222-8333-944455556666')).status, 400);
  assert.equal((await glance(gw, bob.token, 'GET', '/images?limit=-1')).status, 400);
});

test('sharing: members added by the owner, accepted by the member, then listed; removal hides it again', async () => {
  const img = await create(alice.token, { name: 'to-share', visibility: 'shared' });
  const priv = await create(alice.token, { name: 'private', visibility: 'private' });
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${priv.id}/members`, { member: bob.projectId })).status, 403);
  const added = await glance(gw, alice.token, 'POST', `/images/${img.id}/members`, { member: bob.projectId });
  assert.equal(added.status, 200);
  assert.deepEqual([added.body.member_id, added.body.status, added.body.image_id, added.body.schema], [bob.projectId, 'pending', img.id, '/v2/schemas/member']);
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/members`, { member: bob.projectId })).status, 409);
  // Pending: bob may GET it but it is not in his default list.
  assert.equal((await glance(gw, bob.token, 'GET', `/images/${img.id}`)).status, 200);
  const listed = (s: string) => glance(gw, bob.token, 'GET', `/images${s}`).then((r) => r.body.images.some((i: { id: string }) => i.id === img.id));
  assert.equal(await listed(''), false);
  assert.equal(await listed('?member_status=pending&visibility=shared'), true);
  assert.equal((await glance(gw, alice.token, 'PUT', `/images/${img.id}/members/${bob.projectId}`, { status: 'accepted' })).status, 403);
  assert.equal((await glance(gw, bob.token, 'PUT', `/images/${img.id}/members/${bob.projectId}`, { status: 'maybe' })).status, 400);
  const acc = await glance(gw, bob.token, 'PUT', `/images/${img.id}/members/${bob.projectId}`, { status: 'accepted' });
  assert.equal(acc.status, 200);
  assert.equal(acc.body.status, 'accepted');
  assert.equal(await listed(''), true);
  assert.deepEqual((await glance(gw, alice.token, 'GET', `/images/${img.id}/members`)).body.members.map((m: { member_id: string }) => m.member_id), [bob.projectId]);
  assert.equal((await glance(gw, bob.token, 'GET', `/images/${img.id}/members/${bob.projectId}`)).body.status, 'accepted');
  assert.equal((await glance(gw, bob.token, 'DELETE', `/images/${img.id}/members/${bob.projectId}`)).status, 403);
  assert.equal((await patch(gw, bob.token, img.id, [{ op: 'replace', path: '/name', value: 'mine' }])).status, 403, 'members cannot modify');
  assert.equal((await glance(gw, alice.token, 'DELETE', `/images/${img.id}/members/${bob.projectId}`)).status, 204);
  assert.equal((await glance(gw, bob.token, 'GET', `/images/${img.id}`)).status, 404);
});

test('visibility: public images (admin) live in the shared namespace; community images are listed on request', async () => {
  const pub = await create(admin, { name: 'public-img', visibility: 'public' });
  const ds = (await kube.list(R.dataSources, { labelSelector: `openstack.dicot.io/image-id=${pub.id}` })).items[0];
  assert.equal(ds?.metadata.namespace, 'dicot-images');
  assert.equal((await glance(gw, bob.token, 'GET', `/images/${pub.id}`)).status, 200);
  assert.ok((await glance(gw, bob.token, 'GET', '/images')).body.images.some((i: { id: string }) => i.id === pub.id));
  assert.equal((await glance(gw, bob.token, 'DELETE', `/images/${pub.id}`)).status, 403);
  // Every authenticated user may read the shared images namespace through Kubernetes RBAC.
  const rb = await kube.get(R.roleBindings, 'dicot-images-reader', { namespace: 'dicot-images' });
  assert.ok(rb);
  const comm = await create(alice.token, { name: 'community-img', visibility: 'community' });
  const bobList = async (s: string) => (await glance(gw, bob.token, 'GET', `/images${s}`)).body.images.some((i: { id: string }) => i.id === comm.id);
  assert.equal(await bobList(''), false);
  assert.equal(await bobList('?visibility=community'), true);
  assert.equal((await glance(gw, bob.token, 'GET', `/images/${comm.id}`)).status, 200);
  // os_hidden images stay out of lists unless asked for.
  const hidden = await create(alice.token, { name: 'hidden-img', os_hidden: true });
  const aliceList = async (s: string) => (await glance(gw, alice.token, 'GET', `/images${s}`)).body.images.some((i: { id: string }) => i.id === hidden.id);
  assert.equal(await aliceList(''), false);
  assert.equal(await aliceList('?os_hidden=true'), true);
});

test('deactivate / reactivate: admins and the owner; deactivated data is downloadable by admins only', async () => {
  const img = await create(alice.token, { name: 'deact', visibility: 'community' });
  assert.equal((await upload(gw, alice.token, img.id, bytes(100))).status, 204);
  assert.equal((await glance(gw, bob.token, 'POST', `/images/${img.id}/actions/deactivate`)).status, 403);
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/actions/deactivate`)).status, 204);
  assert.equal((await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body.status, 'deactivated');
  for (const token of [alice.token, bob.token]) {
    assert.equal((await gw.request(`/RegionOne/image/v2/images/${img.id}/file`, { headers: { 'x-auth-token': token } })).status, 403);
  }
  assert.equal((await glance(gw, bob.token, 'POST', `/images/${img.id}/actions/reactivate`)).status, 403);
  assert.equal((await glance(gw, admin, 'POST', `/images/${img.id}/actions/reactivate`)).status, 204);
  assert.equal((await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body.status, 'active');
  const queued = await create(alice.token, { name: 'deact-q' });
  assert.equal((await glance(gw, admin, 'POST', `/images/${queued.id}/actions/deactivate`)).status, 400);
});

test('web-download imports over http: importing → active, with the DataVolume as the source', async () => {
  const info = await glance(gw, alice.token, 'GET', '/info/import');
  assert.deepEqual(info.body['import-methods'].value, ['glance-direct', 'web-download']);
  assert.equal((await glance(gw, alice.token, 'GET', '/info/stores')).body.stores[0].id, 'local');
  const img = await create(alice.token, { name: 'web', disk_format: 'qcow2' });
  const r = await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'web-download', uri: `${webUrl}/disk.img` } });
  assert.equal(r.status, 202);
  const done = await waitImage(gw, alice.token, img.id, (i) => i.status === 'active');
  assert.equal(done.status, 'active');
  const dv = (await kube.list(R.dataVolumes, { labelSelector: `openstack.dicot.io/image-id=${img.id}` })).items[0] as unknown as { spec: { source: { http?: { url: string } } } };
  assert.equal(dv.spec.source.http?.url, `${webUrl}/disk.img`);
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'web-download', uri: `${webUrl}/disk.img` } })).status, 409);
});

test('a failed web-download goes back to queued with the reason visible, and can be retried', async () => {
  const img = await create(alice.token, { name: 'web-fail' });
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'web-download', uri: 'http://images.invalid/x.img' } })).status, 202);
  const failed = await waitImage(gw, alice.token, img.id, (i) => i.status !== 'importing');
  assert.equal(failed.status, 'queued');
  assert.equal(failed.os_glance_failed_import, 'local');
  assert.match(failed.os_glance_import_error, /no such host/);
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'web-download', uri: `${webUrl}/ok.img` } })).status, 202);
  const ok = await waitImage(gw, alice.token, img.id, (i) => i.status !== 'importing');
  assert.equal(ok.status, 'active');
  assert.equal(ok.os_glance_import_error, undefined);
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'web-download' } })).status, 400);
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'copy-image' } })).status, 400);
});

test('glance-direct: stage (uploading) then import (active), with hashes from the stage', async () => {
  const img = await create(alice.token, { name: 'staged' });
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'glance-direct' } })).status, 409);
  const data = bytes(5000, 3);
  assert.equal((await upload(gw, alice.token, img.id, data, 'stage')).status, 204);
  assert.equal((await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body.status, 'uploading');
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'glance-direct' } })).status, 202);
  const shown = (await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body;
  assert.deepEqual([shown.status, shown.checksum, shown.size, shown.stores], ['active', md5(data), data.length, 'local']);
  assert.equal(img.stores, undefined, 'a queued image is in no store');
});

test('docker images are container disks from a registry', async () => {
  const img = await create(alice.token, { name: 'cdisk', container_format: 'docker', disk_format: 'raw' });
  assert.equal((await upload(gw, alice.token, img.id, bytes(10))).status, 400);
  assert.equal((await glance(gw, alice.token, 'POST', `/images/${img.id}/import`, { method: { name: 'web-download', uri: 'docker://quay.io/containerdisks/cirros:latest' } })).status, 202);
  assert.equal((await glance(gw, alice.token, 'GET', `/images/${img.id}`)).body.status, 'active');
});

test('deleting an image deletes its DataVolume and PVC (garbage collection), not a clone of it', async () => {
  const img = await create(alice.token, { name: 'doomed' });
  assert.equal((await upload(gw, alice.token, img.id, bytes(64))).status, 204);
  const dv = (await kube.list(R.dataVolumes, { labelSelector: `openstack.dicot.io/image-id=${img.id}` })).items[0];
  const ns = dv?.metadata.namespace as string;
  const name = dv?.metadata.name as string;
  // A server's root disk: a clone of the image's PVC into another DataVolume.
  await kube.create(R.dataVolumes, { metadata: { name: 'server-root', namespace: ns }, spec: { source: { pvc: { namespace: ns, name } }, storage: { resources: { requests: { storage: '1Gi' } } } } } as never);
  await gw.sandbox.idle();
  assert.equal((await glance(gw, alice.token, 'DELETE', `/images/${img.id}`)).status, 204);
  await gw.sandbox.idle();
  const left = await kube.list(R.dataVolumes, { namespace: ns });
  assert.ok(!left.items.some((d) => d.metadata.name === name), 'the image data volume is gone');
  const root = left.items.find((d) => d.metadata.name === 'server-root') as { status?: { phase?: string } } | undefined;
  assert.equal(root?.status?.phase, 'Succeeded', 'the clone is untouched');
  assert.ok((await kube.list(R.pvcs, { namespace: ns })).items.some((p) => p.metadata.name === 'server-root'));
  assert.equal((await glance(gw, alice.token, 'DELETE', `/images/${img.id}`)).status, 404);
});

test('schemas are served for the glance client', async () => {
  const image = await glance(gw, alice.token, 'GET', '/schemas/image');
  assert.equal(image.body.name, 'image');
  assert.ok(image.body.properties.disk_format.enum.includes('qcow2'));
  assert.deepEqual(image.body.additionalProperties, { type: 'string' });
  assert.equal((await glance(gw, alice.token, 'GET', '/schemas/images')).body.properties.images.items.name, 'image');
  assert.equal((await glance(gw, alice.token, 'GET', '/schemas/member')).body.name, 'member');
  assert.equal((await glance(gw, alice.token, 'GET', '/schemas/members')).body.name, 'members');
});
