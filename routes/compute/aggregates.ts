import { createRoute } from '@hono/zod-openapi';
import { type Aggregate, Aggregates } from '../../src/compute/aggregates.ts';
import { badRequest } from '../../src/core/faults.ts';
import { type Ctx, authOf, parseBody, requireAdmin, router, versionOf } from './common.ts';
import { AggregateAction, AggregateBody, AggregateCreateBody, AggregateList, AggregateUpdateBody, HostBody, SetMetadataBody } from './schemas/aggregates.ts';
import { IdParam, body, json } from './schemas/common.ts';
import { aggregateCreated, aggregateView } from './views/aggregates.ts';

// /os-aggregates (admins; Nova's policy decides, then Kubernetes RBAC on Aggregates and Nodes,
// since the calls impersonate the caller). Model and Node labels: src/compute/aggregates.ts.

const tags = ['compute: host aggregates'];
const listRoute = createRoute({ method: 'get', path: '/os-aggregates', tags, summary: 'List host aggregates (admin)', responses: { 200: json(AggregateList, 'Aggregates') } });
const createDef = createRoute({ method: 'post', path: '/os-aggregates', tags, summary: 'Create a host aggregate (admin)', request: body(AggregateCreateBody), responses: { 200: json(AggregateBody, 'Aggregate') } });
const showRoute = createRoute({ method: 'get', path: '/os-aggregates/{id}', tags, summary: 'Show a host aggregate (admin)', request: { params: IdParam }, responses: { 200: json(AggregateBody, 'Aggregate') } });
const updateRoute = createRoute({ method: 'put', path: '/os-aggregates/{id}', tags, summary: 'Update a host aggregate (admin)', request: { params: IdParam, ...body(AggregateUpdateBody) }, responses: { 200: json(AggregateBody, 'Aggregate') } });
const deleteRoute = createRoute({ method: 'delete', path: '/os-aggregates/{id}', tags, summary: 'Delete an empty host aggregate (admin)', request: { params: IdParam }, responses: { 200: { description: 'Deleted' } } });
const actionRoute = createRoute({ method: 'post', path: '/os-aggregates/{id}/action', tags, summary: 'add_host, remove_host or set_metadata (admin)', request: { params: IdParam, ...body(AggregateAction) }, responses: { 200: json(AggregateBody, 'Aggregate') } });

function store(c: Ctx, rule: string): Aggregates {
  const auth = authOf(c);
  requireAdmin(auth, `os_compute_api:os-aggregates:${rule}`);
  return new Aggregates(auth.kube, c.get('region').kube);
}

type Action = (s: Aggregates, a: Aggregate, all: Aggregate[], args: unknown) => Promise<Aggregate>;
const ACTIONS: Record<string, Action> = {
  add_host: (s, a, all, args) => s.addHost(a, all, parseBody(HostBody, args).host),
  remove_host: (s, a, all, args) => s.removeHost(a, all, parseBody(HostBody, args).host),
  set_metadata: (s, a, all, args) => s.setMetadata(a, all, parseBody(SetMetadataBody, args).metadata),
};

export const aggregateRoutes = router()
  .openapi(listRoute, async (c) => {
    const all = await store(c, 'index').list();
    return c.json({ aggregates: all.map((a) => aggregateView(a, versionOf(c))) }, 200);
  })
  .openapi(createDef, async (c) => {
    const s = store(c, 'create');
    const { name, availability_zone } = c.req.valid('json').aggregate;
    return c.json({ aggregate: aggregateCreated(await s.create(name, availability_zone ?? null), versionOf(c)) }, 200);
  })
  .openapi(showRoute, async (c) => {
    const a = await store(c, 'show').require(c.req.valid('param').id);
    return c.json({ aggregate: aggregateView(a, versionOf(c)) }, 200);
  })
  .openapi(updateRoute, async (c) => {
    const s = store(c, 'update');
    const all = await s.list();
    const a = await s.require(c.req.valid('param').id, all);
    const { name, availability_zone } = c.req.valid('json').aggregate;
    return c.json({ aggregate: aggregateView(await s.update(a, all, { name, az: availability_zone }), versionOf(c)) }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const s = store(c, 'delete');
    await s.delete(await s.require(c.req.valid('param').id));
    return c.body(null, 200);
  })
  .openapi(actionRoute, async (c) => {
    const req = c.req.valid('json');
    const [name, ...rest] = Object.keys(req);
    const action = name === undefined ? undefined : ACTIONS[name];
    if (!action || rest.length) throw badRequest(`Invalid input for field/attribute: the body must hold exactly one of ${Object.keys(ACTIONS).join(', ')}`);
    const s = store(c, name as string);
    const all = await s.list();
    const a = await s.require(c.req.valid('param').id, all);
    return c.json({ aggregate: aggregateView(await action(s, a, all, req[name as string]), versionOf(c)) }, 200);
  });


