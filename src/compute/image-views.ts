// Nova's image proxy views (nova/api/openstack/compute/views/images.py): a Glance image as
// the compute API shows it up to microversion 2.35. Pure.

import type { ImageRecord } from '../image/model.ts';

const STATUS: Record<string, string> = {
  queued: 'SAVING',
  saving: 'SAVING',
  uploading: 'SAVING',
  importing: 'SAVING',
  active: 'ACTIVE',
  killed: 'ERROR',
  deleted: 'DELETED',
  pending_delete: 'DELETED',
};
const PROGRESS: Record<string, number> = { queued: 25, saving: 50, uploading: 50, importing: 50, active: 100 };

export const novaImageStatus = (status: string) => STATUS[status] ?? 'UNKNOWN';

/** Seconds precision, `Z`: Nova's image timestamps. */
const stamp = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');

export interface ImageLinks {
  /** Nova's self/bookmark links for `images/<id>`. */
  links(path: string): { rel: string; href: string }[];
  /** The image in the image service (`alternate` link). */
  glance(id: string): string;
  /** Nova's links for `servers/<id>` (the server a snapshot came from). */
  server(id: string): { rel: string; href: string }[];
}

export function novaImageBrief(r: ImageRecord, l: ImageLinks) {
  return { id: r.id, name: r.name, links: [...l.links(`images/${r.id}`), { rel: 'alternate', type: 'application/vnd.openstack.image', href: l.glance(r.id) }] };
}

export function novaImageDetail(r: ImageRecord, l: ImageLinks) {
  const server = r.properties.instance_uuid;
  return {
    ...novaImageBrief(r, l),
    status: novaImageStatus(r.status),
    progress: PROGRESS[r.status] ?? 0,
    minDisk: r.minDisk,
    minRam: r.minRam,
    created: stamp(r.createdAt),
    updated: stamp(r.updatedAt),
    metadata: { ...r.properties },
    'OS-EXT-IMG-SIZE:size': r.size,
    ...(server ? { server: { id: server, links: l.server(server) } } : {}),
  };
}
