import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api } from './helpers.ts';
import { computeGateway, IMAGE, waitActive } from './servers-helpers.ts';

describe('os-server-external-events', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let id: string;
  const missing = '00000000-0000-4000-8000-000000000000';
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'ev', imageRef: IMAGE, flavorRef: 'u1.small' } });
    id = r.body.server.id;
    await waitActive(gw, demo, id);
  });
  after(() => gw.close());

  test('admins deliver events: 200 per known server, 404 per unknown (207), names by version', async () => {
    const post = (events: unknown, v = '2.1', token = admin) => api(gw, token, 'POST', `${C}/os-server-external-events`, { events }, CV(v));
    assert.equal((await post([{ name: 'network-changed', server_uuid: id }], '2.1', demo)).status, 403);
    const ok = await post([{ name: 'network-changed', server_uuid: id }]);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { events: [{ name: 'network-changed', server_uuid: id, status: 'completed', code: 200 }] });
    const mixed = await post([
      { name: 'network-vif-plugged', server_uuid: id, tag: 'port-1' },
      { name: 'network-changed', server_uuid: missing },
    ]);
    assert.equal(mixed.status, 207);
    assert.deepEqual(
      mixed.body.events.map((e: { code: number }) => e.code),
      [200, 404],
    );
    assert.equal((await post([{ name: 'network-changed', server_uuid: missing }])).status, 404);
    assert.equal((await post([{ name: 'volume-extended', server_uuid: id }], '2.50')).status, 400);
    assert.equal((await post([{ name: 'volume-extended', server_uuid: id }], '2.51')).status, 200);
    assert.equal((await post([{ name: 'power-update', server_uuid: id, tag: 'POWER_OFF' }], '2.76')).status, 400);
    assert.equal((await post([{ name: 'network-changed', server_uuid: id, foo: 1 }])).status, 400);
    assert.equal((await post([])).status, 400);
  });
});
