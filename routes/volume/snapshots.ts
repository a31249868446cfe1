import { badRequest, notFound } from '../../src/core/faults.ts';
import { checkQuota } from '../../src/volume/quotas.ts';
import type { SnapshotRecord } from '../../src/volume/model.ts';
import { type ListQuery, pageRecords, parseListQuery, parseMetadataFilter } from '../../src/volume/query.ts';
import { createSnapshot, deleteSnapshot, getSnapshot, getVolume, listSnapshots, saveSnapshot } from '../../src/volume/service.ts';
import { snapshotView } from '../../src/volume/views.ts';
import { countOf } from './volumes.ts';
import { type Ctx, ProjectId, ProjectIdKey, accepted202, boolOf, empty200, empty202, ctxOf, entity, jsonBody, metadataOf, ok, optString, queryOf, requireAdmin, route, router, viewerOf } from './common.ts';

// /snapshots (cinder/api/v3/snapshots.py): VolumeSnapshots of a volume's PVC.

const W = 'snapshots';
const listRoute = route('get', '/{project_id}/snapshots', W, 'List snapshots', ok('Snapshots'));
const detailRoute = route('get', '/{project_id}/snapshots/detail', W, 'List snapshots with details', ok('Snapshots'));
const createRoute = route('post', '/{project_id}/snapshots', W, 'Create a snapshot', accepted202('The new snapshot'));
const showRoute = route('get', '/{project_id}/snapshots/{id}', W, 'Show a snapshot', ok('The snapshot'), ProjectId);
const updateRoute = route('put', '/{project_id}/snapshots/{id}', W, 'Update a snapshot', ok('The snapshot'), ProjectId);
const deleteRoute = route('delete', '/{project_id}/snapshots/{id}', W, 'Delete a snapshot', empty202('Deleting'), ProjectId);
const actionRoute = route('post', '/{project_id}/snapshots/{id}/action', W, 'Snapshot action (os-reset_status, os-update_snapshot_status, os-force_delete)', empty202('Accepted'), ProjectId);
const metaList = route('get', '/{project_id}/snapshots/{id}/metadata', W, 'Show snapshot metadata', ok('Metadata'), ProjectId);
const metaCreate = route('post', '/{project_id}/snapshots/{id}/metadata', W, 'Add snapshot metadata', ok('Metadata'), ProjectId);
const metaReplace = route('put', '/{project_id}/snapshots/{id}/metadata', W, 'Replace snapshot metadata', ok('Metadata'), ProjectId);
const metaShow = route('get', '/{project_id}/snapshots/{id}/metadata/{key}', W, 'Show a snapshot metadata item', ok('Item'), ProjectIdKey);
const metaPut = route('put', '/{project_id}/snapshots/{id}/metadata/{key}', W, 'Set a snapshot metadata item', ok('Item'), ProjectIdKey);
const metaDelete = route('delete', '/{project_id}/snapshots/{id}/metadata/{key}', W, 'Delete a snapshot metadata item', empty200('Deleted'), ProjectIdKey);

function matches(s: SnapshotRecord, filters: ListQuery['filters']): boolean {
  for (const [k, v] of Object.entries(filters)) {
    if (k === 'name' && s.name !== v) return false;
    if (k === 'status' && s.status !== v) return false;
    if (k === 'volume_id' && s.volumeId !== v) return false;
    if (k === 'project_id' && s.projectId !== v) return false;
    if (k === 'metadata' && !Object.entries(parseMetadataFilter(v)).every(([mk, mv]) => s.metadata[mk] === mv)) return false;
  }
  return true;
}

async function list(c: Ctx, detail: boolean) {
  const q = queryOf(c);
  const query = parseListQuery(q);
  const viewer = viewerOf(c);
  const ctx = ctxOf(c);
  const all = q.get('all_tenants') && viewer.isAdmin && q.get('all_tenants') !== '0' ? { all: true as const } : { namespace: await ctx.namespace() };
  const chosen = (await listSnapshots(ctx, all)).filter((s) => matches(s, query.filters));
  const page = pageRecords(chosen, query, 'snapshots');
  let href: string | undefined;
  if (page.next) {
    const url = new URL(c.req.url);
    url.searchParams.set('marker', page.next);
    href = `${c.get('baseUrl')}${url.pathname}${url.search}`;
  }
  return c.json({ snapshots: page.items.map((s) => snapshotView(viewer, s, detail ? 'show' : 'create')), ...(href ? { snapshots_links: [{ rel: 'next', href }] } : {}), ...countOf(c, chosen.length) }, 200);
}

async function saveMeta(c: Ctx, id: string, next: (cur: Record<string, string>) => Record<string, string>) {
  const ctx = ctxOf(c);
  const s = await getSnapshot(ctx, id);
  return saveSnapshot(ctx, s, { metadata: next(s.metadata) });
}

export const snapshotRoutes = router()
  .openapi(listRoute, (c) => list(c, false))
  .openapi(detailRoute, (c) => list(c, true))
  .openapi(createRoute, async (c) => {
    const ctx = ctxOf(c);
    const req = await entity(c, 'snapshot');
    const volumeId = req.volume_id;
    // Cinder looks a null volume_id up, and finds nothing.
    if (volumeId === null) throw notFound('Volume None could not be found.');
    if (typeof volumeId !== 'string' || !volumeId) throw badRequest("Invalid input for field/attribute snapshot. 'volume_id' is a required property");
    const volume = await getVolume(ctx, volumeId);
    await checkQuota(ctx, volume.namespace, { snapshots: 1, gigabytes: volume.size, ...(volume.typeName ? { typeName: volume.typeName } : {}) });
    const s = await createSnapshot(ctx, {
      volume,
      name: optString(req, 'name') ?? optString(req, 'display_name') ?? null,
      description: optString(req, 'description') ?? optString(req, 'display_description') ?? null,
      metadata: req.metadata === undefined || req.metadata === null ? {} : metadataOf(req.metadata),
      force: req.force !== undefined ? boolOf(req.force, 'force') : false,
    });
    return c.json({ snapshot: snapshotView(viewerOf(c), s, 'create') }, 202);
  })
  .openapi(showRoute, async (c) => {
    const s = await getSnapshot(ctxOf(c), c.req.valid('param').id);
    return c.json({ snapshot: snapshotView(viewerOf(c), s, 'show') }, 200);
  })
  .openapi(updateRoute, async (c) => {
    const ctx = ctxOf(c);
    const req = await entity(c, 'snapshot');
    const s = await getSnapshot(ctx, c.req.valid('param').id);
    const name = optString(req, 'name') ?? optString(req, 'display_name');
    const description = optString(req, 'description') ?? optString(req, 'display_description');
    const saved = await saveSnapshot(ctx, s, { ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}) });
    return c.json({ snapshot: snapshotView(viewerOf(c), saved, 'create') }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const ctx = ctxOf(c);
    await deleteSnapshot(ctx, await getSnapshot(ctx, c.req.valid('param').id), false);
    return c.body(null, 202);
  })
  .openapi(actionRoute, async (c) => {
    const ctx = ctxOf(c);
    const raw = (await jsonBody(c)) as Record<string, unknown>;
    const s = await getSnapshot(ctx, c.req.valid('param').id);
    if (raw && 'os-reset_status' in raw) {
      requireAdmin(c, 'volume_extension:snapshot_admin_actions:reset_status');
      const status = (raw['os-reset_status'] as Record<string, unknown> | null)?.status;
      if (typeof status !== 'string' || !['available', 'error', 'creating', 'deleting', 'error_deleting'].includes(status)) throw badRequest(`Invalid input for field/attribute status. Value: ${JSON.stringify(status)}.`);
      await saveSnapshot(ctx, s, { status });
    } else if (raw && 'os-update_snapshot_status' in raw) {
      // Nova's assisted snapshots report progress this way: creating → available/error, deleting → error_deleting.
      const req = (raw['os-update_snapshot_status'] ?? {}) as Record<string, unknown>;
      const allowed: Record<string, string[]> = { creating: ['creating', 'available', 'error'], deleting: ['deleting', 'error_deleting'] };
      if (typeof req.status !== 'string' || !(allowed[s.status] ?? []).includes(req.status)) {
        throw badRequest(`Invalid snapshot: Snapshot status ${s.status} cannot be updated to ${String(req.status)}.`);
      }
      if (req.progress !== undefined && (typeof req.progress !== 'string' || !/^\d{1,3}%$/.test(req.progress))) throw badRequest(`Invalid input for field/attribute progress. Value: ${JSON.stringify(req.progress)}.`);
      await saveSnapshot(ctx, s, { status: req.status, ...(typeof req.progress === 'string' ? { progress: req.progress } : {}) });
    } else if (raw && 'os-force_delete' in raw) {
      requireAdmin(c, 'volume_extension:snapshot_admin_actions:force_delete');
      await deleteSnapshot(ctx, s, true);
    } else throw badRequest(`There is no such action: ${Object.keys(raw ?? {})[0] ?? ''}`);
    return c.body(null, 202);
  })
  .openapi(metaList, async (c) => c.json({ metadata: (await getSnapshot(ctxOf(c), c.req.valid('param').id)).metadata }, 200))
  .openapi(metaCreate, async (c) => {
    const add = metadataOf(((await jsonBody(c)) as Record<string, unknown>)?.metadata);
    return c.json({ metadata: (await saveMeta(c, c.req.valid('param').id, (cur) => ({ ...cur, ...add }))).metadata }, 200);
  })
  .openapi(metaReplace, async (c) => {
    const meta = metadataOf(((await jsonBody(c)) as Record<string, unknown>)?.metadata);
    return c.json({ metadata: (await saveMeta(c, c.req.valid('param').id, () => meta)).metadata }, 200);
  })
  .openapi(metaShow, async (c) => {
    const { id, key } = c.req.valid('param');
    const value = (await getSnapshot(ctxOf(c), id)).metadata[key];
    if (value === undefined) throw notFound(`Snapshot ${id} has no metadata with key ${key}.`);
    return c.json({ meta: { [key]: value } }, 200);
  })
  .openapi(metaPut, async (c) => {
    const { id, key } = c.req.valid('param');
    const meta = metadataOf(((await jsonBody(c)) as Record<string, unknown>)?.meta, 'meta');
    const entries = Object.entries(meta);
    if (entries.length !== 1) throw badRequest('Request body contains too many items.');
    if (entries[0]?.[0] !== key) throw badRequest('Request body and URI mismatch');
    const saved = await saveMeta(c, id, (cur) => ({ ...cur, ...meta }));
    return c.json({ meta: { [key]: saved.metadata[key] } }, 200);
  })
  .openapi(metaDelete, async (c) => {
    const { id, key } = c.req.valid('param');
    const s = await getSnapshot(ctxOf(c), id);
    if (s.metadata[key] === undefined) throw notFound(`Snapshot ${id} has no metadata with key ${key}.`);
    const { [key]: _, ...rest } = s.metadata;
    await saveSnapshot(ctxOf(c), s, { metadata: rest });
    return c.body(null, 200);
  });
