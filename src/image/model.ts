import * as v from 'valibot';
import { jsonOf } from '../core/annotations.ts';
import type { KubeObject } from '../kube/index.ts';

// How a Glance image lives in Kubernetes, and back. Pure: no I/O here.
//
// An image is anchored by a CDI DataSource (kubectl get das): Glance properties in
// `openstack.dicot.io/...` annotations, the image id in a label (so one LIST with a label
// selector finds it), and — once data exists — `spec.source.pvc` naming the DataVolume/PVC
// that holds the bytes. Images created public by an admin live in the shared images
// namespace; all others in the owner project's namespace.

export const IMAGES_NS = 'dicot-images';

export const IL = {
  managedBy: 'app.kubernetes.io/managed-by',
  kind: 'openstack.dicot.io/kind',
  imageId: 'openstack.dicot.io/image-id',
  owner: 'openstack.dicot.io/owner',
} as const;
export const IMAGE_SELECTOR = `${IL.managedBy}=dicot,${IL.kind}=image`;

const P = 'openstack.dicot.io/';
export const IA = {
  name: `${P}name`,
  status: `${P}status`,
  visibility: `${P}visibility`,
  protected: `${P}protected`,
  osHidden: `${P}os-hidden`,
  diskFormat: `${P}disk-format`,
  containerFormat: `${P}container-format`,
  minDisk: `${P}min-disk`,
  minRam: `${P}min-ram`,
  size: `${P}size`,
  virtualSize: `${P}virtual-size`,
  checksum: `${P}checksum`,
  hashAlgo: `${P}os-hash-algo`,
  hashValue: `${P}os-hash-value`,
  owner: `${P}owner`,
  tags: `${P}tags`,
  properties: `${P}properties`,
  members: `${P}members`,
  updatedAt: `${P}updated-at`,
  /** The creation time in milliseconds: orders images made within one second. */
  createdMs: `${P}created-ms`,
  registryUrl: `${P}registry-url`,
  import: `${P}import`,
} as const;

export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const;
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;
export const VISIBILITIES = ['public', 'private', 'shared', 'community'] as const;
export const STATUSES = ['queued', 'saving', 'active', 'killed', 'deleted', 'pending_delete', 'deactivated', 'uploading', 'importing'] as const;
export const MEMBER_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export const IMPORT_METHODS = ['glance-direct', 'web-download'] as const;

export type Visibility = (typeof VISIBILITIES)[number];
export type ImageStatus = (typeof STATUSES)[number];
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export interface Member {
  memberId: string;
  status: MemberStatus;
  createdAt: string;
  updatedAt: string;
}

/** What the last import asked for, and how it ended when it failed. */
export interface ImportState {
  method: string;
  uri?: string | undefined;
  error?: string | undefined;
}

export interface ImageRecord {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: Visibility;
  protected: boolean;
  osHidden: boolean;
  diskFormat: string | null;
  containerFormat: string | null;
  minDisk: number;
  minRam: number;
  size: number | null;
  virtualSize: number | null;
  checksum: string | null;
  hashAlgo: string | null;
  hashValue: string | null;
  owner: string | null;
  tags: string[];
  /** Custom (non-core) properties, Glance's additionalProperties: strings. */
  properties: Record<string, string>;
  members: Member[];
  createdAt: string;
  /** Creation order finer than created_at's seconds (sorting). */
  createdMs?: number;
  updatedAt: string;
  registryUrl: string | undefined;
  import: ImportState | undefined;
  /** Kubernetes side. */
  namespace: string;
  object: string;
  uid: string;
  resourceVersion: string | undefined;
  /** The DataVolume/PVC holding the data, once there is data. */
  volume: { namespace: string; name: string } | undefined;
}

export interface DataSource extends KubeObject {
  spec?: { source?: { pvc?: { namespace?: string; name: string }; snapshot?: { namespace?: string; name: string } } };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** The fields of a DataVolume the image service reads. */
export interface DataVolume extends KubeObject {
  spec?: { source?: Record<string, unknown> };
  status?: { phase?: string; progress?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

// ---- reading annotations back (anything may have been edited with kubectl) ----

const oneOf =
  <T extends string>(values: readonly T[], fallback: T) =>
  (s: string | undefined): T =>
    s !== undefined && (values as readonly string[]).includes(s) ? (s as T) : fallback;
const int = (s: string | undefined, fallback: number | null) => {
  if (s === undefined || !/^\d+$/.test(s)) return fallback;
  return Number(s);
};
const Tags = jsonOf(v.array(v.string()), [] as string[]);
const Props = jsonOf(v.record(v.string(), v.string()), {} as Record<string, string>);
const Members = jsonOf(
  v.array(v.object({ memberId: v.string(), status: v.picklist(MEMBER_STATUSES), createdAt: v.string(), updatedAt: v.string() })),
  [] as Member[],
);
const Import = jsonOf(v.object({ method: v.string(), uri: v.optional(v.string()), error: v.optional(v.string()) }), undefined as ImportState | undefined);
const Annotations = v.optional(v.record(v.string(), v.string()), {});

export const isImageObject = (o: KubeObject) => o.metadata.labels?.[IL.kind] === 'image' && !!o.metadata.labels?.[IL.imageId];

export function toImage(ds: DataSource): ImageRecord {
  const a = v.parse(Annotations, ds.metadata.annotations);
  const created = ds.metadata.creationTimestamp ?? new Date(0).toISOString();
  const pvc = ds.spec?.source?.pvc;
  return {
    id: ds.metadata.labels?.[IL.imageId] ?? '',
    name: a[IA.name] ?? null,
    status: oneOf(STATUSES, 'queued')(a[IA.status]),
    visibility: oneOf(VISIBILITIES, 'shared')(a[IA.visibility]),
    protected: a[IA.protected] === 'true',
    osHidden: a[IA.osHidden] === 'true',
    diskFormat: a[IA.diskFormat] ?? null,
    containerFormat: a[IA.containerFormat] ?? null,
    minDisk: int(a[IA.minDisk], 0) ?? 0,
    minRam: int(a[IA.minRam], 0) ?? 0,
    size: int(a[IA.size], null),
    virtualSize: int(a[IA.virtualSize], null),
    checksum: a[IA.checksum] ?? null,
    hashAlgo: a[IA.hashAlgo] ?? null,
    hashValue: a[IA.hashValue] ?? null,
    owner: a[IA.owner] ?? null,
    tags: Tags(a[IA.tags]),
    properties: Props(a[IA.properties]),
    members: Members(a[IA.members]),
    createdAt: created,
    createdMs: Number(a[IA.createdMs] ?? Date.parse(created)),
    updatedAt: a[IA.updatedAt] ?? created,
    registryUrl: a[IA.registryUrl],
    import: Import(a[IA.import]),
    namespace: ds.metadata.namespace ?? '',
    object: ds.metadata.name ?? '',
    uid: ds.metadata.uid ?? '',
    resourceVersion: ds.metadata.resourceVersion,
    volume: pvc ? { namespace: pvc.namespace ?? ds.metadata.namespace ?? '', name: pvc.name } : undefined,
  };
}

/** The annotations that carry an image's Glance fields (null: remove the annotation). */
export function imageAnnotations(r: Omit<ImageRecord, 'namespace' | 'object' | 'uid' | 'resourceVersion' | 'volume' | 'createdAt' | 'id'>): Record<string, string | null> {
  const opt = (x: string | number | null | undefined) => (x === null || x === undefined ? null : String(x));
  return {
    [IA.name]: r.name,
    [IA.status]: r.status,
    [IA.visibility]: r.visibility,
    [IA.protected]: String(r.protected),
    [IA.osHidden]: String(r.osHidden),
    [IA.diskFormat]: r.diskFormat,
    [IA.containerFormat]: r.containerFormat,
    [IA.minDisk]: String(r.minDisk),
    [IA.minRam]: String(r.minRam),
    [IA.size]: opt(r.size),
    [IA.virtualSize]: opt(r.virtualSize),
    [IA.checksum]: r.checksum,
    [IA.hashAlgo]: r.hashAlgo,
    [IA.hashValue]: r.hashValue,
    [IA.owner]: r.owner,
    [IA.tags]: JSON.stringify(r.tags),
    [IA.properties]: JSON.stringify(r.properties),
    [IA.members]: r.members.length ? JSON.stringify(r.members) : null,
    [IA.updatedAt]: r.updatedAt,
    [IA.registryUrl]: r.registryUrl ?? null,
    [IA.import]: r.import ? JSON.stringify(r.import) : null,
  };
}

/** Drops the nulls (for a create, where absence is the same as removal). */
export const present = (a: Record<string, string | null>): Record<string, string> =>
  Object.fromEntries(Object.entries(a).filter((e): e is [string, string] => e[1] !== null));

/** Kubernetes timestamps are second-precision `...Z`; Glance's are the same form. */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** A readable, unique object name: slug of the Glance name plus the id's first 8 hex digits. */
export function objectName(name: string | null, id: string): string {
  const slug = (name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${slug || 'image'}-${id.replace(/-/g, '').slice(0, 8)}`;
}

// ---- the DataVolume's view of the data: imports progress there ----

/** The image as clients see it: an import in progress takes its state from the DataVolume. */
export function effective(r: ImageRecord, dv: DataVolume | undefined): ImageRecord {
  if (r.status !== 'importing') return r;
  const phase = dv?.status?.phase;
  if (phase === 'Succeeded') return { ...r, status: 'active' };
  if (phase === 'Failed' || (r.volume && dv === undefined)) {
    const cond = dv?.status?.conditions?.find((c) => c.type === 'Running' && c.message) ?? dv?.status?.conditions?.find((c) => c.message);
    return { ...r, status: 'queued', import: { ...(r.import ?? { method: 'web-download' }), error: cond?.message ?? 'import failed' } };
  }
  return r;
}

/** The DataVolume's progress as a Glance-style extra property while importing. */
export const importProgress = (dv: DataVolume | undefined) => dv?.status?.progress;

// ---- the Glance view ----

export interface ViewExtras {
  /** DataVolume progress while importing ("45.00%"). */
  progress?: string | undefined;
}

export function imageView(r: ImageRecord, extras: ViewExtras = {}): Record<string, unknown> {
  const imp: Record<string, string> = {};
  if (r.status === 'importing') {
    imp.os_glance_import_task = r.uid;
    imp.os_glance_importing_to_stores = 'local';
    if (extras.progress) imp.os_glance_import_progress = extras.progress;
  } else if (r.import?.error) {
    imp.os_glance_failed_import = 'local';
    imp.os_glance_import_error = r.import.error;
  }
  // Multi-store Glance names the stores holding an image's data (its only one: `local`).
  if ((r.status === 'active' || r.status === 'deactivated') && r.volume) imp.stores = 'local';
  return {
    ...r.properties,
    ...imp,
    id: r.id,
    name: r.name,
    status: r.status,
    visibility: r.visibility,
    protected: r.protected,
    os_hidden: r.osHidden,
    tags: r.tags,
    container_format: r.containerFormat,
    disk_format: r.diskFormat,
    size: r.size,
    virtual_size: r.virtualSize,
    checksum: r.checksum,
    os_hash_algo: r.hashAlgo,
    os_hash_value: r.hashValue,
    owner: r.owner,
    min_disk: r.minDisk,
    min_ram: r.minRam,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    self: `/v2/images/${r.id}`,
    file: `/v2/images/${r.id}/file`,
    schema: '/v2/schemas/image',
  };
}

export function memberView(r: ImageRecord, m: Member): Record<string, unknown> {
  return { image_id: r.id, member_id: m.memberId, status: m.status, created_at: m.createdAt, updated_at: m.updatedAt, schema: '/v2/schemas/member' };
}

// ---- who sees what (Glance's default policy) ----

export interface Caller {
  projectId: string | undefined;
  isAdmin: boolean;
}

export const isOwner = (r: ImageRecord, c: Caller) => !!c.projectId && r.owner === c.projectId;
export const memberOf = (r: ImageRecord, c: Caller) => (c.projectId ? r.members.find((m) => m.memberId === c.projectId) : undefined);

/** May the caller GET this image? (A hidden image answers 404, as Glance does.) */
export function canSee(r: ImageRecord, c: Caller): boolean {
  if (c.isAdmin || isOwner(r, c)) return true;
  if (r.visibility === 'public' || r.visibility === 'community') return true;
  return r.visibility === 'shared' && !!memberOf(r, c);
}
