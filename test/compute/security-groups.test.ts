import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, CV, api, demoToken } from './helpers.ts';

// Nova's os-security-groups proxy over the network service's security groups.

let gw: TestGateway;
let member: string;
before(async () => {
  gw = await startTestGateway();
  member = await demoToken(gw, await gw.adminToken());
});
after(() => gw.close());

test('create, show, update, rules, delete; the default group stays; gone at 2.36', async () => {
  const list = await api(gw, member, 'GET', `${C}/os-security-groups`);
  assert.equal(list.status, 200);
  const def = list.body.security_groups.find((g: { name: string }) => g.name === 'default');
  assert.ok(def, 'the default group exists');
  assert.deepEqual(Object.keys(def).sort(), ['description', 'id', 'name', 'rules', 'tenant_id']);
  const made = await api(gw, member, 'POST', `${C}/os-security-groups`, { security_group: { name: 'web', description: 'web servers' } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const id = made.body.security_group.id;
  const notUuid = await api(gw, member, 'POST', `${C}/os-security-group-rules`, { security_group_rule: { parent_group_id: 'not-a-uuid', ip_protocol: 'tcp', from_port: 22, to_port: 22 } });
  assert.equal(notUuid.status, 400);
  const rule = await api(gw, member, 'POST', `${C}/os-security-group-rules`, { security_group_rule: { parent_group_id: id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.0.0.0/8' } });
  assert.equal(rule.status, 200, JSON.stringify(rule.body));
  assert.deepEqual(rule.body.security_group_rule.ip_range, { cidr: '10.0.0.0/8' });
  const shown = await api(gw, member, 'GET', `${C}/os-security-groups/${id}`);
  assert.equal(shown.body.security_group.rules.length, 1, 'only ingress rules are shown');
  const upd = await api(gw, member, 'PUT', `${C}/os-security-groups/${id}`, { security_group: { name: 'web2', description: 'd2' } });
  assert.equal(upd.body.security_group.name, 'web2');
  assert.equal((await api(gw, member, 'DELETE', `${C}/os-security-group-rules/${rule.body.security_group_rule.id}`)).status, 202);
  assert.equal((await api(gw, member, 'DELETE', `${C}/os-security-groups/${def.id}`)).status, 400);
  assert.equal((await api(gw, member, 'DELETE', `${C}/os-security-groups/${id}`)).status, 202);
  assert.equal((await api(gw, member, 'GET', `${C}/os-security-groups/${id}`)).status, 404);
  assert.equal((await api(gw, member, 'GET', `${C}/os-security-groups`, undefined, CV('2.36'))).status, 404);
});

test('deleting without an id is 404', async () => {
  assert.equal((await api(gw, member, 'DELETE', `${C}/os-security-groups/`)).status, 404);
});
