import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { SERVICES } from '../../src/identity/catalog.ts';
import { type CliSession, startCliSession } from './cli.ts';

// The Debian `openstack` CLI against a gateway over a fresh sandbox: the identity commands
// users run, as the bootstrap admin and as the demo member, failure paths included.

let cli: CliSession;
let node: CliSession['node'];
let cloudsFile: string;
const run = (args: string[], env?: Record<string, string>) => cli.run(args, env);
const os = (cloud: string, ...args: string[]) => cli.os(cloud, ...args);
const admin = (...a: string[]) => os('dicot-admin', ...a, '-f', 'json');
const adminNoOut = (...a: string[]) => os('dicot-admin', ...a);
const demo = (...a: string[]) => os('dicot-demo', ...a, '-f', 'json');
async function fails(cloud: string, args: string[], pattern: RegExp): Promise<void> {
  const r = await run(['--os-cloud', cloud, ...args]);
  assert.notEqual(r.code, 0, `openstack ${args.join(' ')} should have failed`);
  assert.match(r.stderr, pattern);
}

type Row = Record<string, unknown>;
const names = (rows: unknown) => (rows as Row[]).map((r) => r.Name).sort();

before(async () => {
  cli = await startCliSession('identity');
  node = cli.node;
  cloudsFile = cli.cloudsFile;
});
after(() => cli?.close());

test('clouds.yaml names the admin and demo clouds', () => {
  const doc = parseYaml(readFileSync(cloudsFile, 'utf8'));
  for (const cloud of ['dicot-admin', 'dicot-demo']) {
    const c = doc.clouds[cloud];
    assert.equal(c.auth.auth_url, `${node.url}/identity/v3`);
    assert.equal(c.region_name, 'RegionOne');
    assert.equal(c.identity_api_version, 3);
    assert.equal(c.interface, 'public');
  }
});

test('token issue / revoke and catalog list', async () => {
  const t = (await admin('token', 'issue')) as Row;
  assert.match(String(t.id), /^eyJ/);
  assert.match(String(t.project_id), /^[0-9a-f]{32}$/);
  const catalog = (await admin('catalog', 'list')) as Row[];
  const types = catalog.map((s) => s.Type);
  assert.deepEqual([...types].sort(), SERVICES.filter((s) => s.available).map((s) => s.type).sort());
  await adminNoOut('token', 'revoke', String(t.id));
  const r = await run(['--os-auth-type', 'token', '--os-token', String(t.id), '--os-auth-url', `${node.url}/identity/v3`, '--os-project-id', String(t.project_id), 'project', 'list'], {
    OS_CLIENT_CONFIG_FILE: '/nonexistent',
  });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /HTTP 40[14]/);
});

test('projects and users: create, list, show, set, password, delete', async () => {
  const p = (await admin('project', 'create', '--description', 'cli project', 'cli-p')) as Row;
  assert.equal(p.name, 'cli-p');
  assert.ok(names(await admin('project', 'list')).includes('cli-p'));
  assert.equal(((await admin('project', 'show', 'cli-p')) as Row).description, 'cli project');
  await adminNoOut('project', 'set', '--description', 'changed', '--tag', 'blue', 'cli-p');
  const shown = (await admin('project', 'show', 'cli-p')) as Row;
  assert.equal(shown.description, 'changed');
  assert.deepEqual(shown.tags, ['blue']);
  const u = (await admin('user', 'create', '--password', 'first-pw', '--email', 'c@example.com', '--project', 'cli-p', 'cli-u')) as Row;
  assert.equal(u.email, 'c@example.com');
  assert.ok(names(await admin('user', 'list')).includes('cli-u'));
  await adminNoOut('user', 'set', '--email', 'd@example.com', '--password', 'second-pw', 'cli-u');
  assert.equal(((await admin('user', 'show', 'cli-u')) as Row).email, 'd@example.com');
  await adminNoOut('role', 'add', '--project', 'cli-p', '--user', 'cli-u', 'member');
  // The user changes their own password.
  const self = ['--os-auth-url', `${node.url}/identity/v3`, '--os-username', 'cli-u', '--os-user-domain-name', 'Default', '--os-project-name', 'cli-p', '--os-project-domain-name', 'Default'];
  const env = { OS_CLIENT_CONFIG_FILE: '/nonexistent' };
  const changed = await run([...self, '--os-password', 'second-pw', 'user', 'password', 'set', '--original-password', 'second-pw', '--password', 'third-pw'], env);
  assert.equal(changed.code, 0, changed.stderr);
  const old = await run([...self, '--os-password', 'second-pw', 'token', 'issue', '-f', 'json'], env);
  assert.notEqual(old.code, 0);
  assert.match(old.stderr, /HTTP 401/);
  const fresh = await run([...self, '--os-password', 'third-pw', 'token', 'issue', '-f', 'json'], env);
  assert.equal(fresh.code, 0, fresh.stderr);
  await adminNoOut('user', 'delete', 'cli-u');
  await adminNoOut('project', 'delete', 'cli-p');
  assert.ok(!names(await admin('project', 'list')).includes('cli-p'));
});

test('roles, role assignments with names, groups', async () => {
  assert.deepEqual(names(await admin('role', 'list')), ['admin', 'member', 'reader']);
  await admin('project', 'create', 'cli-r');
  await admin('user', 'create', '--password', 'pw', 'cli-r-u');
  await adminNoOut('role', 'add', '--project', 'cli-r', '--user', 'cli-r-u', 'reader');
  const rows = (await admin('role', 'assignment', 'list', '--names', '--project', 'cli-r')) as Row[];
  assert.deepEqual(rows.map((r) => `${r.User}:${r.Role}:${r.Project}`), ['cli-r-u@Default:reader:cli-r@Default']);
  await adminNoOut('role', 'remove', '--project', 'cli-r', '--user', 'cli-r-u', 'reader');
  assert.deepEqual(await admin('role', 'assignment', 'list', '--names', '--project', 'cli-r'), []);
  const g = (await admin('group', 'create', 'cli-g')) as Row;
  assert.equal(g.name, 'cli-g');
  await adminNoOut('group', 'add', 'user', 'cli-g', 'cli-r-u');
  const contains = await run(['--os-cloud', 'dicot-admin', 'group', 'contains', 'user', 'cli-g', 'cli-r-u']);
  assert.match(contains.stdout, /cli-r-u in group cli-g/);
});

test('regions, endpoints, services, domains', async () => {
  assert.deepEqual(((await admin('region', 'list')) as Row[]).map((r) => r.Region), ['RegionOne']);
  const services = (await admin('service', 'list')) as Row[];
  const available = SERVICES.filter((s) => s.available);
  assert.deepEqual(services.map((s) => s.Type).sort(), available.map((s) => s.type).sort());
  const endpoints = (await admin('endpoint', 'list')) as Row[];
  assert.equal(endpoints.length, available.length * 3); // public, internal, admin
  assert.ok(endpoints.every((e) => e.Region === 'RegionOne' && e['Service Name']));
  assert.deepEqual(((await admin('domain', 'list')) as Row[]).map((d) => d.Name), ['Default']);
});

test('application credentials: create, list, a session with one, delete', async () => {
  const ac = (await demo('application', 'credential', 'create', 'cli-ac')) as Row;
  assert.ok(ac.secret);
  assert.ok(names(await demo('application', 'credential', 'list')).includes('cli-ac'));
  const file = join(cli.dir, 'appcred-clouds.yaml');
  writeFileSync(
    file,
    stringify({
      clouds: {
        'dicot-ac': {
          auth_type: 'v3applicationcredential',
          auth: { auth_url: `${node.url}/identity/v3`, application_credential_id: ac.id, application_credential_secret: ac.secret },
          region_name: 'RegionOne',
          identity_api_version: 3,
          interface: 'public',
        },
      },
    }),
  );
  const r = await run(['--os-cloud', 'dicot-ac', 'token', 'issue', '-f', 'json'], { OS_CLIENT_CONFIG_FILE: file });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).project_id, ac.project_id);
  await os('dicot-demo', 'application', 'credential', 'delete', 'cli-ac');
  const gone = await run(['--os-cloud', 'dicot-ac', 'token', 'issue'], { OS_CLIENT_CONFIG_FILE: file });
  assert.notEqual(gone.code, 0);
});

test('the member: sees only its project, cannot administer or reach into another project', async () => {
  assert.deepEqual(names(await demo('project', 'list')), ['demo']);
  await fails('dicot-demo', ['user', 'list'], /HTTP 403/);
  await fails('dicot-demo', ['project', 'create', 'mine'], /HTTP 403/);
  await fails('dicot-demo', ['role', 'add', '--project', 'admin', '--user', 'demo', 'admin'], /HTTP 403|No project/);
  const adminProject = ((await admin('project', 'show', 'admin')) as Row).id as string;
  await fails('dicot-demo', ['project', 'show', adminProject], /HTTP 403/);
  await fails('dicot-demo', ['project', 'delete', adminProject], /HTTP 403/);
  // Scoping to someone else's project is refused at authentication.
  const password = parseYaml(readFileSync(cloudsFile, 'utf8')).clouds['dicot-demo'].auth.password;
  const as = ['--os-auth-url', `${node.url}/identity/v3`, '--os-username', 'demo', '--os-password', password, '--os-user-domain-name', 'Default', '--os-project-domain-name', 'Default'];
  const own = await run([...as, '--os-project-name', 'demo', 'token', 'issue'], { OS_CLIENT_CONFIG_FILE: '/nonexistent' });
  assert.equal(own.code, 0, own.stderr);
  const other = await run([...as, '--os-project-name', 'admin', 'token', 'issue'], { OS_CLIENT_CONFIG_FILE: '/nonexistent' });
  assert.notEqual(other.code, 0);
  assert.match(other.stderr, /HTTP 401/);
});

test('a wrong password is refused', async () => {
  const r = await run(['--os-cloud', 'dicot-demo', '--os-password', 'not-it', 'token', 'issue']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /HTTP 401/);
});
