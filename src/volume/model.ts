import * as v from 'valibot';
import { jsonOf } from '../core/annotations.ts';
import { slug } from '../core/names.ts';
import { type KubeObject, quantityBytes } from '../kube/index.ts';

// How Cinder records live on Kubernetes objects, and the pure mapping back: a volume is a
// CDI DataVolume and the PVC it fills (same name), a snapshot a VolumeSnapshot of that PVC,
// a volume type a StorageClass. Annotations may have been edited with kubectl: every
// reader falls back instead of failing a whole list.

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
const P = 'volume.openstack.dicot.io/';

/** Labels (selectable). */
export const VL = {
  volumeId: `${P}volume-id`,
  snapshotId: `${P}snapshot-id`,
} as const;

export const VOLUME_SELECTOR = `${MANAGED_BY}=dicot,${VL.volumeId}`;
export const SNAPSHOT_SELECTOR = `${MANAGED_BY}=dicot,${VL.snapshotId}`;

/** Annotations. */
export const VA = {
  name: 'openstack.dicot.io/name',
  description: 'openstack.dicot.io/description',
  projectId: 'openstack.dicot.io/project-id',
  userId: 'openstack.dicot.io/user-id',
  metadata: `${P}metadata`,
  zone: `${P}availability-zone`,
  bootable: `${P}bootable`,
  snapshotId: `${P}source-snapshot`,
  sourceVolid: `${P}source-volume`,
  imageMetadata: `${P}image-metadata`,
  /** A status an admin set with os-reset_status, or an attach reservation; wins over the derived one. */
  statusOverride: `${P}status`,
  updatedAt: `${P}updated-at`,
  /** Snapshots: the source volume's id and size (GiB) when taken. */
  volumeId: `${P}volume-id`,
  size: `${P}size`,
  progress: `${P}progress`,
  /** Volume types (StorageClasses): Cinder fields of the type. */
  typeDescription: `${P}type-description`,
  extraSpecs: `${P}extra-specs`,
  isPublic: `${P}is-public`,
  projects: `${P}access-projects`,
} as const;

export const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const GiB = 2 ** 30;

export const StringMap = jsonOf(v.record(v.string(), v.string()), {} as Record<string, string>);
export const StringList = jsonOf(v.array(v.string()), [] as string[]);
const ImageMeta = jsonOf(v.record(v.string(), v.string()), undefined as Record<string, string> | undefined);

export interface DataVolume extends KubeObject {
  spec: {
    source?: Record<string, unknown>;
    storage?: { storageClassName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } } };
  };
  status?: { phase?: string; progress?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface Pvc extends KubeObject {
  spec: { storageClassName?: string; volumeName?: string; resources?: { requests?: { storage?: string } } };
  status?: { phase?: string; capacity?: { storage?: string } };
}

export interface VolumeSnapshot extends KubeObject {
  spec: { source?: { persistentVolumeClaimName?: string }; volumeSnapshotClassName?: string };
  status?: { readyToUse?: boolean; restoreSize?: string; error?: { message?: string } };
}

export interface StorageClass extends KubeObject {
  provisioner?: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
}

/** A server's use of a volume, read from the VM spec. */
export interface Attachment {
  serverId: string;
  /** Id of the attachment (Cinder's attachment_id): stable per volume and server. */
  attachmentId: string;
  device: string | null;
  attachedAt: string | null;
  hostName: string | null;
}

export interface VolumeRecord {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  zone: string;
  bootable: boolean;
  /** StorageClass name (the volume type's object; its Cinder name may differ). */
  typeName: string | null;
  snapshotId: string | null;
  sourceVolid: string | null;
  metadata: Record<string, string>;
  imageMetadata: Record<string, string> | undefined;
  projectId: string;
  userId: string;
  createdAt: string;
  updatedAt: string | null;
  attachments: Attachment[];
  /** Kubernetes side. */
  namespace: string;
  object: string;
  uid: string;
  resourceVersion: string | undefined;
  /** PVC capacity is below the request: an extend is in flight. */
  extending: boolean;
}

export interface SnapshotRecord {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  volumeId: string;
  metadata: Record<string, string>;
  projectId: string;
  userId: string;
  createdAt: string;
  updatedAt: string | null;
  progress: string;
  namespace: string;
  object: string;
  resourceVersion: string | undefined;
}

/** Kubernetes quantity → whole GiB (rounded up, as Cinder sizes are integers). */
export function gibOf(q: string | undefined): number | undefined {
  const bytes = quantityBytes(q);
  return bytes === undefined ? undefined : Math.ceil(bytes / GiB);
}

/** Cinder's timestamps: `2018-11-28T06:21:12.000000`, no zone. */
export const cinderTime = (t: string | number | Date) => new Date(t).toISOString().replace(/\.(\d+)Z$/, (_, ms: string) => `.${ms.padEnd(6, '0')}`);

/** A readable, unique object name: slug of the name plus the id's first 8 hex digits. */
export const objectName = (name: string | null | undefined, id: string, fallback: string) =>
  `${slug(name ?? '', 40, fallback)}-${id.replace(/-/g, '').slice(0, 8)}`;

/**
 * The volume status table (one place; README links here). First match wins:
 *
 * | Kubernetes state                                         | Cinder status |
 * |----------------------------------------------------------|---------------|
 * | DataVolume or PVC being deleted                          | deleting      |
 * | status set by an admin (os-reset_status) or a reservation | that status   |
 * | DataVolume phase Failed                                  | error         |
 * | DataVolume not Succeeded, or PVC not Bound               | creating      |
 * | PVC request above its capacity (resize in flight)        | extending     |
 * | a VirtualMachine lists the PVC among its volumes         | in-use        |
 * | otherwise                                                | available     |
 */
export function volumeStatus(dv: DataVolume, pvc: Pvc | undefined, attached: boolean): { status: string; extending: boolean } {
  const requested = gibOf(pvc?.spec.resources?.requests?.storage);
  const capacity = gibOf(pvc?.status?.capacity?.storage);
  const extending = requested !== undefined && capacity !== undefined && requested > capacity;
  const override = dv.metadata.annotations?.[VA.statusOverride];
  if (dv.metadata.deletionTimestamp || pvc?.metadata.deletionTimestamp) return { status: 'deleting', extending };
  if (override) return { status: override, extending };
  const phase = dv.status?.phase;
  if (phase === 'Failed') return { status: 'error', extending };
  if (phase !== 'Succeeded' || pvc?.status?.phase !== 'Bound') return { status: 'creating', extending };
  if (extending) return { status: 'extending', extending };
  return { status: attached ? 'in-use' : 'available', extending };
}

/** Pure: DataVolume (+ its PVC, + the servers using it) → volume record. */
export function toVolume(dv: DataVolume, pvc: Pvc | undefined, attachments: Attachment[]): VolumeRecord {
  const a = dv.metadata.annotations ?? {};
  const { status, extending } = volumeStatus(dv, pvc, attachments.length > 0);
  const size = gibOf(pvc?.spec.resources?.requests?.storage) ?? gibOf(dv.spec.storage?.resources?.requests?.storage) ?? 1;
  const created = dv.metadata.creationTimestamp ?? new Date(0).toISOString();
  return {
    id: dv.metadata.labels?.[VL.volumeId] ?? dv.metadata.uid ?? '',
    name: a[VA.name] ?? null,
    description: a[VA.description] ?? null,
    status,
    size,
    zone: a[VA.zone] ?? 'nova',
    bootable: a[VA.bootable] === 'true',
    typeName: pvc?.spec.storageClassName ?? dv.spec.storage?.storageClassName ?? null,
    snapshotId: a[VA.snapshotId] ?? null,
    sourceVolid: a[VA.sourceVolid] ?? null,
    metadata: StringMap(a[VA.metadata]),
    imageMetadata: ImageMeta(a[VA.imageMetadata]),
    projectId: a[VA.projectId] ?? '',
    userId: a[VA.userId] ?? '',
    createdAt: created,
    updatedAt: a[VA.updatedAt] ?? null,
    attachments,
    namespace: dv.metadata.namespace ?? '',
    object: dv.metadata.name ?? '',
    uid: dv.metadata.uid ?? '',
    resourceVersion: dv.metadata.resourceVersion,
    extending,
  };
}

/**
 * Snapshot status: being deleted → deleting; the snapshot controller's error → error;
 * readyToUse → available; otherwise creating. An admin's os-reset_status wins (but deleting).
 */
export function snapshotStatus(vs: VolumeSnapshot): string {
  if (vs.metadata.deletionTimestamp) return 'deleting';
  const override = vs.metadata.annotations?.[VA.statusOverride];
  if (override) return override;
  if (vs.status?.error) return 'error';
  return vs.status?.readyToUse ? 'available' : 'creating';
}

export function toSnapshot(vs: VolumeSnapshot): SnapshotRecord {
  const a = vs.metadata.annotations ?? {};
  const status = snapshotStatus(vs);
  return {
    id: vs.metadata.labels?.[VL.snapshotId] ?? vs.metadata.uid ?? '',
    name: a[VA.name] ?? null,
    description: a[VA.description] ?? null,
    status,
    size: Number(a[VA.size]) || gibOf(vs.status?.restoreSize) || 1,
    volumeId: a[VA.volumeId] ?? '',
    metadata: StringMap(a[VA.metadata]),
    projectId: a[VA.projectId] ?? '',
    userId: a[VA.userId] ?? '',
    createdAt: vs.metadata.creationTimestamp ?? new Date(0).toISOString(),
    updatedAt: a[VA.updatedAt] ?? null,
    progress: a[VA.progress] ?? (status === 'available' ? '100%' : '0%'),
    namespace: vs.metadata.namespace ?? '',
    object: vs.metadata.name ?? '',
    resourceVersion: vs.metadata.resourceVersion,
  };
}

export interface VolumeTypeRecord {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
  projects: string[];
  isDefault: boolean;
  allowExpansion: boolean;
  /** The StorageClass's name and CSI driver: the Cinder backend it stands for. */
  object: string;
  provisioner: string;
}

/** Pure: StorageClass → volume type. The id is the class's uid. */
export function toVolumeType(sc: StorageClass): VolumeTypeRecord {
  const a = sc.metadata.annotations ?? {};
  return {
    id: sc.metadata.uid ?? '',
    name: a[VA.name] ?? sc.metadata.name ?? '',
    description: a[VA.typeDescription] ?? null,
    isPublic: a[VA.isPublic] !== 'false',
    extraSpecs: StringMap(a[VA.extraSpecs]),
    projects: StringList(a[VA.projects]),
    isDefault: a[DEFAULT_CLASS] === 'true',
    allowExpansion: sc.allowVolumeExpansion === true,
    object: sc.metadata.name ?? '',
    provisioner: sc.provisioner ?? '',
  };
}

/** The volumes (claim names) a VM uses, with its hotplug/attach facts. */
export interface VmLike extends KubeObject {
  spec: { template?: { spec?: { volumes?: { name: string; dataVolume?: { name: string }; persistentVolumeClaim?: { claimName: string } }[] } } };
}

/** Device names are recorded per volume on the VM (`/dev/vdb`); absent means unknown. */
export const ATTACH_DEVICES = `${P}devices`;
export const ATTACH_TIMES = `${P}attached-at`;
/** PVC name → Cinder volume id, for the volumes Dicot attached (and a volume-booted root). */
export const ATTACH_CLAIMS = `${P}volume-ids`;
/** Volume id → "true" for the volumes deleted with the server (the VM owns their DataVolume). */
export const ATTACH_DELETE = `${P}delete-on-termination`;

/** Pure: claim name → attachments, from the VMs of one namespace. `serverIdOf` maps a VM to its server id. */
export function attachmentsByClaim(vms: VmLike[], serverIdOf: (vm: VmLike) => string, volumeIdOf: (claim: string) => string | undefined): Map<string, Attachment[]> {
  const out = new Map<string, Attachment[]>();
  for (const vm of vms) {
    if (vm.metadata.deletionTimestamp) continue;
    const devices = StringMap(vm.metadata.annotations?.[ATTACH_DEVICES]);
    const times = StringMap(vm.metadata.annotations?.[ATTACH_TIMES]);
    for (const vol of vm.spec.template?.spec?.volumes ?? []) {
      const claim = vol.persistentVolumeClaim?.claimName ?? vol.dataVolume?.name;
      if (!claim) continue;
      const volumeId = volumeIdOf(claim);
      if (!volumeId) continue;
      const serverId = serverIdOf(vm);
      const list = out.get(claim) ?? [];
      list.push({
        serverId,
        attachmentId: attachmentIdOf(volumeId, serverId),
        device: devices[volumeId] ?? null,
        attachedAt: times[volumeId] ?? vm.metadata.creationTimestamp ?? null,
        hostName: null,
      });
      out.set(claim, list);
    }
  }
  return out;
}

/** A stable attachment id from the volume and server ids (UUID-shaped). */
export function attachmentIdOf(volumeId: string, serverId: string): string {
  // XOR-fold the two ids so the attachment id differs from both yet is reproducible.
  const a = volumeId.replace(/-/g, '').toLowerCase().padEnd(32, '0');
  const b = serverId.replace(/-/g, '').toLowerCase().padEnd(32, '0');
  let x = '';
  for (let i = 0; i < 32; i++) x += ((Number.parseInt(a[i] ?? '0', 16) ^ Number.parseInt(b[i] ?? '0', 16)) & 15).toString(16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
