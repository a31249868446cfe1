import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignmentsFromBindings, withImplied } from '../../src/identity/assignments.ts';
import { SERVICES, buildCatalog, endpointList, tokenCatalog } from '../../src/identity/catalog.ts';
import { A, L, type ProjectRecord, encode, slug, toAppCred, toProject, toRole, toUser } from '../../src/identity/model.ts';
import { actorOf, bindingName, roleBinding, roleObjectName, rulesFor } from '../../src/identity/rbac.ts';
import { expiredKeys, isRevoked } from '../../src/identity/revocations.ts';
import type { TokenClaims } from '../../src/identity/tokens.ts';
import { assignmentView, normalizeExpiry, tokenBody, userView } from '../../src/identity/views.ts';

const UID = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const ID = '0a1b2c3d4e5f6789abcdef0123456789';

test('a project namespace maps to a Keystone project; bad annotations fall back safely', () => {
  const p = toProject({
    metadata: {
      name: 'p-web-x1',
      uid: UID,
      labels: { [L.domainId]: 'default' },
      annotations: { [A.name]: 'Web', [A.enabled]: 'false', [A.tags]: '{"not":"a list"}', [A.extra]: 'not json' },
    },
  });
  assert.deepEqual(p, { id: ID, name: 'Web', description: '', domainId: 'default', enabled: false, tags: [], namespace: 'p-web-x1', extra: {} });
});

test('a user Secret maps to a user; its hash is never part of the view', () => {
  const u = toUser({
    metadata: {
      name: 'user-alice-1',
      uid: UID,
      labels: { [L.domainId]: 'default', [`${L.groupPrefix}${'f'.repeat(32)}`]: 'true' },
      annotations: { [A.name]: 'alice', [A.email]: 'a@x', [A.extra]: '{"team":"blue"}', [A.failedLogins]: '3' },
    },
    data: { password: encode('scrypt$16$1$1$c2FsdA==$aGFzaA==') },
  });
  assert.equal(u.passwordHash, 'scrypt$16$1$1$c2FsdA==$aGFzaA==');
  assert.deepEqual(u.groups, ['f'.repeat(32)]);
  assert.equal(u.failedLogins, 3);
  const view = userView('http://h/identity/v3', u);
  assert.equal((view as Record<string, unknown>).team, 'blue');
  assert.equal(view.email, 'a@x');
  assert.ok(!JSON.stringify(view).includes('scrypt'));
  assert.ok(!('password' in view));
});

test('roles and application credentials map from their objects', () => {
  assert.deepEqual(toRole({ metadata: { name: 'dicot-role-member', uid: UID } }), { id: ID, name: 'member', description: undefined, object: 'dicot-role-member' });
  const a = toAppCred({ metadata: { name: 'appcred-x', uid: UID, labels: { [L.userId]: 'u' }, annotations: { [A.roles]: '[{"id":"r","name":"reader"}]', [A.unrestricted]: 'true' } } });
  assert.deepEqual(a.roles, [{ id: 'r', name: 'reader' }]);
  assert.equal(a.unrestricted, true);
  assert.equal(a.secretHash, '');
});

test('object names are readable DNS-1123 slugs', async () => {
  assert.equal(slug('My Project!'), 'my-project');
  assert.equal(slug('___'), 'x');
  assert.equal(await roleObjectName('member'), 'dicot-role-member');
  assert.match(await roleObjectName('Resource Admin'), /^dicot-role-resource-admin-[0-9a-f]{10}$/);
  assert.equal(bindingName('dicot-role-member', 'user', ID), `dicot-member-user-${ID}`);
});

test('role rules nest: reader reads, member writes, admin also manages bindings', () => {
  const can = (role: string, group: string, resource: string, verb: string) =>
    rulesFor(role).some((r) => r.apiGroups.includes(group) && (r.resources.includes(resource) || r.resources.includes('*')) && r.verbs.includes(verb));
  assert.ok(can('reader', 'kubevirt.io', 'virtualmachines', 'list'));
  assert.ok(!can('reader', 'kubevirt.io', 'virtualmachines', 'create'));
  assert.ok(can('member', 'kubevirt.io', 'virtualmachines', 'create'));
  assert.ok(can('member', 'subresources.kubevirt.io', 'virtualmachines/start', 'update'));
  assert.ok(can('member', 'subresources.kubevirt.io', 'virtualmachineinstances/pause', 'update'));
  assert.ok(!can('member', 'rbac.authorization.k8s.io', 'rolebindings', 'create'));
  assert.ok(can('admin', 'rbac.authorization.k8s.io', 'rolebindings', 'create'));
  assert.deepEqual(rulesFor('custom'), []);
});

test('RoleBindings (Dicot-made or hand-made) become assignments; foreign subjects are ignored', () => {
  const role = { id: 'r1', name: 'member', description: undefined, object: 'dicot-role-member' };
  const project = { id: 'p1' } as ProjectRecord;
  const bindings = [
    roleBinding('ns', 'dicot-role-member', 'user', 'a'.repeat(32)),
    {
      metadata: { name: 'by-hand' },
      roleRef: { kind: 'ClusterRole', name: 'dicot-role-member' },
      subjects: [
        { kind: 'Group', name: `dicot:group:${'b'.repeat(32)}` },
        { kind: 'User', name: 'jane' },
        { kind: 'Group', name: `dicot:user:${'c'.repeat(32)}` },
      ],
    },
    { metadata: { name: 'other' }, roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: `dicot:user:${'d'.repeat(32)}` }] },
  ];
  const out = assignmentsFromBindings(bindings, project, new Map([[role.object, role]]));
  assert.deepEqual(
    out.map((a) => `${a.actor.type}:${a.actor.id[0]}`),
    ['user:a', 'group:b'],
  );
  assert.equal(actorOf({ kind: 'User', name: 'dicot:user:nothex' }), undefined);
});

test('implied roles: admin ⊃ member ⊃ reader', () => {
  const all = ['admin', 'member', 'reader', 'x'].map((n) => ({ id: n, name: n, description: undefined, object: `dicot-role-${n}` }));
  const names = (rs: { name: string }[]) => rs.map((r) => r.name).sort();
  assert.deepEqual(names(withImplied([all[0] as (typeof all)[0]], all)), ['admin', 'member', 'reader']);
  assert.deepEqual(names(withImplied([all[1] as (typeof all)[0]], all)), ['member', 'reader']);
  assert.deepEqual(names(withImplied([all[3] as (typeof all)[0]], all)), ['x']);
});

test('the catalog lists every region with region and region_id, three interfaces, only services that exist', async () => {
  const cat = await buildCatalog('http://h', ['RegionOne', 'RegionTwo'], 'p1');
  assert.deepEqual(cat.map((s) => s.type), SERVICES.filter((s) => s.available).map((s) => s.type));
  assert.ok(cat.find((s) => s.type === 'volumev3')?.endpoints.some((e) => e.url === 'http://h/RegionOne/volume/v3/p1'));
  const nova = cat.find((s) => s.type === 'compute');
  assert.equal(nova?.name, 'nova');
  assert.equal(nova?.endpoints.length, 6);
  assert.ok(nova?.endpoints.every((e) => e.region === e.region_id && e.url === `http://h/${e.region}/compute/v2.1`));
  const again = await buildCatalog('http://h', ['RegionOne', 'RegionTwo']);
  assert.deepEqual(again.map((s) => s.id), cat.map((s) => s.id));
  // Block storage, once listed, carries the project in its URL for project-scoped tokens.
  const cinder = SERVICES.find((s) => s.type === 'volumev3');
  assert.equal(cinder?.url('http://h', 'RegionOne', 'p1'), 'http://h/RegionOne/volume/v3/p1');
  assert.equal(cinder?.url('http://h', 'RegionOne', undefined), 'http://h/RegionOne/volume/v3');
  assert.equal(SERVICES.filter((s) => s.type === 'block-storage' || s.type === 'volumev3').length, 2);
  assert.equal(again[1]?.endpoints[0]?.id, cat[1]?.endpoints[0]?.id);
  const t = tokenCatalog(cat);
  assert.deepEqual(Object.keys(t[0]?.endpoints[0] ?? {}).sort(), ['id', 'interface', 'region', 'region_id', 'url']);
  const eps = await endpointList('http://h', ['RegionOne']);
  assert.ok(eps.some((e) => e.url === 'http://h/RegionOne/compute/v2.1'));
  // Outside a token there is no project: the endpoint list shows Keystone's URL template.
  assert.ok(eps.some((e) => e.url === 'http://h/RegionOne/volume/v3/$(project_id)s'), JSON.stringify(eps.map((e) => e.url)));
});

const claims = (over: Partial<TokenClaims> = {}): TokenClaims => ({
  sub: 'u1',
  jti: 'audit1',
  iat: 1000,
  exp: 4600,
  ims: 1_000_000,
  methods: ['password'],
  user: { name: 'u', domain: { id: 'default', name: 'Default' } },
  project: { id: 'p1', name: 'p', domain: { id: 'default', name: 'Default' } },
  roles: [{ id: 'r', name: 'member' }],
  groups: [],
  ...over,
});

test('revocation entries: by audit id, by user and project before a time', () => {
  assert.equal(isRevoked({}, claims()), false);
  assert.equal(isRevoked({ 'a.audit1': '4600' }, claims()), true);
  // A grant taken away on one scope ends only the tokens scoped there.
  assert.equal(isRevoked({ 's.u1.p1': '1000001' }, claims()), true);
  assert.equal(isRevoked({ 's.u1.p2': '1000001' }, claims()), false);
  assert.equal(isRevoked({ 's.u1.p1': '1000000' }, claims()), false, 'issued after');
  assert.equal(isRevoked({ 'u.u1': '1000001' }, claims()), true);
  assert.equal(isRevoked({ 'u.u1': '1000000' }, claims()), false, 'a token issued at the revocation time onwards stays valid');
  assert.equal(isRevoked({ 'p.p1': '2000000' }, claims()), true);
  assert.equal(isRevoked({ 'c.ac': '2000000' }, claims({ appcred: { id: 'ac', name: 'n', restricted: true } })), true);
  assert.deepEqual(expiredKeys({ 'a.x': '10', 'a.y': '99999', 'u.z': '1000', 'p.q': 'junk' }, 20_000, 5), ['a.x', 'u.z', 'p.q']);
});

test('token body: Keystone fields, audit chain, catalog only when given', () => {
  const b = tokenBody(claims({ parent: 'audit0' }), []);
  assert.deepEqual(b.audit_ids, ['audit1', 'audit0']);
  assert.equal(b.expires_at, '1970-01-01T01:16:40.000000Z');
  assert.match(b.issued_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(b.is_domain, false);
  assert.deepEqual(b.catalog, []);
  const unscoped = tokenBody(claims({ project: undefined }));
  assert.ok(!('roles' in unscoped) && !('catalog' in unscoped) && !('project' in unscoped));
});

test('application credential expiry is echoed as Keystone does (naive UTC, microseconds kept)', () => {
  assert.equal(normalizeExpiry('2026-11-22T03:19:52.666364'), '2026-11-22T03:19:52.666364');
  assert.equal(normalizeExpiry('2026-11-22T03:19:52Z'), '2026-11-22T03:19:52');
  assert.equal(normalizeExpiry('2026-11-22T05:19:52.5+02:00'), '2026-11-22T03:19:52.500000');
  assert.equal(normalizeExpiry('2026-11-22T03:19'), '2026-11-22T03:19:00');
  assert.equal(normalizeExpiry('tomorrow'), undefined);
});

test('assignment views carry names only when asked, and group membership links', () => {
  const a = {
    role: { id: 'r', name: 'member', description: undefined, object: 'dicot-role-member' },
    actor: { type: 'user' as const, id: 'u' },
    scope: { projectId: 'p' },
    viaGroup: 'g',
  };
  const plain = assignmentView('http://h/v3', a);
  assert.deepEqual(plain.role, { id: 'r' });
  assert.equal(plain.links.assignment, 'http://h/v3/projects/p/groups/g/roles/r');
  assert.equal(plain.links.membership, 'http://h/v3/groups/g/users/u');
  const named = assignmentView('http://h/v3', a, {
    user: (id) => ({ id, name: 'alice', domain: { id: 'default', name: 'Default' } }),
    group: (id) => ({ id }),
    project: (id) => ({ id, name: 'web' }),
    domain: (id) => ({ id }),
  });
  assert.deepEqual(named.role, { id: 'r', name: 'member' });
  assert.equal((named.scope as { project: { name: string } }).project.name, 'web');
});
