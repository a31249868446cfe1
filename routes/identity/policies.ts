import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../src/core/faults.ts';
import type { PolicyRecord } from '../../src/identity/policies.ts';
import { requireAdmin } from '../../src/identity/policy.ts';
import { policyView } from '../../src/identity/views.ts';
import { authOf, idn, listBody, router, v3Of } from './common.ts';
import { json, listOf, noContent, oneOf } from './schemas.ts';

// /v3/policies: Keystone's store of policy blobs (admins; src/identity/policies.ts).

const tags = ['identity'];
const Policy = oneOf('policy');
const Known = { type: z.string().min(1).max(255), blob: z.string() };
const PolicyCreate = z.object({ policy: z.looseObject(Known) });
const PolicyUpdate = z.object({ policy: z.looseObject({ type: Known.type.optional(), blob: Known.blob.optional() }) });
const IdParam = z.object({ id: z.string() });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const routes = {
  list: createRoute({ method: 'get', path: '/v3/policies', tags, summary: 'List policies (admin)', request: { query: z.object({ type: z.string().optional() }) }, responses: { 200: json(listOf('policies'), 'Policies') } }),
  create: createRoute({ method: 'post', path: '/v3/policies', tags, summary: 'Store a policy blob (admin)', request: body(PolicyCreate), responses: { 201: json(Policy, 'Created') } }),
  show: createRoute({ method: 'get', path: '/v3/policies/{id}', tags, summary: 'Show a policy (admin)', request: { params: IdParam }, responses: { 200: json(Policy, 'Policy') } }),
  update: createRoute({ method: 'patch', path: '/v3/policies/{id}', tags, summary: 'Update a policy (admin)', request: { params: IdParam, ...body(PolicyUpdate) }, responses: { 200: json(Policy, 'Updated') } }),
  remove: createRoute({ method: 'delete', path: '/v3/policies/{id}', tags, summary: 'Delete a policy (admin)', request: { params: IdParam }, responses: { 204: noContent } }),
};

/** The client's own attributes: what is neither a known field nor one Keystone sets. */
const extraOf = (b: Record<string, unknown>) => Object.fromEntries(Object.entries(b).filter(([k]) => !['id', 'type', 'blob', 'links'].includes(k)));

async function find(c: Parameters<typeof idn>[0], id: string): Promise<PolicyRecord> {
  const p = await idn(c).policies.get(id);
  if (!p) throw notFound(`Could not find policy: ${id}.`);
  return p;
}

export const policyRoutes = router()
  .openapi(routes.list, async (c) => {
    requireAdmin(authOf(c), 'identity:list_policies');
    const items = await idn(c).policies.list(c.req.valid('query'));
    return c.json(listBody(c, 'policies', items.map((p) => policyView(v3Of(c), p))), 200);
  })
  .openapi(routes.create, async (c) => {
    requireAdmin(authOf(c), 'identity:create_policy');
    const b = c.req.valid('json').policy;
    const p = await idn(c).policies.create({ type: b.type, blob: b.blob, extra: extraOf(b) });
    return c.json({ policy: policyView(v3Of(c), p) }, 201);
  })
  .openapi(routes.show, async (c) => {
    requireAdmin(authOf(c), 'identity:get_policy');
    return c.json({ policy: policyView(v3Of(c), await find(c, c.req.valid('param').id)) }, 200);
  })
  .openapi(routes.update, async (c) => {
    requireAdmin(authOf(c), 'identity:update_policy');
    const cur = await find(c, c.req.valid('param').id);
    const b = c.req.valid('json').policy;
    const next = await idn(c).policies.update(cur, { type: b.type ?? cur.type, blob: b.blob ?? cur.blob, extra: { ...cur.extra, ...extraOf(b) } });
    return c.json({ policy: policyView(v3Of(c), next) }, 200);
  })
  .openapi(routes.remove, async (c) => {
    requireAdmin(authOf(c), 'identity:delete_policy');
    const p = await find(c, c.req.valid('param').id);
    await idn(c).policies.delete(p);
    return c.body(null, 204);
  });
