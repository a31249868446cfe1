import { createGateway } from '../../src/app.ts';
import { type Config, parseConfig } from '../../src/config/index.ts';
import type { Gateway } from '../../src/core/context.ts';
import { createMetrics } from '../../src/core/metrics.ts';
import { bootstrap } from '../../src/identity/bootstrap.ts';
import type { IdentityOptions } from '../../src/identity/options.ts';
import { type KubeClient, createKubeClient } from '../../src/kube/index.ts';
import type { KubeConnection } from '../../src/platform.ts';
import { type Sandbox, createSandbox } from '../../src/sandbox/index.ts';

// A gateway over fresh in-process sandboxes (one per region), with a bootstrapped Keystone
// admin. Password hashing uses a tiny scrypt cost so tests stay fast.

export const TEST_SCRYPT = { N: 16, r: 1, p: 1 };
export const ADMIN = { name: 'admin', password: 'admin-secret', project: 'admin' };

export interface TestGateway {
  app: ReturnType<typeof createGateway>;
  config: Config;
  sandbox: Sandbox;
  sandboxes: Record<string, Sandbox>;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A project-scoped Keystone token of the bootstrap admin (cached). */
  adminToken(): Promise<string>;
  /** A token for `user` (of `domain`, default `default`), scoped to `project` of the same domain. */
  login(user: string, password: string, project?: string, domain?: string): Promise<string>;
  /** A cluster-admin client of the identity region's cluster, to look at what the gateway wrote. */
  adminKube: KubeClient;
  /** Moves the gateway's clock (token expiry, lockout). */
  advance(ms: number): void;
  /** The gateway's clock. */
  now(): number;
  /** The Gateway object the app runs on (regions, clients), for tests that reach below HTTP. */
  gateway(): Promise<Gateway>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  regions?: string[];
  identity?: Partial<IdentityOptions>;
  tokens?: { lifetimeSeconds?: number };
  /** Keep process metrics (as the server runtimes do) and serve them at /metrics. */
  metrics?: boolean;
}

export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const names = opts.regions ?? ['RegionOne'];
  const sandboxes: Record<string, Sandbox> = {};
  let kube: Record<string, KubeConnection> = {};
  const identity = { scrypt: TEST_SCRYPT, ...opts.identity };
  let config: Config;
  if (process.env.DICOT_TEST_CLUSTER === 'real') {
    // The real-cluster lane: a kube-apiserver per region, configured as an operator would
    // (URL, CA, token) and reached through the Node platform's own fetch.
    const { startLane, laneAsSandbox } = await import('../realcluster/lane.ts');
    const { serverPlatform } = await import('../../platform/server.ts');
    const { nodeFetch } = await import('../../platform/node.ts');
    const started = await Promise.allSettled(names.map(() => startLane()));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      // Stop the clusters that did start: nothing outlives a failed setup.
      for (const r of started) if (r.status === 'fulfilled') await r.value.stop();
      throw failed.reason;
    }
    const lanes = started.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof startLane>>>).value);
    const regions = names.map((name, i) => {
      const lane = lanes[i] as Awaited<ReturnType<typeof startLane>>;
      sandboxes[name] = laneAsSandbox(lane);
      return { name, identity: i === 0, kubernetes: { server: lane.url, ca: lane.ca, token: lane.gatewayToken } };
    });
    config = parseConfig({ tokens: opts.tokens ?? {}, identity, regions });
    kube = (await serverPlatform(config, nodeFetch, undefined, () => {})).kube;
  } else {
    for (const name of names) {
      const sandbox = createSandbox({ timing: 'instant' });
      await sandbox.ready;
      sandboxes[name] = sandbox;
      kube[name] = {
        server: 'http://sandbox',
        fetch: ((i: string | URL | Request, init?: RequestInit) => sandbox.fetch(new Request(i, init))) as typeof fetch,
        token: () => sandbox.gatewayToken,
        ...(sandbox.websocket ? { websocket: sandbox.websocket } : {}),
      };
    }
    config = parseConfig(
      names.length === 1 && names[0] === 'RegionOne'
        ? { tokens: opts.tokens ?? {}, identity }
        : {
            tokens: opts.tokens ?? {},
            identity,
            regions: names.map((name, i) => ({ name, identity: i === 0, kubernetes: { server: 'http://sandbox', token: 'unused' } })),
          },
    );
  }
  let offset = 0;
  const app = createGateway(config, { kube, log: () => {}, now: () => Date.now() + offset, ...(opts.metrics ? { metrics: createMetrics() } : {}) });
  // A test-only route (registered before the first request) hands out the Gateway object.
  let captured: Gateway | undefined;
  app.get('/__test/gateway', (c) => {
    captured = c.get('gateway');
    return c.body(null, 204);
  });

  const identitySandbox = sandboxes[names[0] as string] as Sandbox;
  const identityKube = kube[names[0] as string] as KubeConnection;
  const gatewayKube = createKubeClient({ server: identityKube.server, fetch: identityKube.fetch, token: () => identitySandbox.gatewayToken });
  await bootstrap(gatewayKube, [{ ...ADMIN, role: 'admin' }], { scrypt: TEST_SCRYPT });

  const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(`http://gw${path}`, init));
  const login = async (user: string, password: string, project?: string, domain = 'default') => {
    const res = await request('/identity/v3/auth/tokens?nocatalog', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, domain: { id: domain }, password } } },
          ...(project ? { scope: { project: { name: project, domain: { id: domain } } } } : {}),
        },
      }),
    });
    if (res.status !== 201) throw new Error(`login ${user}: ${res.status} ${await res.text()}`);
    return res.headers.get('x-subject-token') as string;
  };
  let admin: string | undefined;
  return {
    app,
    config,
    sandbox: identitySandbox,
    sandboxes,
    request,
    login,
    adminKube: createKubeClient({ server: identityKube.server, fetch: identityKube.fetch, token: () => identitySandbox.adminToken }),
    adminToken: async () => {
      admin ??= await login(ADMIN.name, ADMIN.password, ADMIN.project);
      return admin;
    },
    advance: (ms) => {
      offset += ms;
    },
    now: () => Date.now() + offset,
    gateway: async () => {
      if (!captured) await app.request('http://gw/__test/gateway');
      return captured as Gateway;
    },
    close: async () => {
      for (const s of Object.values(sandboxes)) await s.close();
    },
  };
}

/** Parsed JSON as tests read it (loosely: assertions check the shape). */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked by assertions, not types
export type Json = any;

/** JSON request helper: `call(gw, token, 'POST', '/identity/v3/users', {...})`. */
export async function call(
  gw: TestGateway,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await gw.request(path, {
    method,
    headers: {
      ...(token ? { 'x-auth-token': token } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
