import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import * as v from 'valibot';
import type { KeyRing } from '../identity/keys.ts';
import { ISSUER, signJwt } from '../identity/tokens.ts';

// Console tokens: ES256 JWTs signed with the identity service's keys (the same key ring as
// Keystone tokens), for another audience so neither kind of token passes for the other.
// A token is bound to one region, project, server, console kind and user; the claims carry
// what the proxy needs to open the console as that user (namespace, VM object, groups).

export const CONSOLE_AUDIENCE = 'dicot-console';
/** Nova's default `[consoleauth] token_ttl`. */
export const CONSOLE_TTL_SECONDS = 600;

export const CONSOLE_KINDS = ['novnc', 'serial'] as const;
export type ConsoleKind = (typeof CONSOLE_KINDS)[number];

export const ConsoleClaims = v.object({
  /** Keystone user id. */
  sub: v.string(),
  /** Random id: names the single-use record. */
  jti: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/)),
  iat: v.number(),
  exp: v.number(),
  region: v.string(),
  project: v.string(),
  /** OpenStack server id. */
  server: v.string(),
  ns: v.string(),
  vm: v.string(),
  kind: v.picklist(CONSOLE_KINDS),
  /** Keystone group ids of the user (impersonated with the user). */
  groups: v.array(v.string()),
});
export type ConsoleClaims = v.InferOutput<typeof ConsoleClaims>;
export type ConsoleTokenInput = Omit<ConsoleClaims, 'iat' | 'exp' | 'jti'>;

export type VerifyResult = { ok: true; claims: ConsoleClaims } | { ok: false; reason: 'expired' | 'invalid' };

export function newTokenId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function signConsoleToken(
  keys: Pick<KeyRing, 'signingKey'>,
  input: ConsoleTokenInput,
  nowMs: number,
  ttlSeconds = CONSOLE_TTL_SECONDS,
): Promise<{ token: string; claims: ConsoleClaims }> {
  const iat = Math.floor(nowMs / 1000);
  const claims: ConsoleClaims = { ...input, jti: newTokenId(), iat, exp: iat + ttlSeconds };
  return { token: await signJwt(keys, claims, CONSOLE_AUDIENCE), claims };
}

/** The claims of a console token signed by one of our keys; says whether it expired. */
export async function verifyConsoleToken(keys: Pick<KeyRing, 'verifyKey'>, token: string, nowMs: number): Promise<VerifyResult> {
  if (!token || token.length > 4096) return { ok: false, reason: 'invalid' };
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== 'ES256') return { ok: false, reason: 'invalid' };
    const key = await keys.verifyKey(header.kid);
    if (!key) return { ok: false, reason: 'invalid' };
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: CONSOLE_AUDIENCE,
      currentDate: new Date(nowMs),
      requiredClaims: ['sub', 'jti', 'exp', 'iat', 'nbf'],
    });
    const parsed = v.safeParse(ConsoleClaims, payload);
    return parsed.success ? { ok: true, claims: parsed.output } : { ok: false, reason: 'invalid' };
  } catch (e) {
    return { ok: false, reason: e instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}
