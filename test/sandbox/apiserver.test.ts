// Sandbox-specific API server behaviour that a contract suite cannot force on a real cluster:
// watch history expiry, bookmarks, fault injection, persistence, aggregated API delegation.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiServer } from '../../src/sandbox/apiserver/index.ts';
import type { AggregatedApi, RequestAttributes } from '../../src/sandbox/types.ts';
import { Kube } from '../contract/kube-client.ts';

const ADMIN = 'admin-token';

function server(opts: Parameters<typeof createApiServer>[0] = {}) {
  const s = createApiServer(opts);
  s.addToken(ADMIN, { user: 'admin', groups: ['system:masters'] });
  const k = new Kube({ server: 'http://sandbox.test', adminToken: ADMIN, fetch: ((input: string | URL | Request, init?: RequestInit) => s.fetch(new Request(input, init))) as typeof fetch });
  return { s, k };
}

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: {} });
const CMS = '/api/v1/namespaces/default/configmaps';

test('a resourceVersion older than the watch history answers an ERROR event with 410 Expired', async () => {
  const { s, k } = server({ historySize: 5 });
  await s.start();
  try {
    const rv = (await k.get(CMS)).body.metadata.resourceVersion;
    for (let i = 0; i < 8; i++) await k.post(CMS, cm(`c${i}`));
    const w = await k.watch(`${CMS}?watch=true&resourceVersion=${rv}`);
    const e = await w.next();
    assert.equal(e?.type, 'ERROR');
    assert.equal(e?.object.code, 410);
    assert.equal(e?.object.reason, 'Expired');
    assert.match(e?.object.message, /^too old resource version: \d+ \(\d+\)$/);
    assert.equal(await w.next(), undefined, 'the stream ends after the error');
    // A recent one still replays.
    const recent = (await k.get(CMS)).body.metadata.resourceVersion;
    await k.post(CMS, cm('late'));
    const w2 = await k.watch(`${CMS}?watch=true&resourceVersion=${recent}`);
    assert.equal((await w2.next())?.object.metadata.name, 'late');
    w2.close();
  } finally {
    await s.close();
  }
});

test('bookmarks carry the current resourceVersion; sendInitialEvents ends with the initial-events-end bookmark', async () => {
  const { s, k } = server({ bookmarkIntervalMs: 10 });
  await s.start();
  try {
    await k.post(CMS, cm('b1'));
    const w = await k.watch(`${CMS}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`);
    assert.equal((await w.next())?.type, 'ADDED');
    const end = await w.next();
    assert.equal(end?.type, 'BOOKMARK');
    assert.equal(end?.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    const periodic = await w.next();
    assert.equal(periodic?.type, 'BOOKMARK');
    assert.equal(periodic?.object.kind, 'ConfigMap');
    assert.ok(Number(periodic?.object.metadata.resourceVersion) > 0);
    w.close();
  } finally {
    await s.close();
  }
});

test('fault injection: errors for chosen requests, latency, dropped watches', async () => {
  const { s, k } = server();
  await s.start();
  try {
    const VMS = '/apis/kubevirt.io/v1/namespaces/default/virtualmachines';
    s.faults.fail({ verb: 'list', resource: 'virtualmachines' }, { code: 503, retryAfterSeconds: 1 }, 2);
    const first = await k.get(VMS);
    assert.equal(first.status, 503);
    assert.equal(first.body.reason, 'ServiceUnavailable');
    assert.equal(first.headers.get('retry-after'), '1');
    assert.equal((await k.get(VMS)).status, 503);
    assert.equal((await k.get(VMS)).status, 200, 'count-limited');
    assert.equal((await k.get(CMS)).status, 200, 'other resources unaffected');
    const undo = s.faults.fail({ verb: 'create' }, { code: 500, reason: 'InternalError', message: 'boom' }, Number.POSITIVE_INFINITY);
    assert.equal((await k.post(CMS, cm('x'))).body.message, 'boom');
    undo();
    assert.equal((await k.post(CMS, cm('x'))).status, 201);
    const slow = s.faults.latency(5, { resource: 'configmaps' });
    assert.equal((await k.get(CMS)).status, 200);
    slow();
    const w = await k.watch(`${CMS}?watch=true&resourceVersion=0`);
    const other = await k.watch('/api/v1/namespaces?watch=true');
    assert.equal(s.faults.dropWatches({ resource: 'configmaps' }), 1);
    await w.nextChange();
    assert.equal(await w.nextChange(), undefined, 'dropped stream ends');
    assert.equal(s.faults.dropWatches(), 1);
    other.close();
  } finally {
    await s.close();
  }
});

test('state survives a restart: objects, CRD-backed kinds and the resourceVersion counter', async () => {
  let saved: string | null = null;
  const state = {
    load: async () => saved,
    save: async (data: string) => {
      saved = data;
    },
  };
  const a = server({ state, saveDebounceMs: 1 });
  await a.s.start();
  await a.k.post(CMS, cm('kept'));
  await a.k.post('/apis/kubevirt.io/v1/namespaces/default/virtualmachines', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm' }, spec: {} });
  const rv = Number((await a.k.get(CMS)).body.metadata.resourceVersion);
  await a.s.close();
  assert.ok(saved);
  const b = server({ state });
  await b.s.start();
  try {
    assert.equal((await b.k.get(`${CMS}/kept`)).status, 200);
    assert.equal((await b.k.get('/apis/kubevirt.io/v1/namespaces/default/virtualmachines/vm')).status, 200);
    const created = await b.k.post(CMS, cm('new'));
    assert.ok(Number(created.body.metadata.resourceVersion) > rv);
  } finally {
    await b.s.close();
  }
  await assert.rejects(server({ state: { load: async () => '{"version":2}', save: async () => {} } }).s.start(), /invalid sandbox state/);
});

test('aggregated APIs: authorized on their attributes, then handed the request untouched', async () => {
  const { s, k } = server();
  const seen: { attrs: RequestAttributes; upgrade: string | null; user: string }[] = [];
  const api: AggregatedApi = {
    group: 'subresources.example.io',
    version: 'v1',
    resources: [{ name: 'things/poke', singularName: '', namespaced: true, kind: 'Thing', verbs: ['update'] }],
    async handle(req, caller, attrs) {
      seen.push({ attrs, upgrade: req.headers.get('upgrade'), user: caller.user });
      return new Response(null, { status: 202 });
    },
  };
  s.addAggregatedApi(api);
  await s.start();
  try {
    const path = '/apis/subresources.example.io/v1/namespaces/default/things/t1/poke';
    assert.equal((await k.put(path, {})).status, 202);
    assert.deepEqual(seen[0]?.attrs, {
      isResourceRequest: true,
      verb: 'update',
      apiGroup: 'subresources.example.io',
      apiVersion: 'v1',
      resource: 'things',
      namespace: 'default',
      name: 't1',
      subresource: 'poke',
      parts: [],
    });
    const denied = await k.put(path, {}, { as: { user: 'eve' } });
    assert.equal(denied.status, 403);
    assert.equal(
      denied.body.message,
      'things.subresources.example.io "t1" is forbidden: User "eve" cannot update resource "things/poke" in API group "subresources.example.io" in the namespace "default"',
    );
    const ws = await s.fetch(
      new Request(`http://sandbox.test${path}`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, upgrade: 'websocket', connection: 'Upgrade' } }),
    );
    assert.equal(ws.status, 202);
    assert.equal(seen[1]?.upgrade, 'websocket');
    const disc = await k.get('/apis/subresources.example.io/v1');
    assert.equal(disc.body.resources[0].name, 'things/poke');
    assert.ok((await k.get('/apis')).body.groups.some((g: { name: string }) => g.name === 'subresources.example.io'));
  } finally {
    await s.close();
  }
});

test('an unknown token is 401 Unauthorized; impersonating without rights is 403', async () => {
  const { s, k } = server();
  s.addToken('carol-token', { user: 'carol', groups: [] });
  await s.start();
  try {
    const r = await k.get('/api', { token: 'nope' });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const imp = await k.get('/api', { token: 'carol-token', as: { user: 'system:serviceaccount:kube-system:default' } });
    assert.equal(imp.body.message, 'serviceaccounts "default" is forbidden: User "carol" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"');
    assert.equal((await k.get('/apis', { token: 'carol-token' })).status, 200, 'discovery for system:authenticated');
    assert.equal((await k.get('/metrics', { token: 'carol-token' })).body.message, 'forbidden: User "carol" cannot get path "/metrics"');
  } finally {
    await s.close();
  }
});

test('RBAC escalation: roles and bindings granting rights the writer lacks are 403 unless it may escalate or bind', async () => {
  const { s, k } = server();
  await s.start();
  const RB = '/apis/rbac.authorization.k8s.io/v1';
  const role = (name: string, rules: object[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });
  const binding = (name: string, kind: string, ref: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: ref },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dave' }],
  });
  const dave = { as: { user: 'dave', groups: ['devs'] } };
  try {
    const writer = { verbs: ['get', 'create', 'update'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'] };
    await k.post(`${RB}/namespaces/default/roles`, role('dave-rights', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] }, writer]));
    assert.equal((await k.post(`${RB}/namespaces/default/rolebindings`, binding('dave-rights', 'Role', 'dave-rights'))).status, 201);

    const held = await k.post(`${RB}/namespaces/default/roles`, role('r1', [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]), dave);
    assert.equal(held.status, 201, 'rights held may be granted');
    const more = await k.post(`${RB}/namespaces/default/roles`, role('r2', [{ verbs: ['get', 'delete', 'patch'], apiGroups: [''], resources: ['configmaps', 'secrets'] }]), dave);
    assert.equal(more.status, 403);
    assert.equal(more.body.reason, 'Forbidden');
    assert.deepEqual(more.body.details, { name: 'r2', group: 'rbac.authorization.k8s.io', kind: 'roles' });
    assert.match(
      more.body.message,
      /^roles\.rbac\.authorization\.k8s\.io "r2" is forbidden: user "dave" \(groups=\["devs"( "system:authenticated")?\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["configmaps"\], Verbs:\["delete" "patch"\]\}\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get" "delete" "patch"\]\}$/,
    );
    assert.equal((await k.get(`${RB}/namespaces/default/roles/r2`)).status, 404, 'nothing written');
    const widened = await k.put(`${RB}/namespaces/default/roles/r1`, { ...held.body, rules: [{ verbs: ['*'], apiGroups: [''], resources: ['configmaps'] }] }, dave);
    assert.equal(widened.status, 403, 'updates are checked too');

    const toEdit = await k.post(`${RB}/namespaces/default/rolebindings`, binding('b-edit', 'ClusterRole', 'edit'), dave);
    assert.equal(toEdit.status, 403);
    assert.match(toEdit.body.message, /^rolebindings\.rbac\.authorization\.k8s\.io "b-edit" is forbidden: user "dave" .* is attempting to grant RBAC permissions not currently held:\n/);
    assert.equal((await k.post(`${RB}/namespaces/default/rolebindings`, binding('b-r1', 'Role', 'r1'), dave)).status, 201, 'binding a role whose rights are held');
    assert.equal((await k.post(`${RB}/namespaces/default/rolebindings`, binding('b-none', 'Role', 'none'), dave)).status, 404, 'an unknown role');

    // escalate on roles, and bind on the edit ClusterRole only (resourceNames), lift the checks.
    await k.post(`${RB}/namespaces/default/roles`, role('dave-delegate', [
      { verbs: ['escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] },
      { verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['edit'] },
    ]));
    await k.post(`${RB}/namespaces/default/rolebindings`, binding('dave-delegate', 'Role', 'dave-delegate'));
    assert.equal((await k.post(`${RB}/namespaces/default/roles`, role('r2', [{ verbs: ['delete'], apiGroups: [''], resources: ['secrets'] }]), dave)).status, 201);
    assert.equal((await k.post(`${RB}/namespaces/default/rolebindings`, binding('b-edit', 'ClusterRole', 'edit'), dave)).status, 201);
    assert.equal((await k.post(`${RB}/namespaces/default/rolebindings`, binding('b-admin', 'ClusterRole', 'admin'), dave)).status, 403);
    // system:masters may grant anything.
    assert.equal((await k.post(`${RB}/namespaces/default/rolebindings`, binding('b-admin', 'ClusterRole', 'admin'))).status, 201);
  } finally {
    await s.close();
  }
});
