import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, CV, api, demoToken, eventually, memberToken } from './helpers.ts';
import { IMAGE, installTestImages, waitActive } from './servers-helpers.ts';

// createImage (a snapshot of the root disk, as a new image) and Nova's image proxy (≤ 2.35).

let gw: TestGateway;
let demo: string;
let other: string;
let server: string;

before(async () => {
  installTestImages();
  gw = await startTestGateway();
  const admin = await gw.adminToken();
  demo = await demoToken(gw, admin);
  other = await memberToken(gw, admin, 'other');
  const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'snap-me', imageRef: IMAGE, flavorRef: 'u1.small' } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  server = r.body.server.id;
  await waitActive(gw, demo, server);
});
after(() => gw?.close());

const act = (body: unknown, headers: Record<string, string> = {}) => api(gw, demo, 'POST', `${C}/servers/${server}/action`, body, headers);
const imageIdOf = (location: string | null) => (location ?? '').split('/').pop() as string;

test('createImage at 2.1: 202 with a Location; the snapshot goes SAVING → ACTIVE in the proxy and in Glance', async () => {
  const r = await act({ createImage: { name: 'snap 1', metadata: { image_type: 'test' } } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const location = r.headers.get('location');
  assert.match(location ?? '', /\/RegionOne\/image\/v2\/images\/[0-9a-f-]{36}$/);
  const id = imageIdOf(location);
  const image = await eventually(async () => {
    const s = await api(gw, demo, 'GET', `${C}/images/${id}`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.ok(['SAVING', 'ACTIVE'].includes(s.body.image.status));
    return s.body.image.status === 'ACTIVE' ? s.body.image : undefined;
  }, 'snapshot active');
  assert.deepEqual(Object.keys(image).sort(), ['OS-EXT-IMG-SIZE:size', 'created', 'id', 'links', 'metadata', 'minDisk', 'minRam', 'name', 'progress', 'server', 'status', 'updated']);
  assert.equal(image.name, 'snap 1');
  assert.equal(image.metadata.image_type, 'test');
  assert.equal(image.metadata.instance_uuid, server);
  assert.equal(image.server.id, server);
  assert.equal(image.progress, 100);
  assert.match(image.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const glance = await api(gw, demo, 'GET', `/RegionOne/image/v2/images/${id}`);
  assert.equal(glance.body.status, 'active');
  assert.equal(glance.body.instance_uuid, server);
  // Listed in the proxy, briefly and in detail.
  const list = await api(gw, demo, 'GET', `${C}/images`);
  assert.deepEqual(Object.keys(list.body.images.find((i: { id: string }) => i.id === id)).sort(), ['id', 'links', 'name']);
  assert.ok((await api(gw, demo, 'GET', `${C}/images/detail?status=ACTIVE`)).body.images.some((i: { id: string }) => i.id === id));
  // Metadata through the proxy is the image's properties.
  assert.equal((await api(gw, demo, 'POST', `${C}/images/${id}/metadata`, { metadata: { os_distro: 'cirros' } })).body.metadata.os_distro, 'cirros');
  assert.deepEqual((await api(gw, demo, 'GET', `${C}/images/${id}/metadata/os_distro`)).body, { meta: { os_distro: 'cirros' } });
  assert.equal((await api(gw, demo, 'PUT', `${C}/images/${id}/metadata/os_distro`, { meta: { other: 'x' } })).status, 400);
  assert.equal((await api(gw, demo, 'DELETE', `${C}/images/${id}/metadata/os_distro`)).status, 204);
  assert.equal((await api(gw, demo, 'GET', `${C}/images/${id}/metadata/os_distro`)).status, 404);
  // Delete through the proxy; then gone in both APIs.
  assert.equal((await api(gw, demo, 'DELETE', `${C}/images/${id}`)).status, 204);
  assert.equal((await api(gw, demo, 'GET', `${C}/images/${id}`)).status, 404);
  assert.equal((await api(gw, demo, 'GET', `/RegionOne/image/v2/images/${id}`)).status, 404);
  // The server's action log records it.
  const actions = await api(gw, demo, 'GET', `${C}/servers/${server}/os-instance-actions`);
  assert.ok(actions.body.instanceActions.some((a: { action: string }) => a.action === 'createImage'));
});

test('createImage at 2.45 answers the image id in the body; bad bodies are 400 and make nothing', async () => {
  const before = (await api(gw, demo, 'GET', '/RegionOne/image/v2/images')).body.images.length;
  assert.equal((await act({ createImage: {} })).status, 400);
  assert.equal((await act({ createImage: { name: 'x', bogus: 1 } })).status, 400);
  assert.equal((await api(gw, demo, 'GET', '/RegionOne/image/v2/images')).body.images.length, before);
  const r = await act({ createImage: { name: 'snap 2' } }, CV('2.45'));
  assert.equal(r.status, 202);
  assert.match(r.body.image_id, /^[0-9a-f-]{36}$/);
  assert.equal(r.headers.get('location'), null);
  assert.equal((await api(gw, demo, 'DELETE', `/RegionOne/image/v2/images/${r.body.image_id}`)).status, 204);
});

test('the image proxy is gone from 2.36; another project sees none of the snapshots', async () => {
  assert.equal((await api(gw, demo, 'GET', `${C}/images`, undefined, CV('2.36'))).status, 404);
  assert.equal((await api(gw, demo, 'GET', `${C}/images/00000000-0000-4000-8000-000000000000`)).status, 404);
  const r = await act({ createImage: { name: 'private snap' } });
  const id = imageIdOf(r.headers.get('location'));
  assert.equal((await api(gw, demo, 'GET', `${C}/images/${id}`)).status, 200);
  assert.equal((await api(gw, other, 'GET', `${C}/images/${id}`)).status, 404);
});

test('createBackup: backups of a type rotate (the oldest beyond `rotation` deleted); rotation 0 makes none', async () => {
  const backups = async () =>
    (await api(gw, demo, 'GET', `/RegionOne/image/v2/images?image_type=backup&backup_type=daily&instance_uuid=${server}&sort_key=created_at&sort_dir=asc`)).body.images.map((i: { name: string }) => i.name);
  assert.equal((await act({ createBackup: { name: 'b', backup_type: 'daily' } })).status, 400, 'rotation is required');
  assert.equal((await act({ createBackup: { name: 'b', backup_type: 'daily', rotation: -1 } })).status, 400);
  // Made within one second, they still rotate oldest first.
  for (const name of ['b1', 'b2', 'b3', 'b4']) {
    const r = await act({ createBackup: { name, backup_type: 'daily', rotation: '2' } }, CV('2.45'));
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.match(r.body.image_id, /^[0-9a-f-]{36}$/);
  }
  assert.deepEqual(await backups(), ['b3', 'b4']);
  const weekly = await act({ createBackup: { name: 'w1', backup_type: 'weekly', rotation: 1 } });
  assert.ok(weekly.headers.get('location'), 'below 2.45 a Location');
  assert.deepEqual(await backups(), ['b3', 'b4'], 'another type rotates apart');
  assert.equal((await act({ createBackup: { name: 'none', backup_type: 'daily', rotation: 0 } })).status, 202);
  assert.deepEqual(await backups(), []);
});

test('the image proxy filters by server (id or link), type and minimums', async () => {
  const r = await act({ createImage: { name: 'filtered snap' } }, CV('2.45'));
  const id = r.body.image_id;
  const list = async (q: string) => (await api(gw, demo, 'GET', `${C}/images?${q}`)).body.images.map((i: { id: string }) => i.id);
  const link = (await api(gw, demo, 'GET', `${C}/servers/${server}`)).body.server.links[0].href;
  assert.ok((await list(`server=${server}`)).includes(id));
  assert.ok((await list(`server=${encodeURIComponent(link)}`)).includes(id));
  assert.ok(!(await list('server=00000000-0000-4000-8000-000000000000')).includes(id));
  assert.ok((await list('type=snapshot')).includes(id));
  assert.ok(!(await list('type=snapshot')).includes(IMAGE), 'an uploaded image is no snapshot');
  assert.ok(!(await list('minRam=999999')).includes(id));
  assert.equal((await api(gw, demo, 'DELETE', `/RegionOne/image/v2/images/${id}`)).status, 204);
});
