import { conflict, forbidden, badRequest } from '../core/faults.ts';
import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { concatBytes, selfSignedCertificate } from './x509.ts';
import { CA, CL, type KubeSecret, MANAGED, b64decode, b64encode, decodeText, encodeText, sha256Hex } from './model.ts';

// Keypairs belong to a Keystone user, not to a project (as in Nova). Each is a Secret in the
// identity region's `dicot-system` namespace, labelled with the user id, named from a digest
// of (user, name) so a retried create meets the existing one. Users have no Kubernetes rights
// there: the gateway's own client writes them and Nova's policy (owner or admin) decides.

export const KEYPAIR_NS = 'dicot-system';
export const MAX_KEYPAIRS = 100;

export type KeyType = 'ssh' | 'x509';

export interface Keypair {
  name: string;
  userId: string;
  type: KeyType;
  publicKey: string;
  fingerprint: string;
  createdAt: string;
  /** Nova shows an integer id; a stable number derived from the object uid. */
  id: number;
  object: string;
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const colons = (h: string) => (h.match(/../g) ?? []).join(':');

// ---- fingerprints (nova/crypto.py generate_fingerprint / generate_x509_fingerprint) ----

/** The decoded key blob of an OpenSSH public key line, or undefined when it is not one. */
export function sshKeyBlob(publicKey: string): Uint8Array | undefined {
  const parts = publicKey.trim().split(/\s+/);
  if (parts.length < 2) return undefined;
  const [type, data] = parts as [string, string];
  if (!/^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/.test(type)) return undefined;
  let blob: Uint8Array;
  try {
    blob = b64decode(data);
  } catch {
    return undefined;
  }
  // The blob starts with the key type as an SSH string.
  if (blob.length < 4) return undefined;
  const len = (blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!;
  if (len <= 0 || 4 + len > blob.length) return undefined;
  if (new TextDecoder().decode(blob.subarray(4, 4 + len)) !== type) return undefined;
  return blob;
}

/** MD5 of the key blob, colon-separated hex: Nova's (and ssh-keygen -E md5's) fingerprint. */
export function sshFingerprint(publicKey: string): string | undefined {
  const blob = sshKeyBlob(publicKey);
  return blob ? colons(md5Hex(blob)) : undefined;
}

/** DER bytes of a PEM certificate, or undefined. */
export function pemCertificate(text: string): Uint8Array | undefined {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  if (!m) return undefined;
  try {
    const der = b64decode((m[1] ?? '').replace(/\s+/g, ''));
    return der.length > 0 && der[0] === 0x30 ? der : undefined;
  } catch {
    return undefined;
  }
}

export async function x509Fingerprint(text: string): Promise<string | undefined> {
  const der = pemCertificate(text);
  if (!der) return undefined;
  return colons(hex(new Uint8Array(await crypto.subtle.digest('SHA-1', der as Uint8Array<ArrayBuffer>))));
}

export async function fingerprintOf(type: KeyType, publicKey: string): Promise<string> {
  const fp = type === 'x509' ? await x509Fingerprint(publicKey) : sshFingerprint(publicKey);
  if (!fp) throw badRequest('Keypair data is invalid: failed to generate fingerprint');
  return fp;
}

// ---- generation (WebCrypto RSA 2048, as Nova generated RSA keys) ----

const sshString = (bytes: Uint8Array) => {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
};
const mpint = (bytes: Uint8Array) => {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return sshString((trimmed[0] ?? 0) & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed);
};
const b64url = (s: string) => b64decode(s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '='));
const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${(b64encode(der).match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

const rsaKeyPair = async () =>
  (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
const pkcs8Pem = async (pair: CryptoKeyPair) => pem('PRIVATE KEY', new Uint8Array((await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer));

/** A new RSA key pair: OpenSSH public key line and PEM (PKCS#8) private key. */
export async function generateSshKeyPair(comment = 'Generated-by-Dicot'): Promise<{ publicKey: string; privateKey: string }> {
  const pair = await rsaKeyPair();
  const jwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
  const blob = concatBytes(sshString(new TextEncoder().encode('ssh-rsa')), mpint(b64url(jwk.e ?? '')), mpint(b64url(jwk.n ?? '')));
  return { publicKey: `ssh-rsa ${b64encode(blob)} ${comment}\n`, privateKey: await pkcs8Pem(pair) };
}

/** A new RSA key pair as Nova's x509 type: a self-signed PEM certificate and the PEM private key. */
export async function generateX509KeyPair(commonName: string): Promise<{ publicKey: string; privateKey: string }> {
  const pair = await rsaKeyPair();
  return { publicKey: pem('CERTIFICATE', await selfSignedCertificate(pair, commonName)), privateKey: await pkcs8Pem(pair) };
}

// ---- storage ----

export async function keypairObjectName(userId: string, name: string): Promise<string> {
  return `keypair-${(await sha256Hex(`${userId}/${name}`)).slice(0, 40)}`;
}

/** Pure: Secret → keypair record. */
export function toKeypair(s: KubeSecret): Keypair {
  const a = s.metadata.annotations ?? {};
  const uid = (s.metadata.uid ?? '').replace(/-/g, '');
  return {
    name: a[CA.name] ?? s.metadata.name ?? '',
    userId: s.metadata.labels?.[CL.keypairUser] ?? '',
    type: a[CA.keyType] === 'x509' ? 'x509' : 'ssh',
    publicKey: decodeText(s.data?.public_key) ?? '',
    fingerprint: a[CA.fingerprint] ?? '',
    createdAt: s.metadata.creationTimestamp ?? new Date(0).toISOString(),
    id: Number.parseInt(uid.slice(0, 7) || '0', 16),
    object: s.metadata.name ?? '',
  };
}

export class Keypairs {
  constructor(
    private readonly kube: KubeClient,
    private readonly ensureNamespace: () => Promise<void>,
  ) {}

  async list(userId: string): Promise<Keypair[]> {
    const list = await this.kube.listAll<KubeSecret>(R.secrets, {
      namespace: KEYPAIR_NS,
      labelSelector: `${CL.keypair}=true,${CL.keypairUser}=${userId}`,
    });
    return list.items
      .filter((s) => !s.metadata.deletionTimestamp)
      .map(toKeypair)
      .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  }

  async get(userId: string, name: string): Promise<Keypair | undefined> {
    try {
      const s = await this.kube.get<KubeSecret>(R.secrets, await keypairObjectName(userId, name), { namespace: KEYPAIR_NS });
      const k = toKeypair(s);
      return k.userId === userId && k.name === name ? k : undefined;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async create(k: { userId: string; name: string; type: KeyType; publicKey: string; fingerprint: string }): Promise<Keypair> {
    if ((await this.list(k.userId)).length >= MAX_KEYPAIRS) throw forbidden('Quota exceeded, too many key pairs.');
    await this.ensureNamespace();
    try {
      const s = await this.kube.create<KubeSecret>(R.secrets, {
        metadata: {
          name: await keypairObjectName(k.userId, k.name),
          namespace: KEYPAIR_NS,
          labels: { ...MANAGED, [CL.keypair]: 'true', [CL.keypairUser]: k.userId },
          annotations: { [CA.name]: k.name, [CA.keyType]: k.type, [CA.fingerprint]: k.fingerprint },
        },
        type: 'Opaque',
        data: { public_key: encodeText(k.publicKey) },
      });
      return toKeypair(s);
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw conflict(`Key pair '${k.name}' already exists.`);
      throw err;
    }
  }

  async delete(k: Keypair): Promise<void> {
    try {
      await this.kube.delete(R.secrets, k.object, { namespace: KEYPAIR_NS });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}

// ---- MD5 (WebCrypto has none; fingerprints need it) ----

const S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

/** RFC 1321 MD5 of `data`, lower-case hex. */
export function md5Hex(data: Uint8Array): string {
  const bitLen = data.length * 8;
  const padded = new Uint8Array((((data.length + 8) >> 6) + 1) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, bitLen >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(bitLen / 2 ** 32), true);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89;
  let c0 = 0x98badcfe;
  let d0 = 0x10325476;
  for (let off = 0; off < padded.length; off += 64) {
    const M = Array.from({ length: 16 }, (_, i) => view.getUint32(off + i * 4, true));
    let A = a0;
    let B = b0;
    let C = c0;
    let D = d0;
    for (let i = 0; i < 64; i++) {
      let F: number;
      let g: number;
      if (i < 16) {
        F = (B & C) | (~B & D);
        g = i;
      } else if (i < 32) {
        F = (D & B) | (~D & C);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        F = B ^ C ^ D;
        g = (3 * i + 5) % 16;
      } else {
        F = C ^ (B | ~D);
        g = (7 * i) % 16;
      }
      F = (F + A + (K[i] as number) + (M[g] as number)) >>> 0;
      A = D;
      D = C;
      C = B;
      B = (B + ((F << (S[i] as number)) | (F >>> (32 - (S[i] as number))))) >>> 0;
    }
    a0 = (a0 + A) >>> 0;
    b0 = (b0 + B) >>> 0;
    c0 = (c0 + C) >>> 0;
    d0 = (d0 + D) >>> 0;
  }
  const out = new Uint8Array(16);
  const ov = new DataView(out.buffer);
  for (const [i, w] of [a0, b0, c0, d0].entries()) ov.setUint32(i * 4, w, true);
  return hex(out);
}
