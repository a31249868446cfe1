import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGateway } from '../../src/app.ts';
import { R, createKubeClient } from '../../src/kube/index.ts';
import { SYSTEM_NS } from '../../src/identity/model.ts';
import { type TestGateway, call, startTestGateway } from '../helpers/gateway.ts';

// Security properties, each over a sandbox: hashes, lockout, revocation across replicas,
// password change, disabling, and cross-project isolation through every identity route.

let gw: TestGateway;
let admin: string;
let memberRole: string;
before(async () => {
  gw = await startTestGateway({ identity: { lockoutFailureAttempts: 3, lockoutDurationSeconds: 30, uniqueLastPasswordCount: 2 } });
  admin = await gw.adminToken();
  memberRole = (await call(gw, admin, 'GET', '/identity/v3/roles?name=member')).body.roles[0].id;
});
after(() => gw.close());

async function userIn(project: string, name: string, password = `${name}-pw`) {
  let p = (await call(gw, admin, 'GET', `/identity/v3/projects?name=${project}`)).body.projects[0];
  if (!p) p = (await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name: project } })).body.project;
  const u = (await call(gw, admin, 'POST', '/identity/v3/users', { user: { name, password, default_project_id: p.id } })).body.user;
  assert.equal((await call(gw, admin, 'PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${memberRole}`)).status, 204);
  return { project: p, user: u, token: await gw.login(name, password, project) };
}

const gatewayKube = () =>
  createKubeClient({ server: 'http://sandbox', fetch: ((i: string, init?: RequestInit) => gw.sandbox.fetch(new Request(i, init))) as typeof fetch, token: () => gw.sandbox.gatewayToken });

test('passwords are stored only as scrypt hashes and never returned', async () => {
  const { user } = await userIn('sec-hash', 'hashy', 'Sup3r-secret');
  const show = await call(gw, admin, 'GET', `/identity/v3/users/${user.id}`);
  assert.ok(!JSON.stringify(show.body).includes('Sup3r-secret'));
  assert.ok(!JSON.stringify(show.body).includes('scrypt'));
  const secrets = await gatewayKube().list<{ data?: Record<string, string> }>(R.secrets, { namespace: SYSTEM_NS });
  const raw = JSON.stringify(secrets.items);
  assert.ok(!raw.includes(btoa('Sup3r-secret')) && !raw.includes('Sup3r-secret'));
  const mine = secrets.items.find((s) => s.data?.password && atob(s.data.password).startsWith('scrypt$16$1$1$'));
  assert.ok(mine, 'the hash carries its algorithm and work factor');
});

test('lockout: repeated failures lock the account (same 401), then it unlocks', async () => {
  await userIn('sec-lock', 'locky', 'right');
  const attempt = (password: string) =>
    call(gw, undefined, 'POST', '/identity/v3/auth/tokens', {
      auth: { identity: { methods: ['password'], password: { user: { name: 'locky', domain: { id: 'default' }, password } } } },
    });
  for (let i = 0; i < 3; i++) assert.equal((await attempt('wrong')).status, 401);
  const locked = await attempt('right');
  assert.equal(locked.status, 401, 'the right password is refused while locked');
  assert.equal(locked.body.error.message, (await attempt('wrong')).body.error.message);
  gw.advance(31_000);
  assert.equal((await attempt('right')).status, 201);
});

test('changing a password revokes older tokens, refuses reuse, and needs the old password', async () => {
  const { user, token } = await userIn('sec-pw', 'changer', 'first-pw');
  const change = (original: string, password: string, t = token) =>
    call(gw, t, 'POST', `/identity/v3/users/${user.id}/password`, { user: { original_password: original, password } });
  assert.equal((await change('wrong', 'second-pw')).status, 401);
  assert.equal((await change('first-pw', 'first-pw')).status, 400, 'same as the current one');
  assert.equal((await change('first-pw', 'second-pw')).status, 204);
  assert.equal((await call(gw, token, 'GET', `/identity/v3/users/${user.id}`)).status, 401, 'old token revoked');
  const t2 = await gw.login('changer', 'second-pw', 'sec-pw');
  assert.equal((await change('second-pw', 'first-pw', t2)).status, 400, 'previous password is in the history');
  await assert.rejects(gw.login('changer', 'first-pw'));
  // As in Keystone, knowing the current password is the authorisation, whoever's token carries it.
  const byAdmin = (original: string) => call(gw, admin, 'POST', `/identity/v3/users/${user.id}/password`, { user: { original_password: original, password: 'third-pw' } });
  assert.equal((await byAdmin('first-pw')).status, 401);
  assert.equal((await byAdmin('second-pw')).status, 204);
});

test('revocation is honoured by another replica within its cache window', async () => {
  const { token } = await userIn('sec-rep', 'replica');
  // A second gateway (another replica) over the same identity cluster.
  let later = 0;
  const other = createGateway(gw.config, {
    kube: { RegionOne: { server: 'http://sandbox', fetch: ((i: string, init?: RequestInit) => gw.sandbox.fetch(new Request(i, init))) as typeof fetch, token: () => gw.sandbox.gatewayToken } },
    log: () => {},
    now: () => gw.now() + later,
  });
  const viaOther = async () => (await other.request('http://gw/identity/v3/auth/projects', { headers: { 'x-auth-token': token } })).status;
  assert.equal(await viaOther(), 200);
  const d = await gw.request('/identity/v3/auth/tokens', { method: 'DELETE', headers: { 'x-auth-token': admin, 'x-subject-token': token } });
  assert.equal(d.status, 204);
  later = 6_000; // past the ≤ 5 s revocation cache
  assert.equal(await viaOther(), 401);
});

test('disabling a user or a project ends their tokens and blocks new ones', async () => {
  const a = await userIn('sec-dis', 'disabled-user');
  assert.equal((await call(gw, admin, 'PATCH', `/identity/v3/users/${a.user.id}`, { user: { enabled: false } })).status, 200);
  assert.equal((await call(gw, a.token, 'GET', '/identity/v3/auth/projects')).status, 401);
  await assert.rejects(gw.login('disabled-user', 'disabled-user-pw'));
  const b = await userIn('sec-dis2', 'in-disabled-project');
  assert.equal((await call(gw, admin, 'PATCH', `/identity/v3/projects/${b.project.id}`, { project: { enabled: false } })).status, 200);
  assert.equal((await call(gw, b.token, 'GET', '/identity/v3/auth/projects')).status, 401);
  await assert.rejects(gw.login('in-disabled-project', 'in-disabled-project-pw', 'sec-dis2'));
});

test('cross-project isolation: a token for project A cannot read or change project B', async () => {
  const a = await userIn('iso-a', 'alice');
  const b = await userIn('iso-b', 'bob');
  const B = b.project.id;
  const probes: [string, string, unknown?][] = [
    ['GET', `/identity/v3/projects/${B}`],
    ['PATCH', `/identity/v3/projects/${B}`, { project: { description: 'pwned' } }],
    ['DELETE', `/identity/v3/projects/${B}`],
    ['GET', `/identity/v3/projects/${B}/tags`],
    ['PUT', `/identity/v3/projects/${B}/tags/x`],
    ['GET', `/identity/v3/users/${b.user.id}`],
    ['PATCH', `/identity/v3/users/${b.user.id}`, { user: { enabled: false } }],
    ['DELETE', `/identity/v3/users/${b.user.id}`],
    ['GET', `/identity/v3/users/${b.user.id}/projects`],
    ['GET', `/identity/v3/users/${b.user.id}/application_credentials`],
    ['POST', `/identity/v3/users/${b.user.id}/application_credentials`, { application_credential: { name: 'steal' } }],
    ['PUT', `/identity/v3/projects/${B}/users/${a.user.id}/roles/${memberRole}`],
    ['DELETE', `/identity/v3/projects/${B}/users/${b.user.id}/roles/${memberRole}`],
    ['GET', `/identity/v3/role_assignments?user.id=${b.user.id}`],
    ['GET', '/identity/v3/projects'],
    ['GET', '/identity/v3/users'],
    ['POST', '/identity/v3/projects', { project: { name: 'mine-now' } }],
  ];
  for (const [method, path, body] of probes) {
    const r = await call(gw, a.token, method, path, body);
    assert.equal(r.status, 403, `${method} ${path} → ${r.status}`);
  }
  const ra = await call(gw, a.token, 'GET', '/identity/v3/role_assignments');
  assert.equal(ra.status, 200);
  assert.ok(ra.body.role_assignments.every((x: { user?: { id: string } }) => x.user?.id === a.user.id));
  const mine = await call(gw, a.token, 'GET', `/identity/v3/users/${a.user.id}/projects`);
  assert.deepEqual(mine.body.projects.map((p: { name: string }) => p.name), ['iso-a']);
  await assert.rejects(gw.login('alice', 'alice-pw', 'iso-b'), /401/);
  // Bob's project is untouched.
  const check = await call(gw, admin, 'GET', `/identity/v3/projects/${B}`);
  assert.equal(check.body.project.description, '');
});
