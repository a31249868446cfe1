import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, CV, api, demoToken } from './helpers.ts';
import { IMAGE, installTestImages, waitActive } from './servers-helpers.ts';

const N = '/RegionOne/network/v2.0';

describe('os-floating-ips, os-floating-ip-pools and add/removeFloatingIp (Nova proxies)', () => {
  let gw: TestGateway;
  let demo: string;
  let server: string;
  let podServer: string;
  before(async () => {
    installTestImages();
    gw = await startTestGateway();
    demo = await demoToken(gw, await gw.adminToken());
    const net = (await api(gw, demo, 'POST', `${N}/networks`, { network: { name: 'tenant' } })).body.network.id;
    const sub = (await api(gw, demo, 'POST', `${N}/subnets`, { subnet: { network_id: net, ip_version: 4, cidr: '10.61.0.0/24' } })).body.subnet.id;
    const router = (await api(gw, demo, 'POST', `${N}/routers`, { router: { name: 'r' } })).body.router.id;
    const pub = (await api(gw, demo, 'GET', `${N}/networks?name=public`)).body.networks[0].id;
    assert.equal((await api(gw, demo, 'PUT', `${N}/routers/${router}`, { router: { external_gateway_info: { network_id: pub } } })).status, 200);
    assert.equal((await api(gw, demo, 'PUT', `${N}/routers/${router}/add_router_interface`, { subnet_id: sub })).status, 200);
    const s = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'fip', imageRef: IMAGE, flavorRef: 'u1.small', networks: [{ uuid: net }] } });
    server = s.body.server.id;
    const p = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'pod', imageRef: IMAGE, flavorRef: 'u1.small' } });
    podServer = p.body.server.id;
    await Promise.all([waitActive(gw, demo, server), waitActive(gw, demo, podServer)]);
  });
  after(() => gw.close());

  test('pools, allocate, show, list, associate, disassociate, release; Nova faults', async () => {
    assert.deepEqual((await api(gw, demo, 'GET', `${C}/os-floating-ip-pools`)).body, { floating_ip_pools: [{ name: 'public' }] });
    assert.equal((await api(gw, demo, 'POST', `${C}/os-floating-ips`, { pool: 'nope' })).status, 404);
    const made = await api(gw, demo, 'POST', `${C}/os-floating-ips`, { pool: 'public' });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const fip = made.body.floating_ip;
    assert.deepEqual(Object.keys(fip).sort(), ['fixed_ip', 'id', 'instance_id', 'ip', 'pool']);
    assert.equal(fip.pool, 'public');
    assert.equal(fip.instance_id, null);
    assert.deepEqual((await api(gw, demo, 'GET', `${C}/os-floating-ips/${fip.id}`)).body.floating_ip, fip);
    const pub = (await api(gw, demo, 'GET', `${N}/networks?name=public`)).body.networks[0].id;
    const byId = await api(gw, demo, 'POST', `${C}/os-floating-ips`, { pool: pub });
    assert.equal(byId.body.floating_ip.pool, 'public', 'a pool named by its network id');
    assert.equal((await api(gw, demo, 'DELETE', `${C}/os-floating-ips/${byId.body.floating_ip.id}`)).status, 202);
    assert.ok((await api(gw, demo, 'GET', `${C}/os-floating-ips`)).body.floating_ips.some((f: { id: string }) => f.id === fip.id));
    assert.equal((await api(gw, demo, 'GET', `${C}/os-floating-ips/00000000-0000-4000-8000-000000000000`)).status, 404);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-floating-ips`, undefined, CV('2.36'))).status, 404);

    const act = (id: string, body: unknown) => api(gw, demo, 'POST', `${C}/servers/${id}/action`, body);
    assert.equal((await act(server, { addFloatingIp: { address: '203.0.113.250' } })).status, 404, 'an address the caller does not hold');
    assert.equal((await act(podServer, { addFloatingIp: { address: fip.ip } })).status, 400, 'a pod-network server has no port');
    assert.equal((await act(server, { removeFloatingIp: { address: fip.ip } })).status, 409, 'not associated');
    assert.equal((await act(server, { addFloatingIp: { address: fip.ip } })).status, 202);
    const shown = (await api(gw, demo, 'GET', `${C}/os-floating-ips/${fip.id}`)).body.floating_ip;
    assert.equal(shown.instance_id, server);
    assert.match(shown.fixed_ip, /^10\.61\.0\./);
    assert.equal((await act(server, { removeFloatingIp: { address: fip.ip } })).status, 202);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-floating-ips/${fip.id}`)).body.floating_ip.instance_id, null);
    assert.equal((await api(gw, demo, 'POST', `${C}/servers/${server}/action`, { addFloatingIp: { address: fip.ip } }, CV('2.44'))).status, 404);

    assert.equal((await api(gw, demo, 'DELETE', `${C}/os-floating-ips/${fip.id}`)).status, 202);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-floating-ips/${fip.id}`)).status, 404);
    assert.equal((await api(gw, demo, 'DELETE', `${C}/os-floating-ips/${fip.id}`)).status, 404);
  });
});
