import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forbiddenReason, ruleAllows, subjectMatches } from '../../src/sandbox/apiserver/rbac.ts';

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
