import type { Context } from 'hono';
import type { GatewayEnv } from '../core/context.ts';
import { ApiFault } from '../core/faults.ts';
import type { ImageRecord } from './model.ts';
import { pageOf, parseImageQuery, listable, sortImages } from './query.ts';
import { allImages, getImage, imageContext } from './service.ts';

// What compute needs from images: the boot source of an image, and the image list that
// Nova's deprecated `/images` proxy shows.

export interface BootImage {
  id: string;
  name: string;
  status: string;
  minDisk: number;
  minRam: number;
  sizeBytes: number | undefined;
  /**
   * Where the bytes are: the PVC of the image's DataVolume (clone it), or a registry URL
   * (a container disk). An image without data yet (status queued) names its namespace and
   * an empty PVC name: check `status === 'active'` before booting.
   */
  source: { kind: 'pvc'; namespace: string; name: string } | { kind: 'registry'; url: string };
}

export function bootImageOf(r: ImageRecord): BootImage {
  return {
    id: r.id,
    name: r.name ?? '',
    status: r.status,
    minDisk: r.minDisk,
    minRam: r.minRam,
    sizeBytes: r.size ?? undefined,
    source: r.registryUrl
      ? { kind: 'registry', url: r.registryUrl }
      : { kind: 'pvc', namespace: r.volume?.namespace ?? r.namespace, name: r.volume?.name ?? '' },
  };
}

/** The image `imageId` as the caller may see it; undefined when there is no such image for them. */
export async function resolveBootImage(c: Context<GatewayEnv>, imageId: string): Promise<BootImage | undefined> {
  try {
    return bootImageOf((await getImage(imageContext(c), imageId)).record);
  } catch (e) {
    if (e instanceof ApiFault && e.status === 404) return undefined;
    throw e;
  }
}

export interface ComputeImage extends BootImage {
  createdAt: string;
  updatedAt: string;
  /** Custom properties (Nova shows them as `metadata`). */
  properties: Record<string, string>;
  /** Nova's `progress`: 100 when active, 0 before; while importing, the DataVolume's. */
  progress: number;
}

export interface ComputeImageQuery {
  name?: string;
  status?: string;
  limit?: number;
  marker?: string;
}

/**
 * Images for Nova's `/images` proxy: the caller's default Glance listing (name, status
 * filters; limit/marker; newest first). `next` is the marker of the next page, if any.
 */
export async function listImagesForCompute(c: Context<GatewayEnv>, opts: ComputeImageQuery = {}): Promise<{ images: ComputeImage[]; next: string | undefined }> {
  const ctx = imageContext(c);
  const params = new URLSearchParams();
  if (opts.name !== undefined) params.set('name', opts.name);
  if (opts.status !== undefined) params.set('status', opts.status.toLowerCase());
  params.set('limit', String(opts.limit ?? 1000));
  if (opts.marker !== undefined) params.set('marker', opts.marker);
  const q = parseImageQuery(params);
  const all = await allImages(ctx);
  const chosen = all.filter(({ record: r }) => listable(r, ctx.caller, q) && !r.osHidden && q.filters.every((f) => f(r)));
  const page = pageOf(sortImages(chosen.map((x) => x.record), q.sort), q);
  const dvs = new Map(chosen.map((x) => [x.record.id, x.dv]));
  return {
    images: page.items.map((r) => ({
      ...bootImageOf(r),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      properties: r.properties,
      progress: r.status === 'active' ? 100 : r.status === 'importing' ? Math.floor(Number.parseFloat(dvs.get(r.id)?.status?.progress ?? '0') || 0) : 0,
    })),
    next: page.next,
  };
}
