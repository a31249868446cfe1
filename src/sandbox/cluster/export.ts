// KubeVirt's VirtualMachineExport of a PVC (export.kubevirt.io/v1beta1): the controller makes
// the export Ready with its internal links, and the export server `virt-export-<name>` serves
// the volume's bytes to requests bearing the token (`x-kubevirt-export-token` header or
// query parameter; `pkg/storage/export/virt-exportserver/exportserver.go`).

import { type KubeClient, type KubeObject, NotFoundError, R } from '../../kube/index.ts';
import type { ServiceHandler } from '../types.ts';
import { blobStream, blobsFor } from './blobs.ts';
import type { Controller, Engine } from './engine.ts';
import type { Condition, Pvc } from './model.ts';
import { setCondition, same } from './util.ts';

export const EXPORT_SERVICE_PREFIX = 'virt-export-';

interface VmExport extends KubeObject {
  spec?: { source?: { apiGroup?: string; kind?: string; name?: string }; tokenSecretRef?: string; ttlDuration?: string };
  status?: { phase?: string; conditions?: Condition[]; links?: unknown; tokenSecretRef?: string; serviceName?: string };
}
interface Secret extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function exportController(engine: Engine): Controller {
  return {
    name: 'vmexport',
    type: R.virtualMachineExports,
    watches: [
      {
        type: R.pvcs,
        keys: (pvc) =>
          engine
            .list<VmExport>(R.virtualMachineExports, (e) => e.metadata.namespace === pvc.metadata.namespace && e.spec?.source?.name === pvc.metadata.name)
            .map(keyOf),
      },
    ],
    async reconcile(key) {
      const ex = engine.get<VmExport>(R.virtualMachineExports, key);
      if (!ex || ex.metadata.deletionTimestamp) return;
      const ns = ex.metadata.namespace as string;
      const name = ex.metadata.name as string;
      const src = ex.spec?.source;
      let phase: string;
      let ready: Condition;
      let links: unknown;
      const service = `${EXPORT_SERVICE_PREFIX}${name}`;
      if (src?.kind !== 'PersistentVolumeClaim' || !src.name) {
        phase = 'Skipped';
        ready = { type: 'Ready', status: 'False', reason: 'NotImplemented', message: 'the sandbox exports PersistentVolumeClaims only' };
      } else {
        const pvc = engine.get<Pvc>(R.pvcs, `${ns}/${src.name}`);
        if (pvc?.status?.phase !== 'Bound') {
          phase = 'Pending';
          ready = { type: 'Ready', status: 'False', reason: 'PVCPending', message: pvc ? 'pvc is not bound' : `pvc ${src.name} not found` };
        } else {
          phase = 'Ready';
          ready = { type: 'Ready', status: 'True', reason: 'PodReady' };
          const base = `https://${service}.${ns}.svc/volumes/${src.name}`;
          links = {
            internal: {
              cert: '',
              volumes: [{ name: src.name, formats: [{ format: 'raw', url: `${base}/disk.img` }, { format: 'gzip', url: `${base}/disk.img.gz` }] }],
            },
          };
        }
      }
      const status = {
        phase,
        serviceName: service,
        tokenSecretRef: ex.spec?.tokenSecretRef ?? `export-token-${name}`,
        ...(links ? { links } : {}),
        conditions: setCondition(ex.status?.conditions, ready),
      };
      const cur = ex.status ?? {};
      if (cur.phase === status.phase && same(cur.links, links) && cur.tokenSecretRef === status.tokenSecretRef) return;
      engine.track(R.virtualMachineExports, await engine.client.patchStatus<VmExport>(R.virtualMachineExports, name, { status }, { namespace: ns, type: 'merge' }));
    },
  };
}

const text = (code: number, body: string) => new Response(body, { status: code, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** The export server behind Service `virt-export-<export name>` in `namespace`. */
export function exportServer(opts: { client: KubeClient }, namespace: string, exportName: string): ServiceHandler {
  const { client } = opts;
  const blobs = blobsFor(client);
  return async (req, path) => {
    const url = new URL(path, 'http://x');
    const m = /^\/volumes\/([^/]+)\/(disk\.img|disk\.img\.gz)$/.exec(url.pathname);
    if (!m) return text(404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed');
    let ex: VmExport;
    try {
      ex = await client.get<VmExport>(R.virtualMachineExports, exportName, { namespace });
    } catch (e) {
      if (e instanceof NotFoundError) return text(503, 'no endpoints');
      throw e;
    }
    if (ex.status?.phase !== 'Ready') return text(503, 'export not ready');
    const secretName = ex.status.tokenSecretRef ?? ex.spec?.tokenSecretRef;
    const secret = secretName ? await client.get<Secret>(R.secrets, secretName, { namespace }).catch(() => undefined) : undefined;
    const want = secret?.data?.token ? atob(secret.data.token) : secret?.stringData?.token;
    const given = req.headers.get('x-kubevirt-export-token') ?? url.searchParams.get('x-kubevirt-export-token');
    if (!want || given !== want) return text(401, 'Unauthorized');
    const volume = decodeURIComponent(m[1] as string);
    if (volume !== ex.spec?.source?.name) return text(404, 'not found');
    const pvc = await client.get<Pvc>(R.pvcs, volume, { namespace }).catch(() => undefined);
    if (!pvc) return text(404, 'not found');
    const blob = blobs.get(namespace, volume, pvc.metadata.uid ?? '');
    const gzip = m[2] === 'disk.img.gz';
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (!gzip && blob) headers['content-length'] = String(blob.size);
    if (req.method === 'HEAD') return new Response(null, { status: 200, headers });
    const body = gzip ? blobStream(blob).pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : blobStream(blob);
    return new Response(body, { status: 200, headers });
  };
}
