// Incremental MD5 (RFC 1321). WebCrypto has no MD5 and no streaming digest; Glance's
// `checksum` is the MD5 of the image data, computed here as the bytes stream past.

import { BlockHash } from './block.ts';

const S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
// K[i] = floor(abs(sin(i + 1)) * 2^32)
const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0);

export class Md5 extends BlockHash {
  private a = 0x67452301;
  private b = 0xefcdab89 | 0;
  private c = 0x98badcfe | 0;
  private d = 0x10325476;
  private readonly words = new Int32Array(16);

  constructor() {
    super(64);
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const pad = new Uint8Array((this.used < 56 ? 56 : 120) - this.used + 8);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, bits >>> 0, true);
    view.setUint32(pad.length - 4, Math.floor(bits / 0x100000000), true);
    this.length -= pad.length; // padding is not data
    this.update(pad);
    const out = new Uint8Array(16);
    const ov = new DataView(out.buffer);
    ov.setInt32(0, this.a, true);
    ov.setInt32(4, this.b, true);
    ov.setInt32(8, this.c, true);
    ov.setInt32(12, this.d, true);
    return out;
  }

  protected compress(buf: Uint8Array, off: number): void {
    const x = this.words;
    for (let j = 0; j < 16; j++) {
      const p = off + j * 4;
      x[j] = (buf[p] as number) | ((buf[p + 1] as number) << 8) | ((buf[p + 2] as number) << 16) | ((buf[p + 3] as number) << 24);
    }
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    for (let j = 0; j < 64; j++) {
      let f: number;
      let g: number;
      if (j < 16) {
        f = (b & c) | (~b & d);
        g = j;
      } else if (j < 32) {
        f = (d & b) | (~d & c);
        g = (5 * j + 1) & 15;
      } else if (j < 48) {
        f = b ^ c ^ d;
        g = (3 * j + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * j) & 15;
      }
      const t = d;
      d = c;
      c = b;
      const sum = (a + f + (K[j] as number) + (x[g] as number)) | 0;
      const s = S[j] as number;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
      a = t;
    }
    this.a = (this.a + a) | 0;
    this.b = (this.b + b) | 0;
    this.c = (this.c + c) | 0;
    this.d = (this.d + d) | 0;
  }
}
