import { createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { GatewayEnv } from '../../src/core/context.ts';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import type { Assignment, Scope } from '../../src/identity/assignments.ts';
import type { RoleRecord } from '../../src/identity/model.ts';
import { requireAdmin } from '../../src/identity/policy.ts';
import type { ActorType } from '../../src/identity/rbac.ts';
import { BUILTIN_ROLES } from '../../src/identity/rbac.ts';
import type { Identity } from '../../src/identity/service.ts';
import { type Names, assignmentView, roleView } from '../../src/identity/views.ts';
import { authOf, flag, idn, listBody, router, v3Of } from './common.ts';
import { AssignmentQuery, NameQuery, P, RoleCreate, RoleUpdate, json, listOf, noContent, oneOf } from './schemas.ts';

// /v3/roles (ClusterRoles), grants on projects and domains (RoleBindings / records), and
// /v3/role_assignments.

const tags = ['identity'];
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const Role = oneOf('role');

const list = createRoute({ method: 'get', path: '/v3/roles', tags, summary: 'List roles', request: { query: NameQuery }, responses: { 200: json(listOf('roles'), 'Roles') } });
const create = createRoute({ method: 'post', path: '/v3/roles', tags, summary: 'Create a role', request: body(RoleCreate), responses: { 201: json(Role, 'Created') } });
const show = createRoute({ method: 'get', path: '/v3/roles/{id}', tags, summary: 'Show a role', request: { params: P.id }, responses: { 200: json(Role, 'Role') } });
const update = createRoute({ method: 'patch', path: '/v3/roles/{id}', tags, summary: 'Update a role', request: { params: P.id, ...body(RoleUpdate) }, responses: { 200: json(Role, 'Updated') } });
const remove = createRoute({ method: 'delete', path: '/v3/roles/{id}', tags, summary: 'Delete a role', request: { params: P.id }, responses: { 204: noContent } });
const assignments = createRoute({
  method: 'get',
  path: '/v3/role_assignments',
  tags,
  summary: 'List role assignments',
  request: { query: AssignmentQuery },
  responses: { 200: json(listOf('role_assignments'), 'Role assignments') },
});

export type Target = 'projects' | 'domains';
export type Actors = 'users' | 'groups';
const grantPath = (t: Target, a: Actors) => `/v3/${t}/{target}/${a}/{actor}/roles`;

function grantRoutes(t: Target, a: Actors) {
  const what = `${a.slice(0, -1)} on a ${t.slice(0, -1)}`;
  return {
    list: createRoute({ method: 'get', path: grantPath(t, a), tags, summary: `List roles of a ${what}`, request: { params: P.grants }, responses: { 200: json(listOf('roles'), 'Roles') } }),
    put: createRoute({ method: 'put', path: `${grantPath(t, a)}/{role}`, tags, summary: `Grant a role to a ${what}`, request: { params: P.grant }, responses: { 204: noContent } }),
    head: createRoute({ method: 'head', path: `${grantPath(t, a)}/{role}`, tags, summary: `Check a role of a ${what}`, request: { params: P.grant }, responses: { 204: noContent } }),
    get: createRoute({ method: 'get', path: `${grantPath(t, a)}/{role}`, tags, summary: `Check a role of a ${what}`, request: { params: P.grant }, responses: { 204: noContent } }),
    del: createRoute({ method: 'delete', path: `${grantPath(t, a)}/{role}`, tags, summary: `Revoke a role from a ${what}`, request: { params: P.grant }, responses: { 204: noContent } }),
  };
}

export async function getRole(id: Identity, roleId: string): Promise<RoleRecord> {
  const r = await id.roles.get(roleId);
  if (!r) throw notFound(`Could not find role: ${roleId}.`);
  return r;
}

export async function resolveGrant(id: Identity, t: Target, a: Actors, p: { target: string; actor: string }): Promise<{ scope: Scope; type: ActorType }> {
  if (t === 'projects') {
    if (!(await id.projects.get(p.target))) throw notFound(`Could not find project: ${p.target}.`);
  } else if (!(await id.domains.get(p.target))) throw notFound(`Could not find domain: ${p.target}.`);
  if (a === 'users') {
    if (!(await id.users.get(p.actor))) throw notFound(`Could not find user: ${p.actor}.`);
  } else if (!(await id.groups.get(p.actor))) throw notFound(`Could not find group: ${p.actor}.`);
  return { scope: t === 'projects' ? { projectId: p.target } : { domainId: p.target }, type: a === 'users' ? 'user' : 'group' };
}

/** What a grant route names (role, scope, actor), checked to exist, for an admin-only rule. */
export async function adminGrant(c: Context<GatewayEnv>, t: Target, a: Actors, rule: string, p: { target: string; actor: string; role: string }) {
  const id = idn(c);
  requireAdmin(authOf(c), rule);
  const role = await getRole(id, p.role);
  const { scope, type } = await resolveGrant(id, t, a, p);
  return { id, role, scope, type };
}

function registerGrants(app: ReturnType<typeof router>, t: Target, a: Actors) {
  const r = grantRoutes(t, a);
  const check = async (c: Context<GatewayEnv>, p: { target: string; actor: string; role: string }) => {
    const id = idn(c);
    const auth = authOf(c);
    if (!auth.isAdmin && !(a === 'users' && p.actor === auth.userId)) requireAdmin(auth, 'identity:check_grant');
    const role = await getRole(id, p.role);
    const { scope, type } = await resolveGrant(id, t, a, p);
    if (!(await id.assignments.check(scope, role, type, p.actor))) throw notFound(`Could not find role assignment with role: ${role.id}, ${type}: ${p.actor}.`);
    return c.body(null, 204);
  };
  app
    .openapi(r.list, async (c) => {
      const id = idn(c);
      const auth = authOf(c);
      const p = c.req.valid('param');
      if (!auth.isAdmin && !(a === 'users' && p.actor === auth.userId)) requireAdmin(auth, 'identity:list_grants');
      const { scope, type } = await resolveGrant(id, t, a, p);
      const found = (await id.assignments.list(scope)).filter((x) => x.actor.type === type && x.actor.id === p.actor);
      const roles = [...new Map(found.map((x) => [x.role.id, x.role])).values()];
      return c.json(listBody(c, 'roles', roles.map((x) => roleView(v3Of(c), x))), 200);
    })
    .openapi(r.put, async (c) => {
      const p = c.req.valid('param');
      const { id, role, scope, type } = await adminGrant(c, t, a, 'identity:create_grant', p);
      await id.assignments.grant(scope, role, type, p.actor);
      return c.body(null, 204);
    })
    .openapi(r.head, async (c) => check(c, c.req.valid('param')))
    .openapi(r.get, async (c) => check(c, c.req.valid('param')))
    .openapi(r.del, async (c) => {
      const p = c.req.valid('param');
      const { id, role, scope, type } = await adminGrant(c, t, a, 'identity:revoke_grant', p);
      if (!(await id.assignments.revoke(scope, role, type, p.actor))) throw notFound(`Could not find role assignment with role: ${role.id}, ${type}: ${p.actor}.`);
      // Tokens carry roles: end the ones scoped where this one was (Keystone's revoke by grant).
      const users = type === 'user' ? [p.actor] : (await id.users.list({ groupId: p.actor })).map((u) => u.id);
      for (const u of users) await id.revocations.revokeUserOn(u, p.target);
      return c.body(null, 204);
    });
}

async function names(id: Identity): Promise<Names> {
  const [users, groups, projects, domains] = await Promise.all([id.users.list(), id.groups.list(), id.projects.list(), id.domains.list()]);
  const dom = new Map(domains.map((d) => [d.id, d]));
  const domRef = (domainId: string) => ({ id: domainId, ...(dom.get(domainId) ? { name: dom.get(domainId)?.name } : {}) });
  const u = new Map(users.map((x) => [x.id, x]));
  const g = new Map(groups.map((x) => [x.id, x]));
  const p = new Map(projects.map((x) => [x.id, x]));
  return {
    user: (x) => (u.get(x) ? { id: x, name: u.get(x)?.name, domain: domRef(u.get(x)?.domainId ?? 'default') } : { id: x }),
    group: (x) => (g.get(x) ? { id: x, name: g.get(x)?.name, domain: domRef(g.get(x)?.domainId ?? 'default') } : { id: x }),
    project: (x) => (p.get(x) ? { id: x, name: p.get(x)?.name, domain: domRef(p.get(x)?.domainId ?? 'default') } : { id: x }),
    domain: (x) => domRef(x),
  };
}

export function filterAssignments(list: Assignment[], q: z.infer<typeof AssignmentQuery>, effective: boolean): Assignment[] {
  return list.filter((a) => {
    if (q['user.id'] !== undefined && !(a.actor.type === 'user' && a.actor.id === q['user.id'])) return false;
    if (q['group.id'] !== undefined && !(effective ? a.viaGroup === q['group.id'] : a.actor.type === 'group' && a.actor.id === q['group.id'])) return false;
    if (q['role.id'] !== undefined && a.role.id !== q['role.id']) return false;
    if (q['scope.project.id'] !== undefined && !('projectId' in a.scope && a.scope.projectId === q['scope.project.id'])) return false;
    if (q['scope.domain.id'] !== undefined && !('domainId' in a.scope && a.scope.domainId === q['scope.domain.id'])) return false;
    return true;
  });
}

export const roleRoutes = router()
  .openapi(list, async (c) => {
    authOf(c);
    const q = c.req.valid('query');
    let items = await idn(c).roles.list();
    if (q.name !== undefined) items = items.filter((r) => r.name === q.name);
    if (q.domain_id) items = [];
    return c.json(listBody(c, 'roles', items.map((r) => roleView(v3Of(c), r))), 200);
  })
  .openapi(create, async (c) => {
    requireAdmin(authOf(c), 'identity:create_role');
    const r = c.req.valid('json').role;
    if (r.domain_id) throw badRequest('Domain-specific roles are not supported.');
    return c.json({ role: roleView(v3Of(c), await idn(c).roles.create(r.name, r.description ?? undefined)) }, 201);
  })
  .openapi(show, async (c) => {
    authOf(c);
    return c.json({ role: roleView(v3Of(c), await getRole(idn(c), c.req.valid('param').id)) }, 200);
  })
  .openapi(update, async (c) => {
    requireAdmin(authOf(c), 'identity:update_role');
    const id = idn(c);
    const r = await getRole(id, c.req.valid('param').id);
    const f = c.req.valid('json').role;
    if ((BUILTIN_ROLES as readonly string[]).includes(r.name) && f.name !== undefined && f.name !== r.name) {
      throw forbidden(`The built-in role ${r.name} cannot be renamed.`);
    }
    return c.json({ role: roleView(v3Of(c), await id.roles.update(r, f)) }, 200);
  })
  .openapi(remove, async (c) => {
    requireAdmin(authOf(c), 'identity:delete_role');
    const id = idn(c);
    const r = await getRole(id, c.req.valid('param').id);
    if ((BUILTIN_ROLES as readonly string[]).includes(r.name)) throw forbidden(`The built-in role ${r.name} cannot be deleted.`);
    for (const a of (await id.assignments.list()).filter((x) => x.role.id === r.id)) await id.assignments.revoke(a.scope, r, a.actor.type, a.actor.id);
    await id.roles.delete(r);
    return c.body(null, 204);
  })
  .openapi(assignments, async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const q = c.req.valid('query');
    const effective = flag(q.effective);
    // Non-admins see only their own assignments (Keystone lets readers list within scope).
    if (!auth.isAdmin) {
      if (q['user.id'] !== undefined && q['user.id'] !== auth.userId) throw forbidden('You are not authorized to perform the requested action: identity:list_role_assignments.');
    }
    const inheritedTo = q['scope.OS-INHERIT:inherited_to'];
    if (q['scope.system'] !== undefined || (inheritedTo !== undefined && inheritedTo !== 'projects')) return c.json(listBody(c, 'role_assignments', []), 200);
    const where = {
      ...(q['scope.project.id'] ? { projectId: q['scope.project.id'] } : {}),
      ...(q['scope.domain.id'] ? { domainId: q['scope.domain.id'] } : {}),
    };
    let list: Assignment[];
    if (effective) {
      // What holds where: inherited domain assignments on each of the domain's projects.
      const project = where.projectId ? await id.projects.get(where.projectId) : undefined;
      const [direct, inherited] = await Promise.all([
        inheritedTo ? [] : id.assignments.list(where),
        id.assignments.listInherited(project ? { domainId: project.domainId } : where.projectId ? { projectId: where.projectId } : {}),
      ]);
      list = await id.assignments.effective([...direct, ...(await id.assignments.expandInherited(inherited))]);
    } else {
      const [direct, inherited] = await Promise.all([inheritedTo ? [] : id.assignments.list(where), id.assignments.listInherited(where)]);
      list = [...direct, ...inherited];
    }
    list = filterAssignments(list, q, effective);
    if (!auth.isAdmin) list = list.filter((a) => a.actor.type === 'user' && a.actor.id === auth.userId);
    const n = flag(q.include_names) ? await names(id) : undefined;
    return c.json(listBody(c, 'role_assignments', list.map((a) => assignmentView(v3Of(c), a, n))), 200);
  });

for (const t of ['projects', 'domains'] as const) for (const a of ['users', 'groups'] as const) registerGrants(roleRoutes, t, a);
