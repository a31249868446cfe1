import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, CV, api, demoToken } from './helpers.ts';

describe('os-networks and os-tenant-networks (Nova proxies up to 2.35)', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  before(async () => {
    gw = await startTestGateway();
    admin = await gw.adminToken();
    demo = await demoToken(gw, admin);
  });
  after(() => gw.close());

  test('the networks the caller sees, in Nova shapes; admins get more keys', async () => {
    const mine = await api(gw, demo, 'POST', '/RegionOne/network/v2.0/networks', { network: { name: 'demo-net' } });
    assert.equal(mine.status, 201);
    const other = await api(gw, admin, 'POST', '/RegionOne/network/v2.0/networks', { network: { name: 'admin-private' } });
    const id = mine.body.network.id;

    const t = await api(gw, demo, 'GET', `${C}/os-tenant-networks`);
    assert.equal(t.status, 200);
    const labels = t.body.networks.map((n: { label: string }) => n.label);
    assert.ok(labels.includes('demo-net') && labels.includes('pod-network'));
    assert.ok(!labels.includes('admin-private'), "another project's private network is not visible");
    assert.deepEqual(t.body.networks.find((n: { id: string }) => n.id === id), { id, cidr: null, label: 'demo-net' });
    assert.deepEqual((await api(gw, demo, 'GET', `${C}/os-tenant-networks/${id}`)).body, { network: { id, cidr: null, label: 'demo-net' } });
    assert.equal((await api(gw, demo, 'GET', `${C}/os-tenant-networks/${other.body.network.id}`)).status, 404);

    const user = (await api(gw, demo, 'GET', `${C}/os-networks/${id}`)).body.network;
    assert.equal(user.label, 'demo-net');
    assert.equal('project_id' in user, false);
    const adm = (await api(gw, admin, 'GET', `${C}/os-networks`)).body.networks.find((n: { id: string }) => n.id === id);
    assert.equal(adm.deleted, false);
    assert.equal(typeof adm.mtu, 'number');
    assert.equal(adm.cidr, null);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-networks`, undefined, CV('2.36'))).status, 404);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-networks/nope`)).status, 404);
  });
});
