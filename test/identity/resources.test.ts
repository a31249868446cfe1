import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SERVICES } from '../../src/identity/catalog.ts';
import { memberToken } from '../compute/helpers.ts';
import { type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// CRUD of the Keystone resources, their error codes, application credentials and groups.

let gw: TestGateway;
let admin: string;
const roleIds: Record<string, string> = {};
before(async () => {
  gw = await startTestGateway();
  admin = await gw.adminToken();
  for (const r of (await call(gw, admin, 'GET', '/identity/v3/roles')).body.roles) roleIds[r.name] = r.id;
});
after(() => gw.close());

test('projects: create 201, duplicate 409, show, filter, update, tags, non-hex id 404, delete 204', async () => {
  const c = await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'res-p', description: 'x', tags: ['t1'], owner: 'ops' } });
  assert.equal(c.status, 201);
  const p = c.body.project;
  assert.equal(p.domain_id, 'default');
  assert.equal(p.owner, 'ops', 'extra attributes come back');
  assert.match(p.id, /^[0-9a-f]{32}$/);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'res-p' } })).status, 409);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/projects', { project: {} })).status, 400);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'bad', domain_id: 'nope' } })).status, 400);
  assert.equal((await call(gw, admin, 'GET', '/identity/v3/projects/res-p')).status, 404, 'a name is not an id: 404 so clients fall back to ?name=');
  const byName = await call(gw, admin, 'GET', '/identity/v3/projects?name=res-p');
  assert.deepEqual(byName.body.projects.map((x: { id: string }) => x.id), [p.id]);
  assert.equal(byName.body.links.next, null);
  const u = await call(gw, admin, 'PATCH', `/identity/v3/projects/${p.id}`, { project: { description: 'y', enabled: false } });
  assert.equal(u.status, 200);
  assert.equal(u.body.project.description, 'y');
  assert.equal(u.body.project.enabled, false);
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/projects/${p.id}/tags/t2`)).status, 201);
  assert.equal((await call(gw, admin, 'GET', `/identity/v3/projects/${p.id}/tags/t2`)).status, 204);
  assert.deepEqual((await call(gw, admin, 'GET', `/identity/v3/projects/${p.id}/tags`)).body.tags, ['t1', 't2']);
  assert.deepEqual((await call(gw, admin, 'PUT', `/identity/v3/projects/${p.id}/tags`, { tags: ['z'] })).body.tags, ['z']);
  assert.equal((await call(gw, admin, 'GET', '/identity/v3/projects?tags=z')).body.projects.length, 1);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/projects/${p.id}/tags/t1`)).status, 404);
  const d = await gw.request(`/identity/v3/projects/${p.id}`, { method: 'DELETE', headers: { 'x-auth-token': admin } });
  assert.equal(d.status, 204);
  assert.equal(await d.text(), '');
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/projects/${p.id}`)).status, 404);
});

test('users: create with extras, show, filter by name, update, delete; 409 on duplicates', async () => {
  const c = await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'res-u', password: 'pw', email: 'u@x', team: 'red' } });
  assert.equal(c.status, 201);
  const u = c.body.user;
  assert.equal(u.team, 'red');
  assert.equal(u.password, undefined);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'res-u' } })).status, 409);
  assert.equal((await call(gw, admin, 'GET', '/identity/v3/users?name=res-u')).body.users[0].id, u.id);
  const p = await call(gw, admin, 'PATCH', `/identity/v3/users/${u.id}`, { user: { email: 'v@x', description: 'd' } });
  assert.equal(p.body.user.email, 'v@x');
  assert.equal((await call(gw, admin, 'PATCH', `/identity/v3/users/${u.id}`, { user: { default_project_id: 'f'.repeat(32) } })).status, 400);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/users/${u.id}`)).status, 204);
  assert.equal((await call(gw, admin, 'GET', `/identity/v3/users/${u.id}`)).status, 404);
});

test('roles: list, create, duplicate 409, built-ins protected, delete', async () => {
  assert.deepEqual(Object.keys(roleIds).sort(), ['admin', 'member', 'reader']);
  const c = await call(gw, admin, 'POST', '/identity/v3/roles', { role: { name: 'Custom Role' } });
  assert.equal(c.status, 201);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/roles', { role: { name: 'Custom Role' } })).status, 409);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/roles/${roleIds.member}`)).status, 403);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/roles/${c.body.role.id}`)).status, 204);
});

test('grants: PUT 204, HEAD/GET check 204, list, DELETE 204, missing 404', async () => {
  const p = (await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'grants' } })).body.project;
  const u = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'grantee', password: 'pw' } })).body.user;
  const path = `/identity/v3/projects/${p.id}/users/${u.id}/roles`;
  assert.equal((await call(gw, admin, 'HEAD', `${path}/${roleIds.reader}`)).status, 404);
  assert.equal((await call(gw, admin, 'PUT', `${path}/${roleIds.reader}`)).status, 204);
  assert.equal((await call(gw, admin, 'PUT', `${path}/${roleIds.reader}`)).status, 204, 'idempotent');
  assert.equal((await call(gw, admin, 'HEAD', `${path}/${roleIds.reader}`)).status, 204);
  assert.equal((await call(gw, admin, 'GET', `${path}/${roleIds.reader}`)).status, 204);
  assert.deepEqual((await call(gw, admin, 'GET', path)).body.roles.map((r: { name: string }) => r.name), ['reader']);
  assert.equal((await call(gw, admin, 'PUT', `${path}/${'0'.repeat(32)}`)).status, 404);
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/projects/${'0'.repeat(32)}/users/${u.id}/roles/${roleIds.reader}`)).status, 404);
  const p2 = (await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'grants-2' } })).body.project;
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/projects/${p2.id}/users/${u.id}/roles/${roleIds.reader}`)).status, 204);
  const t = await gw.login('grantee', 'pw', 'grants');
  const [t2, unscoped] = [await gw.login('grantee', 'pw', 'grants-2'), await gw.login('grantee', 'pw')];
  assert.equal((await call(gw, admin, 'DELETE', `${path}/${roleIds.reader}`)).status, 204);
  assert.equal((await call(gw, admin, 'DELETE', `${path}/${roleIds.reader}`)).status, 404);
  assert.equal((await call(gw, t, 'GET', '/identity/v3/auth/projects')).status, 401, 'losing a role ends the tokens that carried it');
  // Keystone revokes by grant: tokens scoped elsewhere live on.
  assert.equal((await call(gw, t2, 'GET', '/identity/v3/auth/projects')).status, 200);
  assert.equal((await call(gw, unscoped, 'GET', '/identity/v3/auth/projects')).status, 200);
  await assert.rejects(gw.login('grantee', 'pw', 'grants'));
});

test('groups: membership, group roles in tokens and effective assignments', async () => {
  const p = (await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'grp-p' } })).body.project;
  const u = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'grp-u', password: 'pw' } })).body.user;
  const g = (await call(gw, admin, 'POST', '/identity/v3/groups', { group: { name: 'devs', description: 'd' } })).body.group;
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/groups/${g.id}/users/${u.id}`)).status, 204);
  assert.equal((await call(gw, admin, 'HEAD', `/identity/v3/groups/${g.id}/users/${u.id}`)).status, 204);
  assert.deepEqual((await call(gw, admin, 'GET', `/identity/v3/groups/${g.id}/users`)).body.users.map((x: { id: string }) => x.id), [u.id]);
  assert.deepEqual((await call(gw, admin, 'GET', `/identity/v3/users/${u.id}/groups`)).body.groups.map((x: { id: string }) => x.id), [g.id]);
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/projects/${p.id}/groups/${g.id}/roles/${roleIds.member}`)).status, 204);
  const token = await gw.login('grp-u', 'pw', 'grp-p');
  const me = await gw.request('/identity/v3/auth/tokens', { headers: { 'x-auth-token': token, 'x-subject-token': token } });
  assert.deepEqual((await me.json()).token.roles.map((r: { name: string }) => r.name).sort(), ['member', 'reader']);
  const direct = await call(gw, admin, 'GET', `/identity/v3/role_assignments?scope.project.id=${p.id}`);
  assert.equal(direct.body.role_assignments[0].group.id, g.id);
  const eff = await call(gw, admin, 'GET', `/identity/v3/role_assignments?scope.project.id=${p.id}&effective&include_names=true`);
  const rows = eff.body.role_assignments.map((a: { user: { name: string }; role: { name: string }; links: { membership?: string } }) => `${a.user.name}:${a.role.name}:${Boolean(a.links.membership)}`);
  assert.deepEqual(rows.sort(), ['grp-u:member:true', 'grp-u:reader:true']);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/groups/${g.id}/users/${u.id}`)).status, 204);
  assert.equal((await call(gw, token, 'GET', '/identity/v3/auth/projects')).status, 401, 'leaving a group ends tokens');
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/groups/${g.id}`)).status, 204);
});

test('application credentials: secret once, auth with it, restricted, role subset, expiry, delete', async () => {
  const p = (await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'ac-p' } })).body.project;
  const u = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'ac-u', password: 'pw' } })).body.user;
  await call(gw, admin, 'PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${roleIds.member}`);
  const token = await gw.login('ac-u', 'pw', 'ac-p');
  const base = `/identity/v3/users/${u.id}/application_credentials`;
  const expires = new Date(gw.now() + 3_600_000).toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1123');
  const c = await call(gw, token, 'POST', base, { application_credential: { name: 'ci', roles: [{ name: 'reader' }], expires_at: expires } });
  assert.equal(c.status, 201);
  const ac = c.body.application_credential;
  assert.ok(ac.secret);
  assert.equal(ac.expires_at, expires);
  assert.equal(ac.unrestricted, false);
  assert.deepEqual(ac.roles.map((r: { name: string }) => r.name), ['reader']);
  assert.equal(ac.project_id, p.id);
  const shown = await call(gw, token, 'GET', `${base}/${ac.id}`);
  assert.equal(shown.body.application_credential.secret, undefined);
  assert.equal((await call(gw, token, 'GET', `${base}?name=ci`)).body.application_credentials.length, 1);
  assert.equal((await call(gw, token, 'POST', base, { application_credential: { name: 'ci' } })).status, 409);
  assert.equal((await call(gw, token, 'POST', base, { application_credential: { name: 'x', roles: [{ name: 'admin' }] } })).status, 403);
  const auth = (cred: object) => call(gw, undefined, 'POST', '/identity/v3/auth/tokens', { auth: { identity: { methods: ['application_credential'], application_credential: cred } } });
  const a = await auth({ id: ac.id, secret: ac.secret });
  assert.equal(a.status, 201);
  assert.equal(a.body.token.project.id, p.id);
  assert.deepEqual(a.body.token.roles.map((r: { name: string }) => r.name), ['reader']);
  assert.deepEqual(a.body.token.application_credential, { id: ac.id, name: 'ci', restricted: true });
  assert.equal((await auth({ name: 'ci', user: { id: u.id }, secret: ac.secret })).status, 201);
  assert.equal((await auth({ id: ac.id, secret: 'wrong' })).status, 401);
  const acToken = a.headers.get('x-subject-token') ?? '';
  assert.equal((await call(gw, acToken, 'POST', base, { application_credential: { name: 'nested' } })).status, 403, 'restricted');
  const rescope = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', { auth: { identity: { methods: ['token'], token: { id: acToken } } } });
  assert.equal(rescope.status, 403);
  assert.equal((await call(gw, token, 'DELETE', `${base}/${ac.id}`)).status, 204);
  assert.equal((await auth({ id: ac.id, secret: ac.secret })).status, 401);
  assert.equal((await call(gw, acToken, 'GET', '/identity/v3/auth/projects')).status, 401, 'its tokens end with it');
  gw.advance(0);
});

test('application credentials expire', async () => {
  const p = (await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'exp-p' } })).body.project;
  const u = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'exp-u', password: 'pw' } })).body.user;
  await call(gw, admin, 'PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${roleIds.member}`);
  const token = await gw.login('exp-u', 'pw', 'exp-p');
  const base = `/identity/v3/users/${u.id}/application_credentials`;
  assert.equal((await call(gw, token, 'POST', base, { application_credential: { name: 'old', expires_at: '2000-01-01T00:00:00' } })).status, 400);
  const ac = (await call(gw, token, 'POST', base, { application_credential: { name: 'soon', secret: 's3cret', expires_at: new Date(gw.now() + 60_000).toISOString() } })).body.application_credential;
  const auth = () => call(gw, undefined, 'POST', '/identity/v3/auth/tokens', { auth: { identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: 's3cret' } } } });
  assert.equal((await auth()).status, 201);
  gw.advance(61_000);
  assert.equal((await auth()).status, 401);
});

test('domains, regions, services and endpoints', async () => {
  const d = await call(gw, admin, 'GET', '/identity/v3/domains?name=Default');
  assert.deepEqual(d.body.domains.map((x: { id: string }) => x.id), ['default']);
  assert.equal((await call(gw, admin, 'GET', '/identity/v3/domains/default')).body.domain.name, 'Default');
  const nd = await call(gw, admin, 'POST', '/identity/v3/domains', { domain: { name: 'Other' } });
  assert.equal(nd.status, 201);
  // Deleting a disabled domain takes its projects, users and groups with it (Keystone's cascade).
  const did = nd.body.domain.id;
  const dp = (await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'in-other', domain_id: did } })).body.project;
  const du = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'in-other', domain_id: did, password: 'pw' } })).body.user;
  const dg = (await call(gw, admin, 'POST', '/identity/v3/groups', { group: { name: 'in-other', domain_id: did } })).body.group;
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/groups/${dg.id}/users/${du.id}`)).status, 204);
  await call(gw, admin, 'PUT', `/identity/v3/projects/${dp.id}/users/${du.id}/roles/${roleIds.member}`);
  const userToken = await gw.login('in-other', 'pw', 'in-other', did);
  // A user of another domain holding a role on this one loses it with the domain.
  const outsider = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'outsider', password: 'pw' } })).body.user;
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/domains/${did}/users/${outsider.id}/roles/${roleIds.reader}`)).status, 204);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/domains/${nd.body.domain.id}`)).status, 403, 'enabled');
  await call(gw, admin, 'PATCH', `/identity/v3/domains/${nd.body.domain.id}`, { domain: { enabled: false } });
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/domains/${did}`)).status, 204);
  for (const path of [`projects/${dp.id}`, `users/${du.id}`, `groups/${dg.id}`, `domains/${did}`]) {
    assert.equal((await call(gw, admin, 'GET', `/identity/v3/${path}`)).status, 404, path);
  }
  assert.equal((await call(gw, userToken, 'GET', '/identity/v3/auth/projects')).status, 401, "the deleted user's token ends");
  assert.deepEqual((await call(gw, admin, 'GET', `/identity/v3/role_assignments?user.id=${outsider.id}`)).body.role_assignments, []);
  assert.deepEqual((await call(gw, admin, 'GET', '/identity/v3/regions')).body.regions.map((r: { id: string }) => r.id), ['RegionOne']);
  const services = (await call(gw, admin, 'GET', '/identity/v3/services')).body.services;
  const available = SERVICES.filter((s) => s.available);
  assert.deepEqual(services.map((s: { type: string }) => s.type).sort(), available.map((s) => s.type).sort()); // only services that exist
  const eps = (await call(gw, admin, 'GET', '/identity/v3/endpoints?interface=public')).body.endpoints;
  assert.equal(eps.length, available.length);
  assert.ok(eps.every((e: { service_id: string }) => services.some((s: { id: string }) => s.id === e.service_id)));
  assert.equal((await call(gw, admin, 'GET', `/identity/v3/endpoints/${eps[0].id}`)).status, 200);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/services', { service: { type: 'x' } })).status, 403);
});

test("Keystone's edges: 64-character project and domain names, '' descriptions, unknown domains 404, groups across domains", async () => {
  const long = 'p'.repeat(65);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: long } })).status, 400);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/domains', { domain: { name: long } })).status, 400);
  const d = await call(gw, admin, 'POST', '/identity/v3/domains', { domain: { name: 'edges' } });
  assert.equal(d.body.domain.description, '');
  const missing = 'f'.repeat(32);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'nowhere', domain_id: missing } })).status, 404);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/groups', { group: { name: 'nowhere', domain_id: missing } })).status, 404);
  const g = await call(gw, admin, 'POST', '/identity/v3/groups', { group: { name: 'edges-group', domain_id: d.body.domain.id } });
  const u = await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'edges-user' } });
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/groups/${g.body.group.id}/users/${u.body.user.id}`)).status, 204);
  const groups = (await call(gw, admin, 'GET', `/identity/v3/users/${u.body.user.id}/groups`)).body.groups;
  assert.deepEqual(groups.map((x: { id: string }) => x.id), [g.body.group.id]);
});

test('credentials: CRUD, ec2 blobs, owners only; the EC2 view by access key', async () => {
  const p = (await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: 'creds' } })).body.project;
  const u = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'cred-user', password: 'pw' } })).body.user;
  await call(gw, admin, 'PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${roleIds.member}`);
  const mine = await gw.login('cred-user', 'pw', 'creds');
  const blob = JSON.stringify({ access: 'a1', secret: 's1' });
  const made = await call(gw, mine, 'POST', '/identity/v3/credentials', { credential: { user_id: u.id, project_id: p.id, type: 'ec2', blob } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.deepEqual(Object.keys(made.body.credential).sort(), ['blob', 'id', 'links', 'project_id', 'type', 'user_id']);
  const id = made.body.credential.id;
  assert.equal((await call(gw, mine, 'POST', '/identity/v3/credentials', { credential: { user_id: u.id, project_id: p.id, type: 'ec2', blob } })).status, 409);
  assert.equal((await call(gw, mine, 'POST', '/identity/v3/credentials', { credential: { user_id: u.id, type: 'ec2', blob: 'not json' } })).status, 400);
  assert.equal((await call(gw, mine, 'POST', '/identity/v3/credentials', { credential: { user_id: 'f'.repeat(32), type: 'totp', blob: 'x' } })).status, 403);
  const upd = await call(gw, mine, 'PATCH', `/identity/v3/credentials/${id}`, { credential: { blob: JSON.stringify({ access: 'a2', secret: 's2' }) } });
  assert.equal(JSON.parse(upd.body.credential.blob).access, 'a2');
  // The EC2 view of the same credential, by its (new) access key.
  const ec2 = await call(gw, mine, 'GET', `/identity/v3/users/${u.id}/credentials/OS-EC2/a2`);
  assert.deepEqual([ec2.status, ec2.body.credential.secret, ec2.body.credential.tenant_id], [200, 's2', p.id]);
  assert.equal((await call(gw, mine, 'GET', `/identity/v3/users/${u.id}/credentials/OS-EC2/a1`)).status, 404);
  const gen = await call(gw, mine, 'POST', `/identity/v3/users/${u.id}/credentials/OS-EC2`, { tenant_id: p.id });
  assert.equal(gen.status, 201);
  assert.match(gen.body.credential.access, /^[0-9a-f]{32}$/);
  const listed = (await call(gw, mine, 'GET', `/identity/v3/users/${u.id}/credentials/OS-EC2`)).body.credentials.map((x: { access: string }) => x.access).sort();
  assert.deepEqual(listed, ['a2', gen.body.credential.access].sort());
  // Another user sees none of them; an admin sees all.
  const other = await gw.login('cred-other', 'pw').catch(async () => {
    await call(gw, admin, 'POST', '/identity/v3/users', { user: { name: 'cred-other', password: 'pw' } });
    return gw.login('cred-other', 'pw');
  });
  assert.deepEqual((await call(gw, other, 'GET', '/identity/v3/credentials')).body.credentials, []);
  assert.equal((await call(gw, other, 'GET', `/identity/v3/credentials/${id}`)).status, 404);
  assert.equal((await call(gw, other, 'GET', `/identity/v3/users/${u.id}/credentials/OS-EC2`)).status, 403);
  assert.equal((await call(gw, admin, 'GET', `/identity/v3/credentials?user_id=${u.id}`)).body.credentials.length, 2);
  assert.equal((await call(gw, mine, 'DELETE', `/identity/v3/users/${u.id}/credentials/OS-EC2/${gen.body.credential.access}`)).status, 204);
  assert.equal((await call(gw, mine, 'DELETE', `/identity/v3/credentials/${id}`)).status, 204);
  assert.equal((await call(gw, mine, 'GET', `/identity/v3/credentials/${id}`)).status, 404);
});

test('policies: blobs stored for admins, with extra attributes; members refused; unknown ids 404', async () => {
  const created = await call(gw, admin, 'POST', '/identity/v3/policies', { policy: { type: 'application/json', blob: '{"a": 1}', note: 'kept' } });
  assert.equal(created.status, 201);
  const p = created.body.policy;
  assert.deepEqual([p.type, p.blob, p.note, p.links.self.endsWith(`/v3/policies/${p.id}`)], ['application/json', '{"a": 1}', 'kept', true]);
  assert.equal((await call(gw, admin, 'POST', '/identity/v3/policies', { policy: { blob: 'x' } })).status, 400, 'a type is required');
  const updated = await call(gw, admin, 'PATCH', `/identity/v3/policies/${p.id}`, { policy: { type: 'text/plain' } });
  assert.deepEqual([updated.body.policy.type, updated.body.policy.blob, updated.body.policy.note], ['text/plain', '{"a": 1}', 'kept']);
  assert.equal((await call(gw, admin, 'GET', `/identity/v3/policies/${p.id}`)).body.policy.type, 'text/plain');
  assert.deepEqual((await call(gw, admin, 'GET', '/identity/v3/policies?type=text/plain')).body.policies.map((x: { id: string }) => x.id), [p.id]);
  const member = await memberToken(gw, admin, 'pol-member');
  assert.equal((await call(gw, member, 'GET', '/identity/v3/policies')).status, 403);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/policies/${p.id}`)).status, 204);
  assert.equal((await call(gw, admin, 'GET', `/identity/v3/policies/${p.id}`)).status, 404);
  assert.equal((await call(gw, admin, 'DELETE', `/identity/v3/policies/${p.id}`)).status, 404);
});
