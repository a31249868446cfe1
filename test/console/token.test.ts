import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyPair } from 'jose';
import { CONSOLE_TTL_SECONDS, signConsoleToken, verifyConsoleToken } from '../../src/console/token.ts';
import { signToken } from '../../src/identity/tokens.ts';

// Console token claims: what is bound into them, expiry, and that neither a Keystone token
// nor a token signed by another key passes.

const keys = async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { signingKey: async () => ({ kid: 'k1', privateKey }), verifyKey: async (kid: string | undefined) => (kid === 'k1' ? publicKey : undefined) };
};
const input = { sub: 'u1', region: 'RegionOne', project: 'p1', server: 's1', ns: 'p-one', vm: 'vm-1', kind: 'novnc' as const, groups: ['g1'] };

test('claims round-trip; expiry after the TTL is reported as such', async () => {
  const k = await keys();
  const now = Date.UTC(2026, 0, 1);
  const { token, claims } = await signConsoleToken(k, input, now);
  assert.match(claims.jti, /^[0-9a-f]{32}$/);
  assert.equal(claims.exp - claims.iat, CONSOLE_TTL_SECONDS);
  const ok = await verifyConsoleToken(k, token, now + 1000);
  assert.deepEqual(ok, { ok: true, claims });
  assert.deepEqual(await verifyConsoleToken(k, token, now + (CONSOLE_TTL_SECONDS + 1) * 1000), { ok: false, reason: 'expired' });
});

test('another key, a Keystone token and garbage are invalid', async () => {
  const [a, b] = [await keys(), await keys()];
  const now = Date.now();
  const { token } = await signConsoleToken(a, input, now);
  assert.deepEqual(await verifyConsoleToken(b, token, now), { ok: false, reason: 'invalid' });
  const keystone = await signToken(a, { sub: 'u1', exp: Math.floor(now / 1000) + 60, methods: ['password'], user: { name: 'u', domain: { id: 'default', name: 'Default' } }, roles: [], groups: [] }, now);
  assert.deepEqual(await verifyConsoleToken(a, keystone.token, now), { ok: false, reason: 'invalid' });
  assert.deepEqual(await verifyConsoleToken(a, 'x.y.z', now), { ok: false, reason: 'invalid' });
});
