import { badRequest, conflict, notFound } from '../core/faults.ts';
import { sha256Hex, slug } from '../core/names.ts';
import { AlreadyExistsError, NotFoundError, R } from '../kube/index.ts';
import { DEFAULT_CLASS, type StorageClass, VA, VOLUME_SELECTOR, type VolumeTypeRecord, toVolumeType } from './model.ts';
import { type VolumeContext, defaultType, findType, listTypes } from './service.ts';

// Volume types are StorageClasses. An admin's new type is a new StorageClass that copies an
// existing class (extra spec `storage_class`, else the default class): same provisioner and
// parameters, with the Cinder fields (description, extra specs, access) in annotations.

export const typeNotFound = (id: string) => notFound(`Volume type ${id} could not be found.`);

export async function getType(ctx: VolumeContext, id: string): Promise<VolumeTypeRecord> {
  const t = id === 'default' ? await defaultType(ctx) : await findType(ctx, id);
  if (!t) throw typeNotFound(id);
  return t;
}

/** A DNS-1123 object name for a Cinder type name: the name itself when valid, else slug + digest. */
export async function className(name: string): Promise<string> {
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 63) return name;
  return `${slug(name, 40, 'type')}-${await sha256Hex(name, 4)}`;
}

export interface TypeCreate {
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
}

export async function createType(ctx: VolumeContext, req: TypeCreate): Promise<VolumeTypeRecord> {
  const all = await ctx.gw.listAll<StorageClass>(R.storageClasses);
  if (all.items.some((sc) => toVolumeType(sc).name === req.name)) throw conflict(`Volume Type ${req.name} already exists.`);
  const baseName = req.extraSpecs.storage_class;
  const base = baseName ? all.items.find((sc) => sc.metadata.name === baseName) : (all.items.find((sc) => sc.metadata.annotations?.[DEFAULT_CLASS] === 'true') ?? all.items[0]);
  if (!base) throw badRequest(`Invalid input received: storage class ${baseName ?? '(default)'} does not exist.`);
  const sc: StorageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: await className(req.name),
      labels: { 'app.kubernetes.io/managed-by': 'dicot' },
      annotations: {
        [VA.name]: req.name,
        ...(req.description !== null ? { [VA.typeDescription]: req.description } : {}),
        [VA.isPublic]: String(req.isPublic),
        [VA.extraSpecs]: JSON.stringify(req.extraSpecs),
      },
    },
    ...(base.provisioner !== undefined ? { provisioner: base.provisioner } : {}),
    ...(base.parameters ? { parameters: base.parameters } : {}),
    ...(base.reclaimPolicy ? { reclaimPolicy: base.reclaimPolicy } : {}),
    ...(base.volumeBindingMode ? { volumeBindingMode: base.volumeBindingMode } : {}),
    ...(base.allowVolumeExpansion !== undefined ? { allowVolumeExpansion: base.allowVolumeExpansion } : {}),
  };
  try {
    return toVolumeType(await ctx.gw.create(R.storageClasses, sc));
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw conflict(`Volume Type ${req.name} already exists.`);
    throw e;
  }
}

/** Writes Cinder annotations of a type (null removes). */
export async function patchType(ctx: VolumeContext, t: VolumeTypeRecord, annotations: Record<string, string | null>): Promise<VolumeTypeRecord> {
  try {
    return toVolumeType(await ctx.gw.patch<StorageClass>(R.storageClasses, t.object, { metadata: { annotations } }, { type: 'merge' }));
  } catch (e) {
    if (e instanceof NotFoundError) throw typeNotFound(t.id);
    throw e;
  }
}

export async function deleteType(ctx: VolumeContext, t: VolumeTypeRecord): Promise<void> {
  // A class still holding volumes cannot go: their PVCs would name a missing class.
  const inUse = await ctx.gw.list(R.pvcs, { labelSelector: VOLUME_SELECTOR, limit: 500 });
  if (inUse.items.some((p) => (p as { spec?: { storageClassName?: string } }).spec?.storageClassName === t.object)) throw badRequest(`Target volume type is still in use.`);
  await ctx.gw.delete(R.storageClasses, t.object).catch((e: unknown) => {
    if (e instanceof NotFoundError) throw typeNotFound(t.id);
    throw e;
  });
}

export { listTypes };
