import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { type CliSession, type Row, startCliSession } from './cli.ts';

// The Debian `openstack` CLI (python3-openstackclient 6.0) against the gateway's block
// storage over a fresh sandbox: the "Done when" list — volumes blank, from an image
// and from a snapshot, properties, extend, snapshots, types, attach/detach on a running
// server, boot from volume, quotas and limits, kubectl's view, and project isolation. The
// tests run in order and share their volumes.

let cli: CliSession;
const run = (cloud: string, args: string[]) => cli.run(['--os-cloud', cloud, ...args]);
const demo = (...a: string[]) => cli.os('dicot-demo', ...a, '-f', 'json');
const demoNoOut = (...a: string[]) => cli.os('dicot-demo', ...a);
const admin = (...a: string[]) => cli.os('dicot-admin', ...a, '-f', 'json');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `<kind> show` until `field` is `want` (30 s at most). */
async function waitFor(kind: string[], name: string, want: string, field = 'status'): Promise<Row> {
  const end = Date.now() + 30_000;
  for (;;) {
    const row = (await demo(...kind, 'show', name)) as Row;
    if (String(row[field]) === want) return row;
    if (row[field] === 'error' || row[field] === 'ERROR' || Date.now() > end) assert.fail(`${kind.join(' ')} ${name}: ${field} ${String(row[field])}, wanted ${want}`);
    await sleep(150);
  }
}
const waitVolume = (name: string, status: string) => waitFor(['volume'], name, status);

before(async () => {
  cli = await startCliSession('volume');
  writeFileSync(join(cli.dir, 'cirros.img'), Buffer.alloc(1024 * 1024, 7));
  // A second member in a project of its own, as cloud `dicot-other`.
  await admin('project', 'create', 'other');
  await admin('user', 'create', '--project', 'other', '--password', 'other-pw', 'other');
  await cli.os('dicot-admin', 'role', 'add', '--project', 'other', '--user', 'other', 'member');
  const doc = parseYaml(readFileSync(cli.cloudsFile, 'utf8'));
  const base = doc.clouds['dicot-demo'];
  doc.clouds['dicot-other'] = { ...base, auth: { ...base.auth, username: 'other', password: 'other-pw', project_name: 'other' } };
  writeFileSync(cli.cloudsFile, stringify(doc));
});
after(() => cli?.close());

test('volume create --size 1, list, show, set --property, set --size (extend)', async () => {
  const v = (await demo('volume', 'create', '--size', '1', '--description', 'first', 'v1')) as Row;
  assert.equal(v.size, 1);
  const shown = await waitVolume('v1', 'available');
  assert.equal(shown.bootable, 'false');
  assert.equal(shown.type, 'standard');
  const list = (await demo('volume', 'list')) as Row[];
  assert.deepEqual(list.map((r) => r.Name), ['v1']);
  await demoNoOut('volume', 'set', '--property', 'tier=gold', '--name', 'v1', 'v1');
  assert.deepEqual(((await demo('volume', 'show', 'v1')) as Row).properties, { tier: 'gold' });
  await demoNoOut('volume', 'set', '--size', '2', 'v1');
  const grown = await waitVolume('v1', 'available');
  assert.equal(grown.size, 2);
});

test('volume create --image: a clone of the image, bootable', async () => {
  await demo('image', 'create', '--file', './cirros.img', '--disk-format', 'raw', '--container-format', 'bare', 'cirros');
  await waitFor(['image'], 'cirros', 'active');
  await demo('volume', 'create', '--image', 'cirros', '--size', '1', 'vimg');
  const v = await waitVolume('vimg', 'available');
  assert.equal(v.bootable, 'true');
  assert.equal((v.volume_image_metadata as Row).image_name, 'cirros');
});

test('volume snapshot create/list, volume create --snapshot, snapshot delete', async () => {
  await demo('volume', 'snapshot', 'create', '--volume', 'v1', 's1');
  const s = await waitFor(['volume', 'snapshot'], 's1', 'available');
  assert.equal(s.size, 2);
  const snaps = (await demo('volume', 'snapshot', 'list')) as Row[];
  assert.deepEqual(snaps.map((r) => r.Name), ['s1']);
  await demo('volume', 'create', '--snapshot', 's1', 'vsnap');
  const v = await waitVolume('vsnap', 'available');
  assert.equal(v.size, 2);
  assert.equal(v.snapshot_id, s.id);
  // A volume with a snapshot stays until the snapshot goes.
  assert.notEqual((await run('dicot-demo', ['volume', 'delete', 'v1'])).code, 0);
  await demoNoOut('volume', 'snapshot', 'delete', 's1');
  const end = Date.now() + 30_000;
  while (((await demo('volume', 'snapshot', 'list')) as Row[]).length > 0) {
    assert.ok(Date.now() < end, 'snapshot still listed');
    await sleep(150);
  }
});

test('volume type list; volume type create as admin only', async () => {
  const types = (await demo('volume', 'type', 'list')) as Row[];
  assert.deepEqual(types.map((t) => t.Name).sort(), ['fast', 'standard']);
  assert.notEqual((await run('dicot-demo', ['volume', 'type', 'create', 'gold'])).code, 0);
  const gold = (await admin('volume', 'type', 'create', '--property', 'storage_class=fast', '--description', 'fast disks', 'gold')) as Row;
  assert.equal(gold.name, 'gold');
  assert.ok(((await demo('volume', 'type', 'list')) as Row[]).some((t) => t.Name === 'gold'));
});

test('server add volume / server remove volume on a running server', async () => {
  await demo('server', 'create', '--image', 'cirros', '--flavor', 'u1.small', '--wait', 'vm1');
  await demo('server', 'add', 'volume', 'vm1', 'v1');
  const v = await waitVolume('v1', 'in-use');
  const server = (await demo('server', 'show', 'vm1')) as Row;
  assert.equal((v.attachments as Row[])[0]?.server_id, server.id);
  assert.notEqual((await run('dicot-demo', ['volume', 'delete', 'v1'])).code, 0, 'an attached volume cannot be deleted');
  // The other project sees neither the volume nor a way to attach it.
  assert.notEqual((await run('dicot-other', ['volume', 'show', 'v1'])).code, 0);
  assert.notEqual((await run('dicot-other', ['volume', 'show', String(v.id)])).code, 0);
  assert.notEqual((await run('dicot-other', ['volume', 'delete', String(v.id)])).code, 0);
  assert.deepEqual(await cli.os('dicot-other', 'volume', 'list', '-f', 'json'), []);
  await demoNoOut('server', 'remove', 'volume', 'vm1', 'v1');
  await waitVolume('v1', 'available');
});

test('server create --boot-from-volume: the root disk is a new volume from the image', async () => {
  await demo('server', 'create', '--image', 'cirros', '--boot-from-volume', '1', '--flavor', 'u1.small', '--wait', 'bfv');
  const vols = (await demo('volume', 'list', '--long')) as Row[];
  const root = vols.find((r) => r.Status === 'in-use');
  assert.ok(root, `no in-use root volume in ${JSON.stringify(vols)}`);
  assert.equal(root.Bootable, 'true');
});

test('quota show and limits show --absolute count the volumes', async () => {
  const quota = (await demo('quota', 'show')) as Row;
  assert.equal(quota.volumes, 10);
  assert.equal(quota.gigabytes, 1000);
  const limits = (await demo('limits', 'show', '--absolute')) as Row[];
  const used = limits.find((r) => r.Name === 'totalVolumesUsed');
  assert.equal(used?.Value, 4); // v1, vimg, vsnap and the boot volume
});

test('kubectl get dv,pvc,volumesnapshot shows the volumes', async () => {
  const r = await cli.exec(cli.kubectl, ['--kubeconfig', cli.kubeconfig, 'get', 'dv,pvc', '-A', '-l', 'volume.openstack.dicot.io/volume-id', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('datavolume')).length, 4);
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('persistentvolumeclaim')).length, 4);
  const snaps = await cli.exec(cli.kubectl, ['--kubeconfig', cli.kubeconfig, 'get', 'volumesnapshot', '-A']);
  assert.equal(snaps.code, 0, snaps.stderr);
});

test('volume delete', async () => {
  await demoNoOut('volume', 'delete', 'vsnap', 'vimg');
  const end = Date.now() + 30_000;
  while (((await demo('volume', 'list')) as Row[]).some((r) => r.Name === 'vsnap' || r.Name === 'vimg')) {
    assert.ok(Date.now() < end, 'volumes still listed');
    await sleep(150);
  }
});
