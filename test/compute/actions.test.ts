import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { R } from '../../src/kube/index.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api, eventually } from './helpers.ts';
import { computeGateway, IMAGE, IMAGE_ALT, waitActive, waitStatus } from './servers-helpers.ts';

describe('server actions', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let id: string;
  const act = (token: string, body: unknown, headers: Record<string, string> = {}) => api(gw, token, 'POST', `${C}/servers/${id}/action`, body, headers);
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'vm', imageRef: IMAGE, flavorRef: 'u1.small' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    id = r.body.server.id;
    await waitActive(gw, demo, id);
  });
  after(() => gw.close());

  test('stop / start, with Nova 409s in the wrong state', async () => {
    assert.equal((await act(demo, { 'os-start': null })).status, 409);
    assert.equal((await act(demo, { 'os-stop': null })).status, 202);
    const off = await waitStatus(gw, demo, id, 'SHUTOFF');
    assert.equal(off['OS-EXT-STS:power_state'], 4);
    assert.equal(off['OS-EXT-STS:vm_state'], 'stopped');
    const again = await act(demo, { 'os-stop': null });
    assert.equal(again.status, 409);
    assert.equal(again.body.conflictingRequest.message, `Cannot 'stop' instance ${id} while it is in vm_state stopped`);
    assert.equal((await act(demo, { 'os-start': null })).status, 202);
    await waitActive(gw, demo, id);
  });

  test('reboot soft and hard', async () => {
    assert.equal((await act(demo, { reboot: { type: 'SOFT' } })).status, 202);
    await waitActive(gw, demo, id);
    const before = (await api(gw, admin, 'GET', `${C}/servers/${id}`)).body.server;
    assert.equal((await act(demo, { reboot: { type: 'HARD' } })).status, 202);
    await waitActive(gw, demo, id);
    const after = (await api(gw, admin, 'GET', `${C}/servers/${id}`)).body.server;
    assert.ok(after['OS-SRV-USG:launched_at'] >= before['OS-SRV-USG:launched_at']);
    assert.equal((await act(demo, { reboot: { type: 'WARM' } })).status, 400);
  });

  test('pause / unpause / suspend / resume', async () => {
    assert.equal((await act(demo, { pause: null })).status, 202);
    const paused = await waitStatus(gw, demo, id, 'PAUSED');
    assert.equal(paused['OS-EXT-STS:power_state'], 3);
    const twice = await act(demo, { pause: null });
    assert.equal(twice.body.conflictingRequest.message, `Cannot 'pause' instance ${id} while it is in vm_state paused`);
    assert.equal((await act(demo, { unpause: null })).status, 202);
    await waitActive(gw, demo, id);
    assert.equal((await act(demo, { suspend: null })).status, 202);
    const suspended = await waitStatus(gw, demo, id, 'SUSPENDED');
    assert.equal(suspended['OS-EXT-STS:power_state'], 7);
    assert.equal((await act(demo, { unpause: null })).status, 409);
    assert.equal((await act(demo, { resume: null })).status, 202);
    await waitActive(gw, demo, id);
  });

  test('lock (2.73 reason): the owner is refused, an admin is not', async () => {
    assert.equal((await act(demo, { lock: { locked_reason: 'maintenance' } }, CV('2.73'))).status, 202);
    const s = (await api(gw, demo, 'GET', `${C}/servers/${id}`, undefined, CV('2.73'))).body.server;
    assert.equal(s.locked, true);
    assert.equal(s.locked_reason, 'maintenance');
    const refused = await act(demo, { 'os-stop': null });
    assert.equal(refused.status, 409);
    assert.match(refused.body.conflictingRequest.message, /locked/);
    assert.equal((await api(gw, demo, 'DELETE', `${C}/servers/${id}`)).status, 409);
    assert.equal((await act(demo, { unlock: null })).status, 202);
    assert.equal((await api(gw, demo, 'GET', `${C}/servers/${id}`, undefined, CV('2.9'))).body.server.locked, false);
    // Below 2.73 the body is not validated (Tempest sends `{"lock": {}}`); from 2.73 it is.
    assert.equal((await act(demo, { lock: {} })).status, 202);
    assert.equal((await act(demo, { unlock: null })).status, 202);
    assert.equal((await act(demo, { lock: { bogus: 1 } }, CV('2.73'))).status, 400);
  });

  test('resize + confirm, resize + revert', async () => {
    assert.equal((await act(demo, { resize: { flavorRef: 'u1.small' } })).status, 400);
    assert.equal((await act(demo, { resize: { flavorRef: 'nope' } })).status, 400);
    // Growth beyond the project's quota is Nova's 403, and nothing changes.
    const huge = await api(gw, admin, 'POST', `${C}/flavors`, { flavor: { name: 'huge', id: 'huge', ram: 10_000_000, vcpus: 1, disk: 0 } });
    assert.equal(huge.status, 200, JSON.stringify(huge.body));
    const over = await act(demo, { resize: { flavorRef: 'huge' } });
    assert.equal(over.status, 403);
    assert.match(over.body.forbidden.message, /^Quota exceeded for ram: Requested 99\d+, but already used \d+ of \d+ ram$/);
    assert.equal((await api(gw, demo, 'GET', `${C}/servers/${id}`)).body.server.flavor.id, 'u1.small');
    assert.equal((await act(demo, { resize: { flavorRef: 'u1.medium', 'OS-DCF:diskConfig': 'MANUAL' } })).status, 202);
    const verify = await waitStatus(gw, demo, id, 'VERIFY_RESIZE');
    assert.equal(verify.flavor.id, 'u1.medium');
    assert.equal(verify['OS-DCF:diskConfig'], 'MANUAL');
    assert.equal((await act(demo, { confirmResize: null })).status, 204);
    await waitActive(gw, demo, id);
    assert.equal((await act(demo, { confirmResize: null })).status, 409);
    assert.equal((await act(demo, { resize: { flavorRef: 'u1.large' } })).status, 202);
    await waitStatus(gw, demo, id, 'VERIFY_RESIZE');
    assert.equal((await act(demo, { revertResize: null })).status, 202);
    const back = await waitActive(gw, demo, id);
    assert.equal(back.flavor.id, 'u1.medium');
  });

  test("revertResize restores a flavor deleted meanwhile, from the copy the resize kept; confirming drops the copy", async () => {
    const doomed = await api(gw, admin, 'POST', `${C}/flavors`, { flavor: { name: 'doomed', id: 'doomed', ram: 3072, vcpus: 3, disk: 0 } });
    assert.equal(doomed.status, 200, JSON.stringify(doomed.body));
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'vm-doomed', imageRef: IMAGE, flavorRef: 'doomed' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const sid = r.body.server.id;
    await waitActive(gw, demo, sid);
    const on = (body: unknown) => api(gw, demo, 'POST', `${C}/servers/${sid}/action`, body);
    const kube = gw.adminKube;
    type Owned = { metadata: { ownerReferences?: { uid: string }[]; labels?: Record<string, string> } };
    const copies = async () => (await kube.listAll<Owned>(R.controllerRevisions)).items.filter((x) => x.metadata.ownerReferences?.some((o) => o.uid === sid) && x.metadata.labels?.['app.kubernetes.io/managed-by'] === 'dicot');
    // The flavor goes while the server runs (KubeVirt keeps its own copy), then the resize and its revert.
    assert.equal((await api(gw, admin, 'DELETE', `${C}/flavors/doomed`)).status, 202);
    assert.equal((await on({ resize: { flavorRef: 'u1.small' } })).status, 202);
    await waitStatus(gw, demo, sid, 'VERIFY_RESIZE');
    const kept = await copies();
    assert.equal(kept.length, 1, 'the resize keeps a copy of the flavor it leaves, owned by the VM');
    // Labelled as KubeVirt labels its own copies (else it would replace and delete this one).
    assert.deepEqual(
      ['kind', 'name', 'version'].map((k) => kept[0]?.metadata.labels?.[`instancetype.kubevirt.io/object-${k}`]),
      ['VirtualMachineClusterInstancetype', 'doomed', 'v1beta1'],
    );
    assert.equal((await on({ revertResize: null })).status, 202);
    const back = await waitActive(gw, demo, sid);
    assert.equal(back.flavor.id, 'doomed');
    const vm = (await kube.listAll<{ metadata: { uid?: string }; spec: { instancetype: { name: string; revisionName?: string } } }>(R.virtualMachines)).items.find((x) => x.metadata.uid === sid);
    assert.deepEqual([vm?.spec.instancetype.name, !!vm?.spec.instancetype.revisionName], ['doomed', true]);
    // Sized from the copy: 3 vCPUs and 3072 MiB, though the flavor is gone.
    type Vmi = Owned & { spec: { domain: { cpu: { sockets: number }; memory: { guest: string } } } };
    const running = await eventually(async () => (await kube.listAll<Vmi>(R.virtualMachineInstances)).items.find((x) => x.metadata.ownerReferences?.some((o) => o.uid === sid)), 'its VMI');
    assert.deepEqual([running.spec.domain.cpu.sockets, running.spec.domain.memory.guest], [3, '3072Mi']);
    // A later resize and confirm leave the copy behind.
    assert.equal((await on({ resize: { flavorRef: 'u1.small' } })).status, 202);
    await waitStatus(gw, demo, sid, 'VERIFY_RESIZE');
    assert.equal((await on({ confirmResize: null })).status, 204);
    await eventually(async () => ((await copies()).length === 0 ? true : undefined), 'the copy dropped');
    assert.equal((await api(gw, demo, 'DELETE', `${C}/servers/${sid}`)).status, 204);
  });

  test('rebuild: same id, new image, full server in the answer', async () => {
    const r = await act(demo, { rebuild: { imageRef: IMAGE_ALT, name: 'rebuilt' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.server.id, id);
    assert.equal(r.body.server.image.id, IMAGE_ALT);
    assert.ok(r.body.server.adminPass);
    const s = await waitActive(gw, demo, id);
    assert.equal(s.name, 'rebuilt');
    assert.equal((await act(demo, { rebuild: { imageRef: 'bad' } })).status, 400);
  });

  test('a restarted or rebuilt server keeps its pod-network address (the CNI is asked for it) and MAC', async () => {
    const create = async (name: string) => {
      const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name, imageRef: IMAGE, flavorRef: 'u1.small' } });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return waitActive(gw, demo, r.body.server.id);
    };
    const iface = (s: { addresses: Record<string, { addr: string; 'OS-EXT-IPS-MAC:mac_addr': string }[]> }) => s.addresses['pod-network']?.[0];
    const addr = (s: Parameters<typeof iface>[0]) => iface(s)?.addr;
    // With a lower address freed first, a pod that asked for nothing would get that one.
    const [low, kept] = [await create('low'), await create('kept')];
    const ip = addr(kept);
    assert.ok(ip && addr(low) && addr(low)! < ip, `${addr(low)} < ${ip}`);
    assert.equal((await api(gw, demo, 'DELETE', `${C}/servers/${low.id}`)).status, 204);
    await eventually(async () => ((await api(gw, demo, 'GET', `${C}/servers/${low.id}`)).status === 404 ? true : undefined), 'low gone');
    const keptAct = (body: unknown) => api(gw, demo, 'POST', `${C}/servers/${kept.id}/action`, body);
    assert.equal((await keptAct({ rebuild: { imageRef: IMAGE_ALT } })).status, 202);
    const rebuilt = await waitActive(gw, demo, kept.id);
    assert.equal(addr(rebuilt), ip);
    assert.equal(iface(rebuilt)?.['OS-EXT-IPS-MAC:mac_addr'], iface(kept)?.['OS-EXT-IPS-MAC:mac_addr']);
    assert.equal((await keptAct({ reboot: { type: 'HARD' } })).status, 202);
    await eventually(async () => ((await api(gw, demo, 'GET', `${C}/servers/${kept.id}`)).body.server['OS-EXT-STS:task_state'] === null ? true : undefined), 'reboot done');
    assert.equal(addr(await waitActive(gw, demo, kept.id)), ip);
  });

  test('shelve / unshelve', async () => {
    assert.equal((await act(demo, { shelve: null })).status, 202);
    await waitStatus(gw, demo, id, 'SHELVED_OFFLOADED');
    assert.equal((await act(demo, { shelve: null })).status, 409);
    assert.equal((await act(demo, { unshelve: null })).status, 202);
    await waitActive(gw, demo, id);
  });

  test('live migration (admin only) moves the server to another node', async () => {
    assert.equal((await act(demo, { 'os-migrateLive': { host: null, block_migration: 'auto' } }, CV('2.25'))).status, 403);
    const before = (await api(gw, admin, 'GET', `${C}/servers/${id}`)).body.server['OS-EXT-SRV-ATTR:host'];
    assert.equal((await act(admin, { 'os-migrateLive': { host: null, block_migration: 'auto' } }, CV('2.25'))).status, 202);
    const after = await waitActive(gw, admin, id);
    assert.notEqual(after['OS-EXT-SRV-ATTR:host'], before);
  });

  test('instance actions are recorded', async () => {
    const list = await api(gw, demo, 'GET', `${C}/servers/${id}/os-instance-actions`);
    assert.equal(list.status, 200);
    const names = list.body.instanceActions.map((a: { action: string }) => a.action);
    for (const n of ['create', 'stop', 'start', 'reboot', 'pause', 'resize', 'rebuild', 'shelve', 'unshelve']) assert.ok(names.includes(n), n);
    const first = list.body.instanceActions.find((a: { action: string }) => a.action === 'create');
    const one = await api(gw, demo, 'GET', `${C}/servers/${id}/os-instance-actions/${first.request_id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.instanceAction.action, 'create');
    assert.ok(Array.isArray(one.body.instanceAction.events));
  });

  test('unknown and unsupported actions; reset state', async () => {
    assert.equal((await act(demo, { frobnicate: null })).status, 400);
    assert.equal((await act(demo, { rescue: null })).status, 501);
    assert.equal((await act(demo, { 'os-resetState': { state: 'error' } })).status, 403);
    assert.equal((await act(admin, { 'os-resetState': { state: 'error' } })).status, 202);
    const s = await waitStatus(gw, demo, id, 'ERROR');
    assert.ok(s.fault);
    assert.equal((await act(admin, { 'os-resetState': { state: 'active' } })).status, 202);
    await waitActive(gw, demo, id);
  });
});
