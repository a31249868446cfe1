import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { GatewayEnv } from '../../src/core/context.ts';
import { forbidden, notFound } from '../../src/core/faults.ts';
import { buildCatalog, endpointList } from '../../src/identity/catalog.ts';
import { authOf, listBody, router, v3Of } from './common.ts';
import { P, json, listOf, oneOf } from './schemas.ts';

// /v3/regions, /v3/services, /v3/endpoints: the region set as configuration declares it,
// read-only (changing it means changing the gateway's configuration).

const tags = ['identity'];
const Q = z.object({ type: z.string().optional(), interface: z.string().optional(), service_id: z.string().optional(), region_id: z.string().optional(), parent_region_id: z.string().optional() });
const readOnly = (what: string) => forbidden(`The ${what} are generated from the gateway's region configuration and cannot be changed through the API.`);

const regions = (c: Context<GatewayEnv>) => c.get('gateway').config.regions.map((r) => r.name);
const regionView = (c: Context<GatewayEnv>, name: string) => ({
  id: name,
  description: '',
  parent_region_id: null,
  links: { self: `${v3Of(c)}/regions/${name}` },
});

const get = (path: string, key: string, summary: string) =>
  createRoute({ method: 'get', path, tags, summary, request: { query: Q }, responses: { 200: json(listOf(key), summary) } });
const getOne = (path: string, key: string, summary: string) =>
  createRoute({ method: 'get', path, tags, summary, request: { params: P.id }, responses: { 200: json(oneOf(key), summary) } });
const write = (method: 'post' | 'patch' | 'delete', path: string, summary: string) =>
  createRoute({ method, path, tags, summary, responses: { 403: json(z.object({ error: z.looseObject({}) }), 'Read-only') } });

async function services(c: Context<GatewayEnv>) {
  const cat = await buildCatalog(c.get('baseUrl'), regions(c));
  return cat.map((s) => ({ id: s.id, type: s.type, name: s.name, description: s.description, enabled: true, links: { self: `${v3Of(c)}/services/${s.id}` } }));
}

async function endpoints(c: Context<GatewayEnv>) {
  return (await endpointList(c.get('baseUrl'), regions(c))).map((e) => ({ ...e, links: { self: `${v3Of(c)}/endpoints/${e.id}` } }));
}

export const catalogRoutes = router()
  .openapi(get('/v3/regions', 'regions', 'List regions'), async (c) => {
    authOf(c);
    const q = c.req.valid('query');
    const items = q.parent_region_id ? [] : regions(c).map((r) => regionView(c, r));
    return c.json(listBody(c, 'regions', items), 200);
  })
  .openapi(getOne('/v3/regions/{id}', 'region', 'Show a region'), async (c) => {
    authOf(c);
    const rid = c.req.valid('param').id;
    if (!regions(c).includes(rid)) throw notFound(`Could not find region: ${rid}.`);
    return c.json({ region: regionView(c, rid) }, 200);
  })
  .openapi(get('/v3/services', 'services', 'List services'), async (c) => {
    authOf(c);
    const q = c.req.valid('query');
    const items = (await services(c)).filter((s) => q.type === undefined || s.type === q.type);
    return c.json(listBody(c, 'services', items), 200);
  })
  .openapi(getOne('/v3/services/{id}', 'service', 'Show a service'), async (c) => {
    authOf(c);
    const sid = c.req.valid('param').id;
    const s = (await services(c)).find((x) => x.id === sid);
    if (!s) throw notFound(`Could not find service: ${sid}.`);
    return c.json({ service: s }, 200);
  })
  .openapi(get('/v3/endpoints', 'endpoints', 'List endpoints'), async (c) => {
    authOf(c);
    const q = c.req.valid('query');
    const items = (await endpoints(c)).filter(
      (e) =>
        (q.interface === undefined || e.interface === q.interface) &&
        (q.service_id === undefined || e.service_id === q.service_id) &&
        (q.region_id === undefined || e.region_id === q.region_id),
    );
    return c.json(listBody(c, 'endpoints', items), 200);
  })
  .openapi(getOne('/v3/endpoints/{id}', 'endpoint', 'Show an endpoint'), async (c) => {
    authOf(c);
    const eid = c.req.valid('param').id;
    const e = (await endpoints(c)).find((x) => x.id === eid);
    if (!e) throw notFound(`Could not find endpoint: ${eid}.`);
    return c.json({ endpoint: e }, 200);
  })
  .openapi(write('post', '/v3/regions', 'Create a region (read-only here)'), () => {
    throw readOnly('regions');
  })
  .openapi(write('post', '/v3/services', 'Create a service (read-only here)'), () => {
    throw readOnly('services');
  })
  .openapi(write('post', '/v3/endpoints', 'Create an endpoint (read-only here)'), () => {
    throw readOnly('endpoints');
  });
