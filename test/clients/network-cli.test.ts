import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliSession, type Row, startCliSession } from './cli.ts';

// The Debian `openstack` CLI (SDK network commands) against a gateway over a fresh sandbox:
// the networking part of the "Done when" list, as the demo member and the admin.

let cli: CliSession;
const demo = (...a: string[]) => cli.os('dicot-demo', ...a, '-f', 'json') as Promise<Row & Row[]>;
const demoNoOut = (...a: string[]) => cli.os('dicot-demo', ...a);
const admin = (...a: string[]) => cli.os('dicot-admin', ...a, '-f', 'json') as Promise<Row & Row[]>;

before(async () => {
  cli = await startCliSession('network');
});
after(() => cli.close());

test('networks, subnets (v4 and v6), ports with fixed IPs', async () => {
  const net = await demo('network', 'create', 'web-net');
  assert.equal(net.name, 'web-net');
  const v4 = await demo('subnet', 'create', '--network', 'web-net', '--subnet-range', '10.50.0.0/24', '--dns-nameserver', '8.8.8.8', 'web-v4');
  assert.equal(v4.cidr, '10.50.0.0/24');
  assert.equal(v4.gateway_ip, '10.50.0.1');
  const v6 = await demo('subnet', 'create', '--network', 'web-net', '--ip-version', '6', '--ipv6-address-mode', 'slaac', '--ipv6-ra-mode', 'slaac', '--subnet-range', '2001:db8:1::/64', 'web-v6');
  assert.equal(v6.ip_version, 6);
  const port = await demo('port', 'create', '--network', 'web-net', '--fixed-ip', 'subnet=web-v4,ip-address=10.50.0.10', 'web-port');
  assert.match(JSON.stringify(port.fixed_ips), /10\.50\.0\.10/);
  const names = (await demo('network', 'list')).map((n) => n.Name).sort();
  assert.deepEqual(names, ['pod-network', 'public', 'web-net']);
  // The admin sees every project's networks.
  const adminNets = (await admin('network', 'list')).map((n) => n.Name);
  assert.ok(adminNets.includes('web-net'));
});

test('security groups and rules (tcp 22 from a CIDR, icmp, a remote group)', async () => {
  await demo('security', 'group', 'create', 'ssh');
  await demo('security', 'group', 'create', 'app');
  const r1 = await demo('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', '--remote-ip', '192.168.0.0/16', 'ssh');
  assert.equal(r1.port_range_min, 22);
  await demo('security', 'group', 'rule', 'create', '--protocol', 'icmp', 'ssh');
  const r3 = await demo('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '8080', '--remote-group', 'app', 'ssh');
  assert.ok(r3.remote_group_id);
  const rules = await demo('security', 'group', 'rule', 'list', 'ssh');
  assert.equal(rules.length, 5); // 2 egress + 3
});

test('a member of another project sees neither the private network, the port nor the group', async () => {
  await cli.os('dicot-admin', 'project', 'create', 'other', '-f', 'json');
  await cli.os('dicot-admin', 'user', 'create', '--project', 'other', '--password', 'other-pw', 'other', '-f', 'json');
  await cli.os('dicot-admin', 'role', 'add', '--project', 'other', '--user', 'other', 'member');
  const as = ['--os-auth-url', `${cli.node.url}/identity/v3`, '--os-username', 'other', '--os-password', 'other-pw', '--os-user-domain-name', 'Default', '--os-project-name', 'other', '--os-project-domain-name', 'Default'];
  const run = (args: string[]) => cli.run([...as, ...args], { OS_CLIENT_CONFIG_FILE: '/nonexistent' });
  const nets = await run(['network', 'list', '-f', 'json']);
  assert.equal(nets.code, 0, nets.stderr);
  assert.deepEqual((JSON.parse(nets.stdout) as Row[]).map((n) => n.Name).sort(), ['pod-network', 'public']);
  assert.match((await run(['port', 'show', 'web-port'])).stderr, /No Port found/);
  assert.match((await run(['security', 'group', 'show', 'ssh'])).stderr, /No SecurityGroup found/);
  assert.match((await run(['port', 'create', '--network', 'web-net', 'intruder'])).stderr, /No Network found/);
});

test('routers, external gateway, floating IPs, a server on the network, quotas; kubectl-visible objects', async () => {
  await demo('router', 'create', 'r1');
  await demoNoOut('router', 'add', 'subnet', 'r1', 'web-v4');
  await demoNoOut('router', 'set', '--external-gateway', 'public', 'r1');
  const router = await demo('router', 'show', 'r1');
  assert.match(JSON.stringify(router.external_gateway_info), /external_fixed_ips/);
  const fip = await demo('floating', 'ip', 'create', 'public');
  assert.match(String(fip.floating_ip_address), /^192\.0\.2\./);
  await demoNoOut('floating', 'ip', 'set', '--port', 'web-port', String(fip.floating_ip_address));
  const shown = await demo('floating', 'ip', 'show', String(fip.floating_ip_address));
  assert.equal(shown.fixed_ip_address, '10.50.0.10');
  // A server on the network: its port, the floating IP on it, both addresses in server show.
  writeFileSync(join(cli.dir, 'cirros.img'), new Uint8Array(1024 * 1024));
  await admin('image', 'create', '--public', '--file', './cirros.img', '--disk-format', 'raw', '--container-format', 'bare', 'cirros');
  for (let i = 0; i < 100 && (await admin('image', 'show', 'cirros')).status !== 'active'; i++) await new Promise((r) => setTimeout(r, 200));
  const server = await demo('server', 'create', '--image', 'cirros', '--flavor', 'u1.small', '--network', 'web-net', '--wait', 'vm1');
  assert.equal(server.status, 'ACTIVE');
  const fip2 = await demo('floating', 'ip', 'create', 'public');
  await demoNoOut('server', 'add', 'floating', 'ip', 'vm1', String(fip2.floating_ip_address));
  const shownServer = await demo('server', 'show', 'vm1');
  assert.match(JSON.stringify(shownServer.addresses), new RegExp(`web-net.*10\\.50\\.0\\.\\d+.*${String(fip2.floating_ip_address).replace(/\./g, '\\.')}`));
  const serverPorts = await demo('port', 'list', '--server', 'vm1');
  assert.equal(serverPorts.length, 1);
  const quota = await demo('quota', 'show');
  assert.ok(Array.isArray(quota) || typeof quota === 'object');
  // The Kubernetes side, with kubectl: the NAD, the NetworkPolicies and the Service.
  const kubectl = async (...args: string[]) => {
    const r = await cli.exec(cli.kubectl, [...args, '-A', '-o', 'name'], { KUBECONFIG: cli.kubeconfig });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  assert.match(await kubectl('get', 'network-attachment-definitions'), /web-net-/);
  assert.match(await kubectl('get', 'networkpolicies'), /sg-ssh-/);
  assert.match(await kubectl('get', 'services'), /service\/fip-/);
  assert.match(await kubectl('get', 'ipallocations.openstack.dicot.io'), /ip-/);
});
