import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { R } from '../../src/kube/index.ts';
import type { VirtualMachine, VirtualMachineInstance } from '../../src/sandbox/cluster/model.ts';
import { serveBytes } from '../helpers/web-server.ts';
import { startCluster } from './harness.ts';

let cluster: Awaited<ReturnType<typeof startCluster>>;
before(async () => {
  cluster = await startCluster();
  await cluster.client.create(R.namespaces, { metadata: { name: 'p1' } });
});
after(() => cluster.close());

const vm = (name: string, runStrategy: string, extra: object = {}): VirtualMachine => ({
  metadata: { name, namespace: 'p1' },
  spec: {
    runStrategy,
    instancetype: { name: 'u1.small' },
    template: {
      spec: {
        domain: { devices: { interfaces: [{ name: 'default', masquerade: {} }] } },
        networks: [{ name: 'default', pod: {} }],
      },
    },
    ...extra,
  },
});

describe('VirtualMachine lifecycle', () => {
  it('Always: a VMI owned by the VM runs on a node with a pod IP', async () => {
    const { client, idle } = cluster;
    await client.create(R.virtualMachines, vm('a1', 'Always'));
    await idle();
    const got = await client.get<VirtualMachine>(R.virtualMachines, 'a1', { namespace: 'p1' });
    assert.equal(got.status?.printableStatus, 'Running');
    assert.equal(got.status?.ready, true);
    const vmi = await client.get<VirtualMachineInstance>(R.virtualMachineInstances, 'a1', { namespace: 'p1' });
    assert.equal(vmi.status?.phase, 'Running');
    assert.match(vmi.status?.nodeName ?? '', /^sandbox-node-/);
    assert.match(vmi.status?.interfaces?.[0]?.ipAddress ?? '', /^10\.244\./);
    assert.equal(vmi.metadata.ownerReferences?.[0]?.uid, got.metadata.uid);
    assert.equal(vmi.spec.domain?.memory?.guest, '2Gi');
  });
});

describe('more behaviour', () => {
  it('stop via the subresource: Halted, VMI gone, Stopped; start again of a running VM is a 409', async () => {
    const { client, idle } = cluster;
    const { createAggregatedApis, INSTANT_TIMING } = await import('../../src/sandbox/cluster/index.ts');
    const api = createAggregatedApis({ client, timing: INSTANT_TIMING })[0]!;
    const call = (resource: string, name: string, sub: string) =>
      api.handle(new Request('http://x/', { method: 'PUT', body: '{}' }), { user: 'u', groups: [] }, {
        verb: 'update', apiGroup: 'subresources.kubevirt.io', apiVersion: 'v1', resource, subresource: sub, namespace: 'p1', name,
      });
    await client.create(R.virtualMachines, vm('s1', 'Always'));
    await idle();
    const again = await call('virtualmachines', 's1', 'start');
    assert.equal(again.status, 409);
    assert.match((await again.json()).message, /VM is already running/);
    assert.equal((await call('virtualmachineinstances', 's1', 'pause')).status, 200);
    await idle();
    assert.equal((await client.get<VirtualMachine>(R.virtualMachines, 's1', { namespace: 'p1' })).status?.printableStatus, 'Paused');
    assert.equal((await call('virtualmachineinstances', 's1', 'pause')).status, 409);
    assert.equal((await call('virtualmachineinstances', 's1', 'unpause')).status, 200);
    assert.equal((await call('virtualmachines', 's1', 'stop')).status, 202);
    await idle();
    const got = await client.get<VirtualMachine>(R.virtualMachines, 's1', { namespace: 'p1' });
    assert.equal(got.spec.runStrategy, 'Halted');
    assert.equal(got.status?.printableStatus, 'Stopped');
    await assert.rejects(client.get(R.virtualMachineInstances, 's1', { namespace: 'p1' }), { name: 'NotFoundError' });
    assert.equal((await call('virtualmachines', 'nope', 'start')).status, 404);
  });

  it('a DataVolume import ends Succeeded with a Bound PVC; an unknown host or a missing file fails', async () => {
    const { client, idle } = cluster;
    const dv = (name: string, url: string) => ({
      metadata: { name, namespace: 'p1' },
      spec: { source: { http: { url } }, storage: { resources: { requests: { storage: '1Gi' } } } },
    });
    // The importer reaches its source, as CDI's does: a served file, an unknown host, a 404.
    const web = await serveBytes(new Uint8Array(16), ['/gone.qcow2']);
    await client.create(R.dataVolumes, dv('img', `${web.url}/x.qcow2`));
    await client.create(R.dataVolumes, dv('bad', 'https://host.invalid/x.qcow2'));
    await client.create(R.dataVolumes, dv('nohost', 'http://169.254.169.254/latest/meta-data'));
    await client.create(R.dataVolumes, dv('gone', `${web.url}/gone.qcow2`));
    await idle();
    web.close();
    for (const name of ['nohost', 'gone']) {
      const failed = await client.get<{ status: { phase: string; conditions: { type: string; message?: string }[] } }>(R.dataVolumes, name, { namespace: 'p1' });
      assert.equal(failed.status.phase, 'Failed', name);
      assert.match(failed.status.conditions.find((c) => c.type === 'Running')?.message ?? '', /^Unable to connect to http data source: /);
    }
    const ok = await client.get<{ status: { phase: string; progress: string } }>(R.dataVolumes, 'img', { namespace: 'p1' });
    assert.deepEqual([ok.status.phase, ok.status.progress], ['Succeeded', '100.0%']);
    const pvc = await client.get<{ status: { phase: string } }>(R.pvcs, 'img', { namespace: 'p1' });
    assert.equal(pvc.status.phase, 'Bound');
    const bad = await client.get<{ status: { phase: string } }>(R.dataVolumes, 'bad', { namespace: 'p1' });
    assert.equal(bad.status.phase, 'Failed');
  });

  it('a LoadBalancer Service gets an address from 192.0.2.0/24', async () => {
    const { client, idle } = cluster;
    await client.create(R.services, { metadata: { name: 'fip', namespace: 'p1' }, spec: { type: 'LoadBalancer', ports: [{ port: 22 }] } } as never);
    await idle();
    const svc = await client.get<{ status: { loadBalancer: { ingress: { ip: string }[] } } }>(R.services, 'fip', { namespace: 'p1' });
    assert.match(svc.status.loadBalancer.ingress[0]!.ip, /^192\.0\.2\./);
  });

  it('instancetype conflicts are reported for admission', async () => {
    const { instancetypeConflicts } = await import('../../src/sandbox/cluster/index.ts');
    const bad = vm('c1', 'Always');
    bad.spec.template!.spec!.domain!.cpu = { cores: 2 };
    assert.match(instancetypeConflicts(bad)[0]?.message ?? '', /conflicts with selected instance type/);
    assert.deepEqual(instancetypeConflicts(vm('c2', 'Always')), []);
  });
});
