import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { memberToken } from '../compute/helpers.ts';
import { type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// The Neutron API through the gateway on a sandbox: networks, subnets, ports (allocation and
// conflicts), security groups, routers and floating IPs, as an admin and as a member.

const N = '/RegionOne/network/v2.0';

describe('network API', () => {
  let gw: TestGateway;
  let admin: string;
  let member: string;
  let other: string;
  before(async () => {
    gw = await startTestGateway();
    admin = await gw.adminToken();
    member = await memberToken(gw, admin, 'netdemo');
    other = await memberToken(gw, admin, 'netother');
  });
  after(() => gw.close());

  it('lists the pod network (shared) and public (external)', async () => {
    const r = await call(gw, member, 'GET', `${N}/networks`);
    assert.equal(r.status, 200);
    const names = r.body.networks.map((n: { name: string }) => n.name).sort();
    assert.deepEqual(names, ['pod-network', 'public']);
    const pub = r.body.networks.find((n: { name: string }) => n.name === 'public');
    assert.equal(pub['router:external'], true);
    const ext = await call(gw, member, 'GET', `${N}/networks?router:external=True&fields=id&fields=name`);
    assert.deepEqual(ext.body.networks.map((n: { name: string }) => n.name), ['public']);
    assert.deepEqual(Object.keys(ext.body.networks[0]).sort(), ['id', 'name']);
    // The external network's subnet is not shown to a project (not shared).
    const subs = await call(gw, member, 'GET', `${N}/subnets?network_id=${pub.id}`);
    assert.deepEqual(subs.body.subnets, []);
  });

  it('creates a network, subnet and ports with allocated and chosen addresses', async () => {
    const net = await call(gw, member, 'POST', `${N}/networks`, { network: { name: 'n1' } });
    assert.equal(net.status, 201, JSON.stringify(net.body));
    const id = net.body.network.id;
    assert.equal(net.body.network.status, 'ACTIVE');
    const sub = await call(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: id, ip_version: 4, cidr: '10.10.0.0/29', dns_nameservers: ['8.8.8.8'] } });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    assert.equal(sub.body.subnet.gateway_ip, '10.10.0.1');
    assert.deepEqual(sub.body.subnet.allocation_pools, [{ start: '10.10.0.2', end: '10.10.0.6' }]);
    const overlap = await call(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: id, ip_version: 4, cidr: '10.10.0.0/28' } });
    assert.equal(overlap.status, 400);
    assert.match(overlap.body.NeutronError.message, /overlaps with another subnet/);
    const p1 = await call(gw, member, 'POST', `${N}/ports`, { port: { network_id: id, fixed_ips: [{ ip_address: '10.10.0.4' }] } });
    assert.equal(p1.status, 201, JSON.stringify(p1.body));
    assert.equal(p1.body.port.fixed_ips[0].ip_address, '10.10.0.4');
    assert.match(p1.body.port.mac_address, /^fa:16:3e/);
    assert.equal(p1.body.port.security_groups.length, 1);
    const dup = await call(gw, member, 'POST', `${N}/ports`, { port: { network_id: id, fixed_ips: [{ ip_address: '10.10.0.4' }] } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.NeutronError.type, 'IpAddressAlreadyAllocated');
    const outside = await call(gw, member, 'POST', `${N}/ports`, { port: { network_id: id, fixed_ips: [{ ip_address: '10.20.0.4' }] } });
    assert.equal(outside.status, 400);
    const inUse = await call(gw, member, 'DELETE', `${N}/subnets/${sub.body.subnet.id}`);
    assert.equal(inUse.status, 409);
    const netInUse = await call(gw, member, 'DELETE', `${N}/networks/${id}`);
    assert.equal(netInUse.status, 409);
    // Another project sees none of it.
    assert.equal((await call(gw, other, 'GET', `${N}/networks/${id}`)).status, 404);
    assert.equal((await call(gw, other, 'GET', `${N}/ports/${p1.body.port.id}`)).status, 404);
    assert.equal((await call(gw, member, 'DELETE', `${N}/ports/${p1.body.port.id}`)).status, 204);
    assert.equal((await call(gw, member, 'DELETE', `${N}/networks/${id}`)).status, 204);
    assert.equal((await call(gw, member, 'GET', `${N}/subnets/${sub.body.subnet.id}`)).status, 404);
  });

  it('an IPv6 SLAAC subnet leaves with its automatic port addresses; other subnets in use stay', async () => {
    const net = (await call(gw, member, 'POST', `${N}/networks`, { network: { name: 'v6' } })).body.network;
    const v4 = (await call(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: net.id, ip_version: 4, cidr: '10.30.0.0/24' } })).body.subnet;
    const v6 = await call(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: net.id, ip_version: 6, cidr: '2001:db8:30::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } });
    assert.equal(v6.status, 201, JSON.stringify(v6.body));
    const port = (await call(gw, member, 'POST', `${N}/ports`, { port: { network_id: net.id } })).body.port;
    assert.deepEqual(port.fixed_ips.map((f: { subnet_id: string }) => f.subnet_id).sort(), [v4.id, v6.body.subnet.id].sort());
    assert.equal((await call(gw, member, 'DELETE', `${N}/subnets/${v4.id}`)).status, 409);
    assert.equal((await call(gw, member, 'DELETE', `${N}/subnets/${v6.body.subnet.id}`)).status, 204);
    const after = (await call(gw, member, 'GET', `${N}/ports/${port.id}`)).body.port;
    assert.deepEqual(after.fixed_ips.map((f: { subnet_id: string }) => f.subnet_id), [v4.id]);
    assert.equal((await call(gw, member, 'DELETE', `${N}/networks/${net.id}`)).status, 409, 'the port still uses the network');
    assert.equal((await call(gw, member, 'DELETE', `${N}/ports/${port.id}`)).status, 204);
    assert.equal((await call(gw, member, 'DELETE', `${N}/networks/${net.id}`)).status, 204);
  });

  it('deleting an external network takes its unassociated floating IPs', async () => {
    const ext = (await call(gw, admin, 'POST', `${N}/networks`, { network: { name: 'ext2', 'router:external': true } })).body.network;
    const sub = await call(gw, admin, 'POST', `${N}/subnets`, { subnet: { network_id: ext.id, ip_version: 4, cidr: '198.51.100.0/28', enable_dhcp: false } });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    const fip = await call(gw, admin, 'POST', `${N}/floatingips`, { floatingip: { floating_network_id: ext.id } });
    assert.equal(fip.status, 201, JSON.stringify(fip.body));
    assert.equal((await call(gw, admin, 'DELETE', `${N}/networks/${ext.id}`)).status, 204);
    assert.equal((await call(gw, admin, 'GET', `${N}/floatingips/${fip.body.floatingip.id}`)).status, 404);
    assert.equal((await call(gw, admin, 'GET', `${N}/subnets/${sub.body.subnet.id}`)).status, 404);
  });

  it('gives parallel port creates distinct addresses, exactly the pool, then 409', async () => {
    const net = await call(gw, member, 'POST', `${N}/networks`, { network: { name: 'small' } });
    const id = net.body.network.id;
    const sub = await call(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: id, ip_version: 4, cidr: '10.30.0.0/28' } });
    assert.equal(sub.status, 201);
    const results = await Promise.all(Array.from({ length: 100 }, () => call(gw, member, 'POST', `${N}/ports`, { port: { network_id: id } })));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    assert.equal(ok.length, 13); // .2-.14 (.1 is the gateway, .15 broadcast)
    assert.equal(refused.length, 87);
    assert.equal(refused[0]?.body.NeutronError.type, 'IpAddressGenerationFailure');
    const addrs = new Set(ok.map((r) => r.body.port.fixed_ips[0].ip_address));
    assert.equal(addrs.size, 13);
    const listed = await call(gw, member, 'GET', `${N}/ports?network_id=${id}`);
    assert.equal(listed.body.ports.length, 13);
  });

  it('security groups: default group with four rules, duplicates 409, default undeletable', async () => {
    const list = await call(gw, member, 'GET', `${N}/security-groups`);
    assert.equal(list.status, 200);
    const def = list.body.security_groups.find((g: { name: string }) => g.name === 'default');
    assert.equal(def.security_group_rules.length, 4);
    const sg = await call(gw, member, 'POST', `${N}/security-groups`, { security_group: { name: 'web' } });
    assert.equal(sg.status, 201);
    assert.equal(sg.body.security_group.security_group_rules.length, 2);
    const rule = { security_group_id: sg.body.security_group.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '10.0.0.0/8' };
    const r1 = await call(gw, member, 'POST', `${N}/security-group-rules`, { security_group_rule: rule });
    assert.equal(r1.status, 201, JSON.stringify(r1.body));
    assert.equal((await call(gw, member, 'POST', `${N}/security-group-rules`, { security_group_rule: rule })).status, 409);
    assert.equal((await call(gw, member, 'GET', `${N}/security-group-rules/${r1.body.security_group_rule.id}`)).status, 200);
    // A prefix is kept as given, its network is normalized_cidr, and duplicates compare networks.
    const hosty = { ...rule, port_range_min: 80, port_range_max: 80, remote_ip_prefix: '10.2.3.124/24' };
    const r2 = (await call(gw, member, 'POST', `${N}/security-group-rules`, { security_group_rule: hosty })).body.security_group_rule;
    assert.deepEqual([r2.remote_ip_prefix, r2.normalized_cidr], ['10.2.3.124/24', '10.2.3.0/24']);
    assert.equal((await call(gw, member, 'POST', `${N}/security-group-rules`, { security_group_rule: { ...hosty, remote_ip_prefix: '10.2.3.0/24' } })).status, 409);
    // Deleting a group takes the rules that name it as their remote group.
    const peer = (await call(gw, member, 'POST', `${N}/security-groups`, { security_group: { name: 'peer' } })).body.security_group;
    const byPeer = (await call(gw, member, 'POST', `${N}/security-group-rules`, { security_group_rule: { ...rule, port_range_min: 443, port_range_max: 443, remote_ip_prefix: null, remote_group_id: peer.id } })).body.security_group_rule;
    assert.equal((await call(gw, member, 'DELETE', `${N}/security-groups/${peer.id}`)).status, 204);
    assert.equal((await call(gw, member, 'GET', `${N}/security-group-rules/${byPeer.id}`)).status, 404);
    assert.equal((await call(gw, member, 'POST', `${N}/security-groups`, { security_group: { name: 'default' } })).status, 409);
    assert.equal((await call(gw, member, 'DELETE', `${N}/security-groups/${def.id}`)).status, 409);
    assert.equal((await call(gw, other, 'GET', `${N}/security-groups/${sg.body.security_group.id}`)).status, 404);
  });

  it('routers with interfaces and a gateway; floating IPs on ports behind them', async () => {
    const pub = (await call(gw, member, 'GET', `${N}/networks?name=public`)).body.networks[0];
    const net = await call(gw, member, 'POST', `${N}/networks`, { network: { name: 'rnet' } });
    const sub = await call(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: net.body.network.id, ip_version: 4, cidr: '10.40.0.0/24' } });
    const router = await call(gw, member, 'POST', `${N}/routers`, { router: { name: 'r1', external_gateway_info: { network_id: pub.id } } });
    assert.equal(router.status, 201, JSON.stringify(router.body));
    assert.equal(router.body.router.external_gateway_info.external_fixed_ips.length, 1);
    const port = await call(gw, member, 'POST', `${N}/ports`, { port: { network_id: net.body.network.id } });
    const unreachable = await call(gw, member, 'POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: port.body.port.id } });
    assert.equal(unreachable.status, 404);
    const iface = await call(gw, member, 'PUT', `${N}/routers/${router.body.router.id}/add_router_interface`, { subnet_id: sub.body.subnet.id });
    assert.equal(iface.status, 200, JSON.stringify(iface.body));
    assert.equal(iface.body.subnet_id, sub.body.subnet.id);
    const fip = await call(gw, member, 'POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: port.body.port.id } });
    assert.equal(fip.status, 201, JSON.stringify(fip.body));
    assert.match(fip.body.floatingip.floating_ip_address, /^192\.0\.2\./);
    assert.equal(fip.body.floatingip.router_id, router.body.router.id);
    assert.equal((await call(gw, member, 'DELETE', `${N}/routers/${router.body.router.id}`)).status, 409);
    assert.equal((await call(gw, member, 'DELETE', `${N}/ports/${port.body.port.id}`)).status, 204);
    const after = await call(gw, member, 'GET', `${N}/floatingips/${fip.body.floatingip.id}`);
    assert.equal(after.body.floatingip.port_id, null);
    const ports = await call(gw, member, 'GET', `${N}/ports?device_id=${router.body.router.id}`);
    assert.equal(ports.body.ports.length, 1);
    const rm = await call(gw, member, 'PUT', `${N}/routers/${router.body.router.id}/remove_router_interface`, { subnet_id: sub.body.subnet.id });
    assert.equal(rm.status, 200);
    assert.equal((await call(gw, member, 'DELETE', `${N}/floatingips/${fip.body.floatingip.id}`)).status, 204);
    assert.equal((await call(gw, member, 'DELETE', `${N}/routers/${router.body.router.id}`)).status, 204);
  });

  it('lists exactly the implemented extensions, and Neutron faults', async () => {
    const ext = await call(gw, member, 'GET', `${N}/extensions`);
    assert.ok(ext.body.extensions.some((e: { alias: string }) => e.alias === 'router'));
    assert.equal((await call(gw, member, 'GET', `${N}/extensions/router`)).status, 200);
    const missing = await call(gw, member, 'GET', `${N}/networks/not-a-uuid`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.NeutronError.type, 'NetworkNotFound');
  });
});

describe('subnet pools', () => {
  let gw: TestGateway;
  let member: string;
  before(async () => {
    gw = await startTestGateway();
    member = await memberToken(gw, await gw.adminToken(), 'pooluser');
  });
  after(() => gw.close());

  it('creates, updates and deletes a pool; subnets take free blocks from it', async () => {
    const pool = await call(gw, member, 'POST', `${N}/subnetpools`, { subnetpool: { name: 'p1', prefixes: ['10.70.0.0/16'], default_prefixlen: 24 } });
    assert.equal(pool.status, 201, JSON.stringify(pool.body));
    const id = pool.body.subnetpool.id;
    assert.equal(pool.body.subnetpool.ip_version, 4);
    const upd = await call(gw, member, 'PUT', `${N}/subnetpools/${id}`, { subnetpool: { name: 'p2' } });
    assert.equal(upd.body.subnetpool.name, 'p2');
    const net = (await call(gw, member, 'POST', `${N}/networks`, { network: { name: 'pooled' } })).body.network.id;
    const subs = await Promise.all([1, 2, 3].map(() => call(gw, member, 'POST', `${N}/subnets`, { subnet: { network_id: net, ip_version: 4, subnetpool_id: id } })));
    const cidrs = subs.map((s) => s.body.subnet?.cidr);
    assert.equal(new Set(cidrs).size, 3, JSON.stringify(cidrs));
    assert.ok(cidrs.every((c) => /^10\.70\.\d+\.0\/24$/.test(c)));
    assert.equal((await call(gw, member, 'DELETE', `${N}/subnetpools/${id}`)).status, 409);
    assert.equal((await call(gw, member, 'DELETE', `${N}/networks/${net}`)).status, 204);
    assert.equal((await call(gw, member, 'DELETE', `${N}/subnetpools/${id}`)).status, 204);
    assert.equal((await call(gw, member, 'GET', `${N}/subnetpools/${id}`)).status, 404);
  });
});

describe('availability zones and quotas', () => {
  let gw: TestGateway;
  let admin: string;
  let member: string;
  let projectId: string;
  before(async () => {
    gw = await startTestGateway();
    admin = await gw.adminToken();
    member = await memberToken(gw, admin, 'quser');
    projectId = (await call(gw, member, 'GET', `${N}/security-groups`)).body.security_groups[0].project_id;
  });
  after(() => gw.close());

  it('lists zones for networks and routers', async () => {
    const r = await call(gw, member, 'GET', `${N}/availability_zones`);
    assert.equal(r.status, 200);
    assert.ok(r.body.availability_zones.length >= 2);
    assert.deepEqual(Object.keys(r.body.availability_zones[0]).sort(), ['name', 'resource', 'state']);
  });

  it('shows defaults, lets an admin update (a ResourceQuota), refuses a member', async () => {
    const q = await call(gw, member, 'GET', `${N}/quotas/${projectId}`);
    assert.equal(q.status, 200);
    assert.equal(q.body.quota.network, 100);
    assert.equal((await call(gw, member, 'PUT', `${N}/quotas/${projectId}`, { quota: { network: 5 } })).status, 403);
    const up = await call(gw, admin, 'PUT', `${N}/quotas/${projectId}`, { quota: { network: 5, port: -1 } });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.quota.network, 5);
    const details = await call(gw, member, 'GET', `${N}/quotas/${projectId}/details`);
    assert.deepEqual(details.body.quota.network, { used: 0, limit: 5, reserved: 0 });
    assert.equal(details.body.quota.port.limit, -1);
    assert.equal((await call(gw, admin, 'GET', `${N}/quotas/${projectId}/details.json`)).body.quota.network.limit, 5);
    const listed = await call(gw, admin, 'GET', `${N}/quotas`);
    assert.deepEqual(listed.body.quotas.map((x: { project_id: string; network: number }) => [x.project_id, x.network]), [[projectId, 5]]);
    assert.equal((await call(gw, admin, 'DELETE', `${N}/quotas/${projectId}`)).status, 204);
    assert.equal((await call(gw, member, 'GET', `${N}/quotas/${projectId}`)).body.quota.network, 100);
    assert.deepEqual((await call(gw, admin, 'GET', `${N}/quotas`)).body.quotas, []);
  });

  it('a create over quota is OverQuota (409), enforced by Kubernetes, with nothing written', async () => {
    assert.equal((await call(gw, admin, 'PUT', `${N}/quotas/${projectId}`, { quota: { network: 1 } })).status, 200);
    const first = await call(gw, member, 'POST', `${N}/networks`, { network: { name: 'q1' } });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await call(gw, member, 'POST', `${N}/networks`, { network: { name: 'q2' } });
    assert.equal(second.status, 409);
    assert.deepEqual(second.body.NeutronError.type, 'OverQuota');
    const names = (await call(gw, member, 'GET', `${N}/networks?name=q2`)).body.networks;
    assert.deepEqual(names, []);
    assert.equal((await call(gw, admin, 'DELETE', `${N}/quotas/${projectId}`)).status, 204);
    assert.equal((await call(gw, member, 'POST', `${N}/networks`, { network: { name: 'q2' } })).status, 201);
  });
});
