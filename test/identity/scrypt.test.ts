import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRODUCTION_SCRYPT, constantTimeEqual, hashSecret, verifySecret } from '../../src/identity/passwords.ts';
import { scrypt } from '../../src/identity/scrypt.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc = (s: string) => new TextEncoder().encode(s);

// RFC 7914 §12 test vectors (the 1 GiB one is left out).
test('scrypt matches RFC 7914 vector 1 (empty password and salt)', async () => {
  const dk = await scrypt(enc(''), enc(''), { N: 16, r: 1, p: 1 }, 64);
  assert.equal(
    hex(dk),
    '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906',
  );
});

test('scrypt matches RFC 7914 vector 2 (password/NaCl, N=1024 r=8 p=16)', async () => {
  const dk = await scrypt(enc('password'), enc('NaCl'), { N: 1024, r: 8, p: 16 }, 64);
  assert.equal(
    hex(dk),
    'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
  );
});

test('scrypt matches RFC 7914 vector 3 (pleaseletmein, N=16384 r=8 p=1)', async () => {
  const dk = await scrypt(enc('pleaseletmein'), enc('SodiumChloride'), { N: 16384, r: 8, p: 1 }, 64);
  assert.equal(
    hex(dk),
    '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
  );
});

test('scrypt rejects bad parameters', async () => {
  await assert.rejects(scrypt(enc('x'), enc('y'), { N: 1000, r: 8, p: 1 }, 32), RangeError);
  await assert.rejects(scrypt(enc('x'), enc('y'), { N: 16, r: 0, p: 1 }, 32), RangeError);
});

test('hashes use the production setting by default and verify', async () => {
  const stored = await hashSecret('correct horse');
  assert.match(stored, /^scrypt\$32768\$8\$3\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.deepEqual(PRODUCTION_SCRYPT, { N: 32768, r: 8, p: 3 });
  assert.equal(await verifySecret('correct horse', stored), true);
  assert.equal(await verifySecret('correct horsE', stored), false);
});

test('hashes are salted, carry their work factor, and malformed ones never match', async () => {
  const low = { N: 16, r: 1, p: 1 };
  const a = await hashSecret('pw', low);
  const b = await hashSecret('pw', low);
  assert.notEqual(a, b);
  assert.ok(a.startsWith('scrypt$16$1$1$'));
  assert.equal(await verifySecret('pw', a), true);
  assert.equal(await verifySecret('pw', 'plain'), false);
  assert.equal(await verifySecret('pw', 'scrypt$1000$8$1$AAAA$AAAA'), false);
  assert.equal(await verifySecret('pw', ''), false);
});

test('constantTimeEqual compares whole arrays', () => {
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])), false);
});
