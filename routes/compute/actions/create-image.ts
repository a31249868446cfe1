import { z } from '@hono/zod-openapi';
import { Flavors } from '../../../src/compute/flavors.ts';
import { conflict } from '../../../src/core/faults.ts';
import { importFromVolume } from '../../../src/image/data.ts';
import { DEFAULT_FIELDS } from '../../../src/image/rules.ts';
import type { ImageRecord } from '../../../src/image/model.ts';
import { allImages, createImage, deleteImage, getImage, imageContext } from '../../../src/image/service.ts';
import { versionOf } from '../common.ts';
import { Metadata } from '../schemas/common.ts';
import { imageLinks } from '../images.ts';
import { type ActionContext, type ActionHandler, bodyOf, record } from './context.ts';

// createImage and createBackup (nova servers.py _action_create_image/_action_create_backup): a
// snapshot image of the server's root disk, made the way Cinder's upload-to-image is: a new
// image whose DataVolume clones the root PVC (CDI's smart clone where the storage allows).
// saving → active as the clone runs.

const CreateImage = z.object({ name: z.string().min(1).max(255), metadata: Metadata.optional() }).strict();
// nova/api/openstack/compute/schemas/create_backup.py: rotation is a non-negative integer (or its string).
const CreateBackup = z
  .object({
    name: z.string().min(1).max(255),
    backup_type: z.string().min(1).max(255),
    rotation: z.union([z.number().int(), z.string().regex(/^\s*\d+\s*$/)]).transform(Number).pipe(z.number().int().min(0)),
    metadata: Metadata.optional(),
  })
  .strict();
const SNAPSHOT_STATES = new Set(['active', 'stopped', 'paused', 'suspended']);

/** A new image whose DataVolume clones the server's root disk, with Nova's snapshot properties. */
async function snapshot(a: ActionContext, action: string, name: string, properties: Record<string, string>): Promise<ImageRecord> {
  if (!SNAPSHOT_STATES.has(a.s.state.vmState) || a.s.state.taskState) {
    throw conflict(`Cannot '${action}' instance ${a.s.id} while it is in vm_state ${a.s.state.vmState}`);
  }
  if (!a.s.rootDataVolume) throw conflict(`Instance ${a.s.id} has no root disk to snapshot.`);
  return snapshotImage(a, name, properties);
}

/** The snapshot itself, for a server with a root disk (shelve makes one the same way). */
export async function snapshotImage(a: ActionContext, name: string, properties: Record<string, string>): Promise<ImageRecord> {
  const root = a.s.rootDataVolume as string;
  const ctx = imageContext(a.c);
  const [base, flavor] = await Promise.all([
    a.s.imageId ? getImage(ctx, a.s.imageId).then((l) => l.record, () => undefined) : Promise.resolve(undefined),
    new Flavors(a.c.get('region').kube).get(a.s.flavorId),
  ]);
  const rootGiB = Math.max(flavor?.disk ?? 0, base?.minDisk ?? 0, 1);
  const image = await createImage(
    ctx,
    {
      ...DEFAULT_FIELDS(a.auth.projectId),
      name,
      diskFormat: base?.diskFormat ?? 'raw',
      containerFormat: base?.containerFormat ?? 'bare',
      minDisk: flavor?.disk || (base?.minDisk ?? 0),
      minRam: base?.minRam ?? 0,
      properties: { ...properties, instance_uuid: a.s.id, user_id: a.auth.userId, ...(a.s.imageId ? { base_image_ref: a.s.imageId } : {}) },
    },
    undefined,
  );
  await importFromVolume(ctx, image, { namespace: a.s.namespace, name: root }, rootGiB * 2 ** 30);
  return image;
}

/** When an image was made, to the millisecond where it was recorded. */
const made = (r: ImageRecord) => r.createdMs ?? Date.parse(r.createdAt);

/** Nova's answer to createImage/createBackup: the id in the body from 2.45, a Location before. */
function answer(a: ActionContext, image: ImageRecord): Response | undefined {
  if (versionOf(a.c).atLeast('2.45')) return a.c.json({ image_id: image.id }, 202);
  a.c.header('Location', imageLinks(a.c).glance(image.id));
  return undefined;
}

export const createImageActions: Record<string, ActionHandler> = {
  async createImage(a) {
    const { name, metadata } = bodyOf(a, CreateImage);
    const image = await snapshot(a, 'createImage', name, { ...(metadata ?? {}), image_type: metadata?.image_type ?? 'snapshot' });
    await record(a, 'createImage', {});
    return answer(a, image);
  },

  // A snapshot tagged as a backup of its type; the oldest ones beyond `rotation` are deleted.
  async createBackup(a) {
    const { name, backup_type, rotation, metadata } = bodyOf(a, CreateBackup);
    const ctx = imageContext(a.c);
    const image = rotation > 0 ? await snapshot(a, 'createBackup', name, { ...(metadata ?? {}), image_type: 'backup', backup_type }) : undefined;
    const backups = (await allImages(ctx))
      .map((l) => l.record)
      .filter((r) => r.owner === a.auth.projectId && r.properties.instance_uuid === a.s.id && r.properties.image_type === 'backup' && r.properties.backup_type === backup_type)
      .sort((x, y) => (x.id === image?.id ? -1 : y.id === image?.id ? 1 : made(y) - made(x)));
    for (const old of backups.slice(rotation)) await deleteImage(ctx, old);
    await record(a, 'createBackup', {});
    // Rotation 0 makes no backup (Nova: only the rotation runs).
    return image ? answer(a, image) : undefined;
  },
};
