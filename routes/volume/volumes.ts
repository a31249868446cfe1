import { badRequest, notFound } from '../../src/core/faults.ts';
import { createVolume } from '../../src/volume/create.ts';
import { deleteVolume } from '../../src/volume/lifecycle.ts';
import type { VolumeRecord } from '../../src/volume/model.ts';
import { type ListQuery, pageRecords, parseListQuery, parseMetadataFilter } from '../../src/volume/query.ts';
import { type Scope, getVolume, listTypes, listVolumes, saveVolume } from '../../src/volume/service.ts';
import { type TypeRef, type Viewer, volumeSummaryView, volumeView } from '../../src/volume/views.ts';
import {
  type Ctx,
  ProjectId,
  ProjectIdKey,
  accepted202,
  empty200,
  empty202,
  boolOf,
  ctxOf,
  entity,
  jsonBody,
  metadataOf,
  ok,
  optString,
  queryOf,
  rejectEmptyId,
  route,
  router,
  viewerOf,
} from './common.ts';

// /volumes (cinder/api/v3/volumes.py): list, detail, summary, create, show, update, delete,
// and the metadata sub-resource.

const W = 'volumes';
const listRoute = route('get', '/{project_id}/volumes', W, 'List volumes', ok('Volumes'));
const detailRoute = route('get', '/{project_id}/volumes/detail', W, 'List volumes with details', ok('Volumes'));
const summaryRoute = route('get', '/{project_id}/volumes/summary', W, 'Volume summary (3.12)', ok('Summary'));
const createRoute = route('post', '/{project_id}/volumes', W, 'Create a volume', accepted202('The new volume'));
const emptyPut = route('put', '/{project_id}/volumes', W, 'Update without an id (404)', ok('Never'));
const emptyDelete = route('delete', '/{project_id}/volumes', W, 'Delete without an id (404)', ok('Never'));
const showRoute = route('get', '/{project_id}/volumes/{id}', W, 'Show a volume', ok('The volume'), ProjectId);
const updateRoute = route('put', '/{project_id}/volumes/{id}', W, 'Update a volume', ok('The volume'), ProjectId);
const deleteRoute = route('delete', '/{project_id}/volumes/{id}', W, 'Delete a volume', empty202('Deleting'), ProjectId);
const metaList = route('get', '/{project_id}/volumes/{id}/metadata', W, 'Show volume metadata', ok('Metadata'), ProjectId);
const metaCreate = route('post', '/{project_id}/volumes/{id}/metadata', W, 'Add volume metadata', ok('Metadata'), ProjectId);
const metaReplace = route('put', '/{project_id}/volumes/{id}/metadata', W, 'Replace volume metadata', ok('Metadata'), ProjectId);
const metaShow = route('get', '/{project_id}/volumes/{id}/metadata/{key}', W, 'Show a metadata item', ok('Item'), ProjectIdKey);
const metaPut = route('put', '/{project_id}/volumes/{id}/metadata/{key}', W, 'Set a metadata item', ok('Item'), ProjectIdKey);
const metaDelete = route('delete', '/{project_id}/volumes/{id}/metadata/{key}', W, 'Delete a metadata item', empty200('Deleted'), ProjectIdKey);

/** `all_tenants` (admins) lists every project; otherwise the caller's. */
async function scopeOf(c: Ctx, q: URLSearchParams): Promise<Scope> {
  const all = q.get('all_tenants');
  if (all !== null && all !== '0' && all.toLowerCase() !== 'false' && viewerOf(c).isAdmin) return { all: true };
  return { namespace: await ctxOf(c).namespace() };
}

function matches(r: VolumeRecord, filters: ListQuery['filters']): boolean {
  for (const [k, v] of Object.entries(filters)) {
    switch (k) {
      case 'name':
        if (r.name !== v) return false;
        break;
      case 'status':
        if (r.status !== v) return false;
        break;
      case 'availability_zone':
        if (r.zone !== v) return false;
        break;
      case 'bootable':
        if (String(r.bootable) !== String(boolOf(v, 'bootable'))) return false;
        break;
      case 'project_id':
        if (r.projectId !== v) return false;
        break;
      case 'metadata': {
        const want = parseMetadataFilter(v);
        if (!Object.entries(want).every(([mk, mv]) => r.metadata[mk] === mv)) return false;
        break;
      }
      default:
        // Cinder drops filters it does not know (resource_filters): so do we.
        break;
    }
  }
  return true;
}

/** StorageClass name → the type's Cinder name and id, and its backend (one LIST of classes). */
export async function typeRefs(c: Ctx): Promise<Map<string, TypeRef>> {
  return new Map((await listTypes(ctxOf(c))).map((t) => [t.object, { id: t.id, name: t.name, backend: t.provisioner }]));
}

async function list(c: Ctx, detail: boolean) {
  const q = queryOf(c);
  const query = parseListQuery(q);
  const viewer = viewerOf(c);
  const [all, refs] = await Promise.all([scopeOf(c, q).then((s) => listVolumes(ctxOf(c), s)), typeRefs(c)]);
  const chosen = all.filter((r) => matches(r, query.filters));
  const page = pageRecords(chosen, query, 'volumes');
  const volumes = page.items.map((r) => (detail ? volumeView(viewer, r, 'show', refs.get(r.typeName ?? '')) : volumeSummaryView(viewer, r)));
  const href = nextHref(c, page.next);
  return c.json({ volumes, ...(href ? { volumes_links: [{ rel: 'next', href }] } : {}), ...countOf(c, chosen.length) }, 200);
}

/** `with_count=true` (3.45): the number of matches before paging. */
export function countOf(c: Ctx, n: number): { count?: number } {
  const w = queryOf(c).get('with_count');
  return viewerOf(c).version.atLeast('3.45') && w !== null && boolOf(w, 'with_count') ? { count: n } : {};
}

function nextHref(c: Ctx, marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const url = new URL(c.req.url);
  url.searchParams.set('marker', marker);
  return `${c.get('baseUrl')}${url.pathname}${url.search}`;
}

/** The volume view with its type id (3.63) resolved. */
export async function showVolume(c: Ctx, viewer: Viewer, r: VolumeRecord, call: 'show' | 'create') {
  const refs = await typeRefs(c);
  return volumeView(viewer, r, call, refs.get(r.typeName ?? ''));
}

/** `size`: a positive integer (or a string of one), Cinder's 400 otherwise. */
function sizeOf(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n)) throw badRequest(`Invalid input for field/attribute size. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'integer', 'string'`);
  if (n < 1) throw badRequest(`Invalid input for field/attribute size. Value: ${n}. ${n} is less than the minimum of 1`);
  return n;
}

function uuidField(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. is not of type 'string'`);
  return v;
}

export const volumeRoutes = router()
  .openapi(listRoute, async (c) => {
    rejectEmptyId(c, 'Volume');
    return list(c, false);
  })
  .openapi(detailRoute, (c) => list(c, true))
  .openapi(summaryRoute, async (c) => {
    const viewer = viewerOf(c);
    if (!viewer.version.atLeast('3.12')) throw notFound('The resource could not be found.');
    const q = queryOf(c);
    const all = await listVolumes(ctxOf(c), await scopeOf(c, q));
    const summary: Record<string, unknown> = { total_size: all.reduce((n, r) => n + r.size, 0), total_count: all.length };
    if (viewer.version.atLeast('3.36')) {
      const meta: Record<string, string[]> = {};
      for (const r of all) for (const [k, v] of Object.entries(r.metadata)) meta[k] = [...new Set([...(meta[k] ?? []), v])];
      summary.metadata = meta;
    }
    return c.json({ 'volume-summary': summary }, 200);
  })
  .openapi(createRoute, async (c) => {
    const req = await entity(c, 'volume');
    const name = optString(req, 'name') ?? optString(req, 'display_name') ?? null;
    const description = optString(req, 'description') ?? optString(req, 'display_description') ?? null;
    const typeRaw = req.volume_type;
    if (typeRaw !== undefined && typeRaw !== null && typeof typeRaw !== 'string') throw badRequest('Invalid input for field/attribute volume_type.');
    const zone = optString(req, 'availability_zone') ?? undefined;
    if (req.multiattach === true) throw badRequest('Invalid input received: multiattach volumes are not supported (a KubeVirt disk has one writer).');
    const r = await createVolume(ctxOf(c), {
      size: sizeOf(req.size),
      name,
      description,
      metadata: req.metadata === undefined || req.metadata === null ? {} : metadataOf(req.metadata),
      zone,
      type: typeof typeRaw === 'string' ? typeRaw : undefined,
      imageRef: uuidField(req, 'imageRef') ?? uuidField(req, 'image_id'),
      snapshotId: uuidField(req, 'snapshot_id'),
      sourceVolid: uuidField(req, 'source_volid'),
    });
    return c.json({ volume: await showVolume(c, viewerOf(c), r, 'create') }, 202);
  })
  .openapi(emptyPut, () => {
    throw notFound('Volume could not be found.');
  })
  .openapi(emptyDelete, () => {
    throw notFound('Volume could not be found.');
  })
  .openapi(showRoute, async (c) => {
    const r = await getVolume(ctxOf(c), c.req.valid('param').id);
    return c.json({ volume: await showVolume(c, viewerOf(c), r, 'show') }, 200);
  })
  .openapi(updateRoute, async (c) => {
    const ctx = ctxOf(c);
    const req = await entity(c, 'volume');
    const r = await getVolume(ctx, c.req.valid('param').id);
    const known = ['name', 'description', 'display_name', 'display_description', 'metadata'];
    if (!Object.keys(req).some((k) => known.includes(k))) throw badRequest('Invalid input received: No valid volume attributes to update.');
    const name = optString(req, 'name') ?? optString(req, 'display_name');
    const description = optString(req, 'description') ?? optString(req, 'display_description');
    const saved = await saveVolume(ctx, r, {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(req.metadata !== undefined ? { metadata: metadataOf(req.metadata) } : {}),
    });
    return c.json({ volume: await showVolume(c, viewerOf(c), saved, 'create') }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const ctx = ctxOf(c);
    const q = queryOf(c);
    const r = await getVolume(ctx, c.req.valid('param').id);
    const flag = (k: string) => (q.get(k) !== null ? boolOf(q.get(k), k) : false);
    await deleteVolume(ctx, r, { cascade: flag('cascade'), force: flag('force') && viewerOf(c).isAdmin });
    return c.body(null, 202);
  })
  .openapi(metaList, async (c) => {
    const r = await getVolume(ctxOf(c), c.req.valid('param').id);
    return c.json({ metadata: r.metadata }, 200);
  })
  .openapi(metaCreate, async (c) => {
    const ctx = ctxOf(c);
    const body = (await jsonBody(c)) as Record<string, unknown>;
    const add = metadataOf(body?.metadata);
    const r = await getVolume(ctx, c.req.valid('param').id);
    const saved = await saveVolume(ctx, r, { metadata: { ...r.metadata, ...add } });
    return c.json({ metadata: saved.metadata }, 200);
  })
  .openapi(metaReplace, async (c) => {
    const ctx = ctxOf(c);
    const body = (await jsonBody(c)) as Record<string, unknown>;
    const meta = metadataOf(body?.metadata);
    const r = await getVolume(ctx, c.req.valid('param').id);
    const saved = await saveVolume(ctx, r, { metadata: meta });
    return c.json({ metadata: saved.metadata }, 200);
  })
  .openapi(metaShow, async (c) => {
    const { id, key } = c.req.valid('param');
    const r = await getVolume(ctxOf(c), id);
    const value = r.metadata[key];
    if (value === undefined) throw notFound(`Volume ${id} has no metadata with key ${key}.`);
    return c.json({ meta: { [key]: value } }, 200);
  })
  .openapi(metaPut, async (c) => {
    const ctx = ctxOf(c);
    const { id, key } = c.req.valid('param');
    const body = (await jsonBody(c)) as Record<string, unknown>;
    const meta = metadataOf(body?.meta, 'meta');
    const entries = Object.entries(meta);
    if (entries.length !== 1) throw badRequest('Request body contains too many items.');
    if (entries[0]?.[0] !== key) throw badRequest('Request body and URI mismatch');
    const r = await getVolume(ctx, id);
    const saved = await saveVolume(ctx, r, { metadata: { ...r.metadata, ...meta } });
    return c.json({ meta: { [key]: saved.metadata[key] } }, 200);
  })
  .openapi(metaDelete, async (c) => {
    const ctx = ctxOf(c);
    const { id, key } = c.req.valid('param');
    const r = await getVolume(ctx, id);
    if (r.metadata[key] === undefined) throw notFound(`Volume ${id} has no metadata with key ${key}.`);
    const { [key]: _, ...rest } = r.metadata;
    await saveVolume(ctx, r, { metadata: rest });
    return c.body(null, 200);
  });
