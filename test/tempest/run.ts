// The Tempest runner: a fresh gateway + sandbox, a tempest.conf written from it, Tempest
// itself (the Debian package), and the scoreboard. Usage:
//   npm run tempest                          # the interop target list (CI runs this)
//   npm run tempest -- --package tempest.api.identity   # a whole package, on demand
//   npm run tempest -- --package tempest.api.identity.admin.v3.test_tokens   # a module (no scoreboard)
//   npm run tempest -- --package <module>,<module>   # several (no scoreboard)
// Options: --concurrency N (default 3), --keep (leave the workspace), --no-gate,
//   --only <prefix> (the interop tests starting with it; no scoreboard written).
// DICOT_TEST_CLUSTER=real runs against the real-cluster lane and compares with the scoreboard.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startNode } from '../../platform/node.ts';
import { COMPUTE_VERSIONS } from '../../src/compute/version.ts';
import { parseConfig } from '../../src/config/index.ts';
import { VOLUME_VERSIONS } from '../../src/volume/version.ts';
import { serveBytes } from '../helpers/web-server.ts';
import { tempestConf } from './conf.ts';
import { type Outcome, gate, readBaseline, score, writeScoreboard } from './scoreboard.ts';

const TEMPEST = '/usr/bin/tempest';
const PYTHON = '/usr/bin/python3';
const HERE = resolve('test/tempest');
const LOCKOUT = { attempts: 2, seconds: 5 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The interop target ids (those starting with `prefix`, when given). */
function interopIds(prefix = ''): string[] {
  return readFileSync(join(HERE, 'interop-target-tests.txt'), 'utf8')
    .split('\n')
    .filter((id) => id !== '' && id.startsWith(prefix));
}

interface CloudsYaml {
  clouds: Record<string, { auth: { username: string; password: string; project_name: string; user_domain_name?: string } }>;
}

/** A Keystone token for the bootstrap admin, project-scoped. */
async function adminToken(url: string, a: CloudsYaml['clouds'][string]['auth']): Promise<string> {
  const res = await fetch(`${url}/identity/v3/auth/tokens?nocatalog`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: a.username, domain: { name: a.user_domain_name ?? 'Default' }, password: a.password } } },
        scope: { project: { name: a.project_name, domain: { name: 'Default' } } },
      },
    }),
  });
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || !token) throw new Error(`admin login failed: ${res.status} ${await res.text()}`);
  return token;
}

/** What Tempest needs made before it runs: two public images with data, two flavors. */
async function prepareCloud(url: string, a: CloudsYaml['clouds'][string]['auth']) {
  const token = await adminToken(url, a);
  const image = async (name: string): Promise<string | undefined> => {
    const created = await fetch(`${url}/RegionOne/image/v2/images`, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ name, disk_format: 'raw', container_format: 'bare', visibility: 'public' }),
    });
    if (created.status !== 201) return undefined;
    const { id } = (await created.json()) as { id: string };
    const data = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    const put = await fetch(`${url}/RegionOne/image/v2/images/${id}/file`, {
      method: 'PUT',
      headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
      body: data,
    });
    return put.status === 204 ? id : undefined;
  };
  // The external network the gateway creates on first use (Tempest's public_network_id).
  const nets = await fetch(`${url}/RegionOne/network/v2.0/networks?router:external=True&name=public`, { headers: { 'x-auth-token': token } });
  const publicNetworkId = nets.status === 200 ? ((await nets.json()) as { networks: { id: string }[] }).networks[0]?.id : undefined;
  return {
    publicNetworkId,
    imageRef: await image('tempest-image'),
    imageRefAlt: await image('tempest-image-alt'),
    flavorRef: 'u1.small',
    flavorRefAlt: 'u1.medium',
  };
}

/**
 * DICOT_TEST_CLUSTER=real: the gateway on the real-cluster lane (test/realcluster), configured
 * with the apiserver's URL, CA and token, and the sandbox mode's users in <stateDir>/clouds.yaml.
 */
async function startOnLane(identity: { scrypt: { N: number; r: number; p: number } } & Record<string, unknown>, stateDir: string) {
  const { startLane } = await import('../realcluster/lane.ts');
  const { bootstrapSandbox } = await import('../../platform/cli.ts');
  const lane = await startLane((s) => console.error(`tempest: ${s}`));
  try {
    const kubernetes = { server: lane.url, ca: lane.ca, token: lane.gatewayToken };
    const node = await startNode(parseConfig({ listen: { hostname: '127.0.0.1', port: 0 }, identity, regions: [{ name: 'RegionOne', identity: true, kubernetes }] }), { stateDir, log: () => {} });
    await bootstrapSandbox({ server: lane.url, fetch: lane.fetch, token: () => lane.gatewayToken }, stateDir, node.url, identity.scrypt);
    return {
      url: node.url,
      close: async () => {
        await node.close();
        await lane.stop();
      },
    };
  } catch (e) {
    await lane.stop();
    throw e;
  }
}

async function main() {
  const pkg = arg('--package');
  const only = arg('--only');
  const suite = pkg ?? 'interop';
  const concurrency = arg('--concurrency') ?? '3';
  const dir = mkdtempSync(join(tmpdir(), 'dicot-tempest-'));
  // Tempest logs in thousands of times: a cheap hash cost here (production's is ~0.8 s of CPU),
  // and the lockout Tempest's defaults expect (2 failures, 5 s).
  const identity = { scrypt: { N: 1024, r: 8, p: 1 }, lockoutFailureAttempts: LOCKOUT.attempts, lockoutDurationSeconds: LOCKOUT.seconds };
  const real = process.env.DICOT_TEST_CLUSTER === 'real';
  const gw = real ? await startOnLane(identity, join(dir, 'state')) : await startNode(parseConfig({ listen: { hostname: '127.0.0.1', port: 0 }, identity }), { stateDir: join(dir, 'state'), timing: 'instant', log: () => {} });
  const web = await serveBytes(new Uint8Array(1024 * 1024).map((_, i) => i % 239));
  try {
    const clouds = parseYaml(readFileSync(join(dir, 'state', 'clouds.yaml'), 'utf8')) as CloudsYaml;
    const admin = clouds.clouds['dicot-admin']?.auth;
    if (!admin) throw new Error('the gateway wrote no dicot-admin cloud');
    const fixtures = await prepareCloud(gw.url, admin);
    const ws = join(dir, 'ws');
    // An empty config dir keeps /etc/tempest out; a private workspace file keeps ~/.tempest clean.
    mkdirSync(join(dir, 'etc-empty'));
    const init = spawnSync(
      TEMPEST,
      ['init', '--config-dir', join(dir, 'etc-empty'), '--workspace-path', join(dir, 'workspace.yaml'), '--name', 'dicot', ws],
      { encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`tempest init failed: ${init.stderr}`);
    writeFileSync(
      join(ws, 'etc', 'tempest.conf'),
      tempestConf({
        authUrl: `${gw.url}/identity/v3`,
        region: 'RegionOne',
        admin: { username: admin.username, password: admin.password, project: admin.project_name, domain: admin.user_domain_name ?? 'Default' },
        computeMaxMicroversion: COMPUTE_VERSIONS.max,
        volumeMaxMicroversion: VOLUME_VERSIONS.max,
        services: { nova: true, glance: true, neutron: true, cinder: true },
        ...fixtures,
        httpImage: `${web.url}/cirros.img`,
        logFile: join(ws, 'tempest.log'),
        lockout: LOCKOUT,
      }),
    );
    const selection = join(ws, 'selection.txt');
    if (pkg) {
      writeFileSync(selection, pkg.split(',').map((m) => `^${m.replace(/\./g, '\\.')}\\.\n`).join(''));
    } else {
      // Each id anchored with "\[" so a line selects that test alone (not name prefixes).
      const ids = interopIds(only);
      writeFileSync(selection, ids.map((id) => `^${id.replace(/\./g, '\\.')}\\[`).join('\n'));
    }
    console.error(`tempest: running ${suite} against ${gw.url} (workspace ${ws})`);
    // --subunit: the stream goes straight into the parser; progress is ours to print.
    const run = spawn(
      TEMPEST,
      ['run', '--subunit', '--config-file', join(ws, 'etc', 'tempest.conf'), '--include-list', selection, '--concurrency', concurrency],
      { cwd: ws, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PYTHON: '' } },
    );
    const parser = spawn(PYTHON, [join(HERE, 'results.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
    run.stdout.pipe(parser.stdin);
    const outcomes: Outcome[] = [];
    let buffered = '';
    parser.stdout.setEncoding('utf8');
    parser.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const o = JSON.parse(line) as Outcome;
        outcomes.push(o);
        console.error(`  ${o.status.padEnd(7)} ${o.id}${o.reason ? `  — ${o.reason.slice(0, 160)}` : ''}`);
      }
    });
    const code = await new Promise<number>((done) => run.on('exit', (c) => done(c ?? 1)));
    await new Promise((done) => parser.on('exit', done));
    const wanted = pkg ? undefined : interopIds(only);
    const result = score(suite, outcomes, wanted);
    console.error(`tempest exited ${code}; ${result.totals.passed} passed, ${result.totals.failed} failed, ${result.totals.skipped} skipped`);
    // A partial run (part of the list, or a module below a service's package): the scoreboard
    // stays as the last full run left it.
    if (only || (pkg && !/^tempest\.api\.[a-z_]+$/.test(pkg))) return;
    const baseline = readBaseline();
    // The scoreboard is the sandbox's; a lane run is compared with it, never written over it.
    if (!real) writeScoreboard(result);
    else {
      const before = baseline.suites[result.suite]?.totals;
      if (before) console.error(`tempest (sandbox scoreboard): ${before.passed} passed, ${before.failed} failed, ${before.skipped} skipped`);
      const now = new Map(result.tests.map((t) => [t.id, t.status]));
      for (const t of baseline.suites[result.suite]?.tests ?? []) {
        if (t.status === 'passed' && now.get(t.id) !== 'passed') console.error(`  passes on the sandbox only: ${t.id}`);
        if (t.status !== 'passed' && now.get(t.id) === 'passed') console.error(`  passes on the real cluster only: ${t.id}`);
      }
    }
    if (process.argv.includes('--no-gate')) return;
    const regressions = gate(result, baseline);
    if (regressions.length > 0) {
      console.error(`tempest: ${regressions.length} test(s) passed before and fail now:\n${regressions.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    web.close();
    await gw.close();
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
// Nothing else should keep the process: exit with the gate's verdict.
process.exit(process.exitCode ?? 0);
