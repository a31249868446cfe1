import type { Context } from 'hono';
import type { GatewayEnv } from '../core/context.ts';
import { type BootImage, resolveBootImage as fromImageService } from '../image/boot.ts';

// Images as compute sees them: the image service's boot interface (src/image/boot.ts).

export type { BootImage };

export type BootImageResolver = (c: Context<GatewayEnv>, imageId: string) => Promise<BootImage | undefined>;

let resolver: BootImageResolver = fromImageService;

/**
 * Replaces the image service for compute's own unit tests (fixed boot sources without
 * uploading bytes). The gateway never calls it.
 */
export function useBootImages(r: BootImageResolver): void {
  resolver = r;
}

/** The image `imageId` as the caller sees it, or undefined. */
export const resolveBootImage: BootImageResolver = (c, imageId) => resolver(c, imageId);
