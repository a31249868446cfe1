import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, CV, api, demoToken, eventually } from './helpers.ts';

describe('os-volumes and os-snapshots (Nova proxies up to 2.35)', () => {
  let gw: TestGateway;
  let demo: string;
  before(async () => {
    gw = await startTestGateway();
    demo = await demoToken(gw, await gw.adminToken());
  });
  after(() => gw.close());

  test('create, list (limit/offset), show, snapshot, delete; Nova faults', async () => {
    const bad = (volume: unknown) => api(gw, demo, 'POST', `${C}/os-volumes`, { volume });
    assert.equal((await bad({ size: '#$%', display_name: 'x' })).status, 400);
    assert.equal((await bad({ display_name: 'x' })).status, 400);
    assert.equal((await bad({ size: 0 })).status, 400);
    assert.equal((await bad({ size: 1, name: 'cinder-style' })).status, 400, 'no other keys');

    const created = await api(gw, demo, 'POST', `${C}/os-volumes`, { volume: { size: 1, display_name: 'v1', metadata: { k: 'v' } } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const v = created.body.volume;
    assert.deepEqual(Object.keys(v).sort(), ['attachments', 'availabilityZone', 'createdAt', 'displayDescription', 'displayName', 'id', 'metadata', 'size', 'snapshotId', 'status', 'volumeType']);
    assert.deepEqual(v.attachments, [{}]);
    assert.equal(v.displayName, 'v1');
    await eventually(async () => ((await api(gw, demo, 'GET', `${C}/os-volumes/${v.id}`)).body.volume.status === 'available' ? true : undefined), 'volume available');
    const v2 = (await api(gw, demo, 'POST', `${C}/os-volumes`, { volume: { size: '1', display_name: 'v2' } })).body.volume;

    const all = (await api(gw, demo, 'GET', `${C}/os-volumes/detail`)).body.volumes;
    assert.deepEqual(all.map((x: { id: string }) => x.id).sort(), [v.id, v2.id].sort());
    // v2 may still be settling: compare which volume the page holds.
    assert.deepEqual(
      (await api(gw, demo, 'GET', `${C}/os-volumes?limit=1&offset=1`)).body.volumes.map((x: { id: string }) => x.id),
      [all[1].id],
    );
    assert.equal((await api(gw, demo, 'GET', `${C}/os-volumes?limit=x`)).status, 400);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-volumes/`)).status, 404, 'an empty id');
    assert.equal((await api(gw, demo, 'GET', `${C}/os-volumes/00000000-0000-4000-8000-000000000000`)).status, 404);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-volumes`, undefined, CV('2.36'))).status, 404);

    const snap = await api(gw, demo, 'POST', `${C}/os-snapshots`, { snapshot: { volume_id: v.id, display_name: 's1' } });
    assert.equal(snap.status, 200, JSON.stringify(snap.body));
    assert.deepEqual(Object.keys(snap.body.snapshot).sort(), ['createdAt', 'displayDescription', 'displayName', 'id', 'size', 'status', 'volumeId']);
    const sid = snap.body.snapshot.id;
    assert.equal((await api(gw, demo, 'GET', `${C}/os-snapshots/${sid}`)).body.snapshot.volumeId, v.id);
    assert.ok((await api(gw, demo, 'GET', `${C}/os-snapshots`)).body.snapshots.some((s: { id: string }) => s.id === sid));
    await eventually(async () => ((await api(gw, demo, 'GET', `${C}/os-snapshots/${sid}`)).body.snapshot.status === 'available' ? true : undefined), 'snapshot available');
    assert.equal((await api(gw, demo, 'DELETE', `${C}/os-snapshots/${sid}`)).status, 202);
    await eventually(async () => ((await api(gw, demo, 'GET', `${C}/os-snapshots/${sid}`)).status === 404 ? true : undefined), 'snapshot gone');

    assert.equal((await api(gw, demo, 'DELETE', `${C}/os-volumes/${v2.id}`)).status, 202);
    assert.equal((await api(gw, demo, 'DELETE', `${C}/os-volumes/00000000-0000-4000-8000-000000000000`)).status, 404);
    assert.equal((await api(gw, demo, 'DELETE', `${C}/os-volumes/`)).status, 404);
  });
});
