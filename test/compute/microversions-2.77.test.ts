import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api } from './helpers.ts';
import { computeGateway, IMAGE, waitActive, waitStatus } from './servers-helpers.ts';

// 2.77: unshelve of a SHELVED_OFFLOADED server may name an availability zone (a node zone),
// which becomes the VM's zone selector. Below 2.77 the body is ignored.

describe('compute 2.77: unshelve to an availability zone', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let id: string;
  const act = (body: unknown, v: string) => api(gw, demo, 'POST', `${C}/servers/${id}/action`, body, CV(v));
  const zoneNow = async () => (await api(gw, admin, 'GET', `${C}/servers/${id}`)).body.server;
  const shelve = async () => {
    assert.equal((await act({ shelve: null }, '2.77')).status, 202);
    await waitStatus(gw, demo, id, 'SHELVED_OFFLOADED');
  };
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'az', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none', availability_zone: 'zone-a' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    id = r.body.server.id;
    await waitActive(gw, demo, id);
  });
  after(() => gw.close());

  test('an active server: unshelve with a zone is a 409 at 2.77', async () => {
    const r = await act({ unshelve: { availability_zone: 'zone-b' } }, '2.77');
    assert.equal(r.status, 409);
    assert.equal(r.body.conflictingRequest.message, `Cannot 'unshelve' instance ${id} while it is in vm_state active`);
  });

  test('at 2.76 the zone in the body is ignored', async () => {
    await shelve();
    assert.equal((await act({ unshelve: { availability_zone: 'zone-b' } }, '2.76')).status, 202);
    const s = await waitActive(gw, demo, id);
    assert.equal(s['OS-EXT-AZ:availability_zone'], 'zone-a');
  });

  test('at 2.77: bad bodies and unknown zones are 400s, a known zone moves the server there', async () => {
    await shelve();
    const bad = [{ unshelve: { availability_zone: 'nowhere' } }, { unshelve: { availability_zone: 'zone-b', foo: 1 } }, { unshelve: { availability_zone: 5 } }, { unshelve: {} }];
    for (const body of bad) assert.equal((await act(body, '2.77')).status, 400, JSON.stringify(body));
    assert.equal((await zoneNow()).status, 'SHELVED_OFFLOADED', 'a refused unshelve leaves the server shelved');
    assert.equal((await act({ unshelve: { availability_zone: 'zone-b' } }, '2.77')).status, 202);
    const s = await waitActive(gw, demo, id);
    assert.equal(s['OS-EXT-AZ:availability_zone'], 'zone-b');
    const res = await gw.sandbox.fetch(new Request('http://sandbox/apis/kubevirt.io/v1/virtualmachines', { headers: { authorization: `Bearer ${gw.sandbox.adminToken}` } }));
    const vms = (await res.json()) as { items: { metadata: { uid: string }; spec: { template: { spec: { nodeSelector?: Record<string, string> } } } }[] };
    const vm = vms.items.find((o) => o.metadata.uid === id);
    assert.equal(vm?.spec.template.spec.nodeSelector?.['topology.kubernetes.io/zone'], 'zone-b', "the VM's zone selector");
    // A plain unshelve at 2.77 keeps the zone.
    await shelve();
    assert.equal((await act({ unshelve: null }, '2.77')).status, 202);
    assert.equal((await waitActive(gw, demo, id))['OS-EXT-AZ:availability_zone'], 'zone-b');
  });
});
