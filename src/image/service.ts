import type { Context } from 'hono';
import type { GatewayEnv, Region } from '../core/context.ts';
import { conflict, forbidden, notFound, unauthorized } from '../core/faults.ts';
import { identityOf } from '../identity/service.ts';
import { AlreadyExistsError, ConflictError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { ensureImagesNamespace } from './bootstrap.ts';
import { exportToken } from './export-token.ts';
import {
  type Caller,
  type DataSource,
  type DataVolume,
  IA,
  IL,
  IMAGES_NS,
  IMAGE_SELECTOR,
  type ImageRecord,
  canSee,
  effective,
  imageAnnotations,
  isOwner,
  isoSeconds,
  objectName,
  present,
  toImage,
} from './model.ts';
import type { Fields } from './rules.ts';
import { UUID } from '../core/names.ts';

// Images as DataSources, through the Kubernetes API. Reads go through the gateway's own
// client with one cluster-wide LIST (label selector) and Glance's visibility policy applied
// here, because sharing (members, community) has no RBAC equivalent; writes by an image's
// owner go through the caller's impersonating client, so Kubernetes RBAC decides them.

export interface ImageContext {
  region: Region;
  /** The gateway's own client for the region. */
  gw: KubeClient;
  /** The caller's impersonating client (RBAC decides). */
  user: KubeClient;
  caller: Caller & { userId: string };
  /** The region's fetch on the cluster network (the CDI upload proxy). */
  clusterFetch: typeof fetch;
  /** The token guarding an image export at `place` (export-token.ts). */
  exportToken(place: string): Promise<string>;
  now(): number;
  /** The caller's project namespace. */
  projectNamespace(): Promise<string>;
}

export function imageContext(c: Context<GatewayEnv>): ImageContext {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  const region = c.get('region');
  const gateway = c.get('gateway');
  const conn = gateway.platform.kube[region.name];
  let ns: Promise<string> | undefined;
  return {
    region,
    gw: region.kube,
    user: auth.kube,
    caller: { projectId: auth.projectId, isAdmin: auth.isAdmin, userId: auth.userId },
    clusterFetch: conn?.fetch ?? ((input, init) => fetch(input, init)),
    exportToken: (place) => exportToken(identityOf(gateway).kube, place),
    now: () => gateway.platform.now(),
    projectNamespace() {
      ns ??= (async () => {
        const id = auth.projectId;
        const project = id ? await identityOf(gateway).projects.get(id) : undefined;
        if (!project) throw forbidden('Images need a project-scoped token.');
        return project.namespace;
      })();
      return ns;
    },
  };
}

export const imageNotFound = (id: string) => notFound(`No image found with ID ${id}`);

/** DataVolumes of images, by namespace/name (one LIST, only when an import is in flight). */
async function volumesOf(ctx: ImageContext, records: ImageRecord[]): Promise<Map<string, DataVolume>> {
  const out = new Map<string, DataVolume>();
  if (!records.some((r) => r.status === 'importing' && r.volume)) return out;
  const list = await ctx.gw.listAll<DataVolume>(R.dataVolumes, { labelSelector: IMAGE_SELECTOR });
  for (const dv of list.items) out.set(`${dv.metadata.namespace}/${dv.metadata.name}`, dv);
  return out;
}

const dvOf = (dvs: Map<string, DataVolume>, r: ImageRecord) => (r.volume ? dvs.get(`${r.volume.namespace}/${r.volume.name}`) : undefined);

export interface Listed {
  record: ImageRecord;
  dv: DataVolume | undefined;
}

/** Every image the caller may see (before listing filters), with import state applied. */
export async function allImages(ctx: ImageContext): Promise<Listed[]> {
  const list = await ctx.gw.listAll<DataSource>(R.dataSources, { labelSelector: IMAGE_SELECTOR });
  const records = list.items.filter((ds) => !ds.metadata.deletionTimestamp).map(toImage);
  const dvs = await volumesOf(ctx, records);
  return records.filter((r) => canSee(r, ctx.caller)).map((r) => ({ record: effective(r, dvOf(dvs, r)), dv: dvOf(dvs, r) }));
}

async function findById(ctx: ImageContext, id: string): Promise<ImageRecord | undefined> {
  if (!UUID.test(id)) return undefined; // find-by-name relies on a 404 here
  const list = await ctx.gw.list<DataSource>(R.dataSources, { labelSelector: `${IMAGE_SELECTOR},${IL.imageId}=${id.toLowerCase()}` });
  const ds = list.items.find((o) => !o.metadata.deletionTimestamp);
  return ds ? toImage(ds) : undefined;
}

/** The image, if the caller may see it (404 otherwise), with import state applied. */
export async function getImage(ctx: ImageContext, id: string): Promise<Listed> {
  const r = await findById(ctx, id);
  if (!r || !canSee(r, ctx.caller)) throw imageNotFound(id);
  let dv: DataVolume | undefined;
  if (r.status === 'importing' && r.volume) {
    dv = await ctx.gw.get<DataVolume>(R.dataVolumes, r.volume.name, { namespace: r.volume.namespace }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
  }
  return { record: effective(r, dv), dv };
}

/** The client that writes an image for the caller: its owner's (or an admin's) own; others 403. */
export function writerFor(ctx: ImageContext, r: ImageRecord, action = 'modify'): KubeClient {
  if (ctx.caller.isAdmin || isOwner(r, ctx.caller)) return ctx.user;
  throw forbidden(`You are not permitted to ${action} this image.`);
}

export async function createImage(ctx: ImageContext, fields: Fields, requestedId: string | undefined): Promise<ImageRecord> {
  const id = requestedId ?? crypto.randomUUID();
  if (requestedId && (await findById(ctx, requestedId))) throw conflict(`Image with identifier ${requestedId} already exists!`);
  // Public images made by an admin go to the shared images namespace; all others stay home.
  let namespace: string;
  if (fields.visibility === 'public' && ctx.caller.isAdmin) {
    await ensureImagesNamespace(ctx.region);
    namespace = IMAGES_NS;
  } else namespace = await ctx.projectNamespace();
  const now = isoSeconds(ctx.now());
  const annotations = { ...present(imageAnnotations({ ...fields, status: 'queued', size: null, virtualSize: null, checksum: null, hashAlgo: null, hashValue: null, members: [], updatedAt: now, registryUrl: undefined, import: undefined })), [IA.createdMs]: String(ctx.now()) };
  const object = (name: string): DataSource => ({
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataSource',
    metadata: {
      name,
      namespace,
      labels: { [IL.managedBy]: 'dicot', [IL.kind]: 'image', [IL.imageId]: id, ...(fields.owner ? { [IL.owner]: fields.owner } : {}) },
      annotations,
    },
    spec: { source: {} },
  });
  let ds: DataSource;
  try {
    ds = await ctx.user.create(R.dataSources, object(objectName(fields.name, id)));
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
    ds = await ctx.user.create(R.dataSources, object(`${objectName(fields.name, '')}${id.replace(/-/g, '')}`));
  }
  return toImage(ds);
}

export type Changes = Partial<Omit<ImageRecord, 'id' | 'namespace' | 'object' | 'uid' | 'resourceVersion' | 'createdAt'>>;

/**
 * Writes changed Glance fields (and optionally the data volume) as one merge patch,
 * conditional on the resourceVersion read: a concurrent change answers 409.
 */
export async function saveImage(ctx: ImageContext, client: KubeClient, r: ImageRecord, changes: Changes, opts: { conditional?: boolean } = {}): Promise<ImageRecord> {
  const next: ImageRecord = { ...r, ...changes, updatedAt: isoSeconds(ctx.now()) };
  const before = imageAnnotations(r);
  const after = imageAnnotations(next);
  const annotations: Record<string, string | null> = {};
  // Status is always written: the record may show an import's outcome the annotation lacks.
  for (const [k, v] of Object.entries(after)) if (before[k] !== v || k === IA.status || k === IA.updatedAt) annotations[k] = v;
  const volumeChanged = JSON.stringify(r.volume) !== JSON.stringify(next.volume);
  const patch = {
    metadata: {
      ...(opts.conditional === false ? {} : { resourceVersion: r.resourceVersion }),
      annotations,
      ...(next.owner !== r.owner ? { labels: { [IL.owner]: next.owner } } : {}),
    },
    ...(volumeChanged ? { spec: { source: next.volume ? { pvc: next.volume } : { pvc: null } } } : {}),
  };
  try {
    return toImage(await client.patch<DataSource>(R.dataSources, r.object, patch, { namespace: r.namespace, type: 'merge' }));
  } catch (e) {
    if (e instanceof NotFoundError) throw imageNotFound(r.id);
    if (e instanceof ConflictError) throw conflict(`Image ${r.id} was changed by another request; retry.`);
    throw e;
  }
}

export async function deleteImage(ctx: ImageContext, r: ImageRecord): Promise<void> {
  if (r.protected) throw forbidden(`Image ${r.id} is protected and cannot be deleted.`);
  const client = writerFor(ctx, r, 'delete');
  try {
    // The DataVolume (and its PVC), the export and its token are owned by the DataSource:
    // garbage collection removes them. A server's disk is a clone with its own PVC.
    await client.delete(R.dataSources, r.object, { namespace: r.namespace, propagationPolicy: 'Background', preconditions: { uid: r.uid } });
  } catch (e) {
    if (e instanceof NotFoundError) throw imageNotFound(r.id);
    throw e;
  }
}

/** An owner reference to the image's DataSource, for what it owns (data volume, export). */
export const ownedByImage = (r: ImageRecord) => [
  { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', name: r.object, uid: r.uid, blockOwnerDeletion: false },
];

/** Polls `get` until `done` says yes (or throws), backing off from 10 ms to 1 s. */
export async function waitFor<T>(get: () => Promise<T>, done: (x: T) => boolean, timeoutMs: number, what: string, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const x = await get();
    if (done(x)) return x;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (signal?.aborted) throw signal.reason;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(1000, delay * 2);
  }
}
