// CDI's upload path: the `upload.cdi.kubevirt.io` UploadTokenRequest API (aggregated), the
// upload proxy Service `cdi-uploadproxy` in `cdi` and the per-PVC upload server behind it
// (CDI `pkg/apiserver`, `pkg/uploadproxy/uploadproxy.go`, `pkg/uploadserver`). The bytes go to
// the sandbox's blob store; the PVC then gets `cdi.kubevirt.io/storage.pod.phase: Succeeded`,
// which moves its DataVolume from UploadReady to Succeeded.

import { type KubeClient, NotFoundError, R } from '../../kube/index.ts';
import type { AggregatedApi, ServiceHandler } from '../types.ts';
import { blobsFor } from './blobs.ts';
import { POD_PHASE_ANNOTATION } from './datavolume.ts';
import type { DataVolume, Pvc } from './model.ts';

export const UPLOAD_GROUP = 'upload.cdi.kubevirt.io';
export const UPLOAD_PROXY = { namespace: 'cdi', name: 'cdi-uploadproxy' };
/** Set on the PVC by the sandbox's upload server: the number of bytes received. */
export const UPLOADED_BYTES_ANNOTATION = 'upload.sandbox.dicot.io/bytes';
const TOKEN_TTL_MS = 5 * 60_000; // pkg/apiserver/apiserver.go: tokens are valid for 5 minutes

interface UploadToken {
  namespace: string;
  pvcName: string;
  expires: number;
}

const status = (code: number, reason: string, message: string) =>
  Response.json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }, { status: code });
const text = (code: number, body: string) => new Response(body, { status: code, headers: { 'content-type': 'text/plain; charset=utf-8' } });

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const tokens = new WeakMap<KubeClient, Map<string, UploadToken>>();
const tokensFor = (client: KubeClient) => {
  let t = tokens.get(client);
  if (!t) {
    t = new Map();
    tokens.set(client, t);
  }
  return t;
};

/** `POST /apis/upload.cdi.kubevirt.io/v1beta1/namespaces/{ns}/uploadtokenrequests` (create-only). */
export function uploadTokenApi(opts: { client: KubeClient }, version: string): AggregatedApi {
  const issued = tokensFor(opts.client);
  return {
    group: UPLOAD_GROUP,
    version,
    resources: [{ name: 'uploadtokenrequests', singularName: 'uploadtokenrequest', namespaced: true, kind: 'UploadTokenRequest', verbs: ['create'] }],
    async handle(req, _caller, attrs) {
      if (attrs.resource !== 'uploadtokenrequests' || !attrs.namespace || attrs.name || attrs.subresource) return status(404, 'NotFound', 'the server could not find the requested resource');
      if (req.method !== 'POST') return status(405, 'MethodNotAllowed', `${req.method} is not supported on uploadtokenrequests`);
      let body: { metadata?: { name?: string }; spec?: { pvcName?: unknown } };
      try {
        body = JSON.parse(await req.text());
      } catch (e) {
        return status(400, 'BadRequest', `Can not unmarshal Request body to struct, error: ${(e as Error).message}`);
      }
      const pvcName = body.spec?.pvcName;
      if (typeof pvcName !== 'string' || !pvcName) return status(422, 'Invalid', 'UploadTokenRequest.upload.cdi.kubevirt.io is invalid: spec.pvcName: Required value');
      for (const [t, v] of issued) if (v.expires < Date.now()) issued.delete(t);
      const token = randomToken();
      issued.set(token, { namespace: attrs.namespace, pvcName, expires: Date.now() + TOKEN_TTL_MS });
      return Response.json(
        {
          apiVersion: `${UPLOAD_GROUP}/${version}`,
          kind: 'UploadTokenRequest',
          metadata: { name: body.metadata?.name ?? '', namespace: attrs.namespace, creationTimestamp: null },
          spec: { pvcName },
          status: { token },
        },
        { status: 201 },
      );
    },
  };
}

const UPLOAD_PATHS = new Set(['/v1beta1/upload', '/v1beta1/upload-async', '/v1alpha1/upload', '/v1alpha1/upload-async']);

/** The upload proxy and the upload server behind it, for every PVC. */
export function uploadProxy(opts: { client: KubeClient }): ServiceHandler {
  const { client } = opts;
  const issued = tokensFor(client);
  const blobs = blobsFor(client);
  return async (req, path) => {
    const p = path.split('?')[0] as string;
    if (p === '/healthz') return text(200, 'OK');
    if (!UPLOAD_PATHS.has(p)) return text(404, '404 page not found');
    if (req.method !== 'POST' && req.method !== 'PUT') return text(405, 'method not allowed');
    const header = req.headers.get('authorization');
    if (!header) return text(400, 'missing Authorization header');
    const m = /^Bearer (.+)$/.exec(header);
    if (!m) return text(400, 'bad authorization header');
    const token = issued.get(m[1] as string);
    if (!token || token.expires < Date.now()) return text(401, 'invalid token');
    const { namespace, pvcName } = token;
    let pvc: Pvc;
    let dv: DataVolume | undefined;
    try {
      pvc = await client.get<Pvc>(R.pvcs, pvcName, { namespace });
      dv = await client.get<DataVolume>(R.dataVolumes, pvcName, { namespace }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
    } catch (e) {
      if (e instanceof NotFoundError) return text(400, `rejecting Upload Request for PVC ${pvcName} that doesn't exist`);
      throw e;
    }
    if (dv?.status?.phase !== 'UploadReady' || pvc.metadata.annotations?.[POD_PHASE_ANNOTATION] === 'Succeeded') {
      return text(503, `Upload Server not ready for PVC ${pvcName}`);
    }
    if (!req.body) return text(400, 'empty body');
    let size: number;
    try {
      size = (await blobs.put(namespace, pvcName, pvc.metadata.uid ?? '', req.body)).size;
    } catch (e) {
      // The client went away mid-stream: the upload server discards what it got.
      return text(500, `Saving stream failed: ${(e as Error).message ?? e}`);
    }
    await client.patch(
      R.pvcs,
      pvcName,
      { metadata: { annotations: { [POD_PHASE_ANNOTATION]: 'Succeeded', [UPLOADED_BYTES_ANNOTATION]: String(size) } } },
      { namespace, type: 'merge' },
    );
    return new Response(null, { status: 200 });
  };
}
