import { createRoute, z } from '@hono/zod-openapi';
import { type VolumeAttachment, attachVolume, attachmentsOf, detachVolume } from '../../src/compute/volume-attachments.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { ApiFault, badRequest, notFound, notImplemented } from '../../src/core/faults.ts';
import type { ApiVersion } from '../../src/core/microversion.ts';
import { getVolume, listVolumes, volumeContext } from '../../src/volume/service.ts';
import { type Ctx, authOf, checkQuery, jsonBody, queryOf, requireAdmin, router, versionOf } from './common.ts';
import { AnyObject, Query, ServerIdParam, json } from './schemas/common.ts';
import { checkLock, loadServer } from './server-common.ts';

// /servers/{id}/os-volume_attachments (nova/api/openstack/compute/volumes.py): attach, list,
// show, detach Cinder volumes. Views per microversion: `tag` (2.70), `delete_on_termination`
// (2.79), `attachment_id` + `bdm_uuid` instead of `id` (2.89).

const tags = ['compute: volume attachments'];
const VolParam = ServerIdParam.extend({ volume_id: z.string().min(1) });
const Body = z.record(z.string(), z.unknown());
/** limit/offset paging of the list (from 2.75 nothing else). */
const ListQuery = Query({ limit: z.string().optional(), offset: z.string().optional() });
/** Keys of the attach body per version (tag 2.49, delete_on_termination 2.79). */
const ATTACH_KEYS: [string, string][] = [
  ['volumeId', '2.1'],
  ['device', '2.1'],
  ['tag', '2.49'],
  ['delete_on_termination', '2.79'],
];
const nonNegative = (name: string, raw: string | null): number | undefined => {
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`);
  return Number(raw);
};
const r = {
  list: createRoute({ method: 'get', path: '/servers/{server_id}/os-volume_attachments', tags, summary: 'List volume attachments', request: { params: ServerIdParam, query: ListQuery }, responses: { 200: json(AnyObject, 'Attachments') } }),
  show: createRoute({ method: 'get', path: '/servers/{server_id}/os-volume_attachments/{volume_id}', tags, summary: 'Show a volume attachment', request: { params: VolParam }, responses: { 200: json(AnyObject, 'Attachment') } }),
  attach: createRoute({
    method: 'post',
    path: '/servers/{server_id}/os-volume_attachments',
    tags,
    summary: 'Attach a volume (KubeVirt addvolume)',
    request: { params: ServerIdParam, body: { content: { 'application/json': { schema: Body } }, required: false } },
    responses: { 200: json(AnyObject, 'Attachment') },
  }),
  swap: createRoute({
    method: 'put',
    path: '/servers/{server_id}/os-volume_attachments/{volume_id}',
    tags,
    summary: 'Swap a volume (not supported)',
    request: { params: VolParam, body: { content: { 'application/json': { schema: Body } }, required: false } },
    responses: { 202: { description: 'Never' } },
  }),
  detach: createRoute({ method: 'delete', path: '/servers/{server_id}/os-volume_attachments/{volume_id}', tags, summary: 'Detach a volume (KubeVirt removevolume)', request: { params: VolParam }, responses: { 202: { description: 'Detaching' } } }),
};

function view(v: ApiVersion, a: VolumeAttachment): Record<string, unknown> {
  const out: Record<string, unknown> = v.atLeast('2.89') ? {} : { id: a.volumeId };
  Object.assign(out, { serverId: a.serverId, volumeId: a.volumeId, device: a.device });
  if (v.atLeast('2.70')) out.tag = null;
  if (v.atLeast('2.79')) out.delete_on_termination = a.deleteOnTermination;
  if (v.atLeast('2.89')) {
    out.attachment_id = a.volumeId;
    out.bdm_uuid = null;
  }
  return out;
}

async function attachmentsFor(c: Ctx, s: ServerRecord): Promise<VolumeAttachment[]> {
  const volumes = await listVolumes(volumeContext(c), { namespace: s.namespace });
  return attachmentsOf(s.vm, s.id, volumes);
}

async function find(c: Ctx, s: ServerRecord, volumeId: string): Promise<VolumeAttachment> {
  const a = (await attachmentsFor(c, s)).find((x) => x.volumeId === volumeId);
  if (!a) throw notFound(`Volume ${volumeId} is not attached to the server ${s.id}`);
  return a;
}

export const volumeAttachmentRoutes = router()
  .openapi(r.list, async (c) => {
    checkQuery(c, ListQuery);
    const q = queryOf(c);
    const limit = nonNegative('limit', q.get('limit'));
    const offset = nonNegative('offset', q.get('offset')) ?? 0;
    const s = await loadServer(c, c.req.valid('param').server_id);
    const v = versionOf(c);
    const all = await attachmentsFor(c, s);
    const page = all.slice(offset, limit === undefined ? undefined : offset + limit);
    return c.json({ volumeAttachments: page.map((a) => view(v, a)) }, 200);
  })
  .openapi(r.show, async (c) => {
    const { server_id, volume_id } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    return c.json({ volumeAttachment: view(versionOf(c), await find(c, s, volume_id)) }, 200);
  })
  .openapi(r.attach, async (c) => {
    const raw = (await jsonBody(c)) as Record<string, unknown> | null;
    const req = raw?.volumeAttachment as Record<string, unknown> | undefined;
    if (!req || typeof req !== 'object') throw badRequest("Invalid input for field/attribute volumeAttachment. 'volumeAttachment' is a required property");
    const volumeId = req.volumeId;
    if (typeof volumeId !== 'string') throw badRequest("Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property");
    const v = versionOf(c);
    const allowed = new Set(ATTACH_KEYS.filter(([, since]) => v.atLeast(since)).map(([k]) => k));
    const extra = Object.keys(req).find((k) => !allowed.has(k));
    if (extra) throw badRequest(`Invalid input for field/attribute volumeAttachment. Additional properties are not allowed ('${extra}' was unexpected)`);
    const dot = req.delete_on_termination;
    if (dot !== undefined && typeof dot !== 'boolean') throw badRequest(`Invalid input for field/attribute delete_on_termination. Value: ${JSON.stringify(dot)}. ${JSON.stringify(dot)} is not of type 'boolean'`);
    const s = await loadServer(c, c.req.valid('param').server_id);
    checkLock(c, s);
    const vctx = volumeContext(c);
    const volume = await getVolume(vctx, volumeId);
    const current = attachmentsOf(s.vm, s.id, [volume]);
    const a = await attachVolume(authOf(c).kube, s, s.vm, volume, current, { deleteOnTermination: dot === true });
    return c.json({ volumeAttachment: view(v, a) }, 200);
  })
  .openapi(r.swap, async (c) => {
    // Nova's order: its admin-only policy, the attachment named in the URI (404), then the new volume (400), then the swap.
    requireAdmin(authOf(c), 'os_compute_api:os-volumes-attachments:swap');
    const { server_id, volume_id } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    await find(c, s, volume_id);
    const req = ((await jsonBody(c)) as { volumeAttachment?: { volumeId?: unknown } } | null)?.volumeAttachment;
    if (typeof req?.volumeId !== 'string') throw badRequest("Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property");
    await getVolume(volumeContext(c), req.volumeId).catch((err: unknown) => {
      throw err instanceof ApiFault && err.status === 404 ? badRequest(`Volume ${req.volumeId} could not be found.`) : err;
    });
    throw notImplemented('Swapping a volume is not supported: detach one and attach the other.');
  })
  .openapi(r.detach, async (c) => {
    const { server_id, volume_id } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    checkLock(c, s);
    await detachVolume(authOf(c).kube, s, s.vm, await find(c, s, volume_id));
    return c.body(null, 202);
  });
