import { ApiFault, badRequest, conflict, forbidden } from '../core/faults.ts';
import { sha256Hex } from '../core/names.ts';
import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { type Digests, hashingStream } from './hash/index.ts';
import { type DataVolume, IL, type ImageRecord, type ImageStatus } from './model.ts';
import { type ImageContext, imageNotFound, ownedByImage, saveImage, waitFor, writerFor } from './service.ts';

// Image data: uploads stream into a DataVolume through CDI's upload flow (UploadReady →
// upload token → the upload proxy), hashed on the way; downloads stream back from a
// VirtualMachineExport of the PVC, through the API server's service proxy.

const GiB = 1024 ** 3;
/** Size asked for when nothing tells it (no Content-Length, not qcow2): CDI needs one up front. */
export const DEFAULT_VOLUME_BYTES = 10 * GiB;
const READY_TIMEOUT_MS = 5 * 60_000;

interface CdiConfig {
  status?: { uploadProxyURL?: string };
}

/** The first bytes of a stream (at least `n` when the stream has them), and the whole stream again. */
async function peek(body: ReadableStream<Uint8Array>, n: number): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const seen: Uint8Array[] = [];
  let got = 0;
  let done = false;
  while (got < n) {
    const r = await reader.read();
    if (r.done) {
      done = true;
      break;
    }
    seen.push(r.value);
    got += r.value.length;
  }
  const head = new Uint8Array(got);
  let off = 0;
  for (const c of seen) {
    head.set(c, off);
    off += c.length;
  }
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.length) controller.enqueue(head);
      if (done) controller.close();
    },
    async pull(controller) {
      const r = await reader.read();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, stream };
}

/** qcow2's virtual size (header offset 24, big-endian u64), when the bytes are qcow2. */
export function qcow2VirtualSize(head: Uint8Array): number | undefined {
  if (head.length < 32 || head[0] !== 0x51 || head[1] !== 0x46 || head[2] !== 0x49 || head[3] !== 0xfb) return undefined;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return v.getUint32(24) * 2 ** 32 + v.getUint32(28);
}

/** The volume size to request: enough for the data, at least min_disk, in whole GiB. */
export function volumeBytes(dataBytes: number | undefined, minDiskGiB: number): number {
  const want = Math.max(dataBytes ?? DEFAULT_VOLUME_BYTES, minDiskGiB * GiB, 1);
  return Math.ceil(want / GiB) * GiB;
}

const gi = (bytes: number) => `${Math.ceil(bytes / GiB)}Gi`;

async function createDataVolume(client: KubeClient, r: ImageRecord, source: Record<string, unknown>, bytes: number): Promise<DataVolume> {
  return client.create<DataVolume>(R.dataVolumes, {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: {
      generateName: `${r.object}-`,
      namespace: r.namespace,
      labels: { [IL.managedBy]: 'dicot', [IL.kind]: 'image', [IL.imageId]: r.id },
      // Binds at once on WaitForFirstConsumer storage: the image has no consumer yet.
      annotations: { 'cdi.kubevirt.io/storage.bind.immediate.requested': 'true' },
      ownerReferences: ownedByImage(r),
    },
    spec: { source, contentType: 'kubevirt', storage: { resources: { requests: { storage: gi(bytes) } } } },
  } as DataVolume);
}

async function deleteQuietly(client: KubeClient, namespace: string, name: string): Promise<void> {
  await client.delete(R.dataVolumes, name, { namespace, propagationPolicy: 'Background' }).catch(() => {});
}

const failedMessage = (dv: DataVolume) => dv.status?.conditions?.find((c) => c.status === 'False' && c.message)?.message ?? 'the data volume failed';

export interface UploadOptions {
  /** `saving` for PUT /file (→ active), `uploading` for PUT /stage (stays uploading until import). */
  mode: 'file' | 'stage';
  contentLength: number | undefined;
  signal?: AbortSignal;
}

/**
 * Streams `body` into a new DataVolume of the image. Status: queued → saving → active
 * (or queued → uploading for a stage); on any failure the data volume is removed and the
 * image is queued again, never half-active.
 */
export async function uploadImage(ctx: ImageContext, r: ImageRecord, body: ReadableStream<Uint8Array>, opts: UploadOptions): Promise<ImageRecord> {
  const client = writerFor(ctx, r, 'upload data to');
  const busy: ImageStatus = opts.mode === 'file' ? 'saving' : 'uploading';
  if (r.status === 'deactivated') throw forbidden('Not allowed to upload image data for an image in status deactivated.');
  if (r.status !== 'queued') throw conflict(`Image status transition from ${r.status} to ${busy} is not allowed`);
  if (opts.mode === 'file' && (!r.diskFormat || !r.containerFormat)) throw badRequest('Properties disk_format, container_format must be set prior to saving data.');
  if (r.containerFormat === 'docker') throw badRequest('Images with container_format docker take their data from a registry: import them with web-download and a docker:// URI.');

  let current = await saveImage(ctx, client, r, { status: busy, import: undefined });
  let dv: DataVolume | undefined;
  try {
    const { head, stream } = await peek(body, 512);
    const qcowSize = r.diskFormat === 'qcow2' || r.diskFormat === null ? qcow2VirtualSize(head) : undefined;
    dv = await createDataVolume(client, current, { upload: {} }, volumeBytes(qcowSize ?? opts.contentLength, r.minDisk));
    const dvName = dv.metadata.name as string;
    const ready = await waitFor(
      () => ctx.gw.get<DataVolume>(R.dataVolumes, dvName, { namespace: r.namespace }),
      (x) => x.status?.phase === 'UploadReady' || x.status?.phase === 'Failed',
      READY_TIMEOUT_MS,
      `data volume ${dvName} to be ready for upload`,
      opts.signal,
    );
    if (ready.status?.phase === 'Failed') throw new ApiFault(503, `The image store failed: ${failedMessage(ready)}`);
    const token = await client.create<{ metadata: object; status?: { token?: string } }>(
      R.uploadTokenRequests,
      { apiVersion: 'upload.cdi.kubevirt.io/v1beta1', kind: 'UploadTokenRequest', metadata: { name: dvName, namespace: r.namespace }, spec: { pvcName: dvName } } as never,
      { namespace: r.namespace },
    );
    if (!token.status?.token) throw new ApiFault(503, 'The image store issued no upload token.');
    const digests = await sendToUploadProxy(ctx, stream, token.status.token, opts.signal);
    current = await saveImage(ctx, client, current, {
      status: opts.mode === 'file' ? 'active' : 'uploading',
      size: digests.size,
      virtualSize: qcowSize ?? (r.diskFormat === 'qcow2' ? null : digests.size),
      checksum: digests.md5,
      hashAlgo: 'sha512',
      hashValue: digests.sha512,
      volume: { namespace: r.namespace, name: dvName },
    });
    return current;
  } catch (e) {
    if (dv?.metadata.name) await deleteQuietly(client, r.namespace, dv.metadata.name);
    await saveImage(ctx, client, current, { status: 'queued' }, { conditional: false }).catch(() => {});
    if (e instanceof ApiFault) throw e;
    if (e instanceof NotFoundError) throw imageNotFound(r.id);
    if (opts.signal?.aborted) throw new ApiFault(400, 'The upload was interrupted; the image is queued again.');
    throw e;
  }
}

/** POST to CDI's upload proxy (CDIConfig status.uploadProxyURL) on the cluster network. */
async function sendToUploadProxy(ctx: ImageContext, body: ReadableStream<Uint8Array>, token: string, signal?: AbortSignal): Promise<Digests> {
  const cfg = await ctx.gw.get<CdiConfig>(R.cdiConfigs, 'config');
  const base = cfg.status?.uploadProxyURL;
  if (!base) throw new ApiFault(503, 'The image store has no upload proxy (CDIConfig status.uploadProxyURL is empty).');
  const url = `${/^https?:\/\//.test(base) ? base : `https://${base}`}`.replace(/\/+$/, '');
  const { stream, result } = hashingStream();
  const res = await ctx.clusterFetch(`${url}/v1beta1/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: body.pipeThrough(stream),
    duplex: 'half',
    signal,
  } as RequestInit);
  if (!res.ok) {
    const why = (await res.text().catch(() => '')).trim();
    throw new ApiFault(res.status === 503 ? 503 : 502, `The image store refused the data (${res.status}${why ? `: ${why}` : ''}).`);
  }
  await res.body?.cancel();
  return result;
}

// ---- downloads ----

interface VmExport {
  metadata: { name?: string; namespace?: string };
  spec?: { source?: { name?: string }; tokenSecretRef?: string };
  status?: { phase?: string; links?: { internal?: { volumes?: { name: string; formats: { format: string; url: string }[] }[] } } };
}

const exportName = (r: ImageRecord) => `img-${r.id.replace(/-/g, '')}`;

/** `https://svc.ns.svc/path` → the API server's service-proxy path for it. */
export function serviceProxyPath(internalUrl: string): string {
  const u = new URL(internalUrl);
  const [svc, ns] = u.hostname.split('.');
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `/api/v1/namespaces/${ns}/services/${u.protocol.replace(':', '')}:${svc}:${port}/proxy${u.pathname}`;
}

/** A Ready VirtualMachineExport of the image's PVC, and its token (created when missing). */
async function exportOf(ctx: ImageContext, r: ImageRecord, volume: { namespace: string; name: string }): Promise<{ url: string; token: string }> {
  const base = exportName(r);
  const ns = volume.namespace;
  const token = await ctx.exportToken(`${ns}/${base}`);
  // The token is derived, never read back; the export and its Secret are named after it, so a
  // new key (or an older Dicot's random token) gives a new export beside the old one instead of
  // reusing a name whose deletion (and its exporter's) may still be in flight.
  // The volume is in the name too: an export of another PVC is never taken for this one's.
  const name = `${base}-${await sha256Hex(`${token}/${volume.name}`, 4)}`;
  const ex = await ctx.gw.get<VmExport>(R.virtualMachineExports, name, { namespace: ns }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
  if (!ex) {
    const meta = { namespace: ns, ownerReferences: ownedByImage(r), labels: { [IL.managedBy]: 'dicot', [IL.imageId]: r.id } };
    await ctx.gw
      .create(R.secrets, { metadata: { name: `${name}-token`, ...meta }, stringData: { token } } as never)
      .catch((e: unknown) => (e instanceof AlreadyExistsError ? undefined : Promise.reject(e)));
    await ctx.gw
      .create(R.virtualMachineExports, {
        apiVersion: 'export.kubevirt.io/v1beta1',
        kind: 'VirtualMachineExport',
        metadata: { name, ...meta },
        spec: { source: { apiGroup: '', kind: 'PersistentVolumeClaim', name: volume.name }, tokenSecretRef: `${name}-token` },
      } as never)
      .catch((e: unknown) => (e instanceof AlreadyExistsError ? undefined : Promise.reject(e)));
    await dropOtherExports(ctx, r, ns, name);
  }
  const ready = await waitFor(
    () => ctx.gw.get<VmExport>(R.virtualMachineExports, name, { namespace: ns }),
    (x) => x.status?.phase === 'Ready' || x.status?.phase === 'Skipped',
    READY_TIMEOUT_MS,
    `export ${name} to be ready`,
  );
  const link = ready.status?.links?.internal?.volumes?.find((v) => v.name === volume.name)?.formats.find((f) => f.format === 'raw');
  if (!link) throw new ApiFault(503, 'The image store cannot export this image.');
  return { url: link.url, token };
}

/** Exports of the image made with another token (and one by an older Dicot's fixed name) go. */
async function dropOtherExports(ctx: ImageContext, r: ImageRecord, ns: string, keep: string): Promise<void> {
  const mine = await ctx.gw.list<VmExport>(R.virtualMachineExports, { namespace: ns, labelSelector: `${IL.imageId}=${r.id}` }).catch(() => ({ items: [] as VmExport[] }));
  const names = new Set([exportName(r), ...mine.items.map((e) => e.metadata.name as string)]);
  names.delete(keep);
  await Promise.all([...names].map((n) => ctx.gw.delete(R.virtualMachineExports, n, { namespace: ns }).catch(() => {})));
}

/** The image data as a Response body (200 with Content-MD5), or 204 when there is none. */
export async function downloadImage(ctx: ImageContext, r: ImageRecord): Promise<Response> {
  if (r.status === 'deactivated' && !ctx.caller.isAdmin) throw forbidden('The requested image has been deactivated. Image data download is forbidden.');
  if (!r.volume || (r.status !== 'active' && r.status !== 'deactivated')) return new Response(null, { status: 204 });
  const { url, token } = await exportOf(ctx, r, r.volume);
  const res = await ctx.gw.request(serviceProxyPath(url), { method: 'GET', headers: { 'x-kubevirt-export-token': token, accept: '*/*' }, timeout: false });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new ApiFault(503, `The image store could not read the image data (${res.status}).`);
  }
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (r.checksum) headers['content-md5'] = r.checksum;
  if (r.size !== null) headers['content-length'] = String(r.size);
  return new Response(res.body, { status: 200, headers });
}

// ---- interoperable import ----

/** `web-download`: an http(s) URI becomes a CDI http import; `docker://` a container disk. */
export async function webDownload(ctx: ImageContext, r: ImageRecord, uri: string): Promise<ImageRecord> {
  const client = writerFor(ctx, r, 'import data to');
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw badRequest(`URI for web-download is not valid: ${uri}`);
  }
  if (r.status !== 'queued') throw conflict(`Image status transition from ${r.status} to importing is not allowed`);
  if (u.protocol === 'docker:') {
    if (r.containerFormat !== 'docker') throw badRequest('A docker:// URI needs container_format docker.');
    return saveImage(ctx, client, r, { status: 'active', registryUrl: uri, import: { method: 'web-download', uri } });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest(`URI for web-download does not pass filtering: ${uri}`);
  if (r.containerFormat === 'docker') throw badRequest('Images with container_format docker import from a docker:// URI.');
  const importing = await saveImage(ctx, client, r, { status: 'importing', import: { method: 'web-download', uri } });
  let dv: DataVolume | undefined;
  try {
    dv = await createDataVolume(client, importing, { http: { url: uri } }, volumeBytes(undefined, r.minDisk));
    return await saveImage(ctx, client, importing, { volume: { namespace: r.namespace, name: dv.metadata.name as string } });
  } catch (e) {
    if (dv?.metadata.name) await deleteQuietly(client, r.namespace, dv.metadata.name);
    await saveImage(ctx, client, importing, { status: 'queued' }, { conditional: false }).catch(() => {});
    throw e;
  }
}

/** `glance-direct`: the staged data (already in the image's DataVolume) becomes the image. */
export async function glanceDirect(ctx: ImageContext, r: ImageRecord): Promise<ImageRecord> {
  const client = writerFor(ctx, r, 'import data to');
  if (r.status !== 'uploading' || !r.volume) throw conflict("Image needs to be staged before 'glance-direct' method can be used");
  if (!r.diskFormat || !r.containerFormat) throw badRequest('Properties disk_format, container_format must be set prior to saving data.');
  return saveImage(ctx, client, r, { status: 'active' });
}

/** Drops the image's data volume (a failed import's leftovers) before a new attempt. */
export async function clearVolume(ctx: ImageContext, r: ImageRecord): Promise<ImageRecord> {
  if (!r.volume) return r;
  const client = writerFor(ctx, r);
  await deleteQuietly(client, r.volume.namespace, r.volume.name);
  return saveImage(ctx, client, r, { volume: undefined, status: 'queued' }, { conditional: false });
}

/** An image made from a volume (Cinder's os-volume_upload_image): a clone of its PVC. */
export async function importFromVolume(ctx: ImageContext, r: ImageRecord, pvc: { namespace: string; name: string }, bytes: number): Promise<ImageRecord> {
  const client = writerFor(ctx, r, 'import data to');
  const importing = await saveImage(ctx, client, r, { status: 'importing', import: { method: 'volume-upload' } });
  let dv: DataVolume | undefined;
  try {
    dv = await createDataVolume(client, importing, { pvc }, bytes);
    return await saveImage(ctx, client, importing, { volume: { namespace: r.namespace, name: dv.metadata.name as string } });
  } catch (e) {
    if (dv?.metadata.name) await deleteQuietly(client, r.namespace, dv.metadata.name);
    await saveImage(ctx, client, importing, { status: 'queued' }, { conditional: false }).catch(() => {});
    throw e;
  }
}
