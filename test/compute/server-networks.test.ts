import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { R } from '../../src/kube/index.ts';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, CV, api, demoToken } from './helpers.ts';
import { IMAGE, installTestImages, waitActive } from './servers-helpers.ts';

// Servers on tenant networks: ports made by Nova (device_id = server), Multus interfaces on
// the VM, addresses from the ports, ports released with the server; security groups labelled.

const N = '/RegionOne/network/v2.0';
let gw: TestGateway;
let member: string;
let netId: string;
before(async () => {
  installTestImages();
  gw = await startTestGateway();
  member = await demoToken(gw, await gw.adminToken());
  netId = (await api(gw, member, 'POST', `${N}/networks`, { network: { name: 'tenant' } })).body.network.id;
  const sub = await api(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: netId, ip_version: 4, cidr: '10.60.0.0/24' } });
  assert.equal(sub.status, 201);
});
after(() => gw.close());

const boot = (networks: unknown, name = 'vm') =>
  api(gw, member, 'POST', `${C}/servers`, { server: { name, imageRef: IMAGE, flavorRef: 'u1.small', networks } }, CV('2.37'));

test('a server on a tenant network gets a port, a Multus interface and its address', async () => {
  const made = await boot([{ uuid: netId, fixed_ip: '10.60.0.20' }]);
  assert.equal(made.status, 202, JSON.stringify(made.body));
  const id = made.body.server.id;
  const ports = await api(gw, member, 'GET', `${N}/ports?device_id=${id}`);
  assert.equal(ports.body.ports.length, 1);
  const port = ports.body.ports[0];
  assert.equal(port.device_owner, 'compute:nova');
  assert.equal(port.fixed_ips[0].ip_address, '10.60.0.20');
  const server = await waitActive(gw, member, id);
  assert.deepEqual(server.addresses.tenant, [{ addr: '10.60.0.20', version: 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.mac_address }]);
  assert.equal(server.addresses['pod-network'], undefined, 'no pod interface was asked for');
  assert.equal((await api(gw, member, 'GET', `${N}/ports/${port.id}`)).body.port.status, 'ACTIVE', 'the VMI runs');
  const vms = await (await gw.gateway()).regions.get('RegionOne')!.kube.listAll<{ spec: { template: { metadata: { labels: Record<string, string> }; spec: { networks: { multus?: { networkName: string } }[]; domain: { devices: { interfaces: { macAddress?: string }[] } } } } } }>(R.virtualMachines);
  const vm = vms.items[0]!;
  assert.match(vm.spec.template.spec.networks[0]?.multus?.networkName ?? '', /\/tenant-/);
  assert.equal(vm.spec.template.spec.domain.devices.interfaces[0]?.macAddress, port.mac_address);
  assert.equal(vm.spec.template.metadata.labels[`port.openstack.dicot.io/${port.id}`], 'true');
  assert.ok(Object.keys(vm.spec.template.metadata.labels).some((k) => k === 'sg.openstack.dicot.io/sg-default'));
  assert.equal((await api(gw, member, 'DELETE', `${C}/servers/${id}`)).status, 204);
  assert.equal((await api(gw, member, 'GET', `${N}/ports/${port.id}`)).status, 404, 'the port Nova made goes with the server');
});

test('a server on a given port keeps the port (unbound) after delete; bad networks are 400', async () => {
  const port = (await api(gw, member, 'POST', `${N}/ports`, { port: { network_id: netId } })).body.port;
  const made = await boot([{ port: port.id }], 'vm2');
  assert.equal(made.status, 202, JSON.stringify(made.body));
  const bound = await api(gw, member, 'GET', `${N}/ports/${port.id}`);
  assert.equal(bound.body.port.device_id, made.body.server.id);
  assert.equal((await boot([{ port: port.id }], 'vm3')).status, 409, 'a port in use');
  assert.equal((await boot([{ uuid: '00000000-0000-4000-8000-000000000000' }], 'vm4')).status, 400);
  assert.equal((await api(gw, member, 'DELETE', `${C}/servers/${made.body.server.id}`)).status, 204);
  const after = await api(gw, member, 'GET', `${N}/ports/${port.id}`);
  assert.equal(after.status, 200);
  assert.equal(after.body.port.device_id, '');
});

test('addSecurityGroup/removeSecurityGroup change the ports and the VM label; an unknown group is 404', async () => {
  const sg = (await api(gw, member, 'POST', `${N}/security-groups`, { security_group: { name: 'extra' } })).body.security_group;
  const made = await boot([{ uuid: netId }], 'vm5');
  const id = made.body.server.id;
  const action = (body: unknown) => api(gw, member, 'POST', `${C}/servers/${id}/action`, body);
  assert.equal((await action({ addSecurityGroup: { name: 'nope' } })).status, 404);
  assert.equal((await action({ addSecurityGroup: { name: 'extra' } })).status, 202);
  const port = (await api(gw, member, 'GET', `${N}/ports?device_id=${id}`)).body.ports[0];
  assert.ok(port.security_groups.includes(sg.id));
  const listed = await api(gw, member, 'GET', `${C}/servers/${id}/os-security-groups`);
  assert.deepEqual(listed.body.security_groups.map((g: { name: string }) => g.name).sort(), ['default', 'extra']);
  assert.equal((await api(gw, member, 'DELETE', `${N}/security-groups/${sg.id}`)).status, 409, 'in use');
  assert.equal((await action({ removeSecurityGroup: { name: 'extra' } })).status, 202);
  const after = (await api(gw, member, 'GET', `${N}/ports?device_id=${id}`)).body.ports[0];
  assert.ok(!after.security_groups.includes(sg.id));
  // With its last group removed, the server shows none (Nova leaves the key out).
  assert.equal((await action({ removeSecurityGroup: { name: 'default' } })).status, 202);
  assert.equal('security_groups' in (await api(gw, member, 'GET', `${C}/servers/${id}`)).body.server, false);
  assert.deepEqual((await api(gw, member, 'GET', `${C}/servers/${id}/os-security-groups`)).body.security_groups, []);
  assert.equal((await action({ removeSecurityGroup: { name: 'default' } })).status, 404);
  assert.equal((await action({ addSecurityGroup: { name: 'default' } })).status, 202);
  assert.deepEqual((await api(gw, member, 'GET', `${C}/servers/${id}`)).body.server.security_groups, [{ name: 'default' }]);
  assert.equal((await api(gw, member, 'DELETE', `${C}/servers/${id}`)).status, 204);
});

test('a floating IP on the server port shows as a floating address; /ips lists the network', async () => {
  const pub = (await api(gw, member, 'GET', `${N}/networks?name=public`)).body.networks[0];
  const subnet = (await api(gw, member, 'GET', `${N}/subnets?network_id=${netId}`)).body.subnets[0];
  const router = (await api(gw, member, 'POST', `${N}/routers`, { router: { name: 'r', external_gateway_info: { network_id: pub.id } } })).body.router;
  assert.equal((await api(gw, member, 'PUT', `${N}/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id })).status, 200);
  const id = (await boot([{ uuid: netId }], 'vm6')).body.server.id;
  const port = (await api(gw, member, 'GET', `${N}/ports?device_id=${id}`)).body.ports[0];
  const fip = await api(gw, member, 'POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: port.id } });
  assert.equal(fip.status, 201, JSON.stringify(fip.body));
  const server = await waitActive(gw, member, id);
  const types = server.addresses.tenant.map((a: { 'OS-EXT-IPS:type': string }) => a['OS-EXT-IPS:type']);
  assert.deepEqual(types, ['fixed', 'floating']);
  const ips = await api(gw, member, 'GET', `${C}/servers/${id}/ips/tenant`);
  assert.equal(ips.status, 200);
  assert.equal(ips.body.tenant.length, 2);
  assert.equal((await api(gw, member, 'DELETE', `${C}/servers/${id}`)).status, 204);
  const after = await api(gw, member, 'GET', `${N}/floatingips/${fip.body.floatingip.id}`);
  assert.equal(after.body.floatingip.port_id, null, 'deleting the server disassociates its floating IP');
});

test('os-interface: list, attach a network, detach (the port Nova made is deleted)', async () => {
  const id = (await boot([{ uuid: netId }], 'vm7')).body.server.id;
  const first = await api(gw, member, 'GET', `${C}/servers/${id}/os-interface`);
  assert.equal(first.status, 200);
  assert.equal(first.body.interfaceAttachments.length, 1);
  const other = (await api(gw, member, 'POST', `${N}/networks`, { network: { name: 'second' } })).body.network.id;
  await api(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: other, ip_version: 4, cidr: '10.61.0.0/24' } });
  const att = await api(gw, member, 'POST', `${C}/servers/${id}/os-interface`, { interfaceAttachment: { net_id: other } });
  assert.equal(att.status, 200, JSON.stringify(att.body));
  assert.equal(att.body.interfaceAttachment.net_id, other);
  const portId = att.body.interfaceAttachment.port_id;
  const vm = (await (await gw.gateway()).regions.get('RegionOne')!.kube.listAll<{ metadata: { name?: string }; spec: { template: { spec: { networks: unknown[] } } } }>(R.virtualMachines)).items.find((v) => v.metadata.name?.startsWith('vm7'));
  assert.equal(vm?.spec.template.spec.networks.length, 2);
  assert.equal((await api(gw, member, 'GET', `${C}/servers/${id}/os-interface`)).body.interfaceAttachments.length, 2);
  assert.equal((await api(gw, member, 'DELETE', `${C}/servers/${id}/os-interface/${portId}`)).status, 202);
  assert.equal((await api(gw, member, 'GET', `${N}/ports/${portId}`)).status, 404);
  assert.equal((await api(gw, member, 'GET', `${C}/servers/${id}/os-interface`)).body.interfaceAttachments.length, 1);
  assert.equal((await api(gw, member, 'DELETE', `${C}/servers/${id}`)).status, 204);
});
