// A self-signed X.509 certificate for a generated key pair (Nova's x509 keypairs, used for
// WinRM): DER built by hand, since WebCrypto signs but has no certificate builder.

const tlv = (tag: number, body: Uint8Array): Uint8Array => {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(body, 1 + len.length);
  return out;
};
/** The bytes of `parts`, one after another. */
export const concatBytes = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const seq = (...parts: Uint8Array[]) => tlv(0x30, concatBytes(...parts));
const set = (...parts: Uint8Array[]) => tlv(0x31, concatBytes(...parts));
const oid = (dotted: string) => {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
};
const NULL = Uint8Array.of(0x05, 0x00);
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const utcTime = (d: Date) => tlv(0x17, new TextEncoder().encode(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
const bitString = (bytes: Uint8Array) => tlv(0x03, concatBytes(Uint8Array.of(0), bytes));
/** A positive INTEGER from random bytes (serial numbers are at most 20 bytes). */
const serial = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return tlv(0x02, bytes);
};

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), NULL);
const COMMON_NAME = '2.5.4.3';
const TEN_YEARS_MS = 3650 * 24 * 3600 * 1000;

/** DER of a version-1 certificate naming `commonName` as subject and issuer, valid ten years. */
export async function selfSignedCertificate(pair: CryptoKeyPair, commonName: string, now = new Date()): Promise<Uint8Array> {
  const name = seq(set(seq(oid(COMMON_NAME), utf8(commonName))));
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer);
  const tbs = seq(serial(), SHA256_WITH_RSA, name, seq(utcTime(now), utcTime(new Date(now.getTime() + TEN_YEARS_MS))), name, spki);
  const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, tbs as Uint8Array<ArrayBuffer>));
  return seq(tbs, SHA256_WITH_RSA, bitString(signature));
}
