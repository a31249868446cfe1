import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Md5, Sha512, hashingStream, hex } from '../../src/image/hash/index.ts';

const enc = (s: string) => new TextEncoder().encode(s);

// RFC 1321 appendix A.5
const MD5_VECTORS: [string, string][] = [
  ['', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['a', '0cc175b9c0f1b6a831c399e269772661'],
  ['abc', '900150983cd24fb0d6963f7d28e17f72'],
  ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
  ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
  ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
];
// FIPS 180-4 / RFC 6234 test vectors
const SHA512_VECTORS: [string, string][] = [
  ['abc', 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
  ['', 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'],
  [
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
  ],
];

test('MD5 matches the RFC 1321 test suite', () => {
  for (const [input, want] of MD5_VECTORS) assert.equal(hex(new Md5().update(enc(input)).digest()), want, input);
});

test('SHA-512 matches the FIPS 180-4 vectors', () => {
  for (const [input, want] of SHA512_VECTORS) assert.equal(hex(new Sha512().update(enc(input)).digest()), want, input);
});

test('incremental updates of any chunking give the one-shot digest (lengths across block and padding edges)', () => {
  for (const len of [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 4099]) {
    const data = Uint8Array.from({ length: len }, (_, i) => (i * 31 + 7) & 255);
    const md5 = createHash('md5').update(data).digest('hex');
    const sha = createHash('sha512').update(data).digest('hex');
    for (const step of [1, 3, 64, 100, 128, 5000]) {
      const m = new Md5();
      const s = new Sha512();
      for (let i = 0; i < len; i += step) {
        m.update(data.subarray(i, i + step));
        s.update(data.subarray(i, i + step));
      }
      assert.equal(hex(m.digest()), md5, `md5 len=${len} step=${step}`);
      assert.equal(hex(s.digest()), sha, `sha512 len=${len} step=${step}`);
    }
  }
});

test('a million "a" (RFC vectors for long input)', () => {
  const chunk = new Uint8Array(1000).fill(0x61);
  const m = new Md5();
  const s = new Sha512();
  for (let i = 0; i < 1000; i++) {
    m.update(chunk);
    s.update(chunk);
  }
  assert.equal(hex(m.digest()), '7707d6ae4e027c70eea2a935c2296f21');
  assert.equal(hex(s.digest()), 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b');
});

test('hashingStream passes bytes through and reports size and digests', async () => {
  const { stream, result } = hashingStream();
  const data = enc('hello image world');
  const out = await new Response(new Blob([data]).stream().pipeThrough(stream)).arrayBuffer();
  assert.deepEqual(new Uint8Array(out), data);
  const d = await result;
  assert.equal(d.size, data.length);
  assert.equal(d.md5, createHash('md5').update(data).digest('hex'));
  assert.equal(d.sha512, createHash('sha512').update(data).digest('hex'));
});
