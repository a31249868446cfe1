import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { authContext } from '../../src/core/auth.ts';
import { identityOf } from '../../src/identity/service.ts';
import { verifyToken } from '../../src/identity/tokens.ts';
import { ForbiddenError, type KubeClient, NotFoundError, R, createKubeClient } from '../../src/kube/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// What Keystone operations look like in Kubernetes, and Kubernetes RBAC enforcing them
// when the gateway impersonates a user. Two regions: RegionTwo gets namespaces on first use.

let gw: TestGateway;
let admin: string;
const roleIds: Record<string, string> = {};
before(async () => {
  gw = await startTestGateway({ regions: ['RegionOne', 'RegionTwo'] });
  admin = await gw.adminToken();
  for (const r of (await call(gw, admin, 'GET', '/identity/v3/roles')).body.roles) roleIds[r.name] = r.id;
});
after(() => gw.close());

const kubeOf = (s: Sandbox): KubeClient =>
  createKubeClient({ server: 'http://sandbox', fetch: ((i: string, init?: RequestInit) => s.fetch(new Request(i, init))) as typeof fetch, token: () => s.adminToken });
const one = () => kubeOf(gw.sandbox);
const two = () => kubeOf(gw.sandboxes.RegionTwo as Sandbox);

async function project(name: string) {
  const r = await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name, description: 'd', tags: ['a'] } });
  assert.equal(r.status, 201);
  return r.body.project as { id: string; name: string };
}
async function user(name: string, projectId: string, role: string) {
  const u = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name, password: 'pw' } })).body.user;
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/projects/${projectId}/users/${u.id}/roles/${roleIds[role]}`)).status, 204);
  return u as { id: string };
}
async function namespaceOf(projectId: string): Promise<string> {
  const list = await one().list(R.namespaces, { labelSelector: 'openstack.dicot.io/project=true' });
  const ns = list.items.find((n) => (n.metadata.uid ?? '').replace(/-/g, '') === projectId);
  assert.ok(ns, 'the project is a namespace');
  return ns.metadata.name as string;
}
async function kubeAs(name: string, projectName: string, region = 'RegionOne') {
  const token = await gw.login(name, 'pw', projectName);
  const gateway = await gw.gateway();
  const claims = await verifyToken(identityOf(gateway).keys, token, gw.now());
  assert.ok(claims);
  const regionObj = gateway.regions.get(region);
  assert.ok(regionObj);
  return { token, kube: authContext(regionObj, token, claims).kube };
}

test('a project is a namespace with its name, domain and tags; deleting it deletes the namespace', async () => {
  const p = await project('Web Shop');
  const ns = await namespaceOf(p.id);
  assert.match(ns, /^p-web-shop-/);
  const obj = await one().get(R.namespaces, ns);
  assert.equal(obj.metadata.labels?.['app.kubernetes.io/managed-by'], 'dicot');
  assert.equal(obj.metadata.annotations?.['openstack.dicot.io/name'], 'Web Shop');
  assert.equal(obj.metadata.annotations?.['openstack.dicot.io/tags'], '["a"]');
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/projects/${p.id}`)).status, 204);
  assert.equal((await call(gw, admin, 'GET', `/identity/v3/projects/${p.id}`)).status, 404);
  await assert.rejects(
    one().get(R.namespaces, ns).then((n) => {
      if (n.metadata.deletionTimestamp) throw new NotFoundError(404, 'NotFound', 'terminating');
    }),
    NotFoundError,
  );
});

test('role assignments are RoleBindings (kubectl get rolebindings -n <project>); admin is a cloud admin', async () => {
  const p = await project('rb');
  const ns = await namespaceOf(p.id);
  const u = await user('rb-user', p.id, 'member');
  const rb = await one().get<{ roleRef: { name: string }; subjects: { name: string }[] }>(R.roleBindings, `dicot-member-user-${u.id}`, { namespace: ns });
  assert.equal(rb.roleRef.name, 'dicot-role-member');
  assert.equal(rb.subjects[0]?.name, `dicot:user:${u.id}`);
  const boss = await user('rb-admin', p.id, 'admin');
  await one().get(R.clusterRoleBindings, `dicot-cloud-admin-user-${boss.id}`);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/projects/${p.id}/users/${boss.id}/roles/${roleIds.admin}`)).status, 204);
  await assert.rejects(one().get(R.clusterRoleBindings, `dicot-cloud-admin-user-${boss.id}`), NotFoundError);
});

test('a RoleBinding written by a Kubernetes admin shows up in role assignments', async () => {
  const p = await project('by-hand');
  const ns = await namespaceOf(p.id);
  const u = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'hand', password: 'pw' } })).body.user;
  await one().create(R.roleBindings, {
    metadata: { name: 'made-with-kubectl', namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dicot-role-reader' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `dicot:user:${u.id}` }],
  } as never);
  const ra = await call(gw, admin, 'GET', `/identity/v3/role_assignments?scope.project.id=${p.id}&include_names`);
  assert.deepEqual(
    ra.body.role_assignments.map((a: { role: { name: string }; user: { name: string } }) => `${a.user.name}:${a.role.name}`),
    ['hand:reader'],
  );
  const t = await gw.login('hand', 'pw', 'by-hand');
  assert.ok(t);
});

test('impersonation: a member writes in its namespace only; a reader only reads', async () => {
  const p = await project('imp');
  const q = await project('imp-other');
  const ns = await namespaceOf(p.id);
  const other = await namespaceOf(q.id);
  await user('imp-member', p.id, 'member');
  await user('imp-reader', p.id, 'reader');
  const m = await kubeAs('imp-member', 'imp');
  const cm = (name: string, namespace: string) => ({ metadata: { name, namespace }, data: { a: 'b' } });
  await m.kube.create(R.configMaps, cm('by-member', ns) as never);
  await assert.rejects(m.kube.create(R.configMaps, cm('sneaky', other) as never), ForbiddenError);
  await assert.rejects(m.kube.list(R.configMaps, { namespace: other }), ForbiddenError);
  await assert.rejects(m.kube.list(R.secrets, { namespace: 'dicot-system' }), ForbiddenError);
  const r = await kubeAs('imp-reader', 'imp');
  assert.equal((await r.kube.list(R.configMaps, { namespace: ns })).items.some((o) => o.metadata.name === 'by-member'), true);
  await assert.rejects(r.kube.create(R.configMaps, cm('by-reader', ns) as never), ForbiddenError);
});

test('another region: the namespace and bindings appear on first use there', async () => {
  const p = await project('travel');
  const ns = await namespaceOf(p.id);
  const u = await user('traveller', p.id, 'member');
  await assert.rejects(two().get(R.namespaces, ns), NotFoundError);
  const token = await gw.login('traveller', 'pw', 'travel');
  const r = await call(gw, token, 'GET', '/RegionTwo/compute/v2.1/servers');
  assert.notEqual(r.status, 401);
  const n = await two().get(R.namespaces, ns);
  assert.equal(n.metadata.labels?.['openstack.dicot.io/project-id'], p.id);
  await two().get(R.roleBindings, `dicot-member-user-${u.id}`, { namespace: ns });
  await two().get(R.clusterRoles, 'dicot-role-member');
  const m = await kubeAs('traveller', 'travel', 'RegionTwo');
  await m.kube.create(R.configMaps, { metadata: { name: 'x', namespace: ns } } as never);
});
