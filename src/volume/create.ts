import { listNodes, zoneOfNode } from '../compute/zones.ts';
import { badRequest, notFound } from '../core/faults.ts';
import { resolveBootImage } from '../image/boot.ts';
import { R } from '../kube/index.ts';
import { type DataVolume, VA, VL, type VolumeRecord, objectName, toVolume } from './model.ts';
import { checkQuota } from './quotas.ts';
import { type VolumeContext, defaultType, findType, getSnapshot, getVolume, present, writer } from './service.ts';

// Volume create: blank, from an image (a clone of the image's PVC, or its registry disk),
// from a snapshot (a VolumeSnapshot source) or from another volume (a PVC clone). One
// DataVolume is the only object written; CDI makes the PVC, owned by it.

export interface VolumeCreate {
  size: number | undefined;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  zone: string | undefined;
  type: string | undefined;
  imageRef: string | undefined;
  snapshotId: string | undefined;
  sourceVolid: string | undefined;
}

/** The region's availability zones (node zones), sorted. */
export async function zonesOf(ctx: VolumeContext): Promise<string[]> {
  return [...new Set((await listNodes(ctx.gw)).map(zoneOfNode))].sort();
}

/** Cinder's default zone is `nova`; a cluster without one uses its first node zone. */
export const defaultZone = (zones: string[]) => (zones.includes('nova') || zones.length === 0 ? 'nova' : (zones[0] as string));

const GiB = 2 ** 30;

export async function createVolume(ctx: VolumeContext, req: VolumeCreate): Promise<VolumeRecord> {
  const namespace = await ctx.namespace();
  const [snapshot, source, image, zones] = await Promise.all([
    req.snapshotId !== undefined ? getSnapshot(ctx, req.snapshotId) : undefined,
    req.sourceVolid !== undefined ? getVolume(ctx, req.sourceVolid) : undefined,
    req.imageRef !== undefined ? resolveBootImage(ctx.c, req.imageRef) : undefined,
    zonesOf(ctx),
  ]);
  if (req.imageRef !== undefined && !image) throw badRequest(`Invalid image identifier or unable to access requested image.`);
  if (image && image.status !== 'active') throw badRequest(`Image ${image.id} is not active.`);
  if (snapshot && snapshot.status !== 'available') throw badRequest(`Invalid snapshot: Originating snapshot status must be one of 'available' values`);
  if (source && !['available', 'in-use'].includes(source.status)) throw badRequest(`Invalid volume: Volume ${source.id} status must be available, but current status is: ${source.status}.`);

  const minSize = snapshot?.size ?? source?.size ?? 0;
  const size = req.size ?? (minSize || undefined);
  if (size === undefined) throw badRequest('Invalid input received: size is required when no source is given.');
  if (snapshot && size < snapshot.size) throw badRequest(`Invalid input received: Volume size '${size}'GB cannot be smaller than the snapshot size ${snapshot.size}GB. They must be >= original snapshot size.`);
  if (source && size < source.size) throw badRequest(`Invalid input received: Volume size '${size}'GB cannot be smaller than original volume size ${source.size}GB. They must be >= original volume size.`);
  if (image) {
    const imageGiB = Math.ceil((image.sizeBytes ?? 0) / GiB);
    if (size < image.minDisk) throw badRequest(`Invalid input received: Volume size ${size}GB cannot be smaller than the image minDisk size ${image.minDisk}GB.`);
    if (size < imageGiB) throw badRequest(`Invalid input received: Size of specified image ${imageGiB}GB is larger than volume size ${size}GB.`);
  }

  const zone = req.zone ?? defaultZone(zones);
  if (!zones.includes(zone) && !(zone === 'nova' && zones.length === 0)) throw badRequest(`Invalid input received: Availability zone '${zone}' is invalid.`);

  const sourceVolume = source ?? (snapshot ? await getVolume(ctx, snapshot.volumeId).catch(() => undefined) : undefined);
  const type = req.type !== undefined ? await findType(ctx, req.type) : sourceVolume?.typeName ? await findType(ctx, sourceVolume.typeName) : await defaultType(ctx);
  if (req.type !== undefined && !type) throw notFound(`Volume type with name ${req.type} could not be found.`);
  if (!type) throw badRequest('No volume type (StorageClass) is available in this region.');

  await checkQuota(ctx, namespace, { volumes: 1, gigabytes: size, size, typeName: type.object });

  const id = crypto.randomUUID();
  let dataSource: Record<string, unknown> = { blank: {} };
  if (snapshot) dataSource = { snapshot: { namespace: snapshot.namespace, name: snapshot.object } };
  else if (source) dataSource = { pvc: { namespace: source.namespace, name: source.object } };
  else if (image) dataSource = image.source.kind === 'pvc' ? { pvc: { namespace: image.source.namespace, name: image.source.name } } : { registry: { url: image.source.url } };
  const imageMetadata = image
    ? { image_id: image.id, image_name: image.name, min_disk: String(image.minDisk), min_ram: String(image.minRam), ...(image.sizeBytes !== undefined ? { size: String(image.sizeBytes) } : {}) }
    : (sourceVolume?.imageMetadata ?? undefined);
  const dv: DataVolume = {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: {
      name: objectName(req.name, id, 'volume'),
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'dicot', [VL.volumeId]: id },
      annotations: present({
        // Keep the DataVolume after it completes: it carries the Cinder fields.
        'cdi.kubevirt.io/storage.deleteAfterCompletion': 'false',
        [VA.name]: req.name,
        [VA.description]: req.description,
        [VA.metadata]: JSON.stringify(req.metadata),
        [VA.zone]: zone,
        [VA.bootable]: String(!!image || (sourceVolume?.bootable ?? false)),
        [VA.projectId]: ctx.caller.projectId ?? '',
        [VA.userId]: ctx.caller.userId,
        [VA.snapshotId]: snapshot?.id ?? null,
        [VA.sourceVolid]: source?.id ?? null,
        [VA.imageMetadata]: imageMetadata ? JSON.stringify(imageMetadata) : null,
      }),
    },
    spec: {
      source: dataSource,
      storage: { storageClassName: type.object, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${size}Gi` } } },
    },
  };
  const client = await writer(ctx, namespace);
  return toVolume(await client.create(R.dataVolumes, dv), undefined, []);
}
