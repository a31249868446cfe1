import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { diagnosticsOf } from '../../src/compute/diagnostics.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, api } from './helpers.ts';
import { computeGateway, IMAGE, waitActive, waitStatus } from './servers-helpers.ts';

describe('diagnostics', () => {
  test('sizes and devices from the VMI; counters null', () => {
    const s = {
      configDrive: 'True',
      state: { vmState: 'active' },
      vmi: {
        metadata: { creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { domain: { cpu: { sockets: 1, cores: 2, threads: 1 }, memory: { guest: '2Gi' }, devices: { disks: [{ name: 'root' }, { name: 'cloudinit' }], interfaces: [{ name: 'default' }] } } },
        status: { phaseTransitionTimestamps: [{ phase: 'Running', phaseTransitionTimestamp: '2026-01-01T00:00:10Z' }], interfaces: [{ name: 'default', mac: '02:00:00:00:00:01' }] },
      },
    } as unknown as ServerRecord;
    const d = diagnosticsOf(s, Date.parse('2026-01-01T00:01:10Z'));
    assert.equal(d.uptime, 60);
    assert.equal(d.num_cpus, 2);
    assert.deepEqual(d.cpu_details.map((x) => x.id), [0, 1]);
    assert.deepEqual(d.memory_details, { maximum: 2048, used: null });
    assert.equal(d.num_disks, 2);
    assert.equal(d.nic_details[0]?.mac_address, '02:00:00:00:00:01');
    assert.equal(d.nic_details[0]?.rx_octets, null);
    assert.equal(d.config_drive, true);
    assert.equal(d.state, 'running');
  });

  describe('over the sandbox', () => {
    let gw: TestGateway;
    let admin: string;
    let demo: string;
    before(async () => {
      ({ gw, admin, demo } = await computeGateway());
    });
    after(() => gw.close());

    test('admins only; a stopped server is a 409', async () => {
      const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'd1', imageRef: IMAGE, flavorRef: 'u1.small' } });
      const id = r.body.server.id;
      await waitActive(gw, demo, id);
      assert.equal((await api(gw, demo, 'GET', `${C}/servers/${id}/diagnostics`)).status, 403);
      const d = await api(gw, admin, 'GET', `${C}/servers/${id}/diagnostics`);
      assert.equal(d.status, 200);
      assert.equal(d.body.driver, 'libvirt');
      assert.equal(d.body.num_cpus, 1);
      assert.ok(d.body.num_disks >= 1);
      assert.equal(d.body.nic_details.length, d.body.num_nics);
      assert.match(d.body.nic_details[0].mac_address, /^[0-9a-f:]{17}$/i);
      assert.equal((await api(gw, demo, 'POST', `${C}/servers/${id}/action`, { 'os-stop': null })).status, 202);
      await waitStatus(gw, demo, id, 'SHUTOFF');
      assert.equal((await api(gw, admin, 'GET', `${C}/servers/${id}/diagnostics`)).status, 409);
      assert.equal((await api(gw, admin, 'GET', `${C}/servers/00000000-0000-4000-8000-000000000000/diagnostics`)).status, 404);
    });
  });
});
