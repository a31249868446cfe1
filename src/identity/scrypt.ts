// scrypt (RFC 7914) in TypeScript over WebCrypto's PBKDF2-HMAC-SHA256 (1 iteration), so
// password hashing is memory-hard and identical on Node, Bun, Deno and Cloudflare Workers
// (which refuse PBKDF2 above 100,000 iterations and offer no native scrypt).

export interface ScryptParams {
  /** CPU/memory cost, a power of two > 1. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelisation (run sequentially here; memory stays 128·r·N bytes). */
  p: number;
}

async function pbkdf2(password: Uint8Array, salt: Uint8Array, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', password as BufferSource, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations: 1 }, key, bytes * 8);
  return new Uint8Array(bits);
}

const rotl = (a: number, b: number) => (a << b) | (a >>> (32 - b));

/** Salsa20/8 core (RFC 7914 §3) applied in place to B[bi..bi+16), with X as scratch. */
function salsa208(B: Uint32Array, bi: number, X: Uint32Array): void {
  for (let i = 0; i < 16; i++) X[i] = B[bi + i] as number;
  let x0 = X[0] as number, x1 = X[1] as number, x2 = X[2] as number, x3 = X[3] as number;
  let x4 = X[4] as number, x5 = X[5] as number, x6 = X[6] as number, x7 = X[7] as number;
  let x8 = X[8] as number, x9 = X[9] as number, x10 = X[10] as number, x11 = X[11] as number;
  let x12 = X[12] as number, x13 = X[13] as number, x14 = X[14] as number, x15 = X[15] as number;
  for (let i = 0; i < 8; i += 2) {
    x4 ^= rotl(x0 + x12, 7); x8 ^= rotl(x4 + x0, 9); x12 ^= rotl(x8 + x4, 13); x0 ^= rotl(x12 + x8, 18);
    x9 ^= rotl(x5 + x1, 7); x13 ^= rotl(x9 + x5, 9); x1 ^= rotl(x13 + x9, 13); x5 ^= rotl(x1 + x13, 18);
    x14 ^= rotl(x10 + x6, 7); x2 ^= rotl(x14 + x10, 9); x6 ^= rotl(x2 + x14, 13); x10 ^= rotl(x6 + x2, 18);
    x3 ^= rotl(x15 + x11, 7); x7 ^= rotl(x3 + x15, 9); x11 ^= rotl(x7 + x3, 13); x15 ^= rotl(x11 + x7, 18);
    x1 ^= rotl(x0 + x3, 7); x2 ^= rotl(x1 + x0, 9); x3 ^= rotl(x2 + x1, 13); x0 ^= rotl(x3 + x2, 18);
    x6 ^= rotl(x5 + x4, 7); x7 ^= rotl(x6 + x5, 9); x4 ^= rotl(x7 + x6, 13); x5 ^= rotl(x4 + x7, 18);
    x11 ^= rotl(x10 + x9, 7); x8 ^= rotl(x11 + x10, 9); x9 ^= rotl(x8 + x11, 13); x10 ^= rotl(x9 + x8, 18);
    x12 ^= rotl(x15 + x14, 7); x13 ^= rotl(x12 + x15, 9); x14 ^= rotl(x13 + x12, 13); x15 ^= rotl(x14 + x13, 18);
  }
  B[bi] = ((X[0] as number) + x0) | 0; B[bi + 1] = ((X[1] as number) + x1) | 0;
  B[bi + 2] = ((X[2] as number) + x2) | 0; B[bi + 3] = ((X[3] as number) + x3) | 0;
  B[bi + 4] = ((X[4] as number) + x4) | 0; B[bi + 5] = ((X[5] as number) + x5) | 0;
  B[bi + 6] = ((X[6] as number) + x6) | 0; B[bi + 7] = ((X[7] as number) + x7) | 0;
  B[bi + 8] = ((X[8] as number) + x8) | 0; B[bi + 9] = ((X[9] as number) + x9) | 0;
  B[bi + 10] = ((X[10] as number) + x10) | 0; B[bi + 11] = ((X[11] as number) + x11) | 0;
  B[bi + 12] = ((X[12] as number) + x12) | 0; B[bi + 13] = ((X[13] as number) + x13) | 0;
  B[bi + 14] = ((X[14] as number) + x14) | 0; B[bi + 15] = ((X[15] as number) + x15) | 0;
}

/** scryptBlockMix (RFC 7914 §4): B (2r blocks of 16 words) → Y, with the even/odd shuffle. */
function blockMix(B: Uint32Array, Y: Uint32Array, r: number, T: Uint32Array, X: Uint32Array): void {
  const last = (2 * r - 1) * 16;
  for (let k = 0; k < 16; k++) T[k] = B[last + k] as number;
  for (let i = 0; i < 2 * r; i++) {
    for (let k = 0; k < 16; k++) T[k] = (T[k] as number) ^ (B[i * 16 + k] as number);
    salsa208(T, 0, X);
    // Even blocks go to the first half, odd blocks to the second.
    const dst = ((i & 1) * r + (i >> 1)) * 16;
    for (let k = 0; k < 16; k++) Y[dst + k] = T[k] as number;
  }
}

/** scryptROMix (RFC 7914 §5) on one 128·r-byte block, in place. */
function roMix(B: Uint32Array, r: number, N: number, V: Uint32Array): void {
  const words = 32 * r;
  const X = B;
  const Y = new Uint32Array(words);
  const T = new Uint32Array(16);
  const S = new Uint32Array(16);
  for (let i = 0; i < N; i++) {
    V.set(X, i * words);
    blockMix(X, Y, r, T, S);
    X.set(Y);
  }
  for (let i = 0; i < N; i++) {
    // Integerify: the first word of the last 64-byte block, little-endian; N ≤ 2^32.
    const j = (X[(2 * r - 1) * 16] as number) & (N - 1);
    const off = j * words;
    for (let k = 0; k < words; k++) X[k] = (X[k] as number) ^ (V[off + k] as number);
    blockMix(X, Y, r, T, S);
    X.set(Y);
  }
}

function toWords(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = new Uint32Array(bytes.byteLength / 4);
  for (let i = 0; i < w.length; i++) w[i] = view.getUint32(i * 4, true);
  return w;
}

function toBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(i * 4, words[i] as number, true);
  return out;
}

export function checkParams({ N, r, p }: ScryptParams): void {
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 24) throw new RangeError('scrypt: N must be a power of two in [2, 2^24]');
  if (!Number.isInteger(r) || r < 1 || r > 64) throw new RangeError('scrypt: r must be in [1, 64]');
  if (!Number.isInteger(p) || p < 1 || p > 16) throw new RangeError('scrypt: p must be in [1, 16]');
}

/** scrypt(P, S, N, r, p, dkLen) as RFC 7914 §6 defines it. */
export async function scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams, dkLen: number): Promise<Uint8Array> {
  checkParams(params);
  const { N, r, p } = params;
  const blockBytes = 128 * r;
  const B = toWords(await pbkdf2(password, salt, p * blockBytes));
  const V = new Uint32Array(32 * r * N);
  const words = 32 * r;
  for (let i = 0; i < p; i++) {
    const block = B.subarray(i * words, (i + 1) * words);
    roMix(block, r, N, V);
  }
  return pbkdf2(password, toBytes(B), dkLen);
}
