import { z } from '@hono/zod-openapi';
import { Flavors } from '../../../src/compute/flavors.ts';
import { conflict } from '../../../src/core/faults.ts';
import { importFromVolume } from '../../../src/image/data.ts';
import { DEFAULT_FIELDS } from '../../../src/image/rules.ts';
import { createImage, getImage, imageContext } from '../../../src/image/service.ts';
import { versionOf } from '../common.ts';
import { Metadata } from '../schemas/common.ts';
import { imageLinks } from '../images.ts';
import { type ActionHandler, bodyOf, record } from './context.ts';

// createImage (nova servers.py _action_create_image): a snapshot image of the server's root
// disk, made the way Cinder's upload-to-image is: a new image whose DataVolume clones the
// root PVC (CDI's smart clone where the storage allows). saving → active as the clone runs.

const CreateImage = z.object({ name: z.string().min(1).max(255), metadata: Metadata.optional() }).strict();
const SNAPSHOT_STATES = new Set(['active', 'stopped', 'paused', 'suspended']);

export const createImageActions: Record<string, ActionHandler> = {
  async createImage(a) {
    const { name, metadata } = bodyOf(a, CreateImage);
    if (!SNAPSHOT_STATES.has(a.s.state.vmState) || a.s.state.taskState) {
      throw conflict(`Cannot 'createImage' instance ${a.s.id} while it is in vm_state ${a.s.state.vmState}`);
    }
    const root = a.s.rootDataVolume;
    if (!root) throw conflict(`Instance ${a.s.id} has no root disk to snapshot.`);
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
        properties: {
          ...(metadata ?? {}),
          image_type: metadata?.image_type ?? 'snapshot',
          instance_uuid: a.s.id,
          user_id: a.auth.userId,
          ...(a.s.imageId ? { base_image_ref: a.s.imageId } : {}),
        },
      },
      undefined,
    );
    await importFromVolume(ctx, image, { namespace: a.s.namespace, name: root }, rootGiB * 2 ** 30);
    await record(a, 'createImage', {});
    if (versionOf(a.c).atLeast('2.45')) return a.c.json({ image_id: image.id }, 202);
    a.c.header('Location', imageLinks(a.c).glance(image.id));
    return undefined;
  },
};
