import { createRoute, type z } from '@hono/zod-openapi';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import { DEFAULT_DOMAIN_ID, type DomainRecord } from '../../src/identity/model.ts';
import { requireAdmin } from '../../src/identity/policy.ts';
import type { Identity } from '../../src/identity/service.ts';
import { domainView } from '../../src/identity/views.ts';
import { authOf, boolFilter, idn, listBody, router, v3Of } from './common.ts';
import { DomainCreate, DomainUpdate, NameQuery, P, json, listOf, noContent, oneOf } from './schemas.ts';
import { removeDomainContents } from '../../src/identity/removal.ts';

// /v3/domains: `default` always exists; others are ConfigMaps in dicot-system.

const tags = ['identity'];
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const Domain = oneOf('domain');

const list = createRoute({ method: 'get', path: '/v3/domains', tags, summary: 'List domains', request: { query: NameQuery }, responses: { 200: json(listOf('domains'), 'Domains') } });
const create = createRoute({ method: 'post', path: '/v3/domains', tags, summary: 'Create a domain', request: body(DomainCreate), responses: { 201: json(Domain, 'Created') } });
const show = createRoute({ method: 'get', path: '/v3/domains/{id}', tags, summary: 'Show a domain', request: { params: P.id }, responses: { 200: json(Domain, 'Domain') } });
const update = createRoute({ method: 'patch', path: '/v3/domains/{id}', tags, summary: 'Update a domain', request: { params: P.id, ...body(DomainUpdate) }, responses: { 200: json(Domain, 'Updated') } });
const remove = createRoute({ method: 'delete', path: '/v3/domains/{id}', tags, summary: 'Delete a disabled domain', request: { params: P.id }, responses: { 204: noContent } });

async function getDomain(id: Identity, domainId: string): Promise<DomainRecord> {
  const d = await id.domains.get(domainId);
  if (!d) throw notFound(`Could not find domain: ${domainId}.`);
  return d;
}

export const domainRoutes = router()
  .openapi(list, async (c) => {
    const auth = authOf(c);
    const q = c.req.valid('query');
    let items = await idn(c).domains.list();
    // Non-admins see the domains their token involves (Keystone: identity:list_domains).
    if (!auth.isAdmin) {
      const mine = new Set([auth.claims.user.domain.id, auth.claims.project?.domain.id, auth.domainId].filter(Boolean));
      items = items.filter((d) => mine.has(d.id));
    }
    const enabled = boolFilter(q.enabled);
    if (q.name !== undefined) items = items.filter((d) => d.name === q.name);
    if (enabled !== undefined) items = items.filter((d) => d.enabled === enabled);
    return c.json(listBody(c, 'domains', items.map((d) => domainView(v3Of(c), d))), 200);
  })
  .openapi(create, async (c) => {
    requireAdmin(authOf(c), 'identity:create_domain');
    const id = idn(c);
    const d = c.req.valid('json').domain;
    if (d.explicit_domain_id) throw badRequest('explicit_domain_id is not supported.');
    await id.ensureSystemNamespace();
    return c.json({ domain: domainView(v3Of(c), await id.domains.create({ name: d.name, description: d.description, enabled: d.enabled ?? true })) }, 201);
  })
  .openapi(show, async (c) => {
    const auth = authOf(c);
    const domainId = c.req.valid('param').id;
    const mine = [auth.claims.user.domain.id, auth.claims.project?.domain.id, auth.domainId];
    if (!auth.isAdmin && !mine.includes(domainId)) throw forbidden('You are not authorized to perform the requested action: identity:get_domain.');
    return c.json({ domain: domainView(v3Of(c), await getDomain(idn(c), domainId)) }, 200);
  })
  .openapi(update, async (c) => {
    requireAdmin(authOf(c), 'identity:update_domain');
    const id = idn(c);
    const d = await getDomain(id, c.req.valid('param').id);
    if (d.id === DEFAULT_DOMAIN_ID) throw forbidden('The default domain cannot be changed.');
    return c.json({ domain: domainView(v3Of(c), await id.domains.update(d, c.req.valid('json').domain)) }, 200);
  })
  .openapi(remove, async (c) => {
    requireAdmin(authOf(c), 'identity:delete_domain');
    const id = idn(c);
    const d = await getDomain(id, c.req.valid('param').id);
    if (d.id === DEFAULT_DOMAIN_ID) throw forbidden('The default domain cannot be deleted.');
    if (d.enabled) throw forbidden(`Cannot delete a domain that is enabled, please disable it first.`);
    await removeDomainContents(id, d);
    await id.domains.delete(d);
    return c.body(null, 204);
  });
