import { type ScryptParams, checkParams, scrypt } from './scrypt.ts';

// Password and application-credential secret hashes: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`.
// The work factor is stored with each hash, so it can be raised later and old hashes still verify.

/** OWASP's scrypt setting N=2^15, r=8, p=3: 32 MiB, fits a Worker's memory. */
export const PRODUCTION_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 3 };

const HASH_BYTES = 32;
const SALT_BYTES = 16;
const enc = new TextEncoder();

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

export async function hashSecret(secret: string, params: ScryptParams = PRODUCTION_SCRYPT): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await scrypt(enc.encode(secret), salt, params, HASH_BYTES);
  return `scrypt$${params.N}$${params.r}$${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** Compares in time independent of where the first difference is. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

interface Parsed {
  params: ScryptParams;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parse(stored: string): Parsed | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return undefined;
  const params = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  try {
    checkParams(params);
    return { params, salt: unb64(m[4] as string), hash: unb64(m[5] as string) };
  } catch {
    return undefined;
  }
}

/** True when `secret` matches `stored`; a malformed stored hash never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const hash = await scrypt(enc.encode(secret), parsed.salt, parsed.params, parsed.hash.length || HASH_BYTES);
  return constantTimeEqual(hash, parsed.hash);
}

/** A random secret for application credentials and bootstrap passwords (URL-safe). */
export function randomSecret(bytes = 32): string {
  const s = b64(crypto.getRandomValues(new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  // A leading '-' would read as an option on a command line (`--os-password -x…`).
  return s.startsWith('-') ? `A${s.slice(1)}` : s;
}
