// Incremental SHA-512 (FIPS 180-4, RFC 6234) on 32-bit halves: WebCrypto digests only whole
// buffers, and Glance's `os_hash_value` must be computed while an upload streams past.

import { BlockHash } from './block.ts';

const K_HEX = [
  '428a2f98d728ae22', '7137449123ef65cd', 'b5c0fbcfec4d3b2f', 'e9b5dba58189dbbc', '3956c25bf348b538', '59f111f1b605d019', '923f82a4af194f9b', 'ab1c5ed5da6d8118',
  'd807aa98a3030242', '12835b0145706fbe', '243185be4ee4b28c', '550c7dc3d5ffb4e2', '72be5d74f27b896f', '80deb1fe3b1696b1', '9bdc06a725c71235', 'c19bf174cf692694',
  'e49b69c19ef14ad2', 'efbe4786384f25e3', '0fc19dc68b8cd5b5', '240ca1cc77ac9c65', '2de92c6f592b0275', '4a7484aa6ea6e483', '5cb0a9dcbd41fbd4', '76f988da831153b5',
  '983e5152ee66dfab', 'a831c66d2db43210', 'b00327c898fb213f', 'bf597fc7beef0ee4', 'c6e00bf33da88fc2', 'd5a79147930aa725', '06ca6351e003826f', '142929670a0e6e70',
  '27b70a8546d22ffc', '2e1b21385c26c926', '4d2c6dfc5ac42aed', '53380d139d95b3df', '650a73548baf63de', '766a0abb3c77b2a8', '81c2c92e47edaee6', '92722c851482353b',
  'a2bfe8a14cf10364', 'a81a664bbc423001', 'c24b8b70d0f89791', 'c76c51a30654be30', 'd192e819d6ef5218', 'd69906245565a910', 'f40e35855771202a', '106aa07032bbd1b8',
  '19a4c116b8d2d0c8', '1e376c085141ab53', '2748774cdf8eeb99', '34b0bcb5e19b48a8', '391c0cb3c5c95a63', '4ed8aa4ae3418acb', '5b9cca4f7763e373', '682e6ff3d6b2b8a3',
  '748f82ee5defb2fc', '78a5636f43172f60', '84c87814a1f0ab72', '8cc702081a6439ec', '90befffa23631e28', 'a4506cebde82bde9', 'bef9a3f7b2c67915', 'c67178f2e372532b',
  'ca273eceea26619c', 'd186b8c721c0c207', 'eada7dd6cde0eb1e', 'f57d4f7fee6ed178', '06f067aa72176fba', '0a637dc5a2c898a6', '113f9804bef90dae', '1b710b35131c471b',
  '28db77f523047d84', '32caab7b40c72493', '3c9ebe0a15c9bebc', '431d67c49c100d4c', '4cc5d4becb3e42b6', '597f299cfc657e2a', '5fcb6fab3ad6faec', '6c44198c4a475817',
];
const IV_HEX = ['6a09e667f3bcc908', 'bb67ae8584caa73b', '3c6ef372fe94f82b', 'a54ff53a5f1d36f1', '510e527fade682d1', '9b05688c2b3e6c1f', '1f83d9abfb41bd6b', '5be0cd19137e2179'];

const split = (hex: string[]) => {
  const out = new Int32Array(hex.length * 2);
  hex.forEach((h, i) => {
    out[2 * i] = Number.parseInt(h.slice(0, 8), 16) | 0;
    out[2 * i + 1] = Number.parseInt(h.slice(8), 16) | 0;
  });
  return out;
};
const K = split(K_HEX);
const IV = split(IV_HEX);

export class Sha512 extends BlockHash {
  private readonly h = Int32Array.from(IV);
  private readonly w = new Int32Array(160);

  constructor() {
    super(128);
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const pad = new Uint8Array((this.used < 112 ? 112 : 240) - this.used + 16);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, ((bits / 0x100000000) | 0), false);
    view.setUint32(pad.length - 4, bits >>> 0, false);
    this.length -= pad.length;
    this.update(pad);
    const out = new Uint8Array(64);
    const ov = new DataView(out.buffer);
    for (let j = 0; j < 16; j++) ov.setInt32(j * 4, this.h[j] as number, false);
    return out;
  }

  protected compress(buf: Uint8Array, off: number): void {
    const w = this.w;
    for (let j = 0; j < 32; j++) {
      const p = off + j * 4;
      w[j] = ((buf[p] as number) << 24) | ((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number);
    }
    for (let j = 32; j < 160; j += 2) {
      // σ0(w[t-15])
      let xh = w[j - 30] as number;
      let xl = w[j - 29] as number;
      const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
      const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
      // σ1(w[t-2])
      xh = w[j - 4] as number;
      xl = w[j - 3] as number;
      const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
      const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
      // w[t-16] + σ0 + w[t-7] + σ1, in 16-bit pieces for the carries
      let lo = (s0l >>> 0) + (s1l >>> 0) + ((w[j - 13] as number) >>> 0) + ((w[j - 31] as number) >>> 0);
      const carry = ((lo / 0x100000000) | 0);
      lo >>>= 0;
      const hi = (s0h + s1h + (w[j - 14] as number) + (w[j - 32] as number) + carry) | 0;
      w[j] = hi;
      w[j + 1] = lo | 0;
    }
    const h = this.h;
    let ah = h[0] as number, al = h[1] as number, bh = h[2] as number, bl = h[3] as number;
    let ch = h[4] as number, cl = h[5] as number, dh = h[6] as number, dl = h[7] as number;
    let eh = h[8] as number, el = h[9] as number, fh = h[10] as number, fl = h[11] as number;
    let gh = h[12] as number, gl = h[13] as number, hh = h[14] as number, hl = h[15] as number;
    for (let j = 0; j < 160; j += 2) {
      // Σ1(e)
      const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
      const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
      const chh = (eh & fh) ^ (~eh & gh);
      const chl = (el & fl) ^ (~el & gl);
      let t1l = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + ((K[j + 1] as number) >>> 0) + ((w[j + 1] as number) >>> 0);
      const t1c = ((t1l / 0x100000000) | 0);
      t1l >>>= 0;
      const t1h = (hh + S1h + chh + (K[j] as number) + (w[j] as number) + t1c) | 0;
      // Σ0(a)
      const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
      const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
      const majh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
      const majl = (al & bl) ^ (al & cl) ^ (bl & cl);
      let t2l = (S0l >>> 0) + (majl >>> 0);
      const t2c = ((t2l / 0x100000000) | 0);
      t2l >>>= 0;
      const t2h = (S0h + majh + t2c) | 0;
      hh = gh; hl = gl; gh = fh; gl = fl; fh = eh; fl = el;
      let nl = (dl >>> 0) + t1l;
      eh = (dh + t1h + ((nl / 0x100000000) | 0)) | 0;
      el = nl | 0;
      dh = ch; dl = cl; ch = bh; cl = bl; bh = ah; bl = al;
      nl = t1l + t2l;
      ah = (t1h + t2h + ((nl / 0x100000000) | 0)) | 0;
      al = nl | 0;
    }
    const add = (i: number, xh: number, xl: number) => {
      const lo = ((h[i + 1] as number) >>> 0) + (xl >>> 0);
      h[i] = ((h[i] as number) + xh + ((lo / 0x100000000) | 0)) | 0;
      h[i + 1] = lo | 0;
    };
    add(0, ah, al); add(2, bh, bl); add(4, ch, cl); add(6, dh, dl);
    add(8, eh, el); add(10, fh, fl); add(12, gh, gl); add(14, hh, hl);
  }
}
