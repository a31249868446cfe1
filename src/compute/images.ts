import type { Context } from 'hono';
import type { GatewayEnv } from '../core/context.ts';

// The image service's boot interface (agreed with the Glance work: src/image/boot.ts). Until
// that module lands, no image resolves; tests install a resolver with `useBootImages`.

export interface BootImage {
  id: string;
  name: string;
  status: string;
  minDisk: number;
  minRam: number;
  sizeBytes: number | undefined;
  /** How a root disk is made from it: clone this PVC (DataVolume source.pvc), or pull this container disk. */
  source: { kind: 'pvc'; namespace: string; name: string } | { kind: 'registry'; url: string };
}

export type BootImageResolver = (c: Context<GatewayEnv>, imageId: string) => Promise<BootImage | undefined>;

let resolver: BootImageResolver = async () => undefined;

/** Installs the image service's resolver (src/image/boot.ts resolveBootImage). */
export function useBootImages(r: BootImageResolver): void {
  resolver = r;
}

/** The image `imageId` as the caller sees it, or undefined. */
export const resolveBootImage: BootImageResolver = (c, imageId) => resolver(c, imageId);
