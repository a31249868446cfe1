import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Json, type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';
import { C, CV, eventually, memberToken } from './helpers.ts';
import { IMAGE, installTestImages, waitActive } from './servers-helpers.ts';

// 2.79: delete_on_termination when attaching a volume, shown in the attachment views; a
// volume attached with it goes with the server, one detached first (or attached without it)
// stays.

const V = (project: string, p: string) => `/RegionOne/volume/v3/${project}/${p}`;

describe('compute 2.79: delete_on_termination on volume attachments', () => {
  let gw: TestGateway;
  let demo: string;
  let project: string;
  const newVolume = async (name: string): Promise<string> => {
    const v = (await call(gw, demo, 'POST', V(project, 'volumes'), { volume: { size: 1, name } })).body.volume;
    await eventually(async () => ((await call(gw, demo, 'GET', V(project, `volumes/${v.id}`))).body.volume?.status === 'available' ? true : undefined), `volume ${name}`);
    return v.id;
  };
  const newServer = async (name: string): Promise<string> => {
    const r = await call(gw, demo, 'POST', `${C}/servers`, { server: { name, imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await waitActive(gw, demo, r.body.server.id);
    return r.body.server.id;
  };
  const attach = (server: string, body: Json, v: string) => call(gw, demo, 'POST', `${C}/servers/${server}/os-volume_attachments`, { volumeAttachment: body }, CV(v));
  const volumeGone = (id: string) => eventually(async () => ((await call(gw, demo, 'GET', V(project, `volumes/${id}`))).status === 404 ? true : undefined), `volume ${id} deleted`);
  before(async () => {
    installTestImages();
    gw = await startTestGateway();
    const admin = await gw.adminToken();
    demo = await memberToken(gw, admin, 'dot');
    project = (await call(gw, demo, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': demo })).body.token.project.id;
  });
  after(() => gw.close());

  test('the field: a 400 at 2.78, a boolean at 2.79, in every view from 2.79 only', async () => {
    const server = await newServer('dot-views');
    const vol = await newVolume('dot-views');
    const refused = await attach(server, { volumeId: vol, delete_on_termination: true }, '2.78');
    assert.equal(refused.status, 400);
    assert.match(refused.body.badRequest.message, /'delete_on_termination' was unexpected/);
    assert.equal((await attach(server, { volumeId: vol, delete_on_termination: 'yes' }, '2.79')).status, 400);
    const att = await attach(server, { volumeId: vol, delete_on_termination: true }, '2.79');
    assert.equal(att.status, 200, JSON.stringify(att.body));
    assert.deepEqual(Object.keys(att.body.volumeAttachment).sort(), ['delete_on_termination', 'device', 'id', 'serverId', 'tag', 'volumeId']);
    assert.equal(att.body.volumeAttachment.delete_on_termination, true);
    const show = (v: string) => call(gw, demo, 'GET', `${C}/servers/${server}/os-volume_attachments/${vol}`, undefined, CV(v));
    const list = (v: string) => call(gw, demo, 'GET', `${C}/servers/${server}/os-volume_attachments`, undefined, CV(v));
    assert.deepEqual(Object.keys((await show('2.78')).body.volumeAttachment).sort(), ['device', 'id', 'serverId', 'tag', 'volumeId']);
    assert.deepEqual((await show('2.79')).body.volumeAttachment, att.body.volumeAttachment);
    assert.equal('delete_on_termination' in (await list('2.78')).body.volumeAttachments[0], false);
    assert.deepEqual((await list('2.79')).body.volumeAttachments, [att.body.volumeAttachment]);
    const srv = (await call(gw, demo, 'GET', `${C}/servers/${server}`, undefined, CV('2.3'))).body.server;
    assert.deepEqual(srv['os-extended-volumes:volumes_attached'], [{ id: vol, delete_on_termination: true }]);
    // Without the field: false.
    const plain = await newVolume('dot-plain');
    assert.equal((await attach(server, { volumeId: plain, foo: 1 }, '2.79')).status, 400, 'no other keys');
    const att2 = await attach(server, { volumeId: plain }, '2.79');
    assert.equal(att2.body.volumeAttachment.delete_on_termination, false);
    // The list pages by limit/offset; from 2.75 nothing else.
    const page = (query: string, v = '2.79') => call(gw, demo, 'GET', `${C}/servers/${server}/os-volume_attachments?${query}`, undefined, CV(v));
    const both = (await list('2.79')).body.volumeAttachments;
    assert.equal(both.length, 2);
    assert.deepEqual((await page('limit=1')).body.volumeAttachments, both.slice(0, 1));
    assert.deepEqual((await page('offset=1')).body.volumeAttachments, both.slice(1));
    assert.equal((await page('limit=x')).status, 400);
    assert.equal((await page('foo=1', '2.74')).status, 200);
    assert.equal((await page('foo=1', '2.75')).status, 400);

    // Swapping (admins) is refused, after Nova's own checks: the path's attachment, the body's volume.
    const admin = await gw.adminToken();
    const swap = (path: string, body: Json, token = admin) => call(gw, token, 'PUT', `${C}/servers/${server}/os-volume_attachments/${path}`, body);
    const missing = '00000000-0000-4000-8000-000000000000';
    assert.equal((await swap(vol, { volumeAttachment: { volumeId: plain } }, demo)).status, 403);
    assert.equal((await swap(missing, { volumeAttachment: { volumeId: plain } })).status, 404);
    assert.equal((await swap(vol, { volumeAttachment: { volumeId: missing } })).status, 400);
    assert.equal((await swap(vol, { volumeAttachment: { volumeId: plain } })).status, 501);
  });

  test('deleting the server deletes the volumes attached with delete_on_termination, not the others nor a detached one', async () => {
    const server = await newServer('dot-delete');
    const [goes, stays, detached] = [await newVolume('goes'), await newVolume('stays'), await newVolume('detached')];
    assert.equal((await attach(server, { volumeId: goes, delete_on_termination: true }, '2.79')).status, 200);
    assert.equal((await attach(server, { volumeId: stays, delete_on_termination: false }, '2.79')).status, 200);
    assert.equal((await attach(server, { volumeId: detached, delete_on_termination: true }, '2.79')).status, 200);
    assert.equal((await call(gw, demo, 'DELETE', `${C}/servers/${server}/os-volume_attachments/${detached}`)).status, 202);
    await eventually(async () => ((await call(gw, demo, 'GET', V(project, `volumes/${detached}`))).body.volume?.status === 'available' ? true : undefined), 'detached');
    assert.equal((await call(gw, demo, 'DELETE', `${C}/servers/${server}`)).status, 204);
    await volumeGone(goes);
    await eventually(async () => ((await call(gw, demo, 'GET', `${C}/servers/${server}`)).status === 404 ? true : undefined), 'server gone');
    for (const id of [stays, detached]) {
      const v = await eventually(async () => {
        const r = await call(gw, demo, 'GET', V(project, `volumes/${id}`));
        return r.body.volume?.status === 'available' ? r.body.volume : undefined;
      }, `volume ${id} available`);
      assert.equal(v.id, id);
    }
  });
});
