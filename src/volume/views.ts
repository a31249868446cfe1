import type { ApiVersion } from '../core/microversion.ts';
import { poolName } from './backends.ts';
import { type SnapshotRecord, type VolumeRecord, type VolumeTypeRecord, cinderTime } from './model.ts';

// Cinder's views, exact per microversion (cinder/api/v3/views): which keys appear depends on
// the version, the caller (admin, owner) and the call (create/update show fewer than
// show/detail, where the os-vol-* extensions add theirs).

export interface Viewer {
  version: ApiVersion;
  isAdmin: boolean;
  projectId: string | undefined;
  /** `{base}/{region}/volume` — links add `/v3/{project}/...` (self) and `/{project}/...` (bookmark). */
  root: string;
}

export const links = (viewer: Viewer, projectId: string, path: string) => [
  { rel: 'self', href: `${viewer.root}/v3/${projectId}/${path}` },
  { rel: 'bookmark', href: `${viewer.root}/${projectId}/${path}` },
];

/** `GET /volumes` (no detail): id, name, links. */
export const volumeSummaryView = (viewer: Viewer, r: VolumeRecord) => ({ id: r.id, links: links(viewer, r.projectId, `volumes/${r.id}`), name: r.name });

/** A volume's Cinder host: the pool of its StorageClass's CSI driver, `dicot@<driver>#<driver>` (Tempest wants `.+@.+#.+`). */
const hostOf = (type: TypeRef) => (type?.backend ? poolName(type.backend) : null);

/**
 * The detailed volume. `call` says which: create/update answer the base view, show/detail
 * add the extension attributes (tenant for owners and admins, host and migration for admins,
 * image metadata when the volume came from an image).
 */
/** The volume's type as Cinder names it (name, id), when its StorageClass is known. */
export type TypeRef = { id: string; name: string; backend?: string } | undefined;

export function volumeView(viewer: Viewer, r: VolumeRecord, call: 'show' | 'create', type: TypeRef): Record<string, unknown> {
  const v = viewer.version;
  const out: Record<string, unknown> = {
    attachments: r.attachments.map((a) => ({
      id: r.id,
      attachment_id: a.attachmentId,
      volume_id: r.id,
      server_id: a.serverId,
      host_name: a.hostName,
      device: a.device,
      attached_at: a.attachedAt ? cinderTime(a.attachedAt) : null,
    })),
    availability_zone: r.zone,
    bootable: String(r.bootable),
    consistencygroup_id: null,
    created_at: cinderTime(r.createdAt),
    description: r.description,
    encrypted: false,
    id: r.id,
    links: links(viewer, r.projectId, `volumes/${r.id}`),
    metadata: r.metadata,
    multiattach: false,
    name: r.name,
    replication_status: null,
    size: r.size,
    snapshot_id: r.snapshotId,
    source_volid: r.sourceVolid,
    status: r.status,
    updated_at: r.updatedAt ? cinderTime(r.updatedAt) : null,
    user_id: r.userId,
    volume_type: type?.name ?? r.typeName,
  };
  if (viewer.isAdmin) out.migration_status = null;
  if (call === 'show') {
    if (viewer.isAdmin || viewer.projectId === r.projectId) out['os-vol-tenant-attr:tenant_id'] = r.projectId;
    if (viewer.isAdmin) {
      out['os-vol-host-attr:host'] = hostOf(type);
      out['os-vol-mig-status-attr:migstat'] = null;
      out['os-vol-mig-status-attr:name_id'] = null;
    }
    if (r.imageMetadata) out.volume_image_metadata = r.imageMetadata;
  }
  if (v.atLeast('3.13')) out.group_id = null;
  if (v.atLeast('3.21') && viewer.isAdmin) out.provider_id = null;
  if (v.atLeast('3.48')) {
    out.service_uuid = null;
    // 3.69 made shared_targets tri-state; a KubeVirt hotplug never shares iSCSI targets.
    out.shared_targets = v.atLeast('3.69') ? null : false;
  }
  if (v.atLeast('3.61') && viewer.isAdmin) out.cluster_name = null;
  if (v.atLeast('3.63')) out.volume_type_id = type?.id ?? null;
  if (v.atLeast('3.65')) out.consumes_quota = true;
  return out;
}

/** Snapshots: the base view for list/create/update; show and detail add the extended attributes. */
export function snapshotView(viewer: Viewer, s: SnapshotRecord, call: 'show' | 'create'): Record<string, unknown> {
  const v = viewer.version;
  const out: Record<string, unknown> = {
    created_at: cinderTime(s.createdAt),
    description: s.description,
    id: s.id,
    metadata: s.metadata,
    name: s.name,
    size: s.size,
    status: s.status,
    updated_at: s.updatedAt ? cinderTime(s.updatedAt) : null,
    volume_id: s.volumeId,
  };
  if (call === 'show') {
    out['os-extended-snapshot-attributes:progress'] = s.progress;
    out['os-extended-snapshot-attributes:project_id'] = s.projectId;
  }
  if (v.atLeast('3.14')) out.group_snapshot_id = null;
  if (v.atLeast('3.41')) out.user_id = s.userId;
  if (v.atLeast('3.65')) out.consumes_quota = true;
  return out;
}

/** Extra specs a non-admin may see (cinder's user-visible keys). */
const USER_VISIBLE = /^(RESKEY:availability_zones|multiattach|replication_enabled)$/;

/**
 * Types: show/list add `qos_specs_id` for admins; create answers without it, and update
 * without the access extension's key too (cinder's types_manage views).
 */
export function volumeTypeView(viewer: Viewer, t: VolumeTypeRecord, call: 'show' | 'create' | 'update' = 'show'): Record<string, unknown> {
  const specs = viewer.isAdmin ? t.extraSpecs : Object.fromEntries(Object.entries(t.extraSpecs).filter(([k]) => USER_VISIBLE.test(k)));
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    is_public: t.isPublic,
    extra_specs: specs,
    ...(viewer.isAdmin && call === 'show' ? { qos_specs_id: null } : {}),
    ...(call === 'update' ? {} : { 'os-volume-type-access:is_public': t.isPublic }),
  };
}
