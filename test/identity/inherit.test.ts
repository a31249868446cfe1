import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { R } from '../../src/kube/index.ts';
import { type Json, type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// OS-INHERIT: a role granted on a domain for its projects holds on each of them (a RoleBinding
// in every project namespace, new projects included), not on the domain itself.

let gw: TestGateway;
let admin: string;
const roleIds: Record<string, string> = {};
const I = (path: string) => `/identity/v3/${path}`;
before(async () => {
  gw = await startTestGateway();
  admin = await gw.adminToken();
  for (const r of (await call(gw, admin, 'GET', I('roles'))).body.roles) roleIds[r.name] = r.id;
});
after(() => gw.close());

const bindingsIn = async (namespace: string) =>
  (await gw.adminKube.listAll<{ metadata: { name?: string; labels?: Record<string, string> }; roleRef: { name: string } }>(R.roleBindings, { namespace })).items;

test('an inherited domain role holds on every project of the domain, new ones too, and goes when revoked', async () => {
  const d = (await call(gw, admin, 'POST', I('domains'), { domain: { name: 'inh' } })).body.domain;
  const p1 = (await call(gw, admin, 'POST', I('projects'), { project: { name: 'inh-p1', domain_id: d.id } })).body.project;
  const u = (await call(gw, admin, 'POST', I('users'), { user: { name: 'inh-u', domain_id: d.id, password: 'pw' } })).body.user;
  const grant = I(`OS-INHERIT/domains/${d.id}/users/${u.id}/roles/${roleIds.member}/inherited_to_projects`);
  assert.equal((await call(gw, admin, 'HEAD', grant)).status, 404);
  assert.equal((await call(gw, admin, 'PUT', grant)).status, 204);
  assert.equal((await call(gw, admin, 'HEAD', grant)).status, 204);
  const listed = await call(gw, admin, 'GET', I(`OS-INHERIT/domains/${d.id}/users/${u.id}/roles/inherited_to_projects`));
  assert.deepEqual(listed.body.roles.map((r: Json) => r.id), [roleIds.member]);
  assert.deepEqual((await call(gw, admin, 'GET', I(`domains/${d.id}/users/${u.id}/roles`))).body.roles, [], 'not a role on the domain itself');

  // A project made afterwards gets it as well; the user scopes to both, never to the domain.
  const p2 = (await call(gw, admin, 'POST', I('projects'), { project: { name: 'inh-p2', domain_id: d.id } })).body.project;
  for (const p of [p1, p2]) {
    const token = await gw.login('inh-u', 'pw', p.name, d.id);
    const roles = (await call(gw, token, 'GET', I('auth/tokens'), undefined, { 'x-subject-token': token })).body.token.roles.map((r: Json) => r.name).sort();
    assert.deepEqual(roles, ['member', 'reader']);
  }
  const domainScoped = await call(gw, undefined, 'POST', I('auth/tokens'), {
    auth: { identity: { methods: ['password'], password: { user: { id: u.id, password: 'pw' } } }, scope: { domain: { id: d.id } } },
  });
  assert.equal(domainScoped.status, 401);

  // role_assignments: once, flagged inherited; effective: on each project (with the implied reader).
  const plain = (await call(gw, admin, 'GET', I(`role_assignments?user.id=${u.id}`))).body.role_assignments;
  assert.deepEqual(plain.map((a: Json) => [a.role.id, a.scope]), [[roleIds.member, { domain: { id: d.id }, 'OS-INHERIT:inherited_to': 'projects' }]]);
  assert.ok(plain[0].links.assignment.endsWith(`/OS-INHERIT/domains/${d.id}/users/${u.id}/roles/${roleIds.member}/inherited_to_projects`));
  const only = (await call(gw, admin, 'GET', I('role_assignments?scope.OS-INHERIT:inherited_to=projects'))).body.role_assignments;
  assert.ok(only.every((a: Json) => a.scope['OS-INHERIT:inherited_to'] === 'projects') && only.length >= 1);
  const eff = (await call(gw, admin, 'GET', I(`role_assignments?user.id=${u.id}&effective`))).body.role_assignments;
  assert.deepEqual(eff.map((a: Json) => `${a.role.id}@${a.scope.project?.id}`).sort(), [`${roleIds.member}@${p1.id}`, `${roleIds.member}@${p2.id}`, `${roleIds.reader}@${p1.id}`, `${roleIds.reader}@${p2.id}`].sort());

  // The Kubernetes side: a labelled RoleBinding in each project's namespace; a direct grant beside it survives the revoke.
  const nsOf = async (id: string) => (await gw.adminKube.listAll(R.namespaces)).items.find((n) => n.metadata.uid?.replace(/-/g, '') === id)?.metadata.name as string;
  const [ns1, ns2] = [await nsOf(p1.id), await nsOf(p2.id)];
  const inheritedIn = async (ns: string) => (await bindingsIn(ns)).filter((b) => b.metadata.labels?.['openstack.dicot.io/inherited-from-domain'] === d.id).map((b) => b.roleRef.name);
  assert.deepEqual(await inheritedIn(ns1), ['dicot-role-member']);
  assert.deepEqual(await inheritedIn(ns2), ['dicot-role-member']);
  assert.equal((await call(gw, admin, 'PUT', I(`projects/${p1.id}/users/${u.id}/roles/${roleIds.member}`))).status, 204);
  assert.equal((await call(gw, admin, 'DELETE', grant)).status, 204);
  assert.equal((await call(gw, admin, 'DELETE', grant)).status, 404);
  assert.deepEqual([await inheritedIn(ns1), await inheritedIn(ns2)], [[], []]);
  assert.ok((await bindingsIn(ns1)).some((b) => b.roleRef.name === 'dicot-role-member'), 'the direct grant stays');
  await gw.login('inh-u', 'pw', p1.name, d.id);
  await assert.rejects(gw.login('inh-u', 'pw', p2.name, d.id), /401/);
});

test('a group can inherit; an inherited role on a project is recorded (it has no subprojects); unknown ids 404', async () => {
  const d = (await call(gw, admin, 'POST', I('domains'), { domain: { name: 'inh2' } })).body.domain;
  const p = (await call(gw, admin, 'POST', I('projects'), { project: { name: 'inh2-p', domain_id: d.id } })).body.project;
  const g = (await call(gw, admin, 'POST', I('groups'), { group: { name: 'inh2-g', domain_id: d.id } })).body.group;
  const u = (await call(gw, admin, 'POST', I('users'), { user: { name: 'inh2-u', domain_id: d.id, password: 'pw' } })).body.user;
  assert.equal((await call(gw, admin, 'PUT', I(`groups/${g.id}/users/${u.id}`))).status, 204);
  const groupGrant = I(`OS-INHERIT/domains/${d.id}/groups/${g.id}/roles/${roleIds.reader}/inherited_to_projects`);
  assert.equal((await call(gw, admin, 'PUT', groupGrant)).status, 204);
  assert.equal((await call(gw, admin, 'GET', groupGrant)).status, 204);
  const token = await gw.login('inh2-u', 'pw', p.name, d.id);
  assert.deepEqual((await call(gw, token, 'GET', I('auth/tokens'), undefined, { 'x-subject-token': token })).body.token.roles.map((r: Json) => r.name), ['reader']);
  assert.deepEqual((await call(gw, token, 'GET', I('auth/projects'))).body.projects.map((x: Json) => x.id), [p.id]);

  const onProject = I(`OS-INHERIT/projects/${p.id}/users/${u.id}/roles/${roleIds.member}/inherited_to_projects`);
  assert.equal((await call(gw, admin, 'PUT', onProject)).status, 204);
  assert.equal((await call(gw, admin, 'HEAD', onProject)).status, 204);
  const onP = (await call(gw, admin, 'GET', I(`role_assignments?scope.project.id=${p.id}`))).body.role_assignments;
  assert.ok(onP.some((a: Json) => a.role.id === roleIds.member && a.scope['OS-INHERIT:inherited_to'] === 'projects'));
  assert.deepEqual((await call(gw, token, 'GET', I('auth/tokens'), undefined, { 'x-subject-token': token })).body.token.roles.map((r: Json) => r.name), ['reader'], 'not on the project itself');
  assert.equal((await call(gw, admin, 'DELETE', onProject)).status, 204);

  const member = await gw.login('inh2-u', 'pw', p.name, d.id);
  assert.equal((await call(gw, member, 'PUT', groupGrant)).status, 403);
  assert.equal((await call(gw, admin, 'PUT', I(`OS-INHERIT/domains/${d.id}/users/${'0'.repeat(32)}/roles/${roleIds.reader}/inherited_to_projects`))).status, 404);
  assert.equal((await call(gw, admin, 'PUT', I(`OS-INHERIT/domains/${d.id}/users/${u.id}/roles/${'0'.repeat(32)}/inherited_to_projects`))).status, 404);
  assert.equal((await call(gw, admin, 'PUT', I(`OS-INHERIT/domains/nope/users/${u.id}/roles/${roleIds.reader}/inherited_to_projects`))).status, 404);
  // Deleting the group takes its inherited assignment and bindings.
  assert.equal((await call(gw, admin, 'DELETE', I(`groups/${g.id}`))).status, 204);
  assert.equal((await call(gw, admin, 'GET', I('role_assignments?scope.OS-INHERIT:inherited_to=projects'))).body.role_assignments.filter((a: Json) => a.group?.id === g.id).length, 0);
});
