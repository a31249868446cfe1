import { createRoute, z } from '@hono/zod-openapi';
import { badRequest, notFound } from '../../src/core/faults.ts';
import { createVolume } from '../../src/volume/create.ts';
import { deleteVolume } from '../../src/volume/lifecycle.ts';
import { type SnapshotRecord, type VolumeRecord, cinderTime } from '../../src/volume/model.ts';
import { createSnapshot, deleteSnapshot, getSnapshot, getVolume, listSnapshots, listTypes, listVolumes, volumeContext } from '../../src/volume/service.ts';
import { type Ctx, parseBody, queryOf, router, versionOf } from './common.ts';
import { AnyObject, IdParam, body, json } from './schemas/common.ts';

// Nova's volume proxies (removed in 2.36): `os-volumes` and `os-snapshots` call the block
// storage service's own functions (src/volume) for the caller's project and answer in
// Nova's camelCase shapes (nova/api/openstack/compute/volumes.py).

const tags = ['compute: volume proxies'];
const VolList = z.object({ volumes: z.array(AnyObject) });
const VolOne = z.object({ volume: AnyObject });
const SnapList = z.object({ snapshots: z.array(AnyObject) });
const SnapOne = z.object({ snapshot: AnyObject });
const r = {
  list: createRoute({ method: 'get', path: '/os-volumes', tags, summary: 'List volumes (proxy, up to 2.35)', responses: { 200: json(VolList, 'Volumes') } }),
  detail: createRoute({ method: 'get', path: '/os-volumes/detail', tags, summary: 'List volumes with details (proxy, up to 2.35)', responses: { 200: json(VolList, 'Volumes') } }),
  show: createRoute({ method: 'get', path: '/os-volumes/{id}', tags, summary: 'Show a volume (proxy, up to 2.35)', request: { params: IdParam }, responses: { 200: json(VolOne, 'Volume') } }),
  create: createRoute({ method: 'post', path: '/os-volumes', tags, summary: 'Create a volume (proxy, up to 2.35)', request: body(AnyObject), responses: { 200: json(VolOne, 'Volume') } }),
  delete: createRoute({ method: 'delete', path: '/os-volumes/{id}', tags, summary: 'Delete a volume (proxy, up to 2.35)', request: { params: IdParam }, responses: { 202: { description: 'Accepted' } } }),
  snapList: createRoute({ method: 'get', path: '/os-snapshots', tags, summary: 'List snapshots (proxy, up to 2.35)', responses: { 200: json(SnapList, 'Snapshots') } }),
  snapDetail: createRoute({ method: 'get', path: '/os-snapshots/detail', tags, summary: 'List snapshots with details (proxy, up to 2.35)', responses: { 200: json(SnapList, 'Snapshots') } }),
  snapShow: createRoute({ method: 'get', path: '/os-snapshots/{id}', tags, summary: 'Show a snapshot (proxy, up to 2.35)', request: { params: IdParam }, responses: { 200: json(SnapOne, 'Snapshot') } }),
  snapCreate: createRoute({ method: 'post', path: '/os-snapshots', tags, summary: 'Create a snapshot (proxy, up to 2.35)', request: body(AnyObject), responses: { 200: json(SnapOne, 'Snapshot') } }),
  snapDelete: createRoute({ method: 'delete', path: '/os-snapshots/{id}', tags, summary: 'Delete a snapshot (proxy, up to 2.35)', request: { params: IdParam }, responses: { 202: { description: 'Accepted' } } }),
};

/** Nova's schemas (volumes.py): no other keys; size a positive integer or a string of digits. */
const Size = z.union([z.number().int(), z.string().regex(/^[0-9]+$/)]).transform(Number).pipe(z.number().int().min(1));
const VolumeCreate = z.strictObject({
  volume: z.strictObject({
    volume_type: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    snapshot_id: z.string().optional(),
    size: Size,
    availability_zone: z.string().optional(),
    display_name: z.string().optional(),
    display_description: z.string().optional(),
  }),
});
const SnapshotCreate = z.strictObject({
  snapshot: z.strictObject({
    volume_id: z.string(),
    force: z.union([z.boolean(), z.enum(['True', 'true', 'False', 'false', '1', '0'])]).optional(),
    display_name: z.string().optional(),
    display_description: z.string().optional(),
  }),
});

/** Nova's volume view; an unattached volume shows `attachments: [{}]`, as Nova does. */
export function novaVolume(v: VolumeRecord, typeName: string | null) {
  return {
    id: v.id,
    status: v.status,
    size: v.size,
    availabilityZone: v.zone,
    createdAt: cinderTime(v.createdAt),
    attachments: v.attachments.length ? v.attachments.map((a) => ({ id: v.id, volumeId: v.id, serverId: a.serverId, ...(a.device ? { device: a.device } : {}) })) : [{}],
    displayName: v.name,
    displayDescription: v.description,
    volumeType: typeName,
    snapshotId: v.snapshotId,
    metadata: v.metadata,
  };
}

export const novaSnapshot = (s: SnapshotRecord) => ({
  id: s.id,
  volumeId: s.volumeId,
  status: s.status,
  size: s.size,
  createdAt: cinderTime(s.createdAt),
  displayName: s.name,
  displayDescription: s.description,
});

/** The proxies end at 2.36; a trailing slash names an empty id (Nova's router finds nothing). */
function check(c: Ctx): void {
  if (versionOf(c).atLeast('2.36')) throw notFound('The resource could not be found.');
  if (new URL(c.req.url).pathname.endsWith('/')) throw notFound('The resource could not be found.');
}

/** Nova's common.limited: offset and limit (at most 1000). */
function limited<T>(c: Ctx, items: T[]): T[] {
  const q = queryOf(c);
  const int = (k: string, d: number) => {
    const raw = q.get(k);
    if (raw === null) return d;
    if (!/^\d+$/.test(raw)) throw badRequest(`${k} param must be an integer`);
    return Number(raw);
  };
  const offset = int('offset', 0);
  return items.slice(offset, offset + Math.min(int('limit', 1000), 1000));
}

async function typeNames(c: Ctx): Promise<Map<string, string>> {
  return new Map((await listTypes(volumeContext(c))).map((t) => [t.object, t.name]));
}

async function volumes(c: Ctx) {
  check(c);
  const ctx = volumeContext(c);
  const [all, names] = await Promise.all([listVolumes(ctx, { namespace: await ctx.namespace() }), typeNames(c)]);
  return c.json({ volumes: limited(c, all).map((v) => novaVolume(v, names.get(v.typeName ?? '') ?? v.typeName)) }, 200);
}

async function snapshots(c: Ctx) {
  check(c);
  const ctx = volumeContext(c);
  return c.json({ snapshots: limited(c, await listSnapshots(ctx, { namespace: await ctx.namespace() })).map(novaSnapshot) }, 200);
}

export const volumeProxyRoutes = router()
  .openapi(r.list, volumes)
  .openapi(r.detail, volumes)
  .openapi(r.show, async (c) => {
    check(c);
    const [v, names] = await Promise.all([getVolume(volumeContext(c), c.req.valid('param').id), typeNames(c)]);
    return c.json({ volume: novaVolume(v, names.get(v.typeName ?? '') ?? v.typeName) }, 200);
  })
  .openapi(r.create, async (c) => {
    check(c);
    const { volume: req } = parseBody(VolumeCreate, c.req.valid('json'));
    const v = await createVolume(volumeContext(c), {
      size: req.size,
      name: req.display_name ?? null,
      description: req.display_description ?? null,
      metadata: req.metadata ?? {},
      zone: req.availability_zone,
      type: req.volume_type,
      imageRef: undefined,
      snapshotId: req.snapshot_id,
      sourceVolid: undefined,
    });
    const names = await typeNames(c);
    return c.json({ volume: novaVolume(v, names.get(v.typeName ?? '') ?? v.typeName) }, 200);
  })
  .openapi(r.delete, async (c) => {
    check(c);
    const ctx = volumeContext(c);
    await deleteVolume(ctx, await getVolume(ctx, c.req.valid('param').id), { cascade: false, force: false });
    return c.body(null, 202);
  })
  .openapi(r.snapList, snapshots)
  .openapi(r.snapDetail, snapshots)
  .openapi(r.snapShow, async (c) => {
    check(c);
    return c.json({ snapshot: novaSnapshot(await getSnapshot(volumeContext(c), c.req.valid('param').id)) }, 200);
  })
  .openapi(r.snapCreate, async (c) => {
    check(c);
    const { snapshot: req } = parseBody(SnapshotCreate, c.req.valid('json'));
    const ctx = volumeContext(c);
    const force = req.force === true || req.force === 'True' || req.force === 'true' || req.force === '1';
    const s = await createSnapshot(ctx, { volume: await getVolume(ctx, req.volume_id), name: req.display_name ?? null, description: req.display_description ?? null, metadata: {}, force });
    return c.json({ snapshot: novaSnapshot(s) }, 200);
  })
  .openapi(r.snapDelete, async (c) => {
    check(c);
    const ctx = volumeContext(c);
    await deleteSnapshot(ctx, await getSnapshot(ctx, c.req.valid('param').id), false);
    return c.body(null, 202);
  });
