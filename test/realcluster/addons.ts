// What a KubeVirt cluster adds to a bare control plane, installed on the lane's real
// kube-apiserver through its API only: the add-on CRDs (and Dicot's own from deploy/crds),
// virt-operator's and cdi-operator's ClusterRoles, Dicot's gateway service account, the
// sandbox's seed objects, the sandbox's KubeVirt/CDI controllers (an Engine with its own
// client, as kwok simulates nodes) and subresources.kubevirt.io / upload.cdi.kubevirt.io
// served as aggregated APIs (APIService → ExternalName Service `localhost` → HTTPS here).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { parseAllDocuments } from 'yaml';
import { selfSignedTls } from '../../platform/sandbox-http.ts';
import { createKubeClient, type KubeClient, R } from '../../src/kube/index.ts';
import { bootstrapObjects } from '../../src/sandbox/apiserver/bootstrap.ts';
import { seedCrds } from '../../src/sandbox/apiserver/crds.ts';
import { parseRequest } from '../../src/kube/request-info.ts';
import { createAggregatedApis, createServiceResolver, INSTANT_TIMING, seedCluster, startControllers } from '../../src/sandbox/cluster/index.ts';
import { GATEWAY_OBJECTS } from '../../src/sandbox/index.ts';
import type { AggregatedApi } from '../../src/sandbox/types.ts';
import { startBackends } from './backends.ts';
import type { RealCluster } from './cluster.ts';

const REPO = join(import.meta.dirname, '..', '..');

type Obj = Record<string, unknown> & { metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

/** POST as the lane's admin; an existing object is left alone. */
async function apply(c: Pick<RealCluster, 'url' | 'fetch' | 'adminToken'>, path: string, body: unknown): Promise<void> {
  const res = await c.fetch(`${c.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok && res.status !== 409) throw new Error(`install ${path}: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

/**
 * The add-on CRDs: the sandbox's table (what a KubeVirt + CDI + Multus + CSI snapshot cluster
 * has) with the structural schemas of crds/schemas.json (gen-schemas.ts) where one exists, so
 * the apiserver prunes and validates as KubeVirt's and CDI's own CRDs make it; and deploy/crds/*.yaml.
 */
export function addonCrds(): Obj[] {
  const schemas = JSON.parse(readFileSync(join(import.meta.dirname, 'crds', 'schemas.json'), 'utf8')) as Record<string, unknown>;
  const crds = (seedCrds() as Obj[]).map((crd) => {
    const schema = schemas[crd.metadata.name];
    if (!schema) return crd;
    const spec = crd.spec as { versions: Record<string, unknown>[] };
    return { ...crd, spec: { ...spec, versions: spec.versions.map((v) => ({ ...v, schema: { openAPIV3Schema: schema } })) } };
  });
  const dir = join(REPO, 'deploy', 'crds');
  if (existsSync(dir)) {
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const o = doc.toJS() as Obj | null;
        if (o?.kind === 'CustomResourceDefinition') crds.push(o);
      }
    }
  }
  return crds;
}

/** virt-operator's and cdi-operator's ClusterRoles (aggregating into admin/edit/view) and bindings. */
function operatorRbac(): Obj[] {
  return bootstrapObjects()
    .map(([, , , o]) => o as Obj)
    .filter((o) => /^(kubevirt\.io|cdi\.kubevirt\.io):/.test(o.metadata.name))
    .map((o) => {
      // The sandbox marks its whole policy as bootstrap defaults; the operators do not.
      const { 'kubernetes.io/bootstrapping': _, ...labels } = o.metadata.labels ?? {};
      return { ...o, metadata: { ...o.metadata, labels } };
    });
}

export interface Addons {
  /** Resolves when the controllers have no work queued (after a short settle for watch latency). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The aggregated APIs over HTTPS: callers arrive from the apiserver's front proxy as X-Remote-User/Group. */
async function serveAggregated(apis: AggregatedApi[], frontProxyCa: string) {
  const tls = await selfSignedTls();
  const discovery = (group: string, version: string) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${group}/${version}`,
    resources: apis.filter((a) => a.group === group && a.version === version).flatMap((a) => a.resources),
  });
  const fetchHandler = async (req: Request, env: { incoming: IncomingMessage }) => {
    const socket = env.incoming.socket as TLSSocket;
    // Only the apiserver's front proxy (its client certificate) may speak for users.
    if (!socket.authorized || socket.getPeerCertificate()?.subject?.CN !== 'front-proxy-client') {
      return Response.json({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' }, { status: 401 });
    }
    const url = new URL(req.url);
    const segs = url.pathname.split('/').filter(Boolean);
    if (segs[0] === 'apis' && segs.length === 3) {
      const [, group, version] = segs as [string, string, string];
      if (apis.some((a) => a.group === group && a.version === version)) return Response.json(discovery(group, version));
    }
    const parsed = parseRequest(req.method, url);
    if (!parsed.isResourceRequest) return new Response('404 page not found', { status: 404 });
    const api = apis.find((a) => a.group === parsed.apiGroup && a.version === parsed.apiVersion);
    if (!api) return new Response('404 page not found', { status: 404 });
    const user = req.headers.get('x-remote-user') ?? 'system:anonymous';
    const groups = (req.headers.get('x-remote-group') ?? '').split(', ').filter(Boolean);
    return api.handle(req, { user, groups }, parsed);
  };
  return new Promise<{ port: number; close(): Promise<void> }>((resolve, reject) => {
    const server = serve(
      {
        fetch: fetchHandler as unknown as (req: Request) => Promise<Response>,
        hostname: '127.0.0.1',
        port: 0,
        createServer: createHttpsServer,
        serverOptions: { key: tls.key, cert: tls.cert, ca: frontProxyCa, requestCert: true, rejectUnauthorized: false },
      },
      (info: AddressInfo) =>
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        }),
    );
    server.once('error', reject);
  });
}

/** Creates the add-on CRDs and waits until each is served. */
export async function installCrds(c: Pick<RealCluster, 'url' | 'fetch' | 'adminToken'>): Promise<void> {
  const crds = addonCrds();
  await Promise.all(crds.map((crd) => apply(c, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)));
  for (const crd of crds) {
    const spec = crd.spec as { group: string; versions: { name: string }[]; names: { plural: string } };
    const path = `${c.url}/apis/${spec.group}/${spec.versions[0]?.name}/${spec.names.plural}?limit=1`;
    for (let i = 0; ; i++) {
      const r = await c.fetch(path, { headers: { authorization: `Bearer ${c.adminToken}` } });
      await r.body?.cancel();
      if (r.ok) break;
      if (i > 300) throw new Error(`CRD ${crd.metadata.name} not served: ${r.status}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

/** Installs the rest of the add-ons on `c` (after installCrds) and starts the simulated KubeVirt/CDI behind them. */
export async function installAddons(c: RealCluster): Promise<Addons> {
  for (const o of operatorRbac()) {
    await apply(c, `/apis/rbac.authorization.k8s.io/v1/${o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`, o);
  }
  for (const [path, body] of GATEWAY_OBJECTS) await apply(c, path, body);
  const client: KubeClient = createKubeClient({ server: c.url, fetch: c.fetch, token: c.ids.controller.token });
  await seedCluster(client);

  const apis = createAggregatedApis({ client, timing: INSTANT_TIMING });
  const agg = await serveAggregated(apis, c.frontProxyCa);
  const services = [
    { namespace: 'kubevirt', name: 'virt-api', groups: ['subresources.kubevirt.io'] },
    { namespace: 'cdi', name: 'cdi-api', groups: ['upload.cdi.kubevirt.io'] },
  ];
  for (const s of services) {
    await apply(c, `/api/v1/namespaces/${s.namespace}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port: agg.port, protocol: 'TCP' }] },
    });
  }
  for (const api of apis) {
    const s = services.find((x) => x.groups.includes(api.group));
    if (!s) continue;
    await apply(c, '/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `${api.version}.${api.group}` },
      spec: {
        group: api.group,
        version: api.version,
        service: { namespace: s.namespace, name: s.name, port: agg.port },
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 1000,
        versionPriority: api.version === 'v1' || api.version === 'v1beta1' ? 15 : 10,
      },
    });
  }
  // Available once the aggregator has reached us.
  for (const api of apis) {
    for (let i = 0; ; i++) {
      const r = await c.fetch(`${c.url}/apis/apiregistration.k8s.io/v1/apiservices/${api.version}.${api.group}`, { headers: { authorization: `Bearer ${c.adminToken}` } });
      const body = (await r.json()) as { status?: { conditions?: { type: string; status: string; message?: string }[] } };
      const cond = body.status?.conditions?.find((x) => x.type === 'Available');
      if (cond?.status === 'True') break;
      if (i > 300) throw new Error(`APIService ${api.version}.${api.group} not available: ${cond?.message}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  // CDI's upload proxy and KubeVirt's export servers (see backends.ts).
  const backends = await startBackends({ client, resolver: createServiceResolver({ client }), dir: c.dir });
  if (backends) {
    const url = backends.url;
    await client.patch(R.cdiConfigs, 'config', { spec: { uploadProxyURLOverride: url }, status: { uploadProxyURL: url } }, { type: 'merge' });
  }

  const abort = new AbortController();
  const controllers = startControllers({ client, timing: INSTANT_TIMING, signal: abort.signal, first: backends ? [backends.controller] : [] });
  await controllers.idle();
  return {
    async idle() {
      // Watch events reach the controllers a moment after a write: settle until quiet twice.
      for (let quiet = 0; quiet < 2; ) {
        await controllers.idle();
        await new Promise((r) => setTimeout(r, 60));
        quiet++;
      }
      await controllers.idle();
    },
    async stop() {
      abort.abort();
      await controllers.stop();
      await backends?.close();
      await agg.close();
    },
  };
}
