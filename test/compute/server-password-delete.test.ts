import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, api, eventually } from './helpers.ts';
import { computeGateway, IMAGE, waitActive } from './servers-helpers.ts';

describe('server password, forceDelete and restore', () => {
  let gw: TestGateway;
  let demo: string;
  let id: string;
  const missing = '00000000-0000-4000-8000-000000000000';
  before(async () => {
    ({ gw, demo } = await computeGateway());
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'p1', imageRef: IMAGE, flavorRef: 'u1.small' } });
    id = r.body.server.id;
    await waitActive(gw, demo, id);
  });
  after(() => gw.close());

  test('no guest posts a password: empty; clearing is a 204; unknown servers 404', async () => {
    assert.deepEqual((await api(gw, demo, 'GET', `${C}/servers/${id}/os-server-password`)).body, { password: '' });
    assert.equal((await api(gw, demo, 'DELETE', `${C}/servers/${id}/os-server-password`)).status, 204);
    assert.equal((await api(gw, demo, 'GET', `${C}/servers/${missing}/os-server-password`)).status, 404);
  });

  test('restore: nothing is ever soft-deleted (409); forceDelete deletes; unknown servers 404', async () => {
    assert.equal((await api(gw, demo, 'POST', `${C}/servers/${missing}/action`, { restore: null })).status, 404);
    assert.equal((await api(gw, demo, 'POST', `${C}/servers/${missing}/action`, { forceDelete: null })).status, 404);
    const r = await api(gw, demo, 'POST', `${C}/servers/${id}/action`, { restore: null });
    assert.equal(r.status, 409);
    assert.match(r.body.conflictingRequest.message, /Cannot 'restore' instance/);
    assert.equal((await api(gw, demo, 'POST', `${C}/servers/${id}/action`, { forceDelete: null })).status, 202);
    await eventually(async () => ((await api(gw, demo, 'GET', `${C}/servers/${id}`)).status === 404 ? true : undefined), 'server gone');
  });
});
