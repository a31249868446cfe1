import { createRoute } from '@hono/zod-openapi';
import { ApiFault, badRequest, notFound } from '../../src/core/faults.ts';
import { netContext } from '../../src/network/context.ts';
import { type GroupRec, type Rule, createGroup, createRule, deleteGroup, deleteRule, ensureDefaultGroup, findGroups, updateGroup, visibleGroup } from '../../src/network/security-groups.ts';
import { groupUsedByServers } from '../../src/network/server-use.ts';
import { KINDS } from '../../src/network/store.ts';
import type { PortAttrs } from '../../src/network/ports.ts';
import { type Ctx, router, versionOf } from './common.ts';
import { accepted, body, IdParam, json, ServerIdParam } from './schemas/common.ts';
import { NovaGroupCreate, NovaRuleBody, NovaRuleCreate, NovaSecurityGroupBody, NovaSecurityGroupList } from './schemas/security-groups.ts';
import { serverStore } from './server-common.ts';
import { authOf, callerNamespace } from './common.ts';
import { UUID } from '../../src/core/names.ts';

// Nova's os-security-groups proxy (up to 2.35): the Neutron security groups of the network
// service in Nova's shape. Only ingress rules are shown, as Nova shows them; Neutron's
// conflicts (the default group, a group in use) are Nova's 400.

const tags = ['compute: security groups'];
const list = createRoute({ method: 'get', path: '/os-security-groups', tags, summary: 'List security groups', responses: { 200: json(NovaSecurityGroupList, 'Security groups') } });
const create = createRoute({ method: 'post', path: '/os-security-groups', tags, summary: 'Create a security group', request: body(NovaGroupCreate), responses: { 200: json(NovaSecurityGroupBody, 'Security group') } });
const show = createRoute({ method: 'get', path: '/os-security-groups/{id}', tags, summary: 'Show a security group', request: { params: IdParam }, responses: { 200: json(NovaSecurityGroupBody, 'Security group') } });
const update = createRoute({ method: 'put', path: '/os-security-groups/{id}', tags, summary: 'Update a security group', request: { params: IdParam, ...body(NovaGroupCreate) }, responses: { 200: json(NovaSecurityGroupBody, 'Security group') } });
const remove = createRoute({ method: 'delete', path: '/os-security-groups/{id}', tags, summary: 'Delete a security group', request: { params: IdParam }, responses: { 202: accepted } });
const ruleCreate = createRoute({ method: 'post', path: '/os-security-group-rules', tags, summary: 'Create a security group rule', request: body(NovaRuleCreate), responses: { 200: json(NovaRuleBody, 'Rule') } });
const ruleDelete = createRoute({ method: 'delete', path: '/os-security-group-rules/{id}', tags, summary: 'Delete a security group rule', request: { params: IdParam }, responses: { 202: accepted } });
// DELETE /os-security-groups/ (no id): Nova answers 404, not 405.
const removeNoId = createRoute({ method: 'delete', path: '/os-security-groups', tags, summary: 'Delete without an id (404)', responses: { 404: { description: 'Not found' } } });
const byServer = createRoute({ method: 'get', path: '/servers/{server_id}/os-security-groups', tags, summary: 'List the security groups of a server', request: { params: ServerIdParam }, responses: { 200: json(NovaSecurityGroupList, 'Security groups') } });

function ruleView(g: GroupRec, r: Rule, names: Map<string, GroupRec>) {
  const remote = r.remote_group_id ? names.get(r.remote_group_id) : undefined;
  return {
    id: r.id,
    parent_group_id: g.id,
    ip_protocol: r.protocol,
    from_port: r.port_range_min ?? (r.protocol ? -1 : null),
    to_port: r.port_range_max ?? (r.protocol ? -1 : null),
    ip_range: r.remote_group_id ? {} : { cidr: r.remote_ip_prefix ?? (r.ethertype === 'IPv6' ? '::/0' : '0.0.0.0/0') },
    group: remote ? { name: remote.attrs.name, tenant_id: remote.projectId } : {},
  };
}

function groupView(g: GroupRec, all: GroupRec[]) {
  const byId = new Map(all.map((x) => [x.id, x]));
  return {
    id: g.id,
    name: g.attrs.name,
    tenant_id: g.projectId,
    description: g.attrs.description ?? '',
    rules: (g.attrs.rules ?? []).filter((r) => r.direction === 'ingress').map((r) => ruleView(g, r, byId)),
  };
}

/** The proxy ended at 2.36 (Nova answers 404 from then on). */
function proxyVersion(c: Ctx) {
  if (versionOf(c).atLeast('2.36')) throw notFound('The resource could not be found.');
}

/** Neutron's 409 conflicts are Nova's 400; its 404s keep Nova's wording. */
async function nova<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiFault && err.status === 409) throw badRequest(err.message);
    if (err instanceof ApiFault && err.status === 404) throw notFound(err.message);
    throw err;
  }
}

const inUse = (c: Ctx) => async (g: GroupRec) => {
  const ctx = netContext(c);
  if ((await ctx.store.list<PortAttrs>(KINDS.port)).some((p) => p.attrs.security_groups?.includes(g.id))) return true;
  return groupUsedByServers(ctx, g);
};

const mine = async (c: Ctx) => {
  const ctx = netContext(c);
  if (ctx.caller.projectId) await ensureDefaultGroup(ctx, ctx.caller.projectId);
  const all = await findGroups(ctx);
  return { all, visible: all.filter((g) => ctx.caller.isAdmin || g.projectId === ctx.caller.projectId) };
};

export const securityGroupRoutes = router()
  .openapi(list, async (c) => {
    proxyVersion(c);
    const { all, visible } = await mine(c);
    const own = visible.filter((g) => g.projectId === authOf(c).projectId || new URL(c.req.url).searchParams.get('all_tenants'));
    return c.json({ security_groups: own.map((g) => groupView(g, all)) }, 200);
  })
  .openapi(create, async (c) => {
    proxyVersion(c);
    const { security_group: b } = c.req.valid('json');
    const g = await nova(() => createGroup(netContext(c), { name: b.name, description: b.description }));
    return c.json({ security_group: groupView(g, [g]) }, 200);
  })
  .openapi(show, async (c) => {
    proxyVersion(c);
    const ctx = netContext(c);
    const g = await nova(() => visibleGroup(ctx, c.req.valid('param').id));
    return c.json({ security_group: groupView(g, await findGroups(ctx)) }, 200);
  })
  .openapi(update, async (c) => {
    proxyVersion(c);
    const { security_group: b } = c.req.valid('json');
    const ctx = netContext(c);
    const g = await nova(() => updateGroup(ctx, c.req.valid('param').id, { name: b.name, description: b.description }));
    return c.json({ security_group: groupView(g, await findGroups(ctx)) }, 200);
  })
  .openapi(remove, async (c) => {
    proxyVersion(c);
    const ctx = netContext(c);
    const id = c.req.valid('param').id;
    const used = inUse(c);
    await nova(() => deleteGroup(ctx, id, async () => used(await visibleGroup(ctx, id))));
    return c.body(null, 202);
  })
  .openapi(removeNoId, () => {
    throw notFound('Security group id is required.');
  })
  .openapi(ruleCreate, async (c) => {
    proxyVersion(c);
    const { security_group_rule: r } = c.req.valid('json');
    if (r.cidr && r.group_id) throw badRequest('Invalid input: give either cidr or group_id, not both.');
    // Neutron's group ids are UUIDs; Nova refuses anything else before asking.
    if (!UUID.test(r.parent_group_id)) throw badRequest('Invalid input received: Security group id should be uuid');
    const ctx = netContext(c);
    const proto = r.ip_protocol ?? null;
    const ports = proto && r.from_port !== -1 && r.from_port !== undefined && r.from_port !== null ? { port_range_min: r.from_port, port_range_max: r.to_port === -1 ? null : r.to_port } : {};
    const { group, rule } = await nova(() =>
      createRule(ctx, {
        security_group_id: r.parent_group_id,
        direction: 'ingress',
        ethertype: r.cidr?.includes(':') ? 'IPv6' : 'IPv4',
        protocol: proto,
        ...ports,
        ...(r.cidr ? { remote_ip_prefix: r.cidr } : {}),
        ...(r.group_id ? { remote_group_id: r.group_id } : {}),
      }),
    );
    return c.json({ security_group_rule: ruleView(group, rule, new Map((await findGroups(ctx)).map((g) => [g.id, g]))) }, 200);
  })
  .openapi(ruleDelete, async (c) => {
    proxyVersion(c);
    await nova(() => deleteRule(netContext(c), c.req.valid('param').id));
    return c.body(null, 202);
  })
  .openapi(byServer, async (c) => {
    proxyVersion(c);
    const ns = await callerNamespace(c);
    const auth = authOf(c);
    const s = await serverStore(c).require(auth.isAdmin ? { all: true } : { namespace: ns }, c.req.valid('param').server_id);
    const names = s.securityGroups;
    const { all } = await mine(c);
    const groups = all.filter((g) => g.namespace === s.namespace && (names.includes(g.attrs.name) || names.includes(g.id)));
    return c.json({ security_groups: groups.map((g) => groupView(g, all)) }, 200);
  });
