import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { generateSshKeyPair, generateX509KeyPair, md5Hex, sshFingerprint, x509Fingerprint } from '../../src/compute/keypairs.ts';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, CV, api, memberToken } from './helpers.ts';

const NOVA_SAMPLE =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== Generated-by-Nova';

describe('keypair crypto (pure)', () => {
  test('md5 matches node:crypto', () => {
    for (const s of ['', 'abc', 'x'.repeat(1000)]) {
      assert.equal(md5Hex(new TextEncoder().encode(s)), createHash('md5').update(s).digest('hex'));
    }
  });
  test("fingerprint of Nova's sample key", () => {
    assert.equal(sshFingerprint(NOVA_SAMPLE), '1e:2c:9b:56:79:4b:45:77:f9:ca:7a:98:2c:b0:d5:3c');
    assert.equal(sshFingerprint('ssh-rsa notbase64!!'), undefined);
    assert.equal(sshFingerprint('hello'), undefined);
  });
  test('generated keys are OpenSSH public + PEM private', async () => {
    const k = await generateSshKeyPair();
    assert.match(k.publicKey, /^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+ Generated-by-Dicot\n$/);
    assert.match(k.privateKey, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.ok(sshFingerprint(k.publicKey));
  });
  test('generated x509 pairs are a self-signed certificate OpenSSL accepts, fingerprinted as Nova does', async () => {
    const k = await generateX509KeyPair('user-1');
    const cert = new X509Certificate(k.publicKey);
    assert.equal(cert.subject, 'CN=user-1');
    assert.equal(cert.issuer, 'CN=user-1');
    assert.ok(cert.verify(cert.publicKey), 'signed by its own key');
    assert.equal(await x509Fingerprint(k.publicKey), cert.fingerprint.toLowerCase());
    assert.match(k.privateKey, /^-----BEGIN PRIVATE KEY-----\n/);
  });
});

describe('keypairs API', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let other: string;
  const K = `${C}/os-keypairs`;
  before(async () => {
    gw = await startTestGateway();
    admin = await gw.adminToken();
    demo = await memberToken(gw, admin, 'demo');
    other = await memberToken(gw, admin, 'other');
  });
  after(() => gw.close());

  test('import at 2.1: 200, no type; duplicate 409; bad key 400', async () => {
    const r = await api(gw, demo, 'POST', K, { keypair: { name: 'k1', public_key: NOVA_SAMPLE } });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body.keypair).sort(), ['fingerprint', 'name', 'public_key', 'user_id']);
    assert.equal(r.body.keypair.fingerprint, '1e:2c:9b:56:79:4b:45:77:f9:ca:7a:98:2c:b0:d5:3c');
    assert.equal((await api(gw, demo, 'POST', K, { keypair: { name: 'k1', public_key: NOVA_SAMPLE } })).status, 409);
    assert.equal((await api(gw, demo, 'POST', K, { keypair: { name: 'k2', public_key: 'junk' } })).status, 400);
    assert.equal((await api(gw, demo, 'POST', K, { keypair: { name: 'bad/name', public_key: NOVA_SAMPLE } })).status, 400);
    assert.equal((await api(gw, demo, 'POST', K, { keypair: { name: 'k3', type: 'ssh', public_key: NOVA_SAMPLE } })).status, 400);
  });

  test('generate at 2.2: 201 with private_key and type; list/show/delete per user', async () => {
    const r = await api(gw, demo, 'POST', K, { keypair: { name: 'gen', type: 'ssh' } }, CV('2.2'));
    assert.equal(r.status, 201);
    assert.match(r.body.keypair.private_key, /PRIVATE KEY/);
    assert.equal(r.body.keypair.type, 'ssh');
    const list = await api(gw, demo, 'GET', K, undefined, CV('2.2'));
    assert.deepEqual(list.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name), ['gen', 'k1']);
    assert.deepEqual(Object.keys(list.body.keypairs[0].keypair).sort(), ['fingerprint', 'name', 'public_key', 'type']);
    const l21 = await api(gw, demo, 'GET', K);
    assert.deepEqual(Object.keys(l21.body.keypairs[0].keypair).sort(), ['fingerprint', 'name', 'public_key']);
    const show = await api(gw, demo, 'GET', `${K}/gen`);
    assert.equal(show.status, 200);
    assert.deepEqual(Object.keys(show.body.keypair).sort(), ['created_at', 'deleted', 'deleted_at', 'fingerprint', 'id', 'name', 'public_key', 'updated_at', 'user_id']);
    assert.equal(typeof show.body.keypair.id, 'number');
    // Another user sees none of them.
    assert.deepEqual((await api(gw, other, 'GET', K)).body.keypairs, []);
    assert.equal((await api(gw, other, 'GET', `${K}/gen`)).status, 404);
    // 2.35 paging.
    const p = await api(gw, demo, 'GET', `${K}?limit=1`, undefined, CV('2.35'));
    assert.equal(p.body.keypairs.length, 1);
    assert.match(p.body.keypairs_links[0].href, /marker=gen/);
    const x = await api(gw, demo, 'POST', K, { keypair: { name: 'cert', type: 'x509' } }, CV('2.2'));
    assert.equal(x.status, 201, JSON.stringify(x.body));
    assert.equal(x.body.keypair.type, 'x509');
    assert.match(x.body.keypair.public_key, /^-----BEGIN CERTIFICATE-----/);
    assert.equal((await api(gw, demo, 'DELETE', `${K}/cert`, undefined, CV('2.2'))).status, 204);
    assert.equal((await api(gw, demo, 'DELETE', `${K}/gen`, undefined, CV('2.2'))).status, 204);
    assert.equal((await api(gw, demo, 'DELETE', `${K}/k1`)).status, 202);
    assert.equal((await api(gw, demo, 'DELETE', `${K}/k1`)).status, 404);
  });

  test('2.10: admins act for another user; members may not', async () => {
    const me = (await api(gw, other, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': other })).body.token.user.id;
    const r = await api(gw, admin, 'POST', K, { keypair: { name: 'for-other', public_key: NOVA_SAMPLE, user_id: me } }, CV('2.10'));
    assert.equal(r.status, 201);
    assert.equal(r.body.keypair.user_id, me);
    assert.equal((await api(gw, other, 'GET', `${K}/for-other`)).status, 200);
    assert.equal((await api(gw, admin, 'GET', `${K}?user_id=${me}`, undefined, CV('2.10'))).body.keypairs.length, 1);
    assert.equal((await api(gw, demo, 'GET', `${K}?user_id=${me}`, undefined, CV('2.10'))).status, 403);
  });
});
