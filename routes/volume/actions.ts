import { attachVolume, attachmentsOf, detachVolume } from '../../src/compute/volume-attachments.ts';
import { badRequest, notFound, notImplemented } from '../../src/core/faults.ts';
import { extendVolume, deleteVolume, uploadToImage } from '../../src/volume/lifecycle.ts';
import type { VolumeRecord } from '../../src/volume/model.ts';
import { type VolumeContext, getVolume, saveVolume } from '../../src/volume/service.ts';
import { authOf } from '../compute/common.ts';
import { loadServer } from '../compute/server-common.ts';
import { type Ctx, ProjectId, accepted202, boolOf, ctxOf, jsonBody, metadataOf, ok, requireAdmin, route, router, viewerOf } from './common.ts';

// POST /volumes/{id}/action (cinder/api/contrib/volume_actions.py, admin_actions.py): the
// body's one key names the action.

type Handler = (a: { c: Ctx; ctx: VolumeContext; r: VolumeRecord; body: unknown }) => Promise<Response | undefined>;

const STATUSES = new Set(['available', 'in-use', 'error', 'creating', 'deleting', 'attaching', 'detaching', 'error_deleting', 'maintenance', 'reserved', 'error_extending', 'extending']);
const args = (body: unknown): Record<string, unknown> => (body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {});

function positiveInt(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 1) throw badRequest(`Invalid input for field/attribute ${what}. Value: ${JSON.stringify(v)}.`);
  return n;
}

/**
 * Detaches the volume from its server (the one `attachmentId` names, if given). As in
 * Cinder, detaching a volume that is not attached only settles its status.
 */
async function detach({ c, ctx, r }: Parameters<Handler>[0], attachmentId: unknown): Promise<void> {
  const att = r.attachments.find((x) => attachmentId === undefined || attachmentId === null || x.attachmentId === attachmentId);
  if (att) {
    const server = await loadServer(c, att.serverId);
    const a = attachmentsOf(server.vm, server.id, [r]).find((x) => x.volumeId === r.id);
    if (a) await detachVolume(authOf(c).kube, server, server.vm, a);
  } else if (typeof attachmentId === 'string' && r.attachments.length) {
    throw notFound(`Attachment ${attachmentId} could not be found.`);
  }
  // A status an admin set (or a begin_detaching) ends with the detach.
  const fresh = await getVolume(ctx, r.id);
  if (fresh.status !== 'available') await saveVolume(ctx, fresh, { status: null });
}

const ACTIONS: Record<string, Handler> = {
  async 'os-extend'({ c, ctx, r, body }) {
    await extendVolume(ctx, r, positiveInt(args(body).new_size, 'new_size'), viewerOf(c).version.atLeast('3.42'));
    return undefined;
  },
  async 'os-set_bootable'({ c, ctx, r, body }) {
    const v = args(body).bootable;
    if (v === undefined) throw badRequest("Invalid input for field/attribute os-set_bootable. 'bootable' is a required property");
    await saveVolume(ctx, r, { bootable: boolOf(v, 'bootable') });
    return c.body(null, 200);
  },
  async 'os-update_readonly_flag'({ ctx, r, body }) {
    const v = args(body).readonly;
    if (v === undefined) throw badRequest("Invalid input for field/attribute os-update_readonly_flag. 'readonly' is a required property");
    // Cinder keeps the flag in admin metadata and shows it as metadata `readonly`.
    await saveVolume(ctx, r, { metadata: { ...r.metadata, readonly: boolOf(v, 'readonly') ? 'True' : 'False' } });
    return undefined;
  },
  async 'os-reset_status'({ c, ctx, r, body }) {
    requireAdmin(c, 'volume_extension:volume_admin_actions:reset_status');
    const status = args(body).status;
    if (typeof status !== 'string' || !STATUSES.has(status)) throw badRequest(`Invalid input for field/attribute status. Value: ${JSON.stringify(status)}.`);
    await saveVolume(ctx, r, { status });
    return undefined;
  },
  async 'os-force_delete'({ c, ctx, r }) {
    requireAdmin(c, 'volume_extension:volume_admin_actions:force_delete');
    await deleteVolume(ctx, r, { cascade: true, force: true });
    return undefined;
  },
  async 'os-reserve'({ ctx, r }) {
    if (r.status !== 'available') throw badRequest(`Invalid volume: Volume ${r.id} status must be available to reserve, but the current status is ${r.status}.`);
    await saveVolume(ctx, r, { status: 'attaching' });
    return undefined;
  },
  async 'os-unreserve'({ ctx, r }) {
    if (r.status === 'attaching') await saveVolume(ctx, r, { status: null });
    return undefined;
  },
  async 'os-begin_detaching'({ ctx, r }) {
    if (r.status !== 'in-use') throw badRequest(`Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.`);
    await saveVolume(ctx, r, { status: 'detaching' });
    return undefined;
  },
  async 'os-roll_detaching'({ ctx, r }) {
    if (r.status === 'detaching') await saveVolume(ctx, r, { status: null });
    return undefined;
  },
  // The legacy attach flow (os-attach/os-detach) is the same fact as Nova's: a VM volume.
  async 'os-attach'({ c, r, body }) {
    const a = args(body);
    if (typeof a.instance_uuid !== 'string') throw badRequest('Invalid request to attach volume: instance_uuid is required (volumes attach to servers here).');
    const server = await loadServer(c, a.instance_uuid);
    const current = attachmentsOf(server.vm, server.id, [r]);
    await attachVolume(authOf(c).kube, server, server.vm, r, current, { device: typeof a.mountpoint === 'string' ? a.mountpoint : undefined });
    return undefined;
  },
  async 'os-detach'(a) {
    await detach(a, args(a.body).attachment_id);
    return undefined;
  },
  async 'os-force_detach'(a) {
    requireAdmin(a.c, 'volume_extension:volume_admin_actions:force_detach');
    await detach(a, args(a.body).attachment_id);
    return undefined;
  },
  async 'os-set_image_metadata'({ c, ctx, r, body }) {
    const meta = metadataOf(args(body).metadata);
    const saved = await saveVolume(ctx, r, { imageMetadata: { ...(r.imageMetadata ?? {}), ...meta } });
    return c.json({ metadata: saved.imageMetadata ?? {} }, 200);
  },
  async 'os-unset_image_metadata'({ c, ctx, r, body }) {
    const key = args(body).key;
    if (typeof key !== 'string') throw badRequest("Invalid input for field/attribute os-unset_image_metadata. 'key' is a required property");
    if (r.imageMetadata?.[key] === undefined) throw notFound(`Glance metadata for volume ${r.id} with key ${key} cannot be found.`);
    const { [key]: _, ...rest } = r.imageMetadata;
    await saveVolume(ctx, r, { imageMetadata: rest });
    return c.body(null, 200);
  },
  async 'os-show_image_metadata'({ c, r }) {
    return c.json({ metadata: r.imageMetadata ?? {} }, 200);
  },
  async 'os-volume_upload_image'({ c, ctx, r, body }) {
    const a = args(body);
    const imageName = a.image_name;
    if (typeof imageName !== 'string' || !imageName) throw badRequest('No image_name was specified in request.');
    const force = a.force !== undefined ? boolOf(a.force, 'force') : false;
    if (r.status === 'in-use' && !force) throw badRequest(`Invalid volume: Volume ${r.id} status must be available, but current status is: in-use.`);
    const visibility = (a.visibility as string | undefined) ?? 'private';
    if (!['private', 'public', 'shared', 'community'].includes(visibility)) throw badRequest(`Invalid visibility: ${visibility}`);
    const diskFormat = typeof a.disk_format === 'string' ? a.disk_format : 'raw';
    const containerFormat = typeof a.container_format === 'string' ? a.container_format : 'bare';
    const image = await uploadToImage(ctx, r, {
      imageName,
      diskFormat,
      containerFormat,
      visibility: visibility as 'private',
      protected: a.protected !== undefined ? boolOf(a.protected, 'protected') : false,
    });
    const view: Record<string, unknown> = {
      id: r.id,
      updated_at: r.updatedAt,
      status: 'uploading',
      display_description: r.description,
      size: r.size,
      volume_type: r.typeName ? { name: r.typeName } : null,
      image_id: image.id,
      container_format: containerFormat,
      disk_format: diskFormat,
      image_name: imageName,
    };
    if (viewerOf(c).version.atLeast('3.1')) {
      view.visibility = visibility;
      view.protected = image.protected;
    }
    return c.json({ 'os-volume_upload_image': view }, 202);
  },
};

/** Actions Cinder has that need what Dicot does not model (hosts, backends, connectors). */
const UNSUPPORTED = new Set(['os-retype', 'os-migrate_volume', 'os-migrate_volume_completion', 'os-initialize_connection', 'os-terminate_connection', 'revert', 'os-reimage']);

const actionRoute = route('post', '/{project_id}/volumes/{id}/action', 'volume actions', 'Perform a volume action', { ...ok('Action result'), ...accepted202('Accepted') }, ProjectId);

export const volumeActionRoutes = router().openapi(actionRoute, async (c) => {
  const raw = await jsonBody(c);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('Malformed request body');
  const keys = Object.keys(raw);
  if (keys.length !== 1) throw badRequest('Malformed request body: exactly one action is expected.');
  const name = keys[0] as string;
  if (UNSUPPORTED.has(name)) throw notImplemented(`The volume action ${name} is not supported by this cloud: KubeVirt attaches volumes, not hosts or connectors.`);
  const handler = ACTIONS[name];
  if (!handler) throw badRequest(`There is no such action: ${name}`);
  const ctx = ctxOf(c);
  const r = await getVolume(ctx, c.req.valid('param').id);
  const res = await handler({ c, ctx, r, body: (raw as Record<string, unknown>)[name] });
  return (res ?? c.body(null, 202)) as never;
});
