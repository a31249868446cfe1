import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type CliSession, startCliSession } from './cli.ts';

// The Debian `openstack` CLI (python3-openstackclient 6.0) against the gateway's compute
// service over a fresh sandbox: flavors, keypairs, a server's whole life cycle (power
// actions, metadata, rebuild, resize), quotas/limits/zones/groups/hypervisors, project
// isolation and delete. The tests run in order and share the server `vm1`.

let cli: CliSession;
let dir: string;
const exec = (file: string, args: string[]) => cli.exec(file, args);
const run = (cloud: string, args: string[]) => cli.run(['--os-cloud', cloud, ...args]);
const os = (cloud: string, ...args: string[]) => cli.os(cloud, ...args);
const admin = (...a: string[]) => os('dicot-admin', ...a, '-f', 'json');
const adminNoOut = (...a: string[]) => os('dicot-admin', ...a);
const demo = (...a: string[]) => os('dicot-demo', ...a, '-f', 'json');

type Row = Record<string, unknown>;
const names = (rows: unknown) => (rows as Row[]).map((r) => r.Name).sort();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `server show` until the status is `want`; fails with the last status after 30 s. */
async function waitStatus(server: string, want: string, deadlineMs = 30_000): Promise<Row> {
  const end = Date.now() + deadlineMs;
  let last: Row = {};
  for (;;) {
    last = (await admin('server', 'show', server)) as Row;
    if (last.status === want) return last;
    if (last.status === 'ERROR' || Date.now() > end) assert.fail(`server ${server}: status ${String(last.status)}, wanted ${want}`);
    await sleep(200);
  }
}

let vm1Id = '';

before(async () => {
  cli = await startCliSession('compute');
  dir = cli.dir;
  writeFileSync(join(dir, 'cirros.img'), Buffer.alloc(1024 * 1024, 7));
  const keygen = await exec('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'k2@cli', '-f', join(dir, 'k2')]);
  assert.equal(keygen.code, 0, keygen.stderr);
});
after(() => cli?.close());

test('flavor list includes u1.small; flavor show has vcpus and ram', async () => {
  const flavors = (await admin('flavor', 'list')) as Row[];
  assert.ok(names(flavors).includes('u1.small'));
  assert.ok(names(flavors).includes('u1.medium'));
  const f = (await admin('flavor', 'show', 'u1.small')) as Row;
  assert.equal(f.name, 'u1.small');
  assert.equal(f.vcpus, 1);
  assert.equal(f.ram, 2048);
});

test('keypair create (generated and imported) and keypair list', async () => {
  // OSC 6.0 writes a generated private key to stdout as is (not as a -f json document).
  const k1 = await run('dicot-admin', ['keypair', 'create', 'k1']);
  assert.equal(k1.code, 0, k1.stderr);
  assert.match(k1.stdout, /^-----BEGIN [A-Z ]*PRIVATE KEY-----\n[\s\S]+-----END [A-Z ]*PRIVATE KEY-----\s*$/);
  const pub = readFileSync(join(dir, 'k2.pub'), 'utf8');
  const k2 = (await admin('keypair', 'create', '--public-key', join(dir, 'k2.pub'), 'k2')) as Row;
  assert.equal(k2.name, 'k2');
  assert.equal(k2.private_key, undefined);
  assert.match(String(k2.fingerprint), /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  const list = (await admin('keypair', 'list')) as Row[];
  assert.deepEqual(names(list), ['k1', 'k2']);
  const shown = (await admin('keypair', 'show', 'k2')) as Row;
  assert.equal(shown.fingerprint, k2.fingerprint);
  const key = await run('dicot-admin', ['keypair', 'show', '--public-key', 'k2']);
  assert.equal(key.code, 0, key.stderr);
  assert.equal(key.stdout.trim(), pub.trim());
});

test('image create --file uploads cirros and it becomes active', async () => {
  await admin('image', 'create', '--file', './cirros.img', '--disk-format', 'raw', '--container-format', 'bare', 'cirros');
  const end = Date.now() + 30_000;
  let img = (await admin('image', 'show', 'cirros')) as Row;
  while (img.status !== 'active' && Date.now() < end) {
    await sleep(200);
    img = (await admin('image', 'show', 'cirros')) as Row;
  }
  assert.equal(img.status, 'active');
  assert.equal(img.size, 1024 * 1024);
});

test('server create --wait reaches ACTIVE; server list and show', async () => {
  const created = (await admin('server', 'create', '--image', 'cirros', '--flavor', 'u1.small', '--key-name', 'k1', '--wait', 'vm1')) as Row;
  assert.equal(created.status, 'ACTIVE');
  vm1Id = String(created.id);
  assert.match(vm1Id, /^[0-9a-f-]{36}$/);
  const list = (await admin('server', 'list')) as Row[];
  const row = list.find((r) => r.ID === vm1Id);
  assert.ok(row, 'vm1 in server list');
  assert.equal(row.Name, 'vm1');
  assert.equal(row.Status, 'ACTIVE');
  assert.equal(row.Flavor, 'u1.small');
  assert.equal(row.Image, 'cirros');
  const shown = (await admin('server', 'show', 'vm1')) as Row;
  assert.equal(shown.id, vm1Id);
  assert.equal(shown.key_name, 'k1');
  assert.match(String(shown.flavor), /u1\.small/);
  assert.match(String(shown.image), /cirros/);
  // addresses: {"<network>": ["10.x.y.z", ...]} in OSC 6.0's JSON output.
  const addresses = shown.addresses as Record<string, string[]>;
  assert.ok(addresses && Object.keys(addresses).length > 0, `addresses: ${JSON.stringify(shown.addresses)}`);
  assert.ok(Object.values(addresses).flat().length > 0);
});

test('power actions: stop/start, reboot (soft, hard), pause/unpause, suspend/resume', async () => {
  await adminNoOut('server', 'stop', 'vm1');
  // Nova power states: 1 running, 3 paused, 4 shutdown, 7 suspended.
  assert.equal((await waitStatus('vm1', 'SHUTOFF'))['OS-EXT-STS:power_state'], 4);
  await adminNoOut('server', 'start', 'vm1');
  await waitStatus('vm1', 'ACTIVE');
  await adminNoOut('server', 'reboot', 'vm1');
  await waitStatus('vm1', 'ACTIVE');
  await adminNoOut('server', 'reboot', '--hard', 'vm1');
  await waitStatus('vm1', 'ACTIVE');
  await adminNoOut('server', 'pause', 'vm1');
  assert.equal((await waitStatus('vm1', 'PAUSED'))['OS-EXT-STS:power_state'], 3);
  await adminNoOut('server', 'unpause', 'vm1');
  await waitStatus('vm1', 'ACTIVE');
  await adminNoOut('server', 'suspend', 'vm1');
  assert.equal((await waitStatus('vm1', 'SUSPENDED'))['OS-EXT-STS:power_state'], 7);
  await adminNoOut('server', 'resume', 'vm1');
  const back = await waitStatus('vm1', 'ACTIVE');
  assert.equal(back['OS-EXT-STS:power_state'], 1);
});

test('server set --property shows in properties', async () => {
  await adminNoOut('server', 'set', '--property', 'a=b', 'vm1');
  const shown = (await admin('server', 'show', 'vm1')) as Row;
  assert.deepEqual(shown.properties, { a: 'b' });
});

test('server rebuild keeps the id and returns to ACTIVE', async () => {
  await admin('server', 'rebuild', '--image', 'cirros', 'vm1');
  const shown = await waitStatus('vm1', 'ACTIVE');
  assert.equal(shown.id, vm1Id);
  assert.match(String(shown.image), /cirros/);
});

test('server resize to u1.medium, VERIFY_RESIZE, server resize confirm', async () => {
  await adminNoOut('server', 'resize', '--flavor', 'u1.medium', 'vm1');
  await waitStatus('vm1', 'VERIFY_RESIZE');
  // OSC 6.0 has `server resize confirm` (`server resize --confirm` is its deprecated form).
  await adminNoOut('server', 'resize', 'confirm', 'vm1');
  const shown = await waitStatus('vm1', 'ACTIVE');
  assert.equal(shown.id, vm1Id);
  assert.match(String(shown.flavor), /u1\.medium/);
});

// Neither `quota show` nor `limits show` has a compute-only switch in OSC 6.0: both also read
// the block-storage quotas/limits (and `quota show` the network quotas) from the catalog.
test('server shelve leaves the image vm1-shelved (SHELVED_OFFLOADED); server unshelve starts it and deletes the image', async () => {
  await adminNoOut('server', 'shelve', 'vm1');
  await waitStatus('vm1', 'SHELVED_OFFLOADED');
  const shelved = (await admin('image', 'list', '--name', 'vm1-shelved')) as Record<string, unknown>[];
  assert.equal(shelved.length, 1);
  await adminNoOut('server', 'unshelve', 'vm1');
  assert.equal((await waitStatus('vm1', 'ACTIVE')).id, vm1Id);
  assert.deepEqual(await admin('image', 'list', '--name', 'vm1-shelved'), []);
});

test('quota show (admin, own project)', async () => {
  const quota = (await admin('quota', 'show')) as Row;
  assert.equal(quota.instances, 10);
  assert.equal(typeof quota.cores, 'number');
  assert.equal(typeof quota.ram, 'number');
});

test('limits show --absolute', async () => {
  const limits = (await admin('limits', 'show', '--absolute')) as Row[];
  const byName = new Map(limits.map((r) => [r.Name, r.Value]));
  assert.equal(byName.get('maxTotalInstances'), 10);
  assert.equal(byName.get('totalInstancesUsed'), 1);
  assert.equal(byName.get('totalCoresUsed'), 1);
  assert.equal(byName.get('totalRAMUsed'), 4096);
});

test('compute quota usage (quota list --compute --detail), availability zones, server groups, hypervisors', async () => {
  const usage = new Map(((await admin('quota', 'list', '--compute', '--detail')) as Row[]).map((r) => [r.Resource, r]));
  assert.deepEqual(usage.get('instances'), { Resource: 'instances', 'In Use': 1, Reserved: 0, Limit: 10 });
  assert.equal(usage.get('cores')?.['In Use'], 1);
  assert.equal(usage.get('ram')?.['In Use'], 4096);
  assert.equal(usage.get('key_pairs')?.['In Use'], 2);
  const zones = (await admin('availability', 'zone', 'list', '--compute')) as Row[];
  assert.ok(zones.length > 0);
  assert.ok(zones.every((z) => z['Zone Status'] === 'available'), JSON.stringify(zones));
  const shown = (await admin('server', 'show', 'vm1')) as Row;
  assert.ok(zones.some((z) => z['Zone Name'] === shown['OS-EXT-AZ:availability_zone']), 'vm1 is in a listed zone');
  const g1 = (await admin('server', 'group', 'create', '--policy', 'anti-affinity', 'g1')) as Row;
  assert.equal(g1.name, 'g1');
  assert.equal(g1.policy, 'anti-affinity');
  const groups = (await admin('server', 'group', 'list')) as Row[];
  assert.deepEqual(groups, [{ ID: g1.id, Name: 'g1', Policy: 'anti-affinity' }]);
  const hypervisors = (await admin('hypervisor', 'list')) as Row[];
  assert.ok(hypervisors.length > 0);
  assert.ok(hypervisors.every((h) => h['Hypervisor Hostname'] && h.State === 'up'), JSON.stringify(hypervisors));
  assert.ok(hypervisors.some((h) => h['Hypervisor Hostname'] === shown['OS-EXT-SRV-ATTR:hypervisor_hostname']), 'vm1 is on a listed hypervisor');
});

test('failure paths: a missing image or flavor, a duplicate key pair, an ambiguous server name', async () => {
  const noImage = await run('dicot-admin', ['server', 'create', '--image', 'no-such-image', '--flavor', 'u1.small', 'bad1']);
  assert.notEqual(noImage.code, 0);
  assert.match(noImage.stderr, /No Image found for no-such-image/);
  const noFlavor = await run('dicot-admin', ['server', 'create', '--image', 'cirros', '--flavor', 'no-such-flavor', 'bad2']);
  assert.notEqual(noFlavor.code, 0);
  assert.match(noFlavor.stderr, /No flavor with a name or ID of 'no-such-flavor' exists/);
  const dupKey = await run('dicot-admin', ['keypair', 'create', '--public-key', join(dir, 'k2.pub'), 'k2']);
  assert.notEqual(dupKey.code, 0);
  assert.match(dupKey.stderr, /409.*Key pair 'k2' already exists/);
  // Nova allows two servers with one name; the CLI then asks for an id.
  for (const _ of [1, 2]) await admin('server', 'create', '--image', 'cirros', '--flavor', 'u1.small', 'twin');
  const ambiguous = await run('dicot-admin', ['server', 'show', 'twin']);
  assert.notEqual(ambiguous.code, 0);
  assert.match(ambiguous.stderr, /More than one server exists with the name 'twin'/);
  const twins = ((await admin('server', 'list', '--name', '^twin$')) as Row[]).map((r) => String(r.ID));
  assert.equal(twins.length, 2);
  await adminNoOut('server', 'delete', '--wait', ...twins);
  // Nothing was left behind by the refused creates.
  const left = ((await admin('server', 'list')) as Row[]).map((r) => r.Name);
  assert.ok(!left.includes('bad1') && !left.includes('bad2') && !left.includes('twin'), JSON.stringify(left));
});

test('the demo member does not see or reach vm1', async () => {
  const list = (await demo('server', 'list')) as Row[];
  assert.ok(!list.some((r) => r.ID === vm1Id || r.Name === 'vm1'));
  const r = await run('dicot-demo', ['server', 'show', vm1Id]);
  assert.notEqual(r.code, 0, 'demo must not see vm1');
  assert.match(r.stderr, /No server|HTTP 404/);
  const hv = await run('dicot-demo', ['hypervisor', 'list']);
  assert.notEqual(hv.code, 0);
  assert.match(hv.stderr, /HTTP 403/);
});

test('server delete --wait removes vm1', async () => {
  await adminNoOut('server', 'delete', '--wait', 'vm1');
  const list = (await admin('server', 'list')) as Row[];
  assert.ok(!list.some((r) => r.ID === vm1Id));
  const r = await run('dicot-admin', ['server', 'show', vm1Id]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /No server|HTTP 404/);
});
