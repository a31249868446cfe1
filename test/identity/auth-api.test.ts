import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SERVICES } from '../../src/identity/catalog.ts';
import { ADMIN, type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// POST/GET/HEAD/DELETE /v3/auth/tokens and the /v3/auth/* helpers over a sandbox.

let gw: TestGateway;
let projectId: string;
let userId: string;
before(async () => {
  gw = await startTestGateway();
  const admin = await gw.adminToken();
  const me = await call(gw, admin, 'GET', '/identity/v3/auth/tokens', undefined);
  assert.equal(me.status, 404, 'no X-Subject-Token: nothing to validate');
  const v = await gw.request('/identity/v3/auth/tokens', { headers: { 'x-auth-token': admin, 'x-subject-token': admin } });
  const body = await v.json();
  projectId = body.token.project.id;
  userId = body.token.user.id;
});
after(() => gw.close());

const pw = (user: object, scope?: unknown) => ({
  auth: { identity: { methods: ['password'], password: { user } }, ...(scope === undefined ? {} : { scope }) },
});

test('password + project by name: 201, X-Subject-Token, Keystone token body with catalog', async () => {
  const r = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ name: ADMIN.name, domain: { name: 'Default' }, password: ADMIN.password }, { project: { name: 'admin', domain: { name: 'Default' } } }));
  assert.equal(r.status, 201);
  assert.ok(r.headers.get('x-subject-token'));
  const t = r.body.token;
  assert.deepEqual(t.methods, ['password']);
  assert.equal(t.audit_ids.length, 1);
  assert.match(t.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.deepEqual(t.user.domain, { id: 'default', name: 'Default' });
  assert.equal(t.project.id, projectId);
  assert.deepEqual(t.roles.map((x: { name: string }) => x.name).sort(), ['admin', 'member', 'reader']);
  const types = t.catalog.map((s: { type: string }) => s.type);
  assert.deepEqual(types, SERVICES.filter((s) => s.available).map((s) => s.type)); // only services that exist
  const nova = t.catalog.find((s: { type: string }) => s.type === 'compute');
  assert.ok(nova.endpoints.every((e: { url: string; region: string; region_id: string }) => e.url.endsWith('/RegionOne/compute/v2.1') && e.region === 'RegionOne' && e.region_id === 'RegionOne'));
  assert.deepEqual([...new Set(nova.endpoints.map((e: { interface: string }) => e.interface))].sort(), ['admin', 'internal', 'public']);
});

test('password by user id + project by id; ?nocatalog leaves the catalog out', async () => {
  const r = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens?nocatalog', pw({ id: userId, password: ADMIN.password }, { project: { id: projectId } }));
  assert.equal(r.status, 201);
  assert.equal(r.body.token.catalog, undefined);
  assert.equal(r.body.token.project.id, projectId);
});

test('unscoped, explicit unscoped, domain and system scopes', async () => {
  const u = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ id: userId, password: ADMIN.password }));
  assert.equal(u.status, 201);
  assert.equal(u.body.token.project, undefined);
  assert.equal('catalog' in u.body.token, false, 'Keystone: an unscoped token has no catalog');
  const e = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ id: userId, password: ADMIN.password }, 'unscoped'));
  assert.equal(e.status, 201);
  const s = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ id: userId, password: ADMIN.password }, { system: { all: true } }));
  assert.equal(s.status, 201);
  assert.deepEqual(s.body.token.system, { all: true });
  // No domain role yet: 401; after granting one, a domain-scoped token.
  const d0 = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ id: userId, password: ADMIN.password }, { domain: { id: 'default' } }));
  assert.equal(d0.status, 401);
  const admin = await gw.adminToken();
  const roles = await call(gw, admin, 'GET', '/identity/v3/roles?name=admin');
  const roleId = roles.body.roles[0].id;
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/domains/default/users/${userId}/roles/${roleId}`)).status, 204);
  const d = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ id: userId, password: ADMIN.password }, { domain: { name: 'Default' } }));
  assert.equal(d.status, 201);
  assert.deepEqual(d.body.token.domain, { id: 'default', name: 'Default' });
  const ds = await call(gw, d.headers.get('x-subject-token') ?? '', 'GET', '/identity/v3/auth/domains');
  assert.deepEqual(ds.body.domains.map((x: { id: string }) => x.id), ['default']);
});

test('token method rescopes and keeps the audit chain; GET, HEAD validate; DELETE revokes', async () => {
  const u = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ id: userId, password: ADMIN.password }));
  const unscoped = u.headers.get('x-subject-token') ?? '';
  const r = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', { auth: { identity: { methods: ['token'], token: { id: unscoped } }, scope: { project: { id: projectId } } } });
  assert.equal(r.status, 201);
  assert.deepEqual(r.body.token.audit_ids[1], u.body.token.audit_ids[0]);
  assert.deepEqual(r.body.token.methods, ['token', 'password']);
  const scoped = r.headers.get('x-subject-token') ?? '';
  const admin = await gw.adminToken();
  const g = await gw.request('/identity/v3/auth/tokens', { headers: { 'x-auth-token': admin, 'x-subject-token': scoped } });
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('x-subject-token'), scoped);
  const h = await gw.request('/identity/v3/auth/tokens', { method: 'HEAD', headers: { 'x-auth-token': admin, 'x-subject-token': scoped } });
  assert.equal(h.status, 200);
  assert.equal(await h.text(), '');
  const d = await gw.request('/identity/v3/auth/tokens', { method: 'DELETE', headers: { 'x-auth-token': admin, 'x-subject-token': scoped } });
  assert.equal(d.status, 204);
  const after = await gw.request('/identity/v3/auth/tokens', { headers: { 'x-auth-token': admin, 'x-subject-token': scoped } });
  assert.equal(after.status, 404);
  // The revoked token no longer authenticates anything, here or in a regional service.
  assert.equal((await call(gw, scoped, 'GET', '/identity/v3/auth/projects')).status, 401);
  assert.equal((await call(gw, scoped, 'GET', '/RegionOne/compute/v2.1/servers')).status, 401);
  // ...and cannot be rescoped (Keystone: 404).
  const again = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', { auth: { identity: { methods: ['token'], token: { id: scoped } } } });
  assert.equal(again.status, 404);
});

test('/v3/auth/catalog, /v3/auth/projects, /v3/auth/system', async () => {
  const admin = await gw.adminToken();
  const c = await call(gw, admin, 'GET', '/identity/v3/auth/catalog');
  assert.equal(c.status, 200);
  assert.ok(c.body.catalog.some((s: { type: string }) => s.type === 'compute'));
  const p = await call(gw, admin, 'GET', '/identity/v3/auth/projects');
  assert.deepEqual(p.body.projects.map((x: { name: string }) => x.name), ['admin']);
  const s = await call(gw, admin, 'GET', '/identity/v3/auth/system');
  assert.deepEqual(s.body.system, [{ all: true }]);
});

test('bad requests are 400 in Keystone format; wrong credentials 401 with WWW-Authenticate', async () => {
  const bad = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', { auth: { identity: { methods: [] } } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 400);
  const noDomain = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ name: 'admin', password: 'x' }));
  assert.equal(noDomain.status, 400);
  const wrong = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ name: 'admin', domain: { id: 'default' }, password: 'nope' }));
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error.title, 'Unauthorized');
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Keystone uri=/);
  const ghost = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ name: 'ghost', domain: { id: 'default' }, password: 'nope' }));
  assert.equal(ghost.status, 401);
  assert.equal(ghost.body.error.message, wrong.body.error.message, 'unknown and wrong look the same');
  const trust = await call(gw, undefined, 'POST', '/identity/v3/auth/tokens', pw({ id: userId, password: ADMIN.password }, { 'OS-TRUST:trust': { id: 'x' } }));
  assert.equal(trust.status, 403);
  assert.equal((await call(gw, undefined, 'GET', '/identity/v3/projects')).status, 401);
  assert.equal((await call(gw, 'not-a-token', 'GET', '/identity/v3/projects')).status, 401);
  assert.equal((await call(gw, undefined, 'GET', '/identity/v3')).status, 200, 'version documents stay open');
});

test('regional services: version documents open, everything else needs a valid token (401 in the service format)', async () => {
  assert.equal((await call(gw, undefined, 'GET', '/RegionOne/compute/')).status, 200);
  assert.equal((await call(gw, undefined, 'GET', '/RegionOne/compute/v2.1')).status, 200);
  assert.equal((await call(gw, undefined, 'GET', '/RegionOne/network/v2.0')).status, 200);
  const r = await call(gw, undefined, 'GET', '/RegionOne/compute/v2.1/servers');
  assert.equal(r.status, 401);
  assert.equal(r.body.unauthorized.code, 401);
  const n = await call(gw, 'garbage', 'GET', '/RegionOne/network/v2.0/networks');
  assert.equal(n.status, 401);
  assert.equal(n.body.NeutronError.type, 'HTTPUnauthorized');
  const ok = await call(gw, await gw.adminToken(), 'GET', '/RegionOne/compute/v2.1/servers');
  assert.notEqual(ok.status, 401);
});
