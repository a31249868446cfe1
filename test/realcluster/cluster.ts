// A real Kubernetes control plane on loopback for the real-cluster lane: etcd, kube-apiserver
// and kube-controller-manager (garbage collection, namespace deletion, ClusterRole
// aggregation are its job, not the apiserver's), built from the Go module proxy with the Go
// module beside this file, started with RBAC, static tokens and openssl-made certificates.
// Everything started here is stopped by pid.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';

const run = promisify(execFile);

export const MODULE_DIR = dirname(fileURLToPath(import.meta.url));
export const BUILD_DIR = join(MODULE_DIR, '.build');
export const BIN_DIR = join(BUILD_DIR, 'bin');
export const KUBE_VERSION = 'v1.33.13';

/** The commands the lane builds, by output name → Go package. */
const COMMANDS: Record<string, string> = {
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
  kubectl: 'k8s.io/kubernetes/cmd/kubectl',
  etcd: 'go.etcd.io/etcd/server/v3',
};

export const bin = (name: keyof typeof COMMANDS | string) => join(BIN_DIR, name);

/**
 * Builds the binaries that are missing or older than go.mod/go.sum (Go's own caches make a
 * rebuild of an unchanged tree take seconds; a cold build takes several minutes).
 */
export async function buildBinaries(log: (s: string) => void = () => {}): Promise<void> {
  const stamp = Math.max(statSync(join(MODULE_DIR, 'go.mod')).mtimeMs, statSync(join(MODULE_DIR, 'go.sum')).mtimeMs);
  const stale = Object.keys(COMMANDS).filter((n) => !existsSync(bin(n)) || statSync(bin(n)).mtimeMs < stamp);
  if (stale.length === 0) return;
  mkdirSync(BIN_DIR, { recursive: true });
  const v = KUBE_VERSION;
  const [major, minor] = v.slice(1).split('.');
  const ldflags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'])
    ldflags.push(`-X ${pkg}.gitVersion=${v}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`);
  const env = { ...process.env, GOFLAGS: `-mod=mod ${process.env.GOFLAGS ?? ''}`.trim() };
  for (const name of stale) {
    log(`building ${name} (${COMMANDS[name]})…`);
    const started = Date.now();
    // One at a time with -p 2: the machine's two cores are shared.
    await run('go', ['build', '-p', '2', '-ldflags', ldflags.join(' '), '-o', bin(name), COMMANDS[name] as string], {
      cwd: MODULE_DIR,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    log(`built ${name} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

/** A free TCP port on 127.0.0.1 (released before use; the lane is the only taker here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const openssl = (args: string[], cwd: string) => run('openssl', args, { cwd });

/** CA, serving certificate, service-account keys and the front-proxy CA + client certificate. */
async function makeCerts(dir: string): Promise<void> {
  const ca = async (name: string, cn: string) =>
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
  const leaf = async (name: string, caName: string, subj: string, ext: string) => {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subj, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    await openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '30', '-out', `${name}.crt`, '-extfile', `${name}.ext`],
      dir,
    );
  };
  await Promise.all([ca('ca', 'dicot-lane-ca'), ca('front-proxy-ca', 'dicot-lane-front-proxy-ca')]);
  await Promise.all([
    leaf(
      'apiserver',
      'ca',
      '/CN=kube-apiserver',
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
    ),
    leaf('front-proxy-client', 'front-proxy-ca', '/CN=front-proxy-client', 'extendedKeyUsage=clientAuth\n'),
    openssl(['genrsa', '-out', 'sa.key', '2048'], dir).then(() => openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir)),
  ]);
}

export interface Identity {
  token: string;
  user: string;
  groups: string[];
}

export const GATEWAY_USER = 'system:serviceaccount:dicot-system:dicot-gateway';
export const CONTROLLER_USER = 'system:serviceaccount:kubevirt:kubevirt-controller';

const randomToken = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');

export interface Etcd {
  url: string;
  stop(): Promise<void>;
}

export interface RealCluster {
  url: string;
  /** PEM of the CA that signed the serving certificate. */
  ca: string;
  /** Static-token identities: `admin` (system:masters), `gateway` (Dicot's service account), `controller`, `bob` (no bindings). */
  ids: Record<'admin' | 'gateway' | 'controller' | 'bob', Identity>;
  adminToken: string;
  gatewayToken: string;
  kubectl: string;
  kubeconfig: string;
  dir: string;
  /** The front-proxy CA: aggregated API servers trust callers that present its client certificate. */
  frontProxyCa: string;
  /** fetch trusting the cluster CA. */
  fetch: typeof fetch;
  stop(): Promise<void>;
}

interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

function launch(name: string, file: string, args: string[], logFile: string): Proc {
  const out = openSync(logFile, 'a');
  const child = spawn(file, args, { stdio: ['ignore', out, out] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { name, child, exited };
}

async function stopProc(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 5_000);
  await p.exited;
  clearTimeout(timer);
}

/** fetch trusting `ca` (the lane's cluster CA); takes a global Request too (undici's own fetch would not). */
export function caFetch(ca: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca } });
  type Init = Parameters<typeof undiciFetch>[1];
  return ((input: string | URL | Request, init?: RequestInit) => {
    if (input instanceof Request) {
      const r = input;
      const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body;
      return undiciFetch(r.url, { method: r.method, headers: r.headers, body, duplex: 'half', signal: r.signal, ...(init as Init), dispatcher } as Init);
    }
    return undiciFetch(input, { ...(init as Init), dispatcher });
  }) as unknown as typeof fetch;
}

async function waitFor(what: string, check: () => Promise<boolean>, procs: Proc[], timeoutMs: number, logs: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead || Date.now() > deadline) {
      const tail = logs.map((l) => (existsSync(l) ? `--- ${l}\n${readFileSync(l, 'utf8').split('\n').slice(-30).join('\n')}` : '')).join('\n');
      throw new Error(`${dead ? `${dead.name} exited` : 'timed out'} waiting for ${what}\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** etcd on loopback (no fsync: the lane's data is throwaway). Several clusters can share it through prefixes. */
export async function startEtcd(dir?: string): Promise<Etcd> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'dicot-etcd-')));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const log = join(root, 'etcd.log');
  const p = launch(
    'etcd',
    bin('etcd'),
    [
      '--name=lane',
      `--data-dir=${join(root, 'etcd-data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=lane=http://127.0.0.1:${peer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    log,
  );
  await waitFor('etcd', async () => (await fetch(`${url}/health`)).ok, [p], 30_000, [log]);
  return {
    url,
    stop: async () => {
      await stopProc(p);
      if (!dir) await rm(root, { recursive: true, force: true });
    },
  };
}

export interface StartOptions {
  /** An etcd to share (each cluster gets its own key prefix); by default the cluster starts its own. */
  etcd?: Etcd;
  log?: (s: string) => void;
  /**
   * Runs once the apiserver is ready, before the controller manager starts: CRDs installed
   * here are in the garbage collector's first discovery (later ones wait for its 30 s resync).
   */
  prepare?: (c: Pick<RealCluster, 'url' | 'fetch' | 'adminToken'>) => Promise<void>;
}

/** Starts kube-apiserver + kube-controller-manager (and etcd unless given) and waits until ready. */
export async function startCluster(opts: StartOptions = {}): Promise<RealCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'dicot-cluster-'));
  const procs: Proc[] = [];
  let ownEtcd: Etcd | undefined;
  const stopAll = async () => {
    for (const p of procs.reverse()) await stopProc(p);
    await ownEtcd?.stop();
    // DICOT_LANE_KEEP=1 keeps the certificates and component logs for reading.
    if (process.env.DICOT_LANE_KEEP) console.error(`lane logs kept in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  };
  try {
    const etcdP = opts.etcd ? Promise.resolve(opts.etcd) : startEtcd(join(dir, 'etcd'));
    await makeCerts(dir);
    const etcd = await etcdP;
    if (!opts.etcd) ownEtcd = etcd;

    const id = (user: string, groups: string[]): Identity => ({ token: randomToken(), user, groups });
    const ids = {
      admin: id('lane-admin', ['system:masters']),
      gateway: id(GATEWAY_USER, ['system:serviceaccounts', 'system:serviceaccounts:dicot-system']),
      controller: id(CONTROLLER_USER, ['system:masters', 'system:serviceaccounts']),
      bob: id('bob', []),
    };
    // token,user,uid,"group1,group2"
    writeFileSync(
      join(dir, 'tokens.csv'),
      Object.values(ids)
        .map((i) => `${i.token},${i.user},${i.user},"${i.groups.join(',')}"`)
        .join('\n'),
    );

    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const f = (n: string) => join(dir, n);
    const apiLog = f('kube-apiserver.log');
    procs.push(
      launch(
        'kube-apiserver',
        bin('kube-apiserver'),
        [
          `--etcd-servers=${etcd.url}`,
          `--etcd-prefix=/registry-${randomToken().slice(0, 10).toLowerCase()}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${port}`,
          `--cert-dir=${f('certs')}`,
          `--tls-cert-file=${f('apiserver.crt')}`,
          `--tls-private-key-file=${f('apiserver.key')}`,
          `--client-ca-file=${f('ca.crt')}`,
          `--token-auth-file=${f('tokens.csv')}`,
          '--authorization-mode=RBAC',
          '--service-account-issuer=https://kubernetes.default.svc',
          `--service-account-key-file=${f('sa.pub')}`,
          `--service-account-signing-key-file=${f('sa.key')}`,
          '--service-cluster-ip-range=10.0.0.0/24',
          // The apiserver refuses loopback endpoints for its own Service.
          '--endpoint-reconciler-type=none',
          `--requestheader-client-ca-file=${f('front-proxy-ca.crt')}`,
          '--requestheader-allowed-names=front-proxy-client',
          '--requestheader-username-headers=X-Remote-User',
          '--requestheader-group-headers=X-Remote-Group',
          '--requestheader-extra-headers-prefix=X-Remote-Extra-',
          `--proxy-client-cert-file=${f('front-proxy-client.crt')}`,
          `--proxy-client-key-file=${f('front-proxy-client.key')}`,
          '--enable-priority-and-fairness=false',
          '--profiling=false',
          '--v=1',
        ],
        apiLog,
      ),
    );
    const ca = readFileSync(f('ca.crt'), 'utf8');
    const laneFetch = caFetch(ca);
    const get = (path: string) => laneFetch(`${url}${path}`, { headers: { authorization: `Bearer ${ids.admin.token}` } });
    await waitFor('kube-apiserver /readyz', async () => (await get('/readyz')).status === 200, procs, 60_000, [apiLog]);

    await opts.prepare?.({ url, fetch: laneFetch, adminToken: ids.admin.token });

    // kubeconfig (admin) for kubectl and the controller manager.
    const kubeconfig = f('kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'lane', cluster: { server: url, 'certificate-authority': f('ca.crt') } }],
        users: [{ name: 'admin', user: { token: ids.admin.token } }],
        contexts: [{ name: 'lane', context: { cluster: 'lane', user: 'admin' } }],
        'current-context': 'lane',
      }),
    );
    const kcmLog = f('kube-controller-manager.log');
    procs.push(
      launch(
        'kube-controller-manager',
        bin('kube-controller-manager'),
        [
          `--kubeconfig=${kubeconfig}`,
          '--controllers=garbagecollector,namespace,clusterrole-aggregation,serviceaccount,serviceaccount-token,pvc-protection,pv-protection,resourcequota',
          '--leader-elect=false',
          '--secure-port=0',
          '--use-service-account-credentials=false',
          `--service-account-private-key-file=${f('sa.key')}`,
          `--root-ca-file=${f('ca.crt')}`,
          '--concurrent-gc-syncs=5',
          '--v=1',
        ],
        kcmLog,
      ),
    );
    // The aggregation controller fills `admin`/`edit`/`view` once it runs: a sign of a live manager.
    await waitFor(
      'kube-controller-manager (aggregated ClusterRole view)',
      async () => {
        const r = await get('/apis/rbac.authorization.k8s.io/v1/clusterroles/view');
        return r.ok && (((await r.json()) as { rules?: unknown[] | null }).rules?.length ?? 0) > 0;
      },
      procs,
      60_000,
      [kcmLog],
    );
    opts.log?.(`cluster ready at ${url} (logs in ${dir})`);
    return {
      url,
      ca,
      ids,
      adminToken: ids.admin.token,
      gatewayToken: ids.gateway.token,
      kubectl: bin('kubectl'),
      kubeconfig,
      dir,
      frontProxyCa: readFileSync(f('front-proxy-ca.crt'), 'utf8'),
      fetch: laneFetch,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
