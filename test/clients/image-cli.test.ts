import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { serveBytes } from '../helpers/web-server.ts';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type CliSession, startCliSession } from './cli.ts';

// The Debian `openstack` CLI (SDK-based image commands) against a gateway over a fresh
// sandbox: upload, import, list, show, set, sharing, save and delete.

const OPENSTACK = '/usr/bin/openstack';
let cli: CliSession;
let dir: string;
let web: Awaited<ReturnType<typeof serveBytes>>;
let webUrl: string;
const exec = (file: string, args: string[]) => cli.exec(file, args);
const os = (cloud: string, ...args: string[]) => cli.os(cloud, ...args);
const admin = (...a: string[]) => os('dicot-admin', ...a, '-f', 'json');
const adminNoOut = (...a: string[]) => os('dicot-admin', ...a);
const demo = (...a: string[]) => os('dicot-demo', ...a, '-f', 'json');
const demoNoOut = (...a: string[]) => os('dicot-demo', ...a);

type Row = Record<string, unknown>;
const names = (rows: unknown) => (rows as Row[]).map((r) => r.Name).sort();
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

const IMAGE = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 8)) & 255);
const WEB_IMAGE = Uint8Array.from({ length: 4096 }, (_, i) => (i * 13) & 255);

before(async () => {
  cli = await startCliSession('image');
  dir = cli.dir;
  writeFileSync(join(dir, 'cirros.img'), IMAGE);
  web = await serveBytes(WEB_IMAGE);
  webUrl = web.url;
});
after(async () => {
  web?.close();
  await cli?.close();
});

test('image create --file uploads and reaches active with the MD5 checksum; image save returns the same bytes', async () => {
  const img = (await demo('image', 'create', '--disk-format', 'qcow2', '--container-format', 'bare', '--file', './cirros.img', '--property', 'os_distro=cirros', 'cirros')) as Row;
  // OSC prints the image as created (queued, as with Glance); the upload is done when it returns.
  const shown = (await demo('image', 'show', 'cirros')) as Row;
  assert.equal(shown.id, img.id);
  assert.equal(shown.status, 'active');
  assert.equal(shown.checksum, md5(IMAGE));
  assert.equal(shown.size, IMAGE.length);
  assert.equal((shown.properties as Row).os_distro, 'cirros');
  await demoNoOut('image', 'save', '--file', './saved.img', 'cirros');
  assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'saved.img'))), IMAGE);
});

test('image create --import stages and imports (glance-direct)', async () => {
  const img = (await demo('image', 'create', '--import', '--disk-format', 'raw', '--container-format', 'bare', '--file', './cirros.img', 'imported')) as Row;
  const shown = (await demo('image', 'show', String(img.id))) as Row;
  assert.equal(shown.status, 'active');
  assert.equal(shown.checksum, md5(IMAGE));
});

test('web-download from a local HTTP server through the SDK (OSC 6.0 has no --uri)', async () => {
  const script = [
    'import openstack, sys',
    "c = openstack.connect(cloud='dicot-demo')",
    "img = c.image.create_image(name='from-web', disk_format='qcow2', container_format='bare', allow_duplicates=True)",
    `c.image.import_image(img, method='web-download', uri='${webUrl}/cirros.qcow2')`,
    'import time',
    'for _ in range(300):',
    '    img = c.image.get_image(img.id)',
    "    if img.status != 'importing': break",
    '    time.sleep(0.1)',
    'print(img.id, img.status)',
  ].join('\n');
  const r = await exec('/usr/bin/python3', ['-c', script]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, / active$/m);
  const shown = (await demo('image', 'show', 'from-web')) as Row;
  assert.equal(shown.status, 'active');
});

test('image list with filters, image set --property / --tag', async () => {
  await demoNoOut('image', 'set', '--property', 'hw_disk_bus=virtio', '--tag', 'golden', '--min-ram', '128', 'cirros');
  const shown = (await demo('image', 'show', 'cirros')) as Row;
  assert.equal((shown.properties as Row).hw_disk_bus, 'virtio');
  assert.equal(shown.min_ram, 128);
  assert.deepEqual(shown.tags, ['golden']);
  assert.deepEqual(names(await demo('image', 'list', '--tag', 'golden')), ['cirros']);
  assert.deepEqual(names(await demo('image', 'list', '--name', 'imported')), ['imported']);
  assert.deepEqual(names(await demo('image', 'list', '--property', 'os_distro=cirros')), ['cirros']);
  assert.ok(names(await demo('image', 'list', '--status', 'active')).includes('from-web'));
  // OSC asks the server for one page (newest first, as Glance) and sorts it itself.
  const sorted = (await demo('image', 'list', '--sort', 'name:desc', '--limit', '2')) as Row[];
  assert.deepEqual(sorted.map((r) => r.Name), ['imported', 'from-web']);
  const rest = (await demo('image', 'list', '--limit', '2', '--marker', 'from-web')) as Row[];
  assert.deepEqual(rest.map((r) => r.Name), ['cirros', 'imported']);
  await demoNoOut('image', 'unset', '--property', 'hw_disk_bus', 'cirros');
  assert.equal(((await demo('image', 'show', 'cirros')) as Row & { properties: Row }).properties.hw_disk_bus, undefined);
});

test('sharing: image add project, image set --accept as the member, image remove project', async () => {
  const img = (await admin('image', 'create', '--shared', '--disk-format', 'raw', '--container-format', 'bare', '--file', './cirros.img', 'admin-shared')) as Row;
  assert.ok(!names(await demo('image', 'list')).includes('admin-shared'));
  await admin('image', 'add', 'project', String(img.id), 'demo');
  await demoNoOut('image', 'set', '--accept', String(img.id));
  assert.ok(names(await demo('image', 'list')).includes('admin-shared'));
  const members = (await admin('image', 'member', 'list', String(img.id))) as Row[];
  assert.equal(members[0]?.Status, 'accepted');
  await adminNoOut('image', 'remove', 'project', String(img.id), 'demo');
  assert.ok(!names(await demo('image', 'list')).includes('admin-shared'));
});

test('image delete removes the image', async () => {
  await demoNoOut('image', 'delete', 'imported');
  assert.ok(!names(await demo('image', 'list')).includes('imported'));
  const r = await exec(OPENSTACK, ['--os-cloud', 'dicot-demo', 'image', 'show', 'imported']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /No Image found|Could not find|not found/i);
});

test('failure paths: an ambiguous name, another project private image, a bad format', async () => {
  for (const _ of [1, 2]) await demo('image', 'create', '--disk-format', 'raw', '--container-format', 'bare', 'twin-image');
  const ambiguous = await exec(OPENSTACK, ['--os-cloud', 'dicot-demo', 'image', 'show', 'twin-image']);
  assert.notEqual(ambiguous.code, 0);
  assert.match(ambiguous.stderr, /More than one Image exists with the name 'twin-image'/i);
  const ids = ((await demo('image', 'list', '--name', 'twin-image')) as Row[]).map((r) => String(r.ID));
  assert.equal(ids.length, 2);
  // The admin's private image is invisible to the member.
  await admin('image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--private', 'admin-only');
  const hidden = await exec(OPENSTACK, ['--os-cloud', 'dicot-demo', 'image', 'show', 'admin-only']);
  assert.notEqual(hidden.code, 0);
  assert.match(hidden.stderr, /No Image found|Could not find|not found/i);
  const badFormat = await exec(OPENSTACK, ['--os-cloud', 'dicot-demo', 'image', 'create', '--disk-format', 'floppy', 'bad-format']);
  assert.notEqual(badFormat.code, 0);
  assert.ok(!names(await demo('image', 'list')).includes('bad-format'));
  await demoNoOut('image', 'delete', ...ids);
  await adminNoOut('image', 'delete', 'admin-only');
});
