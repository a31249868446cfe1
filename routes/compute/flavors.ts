import { createRoute, z } from '@hono/zod-openapi';
import { type Flavor, Flavors, FLAVOR_SORT_KEYS, sortFlavors, visibleTo } from '../../src/compute/flavors.ts';
import { CA } from '../../src/compute/model.ts';
import { badRequest, conflict, notFound } from '../../src/core/faults.ts';
import { pageRequest, paginate } from '../../src/core/pagination.ts';
import { type Ctx, authOf, checkQuery, linksOf, nextHref, queryOf, requireAdmin, router, strictBool, versionOf } from './common.ts';
import { IdParam, accepted, body, json } from './schemas/common.ts';
import {
  ExtraSpec,
  ExtraSpecBody,
  ExtraSpecs,
  ExtraSpecsBody,
  FlavorAccessAction,
  FlavorAccessList,
  FlavorBody,
  FlavorCreateBody,
  FlavorDetailList,
  FlavorList,
  FlavorListQuery,
  FlavorUpdateBody,
} from './schemas/flavors.ts';
import { flavorBrief, flavorDetail } from './views/flavors.ts';

// /flavors, /flavors/{id}/os-extra_specs, /flavors/{id}/os-flavor-access (nova flavors.py,
// flavor_manage.py, flavors_extraspecs.py, flavor_access.py).

const tags = ['compute: flavors'];
const KeyParam = z.object({ id: z.string().min(1), key: z.string().min(1) });

const listRoute = createRoute({ method: 'get', path: '/flavors', tags, summary: 'List flavors', request: { query: FlavorListQuery }, responses: { 200: json(FlavorList, 'Flavors') } });
const detailRoute = createRoute({ method: 'get', path: '/flavors/detail', tags, summary: 'List flavors with details', request: { query: FlavorListQuery }, responses: { 200: json(FlavorDetailList, 'Flavors') } });
const showRoute = createRoute({ method: 'get', path: '/flavors/{id}', tags, summary: 'Show a flavor', request: { params: IdParam }, responses: { 200: json(FlavorBody, 'Flavor') } });
const createRouteDef = createRoute({ method: 'post', path: '/flavors', tags, summary: 'Create a flavor (admin)', request: body(FlavorCreateBody), responses: { 200: json(FlavorBody, 'Created') } });
const updateRoute = createRoute({ method: 'put', path: '/flavors/{id}', tags, summary: 'Update a flavor description (2.55, admin)', request: { params: IdParam, ...body(FlavorUpdateBody) }, responses: { 200: json(FlavorBody, 'Updated') } });
const deleteRoute = createRoute({ method: 'delete', path: '/flavors/{id}', tags, summary: 'Delete a flavor (admin)', request: { params: IdParam }, responses: { 202: accepted } });
const specsList = createRoute({ method: 'get', path: '/flavors/{id}/os-extra_specs', tags, summary: 'List extra specs', request: { params: IdParam }, responses: { 200: json(ExtraSpecs, 'Extra specs') } });
const specsCreate = createRoute({ method: 'post', path: '/flavors/{id}/os-extra_specs', tags, summary: 'Create or update extra specs (admin)', request: { params: IdParam, ...body(ExtraSpecsBody) }, responses: { 200: json(ExtraSpecs, 'Extra specs') } });
const specShow = createRoute({ method: 'get', path: '/flavors/{id}/os-extra_specs/{key}', tags, summary: 'Show an extra spec', request: { params: KeyParam }, responses: { 200: json(ExtraSpec, 'Extra spec') } });
const specUpdate = createRoute({ method: 'put', path: '/flavors/{id}/os-extra_specs/{key}', tags, summary: 'Update an extra spec (admin)', request: { params: KeyParam, ...body(ExtraSpecBody) }, responses: { 200: json(ExtraSpec, 'Extra spec') } });
const specDelete = createRoute({ method: 'delete', path: '/flavors/{id}/os-extra_specs/{key}', tags, summary: 'Delete an extra spec (admin)', request: { params: KeyParam }, responses: { 200: { description: 'Deleted' } } });
const accessList = createRoute({ method: 'get', path: '/flavors/{id}/os-flavor-access', tags, summary: 'List flavor access (admin)', request: { params: IdParam }, responses: { 200: json(FlavorAccessList, 'Access list') } });
const accessAction = createRoute({ method: 'post', path: '/flavors/{id}/action', tags, summary: 'Add or remove tenant access (admin)', request: { params: IdParam, ...body(FlavorAccessAction) }, responses: { 200: json(FlavorAccessList, 'Access list') } });

const store = (c: Ctx) => new Flavors(c.get('region').kube);

/** A flavor the caller may see, or Nova's 404. */
async function visible(c: Ctx, id: string): Promise<Flavor> {
  const auth = authOf(c);
  const f = await store(c).get(id);
  if (!f || !visibleTo(f, auth.projectId, auth.isAdmin)) throw notFound(`Flavor ${id} could not be found.`);
  return f;
}

function intFilter(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw badRequest(`Invalid ${what} filter [${value}]`);
  return Number(value);
}

async function listed(c: Ctx): Promise<{ items: Flavor[]; next: string | undefined }> {
  const auth = authOf(c);
  const q = queryOf(c);
  // nova flavors.py _get_flavors: admins choose with is_public (None = all); others see public
  // flavors plus the private ones their project was given.
  let isPublic: boolean | undefined = true;
  if (auth.isAdmin) {
    const raw = q.get('is_public');
    if (raw !== null) isPublic = raw.trim().toLowerCase() === 'none' ? undefined : strictBool(raw, 'is_public');
  }
  const minRam = intFilter(q.get('minRam') ?? undefined, 'minRam');
  const minDisk = intFilter(q.get('minDisk') ?? undefined, 'minDisk');
  const sortKey = q.get('sort_key') ?? 'flavorid';
  const sortDir = q.get('sort_dir') ?? 'asc';
  if (!(sortKey in FLAVOR_SORT_KEYS)) throw badRequest('Sort key supplied was not valid.');
  if (sortDir !== 'asc' && sortDir !== 'desc') throw badRequest("Unknown sort direction, must be 'desc' or 'asc'");
  const page = pageRequest(q);
  const inAccess = (f: Flavor) => auth.projectId !== undefined && f.access.includes(auth.projectId);
  const all = (await store(c).list()).filter((f) => {
    if (isPublic === true && !(f.isPublic || inAccess(f))) return false;
    if (isPublic === false && f.isPublic) return false;
    if (minRam !== undefined && f.ram < minRam) return false;
    if (minDisk !== undefined && f.disk < minDisk) return false;
    return true;
  });
  const sorted = sortFlavors(all, sortKey, sortDir);
  const p = paginate(sorted, page, (f) => f.id, (m) => badRequest(`marker [${m}] not found`));
  return { items: p.items, next: p.next };
}

const linksBody = (c: Ctx, next: string | undefined) => {
  const href = nextHref(c, next);
  return href ? { flavors_links: [{ rel: 'next', href }] } : {};
};

function newFlavorId(name: string, given: string | null | undefined): string {
  if (given) return given;
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) && name.length <= 253 ? name : crypto.randomUUID();
}

export const flavorRoutes = router()
  .openapi(listRoute, async (c) => {
    checkQuery(c, FlavorListQuery);
    const { items, next } = await listed(c);
    const v = versionOf(c);
    const links = linksOf(c);
    return c.json({ flavors: items.map((f) => flavorBrief(f, v, links)), ...linksBody(c, next) }, 200);
  })
  .openapi(detailRoute, async (c) => {
    checkQuery(c, FlavorListQuery);
    const { items, next } = await listed(c);
    const v = versionOf(c);
    const links = linksOf(c);
    return c.json({ flavors: items.map((f) => flavorDetail(f, v, links)), ...linksBody(c, next) }, 200);
  })
  .openapi(showRoute, async (c) => {
    const f = await visible(c, c.req.valid('param').id);
    return c.json({ flavor: flavorDetail(f, versionOf(c), linksOf(c)) }, 200);
  })
  .openapi(createRouteDef, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'os_compute_api:os-flavor-manage:create');
    const { flavor: f } = c.req.valid('json');
    if (f.description !== undefined && !versionOf(c).atLeast('2.55')) throw badRequest("Invalid input for field/attribute flavor. Additional properties are not allowed ('description' was unexpected)");
    const id = newFlavorId(f.name, f.id);
    const created = await store(c).create(auth.kube, {
      id,
      name: f.name,
      vcpus: f.vcpus,
      ram: f.ram,
      disk: f.disk,
      swap: f.swap === '' || f.swap === undefined ? 0 : f.swap,
      ephemeral: f['OS-FLV-EXT-DATA:ephemeral'] ?? 0,
      rxtxFactor: f.rxtx_factor ?? 1.0,
      isPublic: f['os-flavor-access:is_public'] ?? true,
      description: f.description ?? null,
    });
    return c.json({ flavor: flavorDetail(created, versionOf(c), linksOf(c)) }, 200);
  })
  .openapi(updateRoute, async (c) => {
    const auth = authOf(c);
    if (!versionOf(c).atLeast('2.55')) throw notFound('The resource could not be found.');
    requireAdmin(auth, 'os_compute_api:os-flavor-manage:update');
    const { flavor: body } = c.req.valid('json');
    const f = await store(c).require(c.req.valid('param').id);
    const out = await store(c).annotate(auth.kube, f, { [CA.description]: body.description });
    return c.json({ flavor: flavorDetail(out, versionOf(c), linksOf(c)) }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'os_compute_api:os-flavor-manage:delete');
    const f = await store(c).require(c.req.valid('param').id);
    await store(c).delete(auth.kube, f);
    return c.body(null, 202);
  })
  .openapi(specsList, async (c) => {
    const f = await visible(c, c.req.valid('param').id);
    return c.json({ extra_specs: f.extraSpecs }, 200);
  })
  .openapi(specsCreate, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'os_compute_api:os-flavor-extra-specs:create');
    const { extra_specs } = c.req.valid('json');
    const f = await store(c).require(c.req.valid('param').id);
    await store(c).annotate(auth.kube, f, { [CA.extraSpecs]: JSON.stringify({ ...f.extraSpecs, ...extra_specs }) });
    return c.json({ extra_specs }, 200);
  })
  .openapi(specShow, async (c) => {
    const { id, key } = c.req.valid('param');
    const f = await visible(c, id);
    const value = f.extraSpecs[key];
    if (value === undefined) throw notFound(`Flavor ${id} has no extra specs with key ${key}.`);
    return c.json({ [key]: value }, 200);
  })
  .openapi(specUpdate, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'os_compute_api:os-flavor-extra-specs:update');
    const { id, key } = c.req.valid('param');
    const spec = c.req.valid('json');
    if (!(key in spec)) throw badRequest('Request body and URI mismatch');
    if (Object.keys(spec).length > 1) throw badRequest('Request body contains too many items');
    const f = await store(c).require(id);
    await store(c).annotate(auth.kube, f, { [CA.extraSpecs]: JSON.stringify({ ...f.extraSpecs, [key]: spec[key] as string }) });
    return c.json({ [key]: spec[key] as string }, 200);
  })
  .openapi(specDelete, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'os_compute_api:os-flavor-extra-specs:delete');
    const { id, key } = c.req.valid('param');
    const f = await store(c).require(id);
    if (!(key in f.extraSpecs)) throw notFound(`Flavor ${id} has no extra specs with key ${key}.`);
    const { [key]: _, ...rest } = f.extraSpecs;
    await store(c).annotate(auth.kube, f, { [CA.extraSpecs]: JSON.stringify(rest) });
    // Nova answers 200 here (202 is the flavor delete's).
    return c.body(null, 200);
  })
  .openapi(accessList, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'os_compute_api:os-flavor-access');
    const f = await store(c).require(c.req.valid('param').id);
    if (f.isPublic) throw notFound('Access list not available for public flavors.');
    return c.json({ flavor_access: f.access.map((p) => ({ flavor_id: f.id, tenant_id: p })) }, 200);
  })
  .openapi(accessAction, async (c) => {
    const auth = authOf(c);
    const action = c.req.valid('json');
    const f = await store(c).require(c.req.valid('param').id);
    let access = f.access;
    if ('addTenantAccess' in action) {
      requireAdmin(auth, 'os_compute_api:os-flavor-access:add_tenant_access');
      const p = action.addTenantAccess.tenant;
      if (f.isPublic) throw conflict('Can not add access to a public flavor.');
      if (access.includes(p)) throw conflict(`Flavor access already exists for flavor ${f.id} and project ${p} combination.`);
      access = [...access, p];
    } else {
      requireAdmin(auth, 'os_compute_api:os-flavor-access:remove_tenant_access');
      const p = action.removeTenantAccess.tenant;
      if (!access.includes(p)) throw notFound(`Flavor access not found for ${f.id} / ${p} combination.`);
      access = access.filter((x) => x !== p);
    }
    await store(c).annotate(auth.kube, f, { [CA.access]: JSON.stringify(access) });
    return c.json({ flavor_access: access.map((p) => ({ flavor_id: f.id, tenant_id: p })) }, 200);
  });

