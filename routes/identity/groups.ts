import { createRoute, type z } from '@hono/zod-openapi';
import { notFound } from '../../src/core/faults.ts';
import type { GroupRecord } from '../../src/identity/model.ts';
import { requireAdmin } from '../../src/identity/policy.ts';
import type { Identity } from '../../src/identity/service.ts';
import { groupView, userView } from '../../src/identity/views.ts';
import { authOf, idn, listBody, router, v3Of } from './common.ts';
import { GroupCreate, GroupUpdate, NameQuery, P, json, listOf, noContent, oneOf } from './schemas.ts';
import { removeGroup } from '../../src/identity/removal.ts';

// /v3/groups: ConfigMaps in dicot-system; membership is a label on the user's Secret, and
// the group becomes a Kubernetes group (`dicot:group:<id>`) in the user's impersonation.

const tags = ['identity'];
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const Group = oneOf('group');

const list = createRoute({ method: 'get', path: '/v3/groups', tags, summary: 'List groups', request: { query: NameQuery }, responses: { 200: json(listOf('groups'), 'Groups') } });
const create = createRoute({ method: 'post', path: '/v3/groups', tags, summary: 'Create a group', request: body(GroupCreate), responses: { 201: json(Group, 'Created') } });
const show = createRoute({ method: 'get', path: '/v3/groups/{id}', tags, summary: 'Show a group', request: { params: P.id }, responses: { 200: json(Group, 'Group') } });
const update = createRoute({ method: 'patch', path: '/v3/groups/{id}', tags, summary: 'Update a group', request: { params: P.id, ...body(GroupUpdate) }, responses: { 200: json(Group, 'Updated') } });
const remove = createRoute({ method: 'delete', path: '/v3/groups/{id}', tags, summary: 'Delete a group', request: { params: P.id }, responses: { 204: noContent } });
const members = createRoute({ method: 'get', path: '/v3/groups/{id}/users', tags, summary: 'List group members', request: { params: P.id }, responses: { 200: json(listOf('users'), 'Users') } });
const add = createRoute({ method: 'put', path: '/v3/groups/{id}/users/{user_id}', tags, summary: 'Add a user to a group', request: { params: P.member }, responses: { 204: noContent } });
const check = createRoute({ method: 'head', path: '/v3/groups/{id}/users/{user_id}', tags, summary: 'Check membership', request: { params: P.member }, responses: { 204: noContent } });
const checkGet = createRoute({ method: 'get', path: '/v3/groups/{id}/users/{user_id}', tags, summary: 'Check membership', request: { params: P.member }, responses: { 204: noContent } });
const drop = createRoute({ method: 'delete', path: '/v3/groups/{id}/users/{user_id}', tags, summary: 'Remove a user from a group', request: { params: P.member }, responses: { 204: noContent } });

async function getGroup(id: Identity, groupId: string): Promise<GroupRecord> {
  const g = await id.groups.get(groupId);
  if (!g) throw notFound(`Could not find group: ${groupId}.`);
  return g;
}

async function membership(id: Identity, groupId: string, userId: string) {
  const g = await getGroup(id, groupId);
  const u = await id.users.get(userId);
  if (!u) throw notFound(`Could not find user: ${userId}.`);
  return { g, u };
}

export const groupRoutes = router()
  .openapi(list, async (c) => {
    requireAdmin(authOf(c), 'identity:list_groups');
    const q = c.req.valid('query');
    let items = await idn(c).groups.list(q.domain_id);
    if (q.name !== undefined) items = items.filter((g) => g.name === q.name);
    return c.json(listBody(c, 'groups', items.map((g) => groupView(v3Of(c), g))), 200);
  })
  .openapi(create, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'identity:create_group');
    const id = idn(c);
    const g = c.req.valid('json').group;
    const domainId = g.domain_id ?? auth.claims.project?.domain.id ?? 'default';
    if (!(await id.domains.get(domainId))) throw notFound(`Could not find domain: ${domainId}.`);
    await id.ensureSystemNamespace();
    const out = await id.groups.create({ name: g.name, domainId, description: g.description });
    return c.json({ group: groupView(v3Of(c), out) }, 201);
  })
  .openapi(show, async (c) => {
    requireAdmin(authOf(c), 'identity:get_group');
    return c.json({ group: groupView(v3Of(c), await getGroup(idn(c), c.req.valid('param').id)) }, 200);
  })
  .openapi(update, async (c) => {
    requireAdmin(authOf(c), 'identity:update_group');
    const id = idn(c);
    const g = await getGroup(id, c.req.valid('param').id);
    return c.json({ group: groupView(v3Of(c), await id.groups.update(g, c.req.valid('json').group)) }, 200);
  })
  .openapi(remove, async (c) => {
    requireAdmin(authOf(c), 'identity:delete_group');
    const id = idn(c);
    const g = await getGroup(id, c.req.valid('param').id);
    await removeGroup(id, g);
    return c.body(null, 204);
  })
  .openapi(members, async (c) => {
    requireAdmin(authOf(c), 'identity:list_users_in_group');
    const id = idn(c);
    const g = await getGroup(id, c.req.valid('param').id);
    const users = await id.users.list({ groupId: g.id });
    return c.json(listBody(c, 'users', users.map((u) => userView(v3Of(c), u))), 200);
  })
  .openapi(add, async (c) => {
    requireAdmin(authOf(c), 'identity:add_user_to_group');
    const id = idn(c);
    const p = c.req.valid('param');
    const { g, u } = await membership(id, p.id, p.user_id);
    await id.users.setGroup(u, g.id, true);
    return c.body(null, 204);
  })
  .openapi(check, async (c) => {
    requireAdmin(authOf(c), 'identity:check_user_in_group');
    const p = c.req.valid('param');
    const { g, u } = await membership(idn(c), p.id, p.user_id);
    if (!u.groups.includes(g.id)) throw notFound(`User ${u.id} is not a member of group ${g.id}.`);
    return c.body(null, 204);
  })
  .openapi(checkGet, async (c) => {
    requireAdmin(authOf(c), 'identity:check_user_in_group');
    const p = c.req.valid('param');
    const { g, u } = await membership(idn(c), p.id, p.user_id);
    if (!u.groups.includes(g.id)) throw notFound(`User ${u.id} is not a member of group ${g.id}.`);
    return c.body(null, 204);
  })
  .openapi(drop, async (c) => {
    requireAdmin(authOf(c), 'identity:remove_user_from_group');
    const id = idn(c);
    const p = c.req.valid('param');
    const { g, u } = await membership(id, p.id, p.user_id);
    if (!u.groups.includes(g.id)) throw notFound(`User ${u.id} is not a member of group ${g.id}.`);
    await id.users.setGroup(u, g.id, false);
    // The group is in the user's tokens (and Kubernetes impersonation): end them.
    await id.revocations.revokeUser(u.id);
    return c.body(null, 204);
  });
