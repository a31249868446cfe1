import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { GatewayEnv } from '../../src/core/context.ts';
import { notFound } from '../../src/core/faults.ts';
import { requireAdmin } from '../../src/identity/policy.ts';
import { roleView } from '../../src/identity/views.ts';
import { authOf, idn, listBody, router, v3Of } from './common.ts';
import { type Actors, type Target, adminGrant, resolveGrant } from './roles.ts';
import { P, json, listOf, noContent } from './schemas.ts';

// OS-INHERIT: roles granted on a domain (or a project) for the projects below it rather than
// for itself (src/identity/assignments.ts keeps them and binds them on the domain's projects).

const tags = ['identity'];
const base = (t: Target, a: Actors) => `/v3/OS-INHERIT/${t}/{target}/${a}/{actor}/roles`;

function inheritRoutes(t: Target, a: Actors) {
  const what = `${a.slice(0, -1)} on a ${t.slice(0, -1)}, inherited by its projects`;
  const one = `${base(t, a)}/{role}/inherited_to_projects`;
  return {
    list: createRoute({ method: 'get', path: `${base(t, a)}/inherited_to_projects`, tags, summary: `List the inherited roles of a ${what}`, request: { params: P.grants }, responses: { 200: json(listOf('roles'), 'Roles') } }),
    put: createRoute({ method: 'put', path: one, tags, summary: `Grant an inherited role to a ${what}`, request: { params: P.grant }, responses: { 204: noContent } }),
    head: createRoute({ method: 'head', path: one, tags, summary: `Check an inherited role of a ${what}`, request: { params: P.grant }, responses: { 204: noContent } }),
    get: createRoute({ method: 'get', path: one, tags, summary: `Check an inherited role of a ${what}`, request: { params: P.grant }, responses: { 204: noContent } }),
    del: createRoute({ method: 'delete', path: one, tags, summary: `Revoke an inherited role from a ${what}`, request: { params: P.grant }, responses: { 204: noContent } }),
  };
}

const missing = (role: string, type: string, actor: string) => notFound(`Could not find role assignment with role: ${role}, ${type}: ${actor}, inherited_to_projects.`);

function register(app: ReturnType<typeof router>, t: Target, a: Actors) {
  const r = inheritRoutes(t, a);
  const check = async (c: Context<GatewayEnv>, p: { target: string; actor: string; role: string }) => {
    const { id, role, scope, type } = await adminGrant(c, t, a, 'identity:check_grant', p);
    if (!(await id.assignments.checkInherited(scope, role, type, p.actor))) throw missing(role.id, type, p.actor);
    return c.body(null, 204);
  };
  app
    .openapi(r.put, async (c) => {
      const p = c.req.valid('param');
      const { id, role, scope, type } = await adminGrant(c, t, a, 'identity:create_grant', p);
      await id.assignments.grantInherited(scope, role, type, p.actor);
      return c.body(null, 204);
    })
    .openapi(r.head, async (c) => check(c, c.req.valid('param')))
    .openapi(r.get, async (c) => check(c, c.req.valid('param')))
    .openapi(r.del, async (c) => {
      const p = c.req.valid('param');
      const { id, role, scope, type } = await adminGrant(c, t, a, 'identity:revoke_grant', p);
      if (!(await id.assignments.revokeInherited(scope, role, type, p.actor))) throw missing(role.id, type, p.actor);
      // Tokens carry roles: end those scoped to the projects the role held on.
      const users = type === 'user' ? [p.actor] : (await id.users.list({ groupId: p.actor })).map((u) => u.id);
      const projects = 'domainId' in scope ? (await id.projects.list(scope.domainId)).map((x) => x.id) : [];
      for (const u of users) for (const project of projects) await id.revocations.revokeUserOn(u, project);
      return c.body(null, 204);
    });
  // Keystone lists inherited roles on domains only.
  if (t === 'domains') {
    app.openapi(r.list, async (c) => {
      const id = idn(c);
      requireAdmin(authOf(c), 'identity:list_grants');
      const p = c.req.valid('param');
      const { scope, type } = await resolveGrant(id, t, a, p);
      const found = (await id.assignments.listInherited(scope)).filter((x) => x.actor.type === type && x.actor.id === p.actor);
      return c.json(listBody(c, 'roles', [...new Map(found.map((x) => [x.role.id, x.role])).values()].map((x) => roleView(v3Of(c), x))), 200);
    });
  }
}

export const inheritedRoleRoutes = router();
for (const t of ['domains', 'projects'] as const) for (const a of ['users', 'groups'] as const) register(inheritedRoleRoutes, t, a);
