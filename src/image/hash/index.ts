// Streaming digests for image data (Glance: `checksum` = MD5, `os_hash_value` = SHA-512).

import { Md5 } from './md5.ts';
import { Sha512 } from './sha512.ts';

export { Md5 } from './md5.ts';
export { Sha512 } from './sha512.ts';

export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export interface Digests {
  size: number;
  md5: string;
  sha512: string;
}

/**
 * A pass-through stream that hashes and counts what flows through it; `result` resolves
 * when the stream has ended (never, if it was aborted: callers await it only on success).
 */
export function hashingStream(): { stream: TransformStream<Uint8Array, Uint8Array>; result: Promise<Digests> } {
  const md5 = new Md5();
  const sha = new Sha512();
  let size = 0;
  let resolve!: (d: Digests) => void;
  const result = new Promise<Digests>((res) => {
    resolve = res;
  });
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      md5.update(chunk);
      sha.update(chunk);
      size += chunk.length;
      controller.enqueue(chunk);
    },
    flush() {
      resolve({ size, md5: hex(md5.digest()), sha512: hex(sha.digest()) });
    },
  });
  return { stream, result };
}
