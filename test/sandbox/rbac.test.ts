import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escalationReason, forbiddenReason, missingRights, ruleAllows, subjectMatches } from '../../src/sandbox/apiserver/rbac.ts';

const attrs = (over: Record<string, string> = {}) => ({ verb: 'get', apiGroup: 'kubevirt.io', apiVersion: 'v1', resource: 'virtualmachines', namespace: 'p1', ...over });

test('rules match verbs, groups, resources, subresources and names', () => {
  const rule = { verbs: ['get', 'list'], apiGroups: ['kubevirt.io'], resources: ['virtualmachines'] };
  assert.equal(ruleAllows(rule, attrs()), true);
  assert.equal(ruleAllows(rule, attrs({ verb: 'delete' })), false);
  assert.equal(ruleAllows(rule, attrs({ apiGroup: '' })), false);
  assert.equal(ruleAllows(rule, attrs({ subresource: 'status' })), false);
  assert.equal(ruleAllows({ ...rule, resources: ['virtualmachines/status'] }, attrs({ subresource: 'status' })), true);
  assert.equal(ruleAllows({ ...rule, resources: ['*/status'] }, attrs({ subresource: 'status' })), true);
  assert.equal(ruleAllows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, attrs({ verb: 'impersonate', subresource: 'start' })), true);
  const named = { ...rule, resourceNames: ['a'] };
  assert.equal(ruleAllows(named, attrs({ name: 'a' })), true);
  assert.equal(ruleAllows(named, attrs({ name: 'b' })), false);
  assert.equal(ruleAllows(named, attrs({ verb: 'list' })), false, 'resourceNames never allow a list');
});

test('non-resource URLs, exact and prefix', () => {
  const rule = { verbs: ['get'], nonResourceURLs: ['/apis', '/apis/*'] };
  assert.equal(ruleAllows(rule, { verb: 'get', path: '/apis' }), true);
  assert.equal(ruleAllows(rule, { verb: 'get', path: '/apis/kubevirt.io/v1' }), true);
  assert.equal(ruleAllows(rule, { verb: 'get', path: '/api' }), false);
  assert.equal(ruleAllows(rule, { verb: 'post', path: '/apis' }), false);
  assert.equal(ruleAllows({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }, { verb: 'get', path: '/apis' }), false);
});

test('subjects: users, groups, service accounts', () => {
  const caller = { user: 'system:serviceaccount:ns1:sa', groups: ['system:authenticated', 'devs'] };
  assert.equal(subjectMatches({ kind: 'User', name: 'system:serviceaccount:ns1:sa' }, caller), true);
  assert.equal(subjectMatches({ kind: 'Group', name: 'devs' }, caller), true);
  assert.equal(subjectMatches({ kind: 'Group', name: 'ops' }, caller), false);
  assert.equal(subjectMatches({ kind: 'ServiceAccount', name: 'sa', namespace: 'ns1' }, caller), true);
  assert.equal(subjectMatches({ kind: 'ServiceAccount', name: 'sa' }, caller, 'ns1'), true);
  assert.equal(subjectMatches({ kind: 'ServiceAccount', name: 'sa', namespace: 'ns2' }, caller), false);
});

test('forbidden reasons are worded like kube-apiserver', () => {
  const alice = { user: 'alice', groups: [] };
  assert.equal(forbiddenReason(alice, attrs({ verb: 'list' })), 'User "alice" cannot list resource "virtualmachines" in API group "kubevirt.io" in the namespace "p1"');
  assert.equal(
    forbiddenReason(alice, { verb: 'update', apiGroup: 'subresources.kubevirt.io', apiVersion: 'v1', resource: 'virtualmachines', subresource: 'start', namespace: 'p1', name: 'vm' }),
    'User "alice" cannot update resource "virtualmachines/start" in API group "subresources.kubevirt.io" in the namespace "p1"',
  );
  assert.equal(forbiddenReason(alice, { verb: 'list', apiGroup: '', apiVersion: 'v1', resource: 'nodes' }), 'User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  assert.equal(forbiddenReason(alice, { verb: 'get', path: '/metrics' }), 'User "alice" cannot get path "/metrics"');
});

test('coverage: every (group, resource, verb, name) and (url, verb) must be held, wildcards on both sides', () => {
  const owned = [
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps', 'pods/log'] },
    { verbs: ['*'], apiGroups: ['kubevirt.io'], resources: ['*'] },
    { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] },
    { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a', 'b'] },
    { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] },
  ];
  const covered = (rule: object) => missingRights(owned, [rule]).length === 0;
  assert.equal(covered({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }), true);
  assert.equal(covered({ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps', 'pods/log'] }), true);
  assert.equal(covered({ verbs: ['get', 'delete'], apiGroups: [''], resources: ['configmaps'] }), false);
  assert.equal(covered({ verbs: ['*'], apiGroups: [''], resources: ['configmaps'] }), false, 'a wildcard is only covered by a wildcard');
  assert.equal(covered({ verbs: ['patch', '*'], apiGroups: ['kubevirt.io'], resources: ['virtualmachines', '*'] }), true);
  assert.equal(covered({ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/scale'] }), true);
  assert.equal(covered({ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'] }), false);
  assert.equal(covered({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['x'] }), true, 'no names held covers any name');
  assert.equal(covered({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a', 'b'] }), true);
  assert.equal(covered({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['c'] }), false);
  assert.equal(covered({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }), false, 'names held never cover all names');
  assert.equal(covered({ verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/x/v1'] }), true);
  assert.equal(covered({ verbs: ['get'], nonResourceURLs: ['/metrics'] }), false);
  assert.equal(covered({ verbs: ['post'], nonResourceURLs: ['/healthz'] }), false);
  assert.equal(missingRights([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }]).length, 0);

  const caller = { user: 'u', groups: ['system:authenticated', 'devs'] };
  assert.equal(escalationReason(caller, owned, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]), undefined);
  assert.equal(
    escalationReason(caller, owned, [{ verbs: ['delete', 'create'], apiGroups: ['', 'apps'], resources: ['configmaps'] }, { verbs: ['post'], nonResourceURLs: ['/healthz'] }]),
    'user "u" (groups=["system:authenticated" "devs"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete" "create"]}\n' +
      '{APIGroups:["apps"], Resources:["configmaps"], Verbs:["delete" "create"]}\n' +
      '{NonResourceURLs:["/healthz"], Verbs:["post"]}',
  );
});
