import { createRoute } from '@hono/zod-openapi';
import { Flavors } from '../../src/compute/flavors.ts';
import { keypairStore } from './keypairs.ts';
import { QUOTA_KEYS, type QuotaKey, type Quotas, deleteQuotas, readQuotas, usageOf, writeQuotas } from '../../src/compute/quotas.ts';
import { ServerGroups } from '../../src/compute/server-groups.ts';
import { Servers } from '../../src/compute/server-store.ts';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import type { ApiVersion } from '../../src/core/microversion.ts';
import { type Ctx, authOf, callerNamespace, checkQuery, namespaceOf, requireAdmin, router, versionOf } from './common.ts';
import { body, json, accepted } from './schemas/common.ts';
import { Limits, LimitsQuery, ProjectParam, QuotaClassBody, QuotaClassParam, QuotaClassSet, QuotaQuery, QuotaSet, QuotaUpdateBody } from './schemas/misc.ts';
import { DEFAULT_CLASS, quotaDefaults, writeQuotaDefaults } from '../../src/compute/quota-classes.ts';

// /limits and /os-quota-sets: quotas are the project's ResourceQuota (src/compute/quotas.ts),
// usage is counted from the project's servers.

const tags = ['compute: quotas'];
const limitsRoute = createRoute({ method: 'get', path: '/limits', tags, summary: 'Show rate and absolute limits', request: { query: LimitsQuery }, responses: { 200: json(Limits, 'Limits') } });
const showRoute = createRoute({ method: 'get', path: '/os-quota-sets/{project_id}', tags, summary: 'Show a quota set', request: { params: ProjectParam, query: QuotaQuery }, responses: { 200: json(QuotaSet, 'Quota set') } });
const detailRoute = createRoute({ method: 'get', path: '/os-quota-sets/{project_id}/detail', tags, summary: 'Show quota usage', request: { params: ProjectParam }, responses: { 200: json(QuotaSet, 'Quota set with usage') } });
const defaultsRoute = createRoute({ method: 'get', path: '/os-quota-sets/{project_id}/defaults', tags, summary: 'Default quotas', request: { params: ProjectParam }, responses: { 200: json(QuotaSet, 'Defaults') } });
const updateRoute = createRoute({ method: 'put', path: '/os-quota-sets/{project_id}', tags, summary: 'Update quotas (admin)', request: { params: ProjectParam, ...body(QuotaUpdateBody) }, responses: { 200: json(QuotaSet, 'Quota set') } });
const classShowRoute = createRoute({ method: 'get', path: '/os-quota-class-sets/{id}', tags, summary: 'Show a quota class (admin; `default` is the default quotas)', request: { params: QuotaClassParam }, responses: { 200: json(QuotaClassSet, 'Quota class') } });
const classUpdateRoute = createRoute({ method: 'put', path: '/os-quota-class-sets/{id}', tags, summary: 'Update the default quota class (admin)', request: { params: QuotaClassParam, ...body(QuotaClassBody) }, responses: { 200: json(QuotaClassSet, 'Quota class') } });
const deleteRoute = createRoute({ method: 'delete', path: '/os-quota-sets/{project_id}', tags, summary: 'Revert quotas to defaults (admin)', request: { params: ProjectParam }, responses: { 202: accepted } });

/** The quota keys a version shows (2.36 drops the network proxies, 2.57 injected files). */
function keysFor(v: ApiVersion): QuotaKey[] {
  return QUOTA_KEYS.filter((k) => {
    if (v.atLeast('2.36') && ['fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules'].includes(k)) return false;
    if (v.atLeast('2.57') && k.startsWith('injected_file')) return false;
    return true;
  });
}

async function projectNamespace(c: Ctx, projectId: string): Promise<string> {
  const auth = authOf(c);
  if (!auth.isAdmin && auth.projectId !== projectId) throw forbidden("Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.");
  const ns = await namespaceOf(c, projectId);
  if (!ns) throw notFound(`Project ${projectId} could not be found.`);
  return ns;
}

async function usage(c: Ctx, namespace: string) {
  const region = c.get('region').kube;
  const [servers, flavors, groups, keypairs] = await Promise.all([
    new Servers(authOf(c).kube, region).list({ namespace }),
    new Flavors(region).list(),
    new ServerGroups(authOf(c).kube).list(namespace),
    keypairStore(c).list(authOf(c).userId),
  ]);
  return { ...usageOf(servers, new Map(flavors.map((f) => [f.id, f]))), server_groups: groups.length, key_pairs: keypairs.length };
}

/** A quota class's keys: before 2.50 the network ones and no server groups; 2.57 drops injected files. */
function classKeysFor(v: ApiVersion): QuotaKey[] {
  return QUOTA_KEYS.filter((k) => {
    if (!v.atLeast('2.50')) return !k.startsWith('server_group');
    if (['fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules'].includes(k)) return false;
    return !(v.atLeast('2.57') && k.startsWith('injected_file'));
  });
}
const classView = (q: Quotas, v: ApiVersion) => Object.fromEntries(classKeysFor(v).map((k) => [k, q[k]]));

const view = (q: Quotas, v: ApiVersion) => Object.fromEntries(keysFor(v).map((k) => [k, q[k]]));

export const limitsRoutes = router()
  .openapi(limitsRoute, async (c) => {
    checkQuery(c, LimitsQuery);
    const v = versionOf(c);
    const auth = authOf(c);
    const tenant = c.req.valid('query').tenant_id;
    const ns = tenant && auth.isAdmin ? await projectNamespace(c, tenant) : await callerNamespace(c);
    const [q, u] = await Promise.all([readQuotas(auth.kube, ns, quotaDefaults(c.get('region').kube)), usage(c, ns)]);
    const absolute: Record<string, number> = {
      maxTotalInstances: q.instances,
      maxTotalCores: q.cores,
      maxTotalRAMSize: q.ram,
      maxServerMeta: q.metadata_items,
      maxImageMeta: q.metadata_items,
      maxPersonality: q.injected_files,
      maxPersonalitySize: q.injected_file_content_bytes,
      maxTotalKeypairs: q.key_pairs,
      maxServerGroups: q.server_groups,
      maxServerGroupMembers: q.server_group_members,
      maxSecurityGroups: q.security_groups,
      maxSecurityGroupRules: q.security_group_rules,
      maxTotalFloatingIps: q.floating_ips,
      totalInstancesUsed: u.instances,
      totalCoresUsed: u.cores,
      totalRAMUsed: u.ram,
      totalServerGroupsUsed: u.server_groups,
      totalFloatingIpsUsed: 0,
      totalSecurityGroupsUsed: 0,
    };
    if (v.atLeast('2.36')) for (const k of ['maxSecurityGroups', 'maxSecurityGroupRules', 'maxTotalFloatingIps', 'totalFloatingIpsUsed', 'totalSecurityGroupsUsed']) delete absolute[k];
    if (v.atLeast('2.57')) for (const k of ['maxPersonality', 'maxPersonalitySize']) delete absolute[k];
    return c.json({ limits: { rate: [], absolute } }, 200);
  })
  .openapi(defaultsRoute, async (c) => {
    const { project_id } = c.req.valid('param');
    return c.json({ quota_set: { id: project_id, ...view(await quotaDefaults(c.get('region').kube), versionOf(c)) } }, 200);
  })
  .openapi(detailRoute, async (c) => {
    checkQuery(c, QuotaQuery);
    const { project_id } = c.req.valid('param');
    const ns = await projectNamespace(c, project_id);
    const [q, u] = await Promise.all([readQuotas(authOf(c).kube, ns, quotaDefaults(c.get('region').kube)), usage(c, ns)]);
    const used = (k: QuotaKey) => (k in u ? (u as Record<string, number>)[k] ?? 0 : 0);
    const detail = Object.fromEntries(keysFor(versionOf(c)).map((k) => [k, { in_use: used(k), limit: q[k], reserved: 0 }]));
    return c.json({ quota_set: { id: project_id, ...detail } }, 200);
  })
  .openapi(showRoute, async (c) => {
    checkQuery(c, QuotaQuery);
    const { project_id } = c.req.valid('param');
    const ns = await projectNamespace(c, project_id);
    return c.json({ quota_set: { id: project_id, ...view(await readQuotas(authOf(c).kube, ns, quotaDefaults(c.get('region').kube)), versionOf(c)) } }, 200);
  })
  .openapi(updateRoute, async (c) => {
    checkQuery(c, QuotaQuery);
    const auth = authOf(c);
    requireAdmin(auth, 'os_compute_api:os-quota-sets:update');
    const { project_id } = c.req.valid('param');
    const ns = await projectNamespace(c, project_id);
    const { quota_set: req } = c.req.valid('json');
    const current = await readQuotas(auth.kube, ns, quotaDefaults(c.get('region').kube));
    const next: Quotas = { ...current };
    for (const k of QUOTA_KEYS) if (typeof req[k] === 'number') next[k] = req[k] as number;
    await writeQuotas(auth.kube, ns, next);
    return c.json({ quota_set: view(next, versionOf(c)) }, 200);
  })
  .openapi(classShowRoute, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-quota-class-sets:show');
    // Classes other than `default` are unused (as in Nova): they show the defaults.
    return c.json({ quota_class_set: { id: c.req.valid('param').id, ...classView(await quotaDefaults(c.get('region').kube), versionOf(c)) } }, 200);
  })
  .openapi(classUpdateRoute, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-quota-class-sets:update');
    const { id } = c.req.valid('param');
    if (id !== DEFAULT_CLASS) throw badRequest(`Only the ${DEFAULT_CLASS} quota class is kept: quota class ${id} would never be used.`);
    const v = versionOf(c);
    const allowed = new Set<string>(classKeysFor(v));
    const req = c.req.valid('json').quota_class_set;
    const unexpected = Object.keys(req).filter((k) => !allowed.has(k));
    if (unexpected.length) throw badRequest(`Invalid input for field/attribute quota_class_set. Value: ${JSON.stringify(req)}. Additional properties are not allowed (${unexpected.map((k) => `'${k}'`).join(', ')} ${unexpected.length === 1 ? 'was' : 'were'} unexpected)`);
    const gw = c.get('region').kube;
    const next = await writeQuotaDefaults(gw, { ...(await quotaDefaults(gw)), ...(req as Partial<Quotas>) });
    return c.json({ quota_class_set: classView(next, v) }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    checkQuery(c, QuotaQuery);
    const auth = authOf(c);
    requireAdmin(auth, 'os_compute_api:os-quota-sets:delete');
    const ns = await projectNamespace(c, c.req.valid('param').project_id);
    await deleteQuotas(auth.kube, ns);
    return c.body(null, 202);
  });
