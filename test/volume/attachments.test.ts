import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { R } from '../../src/kube/index.ts';
import { C, eventually, memberToken } from '../compute/helpers.ts';
import { IMAGE, installTestImages, waitStatus as waitServer } from '../compute/servers-helpers.ts';
import { type Json, type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// Nova's os-volume_attachments over KubeVirt hotplug, seen from both APIs: the VM spec gains
// the PVC, the volume shows in-use with the attachment, and detaching gives it back.

let gw: TestGateway;
let demo: string;
let other: string;
let project: string;
let otherProject: string;

const V = (p: string) => `/RegionOne/volume/v3/${p}`;
const projectOf = async (token: string) => (await call(gw, token, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': token })).body.token.project.id as string;

async function volumeStatus(id: string, status: string): Promise<Json> {
  return eventually(async () => {
    const v = (await call(gw, demo, 'GET', `${V(project)}/volumes/${id}`)).body.volume;
    return v?.status === status ? v : undefined;
  }, `volume ${id} ${status}`);
}

before(async () => {
  installTestImages();
  gw = await startTestGateway();
  const admin = await gw.adminToken();
  demo = await memberToken(gw, admin, 'attach-demo');
  other = await memberToken(gw, admin, 'attach-other');
  project = await projectOf(demo);
  otherProject = await projectOf(other);
});
after(() => gw.close());

test('attach to a running server, stop/start, list, show, detach', async () => {
  const s = await call(gw, demo, 'POST', `${C}/servers`, { server: { name: 'vm', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } });
  assert.equal(s.status, 202, JSON.stringify(s.body));
  const serverId = s.body.server.id;
  await waitServer(gw, demo, serverId, 'ACTIVE');
  const vol = (await call(gw, demo, 'POST', `${V(project)}/volumes`, { volume: { size: 1, name: 'data' } })).body.volume;
  await volumeStatus(vol.id, 'available');

  const att = await call(gw, demo, 'POST', `${C}/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId: vol.id } });
  assert.equal(att.status, 200, JSON.stringify(att.body));
  assert.deepEqual(Object.keys(att.body.volumeAttachment).sort(), ['device', 'id', 'serverId', 'volumeId']);
  const inUse = await volumeStatus(vol.id, 'in-use');
  assert.equal(inUse.attachments[0].server_id, serverId);
  assert.equal(inUse.attachments[0].device, att.body.volumeAttachment.device);

  // The PVC is a hotplugged volume of the VM, as kubectl shows it.
  const k = (await gw.gateway()).regions.get('RegionOne')?.kube;
  const vms = await k?.list<Json>(R.virtualMachines, { labelSelector: 'compute.openstack.dicot.io/server=true' });
  const vmVolumes = vms?.items.flatMap((vm: Json) => vm.spec.template.spec.volumes) ?? [];
  assert.ok(vmVolumes.some((v: Json) => v.persistentVolumeClaim?.hotpluggable));

  const srv = (await call(gw, demo, 'GET', `${C}/servers/${serverId}`)).body.server;
  assert.deepEqual(srv['os-extended-volumes:volumes_attached'], [{ id: vol.id }]);
  const list = await call(gw, demo, 'GET', `${C}/servers/${serverId}/os-volume_attachments`);
  assert.deepEqual(list.body.volumeAttachments, [att.body.volumeAttachment]);
  const show = await call(gw, demo, 'GET', `${C}/servers/${serverId}/os-volume_attachments/${vol.id}`);
  assert.deepEqual(show.body.volumeAttachment, att.body.volumeAttachment);

  assert.equal((await call(gw, demo, 'POST', `${C}/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId: vol.id } })).status, 400, 'attached twice');
  assert.equal((await call(gw, demo, 'DELETE', `${V(project)}/volumes/${vol.id}`)).status, 400, 'an attached volume stays');
  // Another project can neither see nor attach it.
  assert.equal((await call(gw, other, 'GET', `${V(otherProject)}/volumes/${vol.id}`)).status, 404);

  await call(gw, demo, 'POST', `${C}/servers/${serverId}/action`, { 'os-stop': null });
  await waitServer(gw, demo, serverId, 'SHUTOFF');
  await call(gw, demo, 'POST', `${C}/servers/${serverId}/action`, { 'os-start': null });
  await waitServer(gw, demo, serverId, 'ACTIVE');
  assert.equal((await call(gw, demo, 'GET', `${V(project)}/volumes/${vol.id}`)).body.volume.status, 'in-use');

  assert.equal((await call(gw, demo, 'DELETE', `${C}/servers/${serverId}/os-volume_attachments/${vol.id}`)).status, 202);
  await volumeStatus(vol.id, 'available');
  assert.equal((await call(gw, demo, 'GET', `${C}/servers/${serverId}/os-volume_attachments`)).body.volumeAttachments.length, 0);
  assert.equal((await call(gw, demo, 'DELETE', `${C}/servers/${serverId}/os-volume_attachments/${vol.id}`)).status, 404);
});

test('a member cannot attach another project\'s volume', async () => {
  const s = await call(gw, other, 'POST', `${C}/servers`, { server: { name: 'o', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } });
  await waitServer(gw, other, s.body.server.id, 'ACTIVE');
  const vol = (await call(gw, demo, 'POST', `${V(project)}/volumes`, { volume: { size: 1 } })).body.volume;
  await volumeStatus(vol.id, 'available');
  const r = await call(gw, other, 'POST', `${C}/servers/${s.body.server.id}/os-volume_attachments`, { volumeAttachment: { volumeId: vol.id } });
  assert.equal(r.status, 404);
  assert.equal((await call(gw, demo, 'GET', `${V(project)}/volumes/${vol.id}`)).body.volume.status, 'available');
});

test('boot from an existing volume: the root disk is its PVC; the volume is in-use, not detachable', async () => {
  const vol = (await call(gw, demo, 'POST', `${V(project)}/volumes`, { volume: { size: 1, name: 'root' } })).body.volume;
  await volumeStatus(vol.id, 'available');
  const bdm = [{ uuid: vol.id, boot_index: '0', source_type: 'volume', destination_type: 'volume' }];
  // A blank volume is not bootable until it is marked so (Nova asks Cinder's flag).
  const blank = await call(gw, demo, 'POST', `${C}/servers`, { server: { name: 'bfv', flavorRef: 'u1.small', networks: 'none', block_device_mapping_v2: bdm } });
  assert.equal(blank.status, 400);
  assert.match(blank.body.badRequest.message, /is not bootable/);
  assert.equal((await call(gw, demo, 'POST', `${C}/servers`, { server: { name: 'bfv', flavorRef: 'u1.small', networks: 'none', block_device_mapping_v2: [{ ...bdm[0], destination_type: 'nowhere' }] } })).status, 400);
  assert.equal((await call(gw, demo, 'POST', `${V(project)}/volumes/${vol.id}/action`, { 'os-set_bootable': { bootable: true } })).status, 200);
  const s = await call(gw, demo, 'POST', `${C}/servers`, { server: { name: 'bfv', flavorRef: 'u1.small', networks: 'none', block_device_mapping_v2: bdm } });
  assert.equal(s.status, 202, JSON.stringify(s.body));
  const server = await waitServer(gw, demo, s.body.server.id, 'ACTIVE');
  assert.equal(server.image, '');
  const v = await volumeStatus(vol.id, 'in-use');
  assert.equal(v.attachments[0].device, '/dev/vda');
  const detach = await call(gw, demo, 'DELETE', `${C}/servers/${server.id}/os-volume_attachments/${vol.id}`);
  assert.equal(detach.status, 400);
  const rebuild = await call(gw, demo, 'POST', `${C}/servers/${server.id}/action`, { rebuild: { imageRef: IMAGE } });
  assert.equal(rebuild.status, 400, 'the root volume is not replaced');
  assert.equal((await call(gw, demo, 'GET', `${V(project)}/volumes/${vol.id}`)).body.volume.status, 'in-use');
  assert.equal((await call(gw, demo, 'DELETE', `${C}/servers/${server.id}`)).status, 204);
  await volumeStatus(vol.id, 'available');
  // A volume in use cannot boot a second server.
  const bad = await call(gw, demo, 'POST', `${C}/servers`, { server: { name: 'x', flavorRef: 'u1.small', networks: 'none', block_device_mapping_v2: [{ ...bdm[0], uuid: crypto.randomUUID() }] } });
  assert.equal(bad.status, 400);
});

test('Cinder /attachments (3.27): create attaches to the server, list/show, delete detaches', async () => {
  const MV = { 'OpenStack-API-Version': 'volume 3.44' };
  const s = await call(gw, demo, 'POST', `${C}/servers`, { server: { name: 'att', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } });
  await waitServer(gw, demo, s.body.server.id, 'ACTIVE');
  const vol = (await call(gw, demo, 'POST', `${V(project)}/volumes`, { volume: { size: 1 } })).body.volume;
  await volumeStatus(vol.id, 'available');
  assert.equal((await call(gw, demo, 'GET', `${V(project)}/attachments`)).status, 404, 'not below 3.27');
  const created = await call(gw, demo, 'POST', `${V(project)}/attachments`, { attachment: { volume_uuid: vol.id, instance_uuid: s.body.server.id, connector: {} } }, MV);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const att = created.body.attachment;
  assert.equal(att.status, 'attached');
  assert.equal(att.instance, s.body.server.id);
  await volumeStatus(vol.id, 'in-use');
  const list = await call(gw, demo, 'GET', `${V(project)}/attachments?volume_id=${vol.id}`, undefined, MV);
  assert.deepEqual(list.body.attachments, [{ id: att.id, status: 'attached', instance: s.body.server.id, volume_id: vol.id }]);
  assert.equal((await call(gw, demo, 'GET', `${V(project)}/attachments/${att.id}`, undefined, MV)).body.attachment.id, att.id);
  // Nova sees the same attachment.
  assert.equal((await call(gw, demo, 'GET', `${C}/servers/${s.body.server.id}/os-volume_attachments`)).body.volumeAttachments[0].volumeId, vol.id);
  assert.equal((await call(gw, demo, 'POST', `${V(project)}/attachments/${att.id}/action`, { 'os-complete': null }, MV)).status, 204);
  const del = await call(gw, demo, 'DELETE', `${V(project)}/attachments/${att.id}`, undefined, MV);
  assert.equal(del.status, 200);
  await volumeStatus(vol.id, 'available');
  assert.equal((await call(gw, demo, 'POST', `${V(project)}/attachments`, { attachment: { volume_uuid: vol.id, connector: {} } }, MV)).status, 400);
});

test('the legacy Cinder flow: os-attach with a mountpoint, os-detach', async () => {
  const s = await call(gw, demo, 'POST', `${C}/servers`, { server: { name: 'legacy', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } });
  await waitServer(gw, demo, s.body.server.id, 'ACTIVE');
  const vol = (await call(gw, demo, 'POST', `${V(project)}/volumes`, { volume: { size: 1 } })).body.volume;
  await volumeStatus(vol.id, 'available');
  const p = V(project);
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${crypto.randomUUID()}/action`, { 'os-attach': { instance_uuid: s.body.server.id, mountpoint: '/dev/vdb' } })).status, 404);
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${vol.id}/action`, { 'os-attach': { instance_uuid: s.body.server.id, mountpoint: '/dev/vdb' } })).status, 202);
  const v = await volumeStatus(vol.id, 'in-use');
  assert.equal(v.attachments[0].device, '/dev/vdb');
  assert.equal(v.attachments[0].id, vol.id);
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${vol.id}/action`, { 'os-detach': {} })).status, 202);
  await volumeStatus(vol.id, 'available');
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${vol.id}/action`, { 'os-detach': {} })).status, 202, 'detaching a detached volume settles it');

  // An admin's force detach of a volume reset to error: detached, and available again.
  const admin = await gw.adminToken();
  const ap = V(await projectOf(admin));
  await call(gw, demo, 'POST', `${p}/volumes/${vol.id}/action`, { 'os-attach': { instance_uuid: s.body.server.id, mountpoint: '/dev/vdc' } });
  const attached = await volumeStatus(vol.id, 'in-use');
  assert.equal((await call(gw, admin, 'POST', `${ap}/volumes/${vol.id}/action`, { 'os-reset_status': { status: 'error' } })).status, 202);
  await volumeStatus(vol.id, 'error');
  assert.equal((await call(gw, demo, 'POST', `${p}/volumes/${vol.id}/action`, { 'os-force_detach': {} })).status, 403);
  const fd = await call(gw, admin, 'POST', `${ap}/volumes/${vol.id}/action`, { 'os-force_detach': { attachment_id: attached.attachments[0].attachment_id, connector: null } });
  assert.equal(fd.status, 202, JSON.stringify(fd.body));
  await volumeStatus(vol.id, 'available');
});
