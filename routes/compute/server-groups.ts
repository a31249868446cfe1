import { createRoute } from '@hono/zod-openapi';
import { POLICIES, type Policy, type ServerGroup, ServerGroups } from '../../src/compute/server-groups.ts';
import { badRequest } from '../../src/core/faults.ts';
import type { ApiVersion } from '../../src/core/microversion.ts';
import { type Ctx, authOf, callerNamespace, checkQuery, queryOf, router, versionOf } from './common.ts';
import { IdParam, body, json, noContent } from './schemas/common.ts';
import { ServerGroupBody, ServerGroupCreateBody, ServerGroupList, ServerGroupQuery } from './schemas/misc.ts';

// /os-server-groups (nova server_groups.py). Members are servers created with the group as
// scheduler hint; the policy becomes pod (anti)affinity on their VM templates.

const tags = ['compute: server groups'];
const listRoute = createRoute({ method: 'get', path: '/os-server-groups', tags, summary: 'List server groups', request: { query: ServerGroupQuery }, responses: { 200: json(ServerGroupList, 'Server groups') } });
const createDef = createRoute({ method: 'post', path: '/os-server-groups', tags, summary: 'Create a server group', request: body(ServerGroupCreateBody), responses: { 200: json(ServerGroupBody, 'Server group') } });
const showRoute = createRoute({ method: 'get', path: '/os-server-groups/{id}', tags, summary: 'Show a server group', request: { params: IdParam }, responses: { 200: json(ServerGroupBody, 'Server group') } });
const deleteRoute = createRoute({ method: 'delete', path: '/os-server-groups/{id}', tags, summary: 'Delete a server group', request: { params: IdParam }, responses: { 204: noContent } });

function view(g: ServerGroup, v: ApiVersion) {
  const owner = v.atLeast('2.13') ? { project_id: g.projectId, user_id: g.userId } : {};
  if (v.atLeast('2.64')) return { id: g.id, name: g.name, policy: g.policy, rules: g.rules, members: g.members, ...owner };
  return { id: g.id, name: g.name, policies: [g.policy], members: g.members, metadata: {}, ...owner };
}

const store = (c: Ctx) => new ServerGroups(authOf(c).kube);
const scope = async (c: Ctx, all = false) => (all && authOf(c).isAdmin ? undefined : await callerNamespace(c));

export const serverGroupRoutes = router()
  .openapi(listRoute, async (c) => {
    checkQuery(c, ServerGroupQuery);
    const q = queryOf(c);
    const all = ['1', 'true', 'True'].includes(q.get('all_projects') ?? '');
    const groups = (await store(c).list(await scope(c, all))).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const offset = Number(q.get('offset') ?? 0) || 0;
    const limit = q.get('limit') === null ? undefined : Number(q.get('limit'));
    const page = groups.slice(offset, limit === undefined ? undefined : offset + limit);
    return c.json({ server_groups: page.map((g) => view(g, versionOf(c))) }, 200);
  })
  .openapi(createDef, async (c) => {
    const v = versionOf(c);
    const { server_group: req } = c.req.valid('json');
    let policy: string | undefined;
    let rules: Record<string, number> = {};
    if (v.atLeast('2.64')) {
      if (req.policies !== undefined || !req.policy) throw badRequest("Invalid input for field/attribute server_group. 'policy' is a required property");
      policy = req.policy;
      for (const [k, val] of Object.entries(req.rules ?? {})) {
        if (k !== 'max_server_per_host' || policy !== 'anti-affinity' || !/^\d+$/.test(String(val)) || Number(val) < 1) throw badRequest(`Invalid input for field/attribute rules: ${k}`);
        rules = { max_server_per_host: Number(val) };
      }
    } else {
      if (req.policy !== undefined || !req.policies) throw badRequest("Invalid input for field/attribute server_group. 'policies' is a required property");
      policy = req.policies[0];
    }
    const allowed: readonly string[] = v.atLeast('2.15') ? POLICIES : ['affinity', 'anti-affinity'];
    if (!policy || !allowed.includes(policy)) throw badRequest(`Invalid input for field/attribute policies. Value: ${policy}.`);
    const auth = authOf(c);
    const g = await store(c).create({ namespace: await callerNamespace(c), name: req.name, policy: policy as Policy, rules, projectId: auth.projectId ?? '', userId: auth.userId });
    return c.json({ server_group: view(g, v) }, 200);
  })
  .openapi(showRoute, async (c) => {
    const g = await store(c).require(await scope(c, true), c.req.valid('param').id);
    return c.json({ server_group: view(g, versionOf(c)) }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const s = store(c);
    await s.delete(await s.require(await scope(c, true), c.req.valid('param').id));
    return c.body(null, 204);
  });
