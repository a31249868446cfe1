// The in-cluster deployment on the real-cluster lane (issue #13): deploy/kubernetes applies
// (server-side dry run, then for real), the gateway runs as the compiled Bun executable the
// container image ships, with nothing but a token of the ServiceAccount those manifests create,
// and the `openstack` CLI works through it; that token is refused beyond the gateway's role.
// The lane has no kubelet, so the Deployment never gets pods: the executable runs beside the
// cluster with the configuration a pod would have (URL, CA, ServiceAccount token).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { bootstrapSandbox } from '../../platform/cli.ts';
import { OPENSTACK, type Result } from '../clients/cli.ts';
import { bunExecutable, type Launched, spawnServer } from '../runtimes/launch.ts';
import { type Lane, startLane } from './lane.ts';

type Row = Record<string, unknown>;

let lane: Lane;
let dir: string;
let saToken = '';
let gateway: Launched | undefined;
let cloudsFile = '';

function exec(file: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      // Debian's python3 for the CLI (PYTHON* unset); no proxies for 127.0.0.1.
      { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir, no_proxy: '*', ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** The lane's own kubectl with its admin kubeconfig; must succeed. */
async function kubectl(...args: string[]): Promise<string> {
  const r = await exec(lane.kubectl, ['--kubeconfig', lane.kubeconfig, ...args]);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** `openstack --os-cloud <cloud> <args> -f json`, which must succeed. */
async function os(cloud: string, ...args: string[]): Promise<unknown> {
  const r = await exec(OPENSTACK, ['--os-cloud', cloud, ...args, '-f', 'json'], { OS_CLIENT_CONFIG_FILE: cloudsFile });
  assert.equal(r.code, 0, `openstack ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}

/** A request to the lane's apiserver as the ServiceAccount. */
const asGateway = (path: string, init: RequestInit = {}) =>
  lane.fetch(`${lane.url}${path}`, { ...init, headers: { authorization: `Bearer ${saToken}`, 'content-type': 'application/json', ...init.headers } });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dicot-deploy-lane-'));
  // Compiled while the cluster starts (it is the slow part of both).
  const exe = bunExecutable();
  lane = await startLane((s) => console.error(s));
  await exe;
});

after(async () => {
  await gateway?.close();
  await lane?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('deploy/kubernetes applies with a server-side dry run, then for real', async () => {
  // The lane's bootstrap already made the gateway's ServiceAccount, ClusterRole and binding
  // under the same names: a plain apply patches them to what the manifests say.
  const manifests = resolve('deploy/kubernetes');
  await kubectl('apply', '--dry-run=server', '-k', manifests);
  await kubectl('apply', '-k', manifests);
  const deployment = JSON.parse(await kubectl('get', 'deployment', '-n', 'dicot-system', '-o', 'json', 'dicot-gateway')) as { spec: { replicas: number } };
  assert.equal(deployment.spec.replicas, 2);
  await kubectl('get', 'serviceaccount/dicot-gateway', 'configmap/dicot-config', 'service/dicot-gateway', 'networkpolicy/dicot-gateway', '-n', 'dicot-system');
});

test('a TokenRequest token for the ServiceAccount the manifests create', async () => {
  saToken = (await kubectl('create', 'token', 'dicot-gateway', '-n', 'dicot-system', '--duration', '1h')).trim();
  assert.match(saToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const r = await asGateway('/apis/authentication.k8s.io/v1/selfsubjectreviews', { method: 'POST', body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }) });
  assert.equal(r.status, 201);
  const review = (await r.json()) as { status: { userInfo: { username: string } } };
  assert.equal(review.status.userInfo.username, 'system:serviceaccount:dicot-system:dicot-gateway');
});

test('the compiled Bun executable serves with that token; the openstack CLI works through it', async () => {
  assert.ok(saToken, 'needs the token test');
  // A cheap password hash: the CLI logs in on every command.
  const scrypt = { N: 1024, r: 8, p: 1 };
  const config = {
    listen: { hostname: '127.0.0.1', port: 0 },
    identity: { scrypt },
    regions: [{ name: 'RegionOne', identity: true, kubernetes: { server: lane.url, ca: lane.ca, token: saToken } }],
  };
  gateway = await spawnServer(await bunExecutable(), [], config);
  // The Keystone users, made with the same token (what `dicot bootstrap` does, plus a demo member).
  cloudsFile = await bootstrapSandbox({ server: lane.url, fetch: lane.fetch, token: () => saToken }, dir, gateway.url, scrypt);

  const token = (await os('dicot-demo', 'token', 'issue')) as Row;
  assert.match(String(token.id), /\S{20,}/);
  const projects = ((await os('dicot-admin', 'project', 'list')) as Row[]).map((p) => p.Name).sort();
  assert.deepEqual(projects, ['admin', 'demo']);
  assert.ok(((await os('dicot-demo', 'flavor', 'list')) as Row[]).some((f) => f.Name === 'u1.small'));

  writeFileSync(join(dir, 'cirros.img'), Buffer.alloc(1024 * 1024, 7));
  await os('dicot-demo', 'image', 'create', '--file', './cirros.img', '--disk-format', 'raw', '--container-format', 'bare', 'cirros');
  // The upload is imported by the (simulated) CDI: active once it is done.
  const end = Date.now() + 30_000;
  let image = (await os('dicot-demo', 'image', 'show', 'cirros')) as Row;
  while (image.status !== 'active' && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    image = (await os('dicot-demo', 'image', 'show', 'cirros')) as Row;
  }
  assert.equal(image.status, 'active');
  assert.ok(((await os('dicot-demo', 'image', 'list')) as Row[]).some((i) => i.Name === 'cirros' && i.Status === 'active'));
  // The download goes through a VirtualMachineExport whose token Secret the gateway cannot read.
  const saved = await exec(OPENSTACK, ['--os-cloud', 'dicot-demo', 'image', 'save', '--file', './saved.img', 'cirros'], { OS_CLIENT_CONFIG_FILE: cloudsFile });
  assert.equal(saved.code, 0, saved.stderr);
  assert.deepEqual(readFileSync(join(dir, 'saved.img')), readFileSync(join(dir, 'cirros.img')));

  const net = (await os('dicot-demo', 'network', 'create', 'net1')) as Row;
  const subnet = (await os('dicot-demo', 'subnet', 'create', '--network', 'net1', '--subnet-range', '192.168.10.0/24', 'sub1')) as Row;
  assert.equal(subnet.network_id, net.id);
  assert.equal(subnet.cidr, '192.168.10.0/24');

  await os('dicot-demo', 'volume', 'create', '--size', '1', 'v1');
  const volumes = (await os('dicot-demo', 'volume', 'list')) as Row[];
  assert.deepEqual(
    volumes.map((v) => [v.Name, v.Size]),
    [['v1', 1]],
  );

  const server = (await os('dicot-demo', 'server', 'create', '--image', 'cirros', '--flavor', 'u1.small', '--network', 'net1', '--wait', 'vm1')) as Row;
  assert.equal(server.status, 'ACTIVE');
  const shown = (await os('dicot-demo', 'server', 'show', 'vm1')) as Row;
  assert.equal(shown.id, server.id);
  assert.equal(shown.status, 'ACTIVE');
  assert.match(JSON.stringify(shown.addresses), /net1/);
});

test('the ServiceAccount token is refused beyond the gateway role', async () => {
  assert.ok(saToken, 'needs the token test');
  const status = async (path: string, init: RequestInit = {}) => {
    const r = await asGateway(path, init);
    await r.body?.cancel();
    return r.status;
  };
  const post = (path: string, body: unknown) => status(path, { method: 'POST', body: JSON.stringify(body) });
  // Pods are nothing the gateway manages.
  assert.equal(await status('/api/v1/namespaces/kube-system/pods'), 403);
  // Secrets: read in dicot-system only (Keystone users, keys); elsewhere it may only create them.
  assert.equal(await status('/api/v1/namespaces/dicot-system/secrets'), 200);
  assert.equal(await status('/api/v1/namespaces/kube-system/secrets'), 403);
  assert.equal(await status('/api/v1/namespaces/kube-system/secrets/anything'), 403);
  assert.equal(await status('/api/v1/secrets'), 403);
  const demo = JSON.parse(await kubectl('get', 'namespaces', '-l', 'openstack.dicot.io/project=true', '-o', 'json')) as { items: { metadata: { name: string } }[] };
  assert.ok(demo.items.length > 0);
  for (const ns of demo.items) assert.equal(await status(`/api/v1/namespaces/${ns.metadata.name}/secrets`), 403, ns.metadata.name);
  // It may manage ClusterRoleBindings, but binds only Dicot's roles (bind by name).
  const crb = (name: string, role: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: 'dicot-gateway', namespace: 'dicot-system' }],
  });
  assert.equal(await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', crb('dicot-escalation', 'cluster-admin')), 403);
  assert.equal(await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', crb('dicot-escalation', 'admin')), 403);
  // It writes ClusterRoles, but rules it does not hold only into Dicot's own (escalate by name).
  const secretsReader = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'dicot-escalation' },
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
  };
  assert.equal(await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', secretsReader), 403);
  const patch = { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ rules: secretsReader.rules }) };
  assert.equal(await status('/apis/rbac.authorization.k8s.io/v1/clusterroles/view', patch), 403);
  assert.equal(await status('/apis/rbac.authorization.k8s.io/v1/clusterroles/dicot-gateway', patch), 403);
  // Not refused, by design: a ClusterRoleBinding of dicot-cloud-admin (it binds that role for
  // Keystone admins, and RBAC cannot restrict a binding's subjects), and impersonation of any
  // user or group. Both are written down in deploy/kubernetes/rbac.yaml and the README.
});
