import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import * as v from 'valibot';
import type { KeyRing } from './keys.ts';

// Tokens are ES256 JWTs carrying everything a replica needs to answer a request (user,
// scope, roles, groups), so validation needs only the public keys and the revocation list.

export const ISSUER = 'dicot-identity';
export const AUDIENCE = 'dicot';

const Ref = v.object({ id: v.string(), name: v.string() });
const DomainRef = Ref;

export const TokenClaims = v.object({
  sub: v.string(),
  jti: v.string(),
  iat: v.number(),
  exp: v.number(),
  /** Issue time in ms (revocation "before" comparisons need sub-second precision). */
  ims: v.number(),
  methods: v.array(v.string()),
  /** Audit id of the token this one was made from (token method), Keystone's audit chain. */
  parent: v.optional(v.string()),
  user: v.object({ name: v.string(), domain: DomainRef }),
  project: v.optional(v.object({ id: v.string(), name: v.string(), domain: DomainRef })),
  domain: v.optional(DomainRef),
  system: v.optional(v.boolean()),
  roles: v.array(Ref),
  groups: v.array(v.string()),
  appcred: v.optional(v.object({ id: v.string(), name: v.string(), restricted: v.boolean() })),
});

export type TokenClaims = v.InferOutput<typeof TokenClaims>;
export type TokenInput = Omit<TokenClaims, 'iat' | 'ims' | 'jti'> & { jti?: string };

/** Keystone-style audit id: 16 random bytes, URL-safe base64 without padding (22 chars). */
export function newAuditId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An ES256 JWT of the key ring's current key, for one audience (Keystone's, the consoles'). */
export async function signJwt(
  keys: Pick<KeyRing, 'signingKey'>,
  claims: { sub: string; jti: string; iat: number; exp: number; [k: string]: unknown },
  audience: string,
): Promise<string> {
  const { kid, privateKey } = await keys.signingKey();
  const { sub, jti, iat, exp, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
    .setSubject(sub)
    .setJti(jti)
    .setIssuedAt(iat)
    // A few seconds of slack for replicas whose clocks run slightly behind this one.
    .setNotBefore(iat - 5)
    .setExpirationTime(exp)
    .setIssuer(ISSUER)
    .setAudience(audience)
    .sign(privateKey);
}

export async function signToken(keys: Pick<KeyRing, 'signingKey'>, input: TokenInput, nowMs: number): Promise<{ token: string; claims: TokenClaims }> {
  const claims: TokenClaims = { ...input, jti: input.jti ?? newAuditId(), iat: Math.floor(nowMs / 1000), ims: nowMs };
  return { token: await signJwt(keys, claims, AUDIENCE), claims };
}

/**
 * The claims of a token that is well-formed, signed by one of our keys with ES256, for our
 * issuer and audience, and valid at `nowMs`; undefined otherwise (never says why: callers
 * answer 401/404 alike). Revocation is checked separately.
 */
export async function verifyToken(keys: Pick<KeyRing, 'verifyKey'>, token: string, nowMs: number): Promise<TokenClaims | undefined> {
  if (!token || token.length > 8192) return undefined;
  try {
    const header = decodeProtectedHeader(token);
    // Only ES256: rejects `none`, HMAC-with-the-public-key confusion and any other alg.
    if (header.alg !== 'ES256') return undefined;
    const key = await keys.verifyKey(header.kid);
    if (!key) return undefined;
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(nowMs),
      requiredClaims: ['sub', 'jti', 'exp', 'iat', 'nbf'],
    });
    const parsed = v.safeParse(TokenClaims, payload);
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}
