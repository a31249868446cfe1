import { createRoute, z } from '@hono/zod-openapi';
import { Flavors } from '../../src/compute/flavors.ts';
import { tenantUsages, parseUsageTime } from '../../src/compute/usage.ts';
import { Servers } from '../../src/compute/server-store.ts';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import { type Ctx, authOf, namespaceOf, queryOf, requireAdmin, router } from './common.ts';
import { AnyObject, Query, json } from './schemas/common.ts';

// /os-simple-tenant-usage: usage of the servers that exist now (src/compute/usage.ts); every
// project's for admins, one project's for its members and admins.

const tags = ['compute: usage'];
const UsageQuery = Query({ start: z.string().optional(), end: z.string().optional(), detailed: z.string().optional() });
const listRoute = createRoute({ method: 'get', path: '/os-simple-tenant-usage', tags, summary: "Every project's usage (admin)", request: { query: UsageQuery }, responses: { 200: json(z.object({ tenant_usages: z.array(AnyObject) }), 'Usage') } });
const showRoute = createRoute({
  method: 'get',
  path: '/os-simple-tenant-usage/{tenant_id}',
  tags,
  summary: "A project's usage",
  request: { params: z.object({ tenant_id: z.string().min(1) }), query: UsageQuery },
  responses: { 200: json(z.object({ tenant_usage: AnyObject }), 'Usage') },
});

function period(c: Ctx): { start: number; stop: number; now: number } {
  const q = queryOf(c);
  const now = Date.now();
  const start = parseUsageTime(q.get('start'), now);
  const stop = parseUsageTime(q.get('end'), now);
  if (!(start < stop)) throw badRequest('Invalid start time. The start time cannot occur after the end time.');
  return { start, stop, now };
}

const flavorsOf = async (c: Ctx) => new Map((await new Flavors(c.get('region').kube).list()).map((f) => [f.id, f]));

export const usageRoutes = router()
  .openapi(listRoute, async (c) => {
    // `/os-simple-tenant-usage/` names a project with an empty id: Nova's router finds none.
    if (new URL(c.req.url).pathname.endsWith('/')) throw notFound('The resource could not be found.');
    requireAdmin(authOf(c), 'os_compute_api:os-simple-tenant-usage:list');
    const { start, stop, now } = period(c);
    const [servers, flavors] = await Promise.all([new Servers(authOf(c).kube, c.get('region').kube).list({ all: true }), flavorsOf(c)]);
    return c.json({ tenant_usages: tenantUsages(servers, flavors, start, stop, now, queryOf(c).get('detailed') === '1') }, 200);
  })
  .openapi(showRoute, async (c) => {
    const auth = authOf(c);
    const { tenant_id } = c.req.valid('param');
    if (!auth.isAdmin && tenant_id !== auth.projectId) throw forbidden("Policy doesn't allow os_compute_api:os-simple-tenant-usage:show to be performed.");
    const { start, stop, now } = period(c);
    const namespace = await namespaceOf(c, tenant_id);
    // An unknown project has no usage: Nova answers an empty object.
    if (!namespace) return c.json({ tenant_usage: {} }, 200);
    const [servers, flavors] = await Promise.all([new Servers(auth.kube, c.get('region').kube).list({ namespace }), flavorsOf(c)]);
    const usage = tenantUsages(servers, flavors, start, stop, now, true).find((u) => u.tenant_id === tenant_id);
    return c.json({ tenant_usage: usage ?? {} }, 200);
  });
