import { createRoute, z } from '@hono/zod-openapi';
import { Flavors } from '../../src/compute/flavors.ts';
import { hostResources } from '../../src/compute/hosts.ts';
import type { KubeNode } from '../../src/compute/model.ts';
import { Servers } from '../../src/compute/server-store.ts';
import { forgetNodes, listNodes, zoneOfNode } from '../../src/compute/zones.ts';
import { notFound, notImplemented } from '../../src/core/faults.ts';
import { R } from '../../src/kube/index.ts';
import { type Ctx, authOf, queryOf, requireAdmin, router, versionOf } from './common.ts';
import { AnyObject, Query, body, json } from './schemas/common.ts';

// /os-hosts (admins; removed in 2.43): Nodes as compute hosts. Enabling or disabling a host
// cordons or uncordons its Node; maintenance mode and power actions are not the compute API's
// to take on a Kubernetes node (501, as Nova's drivers without them answer).

const tags = ['compute: infrastructure'];
const HostParam = z.object({ host_name: z.string().min(1) });
const PowerParam = HostParam.extend({ action: z.enum(['startup', 'shutdown', 'reboot']) });
const Toggle = z.enum(['enable', 'disable']);
const UpdateBody = z.strictObject({ status: Toggle.optional(), maintenance_mode: Toggle.optional() }).refine((b) => Object.keys(b).length > 0, { message: 'status or maintenance_mode is required' });

const listRoute = createRoute({ method: 'get', path: '/os-hosts', tags, summary: 'List hosts (admin, up to 2.42)', request: { query: Query({ zone: z.string().optional() }) }, responses: { 200: json(z.object({ hosts: z.array(AnyObject) }), 'Hosts') } });
const showRoute = createRoute({ method: 'get', path: '/os-hosts/{host_name}', tags, summary: "A host's resources (admin, up to 2.42)", request: { params: HostParam }, responses: { 200: json(z.object({ host: z.array(AnyObject) }), 'Resources') } });
const updateRoute = createRoute({ method: 'put', path: '/os-hosts/{host_name}', tags, summary: 'Enable or disable a host: cordon its Node (admin, up to 2.42)', request: { params: HostParam, ...body(UpdateBody) }, responses: { 200: json(AnyObject, 'Host') } });
const powerRoute = createRoute({ method: 'get', path: '/os-hosts/{host_name}/{action}', tags, summary: 'Host power actions (not available: 501)', request: { params: PowerParam }, responses: { 501: { description: 'Not implemented' } } });

function check(c: Ctx, rule: string): void {
  if (versionOf(c).atLeast('2.43')) throw notFound('The resource could not be found.');
  requireAdmin(authOf(c), `os_compute_api:os-hosts:${rule}`);
}

async function requireNode(c: Ctx, host: string): Promise<KubeNode> {
  const node = (await listNodes(c.get('region').kube)).find((n) => n.metadata.name === host);
  if (!node) throw notFound(`Compute host ${host} could not be found.`);
  return node;
}

export const hostRoutes = router()
  .openapi(listRoute, async (c) => {
    check(c, 'list');
    const zone = queryOf(c).get('zone');
    const nodes = (await listNodes(c.get('region').kube)).filter((n) => !zone || zoneOfNode(n) === zone);
    const hosts = nodes.map((n) => ({ host_name: n.metadata.name ?? '', service: 'compute', zone: zoneOfNode(n) })).sort((a, b) => a.host_name.localeCompare(b.host_name));
    return c.json({ hosts }, 200);
  })
  .openapi(showRoute, async (c) => {
    check(c, 'show');
    const node = await requireNode(c, c.req.valid('param').host_name);
    const [servers, flavors] = await Promise.all([new Servers(authOf(c).kube, c.get('region').kube).list({ all: true }), new Flavors(c.get('region').kube).list()]);
    return c.json({ host: hostResources(node, servers, new Map(flavors.map((f) => [f.id, f]))) }, 200);
  })
  .openapi(updateRoute, async (c) => {
    check(c, 'update');
    const name = c.req.valid('param').host_name;
    const req = c.req.valid('json');
    await requireNode(c, name);
    if (req.maintenance_mode !== undefined) throw notImplemented('Maintenance mode is not available: drain the Kubernetes node instead.');
    const unschedulable = req.status === 'disable';
    await authOf(c).kube.patch(R.nodes, name, { spec: { unschedulable: unschedulable || null } }, { type: 'merge' });
    forgetNodes(c.get('region').kube);
    return c.json({ host: name, status: unschedulable ? 'disabled' : 'enabled' }, 200);
  })
  .openapi(powerRoute, async (c) => {
    const { host_name, action } = c.req.valid('param');
    check(c, action);
    await requireNode(c, host_name);
    throw notImplemented(`Host ${action} is not available: Kubernetes nodes are powered outside the compute API.`);
  });

