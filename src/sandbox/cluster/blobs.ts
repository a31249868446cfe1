// The bytes of uploaded volumes, kept in memory per PVC (what a CSI driver's disks would
// hold). Shared by the upload server (writes) and the export servers (reads) of one sandbox.

import type { KubeClient } from '../../kube/index.ts';
import { R } from '../../kube/index.ts';
import type { Controller, Engine } from './engine.ts';
import type { Pvc } from './model.ts';

export interface Blob {
  /** The PVC's uid: a recreated PVC of the same name has no data. */
  uid: string;
  size: number;
  /** Undefined when only the size was kept (`keepBytes: false`). */
  chunks: Uint8Array[] | undefined;
}

export class BlobStore {
  /** Whether new stores keep the bytes; benchmarks streaming gigabytes turn it off first. */
  static keepBytesByDefault = true;
  private readonly blobs = new Map<string, Blob>();
  /** Keep the bytes (default), or only their size. */
  keepBytes = BlobStore.keepBytesByDefault;

  key = (namespace: string, name: string) => `${namespace}/${name}`;

  get(namespace: string, name: string, uid: string): Blob | undefined {
    const b = this.blobs.get(this.key(namespace, name));
    return b && b.uid === uid ? b : undefined;
  }

  /** Stores a stream's bytes; on a stream error nothing is stored and the error is rethrown. */
  async put(namespace: string, name: string, uid: string, body: ReadableStream<Uint8Array>): Promise<Blob> {
    const chunks: Uint8Array[] | undefined = this.keepBytes ? [] : undefined;
    let size = 0;
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      chunks?.push(value.slice());
    }
    const blob: Blob = { uid, size, chunks };
    this.blobs.set(this.key(namespace, name), blob);
    return blob;
  }

  delete(key: string): void {
    this.blobs.delete(key);
  }

  has(key: string): boolean {
    return this.blobs.has(key);
  }

  uidOf(key: string): string | undefined {
    return this.blobs.get(key)?.uid;
  }
}

const stores = new WeakMap<KubeClient, BlobStore>();

/** The blob store of the sandbox whose cluster behaviour uses `client`. */
export function blobsFor(client: KubeClient): BlobStore {
  let s = stores.get(client);
  if (!s) {
    s = new BlobStore();
    stores.set(client, s);
  }
  return s;
}

/** Frees a PVC's bytes when the PVC is deleted (or replaced by another of the same name). */
export function blobGcController(engine: Engine): Controller {
  const blobs = blobsFor(engine.client);
  return {
    name: 'blob-gc',
    type: R.pvcs,
    async reconcile(key) {
      if (!blobs.has(key)) return;
      const pvc = engine.get<Pvc>(R.pvcs, key);
      if (!pvc || pvc.metadata.uid !== blobs.uidOf(key)) blobs.delete(key);
    },
  };
}

/** The stored bytes as a stream (empty when the volume holds no uploaded data). */
export function blobStream(blob: Blob | undefined): ReadableStream<Uint8Array> {
  const chunks = blob?.chunks ?? [];
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const c = chunks[i++];
      if (c) controller.enqueue(c);
      else controller.close();
    },
  });
}
