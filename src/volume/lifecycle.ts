import { badRequest } from '../core/faults.ts';
import { importFromVolume } from '../image/data.ts';
import { DEFAULT_FIELDS } from '../image/rules.ts';
import { createImage, imageContext } from '../image/service.ts';
import { NotFoundError, R } from '../kube/index.ts';
import type { VolumeRecord } from './model.ts';
import { checkQuota } from './quotas.ts';
import { type VolumeContext, findType, listSnapshots, volumeNotFound, writer } from './service.ts';

// What happens to a volume after it exists: delete (cascade, force), extend, upload to an
// image. Each checks Cinder's preconditions first, so a refused request changes nothing.

const DELETABLE = new Set(['available', 'error', 'error_restoring', 'error_extending', 'error_managing', 'creating']);
const deleteRefused = () =>
  badRequest(
    'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
  );

export async function deleteVolume(ctx: VolumeContext, r: VolumeRecord, opts: { cascade: boolean; force: boolean }): Promise<void> {
  if (r.attachments.length) throw deleteRefused();
  if (!opts.force && !DELETABLE.has(r.status)) throw deleteRefused();
  const client = await writer(ctx, r.namespace);
  const snaps = (await listSnapshots(ctx, { namespace: r.namespace })).filter((s) => s.volumeId === r.id);
  if (snaps.length && !opts.cascade) throw deleteRefused();
  await Promise.all(snaps.map((s) => client.delete(R.volumeSnapshots, s.object, { namespace: s.namespace }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)))));
  // The PVC is owned by the DataVolume: garbage collection removes it.
  await client.delete(R.dataVolumes, r.object, { namespace: r.namespace, propagationPolicy: 'Background' }).catch((e: unknown) => {
    if (e instanceof NotFoundError) throw volumeNotFound(r.id);
    throw e;
  });
}

/** os-extend: the PVC's request grows; the CSI resizer (the sandbox's too) follows. */
export async function extendVolume(ctx: VolumeContext, r: VolumeRecord, newSize: number, allowInUse: boolean): Promise<void> {
  if (r.status !== 'available' && !(allowInUse && r.status === 'in-use')) {
    throw badRequest(`Invalid volume: Volume ${r.id} status must be '${allowInUse ? 'available or in-use' : 'available'}' to extend, currently ${r.status}.`);
  }
  if (newSize <= r.size) throw badRequest(`Invalid input received: New size for extend must be greater than current size. (current: ${r.size}, extended: ${newSize}).`);
  const type = r.typeName ? await findType(ctx, r.typeName) : undefined;
  if (type && !type.allowExpansion) throw badRequest(`Invalid volume: the storage class ${type.name} of volume ${r.id} does not allow expansion.`);
  await checkQuota(ctx, r.namespace, { gigabytes: newSize - r.size, size: newSize, ...(r.typeName ? { typeName: r.typeName } : {}) });
  const client = await writer(ctx, r.namespace);
  await client.patch(R.pvcs, r.object, { spec: { resources: { requests: { storage: `${newSize}Gi` } } } }, { namespace: r.namespace, type: 'merge' });
}

export interface UploadRequest {
  imageName: string;
  diskFormat: string;
  containerFormat: string;
  visibility: 'private' | 'public' | 'shared' | 'community';
  protected: boolean;
}

/** os-volume_upload_image: a Glance image whose data is a clone of the volume's PVC. */
export async function uploadToImage(ctx: VolumeContext, r: VolumeRecord, req: UploadRequest) {
  if (r.status !== 'available' && r.status !== 'in-use') throw badRequest(`Invalid volume: Volume ${r.id} status must be available or in-use, but current status is: ${r.status}.`);
  const ictx = imageContext(ctx.c);
  const fields = {
    ...DEFAULT_FIELDS(ctx.caller.projectId),
    name: req.imageName,
    diskFormat: req.diskFormat,
    containerFormat: req.containerFormat,
    visibility: req.visibility,
    protected: req.protected,
    minDisk: r.size,
  };
  const image = await createImage(ictx, fields, undefined);
  const done = await importFromVolume(ictx, image, { namespace: r.namespace, name: r.object }, r.size * 2 ** 30);
  return done;
}
