import { type BootImage, useBootImages } from '../../src/compute/images.ts';
import { type Json, type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, api, demoToken, eventually } from './helpers.ts';

// Boot images for compute tests until the image service's resolveBootImage is wired in:
// an active registry image and a queued one.

export const IMAGE = '3f6a8d2e-1c4b-4e5f-9a7b-0c1d2e3f4a5b';
export const IMAGE_ALT = '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';
export const QUEUED_IMAGE = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

const images: Record<string, BootImage> = {
  [IMAGE]: { id: IMAGE, name: 'cirros', status: 'active', minDisk: 0, minRam: 0, sizeBytes: 20 * 2 ** 20, source: { kind: 'registry', url: 'docker://quay.io/kubevirt/cirros-container-disk-demo' } },
  [IMAGE_ALT]: { id: IMAGE_ALT, name: 'fedora', status: 'active', minDisk: 5, minRam: 0, sizeBytes: undefined, source: { kind: 'registry', url: 'docker://quay.io/containerdisks/fedora:41' } },
  [QUEUED_IMAGE]: { id: QUEUED_IMAGE, name: 'queued', status: 'queued', minDisk: 0, minRam: 0, sizeBytes: undefined, source: { kind: 'registry', url: 'docker://x' } },
};

export function installTestImages(): void {
  useBootImages(async (_c, id) => images[id]);
}

/** A gateway over a fresh sandbox with the test images, and the tokens of its admin and a member (`demo`). */
export async function computeGateway(): Promise<{ gw: TestGateway; admin: string; demo: string }> {
  installTestImages();
  const gw = await startTestGateway();
  const admin = await gw.adminToken();
  return { gw, admin, demo: await demoToken(gw, admin) };
}

/** Polls the server until its status is `status` with no task in flight (Tempest's waiter). */
export async function waitStatus(gw: TestGateway, token: string, id: string, status: string, headers: Record<string, string> = {}): Promise<Json> {
  let last: Json;
  try {
    return await eventually(async () => {
      const r = await api(gw, token, 'GET', `${C}/servers/${id}`, undefined, headers);
      last = r.body;
      const s = r.body?.server;
      if (s?.status === 'ERROR' && status !== 'ERROR') throw new Error(`server went to ERROR: ${JSON.stringify(s.fault)}`);
      return s?.status === status && s['OS-EXT-STS:task_state'] === null ? s : undefined;
    }, `server ${id} ${status}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last?.server ? { status: last.server.status, task: last.server['OS-EXT-STS:task_state'], vm: last.server['OS-EXT-STS:vm_state'] } : last)}`);
  }
}

export const waitActive = (gw: TestGateway, token: string, id: string) => waitStatus(gw, token, id, 'ACTIVE');
