import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { AUDIENCE, ISSUER, type TokenInput, signToken, verifyToken } from '../../src/identity/tokens.ts';

// Token attacks: every one of these must come back as "not a token".

const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const other = await generateKeyPair('ES256');
const keys = {
  signingKey: async () => ({ kid: 'k1', privateKey }),
  verifyKey: async (kid: string | undefined) => (kid === 'k1' ? publicKey : undefined),
};
const NOW = Date.UTC(2026, 0, 1);
const input: TokenInput = {
  sub: 'a'.repeat(32),
  exp: NOW / 1000 + 3600,
  methods: ['password'],
  user: { name: 'alice', domain: { id: 'default', name: 'Default' } },
  project: { id: 'b'.repeat(32), name: 'p', domain: { id: 'default', name: 'Default' } },
  roles: [{ id: 'c'.repeat(32), name: 'member' }],
  groups: [],
};

const claimsOf = async () => (await signToken(keys, input, NOW)).claims;
const body = (c: Record<string, unknown>) => {
  const { sub, jti, iat, exp, ...rest } = c;
  return { rest, sub: sub as string, jti: jti as string, iat: iat as number, exp: exp as number };
};
async function forge(alter: (j: SignJWT) => SignJWT, over: Record<string, unknown> = {}, key: CryptoKey | Uint8Array = privateKey, alg = 'ES256', kid = 'k1') {
  const { rest, sub, jti, iat, exp } = body({ ...(await claimsOf()), ...over });
  const j = new SignJWT(rest).setProtectedHeader({ alg, kid }).setSubject(sub).setJti(jti).setIssuedAt(iat).setNotBefore(iat).setExpirationTime(exp).setIssuer(ISSUER).setAudience(AUDIENCE);
  return alter(j).sign(key);
}

test('a token we signed verifies and round-trips its claims', async () => {
  const { token, claims } = await signToken(keys, input, NOW);
  const got = await verifyToken(keys, token, NOW + 1000);
  assert.ok(got);
  assert.equal(got.sub, input.sub);
  assert.equal(got.jti, claims.jti);
  assert.equal(got.ims, NOW);
  assert.deepEqual(got.roles, input.roles);
  assert.match(claims.jti, /^[A-Za-z0-9_-]{22}$/);
});

test('expired and not-yet-valid tokens are rejected', async () => {
  const { token } = await signToken(keys, input, NOW);
  assert.equal(await verifyToken(keys, token, NOW + 3601_000), undefined);
  const future = await forge((j) => j.setNotBefore(NOW / 1000 + 600));
  assert.equal(await verifyToken(keys, future, NOW), undefined);
});

test('alg none is rejected', async () => {
  const { rest, sub, exp } = body(await claimsOf());
  const none = new UnsecuredJWT(rest).setSubject(sub).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(exp).setIssuedAt(NOW / 1000).encode();
  assert.equal(await verifyToken(keys, none, NOW), undefined);
});

test('HMAC with the public key as secret (algorithm confusion) is rejected', async () => {
  const pem = new TextEncoder().encode(await exportSPKI(publicKey));
  const jwk = new TextEncoder().encode(JSON.stringify(await exportJWK(publicKey)));
  for (const secret of [pem, jwk]) {
    const t = await forge((j) => j, {}, secret, 'HS256');
    assert.equal(await verifyToken(keys, t, NOW), undefined);
  }
});

test('wrong issuer, wrong audience, unknown key id and foreign keys are rejected', async () => {
  assert.equal(await verifyToken(keys, await forge((j) => j.setIssuer('evil')), NOW), undefined);
  assert.equal(await verifyToken(keys, await forge((j) => j.setAudience('other')), NOW), undefined);
  assert.equal(await verifyToken(keys, await forge((j) => j, {}, privateKey, 'ES256', 'k2'), NOW), undefined);
  assert.equal(await verifyToken(keys, await forge((j) => j, {}, other.privateKey), NOW), undefined);
});

test('a tampered payload or signature is rejected', async () => {
  const { token } = await signToken(keys, input, NOW);
  const [h, p, s] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims.roles = [{ id: 'x'.repeat(32), name: 'admin' }];
  const evil = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  assert.equal(await verifyToken(keys, evil, NOW), undefined);
  const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
  assert.equal(await verifyToken(keys, flipped, NOW), undefined);
  assert.equal(await verifyToken(keys, 'garbage', NOW), undefined);
  assert.equal(await verifyToken(keys, '', NOW), undefined);
});

test('claims missing what a token needs are rejected even when signed', async () => {
  const t = await forge((j) => j, { roles: undefined, user: undefined });
  assert.equal(await verifyToken(keys, t, NOW), undefined);
});
