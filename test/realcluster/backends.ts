// The lane's stand-ins for the pods behind CDI's upload proxy and KubeVirt's export servers.
// On a real cluster those are pods on the pod network; here one HTTPS server on the machine's
// own (non-loopback) address plays every one of them:
// - the upload proxy, reached directly as CDIConfig's upload proxy URL (what an operator sets
//   with `uploadProxyURLOverride` when the gateway is outside the cluster network), with a
//   certificate from the cluster CA so the gateway's CA-trusting fetch accepts it;
// - each export Service, reached through the apiserver's service proxy: the lane gives every
//   Ready VirtualMachineExport what virt-controller would (a Service, an exporter Pod whose IP
//   is this address, Endpoints naming that Pod), and dispatches by the `X-Forwarded-Uri` the
//   apiserver's proxy adds.

import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { AlreadyExistsError, type KubeClient, type KubeObject, R } from '../../src/kube/index.ts';
import type { Controller, Engine } from '../../src/sandbox/cluster/index.ts';
import { EXPORT_SERVICE_PREFIX } from '../../src/sandbox/cluster/export.ts';
import type { ServiceResolver } from '../../src/sandbox/types.ts';

const run = promisify(execFile);

/** The first non-internal IPv4 address (the apiserver refuses loopback endpoints). */
export function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** A serving certificate for `ip` signed by the lane's cluster CA (files in `dir`). */
async function caSigned(dir: string, ip: string): Promise<{ key: string; cert: string }> {
  const f = (n: string) => join(dir, n);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=lane-backends', '-keyout', f('backends.key'), '-out', f('backends.csr')]);
  writeFileSync(f('backends.ext'), `subjectAltName=IP:${ip},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  await run('openssl', ['x509', '-req', '-in', f('backends.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '30', '-out', f('backends.crt'), '-extfile', f('backends.ext')]);
  return { key: readFileSync(f('backends.key'), 'utf8'), cert: readFileSync(f('backends.crt'), 'utf8') };
}

const PROXY_URI = /^\/api\/v1\/namespaces\/([^/]+)\/services\/(?:https?:)?([^/:]+)(?::[^/]*)?\/proxy(\/.*)?$/;

interface VmExport extends KubeObject {
  status?: { phase?: string; serviceName?: string };
}

export interface Backends {
  url: string;
  /** Gives every export its Service, exporter Pod and Endpoints. */
  controller: (engine: Engine) => Controller;
  close(): Promise<void>;
}

export async function startBackends(opts: { client: KubeClient; resolver: ServiceResolver; dir: string }): Promise<Backends | undefined> {
  const ip = hostAddress();
  if (!ip) return undefined;
  const { client, resolver } = opts;
  const tls = await caSigned(opts.dir, ip);
  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const forwarded = req.headers.get('x-forwarded-uri');
    const m = forwarded ? PROXY_URI.exec(forwarded) : null;
    const [namespace, name, path] = m ? [m[1] as string, m[2] as string, `${m[3] ?? '/'}${url.search}`] : ['cdi', 'cdi-uploadproxy', `${url.pathname}${url.search}`];
    const handler = resolver(namespace, name);
    return handler ? handler(req, path) : new Response('no such backend', { status: 503 });
  };
  const server = await new Promise<{ port: number; close(): Promise<void> }>((resolve, reject) => {
    const s = serve({ fetch: handle, hostname: ip, port: 0, createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } }, (info: AddressInfo) =>
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            s.close(() => done());
            if ('closeAllConnections' in s) s.closeAllConnections();
          }),
      }),
    );
    s.once('error', reject);
  });
  const url = `https://${ip}:${server.port}`;

  const ensure = async (type: typeof R.pods, obj: KubeObject) => {
    try {
      return await client.create(type, obj);
    } catch (e) {
      if (e instanceof AlreadyExistsError) return undefined;
      throw e;
    }
  };
  const done = new Set<string>();
  const give = async (ex: VmExport) => {
    const ns = ex.metadata.namespace as string;
    const name = ex.status?.serviceName ?? `${EXPORT_SERVICE_PREFIX}${ex.metadata.name}`;
    const owner = { apiVersion: 'export.kubevirt.io/v1beta1', kind: 'VirtualMachineExport', name: ex.metadata.name as string, uid: ex.metadata.uid as string };
    const meta = { name, namespace: ns, labels: { 'kubevirt.io': 'virt-exporter' }, ownerReferences: [owner] };
    const pod = await ensure(R.pods, { metadata: meta, spec: { nodeName: 'sandbox-node-1', containers: [{ name: 'exporter', image: 'quay.io/kubevirt/virt-exportserver' }] } } as KubeObject);
    if (pod) {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await client.patchStatus(
        R.pods,
        name,
        { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: ip, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
        { namespace: ns, type: 'merge' },
      );
    }
    await ensure(R.services, { metadata: meta, spec: { ports: [{ name: 'https', port: 443, targetPort: server.port, protocol: 'TCP' }] } } as KubeObject);
    await ensure(R.endpoints, {
      metadata: meta,
      subsets: [{ addresses: [{ ip, targetRef: { kind: 'Pod', name, namespace: ns } }], ports: [{ name: 'https', port: server.port, protocol: 'TCP' }] }],
    } as KubeObject);
  };
  // Runs before the sandbox's export controller for the same event, so an export is never
  // Ready before its Service has endpoints (virt-controller waits for the exporter pod).
  const controller = (engine: Engine): Controller => ({
    name: 'lane-exporter',
    type: R.virtualMachineExports,
    async reconcile(key) {
      const ex = engine.get<VmExport>(R.virtualMachineExports, key);
      if (!ex || ex.metadata.deletionTimestamp || done.has(ex.metadata.uid as string)) return;
      await give(ex);
      done.add(ex.metadata.uid as string);
    },
  });
  return { url, controller, close: () => server.close() };
}
