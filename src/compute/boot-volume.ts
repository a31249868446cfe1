import type { Context } from 'hono';
import type { GatewayEnv } from '../core/context.ts';
import { badRequest } from '../core/faults.ts';
import { NotFoundError, R } from '../kube/index.ts';
import { createVolume } from '../volume/create.ts';
import { ATTACH_CLAIMS, ATTACH_DELETE, ATTACH_DEVICES } from '../volume/model.ts';
import type { VolumeRecord } from '../volume/model.ts';
import { getSnapshot, getVolume, volumeContext } from '../volume/service.ts';
import { type BootImage, resolveBootImage } from './images.ts';
import { type VirtualMachine, vmOwnerRef } from './model.ts';

// Boot from volume (`block_device_mapping_v2` with a boot_index 0 volume): the VM's root
// disk is a Cinder volume's PVC, an existing one (source volume) or a new one made from an
// image or a snapshot. `delete_on_termination` makes the VM own the new volume, so deleting
// the server deletes it.

export interface Bdm {
  boot_index?: number | string | null | undefined;
  uuid?: string | undefined;
  source_type?: string | undefined;
  destination_type?: string | undefined;
  volume_size?: number | string | undefined;
  delete_on_termination?: boolean | undefined;
}

export interface RootVolume {
  volumeId: string;
  namespace: string;
  /** The PVC (and DataVolume) name. */
  claim: string;
  deleteOnTermination: boolean;
  /** Made for this server: removed again when the server cannot be created. */
  created: boolean;
  /** The root disk's source as compute describes boot sources (no image: id ''). */
  image: BootImage;
}


const isRoot = (b: Bdm) => String(b.boot_index ?? '') === '0' && b.destination_type === 'volume';

export interface RootVolumePlan {
  /** What compute checks against the flavor (and records as the server's image). */
  image: BootImage;
  /** Makes (or takes) the volume: called once every other check has passed. */
  make(): Promise<RootVolume>;
}

/**
 * The root volume the mappings ask for, checked but not yet made; undefined when the
 * server boots from an image. Nothing is written until `make()`.
 */
export async function rootVolume(c: Context<GatewayEnv>, bdms: Bdm[], count: number): Promise<RootVolumePlan | undefined> {
  const root = bdms.find(isRoot);
  if (!root) return undefined;
  if (count > 1) throw badRequest('Booting more than one server from one volume mapping is not supported: create them one at a time.');
  const uuid = root.uuid;
  if (!uuid) throw badRequest('Block Device Mapping is Invalid: uuid is required for a volume boot device.');
  const ctx = volumeContext(c);
  const size = root.volume_size !== undefined ? Number(root.volume_size) : undefined;
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) throw badRequest(`Block Device Mapping is Invalid: volume_size ${root.volume_size} is not a positive integer.`);
  const result = (volume: VolumeRecord, created: boolean): RootVolume => ({
    volumeId: volume.id,
    namespace: volume.namespace,
    claim: volume.object,
    deleteOnTermination: root.delete_on_termination === true,
    created,
    image: volumeImage(volume),
  });
  const base = { name: null, description: null, metadata: {}, zone: undefined, type: undefined, imageRef: undefined, snapshotId: undefined, sourceVolid: undefined };
  switch (root.source_type) {
    case 'volume': {
      const volume = await getVolume(ctx, uuid).catch(() => {
        throw badRequest(`Block Device Mapping is Invalid: failed to get volume ${uuid}.`);
      });
      if (volume.status !== 'available') throw badRequest(`Block Device Mapping is Invalid: volume ${volume.id} status must be available, but is ${volume.status}.`);
      if (!volume.bootable) throw badRequest(`Block Device ${volume.id} is not bootable.`);
      return { image: volumeImage(volume), make: async () => result(volume, false) };
    }
    case 'image': {
      const image = await resolveBootImage(c, uuid);
      if (image?.status !== 'active') throw badRequest(`Block Device Mapping is Invalid: image ${uuid} is not an active image.`);
      const gib = Math.max(size ?? 1, image.minDisk, Math.ceil((image.sizeBytes ?? 0) / 2 ** 30));
      // Nova shows no image for a volume-booted server: the image only seeds the volume.
      return { image: { ...image, id: '' }, make: async () => result(await createVolume(ctx, { ...base, size: gib, imageRef: uuid }), true) };
    }
    case 'snapshot': {
      const snap = await getSnapshot(ctx, uuid).catch(() => {
        throw badRequest(`Block Device Mapping is Invalid: failed to get snapshot ${uuid}.`);
      });
      const fromSnapshot: BootImage = { id: '', name: snap.name ?? '', status: 'active', minDisk: 0, minRam: 0, sizeBytes: undefined, source: { kind: 'pvc', namespace: snap.namespace, name: snap.object } };
      return { image: fromSnapshot, make: async () => result(await createVolume(ctx, { ...base, size, snapshotId: uuid }), true) };
    }
    default:
      throw badRequest(`Block Device Mapping is Invalid: source_type ${root.source_type} cannot be a boot volume.`);
  }
}

/** A volume as a boot source: its PVC (Nova shows no image for a volume-booted server). */
function volumeImage(volume: VolumeRecord): BootImage {
  return {
    id: '',
    name: volume.name ?? '',
    status: 'active',
    minDisk: 0,
    minRam: Number(volume.imageMetadata?.min_ram ?? 0) || 0,
    sizeBytes: undefined,
    source: { kind: 'pvc', namespace: volume.namespace, name: volume.object },
  };
}

/** VM annotations for a volume-booted server: the root volume's device. */
export const rootVolumeAnnotations = (r: RootVolume) => ({
  [ATTACH_DEVICES]: JSON.stringify({ [r.volumeId]: '/dev/vda' }),
  [ATTACH_CLAIMS]: JSON.stringify({ [r.claim]: r.volumeId }),
  ...(r.deleteOnTermination ? { [ATTACH_DELETE]: JSON.stringify({ [r.volumeId]: 'true' }) } : {}),
});

/** After the VM exists: `delete_on_termination` gives the volume to the VM (garbage collection). */
export async function claimRootVolume(c: Context<GatewayEnv>, r: RootVolume, vm: VirtualMachine): Promise<void> {
  if (!r.deleteOnTermination) return;
  const kube = c.get('auth')?.kube;
  if (!kube) return;
  await kube.patch(R.dataVolumes, r.claim, { metadata: { ownerReferences: [vmOwnerRef(vm)] } }, { namespace: r.namespace, type: 'merge' });
}

/** The server could not be made: a volume made for it goes too. */
export async function releaseRootVolume(c: Context<GatewayEnv>, r: RootVolume): Promise<void> {
  if (!r.created) return;
  const kube = c.get('auth')?.kube;
  await kube?.delete(R.dataVolumes, r.claim, { namespace: r.namespace, propagationPolicy: 'Background' }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
}
