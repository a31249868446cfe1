import { attachmentsOf, attachVolume, detachVolume } from '../../src/compute/volume-attachments.ts';
import { badRequest, notFound } from '../../src/core/faults.ts';
import type { VolumeRecord } from '../../src/volume/model.ts';
import { cinderTime } from '../../src/volume/model.ts';
import { pageRecords, parseListQuery } from '../../src/volume/query.ts';
import { getVolume, listVolumes } from '../../src/volume/service.ts';
import { authOf } from '../compute/common.ts';
import { loadServer } from '../compute/server-common.ts';
import { type Ctx, ctxOf, empty204, entity, ok, ProjectId, queryOf, route, router, viewerOf } from './common.ts';

// /attachments (3.27+, cinder/api/v3/attachments.py): the same facts as Nova's
// os-volume_attachments — a volume in a VM's spec — seen from Cinder. Creating one with an
// instance attaches the volume to that server (KubeVirt addvolume); deleting detaches it.
// Cinder's connector-only reservations (no server) have no Kubernetes meaning: 400.

const W = 'attachments';
const listRoute = route('get', '/{project_id}/attachments', W, 'List attachments (3.27)', ok('Attachments'));
const detailRoute = route('get', '/{project_id}/attachments/detail', W, 'List attachments with details (3.27)', ok('Attachments'));
const showRoute = route('get', '/{project_id}/attachments/{id}', W, 'Show an attachment (3.27)', ok('Attachment'), ProjectId);
const createRoute = route('post', '/{project_id}/attachments', W, 'Attach a volume to a server (3.27)', ok('Attachment'));
const updateRoute = route('put', '/{project_id}/attachments/{id}', W, 'Update an attachment with a connector (3.27)', ok('Attachment'), ProjectId);
const completeRoute = route('post', '/{project_id}/attachments/{id}/action', W, 'os-complete (3.44)', empty204('Completed'), ProjectId);
const deleteRoute = route('delete', '/{project_id}/attachments/{id}', W, 'Detach (3.27)', ok('Remaining attachments of the volume'), ProjectId);

interface Row {
  id: string;
  volumeId: string;
  serverId: string;
  attachedAt: string | null;
  device: string | null;
  volume: VolumeRecord;
  // Sortable fields for the shared list helper.
  name: string | null;
  status: string;
  createdAt: string;
  updatedAt: string | null;
  size: number;
}

function rowsOf(volumes: VolumeRecord[]): Row[] {
  return volumes.flatMap((v) =>
    v.attachments.map((a) => ({
      id: a.attachmentId,
      volumeId: v.id,
      serverId: a.serverId,
      attachedAt: a.attachedAt,
      device: a.device,
      volume: v,
      name: null,
      status: 'attached',
      createdAt: a.attachedAt ?? v.createdAt,
      updatedAt: null,
      size: v.size,
    })),
  );
}

const summary = (r: Row) => ({ id: r.id, status: 'attached', instance: r.serverId, volume_id: r.volumeId });
const detail = (r: Row) => ({
  ...summary(r),
  attach_mode: 'rw',
  attached_at: r.attachedAt ? cinderTime(r.attachedAt) : null,
  detached_at: null,
  // What a consumer needs to find the disk: the PVC (KubeVirt attaches it, not a host).
  connection_info: { driver_volume_type: 'kubernetes_pvc', data: { claim_name: r.volume.object, namespace: r.volume.namespace, device: r.device } },
});

function require327(c: Ctx): void {
  if (!viewerOf(c).version.atLeast('3.27')) throw notFound('The resource could not be found.');
}

async function rows(c: Ctx): Promise<Row[]> {
  return rowsOf(await listVolumes(ctxOf(c), { namespace: await ctxOf(c).namespace() }));
}

async function findRow(c: Ctx, id: string): Promise<Row> {
  const row = (await rows(c)).find((r) => r.id === id);
  if (!row) throw notFound(`Attachment ${id} could not be found.`);
  return row;
}

async function list(c: Ctx, detailed: boolean) {
  require327(c);
  const query = parseListQuery(queryOf(c));
  const all = (await rows(c)).filter((r) => (query.filters.volume_id ? r.volumeId === query.filters.volume_id : true) && (query.filters.instance_id ? r.serverId === query.filters.instance_id : true));
  const page = pageRecords(all, query, 'attachments');
  return c.json({ attachments: page.items.map(detailed ? detail : summary) }, 200);
}

export const attachmentRoutes = router()
  .openapi(listRoute, (c) => list(c, false))
  .openapi(detailRoute, (c) => list(c, true))
  .openapi(showRoute, async (c) => {
    require327(c);
    return c.json({ attachment: detail(await findRow(c, c.req.valid('param').id)) }, 200);
  })
  .openapi(createRoute, async (c) => {
    require327(c);
    const req = await entity(c, 'attachment');
    const volumeId = req.volume_uuid;
    const serverId = req.instance_uuid;
    if (typeof volumeId !== 'string') throw badRequest("Invalid input for field/attribute attachment. 'volume_uuid' is a required property");
    if (typeof serverId !== 'string') throw badRequest('Invalid input received: instance_uuid is required: volumes attach to servers (KubeVirt VMs) here.');
    const volume = await getVolume(ctxOf(c), volumeId);
    const server = await loadServer(c, serverId);
    await attachVolume(authOf(c).kube, server, server.vm, volume, attachmentsOf(server.vm, server.id, [volume]));
    const row = (await rows(c)).find((r) => r.volumeId === volume.id && r.serverId === server.id);
    if (!row) throw notFound(`Volume ${volume.id} is not attached to the server ${server.id}`);
    return c.json({ attachment: detail(row) }, 200);
  })
  .openapi(updateRoute, async (c) => {
    require327(c);
    await entity(c, 'attachment');
    return c.json({ attachment: detail(await findRow(c, c.req.valid('param').id)) }, 200);
  })
  .openapi(completeRoute, async (c) => {
    if (!viewerOf(c).version.atLeast('3.44')) throw notFound('The resource could not be found.');
    await findRow(c, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(deleteRoute, async (c) => {
    require327(c);
    const row = await findRow(c, c.req.valid('param').id);
    const server = await loadServer(c, row.serverId);
    const a = attachmentsOf(server.vm, server.id, [row.volume]).find((x) => x.volumeId === row.volumeId);
    if (!a) throw notFound(`Attachment ${row.id} could not be found.`);
    await detachVolume(authOf(c).kube, server, server.vm, a);
    const rest = (await rows(c)).filter((r) => r.volumeId === row.volumeId && r.id !== row.id);
    return c.json({ attachments: rest.map(summary) }, 200);
  });
