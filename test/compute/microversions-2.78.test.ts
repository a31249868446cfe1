import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { topologyOf } from '../../src/compute/topology.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api, memberToken } from './helpers.ts';
import { computeGateway, IMAGE, waitActive } from './servers-helpers.ts';

// 2.78: GET /servers/{id}/topology. Dicot's servers have no guest NUMA cells, so the answer is
// Nova's for an instance without a NUMA topology.

describe('server topology mapping (pure)', () => {
  test('no guest NUMA: no nodes, no page size; NUMA passthrough: not representable', () => {
    assert.deepEqual(topologyOf({ domain: { cpu: { cores: 2 } } }), { nodes: [], pagesize_kb: null });
    assert.deepEqual(topologyOf(undefined), { nodes: [], pagesize_kb: null });
    assert.equal(topologyOf({ domain: { cpu: { dedicatedCpuPlacement: true, numa: { guestMappingPassthrough: {} } } } }), undefined);
  });
});

describe('compute 2.78: server topology', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let other: string;
  let id: string;
  const topo = (token: string, v: string, server = id) => api(gw, token, 'GET', `${C}/servers/${server}/topology`, undefined, CV(v));
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    other = await memberToken(gw, admin, 'other');
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'topo', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    id = r.body.server.id;
    await waitActive(gw, demo, id);
  });
  after(() => gw.close());

  test('absent below 2.78 (404), at 2.78 exactly nodes and pagesize_kb for the owner and for an admin', async () => {
    assert.equal((await topo(demo, '2.77')).status, 404);
    for (const token of [demo, admin]) {
      const r = await topo(token, '2.78');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { nodes: [], pagesize_kb: null });
    }
  });

  test("another project's server and an unknown server are 404s", async () => {
    assert.equal((await topo(other, '2.78')).status, 404);
    assert.equal((await topo(demo, '2.78', '00000000-0000-4000-8000-000000000000')).status, 404);
  });
});
