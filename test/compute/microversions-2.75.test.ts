import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Json, TestGateway } from '../helpers/gateway.ts';
import { C, CV, api } from './helpers.ts';
import { computeGateway, IMAGE, IMAGE_ALT, waitActive } from './servers-helpers.ts';

// 2.75: unknown query parameters are a 400; PUT and rebuild answer with the GET view; flavor
// swap 0 is 0; hypervisors listed with_servers always carry `servers`. Each at 2.74 and 2.75.

describe('compute 2.75 cleanups', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let id: string;
  let project: string;
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    project = (await api(gw, demo, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': demo })).body.token.project.id;
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'mv', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    id = r.body.server.id;
    await waitActive(gw, demo, id);
  });
  after(() => gw.close());

  test('unknown query parameters: ignored at 2.74, 400 at 2.75', async () => {
    const paths: [string, string][] = [
      [demo, `${C}/servers?foo=1`],
      [demo, `${C}/servers/detail?foo=1`],
      [demo, `${C}/flavors?foo=1`],
      [demo, `${C}/flavors/detail?foo=1`],
      [demo, `${C}/os-keypairs?foo=1`],
      [demo, `${C}/limits?foo=1`],
      [demo, `${C}/os-server-groups?foo=1`],
      [admin, `${C}/os-services?xxx=nova-compute`],
      [admin, `${C}/os-quota-sets/${project}?foo=1`],
      [admin, `${C}/os-quota-sets/${project}/detail?foo=1`],
    ];
    for (const [token, path] of paths) {
      assert.equal((await api(gw, token, 'GET', path, undefined, CV('2.74'))).status, 200, `${path} at 2.74`);
      const r = await api(gw, token, 'GET', path, undefined, CV('2.75'));
      assert.equal(r.status, 400, `${path} at 2.75`);
      assert.match(r.body.badRequest.message, /Additional properties are not allowed \('(foo|xxx)' was unexpected\)/);
    }
    // Hypervisors were strict from 2.53 already.
    for (const path of [`${C}/os-hypervisors?foo=1`, `${C}/os-hypervisors/detail?foo=1`]) {
      assert.equal((await api(gw, admin, 'GET', path, undefined, CV('2.52'))).status, 200, `${path} at 2.52`);
      assert.equal((await api(gw, admin, 'GET', path, undefined, CV('2.53'))).status, 400, `${path} at 2.53`);
    }
    // Known parameters stay fine at 2.75.
    assert.equal((await api(gw, demo, 'GET', `${C}/servers/detail?name=mv&status=ACTIVE&limit=5&sort_key=display_name&sort_dir=asc`, undefined, CV('2.75'))).status, 200);
    assert.equal((await api(gw, demo, 'GET', `${C}/flavors?minRam=1&is_public=true&limit=2`, undefined, CV('2.75'))).status, 200);
    const services = await api(gw, admin, 'GET', `${C}/os-services?binary=nova-compute`, undefined, CV('2.75'));
    assert.equal(services.status, 200);
    const host = services.body.services[0].host;
    assert.deepEqual((await api(gw, admin, 'GET', `${C}/os-services?host=${host}&binary=xxx`, undefined, CV('2.75'))).body.services, []);
    assert.deepEqual((await api(gw, admin, 'GET', `${C}/os-services?host=${host}`, undefined, CV('2.75'))).body.services.map((s: { host: string }) => s.host), [host]);
  });

  test('PUT /servers/{id}: the basic view at 2.74, exactly the GET view at 2.75', async () => {
    const put = (v: string, token = demo) => api(gw, token, 'PUT', `${C}/servers/${id}`, { server: { name: 'mv' } }, CV(v));
    const old = await put('2.74');
    assert.equal(old.status, 200);
    assert.equal('OS-EXT-STS:vm_state' in old.body.server, false, 'no extended attributes below 2.75');
    for (const token of [demo, admin]) {
      const r = await put('2.75', token);
      assert.equal(r.status, 200);
      const show = await api(gw, token, 'GET', `${C}/servers/${id}`, undefined, CV('2.75'));
      assert.deepEqual(Object.keys(r.body.server).sort(), Object.keys(show.body.server).sort());
      assert.ok('OS-EXT-STS:vm_state' in r.body.server && 'server_groups' in r.body.server && 'locked_reason' in r.body.server);
    }
  });

  test('rebuild: user_data from 2.57; at 2.75 the GET view with user_data instead of OS-EXT-SRV-ATTR:user_data', async () => {
    const rebuild = async (v: string, token: string, image: string) => {
      const r = await api(gw, token, 'POST', `${C}/servers/${id}/action`, { rebuild: { imageRef: image } }, CV(v));
      assert.equal(r.status, 202, JSON.stringify(r.body));
      await waitActive(gw, demo, id);
      return r.body.server;
    };
    const at274 = await rebuild('2.74', demo, IMAGE_ALT);
    assert.ok('user_data' in at274);
    assert.equal('OS-EXT-STS:vm_state' in at274, false);
    const member = await rebuild('2.75', demo, IMAGE);
    const show = (await api(gw, demo, 'GET', `${C}/servers/${id}`, undefined, CV('2.75'))).body.server;
    assert.deepEqual(Object.keys(member).sort(), [...Object.keys(show), 'adminPass', 'user_data'].sort());
    const asAdmin = await rebuild('2.75', admin, IMAGE_ALT);
    const adminShow = (await api(gw, admin, 'GET', `${C}/servers/${id}`, undefined, CV('2.75'))).body.server;
    const expected = Object.keys(adminShow).filter((k) => k !== 'OS-EXT-SRV-ATTR:user_data');
    assert.deepEqual(Object.keys(asAdmin).sort(), [...expected, 'adminPass', 'user_data'].sort());
  });

  test('rebuild user_data (2.57): refused below, validated, shown and written to the cloud-init Secret', async () => {
    const rebuild = (v: string, extra: Record<string, unknown>) => api(gw, demo, 'POST', `${C}/servers/${id}/action`, { rebuild: { imageRef: IMAGE, ...extra } }, CV(v));
    const ud = btoa('#!/bin/sh\necho rebuilt\n');
    assert.equal((await rebuild('2.56', { user_data: ud })).status, 400);
    assert.equal((await rebuild('2.57', { user_data: 'not base64!' })).status, 400);
    const r = await rebuild('2.57', { user_data: ud });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.server.user_data, ud);
    await waitActive(gw, demo, id);
    const admin57 = (await api(gw, admin, 'GET', `${C}/servers/${id}`, undefined, CV('2.57'))).body.server;
    assert.equal(admin57['OS-EXT-SRV-ATTR:user_data'], ud);
    const res = await gw.sandbox.fetch(new Request('http://sandbox/api/v1/secrets', { headers: { authorization: `Bearer ${gw.sandbox.adminToken}` } }));
    const secrets = (await res.json()) as { items: { metadata: { name: string; ownerReferences?: { uid: string }[] }; data: Record<string, string> }[] };
    const secret = secrets.items.find((x) => x.metadata.name.endsWith('-cloudinit') && x.metadata.ownerReferences?.some((o) => o.uid === id));
    assert.equal(secret?.data.userdata, ud);
    const cleared = await rebuild('2.57', { user_data: null });
    assert.equal(cleared.body.server.user_data, null);
    await waitActive(gw, demo, id);
  });

  test('rebuild key_name (2.54): refused below, checked, shown and written to the VM and its ssh Secret', async () => {
    const rebuild = (v: string, extra: Record<string, unknown>) => api(gw, demo, 'POST', `${C}/servers/${id}/action`, { rebuild: { imageRef: IMAGE, ...extra } }, CV(v));
    const kp = await api(gw, demo, 'POST', `${C}/os-keypairs`, { keypair: { name: 'k54' } });
    assert.equal(kp.status, 200, JSON.stringify(kp.body));
    const sandboxGet = async (path: string) => (await gw.sandbox.fetch(new Request(`http://sandbox${path}`, { headers: { authorization: `Bearer ${gw.sandbox.adminToken}` } }))).json() as Promise<{ items: Json[] }>;
    const vmOf = async () => (await sandboxGet('/apis/kubevirt.io/v1/virtualmachines')).items.find((o) => o.metadata.uid === id);
    const sshSecretOf = async () => (await sandboxGet('/api/v1/secrets')).items.find((x) => x.metadata.name.endsWith('-ssh') && x.metadata.ownerReferences?.some((o: { uid: string }) => o.uid === id));
    assert.equal((await rebuild('2.53', { key_name: 'k54' })).status, 400);
    assert.equal((await rebuild('2.54', { key_name: 'nope' })).status, 400);
    const r = await rebuild('2.54', { key_name: 'k54' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.server.key_name, 'k54');
    assert.equal('user_data' in r.body.server, false, 'user_data from 2.57 only');
    await waitActive(gw, demo, id);
    assert.ok((await vmOf())?.spec.template.spec.accessCredentials?.length === 1);
    assert.equal((await sshSecretOf())?.data.key, btoa(kp.body.keypair.public_key.trim()));
    const cleared = await rebuild('2.54', { key_name: null });
    assert.equal(cleared.body.server.key_name, null);
    await waitActive(gw, demo, id);
    assert.equal((await vmOf())?.spec.template.spec.accessCredentials, undefined);
    assert.equal(await sshSecretOf(), undefined);
  });

  test('flavor swap: "" at 2.74, 0 at 2.75', async () => {
    const swap = async (v: string) => (await api(gw, demo, 'GET', `${C}/flavors/u1.small`, undefined, CV(v))).body.flavor.swap;
    assert.equal(await swap('2.74'), '');
    assert.equal(await swap('2.75'), 0);
  });

  test('hypervisors with_servers: servers only on busy nodes at 2.74, on every node at 2.75', async () => {
    const list = async (v: string, path = 'os-hypervisors') => (await api(gw, admin, 'GET', `${C}/${path}?with_servers=true`, undefined, CV(v))).body.hypervisors as Record<string, unknown>[];
    for (const path of ['os-hypervisors', 'os-hypervisors/detail']) {
      const old = await list('2.74', path);
      assert.ok(old.length >= 2, 'the sandbox has two nodes');
      assert.ok(old.some((h) => !('servers' in h)), 'an idle node has no servers key below 2.75');
      assert.ok(old.some((h) => Array.isArray(h.servers) && (h.servers as { uuid: string }[]).some((s) => s.uuid === id)));
      const now = await list('2.75', path);
      assert.ok(now.every((h) => Array.isArray(h.servers)));
    }
    const plain = (await api(gw, admin, 'GET', `${C}/os-hypervisors`, undefined, CV('2.75'))).body.hypervisors;
    assert.ok(plain.every((h: Record<string, unknown>) => !('servers' in h)), 'without with_servers, no servers key');
    const one = (await list('2.75'))[0] as { id: string };
    const show = await api(gw, admin, 'GET', `${C}/os-hypervisors/${one.id}?with_servers=1`, undefined, CV('2.75'));
    assert.ok(Array.isArray(show.body.hypervisor.servers));
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hypervisors?with_servers=maybe`, undefined, CV('2.75'))).status, 400);
    // Paging (2.33) and the hostname pattern (2.53).
    const p1 = await api(gw, admin, 'GET', `${C}/os-hypervisors?limit=1`, undefined, CV('2.33'));
    assert.equal(p1.body.hypervisors.length, 1);
    assert.match(p1.body.hypervisors_links[0].href, /marker=/);
    const name = p1.body.hypervisors[0].hypervisor_hostname;
    const found = await api(gw, admin, 'GET', `${C}/os-hypervisors?hypervisor_hostname_pattern=${name}`, undefined, CV('2.53'));
    assert.deepEqual(found.body.hypervisors.map((h: { hypervisor_hostname: string }) => h.hypervisor_hostname), [name]);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-hypervisors?hypervisor_hostname_pattern=nowhere`, undefined, CV('2.53'))).status, 404);
  });
});
