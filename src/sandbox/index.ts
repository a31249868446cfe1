// The embedded sandbox cluster: the Kubernetes API server plus KubeVirt/CDI behaviour, as one
// fetch handler. Cluster behaviour reaches the API server only through its HTTP API.

import { GATEWAY_ROLE, gatewayRules, gatewaySystemRules } from '../identity/rbac.ts';
import { createKubeClient } from '../kube/index.ts';
import { createApiServer, type FaultInjector } from './apiserver/index.ts';
import { createAggregatedApis, createServiceResolver, DEMO_TIMING, INSTANT_TIMING, seedCluster, startControllers } from './cluster/index.ts';
import type { Caller } from './types.ts';
import type { ConnectWebSocket } from '../platform.ts';
import { guestConsoleLogs, inProcessWebSocket } from './cluster/consoles.ts';

export type { FaultInjector, FaultMatch, FaultError } from './apiserver/index.ts';
export type { Caller } from './types.ts';
export { upgrades, type ConsoleServer } from './cluster/consoles.ts';

export interface SandboxOptions {
  timing?: 'instant' | 'demo';
  state?: { load(): Promise<string | null>; save(data: string): Promise<void> };
  tokens?: Record<string, Caller>;
  seed?: boolean;
}

export interface Sandbox {
  fetch(req: Request): Promise<Response>;
  /** Opens the VMI `vnc`/`console` websocket subresources in-process (absent on the real-cluster lane). */
  websocket?: ConnectWebSocket;
  adminToken: string;
  gatewayToken: string;
  addToken(token: string, caller: Caller): void;
  faults: FaultInjector;
  ready: Promise<void>;
  /** Resolves when the API server's own loops and the cluster controllers have no work queued. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The identity the cluster controllers act as (KubeVirt's and CDI's service accounts in a real cluster). */
const CONTROLLER_USER = 'system:serviceaccount:kubevirt:kubevirt-controller';
export const GATEWAY_USER = 'system:serviceaccount:dicot-system:dicot-gateway';

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The gateway's service account, bound to the same narrow roles a real cluster gets (deploy/kubernetes/rbac.yaml). */
export const GATEWAY_OBJECTS: [string, unknown][] = [
  [
    '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: GATEWAY_ROLE }, rules: gatewayRules() },
  ],
  ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dicot-system' } }],
  ['/api/v1/namespaces/dicot-system/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'dicot-gateway', namespace: 'dicot-system' } }],
  [
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'dicot-gateway' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: GATEWAY_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: 'dicot-gateway', namespace: 'dicot-system' }],
    },
  ],
  [
    '/apis/rbac.authorization.k8s.io/v1/namespaces/dicot-system/roles',
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: GATEWAY_ROLE, namespace: 'dicot-system' }, rules: gatewaySystemRules() },
  ],
  [
    '/apis/rbac.authorization.k8s.io/v1/namespaces/dicot-system/rolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'dicot-gateway', namespace: 'dicot-system' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: GATEWAY_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: 'dicot-gateway', namespace: 'dicot-system' }],
    },
  ],
];

export const SANDBOX_SERVER = 'http://sandbox.invalid';

export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const server = createApiServer(opts.state ? { state: opts.state } : {});
  const adminToken = randomToken();
  const gatewayToken = randomToken();
  server.addToken(adminToken, { user: 'sandbox-admin', groups: ['system:masters'] });
  server.addToken(gatewayToken, { user: GATEWAY_USER, groups: ['system:serviceaccounts', 'system:serviceaccounts:dicot-system'] });
  for (const [token, caller] of Object.entries(opts.tokens ?? {})) server.addToken(token, caller);
  const controllerToken = randomToken();
  server.addToken(controllerToken, { user: CONTROLLER_USER, groups: ['system:masters', 'system:serviceaccounts'] });

  // The cluster behaviour reaches the API server through the Kubernetes API, in-process.
  const timing = opts.timing === 'demo' ? DEMO_TIMING : INSTANT_TIMING;
  const client = createKubeClient({
    server: SANDBOX_SERVER,
    fetch: ((input: string | URL | Request, init?: RequestInit) => server.fetch(new Request(input, init))) as typeof fetch,
    token: controllerToken,
  });
  for (const api of createAggregatedApis({ client, timing })) server.addAggregatedApi(api);
  server.addServiceResolver(createServiceResolver({ client }));
  server.addPodLogSource(guestConsoleLogs(client));
  const abort = new AbortController();
  let controllers: ReturnType<typeof startControllers> | undefined;

  const admin = (path: string, body: unknown) =>
    server.fetch(
      new Request(SANDBOX_SERVER + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );

  const started = server.start();
  const ready = (async () => {
    await started;
    for (const [path, body] of GATEWAY_OBJECTS) {
      const res = await admin(path, body);
      if (!res.ok && res.status !== 409) throw new Error(`sandbox bootstrap ${path}: ${res.status} ${await res.text()}`);
    }
    await server.idle();
    if (opts.seed !== false) await seedCluster(client);
    controllers = startControllers({ client, timing, signal: abort.signal });
    await controllers.idle();
    await server.idle();
  })();
  // Keep an unobserved failure from crashing the process; callers see it through `ready`.
  ready.catch(() => {});

  const serve = async (req: Request) => {
    await started;
    return server.fetch(req);
  };
  return {
    fetch: serve,
    websocket: inProcessWebSocket(serve),
    adminToken,
    gatewayToken,
    addToken: (token, caller) => server.addToken(token, caller),
    faults: server.faults,
    ready,
    async idle() {
      await ready;
      // Controllers and the API server's loops feed each other: settle until both are quiet.
      for (let i = 0; i < 50; i++) {
        await server.idle();
        await controllers?.idle();
        await server.idle();
        if (!server.busy()) return;
      }
    },
    async close() {
      await ready.catch(() => {});
      abort.abort();
      await controllers?.stop();
      await server.close();
    },
  };
}
