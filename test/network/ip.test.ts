import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DICOT_CRDS } from '../../src/core/crds.ts';
import { defaultPools, eui64, formatIp, overlaps, parseCidr, parseIp, poolRanges } from '../../src/network/ip.ts';
import { renderCni } from '../../src/network/networks.ts';
import { policySpec } from '../../src/network/security-groups.ts';

// Pure parts of networking: address math, default pools, CNI rendering, NetworkPolicy
// mapping, and the CRDs compiled in agreeing with deploy/crds/*.yaml.

test('IPv4 and IPv6 parse to canonical text', () => {
  assert.equal(formatIp(parseIp('10.0.0.1')!), '10.0.0.1');
  assert.equal(formatIp(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')!), '2001:db8::1');
  assert.equal(formatIp(parseIp('::')!), '::');
  assert.equal(parseIp('256.1.1.1'), undefined);
  assert.equal(parseIp('192.168.1.'), undefined);
  assert.equal(parseCidr('192.168.1.1/33'), undefined);
});

test('default pools skip the network address, broadcast and gateway', () => {
  const c = parseCidr('10.0.0.0/28')!;
  assert.deepEqual(defaultPools(c, '10.0.0.1'), [{ start: '10.0.0.2', end: '10.0.0.14' }]);
  assert.deepEqual(defaultPools(c, '10.0.0.5'), [{ start: '10.0.0.1', end: '10.0.0.4' }, { start: '10.0.0.6', end: '10.0.0.14' }]);
  assert.deepEqual(defaultPools(parseCidr('2001:db8::/64')!, '2001:db8::1'), [{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }]);
  assert.equal(typeof poolRanges(c, [{ start: '10.0.0.2', end: '10.0.0.20' }]), 'string');
  assert.ok(overlaps(parseCidr('10.0.0.0/24')!, parseCidr('10.0.0.128/25')!));
  assert.ok(!overlaps(parseCidr('10.0.0.0/25')!, parseCidr('10.0.0.128/25')!));
});

test('SLAAC addresses follow modified EUI-64', () => {
  assert.equal(eui64(parseCidr('2001:db8::/64')!, 'fa:16:3e:12:34:56'), '2001:db8::f816:3eff:fe12:3456');
});

test('the CNI template gets the subnet range; no IPAM without a subnet', () => {
  const t = JSON.stringify({ cniVersion: '0.3.1', name: '{{name}}', plugins: [{ type: 'bridge', ipam: { type: 'whereabouts', range: '{{range}}', exclude: '{{exclude}}' } }] });
  const withSubnet = JSON.parse(renderCni(t, { name: 'n1', namespace: 'p', subnet: { cidr: parseCidr('10.0.0.0/29')!, gateway: '10.0.0.1', pools: [{ start: '10.0.0.2', end: '10.0.0.6' }] } }));
  assert.equal(withSubnet.plugins[0].ipam.range, '10.0.0.0/29');
  assert.deepEqual(withSubnet.plugins[0].ipam.exclude, ['10.0.0.1/32']);
  const bare = JSON.parse(renderCni(t, { name: 'n1', namespace: 'p' }));
  assert.equal(bare.plugins[0].ipam, undefined);
});

test('security group rules become NetworkPolicy peers and ports', () => {
  const base = { id: 'r', created_at: '', updated_at: '', revision_number: 0, description: '', port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null };
  const spec = policySpec('sg-web', 'p1', [
    { ...base, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '10.0.0.0/8' },
    { ...base, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 90, remote_group_id: 'g2' },
    { ...base, direction: 'egress', ethertype: 'IPv4', protocol: null },
    { ...base, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp' },
  ], new Map([['g2', { object: 'sg-app', namespace: 'p2' }]])).spec;
  assert.deepEqual(spec.podSelector, { matchLabels: { 'sg.openstack.dicot.io/sg-web': 'true' } });
  assert.deepEqual(spec.ingress[0], { from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 22 }] });
  assert.deepEqual(spec.ingress[1], {
    from: [{ podSelector: { matchLabels: { 'sg.openstack.dicot.io/sg-app': 'true' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'p2' } } }],
    ports: [{ protocol: 'TCP', port: 80, endPort: 90 }],
  });
  assert.equal(spec.ingress.length, 2, 'ICMP has no NetworkPolicy form and is not allowed');
  assert.deepEqual(spec.egress, [{}]);
});

test('the compiled-in CRDs are the deploy/crds YAML files', () => {
  const dir = join(import.meta.dirname, '../../deploy/crds');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  assert.deepEqual(DICOT_CRDS, files.map((f) => parse(readFileSync(join(dir, f), 'utf8'))));
  for (const crd of DICOT_CRDS) {
    assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
    const v = (crd.spec.versions as { subresources: unknown; schema: { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } } }[])[0]!;
    assert.deepEqual(v.subresources, { status: {} });
    assert.equal(v.schema.openAPIV3Schema.properties.spec['x-kubernetes-preserve-unknown-fields'], true);
  }
});
